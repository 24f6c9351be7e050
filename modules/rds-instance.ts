import { DbInstance } from "@cdktf/provider-aws/lib/db-instance";
import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { Fn, TerraformLocal } from "cdktf";
import { Construct } from "constructs";
import { reviewException } from "../core/review";
import { preventDestroy } from "./data-protection";
import type { Grantee } from "../core/grants";
import * as common from "./rds-common";

export type RdsEngine = "postgres" | "mysql";

/** The parameter that refuses unencrypted connections, per engine. */
export const RDS_TLS_PARAMETERS: Readonly<Record<RdsEngine, Readonly<Record<string, string>>>> = {
  postgres: { "rds.force_ssl": "1" },
  mysql: { require_secure_transport: "1" },
};

/** Log types an RDS engine exports by default (MySQL's audit log needs an option group). */
export const RDS_LOG_EXPORTS: Readonly<Record<RdsEngine, readonly string[]>> = {
  postgres: ["postgresql", "upgrade"],
  mysql: ["error", "general", "slowquery"],
};

const DEFAULT_PORTS: Readonly<Record<RdsEngine, number>> = { postgres: 5432, mysql: 3306 };

export interface RdsInstanceProps extends common.DatabaseCommonProps {
  readonly engine: RdsEngine;
  /** A major (`16`, `8.4`: RDS picks the minor and upgrades it) or a full version. */
  readonly engineVersion: string;
  /** e.g. `db.t4g.medium`, `db.m7g.large`. */
  readonly instanceClass: string;
  /** Initial gp3 storage, GiB (20 at least). @default 20 */
  readonly allocatedStorageGb?: number;
  /** Storage autoscaling limit, GiB; 0 turns autoscaling off. @default 100 */
  readonly maxAllocatedStorageGb?: number;
  /** A synchronous standby in another AZ. @default true */
  readonly multiAz?: boolean;
  /**
   * Read replicas of the instance (same class, storage key, subnets, security groups, parameter
   * group, IAM authentication, Performance Insights and monitoring), 0-15. RDS refuses them while
   * it manages the master password, so with replicas the instance is created with a write-only
   * password nobody keeps (`password_wo` from Terraform's uuid(), never in state or plan) and
   * `masterSecretArn` is undefined: the caller keeps the master secret and rotates it
   * (modules/rotated-master-secret.ts). @default 0
   */
  readonly readReplicas?: number;
}

/**
 * An RDS MySQL or PostgreSQL instance on gp3 storage with autoscaling, optionally Multi-AZ, in the
 * given subnets and security groups, storage and Performance Insights encrypted with the given
 * key, TLS enforced by its parameter group, the master password generated and kept by RDS in
 * Secrets Manager (never in Terraform state) with its rotation schedule, IAM authentication,
 * exported logs in groups with retention, and, with `dataProtection`, deletion protection, a
 * final snapshot, kept automated backups and prevent_destroy.
 *
 * Read replicas (`readReplicas`): AWS refuses to create a read replica of an instance whose master
 * password RDS manages in Secrets Manager ("Creating read replicas for source instance ... where
 * ManageMasterUserPassword is enabled is not supported"), so an instance with replicas does not
 * let RDS manage it; see `readReplicas`.
 *
 * Addresses (construct id `rds`): aws_db_instance.rds, aws_db_subnet_group.rds_subnet_group,
 * aws_db_parameter_group.rds_parameters, aws_cloudwatch_log_group.rds_logs_<type>,
 * aws_secretsmanager_secret_rotation.rds_master_secret_rotation (without replicas);
 * aws_db_instance.rds_replica_<n> and aws_cloudwatch_log_group.rds_replica_<n>_logs_<type> (n from 1).
 */
export class RdsInstance extends Construct {
  readonly instance: DbInstance;
  /** Host name of the instance (no port). */
  readonly endpoint: string;
  readonly port: number;
  /** ARN of the RDS-managed master user secret; undefined with read replicas (the caller keeps it). */
  readonly masterSecretArn: string | undefined;
  /** The read replicas, in order. */
  readonly replicas: DbInstance[];
  /** Host names of the read replicas, in order. */
  readonly replicaEndpoints: string[];

