import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketCorsConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-cors-configuration";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { Construct } from "constructs";
import { type Grantee, sidName } from "../core/grants";
import { denyInsecureTransport, type PolicyStatement } from "../core/policy";
import { preventDestroy, type DataProtection } from "./data-protection";

export interface SecureBucketProps {
  /** Globally unique bucket name (fit it with Naming.bucket first). */
  readonly bucketName: string;
  /** KMS key ARN for SSE-KMS with an S3 bucket key. @default SSE-S3 (AES-256) */
  readonly kmsKeyArn?: string;
  /** @default true */
  readonly versioned?: boolean;
  /** Days before noncurrent object versions expire. @default 90 */
  readonly noncurrentVersionExpirationDays?: number;
  /** Days before incomplete multipart uploads are aborted. @default 7 */
  readonly abortIncompleteUploadDays?: number;
  /** Statements added to the bucket policy after the TLS-only deny. @default none */
  readonly policyStatements?: readonly PolicyStatement[];
  /**
   * Protected: `lifecycle.prevent_destroy` and no `force_destroy`. Unprotected: `force_destroy`, so
   * `terraform destroy` empties and deletes the bucket (modules/data-protection.ts).
   */
  readonly dataProtection: DataProtection;
  /**
   * Object ownership. `BucketOwnerPreferred` enables ACLs: only for log buckets of services that
   * deliver through ACL grants (CloudFront standard logs, S3 server access logs with ACLs), a
   * documented exception to "ACLs disabled". @default "BucketOwnerEnforced" (ACLs disabled)
   */
  readonly objectOwnership?: "BucketOwnerEnforced" | "BucketOwnerPreferred";
  /** Days before current objects expire (log buckets). @default never */
  readonly expirationDays?: number;
  /** Lifecycle rules added after the bucket's own (ids must differ from theirs). @default none */
  readonly lifecycleRules?: readonly BucketLifecycleRule[];
  /** CORS rules, e.g. for browser uploads with presigned URLs. @default none (no CORS configuration) */
  readonly cors?: readonly BucketCorsRule[];
}

/** One lifecycle rule: transitions and expiration of current versions, expiration of noncurrent ones. */
export interface BucketLifecycleRule {
  /** Rule id, unique in the bucket. */
  readonly id: string;
  /** Objects the rule applies to. @default the whole bucket */
  readonly prefix?: string;
  /** Moves of current versions to other storage classes (S3 checks order and minimum days). @default none */
  readonly transitions?: readonly { readonly days: number; readonly storageClass: string }[];
  /** Days after creation before current versions expire. @default never */
  readonly expirationDays?: number;
  /** Days before noncurrent versions are deleted. @default never (the bucket-wide rule applies) */
  readonly noncurrentExpirationDays?: number;
}

/** One CORS rule. */
export interface BucketCorsRule {
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly string[];
  /** @default none */
  readonly allowedHeaders?: readonly string[];
  /** @default none */
  readonly exposeHeaders?: readonly string[];
  /** @default none (browsers decide) */
  readonly maxAgeSeconds?: number;
}

/**
 * A private S3 bucket with the kit's defaults: ACLs disabled (bucket owner enforced), every public
 * access block on, versioning, default encryption, a policy that denies any request without TLS,
 * and a lifecycle that expires old versions and aborts stale uploads.
 *
 * Grants (core/grants.ts; statement ids from the construct id, `docs` -> `Docs`):
 * - `grantRead(grantee)`: s3:ListBucket on the bucket (`List<Id>Bucket`), s3:GetObject on its
 *   objects (`Read<Id>Objects`), kms:Decrypt on its key through S3.
 * - `grantReadWrite(grantee)`: the same list, s3:GetObject/PutObject/DeleteObject/AbortMultipartUpload
 *   (`ReadWrite<Id>Objects`), kms:Decrypt and kms:GenerateDataKey on its key through S3.
 * The ARNs are literals from `bucketName` (`SecureBucket.arnOf`).
 */
