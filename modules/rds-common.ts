/**
 * Building blocks shared by AuroraCluster and RdsInstance: CloudWatch log groups for the exported
 * database logs, the rotation schedule of the RDS-managed master user secret, the enhanced
 * monitoring role, and the props both take for backups, Performance Insights and monitoring.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DbSubnetGroup } from "@cdktf/provider-aws/lib/db-subnet-group";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import { Construct } from "constructs";
import { performanceInsightsRow, performanceInsightsSupported, type RdsFactsEngine } from "../core/config/rds-facts";
import type { Grantee } from "../core/grants";
import { deletionProtectionOf, type DataProtection } from "./data-protection";
import { ServiceRole } from "./service-role";
import type { Metric } from "./alarm-set";

/** Props both database constructs share. Defaults are the secure ones. */
export interface DatabaseCommonProps {
  /** Cluster or instance identifier (lower-case letters, digits, hyphens; 63 characters at most). */
  readonly identifier: string;
  /** Parameter group family of the engine version, e.g. `aurora-mysql8.0`, `postgres16`. */
  readonly parameterGroupFamily: string;
  /** Subnets of the DB subnet group (the data tier; at least two AZs). */
  readonly subnetIds: string[];
  /** Security groups of the database (the data tier's group). */
  readonly securityGroupIds: string[];
  /** KMS key ARN for storage, the master user secret and Performance Insights. */
  readonly kmsKeyArn: string;
  /** Name of the database created with the cluster or instance. */
  readonly databaseName: string;
  /** Master user name; its password is generated and kept by RDS in Secrets Manager. */
  readonly masterUsername: string;
  /** @default the engine's port */
  readonly port?: number;
  /** Days of automated backups, 1-35. @default 7 */
  readonly backupRetentionDays?: number;
  /** Daily backup window, UTC `hh:mm-hh:mm`. @default AWS picks one */
  readonly backupWindow?: string;
  /** Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`. @default AWS picks one */
  readonly maintenanceWindow?: string;
  /**
   * Protected: deletion protection, a final snapshot `<identifier>-final` (and, for an RDS instance,
   * its automated backups kept after deletion), `lifecycle.prevent_destroy`. Unprotected: none of
   * them, unless `deletionProtection` asks for deletion protection alone (modules/data-protection.ts).
   */
  readonly dataProtection: DataProtection;
  /** Rotation period of the RDS-managed master secret, days (1-365). @default 7 (as RDS sets it) */
  readonly masterSecretRotationDays?: number;
  /** Performance Insights, encrypted with kmsKeyArn. @default enabled where RDS supports it for the engine and class (core/config/rds-facts.ts), 7 days */
  readonly performanceInsights?: { readonly enabled?: boolean; readonly retentionDays?: number };
  /** Enhanced monitoring interval, seconds; 0 turns it off. @default 60 */
  readonly monitoringIntervalSeconds?: number;
  /** Role RDS uses to publish enhanced monitoring; required when monitoringIntervalSeconds > 0. */
  readonly monitoringRoleArn?: string;
  /** IAM database authentication. @default true */
  readonly iamAuthentication?: boolean;
  /** Minor engine upgrades in the maintenance window. @default true */
  readonly autoMinorVersionUpgrade?: boolean;
  /** Log types exported to CloudWatch Logs. @default the engine's usual set */
  readonly logExports?: readonly string[];
  /** Retention of the exported logs' groups, days. @default 30 */
  readonly logRetentionDays?: number;
  /** KMS key of the exported logs' groups. @default CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
  /** Extra parameters, added to the TLS parameter the construct always sets. @default none */
  readonly parameters?: Readonly<Record<string, string>>;
}

/** Checks the props every database construct validates the same way; throws with the value. */
export function validateCommon(kind: string, id: string, props: DatabaseCommonProps): void {
  if (!/^[a-z][a-z0-9-]{0,62}$/.test(props.identifier) || /--|-$/.test(props.identifier)) {
    throw new Error(
      `${kind} ${id}: identifier ${JSON.stringify(props.identifier)} is not a valid RDS identifier (a-z, 0-9, hyphens, 63 at most)`,
    );
  }
  const days = props.masterSecretRotationDays ?? 7;
  if (!Number.isInteger(days) || days < 1 || days > 365)
    throw new Error(`${kind} ${id}: masterSecretRotationDays must be 1-365, got ${days}`);
  const retention = props.backupRetentionDays ?? 7;
  if (!Number.isInteger(retention) || retention < 1 || retention > 35)
    throw new Error(`${kind} ${id}: backupRetentionDays must be 1-35, got ${retention}`);
  if ((props.monitoringIntervalSeconds ?? 60) > 0 && !props.monitoringRoleArn) {
    throw new Error(`${kind} ${id}: monitoringRoleArn is required when monitoringIntervalSeconds is above 0`);
  }
}

