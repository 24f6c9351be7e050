/**
 * Lambda entry point (handler `index.handler`). The Bedrock client and the settings are created
 * once per execution environment and reused by every invocation. The AWS SDK for JavaScript v3
 * is the one the Node.js runtime provides, so the package holds only this function's code.
 */
import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import type { ConverseClient } from "./bedrock";
import { createHandler } from "./handler";
import { loadSettings, type Settings } from "./settings";

let settings: Settings | undefined;
let client: ConverseClient | undefined;

export const handler = createHandler({
  settings: () => (settings ??= loadSettings(process.env)),
  // Region and credentials come from the Lambda environment (AWS_REGION, the execution role).
  // Two attempts at most: a throttled request is better answered with 429 than retried until
  // the caller's own timeout.
  client: () => (client ??= new BedrockRuntimeClient({ maxAttempts: 2 })),
});
