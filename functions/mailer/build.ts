/**
 * How layer 09 packages the mailer: the TypeScript sources under src/ (tests excluded) are
 * bundled at synth (modules/lambda-function.ts, LambdaCode.fromTypeScript); the
 * Node.js runtime provides the AWS SDK v3 (@aws-sdk/client-sesv2).
 */
import * as path from "node:path";

/** The function's sources. */
export const MAILER_SOURCE_DIR = path.join(__dirname, "src");

/** `index.js`, export `handler`. */
export const MAILER_HANDLER = "index.handler";

/** Names of the environment variables the function reads (functions/mailer/src/settings.ts). */
export { ENV as MAILER_ENV } from "./src/settings";
