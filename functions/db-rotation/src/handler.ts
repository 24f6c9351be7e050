/**
 * Rotation of the master user secret of an RDS instance that has read replicas (layer 03).
 *
 * RDS does not create read replicas of an instance whose master password it manages in Secrets
 * Manager, so such an instance keeps its master credentials in a secret of the kit's own, and
 * Secrets Manager rotates it with this function (the four steps of a rotation function:
 * createSecret, setSecret, testSecret, finishSecret). The function never connects to the
 * database: it sets the new password with the RDS API (ModifyDBInstance MasterUserPassword, which
 * RDS applies at once and replicates to the read replicas), so it needs neither the old password
 * nor a network path to the instance, and the very first rotation (Terraform creates the instance
 * with a write-only password nobody keeps, and the secret with no value) works like every other.
 *
 * The AWS clients are injected (`RotationDeps`) so the handler is tested with fakes; ./index.ts
 * wires the real ones. Errors never carry a password.
 */
import { isObject } from "../../shared/json-object";
import { required as requiredSetting } from "../../shared/settings";

export type Step = "createSecret" | "setSecret" | "testSecret" | "finishSecret";
const STEPS: readonly Step[] = ["createSecret", "setSecret", "testSecret", "finishSecret"];

/** What the function knows about the database (layer 03 sets it as environment variables). */
export interface RotationSettings {
  readonly engine: string;
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly username: string;
  /** DB instance identifier whose master password the function sets. */
  readonly instance: string;
}

/** The variables the function reads. */
export const ENV = {
  engine: "DB_ENGINE",
  host: "DB_HOST",
  port: "DB_PORT",
  database: "DB_NAME",
  username: "DB_MASTER_USERNAME",
  instance: "DB_INSTANCE_IDENTIFIER",
} as const;

export interface SecretDescription {
  readonly rotationEnabled: boolean;
  /** Version id -> its staging labels. */
  readonly versions: Readonly<Record<string, readonly string[]>>;
}

export interface RotationDeps {
  readonly settings: () => RotationSettings;
  readonly describeSecret: (secretId: string) => Promise<SecretDescription>;
  /** The SecretString of a version (by id and stage), or undefined when there is none. */
  readonly secretValue: (secretId: string, versionId: string, stage: "AWSPENDING") => Promise<string | undefined>;
  /** GetRandomPassword: a password the engines accept (no / " @ ' \ or spaces). */
  readonly randomPassword: () => Promise<string>;
  /** PutSecretValue with the ClientRequestToken `versionId` and the stage AWSPENDING. */
  readonly putPending: (secretId: string, versionId: string, secretString: string) => Promise<void>;
  /** UpdateSecretVersionStage AWSCURRENT to `versionId` (from `fromVersionId` when there is one). */
  readonly moveCurrent: (secretId: string, versionId: string, fromVersionId: string | undefined) => Promise<void>;
  /** ModifyDBInstance MasterUserPassword, ApplyImmediately. */
  readonly setMasterPassword: (instance: string, password: string) => Promise<void>;
  /** Whether the instance still has a master password change pending (DescribeDBInstances PendingModifiedValues). */
  readonly passwordChangePending: (instance: string) => Promise<boolean>;
  readonly sleep?: (ms: number) => Promise<void>;
  /** How often testSecret asks RDS, and how long it waits between asks. @default 24 x 5000 ms */
  readonly testAttempts?: number;
  readonly testIntervalMs?: number;
  readonly sink?: (line: string) => void;
}

export class RotationError extends Error {
  constructor(name: "SettingsError" | "InvalidEvent" | "NotRotatable" | "SecretUnreadable" | "PasswordNotApplied", message: string) {
    super(message);
    this.name = name;
    this.stack = `${name}: ${message}`;
  }
}

export function loadSettings(env: NodeJS.ProcessEnv): RotationSettings {
  const required = (name: string): string => requiredSetting(env, name, (message) => new RotationError("SettingsError", message));
  const port = Number(required(ENV.port));
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new RotationError("SettingsError", `${ENV.port} must be a port number`);
  return {
    engine: required(ENV.engine),
    host: required(ENV.host),
    port,
    database: required(ENV.database),
    username: required(ENV.username),
    instance: required(ENV.instance),
  };
}

/** The Secrets Manager rotation event. */
export function parseEvent(event: unknown): { secretId: string; token: string; step: Step } {
  if (!isObject(event)) throw new RotationError("InvalidEvent", "the event must be an object");
  const { SecretId, ClientRequestToken, Step } = event;
  if (typeof SecretId !== "string" || !SecretId) throw new RotationError("InvalidEvent", "SecretId is missing");
  if (typeof ClientRequestToken !== "string" || !ClientRequestToken)
    throw new RotationError("InvalidEvent", "ClientRequestToken is missing");
  if (typeof Step !== "string" || !(STEPS as readonly string[]).includes(Step)) {
    throw new RotationError("InvalidEvent", `Step must be one of ${STEPS.join(", ")}`);
  }
  return { secretId: SecretId, token: ClientRequestToken, step: Step as Step };
}

