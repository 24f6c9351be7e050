/**
 * The post-confirmation function's settings, read once from its environment (set by layer 09
 * from native.cognito.postConfirmation). No secrets: SQS and SNS are called with the execution role.
 */
import type { LogLevel } from "../../shared/log";
import { logLevel as readLogLevel, required, SettingsError } from "../../shared/settings";

export { SettingsError };

export interface Settings {
  /** Where the confirmation goes: an SQS queue URL or an SNS topic ARN. */
  readonly target: { readonly kind: "sqs"; readonly queueUrl: string } | { readonly kind: "sns"; readonly topicArn: string };
  /** The function's own queue: a confirmation that cannot be delivered is parked there. */
  readonly deadLetterQueueUrl: string;
  /** Send a mailer message for this template instead of the user.confirmed event. */
  readonly template?: string;
  readonly logLevel: LogLevel;
}

/** The variables the function reads; layer 09 sets each of them (one of TARGET_QUEUE_URL, TARGET_TOPIC_ARN). */
export const ENV = {
  targetQueueUrl: "TARGET_QUEUE_URL",
  targetTopicArn: "TARGET_TOPIC_ARN",
  deadLetterQueueUrl: "DEAD_LETTER_QUEUE_URL",
  template: "MAILER_TEMPLATE",
  logLevel: "LOG_LEVEL",
} as const;

export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const queueUrl = env[ENV.targetQueueUrl]?.trim();
  const topicArn = env[ENV.targetTopicArn]?.trim();
  if (!!queueUrl === !!topicArn) throw new SettingsError(`exactly one of ${ENV.targetQueueUrl} and ${ENV.targetTopicArn} must be set`);
  if (queueUrl && !/^https:\/\/sqs\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/\d{12}\/[\w-]+$/.test(queueUrl))
    throw new SettingsError(`${ENV.targetQueueUrl} is not an SQS queue URL`);
  if (topicArn && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(topicArn))
    throw new SettingsError(`${ENV.targetTopicArn} is not an SNS topic ARN`);
  const deadLetterQueueUrl = required(env, ENV.deadLetterQueueUrl);
  const logLevel = readLogLevel(env, ENV.logLevel);
  const template = env[ENV.template]?.trim() || undefined;
  return {
    target: queueUrl ? { kind: "sqs", queueUrl } : { kind: "sns", topicArn: topicArn! },
    deadLetterQueueUrl,
    ...(template ? { template } : {}),
    logLevel,
  };
}
