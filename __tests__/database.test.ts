import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsClusterParameterGroup } from "@cdktf/provider-aws/lib/rds-cluster-parameter-group";
import { TerraformStack, Testing } from "cdktf";
import { databaseContract } from "../layers/03-database/contract";
import { DatabaseStack } from "../layers/03-database/stack";
import { AuroraCluster } from "../modules/aurora-cluster";
import { RdsInstance } from "../modules/rds-instance";
import { RedisCache } from "../modules/redis-cache";
import { addresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth } from "./helpers";

const NETWORK = (output: string) => `\${data.terraform_remote_state.network.outputs.${output}}`;
const SECURITY = (output: string) => `\${data.terraform_remote_state.security.outputs.${output}}`;
const DATA_KEY = SECURITY("kms_key_arns.data");
const LOGS_KEY = SECURITY("kms_key_arns.logs");

/** ACU maximum and backup retention per environment, from the tier presets. */
const EXPECTED = {
  dev: { maxCapacity: 1, backupDays: 7, protectData: false },
  staging: { maxCapacity: 2, backupDays: 7, protectData: false },
  prod: { maxCapacity: 4, backupDays: 30, protectData: true },
} as const;

/** Every key anywhere in the JSON, for "never in the JSON" assertions. */
function allKeys(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) value.forEach((v) => allKeys(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      out.add(k);
      allKeys(v, out);
    }
  }
  return out;
}

const PASSWORD_KEYS = ["master_password", "password", "passwords", "auth_token", "master_password_wo", "password_wo"];

