/**
 * The database user provisioner (functions/db-users) with a fake SQL runner and a fake secret:
 * the statements per engine (IAM plugin / rds_iam, TLS, grants on the application database only),
 * idempotency (running twice issues the same idempotent statements; a tolerated "no such grant"
 * is not a failure), event and settings checks, and error mapping without leaking the password.
 */
import {
  createHandler,
  ENV,
  loadSettings,
  parseEvent,
  ProvisioningError,
  type ConnectOptions,
  type Settings,
} from "../../functions/db-users/src/handler";
import { MYSQL_NO_SUCH_GRANT, planStatements } from "../../functions/db-users/src/statements";

const PASSWORD = "s3cr3t-Pa55word";
const SECRET = JSON.stringify({ username: "platform_admin", password: PASSWORD });
const MYSQL: Settings = {
  engine: "aurora-mysql",
  host: "db.cluster-x.us-west-2.rds.amazonaws.com",
  port: 3306,
  database: "petclinic",
  secretArn: "arn:aws:secretsmanager:us-west-2:123456789012:secret:rds!cluster-1-AbCdEf",
};
const PG: Settings = { ...MYSQL, engine: "postgres", port: 5432, database: "ims2" };

function fakeDb(fail?: (sql: string) => Error | undefined) {
  const executed: string[] = [];
  const connections: ConnectOptions[] = [];
  let closed = 0;
  const connect = async (o: ConnectOptions) => {
    connections.push(o);
    return {
      execute: async (sql: string) => {
        executed.push(sql);
        const e = fail?.(sql);
        if (e) throw e;
      },
      close: async () => void closed++,
    };
  };
  return { connect, executed, connections, closed: () => closed };
}

const handlerFor = (
  settings: Settings,
  db: ReturnType<typeof fakeDb>,
  secret: () => Promise<string> = async () => SECRET,
  lines: string[] = [],
) => createHandler({ settings: () => settings, secretString: secret, connect: db.connect, sink: (l) => void lines.push(l) });

const EVENT = {
  users: [
    { name: "customers", privileges: "owner" },
    { name: "vets", privileges: "read-only" },
  ],
  database: "cluster-ABC",
};

describe("statements", () => {
  it("MySQL: creates each user with the IAM plugin and TLS, converges it, and grants only on the application database", () => {
    const sql = planStatements("aurora-mysql", "petclinic", [{ name: "customers", privileges: "owner" }]).map((s) => s.sql);
    expect(sql).toEqual([
      "CREATE USER IF NOT EXISTS 'customers'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL",
      "ALTER USER 'customers'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL",
      "REVOKE ALL PRIVILEGES ON `petclinic`.* FROM 'customers'@'%'",
      expect.stringMatching(/^GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, .* ON `petclinic`\.\* TO 'customers'@'%'$/),
    ]);
    expect(sql.join("\n")).not.toMatch(/\*\.\*|WITH GRANT OPTION|IDENTIFIED BY/);
  });

  it("MySQL: read-only and read-write users get no DDL", () => {
    const [ro] = planStatements("mysql", "app", [{ name: "reader", privileges: "read-only" }]).filter((s) => s.sql.startsWith("GRANT"));
    const [rw] = planStatements("mysql", "app", [{ name: "writer", privileges: "read-write" }]).filter((s) => s.sql.startsWith("GRANT"));
    expect(ro.sql).toBe("GRANT SELECT, SHOW VIEW ON `app`.* TO 'reader'@'%'");
    expect(rw.sql).toMatch(/^GRANT SELECT, INSERT, UPDATE, DELETE,/);
    for (const s of [ro.sql, rw.sql]) expect(s).not.toMatch(/CREATE|ALTER|DROP/);
  });

  it("PostgreSQL: a LOGIN role created when missing, no password, member of rds_iam, CONNECT and schema grants, default privileges", () => {
    const sql = planStatements("aurora-postgresql", "ims2", [{ name: "api", privileges: "read-write" }]).map((s) => s.sql);
    expect(sql[0]).toBe(
      `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = 'api') THEN CREATE ROLE "api" LOGIN; END IF; END $$`,
    );
    const expected = [
      'ALTER ROLE "api" WITH LOGIN PASSWORD NULL',
      'GRANT rds_iam TO "api"',
      'GRANT CONNECT ON DATABASE "ims2" TO "api"',
      'GRANT USAGE ON SCHEMA public TO "api"',
      'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "api"',
      'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "api"',
    ];
    for (const statement of expected) expect(sql).toContain(statement);
    // Revokes come before grants, so a narrower privilege set converges.
    expect(sql.findIndex((s) => s.startsWith("REVOKE ALL ON ALL TABLES"))).toBeLessThan(sql.findIndex((s) => s.startsWith("GRANT SELECT")));
    const owner = planStatements("postgres", "ims2", [{ name: "api", privileges: "owner" }]).map((s) => s.sql);
    expect(owner).toContain('GRANT USAGE, CREATE ON SCHEMA public TO "api"');
  });

  it("refuses names that are not plain identifiers or are reserved", () => {
    expect(() => planStatements("mysql", "app", [{ name: "x'; DROP USER root; --", privileges: "owner" }])).toThrow(
      /not a plain identifier/,
    );
    expect(() => planStatements("postgres", "app", [{ name: "rds_iam", privileges: "owner" }])).toThrow(/reserved/);
    expect(() => planStatements("postgres", "app;drop", [{ name: "api", privileges: "owner" }])).toThrow(/database name/);
    expect(() => planStatements("postgres", "app", [{ name: "a".repeat(33), privileges: "owner" }])).toThrow(/32 characters/);
  });
});

