import type { PlatformConfig } from "../../core/config/types";
import { nativeNames } from "./config";
import { map, mockArn, mockId, str, type Contract } from "../../core/contracts/types";

/** Names of the configured resources (shared with the layer, so mocks follow the config). */
const names = (cfg: PlatformConfig) => nativeNames(cfg);
const byKey = <T>(obj: Record<string, T>, f: (v: T, k: string) => string): Record<string, string> =>
  Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, f(v, k)]));
const queueUrl = (cfg: PlatformConfig, queue: string) => `https://sqs.${cfg.aws.region}.amazonaws.com/${cfg.aws.accountId}/${queue}`;
/** A Cognito user pool id: `<region>_<9 characters>`. */
const mockPoolId = (cfg: PlatformConfig) =>
  `${cfg.aws.region}_${mockId("pool", `${cfg.project}-${cfg.environment}`, 9).slice(5).toUpperCase()}`;

/**
 * Outputs of layer 09 native, keyed by the names used in config (native.buckets.<name>, ...).
 * Empty maps and strings where a feature is not configured. Mocks follow the config: the same
 * keys and names the layer publishes (tested).
 */
export const nativeContract = {
  bucket_names: map("S3 bucket name by config name.", (cfg) => names(cfg).buckets),
  bucket_arns: map("S3 bucket ARN by config name.", (cfg) =>
    byKey(names(cfg).buckets, (b) => `arn:${mockArn(cfg, "s3", "").split(":")[1]}:s3:::${b}`),
  ),
  queue_urls: map("SQS queue URL by config name.", (cfg) => byKey(names(cfg).queues, (q) => queueUrl(cfg, q.queue))),
  queue_arns: map("SQS queue ARN by config name.", (cfg) => byKey(names(cfg).queues, (q) => mockArn(cfg, "sqs", q.queue))),
  queue_names: map("SQS queue name by config name (the QueueName dimension of CloudWatch metrics).", (cfg) =>
    byKey(names(cfg).queues, (q) => q.queue),
  ),
  dead_letter_queue_arns: map("Dead-letter queue ARN by config name of the queue it serves.", (cfg) =>
    byKey(names(cfg).queues, (q) => mockArn(cfg, "sqs", q.deadLetter)),
  ),
  dead_letter_queue_names: map("Dead-letter queue name by config name of the queue it serves (QueueName dimension).", (cfg) =>
    byKey(names(cfg).queues, (q) => q.deadLetter),
  ),
  topic_arns: map("SNS topic ARN by config name.", (cfg) => byKey(names(cfg).topics, (t) => mockArn(cfg, "sns", t))),
  topic_names: map("SNS topic name by config name (the TopicName dimension).", (cfg) => names(cfg).topics),
  event_bus_name: str("Custom EventBridge bus name (empty when none).", (cfg) => names(cfg).eventBus ?? ""),
  event_bus_arn: str("Custom EventBridge bus ARN (empty when none).", (cfg) => {
    const bus = names(cfg).eventBus;
    return bus ? mockArn(cfg, "events", `event-bus/${bus}`) : "";
  }),
  ses_identity: str("SES domain identity (empty when SES is not configured).", (cfg) => cfg.native.ses?.domain ?? ""),
  ses_configuration_set: str(
    "SES configuration set name (empty when SES is not configured).",
    (cfg) => names(cfg).ses?.configurationSet ?? "",
  ),
  user_pool_id: str("Cognito user pool id (empty when Cognito is not configured).", (cfg) => (cfg.native.cognito ? mockPoolId(cfg) : "")),
  user_pool_arn: str("Cognito user pool ARN (empty when Cognito is not configured).", (cfg) =>
    cfg.native.cognito ? mockArn(cfg, "cognito-idp", `userpool/${mockPoolId(cfg)}`) : "",
  ),
  user_pool_client_id: str("Cognito SPA app client id (empty when Cognito is not configured).", (cfg) =>
    cfg.native.cognito ? mockId("client", `${cfg.project}-${cfg.environment}`, 26).slice(7) : "",
  ),
  user_pool_domain: str(
    "Cognito hosted UI domain, <prefix>.auth.<region>.amazoncognito.com (empty when Cognito is not configured).",
    (cfg) => names(cfg).userPool?.domain ?? "",
  ),
  function_arns: map("Function ARN by name (mailer, post-confirmation) for the functions this layer owns.", (cfg) =>
    byKey(names(cfg).functions, (f) => mockArn(cfg, "lambda", `function:${f}`)),
  ),
  function_names: map("Function name by name (mailer, post-confirmation): the FunctionName dimension.", (cfg) => names(cfg).functions),
  function_dead_letter_queue_arns: map("Queue of failed asynchronous invocations by function name (mailer, post-confirmation).", (cfg) =>
    byKey(names(cfg).functions, (f) => mockArn(cfg, "sqs", `${f}-dlq`)),
  ),
} satisfies Contract;