/** What both database constructs derive the same way from their props (after their own checks). */
export interface CommonSettings {
  readonly port: number;
  /** Protected data: a final snapshot `<identifier>-final` on deletion. */
  readonly finalSnapshot: boolean;
  readonly deletionProtection: boolean;
  readonly pi: { readonly enabled: boolean; readonly retentionDays: number };
  readonly monitoringInterval: number;
  readonly logExports: string[];
  /** The parameter group family as a name part. */
  readonly familySlug: string;
  /** IAM authentication, backups, deletion protection and the final snapshot: the same arguments on a cluster and an instance. */
  readonly backups: {
    readonly iamDatabaseAuthenticationEnabled: boolean;
    readonly backupRetentionPeriod: number;
    readonly copyTagsToSnapshot: true;
    readonly deletionProtection: boolean;
    readonly skipFinalSnapshot: boolean;
    readonly finalSnapshotIdentifier: string | undefined;
  };
}

/**
 * The settings of `props` both constructs derive alike, the engine defaults from `defaults`; throws
 * (prefixed with `where`) where the data protection is contradictory or Performance Insights is
 * asked for where RDS does not support it.
 */
export function commonSettings<E extends RdsFactsEngine>(
  where: string,
  props: DatabaseCommonProps & { readonly engine: E },
  instanceClass: string,
  defaults: { readonly ports: Readonly<Record<E, number>>; readonly logExports: Readonly<Record<E, readonly string[]>> },
): CommonSettings {
  const deletionProtection = deletionProtectionOf(where, props.dataProtection);
  // Default: on where RDS supports it for the engine and class (core/config/rds-facts.ts).
  const piSupported = performanceInsightsSupported(props.engine, instanceClass);
  const pi = { enabled: props.performanceInsights?.enabled ?? piSupported, retentionDays: props.performanceInsights?.retentionDays ?? 7 };
  if (pi.enabled && !piSupported) {
    throw new Error(
      `${where}: RDS does not support Performance Insights for ${props.engine} on ${instanceClass} (${performanceInsightsRow(props.engine).source})`,
    );
  }
  const finalSnapshot = props.dataProtection.protect;
  return {
    port: props.port ?? defaults.ports[props.engine],
    finalSnapshot,
    deletionProtection,
    pi,
    monitoringInterval: props.monitoringIntervalSeconds ?? 60,
    logExports: [...(props.logExports ?? defaults.logExports[props.engine])],
    familySlug: props.parameterGroupFamily.replace(/[^a-z0-9]+/g, "-"),
    backups: {
      iamDatabaseAuthenticationEnabled: props.iamAuthentication ?? true,
      backupRetentionPeriod: props.backupRetentionDays ?? 7,
      copyTagsToSnapshot: true,
      deletionProtection,
      skipFinalSnapshot: !finalSnapshot,
      finalSnapshotIdentifier: finalSnapshot ? finalSnapshotName(props.identifier) : undefined,
    },
  };
}

/** The DB subnet group of a database: its data subnets, named after it. */
export function dataSubnetGroup(scope: Construct, props: Pick<DatabaseCommonProps, "identifier" | "subnetIds">): DbSubnetGroup {
  return new DbSubnetGroup(scope, "subnet-group", {
    name: props.identifier,
    description: `Data subnets of ${props.identifier}`,
    subnetIds: props.subnetIds,
  });
}

/** The parameter list of a group: the extra parameters and, over them, the engine's TLS ones, applied immediately. */
export function parameterList(
  extra: Readonly<Record<string, string>> | undefined,
  tls: Readonly<Record<string, string>>,
): { name: string; value: string; applyMethod: string }[] {
  return Object.entries({ ...extra, ...tls }).map(([name, value]) => ({ name, value, applyMethod: "immediate" }));
}

/** Deterministic final snapshot name (DESIGN: no random provider). */
export const finalSnapshotName = (identifier: string): string => `${identifier}-final`;

/**
 * The log groups RDS writes exported logs to, created before the database (so RDS does not create
 * them first, without retention or key). Ids are the log types: adding one adds a group.
 */
export class DatabaseLogGroups extends Construct {
  readonly groups: CloudwatchLogGroup[];

  constructor(
    scope: Construct,
    id: string,
    props: { readonly prefix: string; readonly logTypes: readonly string[]; readonly retentionDays: number; readonly kmsKeyArn?: string },
  ) {
    super(scope, id);
    this.groups = props.logTypes.map(
      (type) =>
        new CloudwatchLogGroup(this, type, {
          name: `${props.prefix}/${type}`,
          retentionInDays: props.retentionDays,
          kmsKeyId: props.kmsKeyArn,
        }),
    );
  }