/** The secret's JSON: the fields RDS puts in its own managed secrets, and the connection settings. */
export function secretJson(settings: RotationSettings, password: string): string {
  return JSON.stringify({
    engine: settings.engine,
    host: settings.host,
    port: settings.port,
    dbname: settings.database,
    dbInstanceIdentifier: settings.instance,
    username: settings.username,
    password,
  });
}

function passwordOf(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RotationError("SecretUnreadable", "the pending secret version is not JSON");
  }
  if (!isObject(value) || typeof value.password !== "string" || !value.password) {
    throw new RotationError("SecretUnreadable", "the pending secret version has no password");
  }
  return value.password;
}

export function createHandler(deps: RotationDeps) {
  const sink = deps.sink ?? ((line: string) => void process.stdout.write(line));
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const attempts = deps.testAttempts ?? 24;
  const interval = deps.testIntervalMs ?? 5000;
  const log = (message: string, fields: Record<string, unknown> = {}) =>
    sink(`${JSON.stringify({ timestamp: new Date().toISOString(), level: "INFO", message, ...fields })}\n`);

  const pendingPassword = async (secretId: string, token: string): Promise<string> => {
    const text = await deps.secretValue(secretId, token, "AWSPENDING");
    if (text === undefined)
      throw new RotationError("SecretUnreadable", `version ${token} has no AWSPENDING value (createSecret did not run)`);
    return passwordOf(text);
  };

  return async (event: unknown): Promise<{ step: Step | "waitForCurrent"; done: boolean }> => {
    // Not a rotation step: Terraform (aws_lambda_invocation) waits for the first rotation, which
    // Secrets Manager runs asynchronously, before anything reads the secret.
    if (isObject(event) && event.WaitForCurrent === true) {
      if (typeof event.SecretId !== "string" || !event.SecretId) throw new RotationError("InvalidEvent", "SecretId is missing");
      for (let i = 0; i < attempts; i++) {
        const { versions } = await deps.describeSecret(event.SecretId);
        if (Object.values(versions).some((s) => s.includes("AWSCURRENT"))) return { step: "waitForCurrent", done: true };
        if (i < attempts - 1) await sleep(interval);
      }
      throw new RotationError(
        "SecretUnreadable",
        `the secret has no current value after ${attempts} checks (the first rotation has not finished)`,
      );
    }
    const { secretId, token, step } = parseEvent(event);
    const settings = deps.settings();
    const secret = await deps.describeSecret(secretId);
    if (!secret.rotationEnabled) throw new RotationError("NotRotatable", "rotation is not enabled on the secret");
    const stages = secret.versions[token];
    if (!stages) throw new RotationError("NotRotatable", `version ${token} is not a version of the secret`);
    if (stages.includes("AWSCURRENT")) {
      log("version already current", { step });
      return { step, done: true };
    }
    if (!stages.includes("AWSPENDING")) throw new RotationError("NotRotatable", `version ${token} is not AWSPENDING`);

    switch (step) {
      case "createSecret": {
        if ((await deps.secretValue(secretId, token, "AWSPENDING")) !== undefined) {
          log("pending value exists", { step });
          return { step, done: true };
        }
        await deps.putPending(secretId, token, secretJson(settings, await deps.randomPassword()));
        log("pending value created", { step });
        return { step, done: true };
      }
      case "setSecret": {
        // RDS applies a master password change at once (whatever ApplyImmediately says) and
        // read replicas receive it through replication.
        await deps.setMasterPassword(settings.instance, await pendingPassword(secretId, token));
        log("master password change requested", { step, instance: settings.instance });
        return { step, done: true };
      }
      case "testSecret": {
        await pendingPassword(secretId, token);
        for (let i = 0; i < attempts; i++) {
          if (!(await deps.passwordChangePending(settings.instance))) {
            log("master password applied", { step, instance: settings.instance });
            return { step, done: true };
          }
          if (i < attempts - 1) await sleep(interval);
        }
        throw new RotationError(
          "PasswordNotApplied",
          `the master password change of ${settings.instance} is still pending after ${attempts} checks`,
        );
      }
      case "finishSecret": {
        const current = Object.entries(secret.versions).find(([, s]) => s.includes("AWSCURRENT"))?.[0];
        await deps.moveCurrent(secretId, token, current);
        log("version made current", { step, previous: current ?? null });
        return { step, done: true };
      }
    }
  };
}
