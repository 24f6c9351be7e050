/**
 * How layer 03 packages the master secret rotation function of an RDS instance with read
 * replicas: src/index.ts bundled at synth with esbuild (modules/lambda-function.ts,
 * LambdaCode.fromTypeScript). It needs no driver: it sets the password through the RDS API, and
 * the Node.js runtime provides the AWS SDK v3 (@aws-sdk/client-secrets-manager, @aws-sdk/client-rds).
 */
import * as path from "node:path";

/** The function's sources. */
export const DB_ROTATION_SOURCE_DIR = path.join(__dirname, "src");

/** `index.js`, export `handler`. */
export const DB_ROTATION_HANDLER = "index.handler";

/** The Lambda runtime the function is built for. */
export const DB_ROTATION_RUNTIME = "nodejs22.x";

/** Packages left out of the bundle besides the AWS SDK v3 (modules/lambda-function.ts leaves that out always). */
export const DB_ROTATION_EXTERNAL: readonly string[] = [];

export { ENV as DB_ROTATION_ENV } from "./src/handler";