describe.each(ENVIRONMENTS)("database layer (%s)", (name) => {
  const cfg = env(name);
  const expected = EXPECTED[name];
  const { tf, raw } = synth(DatabaseStack, cfg);
  const cluster = resource(tf, "aws_rds_cluster", "aurora");

  it("creates the seed's Aurora MySQL Serverless v2 cluster with the tier's capacity range", () => {
    expect(raw).toHaveResourceWithProperties(RdsCluster, {
      cluster_identifier: `petclinic-${name}`,
      engine: "aurora-mysql",
      engine_mode: "provisioned",
      engine_version: "8.0.mysql_aurora.3.08.2",
      database_name: "petclinic",
      port: 3306,
      serverlessv2_scaling_configuration: { min_capacity: 0.5, max_capacity: expected.maxCapacity },
      allow_major_version_upgrade: false,
    });
  });

  it("has a serverless writer and a reader in different AZs, private, with promotion tiers", () => {
    const instances = resources(tf, "aws_rds_cluster_instance");
    expect(Object.keys(instances).sort()).toEqual(["aurora_reader_1", "aurora_writer"]);
    expect(instances.aurora_writer).toMatchObject({
      identifier: `petclinic-${name}-writer`,
      availability_zone: "us-west-2a",
      instance_class: "db.serverless",
      promotion_tier: 0,
      publicly_accessible: false,
      cluster_identifier: "${aws_rds_cluster.aurora.cluster_identifier}",
      engine: "${aws_rds_cluster.aurora.engine}",
      engine_version: "${aws_rds_cluster.aurora.engine_version}",
    });
    expect(instances.aurora_reader_1).toMatchObject({
      identifier: `petclinic-${name}-reader-1`,
      availability_zone: "us-west-2b",
      instance_class: "db.serverless",
      promotion_tier: 1,
    });
  });

  it("places the cluster on the data subnets (from network's state) behind the data security group (from security's state)", () => {
    expect(raw).toHaveResourceWithProperties(DbSubnetGroup, { name: `petclinic-${name}`, subnet_ids: NETWORK("data_subnet_ids") });
    expect(cluster.db_subnet_group_name).toBe("${aws_db_subnet_group.aurora_subnet_group.name}");
    expect(cluster.vpc_security_group_ids).toEqual([SECURITY("data_security_group_id")]);
    for (const i of Object.values(resources(tf, "aws_rds_cluster_instance")))
      expect(i.db_subnet_group_name).toBe("${aws_db_subnet_group.aurora_subnet_group.name}");
  });

  it("encrypts storage, the master secret and Performance Insights with security's data key", () => {
    expect(cluster).toMatchObject({ storage_encrypted: true, kms_key_id: DATA_KEY, master_user_secret_kms_key_id: DATA_KEY });
    for (const i of Object.values(resources(tf, "aws_rds_cluster_instance"))) {
      expect(i).toMatchObject({
        performance_insights_enabled: true,
        performance_insights_kms_key_id: DATA_KEY,
        performance_insights_retention_period: 7,
      });
    }
  });

  it("requires TLS through the cluster parameter group", () => {
    expect(raw).toHaveResourceWithProperties(RdsClusterParameterGroup, {
      family: "aurora-mysql8.0",
      parameter: [{ name: "require_secure_transport", value: "ON", apply_method: "immediate" }],
    });
    expect(cluster.db_cluster_parameter_group_name).toBe("${aws_rds_cluster_parameter_group.aurora_cluster_parameters.name}");
    expect(resource(tf, "aws_db_parameter_group", "aurora_instance_parameters").family).toBe("aurora-mysql8.0");
  });

  it("lets RDS manage the master password: no password anywhere in the JSON", () => {
    expect(cluster).toMatchObject({ manage_master_user_password: true, master_username: "platform_admin" });
    const keys = allKeys(tf);
    for (const k of PASSWORD_KEYS) expect(keys.has(k)).toBe(false);
  });

  it("rotates the managed master secret every 30 days (the seed) without a Lambda and without rotating on change", () => {
    const rotation = resource(tf, "aws_secretsmanager_secret_rotation", "aurora_master_secret_rotation");
    expect(rotation).toEqual({
      secret_id: "${aws_rds_cluster.aurora.master_user_secret[0].secret_arn}",
      rotate_immediately: false,
      rotation_rules: { schedule_expression: "rate(30 days)" },
    });
  });

  it(`keeps backups ${expected.backupDays} days (tier) in the backup window, outside maintenance, copying tags to snapshots`, () => {
    expect(cluster).toMatchObject({
      backup_retention_period: expected.backupDays,
      preferred_backup_window: "03:00-04:00",
      preferred_maintenance_window: "sun:05:00-sun:06:00",
      copy_tags_to_snapshot: true,
    });
  });

  it(`protects the data exactly when protection.data (${expected.protectData}): deletion protection, final snapshot, prevent_destroy`, () => {
    expect(cfg.protection.data).toBe(expected.protectData);
    expect(cluster.deletion_protection).toBe(expected.protectData);
    expect(cluster.skip_final_snapshot).toBe(!expected.protectData);
    expect(cluster.final_snapshot_identifier).toBe(expected.protectData ? `petclinic-${name}-final` : undefined);
    expect((cluster.lifecycle as Record<string, unknown> | undefined)?.prevent_destroy).toBe(expected.protectData ? true : undefined);
  });

  it("monitors every instance through the enhanced monitoring role (trusted by RDS monitoring for this account only)", () => {
    const role = resource(tf, "aws_iam_role", "monitoring_role");
    expect(role.name).toBe(`petclinic-${name}-rds-monitoring`);
    expect(policy(role.assume_role_policy).Statement).toEqual([
      {
        Sid: "TrustService",
        Effect: "Allow",
        Action: "sts:AssumeRole",
        Principal: { Service: "monitoring.rds.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": cfg.aws.accountId } },
      },
    ]);
    expect(resource(tf, "aws_iam_role_policy_attachment", "monitoring_role_managed_policy")).toEqual({
      role: "${aws_iam_role.monitoring_role.name}",
      policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole",
    });
    for (const i of Object.values(resources(tf, "aws_rds_cluster_instance"))) {
      expect(i).toMatchObject({ monitoring_interval: 60, monitoring_role_arn: "${aws_iam_role.monitoring_role.arn}" });
    }
  });

  it("exports the Aurora MySQL logs into groups it creates first, with retention and the logs key", () => {
    const types = ["audit", "error", "general", "slowquery"];
    expect(cluster.enabled_cloudwatch_logs_exports).toEqual(types);
    expect(cluster.depends_on).toEqual(types.map((t) => `aws_cloudwatch_log_group.aurora_logs_${t}`));
    for (const t of types) {
      expect(resource(tf, "aws_cloudwatch_log_group", `aurora_logs_${t}`)).toEqual({
        name: `/aws/rds/cluster/petclinic-${name}/${t}`,
        retention_in_days: cfg.logging.retentionDays,
        kms_key_id: LOGS_KEY,
      });
    }
    expect(raw).toHaveResourceWithProperties(CloudwatchLogGroup, { name: `/aws/rds/cluster/petclinic-${name}/error` });
  });

  it("turns on IAM database authentication and automatic minor upgrades", () => {
    expect(cluster.iam_database_authentication_enabled).toBe(true);
    for (const i of Object.values(resources(tf, "aws_rds_cluster_instance"))) expect(i.auto_minor_version_upgrade).toBe(true);
  });

  it("creates no cache when cache.enabled is false, and reads only network and security", () => {
    expect(Object.keys(tf.resource ?? {}).filter((t) => t.startsWith("aws_elasticache"))).toEqual([]);
    expect(Object.keys(tf.data ?? {})).toEqual(["terraform_remote_state"]);
    expect(Object.keys(tf.data!.terraform_remote_state).sort()).toEqual(["network", "security"]);
  });

  it("stores state under its own key", () => {
    expect(tf.terraform!.backend!.s3).toMatchObject({
      bucket: cfg.backend.bucket,
      key: `platform/petclinic/${name}/03-database.tfstate`,
      encrypt: true,
    });
  });

  it("publishes exactly the database contract", () => {
    const outputs = tf.output ?? {};
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(databaseContract).sort());
    expect(outputs.db_writer_endpoint.value).toBe("${aws_rds_cluster.aurora.endpoint}");
    expect(outputs.db_reader_endpoint.value).toBe("${aws_rds_cluster.aurora.reader_endpoint}");
    expect(outputs.db_master_secret_arn.value).toBe("${aws_rds_cluster.aurora.master_user_secret[0].secret_arn}");
    expect(outputs.db_master_secret_name.value).toMatch(
      /^\$\{element\(regex\(".*secret:\(\.\+\)-\[A-Za-z0-9\]\{6\}\$", aws_rds_cluster\.aurora\.master_user_secret\[0\]\.secret_arn\), 0\)\}$/,
    );
    expect(outputs.db_identifier.value).toBe("${aws_rds_cluster.aurora.cluster_identifier}");
    expect([outputs.db_engine.value, outputs.db_port.value, outputs.db_name.value, outputs.db_master_username.value]).toEqual([
      "aurora-mysql",
      "3306",
      "petclinic",
      "platform_admin",
    ]);
    expect([outputs.cache_primary_endpoint.value, outputs.cache_reader_endpoint.value, outputs.cache_port.value]).toEqual(["", "", ""]);
  });

  it("has readable, stable addresses", () => {
    expect(addresses(tf).filter((a) => !a.startsWith("data."))).toEqual([
      "aws_cloudwatch_log_group.aurora_logs_audit",
      "aws_cloudwatch_log_group.aurora_logs_error",
      "aws_cloudwatch_log_group.aurora_logs_general",
      "aws_cloudwatch_log_group.aurora_logs_slowquery",
      "aws_cloudwatch_log_group.db_users_logs",
      "aws_db_parameter_group.aurora_instance_parameters",
      "aws_db_subnet_group.aurora_subnet_group",
      "aws_iam_role.db_users_role",
      "aws_iam_role.monitoring_role",
      "aws_iam_role_policy.customers_db_connect",
      "aws_iam_role_policy.db_users_role_logs",
      "aws_iam_role_policy.db_users_role_master_secret",
      "aws_iam_role_policy.db_users_role_vpc_access",
      "aws_iam_role_policy.db_users_role_xray",
      // genai.database: the GenAI function's role connects as its own user.
      "aws_iam_role_policy.genai_function_db_connect",
      "aws_iam_role_policy.vets_db_connect",
      "aws_iam_role_policy.visits_db_connect",
      "aws_iam_role_policy_attachment.monitoring_role_managed_policy",
      "aws_lambda_function.db_users",
      "aws_lambda_invocation.db_users_invocation",
      "aws_rds_cluster.aurora",
      "aws_rds_cluster_instance.aurora_reader_1",
      "aws_rds_cluster_instance.aurora_writer",
      "aws_rds_cluster_parameter_group.aurora_cluster_parameters",
      "aws_secretsmanager_secret_rotation.aurora_master_secret_rotation",
    ]);
  });
});

