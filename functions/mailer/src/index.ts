/**
 * Lambda entry point (handler `index.handler`). The SES client and the settings are created once
 * per execution environment. The AWS SDK for JavaScript v3 is the one the Node.js runtime
 * provides, so the package holds only this function's code.
 */
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { createHandler } from "./handler";
import type { SendEmailClient } from "./ses";
import { loadSettings, type Settings } from "./settings";

let settings: Settings | undefined;
let client: SendEmailClient | undefined;

export const handler = createHandler({
  settings: () => (settings ??= loadSettings(process.env)),
  // Region and credentials come from the Lambda environment (AWS_REGION, the execution role).
  client: () => (client ??= new SESv2Client({ maxAttempts: 3 })),
});
