/**
 * How layer 12 packages the webhook function: the TypeScript sources under src/ (tests excluded)
 * are bundled at synth (modules/lambda-function.ts, LambdaCode.fromTypeScript);
 * the Node.js runtime provides the AWS SDK v3 and fetch, so nothing else goes into the package.
 */
import * as path from "node:path";

/** The function's sources. */
export const WEBHOOK_SOURCE_DIR = path.join(__dirname, "src");

/** `index.js`, export `handler`. */
export const WEBHOOK_HANDLER = "index.handler";

/** The runtime: Node.js 22 has fetch and the AWS SDK v3 (see layers/06-lambda-genai/README.md for why not 20 or 24). */
export const WEBHOOK_RUNTIME = "nodejs22.x";

/** Names of the environment variables the function reads, and the parameter's initial value. */
export { ENV as WEBHOOK_ENV, WEBHOOK_URL_PLACEHOLDER } from "./src/settings";
