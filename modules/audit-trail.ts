import { Cloudtrail } from "@cdktf/provider-aws/lib/cloudtrail";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogMetricFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-metric-filter";
import type { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Construct } from "constructs";
import type { Metric } from "./alarm-set";
import type { PolicyStatement } from "../core/policy";
import type { DataProtection } from "./data-protection";
import { KmsKey, type KmsKeyOptions } from "./kms-key";
import { SecureBucket } from "./secure-bucket";
import { ServiceRole } from "./service-role";

/**
 * Metric filter patterns of the CIS AWS Foundations Benchmark (v1.4 section 4 / Security Hub
 * CloudWatch.1-14) for a trail's CloudWatch Logs group, by the kit's name for each.
 */
export const CIS_FILTER_PATTERNS = {
  rootUsage: '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  unauthorizedApiCalls:
    '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
  consoleSignInFailures: '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  iamPolicyChanges:
    "{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy) || ($.eventName = DeleteUserPolicy) || " +
    "($.eventName = PutGroupPolicy) || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy) || " +
    "($.eventName = CreatePolicy) || ($.eventName = DeletePolicy) || ($.eventName = CreatePolicyVersion) || " +
    "($.eventName = DeletePolicyVersion) || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy) || " +
    "($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy) || ($.eventName = AttachGroupPolicy) || " +
    "($.eventName = DetachGroupPolicy) }",
  securityGroupChanges:
    "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || " +
    "($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || " +
    "($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
} as const;

export type CisFilter = keyof typeof CIS_FILTER_PATTERNS;

/** A metric filter on the trail's log group: matching events count 1 in `<namespace>/<metricName>`. */
export interface TrailMetricFilter {
  readonly pattern: string;
  /** Metric name (CamelCase by convention). */
  readonly metricName: string;
}

export interface AuditTrailProps {
  /** Trail name; with region and account it makes the trail ARN the policies name up front. */
  readonly trailName: string;
  readonly accountId: string;
  readonly region: string;
  /** @default "aws" */
  readonly partition?: string;
  /** Record every region. @default true */
  readonly multiRegion?: boolean;
  /** Record IAM, STS and CloudFront. @default true */
  readonly includeGlobalServiceEvents?: boolean;
  /** The trail's own KMS key: its alias (without `alias/`), administrator, deletion window. */
  readonly key: KmsKeyOptions;
  /** The log file bucket: globally unique name, days objects are kept. */
  readonly bucket: {
    readonly name: string;
    readonly expirationDays: number;
  };
  /** Protected: the log file bucket has `lifecycle.prevent_destroy` and no `force_destroy` (modules/data-protection.ts). */
  readonly dataProtection: DataProtection;
  /** The CloudWatch Logs group the trail delivers to, and the role it delivers with. */
  readonly logs: { readonly groupName: string; readonly retentionDays: number; readonly kmsKeyArn: string; readonly roleName: string };
  /** Metric filters on the log group, by id (address `<id>_filter_<name>`). @default none */
  readonly metricFilters?: Readonly<Record<string, TrailMetricFilter>>;
  /** Namespace of the filters' metrics. Required with metricFilters. */
  readonly metricNamespace?: string;
}

/**
 * A CloudTrail trail for management events, with the pieces it needs and none of them open:
 *
 * - its own KMS key, whose policy lets CloudTrail generate data keys only for this trail
 *   (aws:SourceArn) and only in this account's trail encryption context; the account
 *   administers it and decides through IAM who may decrypt log files;
 * - a private, versioned bucket (modules/secure-bucket.ts: TLS-only, ACLs disabled) that CloudTrail
 *   writes every log file to SSE-KMS with the key; its policy lets CloudTrail check the ACL and
 *   write under AWSLogs/<account>/ for this trail only (aws:SourceArn), and its lifecycle expires
 *   log files (and versions left by deletes) after `expirationDays`;
 * - log file integrity validation, multi-region and global service events by default;
 * - delivery to a CloudWatch Logs group (retention, KMS) through a role allowed only to write its
 *   streams there, and metric filters on that group.
 *
 * Addresses (construct id `trail`): aws_cloudtrail.trail, aws_kms_key.trail_key, aws_kms_alias.trail_key_alias,
 * aws_s3_bucket.trail_bucket (+ its parts), aws_cloudwatch_log_group.trail_logs, aws_iam_role.trail_logs_role,
 * aws_cloudwatch_log_metric_filter.trail_filter_<id>.
 */
