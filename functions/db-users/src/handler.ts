/**
 * The database user provisioner: invoked by Terraform at apply time (aws_lambda_invocation in
 * layer 03) with the list of service users, it reads the master credentials from the
 * RDS-managed secret *at run time* (so the secret's rotation never matters), connects over TLS
 * and runs the idempotent statements of ./statements.ts.
 *
 * The database driver and Secrets Manager are injected (`HandlerDeps`), so the handler is tested
 * with fakes; ./index.ts wires the real ones. Errors reach Terraform as the invocation's error
 * (the apply fails and names it); they carry the failing statement, never a password.
 *
 * Event: { "users": [{ "name": "customers", "privileges": "owner" }, ...], "database": "<resource id>" }
 * (the resource id is there so a replaced database gets its users again). Result:
 * { "engine", "database", "users": [names], "statements": n }.
 */
import { isEngine, PRIVILEGES, planStatements, type DatabaseUser, type Engine, type Privileges } from "./statements";
import { isObject } from "../../shared/json-object";
import { required as requiredSetting } from "../../shared/settings";

/** Connection settings of the function (layer 03 sets them as environment variables). */
export interface Settings {
  readonly engine: Engine;
  readonly host: string;
  readonly port: number;
  /** The application database the users get privileges on (and the one the function connects to). */
  readonly database: string;
  /** ARN of the RDS-managed master user secret. */
  readonly secretArn: string;
}

/** The variables the function reads. */
export const ENV = {
  engine: "DB_ENGINE",
  host: "DB_HOST",
  port: "DB_PORT",
  database: "DB_NAME",
  secretArn: "MASTER_SECRET_ARN",
} as const;

export interface ConnectOptions {
  readonly engine: Engine;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: string;
}

/** An open connection that runs one statement at a time. */
export interface SqlRunner {
  execute(sql: string): Promise<void>;
  close(): Promise<void>;
}

export interface HandlerDeps {
  readonly settings: () => Settings;
  /** The secret's JSON string (GetSecretValue SecretString). */
  readonly secretString: (secretArn: string) => Promise<string>;
  /** Opens a TLS connection (certificate verified) with the given credentials. */
  readonly connect: (options: ConnectOptions) => Promise<SqlRunner>;
  /** Log line sink. @default process.stdout */
  readonly sink?: (line: string) => void;
}

export interface ProvisionResult {
  readonly engine: Engine;
  readonly database: string;
  readonly users: string[];
  readonly statements: number;
}

/** A failure Terraform shows: a name saying which step failed, and a message without secrets. */
export class ProvisioningError extends Error {
  constructor(
    name: "SettingsError" | "InvalidEvent" | "SecretUnavailable" | "DriverMissing" | "DatabaseUnreachable" | "StatementFailed",
    message: string,
  ) {
    super(message);
    this.name = name;
    this.stack = `${name}: ${message}`;
  }
}

/** Reads and checks the settings. */
export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const required = (name: string): string => requiredSetting(env, name, (message) => new ProvisioningError("SettingsError", message));
  const engine = required(ENV.engine);
  if (!isEngine(engine)) throw new ProvisioningError("SettingsError", `${ENV.engine} ${JSON.stringify(engine)} is not a supported engine`);
  const port = Number(required(ENV.port));
  if (!Number.isInteger(port) || port < 1 || port > 65535)
    throw new ProvisioningError("SettingsError", `${ENV.port} must be a port number`);
  return { engine, host: required(ENV.host), port, database: required(ENV.database), secretArn: required(ENV.secretArn) };
}

