/**
 * The SQL that makes each service's database user exist with IAM authentication and the
 * privileges it asks for on the application database, per engine family. Every statement is
 * idempotent, so the function can run again whenever the list of users changes (a new service,
 * a narrower privilege set) and converge the database to it.
 *
 * - MySQL / Aurora MySQL: the user authenticates with AWSAuthenticationPlugin and must use TLS
 *   (REQUIRE SSL); CREATE USER IF NOT EXISTS, then ALTER USER so a user that existed with a
 *   password is switched to IAM; privileges are revoked and granted again on `<db>`.* only.
 * - PostgreSQL / Aurora PostgreSQL: a LOGIN role created when missing, member of rds_iam (IAM
 *   authentication), CONNECT on the database and privileges on the public schema, also for
 *   tables and sequences the master user creates later (default privileges).
 *
 * Names are checked here again (the config already refuses others), then quoted: nothing from
 * the event reaches SQL unchecked.
 */

export const ENGINES = ["aurora-mysql", "mysql", "aurora-postgresql", "postgres"] as const;
export type Engine = (typeof ENGINES)[number];

/** What a service's user may do on the application database. */
export const PRIVILEGES = ["owner", "read-write", "read-only"] as const;
export type Privileges = (typeof PRIVILEGES)[number];

export interface DatabaseUser {
  /** User name, as in the service task role's rds-db:connect resource. */
  readonly name: string;
  readonly privileges: Privileges;
}

/** One statement, and the engine error codes that mean "already in the wanted state". */
export interface Statement {
  readonly sql: string;
  /** Error codes (MySQL `code`, PostgreSQL SQLSTATE) that are not failures for this statement. */
  readonly tolerate?: readonly string[];
}

/** User names both engines accept without quoting issues (MySQL allows 32 characters). */
export const USER_NAME_RE = /^[a-z][a-z0-9_]{0,31}$/;
/** Database names as the config accepts them. */
export const DATABASE_NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,62}$/;
/** Names the engines or RDS reserve. */
export const RESERVED_USERS = [
  "root",
  "admin",
  "rdsadmin",
  "rdsrepladmin",
  "rds_superuser",
  "rds_iam",
  "rds_replication",
  "postgres",
  "mysql",
  "public",
] as const;

export function isEngine(value: unknown): value is Engine {
  return typeof value === "string" && (ENGINES as readonly string[]).includes(value);
}

export const isMysql = (engine: Engine): boolean => engine === "mysql" || engine === "aurora-mysql";

/** MySQL: privileges per level on `<db>`.*. */
const MYSQL_PRIVILEGES: Readonly<Record<Privileges, string>> = {
  owner:
    "SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, DROP, INDEX, REFERENCES, CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, ALTER ROUTINE, TRIGGER",
  "read-write": "SELECT, INSERT, UPDATE, DELETE, EXECUTE, SHOW VIEW",
  "read-only": "SELECT, SHOW VIEW",
};

/** MySQL ER_NONEXISTING_GRANT (1141): REVOKE of a grant the user does not have. */
export const MYSQL_NO_SUCH_GRANT = "ER_NONEXISTING_GRANT";

function checkNames(database: string, users: readonly DatabaseUser[]): void {
  if (!DATABASE_NAME_RE.test(database)) throw new Error(`database name ${JSON.stringify(database)} is not a plain identifier`);
  for (const u of users) {
    if (!USER_NAME_RE.test(u.name))
      throw new Error(`user name ${JSON.stringify(u.name)} is not a plain identifier (a-z, 0-9, _; 32 characters at most)`);
    if ((RESERVED_USERS as readonly string[]).includes(u.name)) throw new Error(`user name ${u.name} is reserved`);
    if (!(PRIVILEGES as readonly string[]).includes(u.privileges))
      throw new Error(`privileges ${JSON.stringify(u.privileges)} of ${u.name} is not one of ${PRIVILEGES.join(", ")}`);
  }
}

function mysqlStatements(database: string, user: DatabaseUser): Statement[] {
  const account = `'${user.name}'@'%'`;
  const db = `\`${database}\``;
  return [
    { sql: `CREATE USER IF NOT EXISTS ${account} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL` },
    // A user that existed before (with a password, or without TLS) is brought to IAM and TLS.
    { sql: `ALTER USER ${account} IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL` },
    // Privileges converge: what the list no longer asks for is taken away.
    { sql: `REVOKE ALL PRIVILEGES ON ${db}.* FROM ${account}`, tolerate: [MYSQL_NO_SUCH_GRANT] },
    { sql: `GRANT ${MYSQL_PRIVILEGES[user.privileges]} ON ${db}.* TO ${account}` },
  ];
}

function postgresStatements(database: string, user: DatabaseUser): Statement[] {
  const role = `"${user.name}"`;
  const tables = user.privileges === "read-only" ? "SELECT" : "SELECT, INSERT, UPDATE, DELETE";
  const sequences = user.privileges === "read-only" ? "SELECT" : "USAGE, SELECT";
  const schema = user.privileges === "owner" ? "USAGE, CREATE" : "USAGE";
  return [
    {
      sql: `DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_catalog.pg_roles WHERE rolname = '${user.name}') THEN CREATE ROLE ${role} LOGIN; END IF; END $$`,
    },
    // LOGIN without a password: the role signs in with IAM tokens only.
    { sql: `ALTER ROLE ${role} WITH LOGIN PASSWORD NULL` },
    { sql: `GRANT rds_iam TO ${role}` },
    { sql: `GRANT CONNECT ON DATABASE "${database}" TO ${role}` },
    { sql: `REVOKE ALL ON SCHEMA public FROM ${role}` },
    { sql: `REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}` },
    { sql: `REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}` },
    { sql: `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM ${role}` },
    { sql: `ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM ${role}` },
    { sql: `GRANT ${schema} ON SCHEMA public TO ${role}` },
    { sql: `GRANT ${tables} ON ALL TABLES IN SCHEMA public TO ${role}` },
    { sql: `GRANT ${sequences} ON ALL SEQUENCES IN SCHEMA public TO ${role}` },
    // Tables the master user (this connection) creates later are granted too.
    { sql: `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ${tables} ON TABLES TO ${role}` },
    { sql: `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ${sequences} ON SEQUENCES TO ${role}` },
  ];
}

/** Every statement for the users, in order (users in the order given). */
export function planStatements(engine: Engine, database: string, users: readonly DatabaseUser[]): Statement[] {
  checkNames(database, users);
  const perUser = isMysql(engine) ? mysqlStatements : postgresStatements;
  return users.flatMap((u) => perUser(database, u));
}