describe("handler", () => {
  it("reads the master secret at run time, connects as its user, runs every statement and closes", async () => {
    const db = fakeDb();
    const secrets: string[] = [];
    const lines: string[] = [];
    const result = await handlerFor(MYSQL, db, async () => (secrets.push(MYSQL.secretArn), SECRET), lines)(EVENT);
    expect(secrets).toEqual([MYSQL.secretArn]);
    expect(db.connections).toEqual([
      { engine: "aurora-mysql", host: MYSQL.host, port: 3306, database: "petclinic", user: "platform_admin", password: PASSWORD },
    ]);
    expect(db.executed).toEqual(planStatements("aurora-mysql", "petclinic", parseEvent(EVENT)).map((s) => s.sql));
    expect(db.closed()).toBe(1);
    expect(result).toEqual({ engine: "aurora-mysql", database: "petclinic", users: ["customers", "vets"], statements: 8 });
    expect(lines.join("")).not.toContain(PASSWORD);
  });

  it("is idempotent: a second run issues the same statements, and MySQL's 'no such grant' on REVOKE is not a failure", async () => {
    const db = fakeDb((sql) =>
      sql.startsWith("REVOKE") ? Object.assign(new Error("There is no such grant defined"), { code: MYSQL_NO_SUCH_GRANT }) : undefined,
    );
    const handler = handlerFor(MYSQL, db);
    await handler(EVENT);
    const first = [...db.executed];
    await handler(EVENT);
    expect(db.executed).toEqual([...first, ...first]);
  });

  it("reads a rotated secret on every invocation (no cached password)", async () => {
    const db = fakeDb();
    let n = 0;
    const handler = handlerFor(PG, db, async () => JSON.stringify({ username: "platform_admin", password: `pw-${++n}` }));
    await handler({ users: [{ name: "api" }] });
    await handler({ users: [{ name: "api" }] });
    expect(db.connections.map((c) => c.password)).toEqual(["pw-1", "pw-2"]);
  });

  it("maps failures to named errors that never contain the password", async () => {
    const failing = fakeDb((sql) => (sql.startsWith("GRANT rds_iam") ? new Error(`permission denied for ${PASSWORD}`) : undefined));
    const e1 = await handlerFor(PG, failing)({ users: [{ name: "api" }] }).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(ProvisioningError);
    expect((e1 as Error).name).toBe("StatementFailed");
    expect((e1 as Error).message).toContain('GRANT rds_iam TO "api"');
    expect((e1 as Error).message).not.toContain(PASSWORD);
    expect(failing.closed()).toBe(1);

    const unreachable = { ...fakeDb(), connect: async () => Promise.reject(new Error(`ETIMEDOUT (password ${PASSWORD})`)) };
    const e2 = await handlerFor(PG, unreachable as ReturnType<typeof fakeDb>)({ users: [] }).catch((e: unknown) => e);
    expect((e2 as Error).name).toBe("DatabaseUnreachable");
    expect((e2 as Error).message).not.toContain(PASSWORD);

    const denied = await handlerFor(PG, fakeDb(), async () =>
      Promise.reject(Object.assign(new Error("not authorized"), { name: "AccessDeniedException" })),
    )({ users: [] }).catch((e: unknown) => e);
    expect((denied as Error).name).toBe("SecretUnavailable");
    expect((denied as Error).message).toContain("AccessDeniedException");

    const badSecret = await handlerFor(PG, fakeDb(), async () => "{}")({ users: [] }).catch((e: unknown) => e);
    expect((badSecret as Error).name).toBe("SecretUnavailable");
  });

  it("refuses malformed events before reading the secret", async () => {
    const db = fakeDb();
    let read = 0;
    const handler = handlerFor(MYSQL, db, async () => (read++, SECRET));
    for (const event of [
      undefined,
      {},
      { users: [{}] },
      { users: [{ name: "a", privileges: "all" }] },
      { users: [{ name: "a" }, { name: "a" }] },
      { users: [{ name: "Bad-Name" }] },
    ]) {
      await expect(handler(event)).rejects.toMatchObject({ name: "InvalidEvent" });
    }
    expect(read).toBe(0);
    expect(db.connections).toEqual([]);
  });
});

describe("settings", () => {
  const ok = { [ENV.engine]: "aurora-mysql", [ENV.host]: "h", [ENV.port]: "3306", [ENV.database]: "petclinic", [ENV.secretArn]: "arn" };
  it("reads every variable", () => {
    expect(loadSettings(ok)).toEqual({ engine: "aurora-mysql", host: "h", port: 3306, database: "petclinic", secretArn: "arn" });
  });
  it("refuses a missing variable, an unknown engine and a bad port", () => {
    expect(() => loadSettings({ ...ok, [ENV.secretArn]: "" })).toThrow(/MASTER_SECRET_ARN is not set/);
    expect(() => loadSettings({ ...ok, [ENV.engine]: "oracle" })).toThrow(/not a supported engine/);
    expect(() => loadSettings({ ...ok, [ENV.port]: "x" })).toThrow(/port number/);
  });
});