describe("database layer: other engines", () => {
  it("postgres: an RDS instance on gp3 with autoscaling, Multi-AZ, force_ssl, managed secret and its rotation", () => {
    const cfg = envWith("dev", { database: { engine: "postgres", multiAz: true, storage: { allocatedGb: 50, maxAllocatedGb: 200 } } });
    const { tf, raw } = synth(DatabaseStack, cfg);
    expect(raw).toHaveResourceWithProperties(DbInstance, {
      identifier: "petclinic-dev",
      engine: "postgres",
      engine_version: "16",
      instance_class: "db.t4g.medium",
      storage_type: "gp3",
      allocated_storage: 50,
      max_allocated_storage: 200,
      storage_encrypted: true,
      kms_key_id: DATA_KEY,
      multi_az: true,
      port: 5432,
      db_name: "petclinic",
      username: "platform_admin",
      manage_master_user_password: true,
      master_user_secret_kms_key_id: DATA_KEY,
      publicly_accessible: false,
      vpc_security_group_ids: [SECURITY("data_security_group_id")],
      db_subnet_group_name: "${aws_db_subnet_group.rds_subnet_group.name}",
      parameter_group_name: "${aws_db_parameter_group.rds_parameters.name}",
      iam_database_authentication_enabled: true,
      auto_minor_version_upgrade: true,
      backup_retention_period: 7,
      copy_tags_to_snapshot: true,
      deletion_protection: false,
      skip_final_snapshot: true,
      enabled_cloudwatch_logs_exports: ["postgresql", "upgrade"],
      performance_insights_enabled: true,
      performance_insights_kms_key_id: DATA_KEY,
      monitoring_interval: 60,
      monitoring_role_arn: "${aws_iam_role.monitoring_role.arn}",
    });
    expect(resource(tf, "aws_db_parameter_group", "rds_parameters")).toMatchObject({
      family: "postgres16",
      parameter: [{ name: "rds.force_ssl", value: "1", apply_method: "immediate" }],
    });
    expect(resource(tf, "aws_db_subnet_group", "rds_subnet_group").subnet_ids).toBe(NETWORK("data_subnet_ids"));
    expect(resource(tf, "aws_secretsmanager_secret_rotation", "rds_master_secret_rotation").secret_id).toBe(
      "${aws_db_instance.rds.master_user_secret[0].secret_arn}",
    );
    expect(resources(tf, "aws_rds_cluster")).toEqual({});
    expect(allKeys(tf).has("password")).toBe(false);
    // No reader of its own: the writer's endpoint serves reads.
    expect(tf.output!.db_writer_endpoint.value).toBe("${aws_db_instance.rds.address}");
    expect(tf.output!.db_reader_endpoint.value).toBe("${aws_db_instance.rds.address}");
    expect(tf.output!.db_port.value).toBe("5432");
  });

  it("postgres in prod: Multi-AZ by default (protection.availability), deletion protection, final snapshot, prevent_destroy, kept backups", () => {
    const { tf } = synth(
      DatabaseStack,
      envWith("prod", { database: { engine: "postgres", engineVersion: "17.4", instanceClass: "db.m7g.large" } }),
    );
    const db = resource(tf, "aws_db_instance", "rds");
    expect(db).toMatchObject({
      engine_version: "17.4",
      instance_class: "db.m7g.large",
      multi_az: true,
      deletion_protection: true,
      skip_final_snapshot: false,
      final_snapshot_identifier: "petclinic-prod-final",
      delete_automated_backups: false,
      backup_retention_period: 30,
      lifecycle: { prevent_destroy: true },
    });
    expect(resource(tf, "aws_db_parameter_group", "rds_parameters").family).toBe("postgres17");
  });

  it("mysql: require_secure_transport and the log types valid without an option group", () => {
    const { tf } = synth(DatabaseStack, envWith("staging", { database: { engine: "mysql" } }));
    expect(resource(tf, "aws_db_parameter_group", "rds_parameters")).toMatchObject({
      family: "mysql8.4",
      parameter: [{ name: "require_secure_transport", value: "1", apply_method: "immediate" }],
    });
    expect(resource(tf, "aws_db_instance", "rds")).toMatchObject({
      engine: "mysql",
      engine_version: "8.4",
      port: 3306,
      multi_az: true,
      enabled_cloudwatch_logs_exports: ["error", "general", "slowquery"],
    });
  });

  it("aurora-postgresql provisioned: instance classes instead of a capacity range, force_ssl, readers spread over the AZs", () => {
    const cfg = envWith("prod", {
      database: { engine: "aurora-postgresql", engineVersion: "16.6", instanceClass: "db.r6g.large", readers: 2 },
    });
    const { tf, raw } = synth(DatabaseStack, cfg);
    const cluster = resource(tf, "aws_rds_cluster", "aurora");
    expect(cluster).toMatchObject({
      engine: "aurora-postgresql",
      engine_version: "16.6",
      port: 5432,
      enabled_cloudwatch_logs_exports: ["postgresql"],
    });
    expect(cluster.serverlessv2_scaling_configuration).toBeUndefined();
    expect(raw).toHaveResourceWithProperties(RdsClusterParameterGroup, {
      family: "aurora-postgresql16",
      parameter: [{ name: "rds.force_ssl", value: "1", apply_method: "immediate" }],
    });
    const instances = resources(tf, "aws_rds_cluster_instance");
    expect(Object.keys(instances).sort()).toEqual(["aurora_reader_1", "aurora_reader_2", "aurora_writer"]);
    expect(Object.values(instances).map((i) => i.instance_class)).toEqual(["db.r6g.large", "db.r6g.large", "db.r6g.large"]);
    expect([
      instances.aurora_writer.availability_zone,
      instances.aurora_reader_1.availability_zone,
      instances.aurora_reader_2.availability_zone,
    ]).toEqual(["us-west-2a", "us-west-2b", "us-west-2a"]);
    expect(raw).toHaveResourceWithProperties(RdsClusterInstance, { identifier: "petclinic-prod-reader-2" });
  });

  it("adding a reader adds an address and renames none", () => {
    const one = addresses(synth(DatabaseStack, env("dev")).tf);
    const two = addresses(synth(DatabaseStack, envWith("dev", { database: { readers: 2 } })).tf);
    expect(two.filter((a) => !one.includes(a))).toEqual(["aws_rds_cluster_instance.aurora_reader_2"]);
    expect(one.filter((a) => !two.includes(a))).toEqual([]);
  });

  it("applies config: rotation period, monitoring off, Performance Insights retention, deletion protection in dev", () => {
    const cfg = envWith("dev", {
      database: {
        masterSecretRotationDays: 1,
        monitoringIntervalSeconds: 0,
        performanceInsights: { retentionDays: 31 },
        deletionProtection: true,
        port: 3307,
      },
    });
    const { tf } = synth(DatabaseStack, cfg);
    expect(resource(tf, "aws_secretsmanager_secret_rotation", "aurora_master_secret_rotation").rotation_rules).toEqual({
      schedule_expression: "rate(1 day)",
    });
    expect(Object.keys(resources(tf, "aws_iam_role"))).toEqual(["db_users_role"]);
    const writer = resource(tf, "aws_rds_cluster_instance", "aurora_writer");
    expect(writer.monitoring_interval).toBe(0);
    expect(writer.monitoring_role_arn).toBeUndefined();
    expect(writer.performance_insights_retention_period).toBe(31);
    const cluster = resource(tf, "aws_rds_cluster", "aurora");
    expect(cluster).toMatchObject({ deletion_protection: true, skip_final_snapshot: true, port: 3307 });
    expect(cluster.lifecycle).toBeUndefined();
    expect(tf.output!.db_port.value).toBe("3307");
  });
});

