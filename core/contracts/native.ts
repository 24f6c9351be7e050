import { map, str, type Contract } from "./types";

/**
 * Outputs of layer 09 native, keyed by the names used in config. Empty maps and strings where a
 * feature is not configured.
 */
export const nativeContract = {
  bucket_names: map("S3 bucket name by config name.", () => ({})),
  bucket_arns: map("S3 bucket ARN by config name.", () => ({})),
  queue_urls: map("SQS queue URL by config name.", () => ({})),
  queue_arns: map("SQS queue ARN by config name.", () => ({})),
  dead_letter_queue_arns: map("Dead-letter queue ARN by config name of the queue it serves.", () => ({})),
  topic_arns: map("SNS topic ARN by config name.", () => ({})),
  event_bus_name: str("Custom EventBridge bus name (empty when none).", () => ""),
  event_bus_arn: str("Custom EventBridge bus ARN (empty when none).", () => ""),
  ses_identity: str("SES domain identity (empty when SES is not configured).", () => ""),
  ses_configuration_set: str("SES configuration set name (empty when SES is not configured).", () => ""),
  user_pool_id: str("Cognito user pool id (empty when Cognito is not configured).", () => ""),
  user_pool_arn: str("Cognito user pool ARN (empty when Cognito is not configured).", () => ""),
  user_pool_client_id: str("Cognito SPA app client id (empty when Cognito is not configured).", () => ""),
  user_pool_domain: str("Cognito hosted UI domain (empty when Cognito is not configured).", () => ""),
  function_arns: map("Function ARN by name (mailer, post-confirmation) for the functions this layer owns.", () => ({})),
} satisfies Contract;
