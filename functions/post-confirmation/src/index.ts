/**
 * Lambda entry point (handler `index.handler`). Clients and settings are created once per
 * execution environment; the Node.js runtime provides the AWS SDK v3.
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { createHandler, type SnsPublisher, type SqsSender } from "./handler";
import { loadSettings, type Settings } from "./settings";

let settings: Settings | undefined;
let sqs: SqsSender | undefined;
let sns: SnsPublisher | undefined;

// Two attempts at most: Cognito waits 5 seconds for the whole trigger.
export const handler = createHandler({
  settings: () => (settings ??= loadSettings(process.env)),
  sqs: () => (sqs ??= new SQSClient({ maxAttempts: 2 })),
  sns: () => (sns ??= new SNSClient({ maxAttempts: 2 })),
});
