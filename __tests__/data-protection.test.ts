/**
 * Data protection is a prop of the stateful constructs (modules/data-protection.ts):
 * - every stateful module, given { protect: true } and { protect: false }, synthesizes exactly the
 *   guards its resource type offers (prevent_destroy, force_destroy / force_delete, deletion
 *   protection, final snapshots), and with protection off its resources are what
 *   unprotectedStateful() reports (so the type list covers every module);
 * - every shipped environment whose protection.data is true synthesizes no stateful resource
 *   without protection (and the bootstrap state bucket and lock table are protected everywhere);
 * - a stack with one stateful resource left unprotected is flagged (the negative fixture).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { Testing, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { AuditTrail } from "../modules/audit-trail";
import { AuroraCluster } from "../modules/aurora-cluster";
import { DATA_PROTECTION_RULE, STATEFUL_RESOURCE_TYPES, unprotectedStateful, type DataProtection } from "../modules/data-protection";
import { EcrRepository } from "../modules/ecr-repository";
import { KafkaCluster } from "../modules/kafka-cluster";
import { lockTable } from "../modules/lock-table";
import { LogArchive } from "../modules/log-archive";
import { PrometheusWorkspace } from "../modules/prometheus-workspace";
import { RdsInstance } from "../modules/rds-instance";
import { RedisCache } from "../modules/redis-cache";
import { SecureBucket } from "../modules/secure-bucket";
import { StaticSite } from "../modules/static-site";
import { UserPool } from "../modules/user-pool";
import { PlatformStack } from "../core/layer-stack";
import { reviewException } from "../core/review";
import { synthesizedStacks } from "./fixtures/synth-cache";
import { ALL_CONFIGS, anyConfig, env, resource, type TerraformJson } from "./helpers";
import { AUDIT_TRAIL_PROPS } from "./fixtures/module-props";

/** A stack with the kit's readable addresses (the construct path in snake_case, as every layer has). */
class ModuleStack extends PlatformStack {
  constructor(scope: Construct) {
    super(scope, "modules", env("dev"), {});
  }
}

