/** Data rules: KMS keys, RDS / Aurora, ElastiCache, Secrets Manager, SSM parameters, DynamoDB, stateful protection. */
import { SERVICE_GUARDED, STATEFUL_RESOURCE_TYPES } from "../../../modules/data-protection";
import type { Resource } from "../model";
import type { Check, RuleChecks } from "../policy";
import { block, blocks, bool, get, num, parseJson, str, strings } from "../tf";
import { check, fail, isSet, pass, perResource, pointingAt, preventsDestroy, secretLooking, statements } from "./helpers";

const DB = ["aws_db_instance", "aws_rds_cluster"];

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

export const dataChecks: RuleChecks = {
  "PK-KMS-001": perResource({
    types: ["aws_kms_key"],
    where: (k) => (str(k.attrs.customer_master_key_spec) ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT",
    each: (k) => check(k, bool(k.attrs.enable_key_rotation) === true, "enable_key_rotation is not true"),
  }),
  "PK-KMS-002": {
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
  "PK-RDS-001": perResource({
    types: DB,
    each: (d) => {
      // Aurora Serverless v1 (engine_mode serverless) is always encrypted.
      const always = d.attrs.engine_mode === "serverless";
      return check(d, always || bool(d.attrs.storage_encrypted) === true, "storage_encrypted is not true");
    },
  }),
  "PK-RDS-002": perResource({
    types: ["aws_db_instance", "aws_rds_cluster_instance"],
    each: (d) => check(d, bool(d.attrs.publicly_accessible) !== true, "publicly_accessible = true"),
  }),
  "PK-RDS-003": perResource({
    types: DB,
    each: (d) => check(d, bool(d.attrs.deletion_protection) === true, "deletion_protection is not true"),
  }),
  "PK-RDS-004": perResource({
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
  "PK-RDS-005": {
    types: ["aws_db_instance", "aws_rds_cluster", "aws_rds_cluster_instance"],
    check: ({ model }) => [
      ...model
        .resources("aws_db_instance")
        .filter((d) => !isSet(d.attrs.replicate_source_db))
        .map((d) => check(d, bool(d.attrs.multi_az) === true, "multi_az is not true: one AZ holds the only copy")),
      ...model.resources("aws_rds_cluster").map((c) => {
        if (c.attrs.engine_mode === "serverless") return pass(c, "Aurora Serverless v1 is multi-AZ by design");
        const instances = pointingAt(model, c, "aws_rds_cluster_instance", "cluster_identifier");
        const azs = new Set(instances.map((i) => str(i.attrs.availability_zone) ?? `unpinned:${i.address}`));
        if (instances.length < 2)
          return fail(c, `${instances.length} instance${instances.length === 1 ? "" : "s"}: no reader to fail over to`);
        return check(c, azs.size >= 2, `every instance is pinned to ${[...azs][0]}`);
      }),
    ],
  },
  "PK-RDS-006": perResource({
    types: DB,
    where: (d) => !/^(sqlserver|oracle|db2)/.test(String(d.attrs.engine ?? "")),
    each: (d) => check(d, bool(d.attrs.iam_database_authentication_enabled) === true, "iam_database_authentication_enabled is not true"),
  }),
  "PK-RDS-007": perResource({
    types: DB,
    each: (d) => check(d, strings(d.attrs.enabled_cloudwatch_logs_exports).length > 0, "no log exports"),
  }),
  "PK-RDS-008": {
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
  "PK-RDS-009": {
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
  "PK-RDS-010": perResource({
    types: ["aws_db_instance", "aws_rds_cluster_instance"],
    where: (d) => bool(d.attrs.performance_insights_enabled) === true,
    each: (d) => check(d, isSet(d.attrs.performance_insights_kms_key_id), "Performance Insights uses the AWS managed key"),
  }),
  "PK-RDS-011": perResource({
    types: ["aws_db_instance", "aws_rds_cluster_instance"],
    each: (d) => check(d, bool(d.attrs.auto_minor_version_upgrade) !== false, "auto_minor_version_upgrade = false"),
  }),
  "PK-RDS-012": perResource({
    types: ["aws_db_instance", "aws_rds_cluster_instance"],
    each: (d) => check(d, (num(d.attrs.monitoring_interval) ?? 0) > 0, "monitoring_interval is 0"),
  }),
  "PK-CACHE-001": perResource({
    types: ["aws_elasticache_replication_group"],
    each: (g) => check(g, bool(g.attrs.at_rest_encryption_enabled) === true, "at_rest_encryption_enabled is not true"),
  }),
  "PK-CACHE-002": perResource({
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
  "PK-CACHE-003": perResource({
    types: ["aws_elasticache_replication_group"],
    each: (g) =>
      check(
        g,
        isSet(g.attrs.user_group_ids) || isSet(g.attrs.auth_token),
        "neither user_group_ids nor auth_token: any client in the network may connect",
      ),
  }),
  "PK-CACHE-004": perResource({
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
  "PK-CACHE-005": perResource({
    types: ["aws_elasticache_replication_group"],
    each: (g) => check(g, (num(g.attrs.snapshot_retention_limit) ?? 0) > 0, "snapshot_retention_limit is 0: no automatic backup"),
  }),
  "PK-SEC-001": perResource({
    types: ["aws_secretsmanager_secret"],
    each: (s) => check(s, isSet(s.attrs.kms_key_id), "encrypted with the AWS managed key aws/secretsmanager"),
  }),
  "PK-SEC-002": {
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
  "PK-SEC-003": perResource({
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
  "PK-SEC-004": perResource({
    types: ["aws_lambda_function"],
    each: (f) => {
      const vars = block(f.attrs.environment)?.variables;
      const hits = Object.entries(block(vars) ?? {})
        .map(([k, v]) => secretLooking(k, v))
        .filter((x): x is string => Boolean(x));
      return check(f, hits.length === 0, hits.join("; "));
    },
  }),
  "PK-SEC-005": perResource({
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
  "PK-DDB-001": perResource({
    types: ["aws_dynamodb_table"],
    each: (t) => check(t, bool(get(t.attrs, "point_in_time_recovery.enabled")) === true, "point-in-time recovery is off"),
  }),
  "PK-DATA-001": {
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
};
