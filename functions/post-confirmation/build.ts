/**
 * How layer 09 packages the post-confirmation trigger: the TypeScript sources under src/ (tests
 * excluded) are bundled at synth (modules/lambda-function.ts); the Node.js runtime
 * provides the AWS SDK v3 (@aws-sdk/client-sqs, @aws-sdk/client-sns).
 */
import * as path from "node:path";

export const POST_CONFIRMATION_SOURCE_DIR = path.join(__dirname, "src");
export const POST_CONFIRMATION_HANDLER = "index.handler";
export { ENV as POST_CONFIRMATION_ENV } from "./src/settings";
