/**
 * Lambda entry point (handler `index.handler`). The Parameter Store client and the settings are
 * created once per execution environment and reused by every invocation, as is the cached webhook
 * URL. The AWS SDK for JavaScript v3 is the one the Node.js runtime provides, and fetch is Node's
 * own, so the package holds only this function's code.
 */
import { SSMClient } from "@aws-sdk/client-ssm";
import { createHandler } from "./handler";
import { loadSettings, type Settings } from "./settings";
import type { ParameterClient } from "./webhook-url";

let settings: Settings | undefined;
let ssm: ParameterClient | undefined;

export const handler = createHandler({
  settings: () => (settings ??= loadSettings(process.env)),
  // Region and credentials come from the Lambda environment (AWS_REGION, the execution role).
  ssm: () => (ssm ??= new SSMClient({ maxAttempts: 3 })),
});