describe("database layer: Redis", () => {
  it("dev: one node, no failover, encrypted at rest with the data key and in transit, IAM-authenticated users, no snapshots", () => {
    const { tf, raw } = synth(DatabaseStack, envWith("dev", { cache: { enabled: true } }));
    expect(raw).toHaveResourceWithProperties(ElasticacheReplicationGroup, {
      replication_group_id: "petclinic-dev",
      engine: "redis",
      engine_version: "7.1",
      node_type: "cache.t4g.small",
      port: 6379,
      num_cache_clusters: 1,
      preferred_cache_cluster_azs: ["us-west-2a"],
      automatic_failover_enabled: false,
      multi_az_enabled: false,
      at_rest_encryption_enabled: "true",
      kms_key_id: DATA_KEY,
      transit_encryption_enabled: true,
      transit_encryption_mode: "required",
      security_group_ids: [SECURITY("cache_security_group_id")],
      subnet_group_name: "${aws_elasticache_subnet_group.redis_subnet_group.name}",
      parameter_group_name: "${aws_elasticache_parameter_group.redis_parameters.name}",
      user_group_ids: ["${aws_elasticache_user_group.redis_users.user_group_id}"],
      snapshot_retention_limit: 0,
    });
    const group = resource(tf, "aws_elasticache_replication_group", "redis");
    expect(group.final_snapshot_identifier).toBeUndefined();
    expect(group.lifecycle).toBeUndefined();
    expect(resource(tf, "aws_elasticache_subnet_group", "redis_subnet_group").subnet_ids).toBe(NETWORK("data_subnet_ids"));
    expect(resource(tf, "aws_elasticache_parameter_group", "redis_parameters").family).toBe("redis7");
    expect(resource(tf, "aws_elasticache_user", "redis_app_user")).toMatchObject({
      user_id: "petclinic-dev-app",
      user_name: "petclinic-dev-app",
      engine: "redis",
      authentication_mode: { type: "iam" },
    });
    expect(resource(tf, "aws_elasticache_user", "redis_default_user")).toMatchObject({
      user_name: "default",
      access_string: "off ~keys* -@all",
      authentication_mode: { type: "no-password-required" },
    });
    expect(resource(tf, "aws_elasticache_user_group", "redis_users").user_ids).toEqual([
      "${aws_elasticache_user.redis_default_user.user_id}",
      "${aws_elasticache_user.redis_app_user.user_id}",
    ]);
    const keys = allKeys(tf);
    for (const k of PASSWORD_KEYS) expect(keys.has(k)).toBe(false);
    expect(tf.output!.cache_primary_endpoint.value).toBe("${aws_elasticache_replication_group.redis.primary_endpoint_address}");
    expect(tf.output!.cache_reader_endpoint.value).toBe("${aws_elasticache_replication_group.redis.reader_endpoint_address}");
    expect(tf.output!.cache_port.value).toBe("6379");
  });

  it("prod: three nodes across the AZs with automatic failover and Multi-AZ, snapshots, final snapshot, prevent_destroy", () => {
    const { tf } = synth(DatabaseStack, envWith("prod", { cache: { enabled: true, nodeType: "cache.r7g.large" } }));
    expect(resource(tf, "aws_elasticache_replication_group", "redis")).toMatchObject({
      node_type: "cache.r7g.large",
      num_cache_clusters: 3,
      preferred_cache_cluster_azs: ["us-west-2a", "us-west-2b", "us-west-2a"],
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      snapshot_retention_limit: 7,
      snapshot_window: "04:00-05:00",
      final_snapshot_identifier: "petclinic-prod-final",
      lifecycle: { prevent_destroy: true },
    });
  });

  it("staging: two nodes with failover by tier default", () => {
    const { tf } = synth(DatabaseStack, envWith("staging", { cache: { enabled: true } }));
    expect(resource(tf, "aws_elasticache_replication_group", "redis")).toMatchObject({
      num_cache_clusters: 2,
      automatic_failover_enabled: true,
      multi_az_enabled: true,
      snapshot_retention_limit: 1,
    });
  });
});

