/**
 * modules/log-archive.ts (CloudWatch Logs -> Firehose -> S3 with its own KMS key -> Glacier) and the
 * logging.archive config: one subscription filter per group, least privilege on every hop
 * (CloudWatch Logs may put records on that stream only, Firehose may write that bucket only and use
 * the key through S3 for that bucket's objects only), the lifecycle, and the refusals.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Testing } from "cdktf";
import { ConfigError, formatProblem } from "../core/config/errors";
import { loadConfigFile } from "../core/config/loader";
import { LogArchive } from "../modules/log-archive";
import { envWith, policy, resources, type TerraformJson } from "./helpers";

const BASE = { name: "ims2-prod-log-archive", region: "us-west-2", accountId: "888888888888" };
const synth = (props: Partial<ConstructorParameters<typeof LogArchive>[2]> = {}) =>
  JSON.parse(
    Testing.synthScope(
      (scope) =>
        new LogArchive(scope, "log_archive", {
          ...BASE,
          logGroupNames: ["/ecs/ims2-prod/api", "/aws/rds/instance/ims2-prod/postgresql"],
          dataProtection: { protect: false },
          ...props,
        }),
    ),
  ) as TerraformJson;
const only = (tf: TerraformJson, type: string) => Object.values(resources(tf, type))[0];

describe("LogArchive", () => {
  const tf = synth({ dataProtection: { protect: true } });

  it("subscribes every group, with every event, to the stream through the CloudWatch Logs role", () => {
    const filters = Object.values(resources(tf, "aws_cloudwatch_log_subscription_filter"));
    expect(filters.map((f) => f.log_group_name)).toEqual(["/ecs/ims2-prod/api", "/aws/rds/instance/ims2-prod/postgresql"]);
    for (const f of filters)
      expect(f).toMatchObject({
        filter_pattern: "",
        destination_arn: expect.stringMatching(/^\$\{aws_kinesis_firehose_delivery_stream\.log_archive_stream\w*\.arn\}$/),
      });
  });

  it("lets CloudWatch Logs of this account and Region put records on this stream only", () => {
    const roles = resources(tf, "aws_iam_role");
    const logsTrust = policy(Object.values(roles).find((r) => String(r.name).endsWith("-logs"))!.assume_role_policy);
    expect(logsTrust.Statement[0]).toMatchObject({ Principal: { Service: "logs.us-west-2.amazonaws.com" } });
    expect(JSON.stringify(logsTrust)).toContain("arn:aws:logs:us-west-2:888888888888:*");
    const put = Object.values(resources(tf, "aws_iam_role_policy"))
      .map((p) => policy(p.policy))
      .find((p) => p.Statement[0].Sid === "PutRecords")!;
    expect(put.Statement).toEqual([
      {
        Sid: "PutRecords",
        Effect: "Allow",
        Action: ["firehose:PutRecord", "firehose:PutRecordBatch"],
        Resource: "arn:aws:firehose:us-west-2:888888888888:deliverystream/ims2-prod-log-archive",
      },
    ]);
  });

  it("writes to a private bucket with its own key, through S3 only, for the archive's objects only", () => {
    const stream = only(tf, "aws_kinesis_firehose_delivery_stream");
    expect(stream).toMatchObject({ destination: "extended_s3", server_side_encryption: { enabled: true } });
    expect(stream.extended_s3_configuration).toMatchObject({
      compression_format: "UNCOMPRESSED",
      kms_key_arn: expect.stringMatching(/^\$\{aws_kms_key\.log_archive_key\w*\.arn\}$/),
      prefix: "logs/!{timestamp:yyyy/MM/dd}/",
    });
    const write = Object.values(resources(tf, "aws_iam_role_policy"))
      .map((p) => policy(p.policy))
      .find((p) => p.Statement[0].Sid === "WriteArchive")!;
    expect(write.Statement[0].Resource).toEqual([
      "arn:aws:s3:::ims2-prod-log-archive-888888888888",
      "arn:aws:s3:::ims2-prod-log-archive-888888888888/*",
    ]);
    const key = policy(only(tf, "aws_kms_key").policy);
    expect(key.Statement.find((s) => s.Sid === "FirehoseWritesThroughS3")).toMatchObject({
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Condition: {
        StringEquals: { "kms:ViaService": "s3.us-west-2.amazonaws.com" },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::ims2-prod-log-archive-888888888888/logs/*" },
      },
    });
    expect(Object.keys(resources(tf, "aws_s3_bucket_public_access_block"))).toHaveLength(1);
    expect(only(tf, "aws_s3_bucket").lifecycle).toEqual({ prevent_destroy: true });
  });

  it("moves objects to Glacier after 30 days and deletes them after 10 years by default", () => {
    const rules = (only(tf, "aws_s3_bucket_lifecycle_configuration").rule as Record<string, unknown>[]).find((r) => r.id === "archive")!;
    expect(JSON.stringify(rules)).toContain('"storage_class":"GLACIER"');
    expect(JSON.stringify(rules)).toContain('"days":30');
    expect(JSON.stringify(rules)).toContain('"days":3650');
  });

  it("refuses an expiry before the move to Glacier", () => {
    expect(() => synth({ glacierAfterDays: 30, expireAfterDays: 20 })).toThrow(
      "expireAfterDays 20 must be 0 or later than glacierAfterDays 30",
    );
  });
});

describe("logging.archive config", () => {
  const DIR = path.join(__dirname, "fixtures", "config", "logging");
  it("is off by default, 30 days to Glacier, 10 years kept", () => {
    expect(envWith("prod", {}).logging.archive).toEqual({ enabled: false, glacierAfterDays: 30, expireAfterDays: 3650 });
  });

  it("refuses an expiry earlier than Glacier's 90-day minimum after the move, with file:line:col", () => {
    const file = path.join(DIR, "archive-expiry-too-soon.yaml");
    expect(fs.readFileSync(file, "utf8").split("\n")[5]).toBe("    expireAfterDays: 60");
    let error: unknown;
    try {
      loadConfigFile(path.relative(path.resolve(__dirname, ".."), file), path.resolve(__dirname, ".."));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map(formatProblem)).toContain(
      "__tests__/fixtures/config/logging/archive-expiry-too-soon.yaml:6:5 logging.archive.expireAfterDays: expected 0 (keep) or at least 120 days (glacierAfterDays 30 + the 90 days S3 Glacier Flexible Retrieval bills at least), found 60",
    );
  });
});