export class SecureBucket extends Construct {
  readonly bucket: S3Bucket;
  readonly bucketName: string;
  readonly arn: string;
  /** The ownership controls; resources that need ACLs enabled (CloudFront logging) depend on it. */
  readonly ownershipControls: S3BucketOwnershipControls;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: SecureBucketProps,
  ) {
    super(scope, id);
    this.bucket = new S3Bucket(this, "Resource", {
      bucket: props.bucketName,
      forceDestroy: !props.dataProtection.protect,
    });
    preventDestroy(this.bucket, props.dataProtection);
    this.bucketName = this.bucket.bucket;
    this.arn = this.bucket.arn;
    const bucket = this.bucket.id;

    this.ownershipControls = new S3BucketOwnershipControls(this, "ownership", {
      bucket,
      rule: { objectOwnership: props.objectOwnership ?? "BucketOwnerEnforced" },
    });
    const block = new S3BucketPublicAccessBlock(this, "public_access_block", {
      bucket,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, "versioning", {
      bucket,
      versioningConfiguration: { status: props.versioned === false ? "Suspended" : "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: props.kmsKeyArn
            ? { sseAlgorithm: "aws:kms", kmsMasterKeyId: props.kmsKeyArn }
            : { sseAlgorithm: "AES256" },
          bucketKeyEnabled: props.kmsKeyArn ? true : undefined,
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket,
      rule: [
        {
          id: "expire-noncurrent-versions",
          status: "Enabled",
          filter: [{}],
          noncurrentVersionExpiration: [{ noncurrentDays: props.noncurrentVersionExpirationDays ?? 90 }],
        },
        {
          id: "abort-incomplete-uploads",
          status: "Enabled",
          filter: [{}],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: props.abortIncompleteUploadDays ?? 7 }],
        },
        ...(props.expirationDays !== undefined
          ? [{ id: "expire-objects", status: "Enabled", filter: [{}], expiration: [{ days: props.expirationDays }] }]
          : []),
        ...(props.lifecycleRules ?? []).map((r) => ({
          id: r.id,
          status: "Enabled",
          filter: [r.prefix ? { prefix: r.prefix } : {}],
          transition: r.transitions?.length ? r.transitions.map((t) => ({ days: t.days, storageClass: t.storageClass })) : undefined,
          expiration: r.expirationDays !== undefined ? [{ days: r.expirationDays }] : undefined,
          noncurrentVersionExpiration:
            r.noncurrentExpirationDays !== undefined ? [{ noncurrentDays: r.noncurrentExpirationDays }] : undefined,
        })),
      ],
    });
    if (props.cors?.length) {
      new S3BucketCorsConfiguration(this, "cors", {
        bucket,
        corsRule: props.cors.map((c) => ({
          allowedOrigins: [...c.allowedOrigins],
          allowedMethods: [...c.allowedMethods],
          allowedHeaders: c.allowedHeaders ? [...c.allowedHeaders] : undefined,
          exposeHeaders: c.exposeHeaders ? [...c.exposeHeaders] : undefined,
          maxAgeSeconds: c.maxAgeSeconds,
        })),
      });
    }
    new S3BucketPolicy(this, "policy", {
      bucket,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [denyInsecureTransport("s3:*", [this.bucket.arn, `${this.bucket.arn}/*`]), ...(props.policyStatements ?? [])],
      }),
      // Putting a policy while the public access block is being created can race.
      dependsOn: [block],
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Grants

  /** The ARN a bucket named `bucketName` has (a literal, for policies written before it exists). */
  static arnOf(partition: string, bucketName: string): string {
    return `arn:${partition}:s3:::${bucketName}`;
  }

  /** Actions on the objects behind each grant. */
  static readonly OBJECT_ACTIONS = {
    read: ["s3:GetObject"],
    readWrite: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
  } as const;

  /** List the bucket and read its objects (and decrypt them with its key, through S3 only). */
  grantRead(grantee: Grantee): void {
    this.grantObjects(grantee, "read");
  }

  /** List the bucket, read, write and delete its objects (and encrypt and decrypt them with its key, through S3 only). */
  grantReadWrite(grantee: Grantee): void {
    this.grantObjects(grantee, "readWrite");
  }

  private grantObjects(grantee: Grantee, mode: "read" | "readWrite"): void {
    const arn = SecureBucket.arnOf(grantee.arns.partition, this.props.bucketName);
    const name = sidName(this.node.id);
    grantee.addStatement({ Sid: `List${name}Bucket`, Action: ["s3:ListBucket"], Resource: arn });
    grantee.addStatement({
      Sid: `${mode === "read" ? "Read" : "ReadWrite"}${name}Objects`,
      Action: [...SecureBucket.OBJECT_ACTIONS[mode]],
      Resource: `${arn}/*`,
    });
    if (this.props.kmsKeyArn)
      grantee.useKey({
        keyArn: this.props.kmsKeyArn,
        service: "s3",
        actions: mode === "read" ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:GenerateDataKey"],
      });
  }
}
