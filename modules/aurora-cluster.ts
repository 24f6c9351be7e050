import { DbParameterGroup } from "@cdktf/provider-aws/lib/db-parameter-group";
import { RdsCluster } from "@cdktf/provider-aws/lib/rds-cluster";
import { RdsClusterInstance } from "@cdktf/provider-aws/lib/rds-cluster-instance";
import { RdsClusterParameterGroup } from "@cdktf/provider-aws/lib/rds-cluster-parameter-group";
import { Construct } from "constructs";
import { preventDestroy } from "./data-protection";
import type { Grantee } from "../core/grants";
import * as common from "./rds-common";

export type AuroraEngine = "aurora-mysql" | "aurora-postgresql";

/** The cluster parameter that refuses unencrypted connections, per engine. */
export const AURORA_TLS_PARAMETERS: Readonly<Record<AuroraEngine, Readonly<Record<string, string>>>> = {
  "aurora-mysql": { require_secure_transport: "ON" },
  "aurora-postgresql": { "rds.force_ssl": "1" },
};

/** Log types an Aurora engine exports by default. */
export const AURORA_LOG_EXPORTS: Readonly<Record<AuroraEngine, readonly string[]>> = {
  "aurora-mysql": ["audit", "error", "general", "slowquery"],
  "aurora-postgresql": ["postgresql"],
};

const DEFAULT_PORTS: Readonly<Record<AuroraEngine, number>> = { "aurora-mysql": 3306, "aurora-postgresql": 5432 };

export interface AuroraClusterProps extends common.DatabaseCommonProps {
  readonly engine: AuroraEngine;
  /** Full Aurora version, e.g. `8.0.mysql_aurora.3.08.2` or `16.6`. */
  readonly engineVersion: string;
  /** Instance class of the writer and every reader. @default "db.serverless" */
  readonly instanceClass?: string;
  /** Serverless v2 capacity range in ACUs (0.5 steps). Required with db.serverless. */
  readonly serverless?: { readonly minCapacity: number; readonly maxCapacity: number };
  /**
   * AZs in order: the writer goes to the first, reader N to the (N+1)-th (wrapping). Readers are
   * numbered from 1 and keep their number, so adding one never renames another.
   */
  readonly availabilityZones: readonly string[];
  /** Reader instances besides the writer, 0-15. @default 1 */
  readonly readers?: number;
}

/**
 * An Aurora cluster (MySQL or PostgreSQL; Serverless v2 or provisioned): a writer and readers in
 * different AZs on the given subnets and security groups, storage and Performance Insights
 * encrypted with the given key, TLS enforced by the cluster parameter group, the master password
 * generated and kept by RDS in Secrets Manager (never in Terraform state) with its rotation
 * schedule, IAM authentication, exported logs in groups with retention, and, with
 * `dataProtection`, deletion protection, a final snapshot and prevent_destroy.
 *
 * Addresses (construct id `aurora`): aws_rds_cluster.aurora, aws_rds_cluster_instance.aurora_writer,
 * aws_rds_cluster_instance.aurora_reader_1 ..., aws_db_subnet_group.aurora_subnet_group,
 * aws_rds_cluster_parameter_group.aurora_cluster_parameters, aws_db_parameter_group.aurora_instance_parameters,
 * aws_cloudwatch_log_group.aurora_logs_<type>, aws_secretsmanager_secret_rotation.aurora_master_secret_rotation.
 */
export class AuroraCluster extends Construct {
  readonly cluster: RdsCluster;
  readonly writer: RdsClusterInstance;
  readonly readers: RdsClusterInstance[];
  readonly writerEndpoint: string;
  readonly readerEndpoint: string;
  readonly port: number;
  /** ARN of the RDS-managed master user secret. */
  readonly masterSecretArn: string;

