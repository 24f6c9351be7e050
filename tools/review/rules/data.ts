/** Data rules: KMS keys, RDS / Aurora, ElastiCache, Secrets Manager, SSM parameters, DynamoDB, stateful protection. */
import { SERVICE_GUARDED, STATEFUL_RESOURCE_TYPES } from "../../../modules/data-protection";
import type { Resource } from "../model";
import type { Check, Rule } from "../policy";
import { block, blocks, bool, get, isExpression, num, parseJson, str, strings } from "../tf";
import { check, fail, isSet, pass, preventsDestroy, secretLooking, statements, perResource } from "./helpers";

const DB = ["aws_db_instance", "aws_rds_cluster"];

/** Instances of an Aurora cluster (by cluster_identifier reference or literal identifier). */
function clusterInstances(model: Parameters<Rule["check"]>[0]["model"], cluster: Resource): Resource[] {
  const id = str(cluster.attrs.cluster_identifier);
  return model
    .resources("aws_rds_cluster_instance")
    .filter(
      (i) =>
        model.refersTo(i, cluster, "cluster_identifier") || (id !== undefined && !isExpression(id) && i.attrs.cluster_identifier === id),
    );
}

/** TLS-enforcing parameter names and the value that enforces. */
const TLS_PARAMETERS: Readonly<Record<string, string[]>> = {
  require_secure_transport: ["on", "1"],
  "rds.force_ssl": ["1"],
};

function parameterGroupEnforcesTls(group: Resource | undefined): boolean {
  if (!group) return false;
  return blocks(group.attrs.parameter).some((p) => {
    const allowed = TLS_PARAMETERS[String(p.name)];
    return allowed !== undefined && allowed.includes(String(p.value).toLowerCase());
  });
}

/** The resource types that hold data: one list, beside the prop the stateful modules take. */
const STATEFUL = [...STATEFUL_RESOURCE_TYPES];

