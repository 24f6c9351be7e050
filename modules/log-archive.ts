/**
 * Log archive: CloudWatch Logs groups streamed, through a CloudWatch Logs subscription filter each,
 * to an Amazon Data Firehose stream that writes them to a private S3 bucket encrypted with a key of
 * its own, where a lifecycle moves them to S3 Glacier Flexible Retrieval and later expires them.
 * Logs stay searchable in CloudWatch for their group's retention; the archive keeps them cheaply
 * for much longer (the IMS 2.0 seed's "archive old logs to cheaper storage").
 *
 * - `aws_kms_key.<id>_key` (+ alias): administered by the account; Firehose's role may use it
 *   through S3 only, for objects of this bucket only (aws:s3:arn encryption context).
 * - `aws_s3_bucket.<id>_bucket` (modules/secure-bucket: private, versioned, TLS only, the key):
 *   lifecycle `archive`: Glacier after `glacierAfterDays`, expiry after `expireAfterDays`.
 * - `aws_kinesis_firehose_delivery_stream.<id>_stream` (direct put, server-side encrypted), objects
 *   under `<prefix>/` by arrival date; its role may write to that bucket only.
 * - `aws_iam_role.<id>_logs_role`: CloudWatch Logs (trusted for this account's log groups in this
 *   Region only: aws:SourceArn) may put records on that stream only.
 * - `aws_cloudwatch_log_subscription_filter.<id>_<n>` per group (an empty pattern: every event).
 *   A log group takes at most two subscription filters.
 *
 * Data CloudWatch Logs sends is already gzip-compressed, so the stream does not compress again.
 */
import { CloudwatchLogSubscriptionFilter } from "@cdktf/provider-aws/lib/cloudwatch-log-subscription-filter";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import { Construct } from "constructs";
import { Arns } from "../core/policy";
import { KmsKey } from "./kms-key";
import { preventDestroy, type DataProtection } from "./data-protection";
import { SecureBucket } from "./secure-bucket";
import { ServiceRole } from "./service-role";

export interface LogArchiveProps {
  /** Name prefix of the bucket, stream, roles and key alias (`<project>-<env>-log-archive`). */
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  /** Log group names to archive (each gets one subscription filter; its id is the index). */
  readonly logGroupNames: readonly string[];
  /** Days after which objects move to S3 Glacier Flexible Retrieval. @default 30 */
  readonly glacierAfterDays?: number;
  /** Days after which objects are deleted (0: never). @default 3650 */
  readonly expireAfterDays?: number;
  /** Key prefix of the objects. @default "logs" */
  readonly prefix?: string;
  /**
   * Protected: the bucket and its key have `lifecycle.prevent_destroy`, the bucket no `force_destroy`.
   * Unprotected: `terraform destroy` empties and deletes the bucket (modules/data-protection.ts).
   */
  readonly dataProtection: DataProtection;
}

export class LogArchive extends Construct {
  readonly bucket: SecureBucket;
  readonly stream: KinesisFirehoseDeliveryStream;
  readonly key: KmsKey;
  readonly filters: CloudwatchLogSubscriptionFilter[];

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    const glacier = props.glacierAfterDays ?? 30;
    const expire = props.expireAfterDays ?? 3650;
    if (!Number.isInteger(glacier) || glacier < 0)
      throw new Error(`LogArchive ${id}: glacierAfterDays must be a whole number >= 0, got ${glacier}`);
    if (!Number.isInteger(expire) || expire < 0)
      throw new Error(`LogArchive ${id}: expireAfterDays must be a whole number >= 0, got ${expire}`);
    if (expire !== 0 && expire <= glacier)
      throw new Error(`LogArchive ${id}: expireAfterDays ${expire} must be 0 or later than glacierAfterDays ${glacier}`);
    if (!/^[a-z0-9][a-z0-9-]{2,40}$/.test(props.name))
      throw new Error(`LogArchive ${id}: name ${JSON.stringify(props.name)} must be 3-41 of a-z 0-9 -`);
    const prefix = props.prefix ?? "logs";
    const arns = new Arns(props.region, props.accountId);
    const bucketName = `${props.name}-${props.accountId}`;
    const bucketArn = `arn:${arns.partition}:s3:::${bucketName}`;
    const streamName = props.name;
    const streamArn = arns.arn("firehose", `deliverystream/${streamName}`);