  constructor(scope: Construct, id: string, props: AuroraClusterProps) {
    super(scope, id);
    common.validateCommon("AuroraCluster", id, props);
    const instanceClass = props.instanceClass ?? "db.serverless";
    const serverless = instanceClass === "db.serverless";
    const readerCount = props.readers ?? 1;
    if (serverless && !props.serverless) throw new Error(`AuroraCluster ${id}: db.serverless needs a serverless capacity range`);
    if (props.serverless) {
      const { minCapacity: min, maxCapacity: max } = props.serverless;
      const ok = (n: number) => n >= 0.5 && n <= 256 && Number.isInteger(n * 2);
      if (!ok(min) || !ok(max) || min > max)
        throw new Error(`AuroraCluster ${id}: serverless capacity ${min}-${max} is not 0.5 <= min <= max <= 256 in steps of 0.5`);
    }
    if (!Number.isInteger(readerCount) || readerCount < 0 || readerCount > 15)
      throw new Error(`AuroraCluster ${id}: readers must be 0-15, got ${readerCount}`);
    if (props.availabilityZones.length < 1) throw new Error(`AuroraCluster ${id}: availabilityZones is empty`);

    const { port, backups, pi, monitoringInterval, logExports, familySlug } = common.commonSettings(
      `AuroraCluster ${id}`,
      props,
      instanceClass,
      { ports: DEFAULT_PORTS, logExports: AURORA_LOG_EXPORTS },
    );
    this.port = port;
    const subnetGroup = common.dataSubnetGroup(this, props);

    const clusterParameters = new RdsClusterParameterGroup(this, "cluster-parameters", {
      name: `${props.identifier}-${familySlug}-cluster`,
      family: props.parameterGroupFamily,
      description: `Cluster parameters of ${props.identifier}: TLS required`,
      parameter: common.parameterList(props.parameters, AURORA_TLS_PARAMETERS[props.engine]),
      // The name carries the family, so a major upgrade creates the new group before the old one goes.
      lifecycle: { createBeforeDestroy: true },
    });

    const instanceParameters = new DbParameterGroup(this, "instance-parameters", {
      name: `${props.identifier}-${familySlug}-instance`,
      family: props.parameterGroupFamily,
      description: `Instance parameters of ${props.identifier} (own group, so tuning never needs a group swap and reboot)`,
      lifecycle: { createBeforeDestroy: true },
    });

    const logs = common.DatabaseLogGroups.forExports(this, "logs", `/aws/rds/cluster/${props.identifier}`, logExports, props);

    this.cluster = new RdsCluster(this, "Resource", {
      clusterIdentifier: props.identifier,
      engine: props.engine,
      engineMode: "provisioned",
      engineVersion: props.engineVersion,
      databaseName: props.databaseName,
      masterUsername: props.masterUsername,
      // RDS generates the password and keeps it in Secrets Manager, encrypted with our key.
      manageMasterUserPassword: true,
      masterUserSecretKmsKeyId: props.kmsKeyArn,
      port: this.port,
      dbSubnetGroupName: subnetGroup.name,
      vpcSecurityGroupIds: props.securityGroupIds,
      dbClusterParameterGroupName: clusterParameters.name,
      storageEncrypted: true,
      kmsKeyId: props.kmsKeyArn,
      ...backups,
      preferredBackupWindow: props.backupWindow,
      preferredMaintenanceWindow: props.maintenanceWindow,
      enabledCloudwatchLogsExports: logExports.length ? logExports : undefined,
      serverlessv2ScalingConfiguration: props.serverless
        ? { minCapacity: props.serverless.minCapacity, maxCapacity: props.serverless.maxCapacity }
        : undefined,
      allowMajorVersionUpgrade: false,
      applyImmediately: false,
      dependsOn: logs?.groups,
    });
    preventDestroy(this.cluster, props.dataProtection);

    const instance = (instanceId: string, name: string, az: string, promotionTier: number) =>
      new RdsClusterInstance(this, instanceId, {
        identifier: name,
        clusterIdentifier: this.cluster.clusterIdentifier,
        engine: this.cluster.engine,
        engineVersion: this.cluster.engineVersion,
        instanceClass,
        availabilityZone: az,
        promotionTier,
        dbSubnetGroupName: subnetGroup.name,
        dbParameterGroupName: instanceParameters.name,
        publiclyAccessible: false,
        autoMinorVersionUpgrade: props.autoMinorVersionUpgrade ?? true,
        performanceInsightsEnabled: pi.enabled,
        performanceInsightsKmsKeyId: pi.enabled ? props.kmsKeyArn : undefined,
        performanceInsightsRetentionPeriod: pi.enabled ? pi.retentionDays : undefined,
        monitoringInterval: monitoringInterval,
        monitoringRoleArn: monitoringInterval > 0 ? props.monitoringRoleArn : undefined,
        copyTagsToSnapshot: true,
        applyImmediately: false,
      });

    const azs = props.availabilityZones;
    this.writer = instance("writer", `${props.identifier}-writer`, azs[0], 0);
    this.readers = Array.from({ length: readerCount }, (_, i) =>
      instance(`reader-${i + 1}`, `${props.identifier}-reader-${i + 1}`, azs[(i + 1) % azs.length], 1),
    );

    this.masterSecretArn = this.cluster.masterUserSecret.get(0).secretArn;
    common.ManagedSecretRotation.every(this, this.masterSecretArn, props);

    this.writerEndpoint = this.cluster.endpoint;
    this.readerEndpoint = this.cluster.readerEndpoint;
  }
  /** Read the RDS-managed master secret at run time (and decrypt it with its key, through Secrets Manager only). */
  grantReadMasterSecret(grantee: Grantee): void {
    common.grantReadManagedMasterSecret(grantee, this.masterSecretArn, this.cluster.masterUserSecretKmsKeyIdInput);
  }
}