export const dataRules: Rule[] = [
  perResource({
    id: "PK-KMS-001",
    title: "KMS keys rotate",
    severity: "medium",
    fix: "Set enable_key_rotation = true (symmetric keys).",
    checkov: ["CKV_AWS_7"],
    types: ["aws_kms_key"],
    where: (k) => (str(k.attrs.customer_master_key_spec) ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT",
    each: (k) => check(k, bool(k.attrs.enable_key_rotation) === true, "enable_key_rotation is not true"),
  }),
  {
    id: "PK-KMS-002",
    title: "Key policies grant no unconditioned wildcard principal",
    severity: "high",
    fix: 'Name the principals, or add a condition (kms:CallerAccount, kms:ViaService, aws:SourceAccount) to a "*" principal.',
    checkov: ["CKV_AWS_33"],
    types: ["aws_kms_key", "aws_kms_key_policy"],
    check: ({ model }) =>
      model.resources(["aws_kms_key", "aws_kms_key_policy"]).flatMap((k) => {
        if (k.attrs.policy === undefined) return [pass(k, "default key policy (account root)")];
        const stmts = statements(model, k, k.attrs.policy);
        if (!stmts) return [pass(k, "policy not readable (expression)")];
        const open = stmts.filter((s) => s.effect === "Allow" && s.principals.includes("*") && !s.hasCondition);
        return [
          check(
            k,
            open.length === 0,
            `statement ${open.map((s) => s.sid ?? "(no sid)").join(", ")} allows any principal without a condition`,
          ),
        ];
      }),
  },
  perResource({
    id: "PK-RDS-001",
    title: "Database storage is encrypted",
    severity: "high",
    fix: "Set storage_encrypted = true with the data KMS key (kms_key_id).",
    checkov: ["CKV_AWS_16", "CKV_AWS_96"],
    types: DB,
    each: (d) => {
      // Aurora Serverless v1 (engine_mode serverless) is always encrypted.
      const always = d.attrs.engine_mode === "serverless";
      return check(d, always || bool(d.attrs.storage_encrypted) === true, "storage_encrypted is not true");
    },
  }),
  perResource({
    id: "PK-RDS-002",
    title: "Databases are not publicly accessible",
    severity: "high",
    fix: "Set publicly_accessible = false and use the data subnets.",
    checkov: ["CKV_AWS_17"],
    types: ["aws_db_instance", "aws_rds_cluster_instance"],
    each: (d) => check(d, bool(d.attrs.publicly_accessible) !== true, "publicly_accessible = true"),
  }),
  perResource({
    id: "PK-RDS-003",
    title: "Databases have deletion protection",
    severity: "medium",
    fix: "Set deletion_protection = true (database.deletionProtection, default protection.data).",
    checkov: ["CKV_AWS_139", "CKV_AWS_293"],
    types: DB,
    each: (d) => check(d, bool(d.attrs.deletion_protection) === true, "deletion_protection is not true"),
  }),
  perResource({
    id: "PK-RDS-004",
    title: "Automated backups are kept long enough",
    severity: "medium",
    fix: "Raise backup_retention_period (database.backup.retentionDays) to the tier's minimum.",
    checkov: ["CKV_AWS_133"],
    types: DB,
    each: (d, { settings }) => {
      const days = num(d.attrs.backup_retention_period) ?? (d.type === "aws_rds_cluster" ? 1 : 0);
      return check(
        d,
        days >= settings.minBackupRetentionDays,
        `backup_retention_period = ${days}, the tier asks for at least ${settings.minBackupRetentionDays}`,
      );
    },
  }),
  {
    id: "PK-RDS-005",
    title: "Databases fail over to another AZ",
    severity: "medium",
    fix: "RDS: multi_az = true (database.multiAz). Aurora: a reader in another AZ (database.readers >= 1).",
    checkov: ["CKV_AWS_157"],
    types: ["aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance"],
    check: ({ model }) => [
      ...model
        .resources("aws_db_instance")
        .filter((d) => !isSet(d.attrs.replicate_source_db))
        .map((d) => check(d, bool(d.attrs.multi_az) === true, "multi_az is not true: one AZ holds the only copy")),
      ...model.resources("aws_rds_cluster").map((c) => {
        if (c.attrs.engine_mode === "serverless") return pass(c, "Aurora Serverless v1 is multi-AZ by design");
        const instances = clusterInstances(model, c);
        const azs = new Set(instances.map((i) => str(i.attrs.availability_zone) ?? `unpinned:${i.address}`));
        if (instances.length < 2)
          return fail(c, `${instances.length} instance${instances.length === 1 ? "" : "s"}: no reader to fail over to`);
        return check(c, azs.size >= 2, `every instance is pinned to ${[...azs][0]}`);
      }),
    ],
  },
  perResource({
    id: "PK-RDS-006",
    title: "IAM database authentication is on",
    severity: "medium",
    fix: "Set iam_database_authentication_enabled = true (database.iamAuthentication).",
    checkov: ["CKV_AWS_161", "CKV_AWS_162"],
    types: DB,
    where: (d) => !/^(sqlserver|oracle|db2)/.test(String(d.attrs.engine ?? "")),
    each: (d) => check(d, bool(d.attrs.iam_database_authentication_enabled) === true, "iam_database_authentication_enabled is not true"),
  }),
  perResource({
    id: "PK-RDS-007",
    title: "Database logs are exported to CloudWatch",
    severity: "medium",
    fix: "Set enabled_cloudwatch_logs_exports for the engine (database.logExports).",
    checkov: ["CKV_AWS_129", "CKV_AWS_324"],
    types: DB,
    each: (d) => check(d, strings(d.attrs.enabled_cloudwatch_logs_exports).length > 0, "no log exports"),
  }),
  {
    id: "PK-RDS-008",
    title: "No master password in the configuration",
    severity: "high",
    fix: "Set manage_master_user_password = true and remove master_password: RDS keeps the password in Secrets Manager.",
    checkov: [],
    types: DB,
    check: ({ model }) =>
      model
        .resources(DB)
        .filter((d) => !isSet(d.attrs.replicate_source_db) && !isSet(d.attrs.snapshot_identifier))
        .map((d) => {
          if (isSet(d.config.master_password) || isSet(d.config.password))
            return fail(d, "a master password is written in the configuration (and so in state)");
          // A write-only password (Terraform 1.11+) is kept in neither plan nor state; it must not be
          // a literal in the configuration, and a rotation must replace it (the kit's RDS instances
          // with read replicas: modules/rotated-master-secret.ts).
          if (isSet(d.config.password_wo)) {
            const wo = String(d.config.password_wo);
            return check(
              d,
              wo.startsWith("${") && wo.endsWith("}"),
              "password_wo is a literal in the configuration",
              "write-only password (password_wo: never in plan or state), from an expression",
            );
          }
          return check(d, bool(d.attrs.manage_master_user_password) === true, "manage_master_user_password is not true");
        }),
  },
  {
    id: "PK-RDS-009",
    title: "Database connections require TLS",
    severity: "medium",
    fix: "Set require_secure_transport = ON (MySQL) or rds.force_ssl = 1 (PostgreSQL) in the parameter group.",
    checkov: [],
    types: ["aws_rds_cluster", "aws_db_instance", "aws_rds_cluster_parameter_group", "aws_db_parameter_group"],
    check: ({ model }) => [
      ...model.resources("aws_rds_cluster").map((c) => {
        const groups = model
          .resolve(c.stack, c.config.db_cluster_parameter_group_name)
          .filter((g) => g.type === "aws_rds_cluster_parameter_group");
        return check(
          c,
          groups.some((g) => parameterGroupEnforcesTls(g)),
          groups.length
            ? `${groups[0].address} does not require TLS`
            : "no cluster parameter group of this configuration (the default does not require TLS)",
        );
      }),
      ...model.resources("aws_db_instance").map((d) => {
        const groups = model.resolve(d.stack, d.config.parameter_group_name).filter((g) => g.type === "aws_db_parameter_group");
        return check(
          d,
          groups.some((g) => parameterGroupEnforcesTls(g)),
          groups.length
            ? `${groups[0].address} does not require TLS`
            : "no parameter group of this configuration (the default does not require TLS)",
        );
      }),
    ],
  },
  perResource({
    id: "PK-RDS-010",
    title: "Performance Insights is encrypted with a customer key",
    severity: "low",
    fix: "Set performance_insights_kms_key_id to the data key.",
    checkov: ["CKV_AWS_354"],
    types: ["aws_db_instance", "aws_rds_cluster_instance"],
    where: (d) => bool(d.attrs.performance_insights_enabled) === true,
    each: (d) => check(d, isSet(d.attrs.performance_insights_kms_key_id), "Performance Insights uses the AWS managed key"),
  }),
  perResource({
    id: "PK-RDS-011",
    title: "Minor versions upgrade automatically",
    severity: "low",
    fix: "Set auto_minor_version_upgrade = true (database.autoMinorVersionUpgrade).",
    checkov: ["CKV_AWS_226"],
    types: ["aws_db_instance", "aws_rds_cluster_instance"],
    each: (d) => check(d, bool(d.attrs.auto_minor_version_upgrade) !== false, "auto_minor_version_upgrade = false"),
  }),
  perResource({
    id: "PK-RDS-012",
    title: "Enhanced monitoring is on",
    severity: "low",
    fix: "Set monitoring_interval (e.g. 60) with a monitoring role.",
    checkov: ["CKV_AWS_118"],
    types: ["aws_db_instance", "aws_rds_cluster_instance"],
    each: (d) => check(d, (num(d.attrs.monitoring_interval) ?? 0) > 0, "monitoring_interval is 0"),
  }),
  perResource({
    id: "PK-CACHE-001",
    title: "Caches are encrypted at rest",
    severity: "high",
    fix: "Set at_rest_encryption_enabled = true with the data key (kms_key_id).",
    checkov: ["CKV_AWS_29"],
    types: ["aws_elasticache_replication_group"],
    each: (g) => check(g, bool(g.attrs.at_rest_encryption_enabled) === true, "at_rest_encryption_enabled is not true"),
  }),
  perResource({
    id: "PK-CACHE-002",
    title: "Caches require TLS",
    severity: "high",
    fix: "Set transit_encryption_enabled = true (and transit_encryption_mode = required).",
    checkov: ["CKV_AWS_30"],
    types: ["aws_elasticache_replication_group"],
    each: (g) => {
      if (bool(g.attrs.transit_encryption_enabled) !== true) return fail(g, "transit_encryption_enabled is not true");
      return check(
        g,
        g.attrs.transit_encryption_mode !== "preferred",
        "transit_encryption_mode = preferred lets clients connect without TLS",
      );
    },
  }),
  perResource({
    id: "PK-CACHE-003",
    title: "Caches require authentication",
    severity: "medium",
    fix: "Use RBAC user groups (user_group_ids, IAM-authenticated users) or an auth token.",
    checkov: ["CKV_AWS_31"],
    types: ["aws_elasticache_replication_group"],
    each: (g) =>
      check(
        g,
        isSet(g.attrs.user_group_ids) || isSet(g.attrs.auth_token),
        "neither user_group_ids nor auth_token: any client in the network may connect",
      ),
  }),
  perResource({
    id: "PK-CACHE-004",
    title: "Caches fail over to another AZ",
    severity: "medium",
    fix: "Two nodes or more with automatic_failover_enabled and multi_az_enabled (cache.nodes, cache.automaticFailover, cache.multiAz).",
    checkov: [],
    types: ["aws_elasticache_replication_group"],
    each: (g) => {
      const nodes =
        num(g.attrs.num_cache_clusters) ?? (num(g.attrs.num_node_groups) ?? 1) * ((num(g.attrs.replicas_per_node_group) ?? 0) + 1);
      const problems = [
        nodes < 2 ? `${nodes} node` : "",
        bool(g.attrs.automatic_failover_enabled) !== true ? "no automatic failover" : "",
        bool(g.attrs.multi_az_enabled) !== true ? "Multi-AZ off" : "",
      ].filter(Boolean);
      return check(g, problems.length === 0, problems.join(", "));
    },
  }),
  perResource({
    id: "PK-CACHE-005",
    title: "Caches keep snapshots",
    severity: "low",
    fix: "Set snapshot_retention_limit >= 1 (cache.snapshotRetentionDays).",
    checkov: ["CKV_AWS_134"],
    types: ["aws_elasticache_replication_group"],
    each: (g) => check(g, (num(g.attrs.snapshot_retention_limit) ?? 0) > 0, "snapshot_retention_limit is 0: no automatic backup"),
  }),
  perResource({
    id: "PK-SEC-001",
    title: "Secrets are encrypted with a customer key",
    severity: "medium",
    fix: "Set kms_key_id to the data key.",
    checkov: ["CKV_AWS_149"],
    types: ["aws_secretsmanager_secret"],
    each: (s) => check(s, isSet(s.attrs.kms_key_id), "encrypted with the AWS managed key aws/secretsmanager"),
  }),
  {
    id: "PK-SEC-002",
    title: "Secrets rotate",
    severity: "medium",
    fix: "Add an aws_secretsmanager_secret_rotation on the secret (RDS managed secrets: on master_user_secret[0].secret_arn).",
    checkov: ["CKV2_AWS_57"],
    types: ["aws_secretsmanager_secret", "aws_secretsmanager_secret_rotation", "aws_rds_cluster", "aws_db_instance"],
    check: ({ model }) => {
      const rotations = model.resources("aws_secretsmanager_secret_rotation");
      const rotated = (r: Resource) => rotations.some((rot) => model.refersTo(rot, r, "secret_id"));
      return [
        ...model.resources("aws_secretsmanager_secret").map((s) => check(s, rotated(s), "no aws_secretsmanager_secret_rotation")),
        ...model
          .resources(DB)
          .filter((d) => bool(d.attrs.manage_master_user_password) === true)
          .map((d) =>
            check(
              d,
              rotated(d),
              "the RDS-managed master secret keeps RDS's default schedule unmanaged (no aws_secretsmanager_secret_rotation on master_user_secret)",
            ),
          ),
      ];
    },
  },
  perResource({
    id: "PK-SEC-003",
    title: "No secrets in plain ECS container variables",
    severity: "high",
    fix: "Move the value to Parameter Store / Secrets Manager and inject it through the container's secrets (valueFrom).",
    checkov: [],
    types: ["aws_ecs_task_definition"],
    each: (t) => {
      const defs = parseJson(t.attrs.container_definitions);
      if (!Array.isArray(defs)) return pass(t, "container definitions are an expression");
      const hits: string[] = [];
      for (const c of defs) {
        for (const e of Array.isArray(get(c, "environment")) ? (get(c, "environment") as unknown[]) : []) {
          const why = secretLooking(String(get(e, "name") ?? ""), get(e, "value"));
          if (why) hits.push(`${String(get(c, "name"))}: ${why}`);
        }
      }
      return check(t, hits.length === 0, hits.join("; "));
    },
  }),
  perResource({
    id: "PK-SEC-004",
    title: "No secrets in plain Lambda variables",
    severity: "high",
    fix: "Read the secret at run time from Secrets Manager / Parameter Store (pass its name or ARN instead).",
    checkov: ["CKV_AWS_45"],
    types: ["aws_lambda_function"],
    each: (f) => {
      const vars = block(f.attrs.environment)?.variables;
      const hits = Object.entries(block(vars) ?? {})
        .map(([k, v]) => secretLooking(k, v))
        .filter((x): x is string => Boolean(x));
      return check(f, hits.length === 0, hits.join("; "));
    },
  }),
  perResource({
    id: "PK-SEC-005",
    title: "Secret-looking parameters are SecureString",
    severity: "high",
    fix: "Use type = SecureString with the data key, and set the value outside Terraform.",
    checkov: [],
    types: ["aws_ssm_parameter"],
    each: (p) => {
      const name =
        String(p.attrs.name ?? p.name)
          .split("/")
          .pop() ?? "";
      const why = p.attrs.type !== "SecureString" ? secretLooking(name.replace(/[-.]/g, "_"), "x") : undefined;
      return check(p, !why, `type ${String(p.attrs.type)}: ${why}`);
    },
  }),
  perResource({
    id: "PK-DDB-001",
    title: "DynamoDB tables have point-in-time recovery",
    severity: "low",
    fix: "Set point_in_time_recovery { enabled = true }.",
    checkov: ["CKV_AWS_28"],
    types: ["aws_dynamodb_table"],
    each: (t) => check(t, bool(get(t.attrs, "point_in_time_recovery.enabled")) === true, "point-in-time recovery is off"),
  }),
  {
    id: "PK-DATA-001",
    title: "Stateful resources cannot be destroyed by accident where data is protected",
    severity: "medium",
    fix: "Add lifecycle { prevent_destroy = true } (the kit does this when protection.data is true); DynamoDB tables may use deletion_protection_enabled instead.",
    checkov: [],
    types: STATEFUL,
    check: ({ model, protection }) => {
      if (!protection.data) return [];
      return model
        .resources(STATEFUL)
        .map((r): Check =>
          check(
            r,
            preventsDestroy(r) || (SERVICE_GUARDED[r.type] !== undefined && bool(r.attrs[SERVICE_GUARDED[r.type]]) === true),
            "neither lifecycle.prevent_destroy nor deletion protection although protection.data is true",
          ),
        );
    },
  },
];