  constructor(scope: Construct, id: string, props: RdsInstanceProps) {
    super(scope, id);
    common.validateCommon("RdsInstance", id, props);
    const allocated = props.allocatedStorageGb ?? 20;
    const maxAllocated = props.maxAllocatedStorageGb ?? 100;
    if (allocated < 20) throw new Error(`RdsInstance ${id}: allocatedStorageGb must be at least 20 for gp3, got ${allocated}`);
    if (maxAllocated !== 0 && maxAllocated < Math.ceil(allocated * 1.1)) {
      throw new Error(
        `RdsInstance ${id}: maxAllocatedStorageGb ${maxAllocated} must be 0 or at least 10% above allocatedStorageGb ${allocated}`,
      );
    }
    const replicaCount = props.readReplicas ?? 0;
    if (!Number.isInteger(replicaCount) || replicaCount < 0 || replicaCount > 15)
      throw new Error(`RdsInstance ${id}: readReplicas must be 0-15, got ${replicaCount}`);
    if (props.instanceClass === "db.serverless") throw new Error(`RdsInstance ${id}: db.serverless is an Aurora instance class`);

    const { port, finalSnapshot, deletionProtection, backups, pi, monitoringInterval, logExports, familySlug } = common.commonSettings(
      `RdsInstance ${id}`,
      props,
      props.instanceClass,
      { ports: DEFAULT_PORTS, logExports: RDS_LOG_EXPORTS },
    );
    this.port = port;
    // Logs, Performance Insights, enhanced monitoring and minor upgrades: the same on the primary and its replicas.
    const observability = {
      enabledCloudwatchLogsExports: logExports.length ? logExports : undefined,
      performanceInsightsEnabled: pi.enabled,
      performanceInsightsKmsKeyId: pi.enabled ? props.kmsKeyArn : undefined,
      performanceInsightsRetentionPeriod: pi.enabled ? pi.retentionDays : undefined,
      monitoringInterval: monitoringInterval,
      monitoringRoleArn: monitoringInterval > 0 ? props.monitoringRoleArn : undefined,
      autoMinorVersionUpgrade: props.autoMinorVersionUpgrade ?? true,
    };
    const subnetGroup = common.dataSubnetGroup(this, props);

    const parameters = new DbParameterGroup(this, "parameters", {
      name: `${props.identifier}-${familySlug}`,
      family: props.parameterGroupFamily,
      description: `Parameters of ${props.identifier}: TLS required`,
      parameter: common.parameterList(props.parameters, RDS_TLS_PARAMETERS[props.engine]),
      // The name carries the family, so a major upgrade creates the new group before the old one goes.
      lifecycle: { createBeforeDestroy: true },
    });

    const logs = common.DatabaseLogGroups.forExports(this, "logs", `/aws/rds/instance/${props.identifier}`, logExports, props);

    this.instance = new DbInstance(this, "Resource", {
      identifier: props.identifier,
      engine: props.engine,
      engineVersion: props.engineVersion,
      instanceClass: props.instanceClass,
      dbName: props.databaseName,
      username: props.masterUsername,
      ...(replicaCount
        ? // RDS would refuse the replicas with a managed password: a write-only one nobody keeps,
          // replaced by the first rotation of the caller's secret (never in state or plan).
          { passwordWo: new TerraformLocal(this, "initial-password", Fn.uuid()).asString, passwordWoVersion: 1 }
        : // RDS generates the password and keeps it in Secrets Manager, encrypted with our key.
          { manageMasterUserPassword: true, masterUserSecretKmsKeyId: props.kmsKeyArn }),
      port: this.port,
      storageType: "gp3",
      allocatedStorage: allocated,
      maxAllocatedStorage: maxAllocated,
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      multiAz: props.multiAz ?? true,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: props.securityGroupIds,
      parameterGroupName: parameters.name,
      publiclyAccessible: false,
      ...backups,
      backupWindow: props.backupWindow,
      maintenanceWindow: props.maintenanceWindow,
      // Keep the automated backups of a deleted instance when the data is protected.
      deleteAutomatedBackups: !finalSnapshot,
      ...observability,
      allowMajorVersionUpgrade: false,
      applyImmediately: false,
      dependsOn: logs?.groups,
    });
    preventDestroy(this.instance, props.dataProtection);

    this.endpoint = this.instance.address;
    if (replicaCount) {
      this.masterSecretArn = undefined;
    } else {
      this.masterSecretArn = this.instance.masterUserSecret.get(0).secretArn;
      common.ManagedSecretRotation.every(this, this.masterSecretArn, props);
    }

    this.replicas = Array.from({ length: replicaCount }, (_, i) => {
      const n = i + 1;
      const identifier = `${props.identifier}-replica-${n}`;
      const replicaLogs = common.DatabaseLogGroups.forExports(
        this,
        `replica-${n}-logs`,
        `/aws/rds/instance/${identifier}`,
        logExports,
        props,
      );
      // Engine, version, user and database come from the source; storage is encrypted with the
      // same key (a same-Region replica of an encrypted source must be).
      const replica = new DbInstance(this, `replica-${n}`, {
        identifier,
        engine: props.engine,
        // The ARN: the provider requires it with an explicit subnet group (the data subnets).
        replicateSourceDb: this.instance.arn,
        instanceClass: props.instanceClass,
        storageType: "gp3",
        maxAllocatedStorage: maxAllocated,
        storageEncrypted: true,
        kmsKeyId: props.kmsKeyArn,
        multiAz: false,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: props.securityGroupIds,
        parameterGroupName: parameters.name,
        publiclyAccessible: false,
        iamDatabaseAuthenticationEnabled: props.iamAuthentication ?? true,
        // The source keeps the backups; a replica holds no data of its own.
        backupRetentionPeriod: 0,
        skipFinalSnapshot: true,
        // Deletion protection as the source; no prevent_destroy (the review exception below says why).
        deletionProtection,
        copyTagsToSnapshot: true,
        maintenanceWindow: props.maintenanceWindow,
        ...observability,
        applyImmediately: false,
        dependsOn: replicaLogs?.groups,
      });
      reviewException(
        replica,
        "PK-RDS-004",
        "A read replica keeps no backups of its own: the source instance's automated backups and point-in-time restore cover the data",
      );
      reviewException(
        replica,
        "PK-DATA-001",
        "A read replica holds no data of its own (the source has prevent_destroy, deletion protection and a final snapshot); a replaced replica copies the source again",
      );
      return replica;
    });
    this.replicaEndpoints = this.replicas.map((r) => r.address);
  }
  /**
   * Read the RDS-managed master secret at run time (and decrypt it with its key, through Secrets
   * Manager only). With read replicas there is none: the caller's RotatedMasterSecret grants it.
   */
  grantReadMasterSecret(grantee: Grantee): void {
    if (this.masterSecretArn === undefined)
      throw new Error(`RdsInstance ${this.node.id}: RDS does not manage the master secret with read replicas; grant the caller's secret`);
    common.grantReadManagedMasterSecret(grantee, this.masterSecretArn, this.instance.masterUserSecretKmsKeyIdInput);
  }
}