/** The users of an invocation event; each name once. */
export function parseEvent(event: unknown): DatabaseUser[] {
  if (!isObject(event) || !Array.isArray(event.users))
    throw new ProvisioningError("InvalidEvent", "the event must be an object with a users list");
  const seen = new Set<string>();
  return event.users.map((u: unknown, i: number): DatabaseUser => {
    if (!isObject(u) || typeof u.name !== "string")
      throw new ProvisioningError("InvalidEvent", `users[${i}] must be an object with a name`);
    const privileges = u.privileges ?? "owner";
    if (typeof privileges !== "string" || !(PRIVILEGES as readonly string[]).includes(privileges)) {
      throw new ProvisioningError("InvalidEvent", `users[${i}].privileges must be one of ${PRIVILEGES.join(", ")}`);
    }
    if (seen.has(u.name)) throw new ProvisioningError("InvalidEvent", `users[${i}]: ${u.name} is listed twice`);
    seen.add(u.name);
    return { name: u.name, privileges: privileges as Privileges };
  });
}

/** username and password of an RDS-managed secret's JSON. */
export function parseSecret(text: string): { username: string; password: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ProvisioningError("SecretUnavailable", "the master secret is not JSON");
  }
  if (!isObject(value) || typeof value.username !== "string" || typeof value.password !== "string" || !value.username || !value.password) {
    throw new ProvisioningError("SecretUnavailable", "the master secret has no username and password");
  }
  return { username: value.username, password: value.password };
}

const errorName = (e: unknown): string => (e instanceof Error ? e.name : typeof e);
const errorCode = (e: unknown): string | undefined => {
  const code = isObject(e) ? e.code : undefined;
  return typeof code === "string" ? code : typeof code === "number" ? String(code) : undefined;
};
/** A driver's message, with anything that looks like the password removed. */
const safeMessage = (e: unknown, password: string): string => {
  const text = e instanceof Error ? e.message : String(e);
  return password ? text.split(password).join("***") : text;
};

export function createHandler(deps: HandlerDeps) {
  const sink = deps.sink ?? ((line: string) => void process.stdout.write(line));
  const log = (level: "INFO" | "ERROR", message: string, fields: Record<string, unknown> = {}) =>
    sink(`${JSON.stringify({ timestamp: new Date().toISOString(), level, message, ...fields })}\n`);

  return async (event: unknown): Promise<ProvisionResult> => {
    const settings = deps.settings();
    const users = parseEvent(event);
    let statements;
    try {
      statements = planStatements(settings.engine, settings.database, users);
    } catch (e) {
      throw new ProvisioningError("InvalidEvent", (e as Error).message);
    }

    let secret: { username: string; password: string };
    try {
      secret = parseSecret(await deps.secretString(settings.secretArn));
    } catch (e) {
      if (e instanceof ProvisioningError) throw e;
      log("ERROR", "master secret unavailable", { errorName: errorName(e) });
      throw new ProvisioningError(
        "SecretUnavailable",
        `GetSecretValue on the master secret failed: ${errorName(e)}: ${safeMessage(e, "")}`,
      );
    }

    let runner: SqlRunner;
    try {
      runner = await deps.connect({
        engine: settings.engine,
        host: settings.host,
        port: settings.port,
        database: settings.database,
        user: secret.username,
        password: secret.password,
      });
    } catch (e) {
      if (e instanceof ProvisioningError) throw e;
      throw new ProvisioningError(
        "DatabaseUnreachable",
        `connecting to ${settings.host}:${settings.port} as the master user failed: ${safeMessage(e, secret.password)}`,
      );
    }

    let done = 0;
    try {
      for (const statement of statements) {
        try {
          await runner.execute(statement.sql);
        } catch (e) {
          const code = errorCode(e);
          if (code !== undefined && statement.tolerate?.includes(code)) continue;
          throw new ProvisioningError(
            "StatementFailed",
            `${statement.sql} failed${code ? ` (${code})` : ""}: ${safeMessage(e, secret.password)}`,
          );
        } finally {
          done++;
        }
      }
    } finally {
      await runner.close().catch(() => undefined);
    }
    const result: ProvisionResult = {
      engine: settings.engine,
      database: settings.database,
      users: users.map((u) => u.name),
      statements: done,
    };
    log("INFO", "database users provisioned", { ...result });
    return result;
  };
}
