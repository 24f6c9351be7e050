/**
 * How layer 06 packages the GenAI function: the TypeScript sources under src/ (tests excluded)
 * are bundled at synth (modules/lambda-function.ts, LambdaCode.fromTypeScript);
 * the Node.js runtime provides the AWS SDK v3, so nothing else goes into the package.
 */
import * as path from "node:path";

/** The function's sources. */
export const GENAI_SOURCE_DIR = path.join(__dirname, "src");

/** `index.js`, export `handler`. */
export const GENAI_HANDLER = "index.handler";

/** Names of the environment variables the function reads (functions/genai/src/settings.ts). */
export { ENV as GENAI_ENV } from "./src/settings";
