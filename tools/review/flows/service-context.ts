/**
 * What an AWS service sends when it calls another service on the platform's behalf: which
 * condition keys the request carries into the target's resource policy or KMS key policy. A policy
 * condition on a key the request does not carry fails (unless its operator ends in IfExists), so a
 * grant that looks right on paper denies the delivery. This is the one reviewed table of that
 * knowledge; every row names the AWS documentation it comes from. The flow proof refuses a hop that
 * has no row (the fix is a reviewed row here, never a guess in a rule).
 */

import { KMS_CALLER_CONTEXT } from "../../../core/service-facts";

export type ContextKey =
  | "aws:SourceArn"
  | "aws:SourceAccount"
  | "kms:EncryptionContext:aws:logs:arn"
  | "kms:EncryptionContext:aws:sns:topicArn"
  | "kms:ViaService"
  | "kms:CallerAccount";

/** SNS passes the topic ARN as encryption context when it uses the topic's key for a publisher (an AWS page conditions a service's key grant on it). */
const SNS_CONTEXT_SOURCE = "https://docs.aws.amazon.com/gamelift/latest/flexmatchguide/queue-notification-sns-sse.html";

export interface ServiceContextRow {
  /** The calling principal: `events.amazonaws.com`, or `iam-role` for a role calling through a service. */
  readonly caller: string;
  /** The request as the target sees it: `sns:Publish`, `kms (topic encryption)`, ... */
  readonly target: string;
  /** Which policy judges it. */
  readonly judgedBy: "resource-policy" | "key-policy";
  /** Actions the caller needs on the target. */
  readonly actions: readonly string[];
  /** Condition keys the request carries (beyond aws:PrincipalIsAWSService / aws:SecureTransport). */
  readonly sends: readonly ContextKey[];
  /** Keys documented as absent (a condition on them fails). */
  readonly lacks: readonly ContextKey[];
  readonly source: string;
  readonly note: string;
}