export class AuditTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly arn: string;
  readonly key: KmsKey;
  readonly bucket: SecureBucket;
  readonly logGroup: CloudwatchLogGroup;
  /** Metric filters by id. */
  readonly metricFilters: Readonly<Record<string, CloudwatchLogMetricFilter>>;

  constructor(scope: Construct, id: string, props: AuditTrailProps) {
    super(scope, id);
    const partition = props.partition ?? "aws";
    const { accountId, region } = props;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(props.trailName))
      throw new Error(`AuditTrail ${id}: trailName ${JSON.stringify(props.trailName)} is not 3-128 of A-Z a-z 0-9 . _ -`);
    if (props.metricFilters && Object.keys(props.metricFilters).length && !props.metricNamespace)
      throw new Error(`AuditTrail ${id}: metricFilters need a metricNamespace`);
    // Known before the trail exists, so the key and bucket policies can name it without a cycle.
    const trailArn = `arn:${partition}:cloudtrail:${region}:${accountId}:trail/${props.trailName}`;
    const anyTrailOfAccount = `arn:${partition}:cloudtrail:*:${accountId}:trail/*`;
    // Every grant to CloudTrail below holds for this trail only (confused-deputy guard).
    const sourceIsThisTrail = { "aws:SourceArn": trailArn };

    this.key = new KmsKey(this, "key", {
      ...props.key,
      description: `CloudTrail log files of trail ${props.trailName}`,
      statements: [
        {
          Sid: "CloudTrailEncryptsLogFilesOfThisTrail",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "kms:GenerateDataKey*",
          Resource: "*",
          Condition: {
            StringEquals: sourceIsThisTrail,
            StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": anyTrailOfAccount },
          },
        },
        {
          Sid: "CloudTrailDescribesKey",
          Principal: { Service: "cloudtrail.amazonaws.com" },
          Action: "kms:DescribeKey",
          Resource: "*",
          Condition: { StringEquals: sourceIsThisTrail },
        },
      ],
    });

    const objects = `arn:${partition}:s3:::${props.bucket.name}/AWSLogs/${accountId}/*`;
    const statements: PolicyStatement[] = [
      {
        Sid: "CloudTrailAclCheck",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: `arn:${partition}:s3:::${props.bucket.name}`,
        Condition: { StringEquals: sourceIsThisTrail },
      },
      {
        Sid: "CloudTrailWrite",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: objects,
        Condition: { StringEquals: { ...sourceIsThisTrail, "s3:x-amz-acl": "bucket-owner-full-control" } },
      },
    ];
    this.bucket = new SecureBucket(this, "bucket", {
      bucketName: props.bucket.name,
      // No bucket default SSE-KMS: CloudTrail encrypts every log file with the trail's key itself,
      // and an S3 Bucket Key would change the encryption context the key policy checks.
      expirationDays: props.bucket.expirationDays,
      // Log files are written once; an old version only exists after a delete, kept as long as the files.
      noncurrentVersionExpirationDays: props.bucket.expirationDays,
      policyStatements: statements,
      dataProtection: props.dataProtection,
    });

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: props.logs.groupName,
      retentionInDays: props.logs.retentionDays,
      kmsKeyId: props.logs.kmsKeyArn,
    });
    const streams = `arn:${partition}:logs:${region}:${accountId}:log-group:${props.logs.groupName}:log-stream:${accountId}_CloudTrail_*`;
    const role = new ServiceRole(this, "logs-role", {
      name: props.logs.roleName,
      description: `CloudTrail delivery of trail ${props.trailName} to ${props.logs.groupName}`,
      service: "cloudtrail.amazonaws.com",
    });
    const delivery = role.addPolicy("log-delivery", [
      { Sid: "TrailLogStreams", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: streams },
    ]);

    this.trail = new Cloudtrail(this, "Resource", {
      name: props.trailName,
      s3BucketName: this.bucket.bucketName,
      kmsKeyId: this.key.arn,
      isMultiRegionTrail: props.multiRegion ?? true,
      includeGlobalServiceEvents: props.includeGlobalServiceEvents ?? true,
      enableLogFileValidation: true,
      enableLogging: true,
      cloudWatchLogsGroupArn: `${this.logGroup.arn}:*`,
      cloudWatchLogsRoleArn: role.arn,
      eventSelector: [{ readWriteType: "All", includeManagementEvents: true }],
      // CloudTrail checks the bucket policy and the role when the trail is created.
      dependsOn: [this.bucket.node.findChild("policy") as S3BucketPolicy, delivery],
    });
    this.arn = this.trail.arn;

    this.metricFilters = Object.fromEntries(
      Object.entries(props.metricFilters ?? {}).map(([fid, f]) => [
        fid,
        new CloudwatchLogMetricFilter(this, `filter_${fid}`, {
          name: f.metricName,
          logGroupName: this.logGroup.name,
          pattern: f.pattern,
          metricTransformation: { name: f.metricName, namespace: props.metricNamespace!, value: "1", unit: "Count" },
        }),
      ]),
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on: the CIS metric filters' own metrics)

/** Metric names of the CIS metric filters, and what a data point means. */
export const CIS_METRICS: Record<CisFilter, { readonly metricName: string; readonly what: string }> = {
  rootUsage: { metricName: "RootAccountUsage", what: "The root user was used" },
  unauthorizedApiCalls: { metricName: "UnauthorizedApiCalls", what: "API calls were refused (AccessDenied / UnauthorizedOperation)" },
  consoleSignInFailures: { metricName: "ConsoleSignInFailures", what: "Console sign-ins failed" },
  iamPolicyChanges: { metricName: "IamPolicyChanges", what: "IAM policies were changed" },
  securityGroupChanges: { metricName: "SecurityGroupChanges", what: "Security groups were changed" },
};

/** The metric a CIS metric filter publishes in `namespace` (no dimensions; Sum counts the events). */
export function cisMetric(namespace: string, filter: CisFilter): Metric {
  return { namespace, metricName: CIS_METRICS[filter].metricName, dimensions: {}, stat: "Sum" };
}