  /** The groups of a database exporting `logTypes` (none when it exports none), kept logRetentionDays (default 30), encrypted with logKmsKeyArn. */
  static forExports(
    scope: Construct,
    id: string,
    prefix: string,
    logTypes: readonly string[],
    props: Pick<DatabaseCommonProps, "logRetentionDays" | "logKmsKeyArn">,
  ): DatabaseLogGroups | undefined {
    return logTypes.length
      ? new DatabaseLogGroups(scope, id, { prefix, logTypes, retentionDays: props.logRetentionDays ?? 30, kmsKeyArn: props.logKmsKeyArn })
      : undefined;
  }
}

/**
 * The rotation schedule of an RDS-managed master user secret. RDS creates the secret with managed
 * rotation every 7 days; Secrets Manager lets the schedule of a managed secret be changed (no
 * Lambda: rotation_lambda_arn stays unset). The schedule is a rate() expression, the form RDS
 * and the console store, so Terraform and AWS agree; rotate_immediately is false, so changing the
 * period never rotates the password on the spot.
 */
export class ManagedSecretRotation extends Construct {
  readonly rotation: SecretsmanagerSecretRotation;

  constructor(scope: Construct, id: string, props: { readonly secretArn: string; readonly days: number }) {
    super(scope, id);
    this.rotation = new SecretsmanagerSecretRotation(this, "Resource", {
      secretId: props.secretArn,
      rotateImmediately: false,
      rotationRules: { scheduleExpression: `rate(${props.days} ${props.days === 1 ? "day" : "days"})` },
    });
  }

  /** The schedule of `secretArn`, every masterSecretRotationDays (default 7, as RDS sets it). */
  static every(scope: Construct, secretArn: string, props: Pick<DatabaseCommonProps, "masterSecretRotationDays">): ManagedSecretRotation {
    return new ManagedSecretRotation(scope, "master-secret-rotation", { secretArn, days: props.masterSecretRotationDays ?? 7 });
  }
}

export interface EnhancedMonitoringRoleProps {
  /** Role name (64 characters at most). */
  readonly name: string;
  /** Account the trust is pinned to (aws:SourceAccount). */
  readonly accountId: string;
  /** Partition of the AWS managed policy ARN (`aws`, `aws-cn`, `aws-us-gov`). */
  readonly partition: string;
}

/** AWS managed policy of the enhanced monitoring role (a constant ARN, no data source). */
export const ENHANCED_MONITORING_POLICY = "iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole";

/**
 * The role RDS enhanced monitoring assumes to publish OS metrics to CloudWatch Logs
 * (RDSOSMetrics): trusted by monitoring.rds.amazonaws.com for this account only, with the AWS
 * managed policy attached by its constant ARN.
 */
export class EnhancedMonitoringRole extends Construct {
  readonly role: ServiceRole;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: EnhancedMonitoringRoleProps) {
    super(scope, id);
    this.role = new ServiceRole(this, "Resource", {
      name: props.name,
      description: "RDS enhanced monitoring: publishes OS metrics to CloudWatch Logs",
      service: "monitoring.rds.amazonaws.com",
      sourceAccount: props.accountId,
    });
    new IamRolePolicyAttachment(this, "managed-policy", {
      role: this.role.roleName,
      policyArn: `arn:${props.partition}:${ENHANCED_MONITORING_POLICY}`,
    });
    this.arn = this.role.arn;
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on and draws; identifiers from the database layer's outputs)

/**
 * An AWS/RDS metric: of an Aurora cluster (`DBClusterIdentifier`: every instance's series) or of
 * one instance (`DBInstanceIdentifier`: an RDS instance, an Aurora reader).
 */
export function rdsMetric(metricName: string, stat: string, of: { readonly cluster: string } | { readonly instance: string }): Metric {
  return {
    namespace: "AWS/RDS",
    metricName,
    dimensions: "cluster" in of ? { DBClusterIdentifier: of.cluster } : { DBInstanceIdentifier: of.instance },
    stat,
  };
}

// ---------------------------------------------------------------------------------------------
// Grants (core/grants.ts)

/**
 * Read an RDS-managed master user secret at run time: secretsmanager:GetSecretValue on the secret
 * (`ReadMasterSecretAtRunTime`) and kms:Decrypt with the key it is encrypted with, through Secrets
 * Manager only. `keyArn` undefined: the AWS managed key, which needs no grant. Used by
 * `AuroraCluster.grantReadMasterSecret` and `RdsInstance.grantReadMasterSecret`.
 */
export function grantReadManagedMasterSecret(grantee: Grantee, secretArn: string, keyArn: string | undefined): void {
  grantee.addStatement({ Sid: "ReadMasterSecretAtRunTime", Action: ["secretsmanager:GetSecretValue"], Resource: secretArn });
  if (keyArn) grantee.useKey({ keyArn, service: "secretsmanager", actions: ["kms:Decrypt"] });
}