    const firehoseRole = new ServiceRole(this, "firehose-role", {
      name: `${props.name}-firehose`,
      description: `Amazon Data Firehose ${streamName}: writes archived logs to ${bucketName}`,
      service: "firehose.amazonaws.com",
      sourceAccount: props.accountId,
      policies: {
        bucket: [
          {
            Sid: "WriteArchive",
            Action: [
              "s3:AbortMultipartUpload",
              "s3:GetBucketLocation",
              "s3:GetObject",
              "s3:ListBucket",
              "s3:ListBucketMultipartUploads",
              "s3:PutObject",
            ],
            Resource: [bucketArn, `${bucketArn}/*`],
          },
        ],
      },
    });

    this.key = new KmsKey(this, "key", {
      alias: props.name,
      description: `Log archive ${bucketName}`,
      adminPrincipalArn: arns.root,
      statements: [
        {
          Sid: "FirehoseWritesThroughS3",
          Principal: { AWS: firehoseRole.arn },
          Action: ["kms:GenerateDataKey", "kms:Decrypt"],
          Resource: "*",
          Condition: {
            StringEquals: { "kms:ViaService": `s3.${props.region}.amazonaws.com` },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": `${bucketArn}/${prefix}/*` },
          },
        },
      ],
    });

    this.bucket = new SecureBucket(this, "bucket", {
      bucketName,
      kmsKeyArn: this.key.arn,
      lifecycleRules: [
        {
          id: "archive",
          prefix: `${prefix}/`,
          transitions: [{ days: glacier, storageClass: "GLACIER" }],
          expirationDays: expire || undefined,
          noncurrentExpirationDays: 1,
        },
      ],
      dataProtection: props.dataProtection,
    });
    // The archive is unreadable without its key: the key is guarded with the bucket.
    preventDestroy(this.key.key, props.dataProtection);

    this.stream = new KinesisFirehoseDeliveryStream(this, "stream", {
      name: streamName,
      destination: "extended_s3",
      serverSideEncryption: { enabled: true, keyType: "AWS_OWNED_CMK" },
      extendedS3Configuration: {
        roleArn: firehoseRole.arn,
        bucketArn: this.bucket.arn,
        prefix: `${prefix}/!{timestamp:yyyy/MM/dd}/`,
        errorOutputPrefix: `errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
        bufferingInterval: 300,
        bufferingSize: 5,
        compressionFormat: "UNCOMPRESSED",
        kmsKeyArn: this.key.arn,
      },
      dependsOn: Object.values(firehoseRole.policies),
    });

    const logsRole = new ServiceRole(this, "logs-role", {
      name: `${props.name}-logs`,
      description: `CloudWatch Logs: puts subscribed log events on ${streamName}`,
      service: `logs.${props.region}.amazonaws.com`,
      trustConditions: { StringLike: { "aws:SourceArn": arns.arn("logs", "*") } },
      policies: { stream: [{ Sid: "PutRecords", Action: ["firehose:PutRecord", "firehose:PutRecordBatch"], Resource: streamArn }] },
    });

    this.filters = props.logGroupNames.map(
      (group, i) =>
        new CloudwatchLogSubscriptionFilter(this, String(i + 1), {
          name: `${props.name}`,
          logGroupName: group,
          filterPattern: "",
          destinationArn: this.stream.arn,
          roleArn: logsRole.arn,
          dependsOn: Object.values(logsRole.policies),
        }),
    );
  }
}