describe("database modules refuse bad props at synth", () => {
  const scope = () => new TerraformStack(Testing.app(), "s");
  const common = {
    identifier: "x-dev",
    parameterGroupFamily: "aurora-mysql8.0",
    subnetIds: ["a", "b"],
    securityGroupIds: ["sg"],
    kmsKeyArn: "k",
    databaseName: "x",
    masterUsername: "u",
    monitoringIntervalSeconds: 0,
    dataProtection: { protect: true },
  };

  it("AuroraCluster: capacity range, reader count, rotation period", () => {
    const base = { ...common, engine: "aurora-mysql" as const, engineVersion: "8.0.mysql_aurora.3.08.2", availabilityZones: ["a", "b"] };
    expect(() => new AuroraCluster(scope(), "a", { ...base, serverless: { minCapacity: 2, maxCapacity: 1 } })).toThrow(
      /serverless capacity 2-1/,
    );
    expect(() => new AuroraCluster(scope(), "a", { ...base, serverless: { minCapacity: 0.25, maxCapacity: 1 } })).toThrow(/steps of 0.5/);
    expect(() => new AuroraCluster(scope(), "a", { ...base })).toThrow(/db.serverless needs a serverless capacity range/);
    expect(() => new AuroraCluster(scope(), "a", { ...base, serverless: { minCapacity: 0.5, maxCapacity: 1 }, readers: 16 })).toThrow(
      /readers must be 0-15/,
    );
    expect(
      () => new AuroraCluster(scope(), "a", { ...base, serverless: { minCapacity: 0.5, maxCapacity: 1 }, masterSecretRotationDays: 400 }),
    ).toThrow(/1-365, got 400/);
    expect(
      () => new AuroraCluster(scope(), "a", { ...base, serverless: { minCapacity: 0.5, maxCapacity: 1 }, monitoringIntervalSeconds: 60 }),
    ).toThrow(/monitoringRoleArn is required/);
  });

  it("RdsInstance: serverless class, storage limit, identifier", () => {
    const base = {
      ...common,
      parameterGroupFamily: "postgres16",
      engine: "postgres" as const,
      engineVersion: "16",
      instanceClass: "db.t4g.medium",
    };
    expect(() => new RdsInstance(scope(), "r", { ...base, instanceClass: "db.serverless" })).toThrow(/Aurora instance class/);
    expect(() => new RdsInstance(scope(), "r", { ...base, allocatedStorageGb: 100, maxAllocatedStorageGb: 105 })).toThrow(
      /at least 10% above/,
    );
    expect(() => new RdsInstance(scope(), "r", { ...base, identifier: "Bad_Name" })).toThrow(/not a valid RDS identifier/);
  });

  it("RedisCache: failover needs two nodes, Multi-AZ needs failover, Redis 7", () => {
    const base = {
      id: "x-dev",
      description: "d",
      engineVersion: "7.1",
      nodeType: "cache.t4g.small",
      availabilityZones: ["a"],
      subnetIds: ["s"],
      securityGroupIds: ["g"],
      kmsKeyArn: "k",
      dataProtection: { protect: true },
    };
    expect(() => new RedisCache(scope(), "c", { ...base, nodes: 1, automaticFailover: true })).toThrow(/needs 2 nodes or more/);
    expect(() => new RedisCache(scope(), "c", { ...base, nodes: 2, automaticFailover: false, multiAz: true })).toThrow(
      /Multi-AZ needs automatic failover/,
    );
    expect(() => new RedisCache(scope(), "c", { ...base, engineVersion: "6.2" })).toThrow(/Redis 7 or later/);
  });
});
