/**
 * How AWS services really behave, where the kit's correctness depends on it: one reviewed table
 * per fact, each row with the AWS documentation it comes from. Code builds policies from these
 * tables and tests check the synthesized policies against them.
 */

/**
 * The global condition keys a service principal sends to AWS KMS when it uses a customer managed
 * key on behalf of one of your resources (delivering to an encrypted topic or queue, publishing an
 * alarm). A key policy statement for that principal may require only these (and KMS's own
 * `kms:*` keys): a key the service does not send never matches, so the statement never applies and
 * the delivery fails silently. Where a service sends none, the confused-deputy guard belongs on the
 * resource policy of the topic or queue (aws:SourceArn), which the service is evaluated against.
 */
export interface KmsCallerFacts {
  /** Global condition keys present in the service's KMS requests. */
  readonly sends: readonly ("aws:SourceAccount" | "aws:SourceArn")[];
  /** ARN service prefix of the resources the service acts for (for an aws:SourceArn pattern). */
  readonly sourceService?: string;
  /** What the service does with the key, and the page that says which keys it sends. */
  readonly why: string;
  readonly source: string;
}

export const KMS_CALLER_CONTEXT: Readonly<Record<string, KmsCallerFacts>> = {
  "events.amazonaws.com": {
    sends: [],
    why: "EventBridge delivering to an encrypted SNS topic or SQS queue target: aws:SourceAccount, aws:SourceArn and aws:SourceOrgID are not supported in the KMS key policy for this delivery",
    source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
  },
  "cloudwatch.amazonaws.com": {
    sends: ["aws:SourceAccount", "aws:SourceArn"],
    sourceService: "cloudwatch",
    why: "CloudWatch alarms publishing to an encrypted SNS topic (the alarm is the source)",
    source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
  },
  "sns.amazonaws.com": {
    sends: ["aws:SourceArn"],
    sourceService: "sns",
    why: "SNS delivering to an encrypted SQS queue subscription (the topic is the source)",
    source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
  },
  "ses.amazonaws.com": {
    sends: [],
    why: "SES publishing configuration set events to an encrypted SNS topic: no source key is documented for the KMS request; the topic policy carries the guard",
    source: "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services",
  },
  "sqs.amazonaws.com": {
    sends: [],
    why: "SQS itself (dead-letter redrive between encrypted queues): no source key is documented for the KMS request",
    source: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html",
  },
  "cloudfront.amazonaws.com": {
    sends: ["aws:SourceArn"],
    sourceService: "cloudfront",
    why: "CloudFront origin access control reading SSE-KMS objects (the distribution is the source)",
    source: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html",
  },
  "cloudtrail.amazonaws.com": {
    sends: ["aws:SourceArn"],
    sourceService: "cloudtrail",
    why: "CloudTrail encrypting log files with a customer managed key (the trail is the source)",
    source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
  },
};

/** Global condition keys a KMS key policy may test for a service principal: what it sends, plus KMS's own keys. */
export function kmsConditionKeysAllowed(service: string): (key: string) => boolean {
  const facts = KMS_CALLER_CONTEXT[service];
  return (key) => key.toLowerCase().startsWith("kms:") || (facts?.sends ?? []).some((k) => k.toLowerCase() === key.toLowerCase());
}

/**
 * Condition keys in a key policy statement that its service principals do not send to KMS
 * (`principal: key`). Empty for statements without a service principal. A service missing from
 * KMS_CALLER_CONTEXT may only be tested on `kms:*` keys.
 */
export function unsentKmsConditionKeys(statement: { Principal?: unknown; Condition?: Record<string, Record<string, unknown>> }): string[] {
  const principal = statement.Principal;
  const raw = principal && typeof principal === "object" ? (principal as Record<string, unknown>).Service : undefined;
  const services = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  const keys = Object.values(statement.Condition ?? {}).flatMap((byKey) => Object.keys(byKey));
  return services.flatMap((service) => keys.filter((key) => !kmsConditionKeysAllowed(service)(key)).map((key) => `${service}: ${key}`));
}