const ROWS: readonly ServiceContextRow[] = [
  {
    caller: "events.amazonaws.com",
    target: "sns:Publish",
    judgedBy: "resource-policy",
    actions: ["sns:Publish"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
    note: "The topic policy must allow events.amazonaws.com; aws:SourceArn is the rule ARN.",
  },
  {
    caller: "events.amazonaws.com",
    target: "sqs:SendMessage",
    judgedBy: "resource-policy",
    actions: ["sqs:SendMessage"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html",
    note: "Targets and dead-letter queues alike; aws:SourceArn is the rule ARN.",
  },
  {
    caller: "events.amazonaws.com",
    target: "lambda:InvokeFunction",
    judgedBy: "resource-policy",
    actions: ["lambda:InvokeFunction"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-troubleshooting.html",
    note: "The function permission's source_arn is the rule ARN.",
  },
  {
    caller: "events.amazonaws.com",
    target: "kms (topic encryption)",
    judgedBy: "key-policy",
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    sends: ["kms:EncryptionContext:aws:sns:topicArn"],
    lacks: ["aws:SourceArn", "aws:SourceAccount"],
    source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
    note: `EventBridge's key use for an encrypted topic carries no aws:SourceAccount or aws:SourceArn: a key policy statement conditioned on them never matches. The topic ARN comes as encryption context (${SNS_CONTEXT_SOURCE}).`,
  },
  {
    caller: "events.amazonaws.com",
    target: "kms (queue encryption)",
    judgedBy: "key-policy",
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    sends: [],
    lacks: ["aws:SourceArn", "aws:SourceAccount"],
    source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
    note: "As for topics: EventBridge's KMS request to an encrypted queue (target or DLQ) carries no source keys.",
  },
  {
    caller: "cloudwatch.amazonaws.com",
    target: "sns:Publish",
    judgedBy: "resource-policy",
    actions: ["sns:Publish"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html",
    note: "aws:SourceArn is the alarm ARN (arn:...:cloudwatch:<region>:<account>:alarm:<name>).",
  },
  {
    caller: "cloudwatch.amazonaws.com",
    target: "kms (topic encryption)",
    judgedBy: "key-policy",
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    sends: ["aws:SourceArn", "aws:SourceAccount", "kms:EncryptionContext:aws:sns:topicArn"],
    lacks: [],
    source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
    note: `CloudWatch's KMS request for an encrypted alarm topic carries the alarm as source, and the topic ARN as encryption context (${SNS_CONTEXT_SOURCE}).`,
  },
  {
    caller: "sns.amazonaws.com",
    target: "sqs:SendMessage",
    judgedBy: "resource-policy",
    actions: ["sqs:SendMessage"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html",
    note: "aws:SourceArn is the topic ARN.",
  },
  {
    caller: "sns.amazonaws.com",
    target: "kms (queue encryption)",
    judgedBy: "key-policy",
    actions: ["kms:GenerateDataKey", "kms:Decrypt"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
    note: "SNS delivering to an encrypted queue needs the queue key; the request carries the topic as source.",
  },
  {
    caller: "sns.amazonaws.com",
    target: "lambda:InvokeFunction",
    judgedBy: "resource-policy",
    actions: ["lambda:InvokeFunction"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html",
    note: "The function permission's source_arn is the topic ARN.",
  },
  {
    caller: "apigateway.amazonaws.com",
    target: "lambda:InvokeFunction",
    judgedBy: "resource-policy",
    actions: ["lambda:InvokeFunction"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html",
    note: "aws:SourceArn is the execute-api ARN of the method: arn:...:execute-api:<region>:<account>:<api-id>/<stage>/<METHOD>/<path>.",
  },
  {
    caller: "cognito-idp.amazonaws.com",
    target: "lambda:InvokeFunction",
    judgedBy: "resource-policy",
    actions: ["lambda:InvokeFunction"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-user-pools-working-with-lambda-triggers.html",
    note: "aws:SourceArn is the user pool ARN.",
  },
  {
    caller: "s3.amazonaws.com",
    target: "lambda:InvokeFunction",
    judgedBy: "resource-policy",
    actions: ["lambda:InvokeFunction"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html",
    note: "aws:SourceArn is the bucket ARN (also for SNS and SQS destinations).",
  },
  {
    caller: "cloudfront.amazonaws.com",
    target: "s3:GetObject",
    judgedBy: "resource-policy",
    actions: ["s3:GetObject"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html",
    note: "Origin access control: aws:SourceArn is the distribution ARN.",
  },
  {
    caller: "s3.amazonaws.com",
    target: "sqs:SendMessage",
    judgedBy: "resource-policy",
    actions: ["sqs:SendMessage"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html",
    note: "Event notifications to a queue: aws:SourceArn is the bucket ARN.",
  },
  {
    caller: "s3.amazonaws.com",
    target: "sns:Publish",
    judgedBy: "resource-policy",
    actions: ["sns:Publish"],
    sends: ["aws:SourceArn", "aws:SourceAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html",
    note: "Event notifications to a topic: aws:SourceArn is the bucket ARN.",
  },
  {
    caller: "logs",
    target: "kms (log group encryption)",
    judgedBy: "key-policy",
    actions: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
    sends: ["kms:EncryptionContext:aws:logs:arn"],
    lacks: ["aws:SourceArn", "aws:SourceAccount"],
    source: "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html",
    note: "The principal is logs.<region>.amazonaws.com; the encryption context names the log group ARN.",
  },
  {
    caller: "iam-role",
    target: "kms (through a service)",
    judgedBy: "key-policy",
    actions: ["kms:Decrypt"],
    sends: ["kms:ViaService", "kms:CallerAccount"],
    lacks: [],
    source: "https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service",
    note: "A role reading a secret, parameter, queue or object encrypted with a key: KMS sees the role, kms:ViaService <service>.<region>.amazonaws.com and kms:CallerAccount.",
  },
];

/** Other facts the proof relies on, each with its source. */
export const FACTS = {
  RDS_MANAGED_SECRET: {
    text: "RDS names the master user secret it manages rds!db-<uuid> (instance) or rds!cluster-<uuid> (cluster).",
    source: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",
  },
  ECS_SECRETS_AT_START: {
    text: "A secret injected through a container definition's `secrets` is read once when the container starts; a rotated value reaches only new tasks.",
    source: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html",
  },
  ELASTICACHE_IAM_AUTH: {
    text: "An ElastiCache user with IAM authentication signs in with a short-lived token; the caller needs elasticache:Connect on the replication group and the user, and TLS.",
    source: "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth-iam.html",
  },
  WAF_SOURCE_IP: {
    text: "A rate-based rule aggregating on IP uses the request's origin address, which behind a proxy or load balancer is the last proxy's; FORWARDED_IP (a header) or a custom key is needed there.",
    source: "https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-forwarded-ip-address.html",
  },
  WAF_BODY_LIMIT: {
    text: "SizeRestrictions_BODY of AWSManagedRulesCommonRuleSet blocks request bodies over 8 KB (8,192 bytes).",
    bytes: 8192,
    source: "https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html",
  },
  PERMISSIONS_BOUNDARY: {
    text: "A role that may create roles and write their policies, and pass them, can grant itself any permission unless creation requires a permissions boundary (iam:PermissionsBoundary condition).",
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
  },
  MISSING_KEY: {
    text: "A condition on a key absent from the request context is false, except for IfExists operators, negated operators (StringNotEquals, ...), ForAllValues and Null.",
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html",
  },
} as const;

const SOURCE_KEYS = ["aws:SourceArn", "aws:SourceAccount"] as const;

/**
 * A service principal's KMS rows take which source keys it sends from core/service-facts.ts
 * (KMS_CALLER_CONTEXT, the table the security layer builds its key policies from), so the policies
 * and their proof rest on one reviewed fact per service; the rows keep their KMS encryption-context
 * keys. A service with a key-policy row must have a fact there (tested).
 */
function withKmsFacts(row: ServiceContextRow): ServiceContextRow {
  const facts = row.judgedBy === "key-policy" ? KMS_CALLER_CONTEXT[row.caller] : undefined;
  if (!facts) return row;
  return {
    ...row,
    sends: [...SOURCE_KEYS.filter((k) => facts.sends.includes(k)), ...row.sends.filter((k) => k.startsWith("kms:"))],
    lacks: SOURCE_KEYS.filter((k) => !facts.sends.includes(k)),
    source: facts.source,
    note: `${facts.why}. ${row.note}`,
  };
}

/** The table: every row of the flow proof, the KMS source keys from core/service-facts.ts. */
export const SERVICE_CONTEXT: readonly ServiceContextRow[] = ROWS.map(withKmsFacts);

/** The row for a caller and target; undefined when the table has none. */
export function contextRow(caller: string, target: string): ServiceContextRow | undefined {
  const c = /^logs\.[a-z0-9-]+\.amazonaws\.com$/.test(caller) ? "logs" : caller;
  return SERVICE_CONTEXT.find((r) => r.caller === c && r.target === target);
}

/** The request context a row says the caller sends, from the facts of one delivery. */
export function contextFor(row: ServiceContextRow, facts: Partial<Record<ContextKey, string>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of row.sends) {
    const v = facts[k];
    if (v !== undefined) out[k.toLowerCase()] = [v];
  }
  return out;
}
