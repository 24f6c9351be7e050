import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { BootstrapStack } from "../layers/bootstrap/stack";
import { env, envWith, ENVIRONMENTS, policy, resource, resources, synth } from "./helpers";

describe.each(ENVIRONMENTS)("bootstrap stack (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synth(BootstrapStack, cfg);

  it("keeps its own state locally in the project root", () => {
    expect(tf.terraform!.backend).toEqual({ local: { path: `../../../terraform.bootstrap.petclinic-${name}.tfstate` } });
  });

  it("creates the state bucket private, versioned, encrypted, TLS-only and protected from destroy", () => {
    const bucket = resource(tf, "aws_s3_bucket", "state");
    expect(bucket).toMatchObject({ bucket: cfg.backend.bucket, force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(raw).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource(tf, "aws_s3_bucket_versioning", "state_versioning").versioning_configuration).toEqual({ status: "Enabled" });
    expect(resource(tf, "aws_s3_bucket_ownership_controls", "state_ownership").rule).toEqual({ object_ownership: "BucketOwnerEnforced" });
    const sse = resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "state_encryption").rule as Array<
      Record<string, unknown>
    >;
    expect(sse[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
    const deny = policy(resource(tf, "aws_s3_bucket_policy", "state_policy").policy).Statement[0];
    expect(deny).toMatchObject({ Effect: "Deny", Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    const rules = resource(tf, "aws_s3_bucket_lifecycle_configuration", "state_lifecycle").rule as Array<Record<string, unknown>>;
    expect(rules.map((r) => r.id)).toEqual(["expire-noncurrent-versions", "abort-incomplete-uploads"]);
    expect(rules[0].noncurrent_version_expiration).toEqual([{ noncurrent_days: 365 }]);
  });

  it(`creates the lock table (lockMode ${cfg.backend.lockMode}) on demand with PITR and encryption`, () => {
    expect(raw).toHaveResourceWithProperties(DynamodbTable, {
      name: cfg.backend.lockTable,
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "LockID",
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true },
      deletion_protection_enabled: true,
    });
  });
});

describe("bootstrap options", () => {
  it("creates no lock table with S3-native locking", () => {
    const { tf } = synth(BootstrapStack, envWith("dev", { backend: { lockMode: "s3" } }));
    expect(resources(tf, "aws_dynamodb_table")).toEqual({});
    expect(tf.output).not.toHaveProperty("lock_table_name");
  });

  it("encrypts the bucket with the configured KMS key", () => {
    const key = "arn:aws:kms:us-west-2:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
    const { tf } = synth(BootstrapStack, envWith("dev", { backend: { kmsKeyId: key } }));
    const sse = resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "state_encryption").rule as Array<
      Record<string, unknown>
    >;
    expect(sse[0]).toEqual({
      apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: key },
      bucket_key_enabled: true,
    });
    expect(resource(tf, "aws_dynamodb_table", "lock_table").server_side_encryption).toEqual({ enabled: true, kms_key_arn: key });
  });
});