/** Synthesizes what `build` adds to a ModuleStack, as `cdktf synth` writes it (with the `//` comments: review exceptions). */
function synthWith(build: (scope: Construct) => void): TerraformJson {
  const app = Testing.app();
  const stack = new ModuleStack(app);
  build(stack);
  const outdir = Testing.fullSynth(stack);
  try {
    return JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "modules", "cdk.tf.json"), "utf8")) as TerraformJson;
  } finally {
    for (const dir of [outdir, app.outdir]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

type Body = Record<string, unknown>;
const PD = { prevent_destroy: true };
/** prevent_destroy while protected, no lifecycle block otherwise. */
const kept = (p: boolean): Body => ({ lifecycle: p ? PD : undefined });
/** An S3 bucket: kept while protected, emptied on destroy (force_destroy) only while unprotected. */
const bucket = (p: boolean): Body => ({ force_destroy: !p, ...kept(p) });
/** A database: deletion protection and a final snapshot while protected, neither otherwise. */
const database = (p: boolean): Body => ({
  deletion_protection: p,
  skip_final_snapshot: !p,
  final_snapshot_identifier: p ? "acme-test-final" : undefined,
  ...kept(p),
});

const DB_COMMON = {
  identifier: "acme-test",
  subnetIds: ["subnet-a", "subnet-b"],
  securityGroupIds: ["sg-data"],
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/data",
  databaseName: "app",
  masterUsername: "admin_user",
  monitoringIntervalSeconds: 0,
};

/** An Aurora Serverless v2 cluster in the given zones. */
function aurora(scope: Construct, dataProtection: DataProtection, availabilityZones: string[]): AuroraCluster {
  return new AuroraCluster(scope, "aurora", {
    ...DB_COMMON,
    parameterGroupFamily: "aurora-postgresql16",
    engine: "aurora-postgresql",
    engineVersion: "16.4",
    serverless: { minCapacity: 0.5, maxCapacity: 2 },
    availabilityZones,
    dataProtection,
  });
}

interface Case {
  readonly module: string;
  /** Builds the module in a scope with the given protection. */
  readonly build: (scope: Construct, dataProtection: DataProtection) => void;
  /** The guarded resources, `type.name`, and what each carries with protection on (true) and off (false). */
  readonly expect: (protect: boolean) => Readonly<Record<string, Body>>;
}

const CASES: readonly Case[] = [
  {
    module: "SecureBucket",
    build: (s, dataProtection) => new SecureBucket(s, "b", { bucketName: "acme-test-b", dataProtection }),
    expect: (p) => ({ "aws_s3_bucket.b": bucket(p) }),
  },
  {
    module: "EcrRepository",
    build: (s, dataProtection) => new EcrRepository(s, "ecr", { name: "acme-test/api", dataProtection }),
    expect: (p) => ({ "aws_ecr_repository.ecr": { force_delete: !p, ...kept(p) } }),
  },
  {
    module: "PrometheusWorkspace",
    build: (s, dataProtection) =>
      new PrometheusWorkspace(s, "prometheus", {
        alias: "acme-test",
        logGroupName: "/aws/prometheus/acme",
        logRetentionDays: 30,
        dataProtection,
      }),
    expect: (p) => ({ "aws_prometheus_workspace.prometheus": kept(p) }),
  },
  {
    module: "UserPool",
    build: (s, dataProtection) =>
      new UserPool(s, "cognito", {
        name: "acme-test",
        domainPrefix: "acme-test",
        client: { name: "spa", callbackUrls: ["https://app.example.com/"] },
        dataProtection,
      }),
    expect: (p) => ({ "aws_cognito_user_pool.cognito": { deletion_protection: p ? "ACTIVE" : "INACTIVE", ...kept(p) } }),
  },
  {
    module: "AuroraCluster",
    build: (s, dataProtection) => aurora(s, dataProtection, ["eu-west-1a", "eu-west-1b"]),
    expect: (p) => ({
      "aws_rds_cluster.aurora": database(p),
    }),
  },
  {
    module: "RdsInstance (with a read replica)",
    build: (s, dataProtection) =>
      new RdsInstance(s, "rds", {
        ...DB_COMMON,
        parameterGroupFamily: "postgres16",
        engine: "postgres",
        engineVersion: "16.4",
        instanceClass: "db.t4g.medium",
        readReplicas: 1,
        dataProtection,
      }),
    expect: (p) => ({
      "aws_db_instance.rds": { ...database(p), delete_automated_backups: !p },
      // Holds no data of its own: deletion protection as the source, no snapshot, no prevent_destroy.
      "aws_db_instance.rds_replica_1": { deletion_protection: p, skip_final_snapshot: true, lifecycle: undefined },
    }),
  },
  {
    module: "RedisCache",
    build: (s, dataProtection) =>
      new RedisCache(s, "redis", {
        id: "acme-test",
        description: "cache",
        engineVersion: "7.1",
        nodeType: "cache.t4g.small",
        availabilityZones: ["eu-west-1a"],
        subnetIds: ["subnet-a"],
        securityGroupIds: ["sg-cache"],
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/data",
        dataProtection,
      }),
    expect: (p) => ({
      "aws_elasticache_replication_group.redis": { final_snapshot_identifier: p ? "acme-test-final" : undefined, ...kept(p) },
    }),
  },
  ...(["provisioned", "serverless"] as const).map((mode): Case => ({
    module: `KafkaCluster (${mode})`,
    build: (s, dataProtection) =>
      new KafkaCluster(s, "kafka", {
        name: "acme-test",
        mode,
        partition: "aws",
        region: "eu-west-1",
        accountId: "123456789012",
        vpcId: "vpc-1",
        subnetIds: ["subnet-a", "subnet-b"],
        clientSecurityGroupId: "sg-app",
        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/data",
        logs: { retentionDays: 30 },
        provisioned: { kafkaVersion: "3.6.0", instanceType: "kafka.t3.small", brokers: 2, storageGb: 100 },
        dataProtection,
      }),
    expect: (p) => ({
      [`${mode === "serverless" ? "aws_msk_serverless_cluster" : "aws_msk_cluster"}.kafka`]: kept(p),
    }),
  })),
  {
    module: "LogArchive",
    build: (s, dataProtection) =>
      new LogArchive(s, "log_archive", {
        name: "acme-test-log-archive",
        region: "eu-west-1",
        accountId: "123456789012",
        logGroupNames: ["/ecs/acme-test/api"],
        dataProtection,
      }),
    expect: (p) => ({
      "aws_s3_bucket.log_archive_bucket": bucket(p),
      // The archive cannot be read without its key.
      "aws_kms_key.log_archive_key": kept(p),
    }),
  },
  {
    module: "AuditTrail",
    build: (s, dataProtection) => new AuditTrail(s, "trail", { ...AUDIT_TRAIL_PROPS, dataProtection }),
    expect: (p) => ({ "aws_s3_bucket.trail_bucket": bucket(p) }),
  },
  {
    module: "StaticSite (with access logs)",
    build: (s, dataProtection) =>
      new StaticSite(s, "site", {
        name: "acme-test-site",
        bucketName: "acme-test-site-123456789012",
        securityHeaders: {
          contentSecurityPolicy: "default-src 'self'",
          hsts: { maxAgeSeconds: 31536000, includeSubdomains: true, preload: false },
          frameOptions: "DENY",
          referrerPolicy: "strict-origin-when-cross-origin",
        },
        accessLogs: { bucketName: "acme-test-cloudfront-logs-123456789012" },
        dataProtection,
      }),
    expect: (p) => ({
      "aws_s3_bucket.site_bucket": bucket(p),
      "aws_s3_bucket.site_logs": bucket(p),
    }),
  },
  {
    module: "lockTable",
    build: (s, dataProtection) => lockTable(s, "lock_table", { name: "acme-test-locks", dataProtection }),
    // DynamoDB's own deletion protection refuses Terraform's delete too: it stands in for prevent_destroy.
    expect: (p) => ({ "aws_dynamodb_table.lock_table": { deletion_protection_enabled: p, lifecycle: undefined } }),
  },
];

function synthCase(c: Case, protect: boolean): TerraformJson {
  return synthWith((scope) => c.build(scope, { protect }));
}

function at(tf: TerraformJson, address: string): Body {
  const dot = address.indexOf(".");
  return resource(tf, address.slice(0, dot), address.slice(dot + 1));
}

describe.each(CASES)("$module", (c) => {
  it.each([true, false])("protect %s: carries exactly the guards of its resource type", (protect) => {
    const tf = synthCase(c, protect);
    for (const [address, expected] of Object.entries(c.expect(protect))) {
      const body = at(tf, address);
      for (const [key, value] of Object.entries(expected)) expect({ address, key, value: body[key] }).toEqual({ address, key, value });
    }
  });

  it("protected: no stateful resource left unguarded; unprotected: its stateful resources are reported", () => {
    expect(unprotectedStateful(synthCase(c, true))).toEqual([]);
    const guarded = Object.keys(c.expect(true)).filter((a) => STATEFUL_RESOURCE_TYPES.includes(a.split(".")[0]));
    const exempt = (tf: TerraformJson, a: string) => Boolean((at(tf, a)["//"] as Body | undefined)?.review_exceptions);
    const off = synthCase(c, false);
    expect(unprotectedStateful(off)).toEqual(guarded.filter((a) => !exempt(off, a)).sort());
    expect(guarded.length).toBeGreaterThan(0);
  });
});

describe("deletion protection alone (database.deletionProtection where protection.data is false)", () => {
  const build = (scope: Construct, dataProtection: DataProtection) => aurora(scope, dataProtection, ["eu-west-1a"]);

  it("turns on deletion protection and nothing else", () => {
    const tf = synthWith((s) => build(s, { protect: false, deletionProtection: true }));
    expect(resource(tf, "aws_rds_cluster", "aurora")).toMatchObject({ deletion_protection: true, skip_final_snapshot: true });
    expect(resource(tf, "aws_rds_cluster", "aurora").lifecycle).toBeUndefined();
  });

  it("is refused off while the data is protected", () => {
    expect(() => build(new TerraformStack(Testing.app(), "s"), { protect: true, deletionProtection: false })).toThrow(
      /deletionProtection cannot be false while dataProtection.protect is true/,
    );
  });
});

describe("shipped environments", () => {
  const protectedConfigs = ALL_CONFIGS.filter((c) => anyConfig(c).protection.data);

  it("include environments with protection.data (the check below is not vacuous)", () => {
    expect(protectedConfigs.length).toBeGreaterThanOrEqual(4);
  });

  it.each(protectedConfigs)("%s: every stateful resource of every stack refuses destruction", (name) => {
    const stacks = synthesizedStacks(anyConfig(name));
    const unprotected = stacks.flatMap((s) => unprotectedStateful(s.tf as TerraformJson).map((a) => `${s.name}/${a}`));
    expect(unprotected).toEqual([]);
    const stateful = stacks.flatMap((s) =>
      STATEFUL_RESOURCE_TYPES.flatMap((t) => Object.keys((s.tf as TerraformJson).resource?.[t] ?? {})),
    );
    // The database, the state bucket and the trail's bucket at least.
    expect(stateful.length).toBeGreaterThanOrEqual(3);
  });

  it.each(ALL_CONFIGS)("%s: the state bucket and lock table are protected whatever protection.data says", (name) => {
    const bootstrap = synthesizedStacks(anyConfig(name)).find((s) => s.name === "bootstrap")!.tf as TerraformJson;
    expect(unprotectedStateful(bootstrap)).toEqual([]);
    expect(resource(bootstrap, "aws_s3_bucket", "state").lifecycle).toEqual(PD);
  });
});

describe("unprotectedStateful (negative fixtures)", () => {
  function stackWith(add: (s: Construct) => void): TerraformJson {
    return synthWith((s) => {
      new SecureBucket(s, "kept", { bucketName: "kept", dataProtection: { protect: true } });
      add(s);
    });
  }

  it("flags the one stateful resource left unprotected, and only it", () => {
    const tf = stackWith((s) => new S3Bucket(s, "forgotten", { bucket: "forgotten" }));
    expect(unprotectedStateful(tf)).toEqual(["aws_s3_bucket.forgotten"]);
  });

  it("flags a DynamoDB table without deletion protection, not one with it", () => {
    const tf = stackWith((s) => {
      new DynamodbTable(s, "open", { name: "open", hashKey: "k", attribute: [{ name: "k", type: "S" }], billingMode: "PAY_PER_REQUEST" });
      lockTable(s, "locks", { name: "locks", dataProtection: { protect: true } });
    });
    expect(unprotectedStateful(tf)).toEqual(["aws_dynamodb_table.open"]);
  });

  it(`accepts a resource whose ${DATA_PROTECTION_RULE} review exception says why it holds no data`, () => {
    const tf = stackWith((s) => {
      const replica = new S3Bucket(s, "replica", { bucket: "replica" });
      reviewException(replica, DATA_PROTECTION_RULE, "a copy of the kept bucket");
      reviewException(new S3Bucket(s, "other", { bucket: "other" }), "PK-S3-001", "an unrelated exception does not count");
    });
    expect(unprotectedStateful(tf)).toEqual(["aws_s3_bucket.other"]);
  });
});
