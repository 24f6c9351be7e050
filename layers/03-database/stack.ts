/**
 * Layer 03 database: the relational database and the optional Redis cache, in the data subnets,
 * behind the security layer's data and cache groups, encrypted with its data key.
 *
 * - database.engine aurora-mysql | aurora-postgresql: an Aurora cluster (Serverless v2 or
 *   provisioned) with a writer and database.readers readers in different AZs (modules/aurora-cluster).
 * - database.engine postgres | mysql: an RDS instance on gp3 with storage autoscaling, Multi-AZ
 *   per database.multiAz (default protection.availability) and database.readReplicas read
 *   replicas (modules/rds-instance); with replicas the master secret is the kit's own, rotated
 *   through the RDS API (modules/rotated-master-secret, functions/db-rotation).
 * - Everywhere: TLS required by a parameter group, the master password generated and kept by RDS
 *   in Secrets Manager (encrypted with the data key, never in Terraform state) on the configured
 *   rotation schedule, IAM authentication, backups per tier, Performance Insights with the data key,
 *   enhanced monitoring through its role, exported logs in groups with retention and the logs key.
 *   protection.data adds a final snapshot `<id>-final` and prevent_destroy, and deletion
 *   protection defaults to it.
 * - cache.enabled: ElastiCache Redis 7 with IAM-authenticated RBAC users, encrypted at rest and in
 *   transit, nodes / failover / Multi-AZ / snapshots per tier, cluster mode per cache.clusterMode
 *   (its configuration endpoint is then the cache host) (modules/redis-cache); the task roles
 *   of the services that use it (cache.clients) get elasticache:Connect on the group and its user.
 * - kafka.enabled: Amazon MSK (serverless or provisioned; modules/kafka-cluster) in the data subnets,
 *   IAM access control and TLS only, its own security group admitting the application tasks on 9098
 *   (and their egress rule to it), kafka-cluster grants on the kafka.clients' task roles, the
 *   bootstrap brokers in Parameter Store.
 *
 * Reads: network.data_subnet_ids; security.data_security_group_id, cache_security_group_id,
 * kms_key_arns (data, logs), task_role_names (cache clients). Publishes the database contract (layers/03-database/contract.ts).
 */
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Fn, Token, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { partitionOf } from "../../core/config/regions";
import type { PlatformConfig } from "../../core/config/types";
import { cacheClients, resolveCache, resolveDatabase, type ResolvedDatabase } from "./config";
import { iamDatabaseUsers, serviceDatabaseAccess } from "../07-application/config";
import { LayerStack } from "../../core/layer-stack";
import { PolicyGrants, type Grantee } from "../../core/grants";
import { Arns } from "../../core/policy";
import { DB_USERS_ENV, DB_USERS_HANDLER, DB_USERS_EXTERNAL, DB_USERS_RUNTIME, DB_USERS_SOURCE_DIR } from "../../functions/db-users/build";
import { DatabaseUsers } from "../../modules/database-users";
import { LambdaCode } from "../../modules/lambda-function";
import { AuroraCluster, type AuroraEngine } from "../../modules/aurora-cluster";
import { EnhancedMonitoringRole, type DatabaseCommonProps } from "../../modules/rds-common";
import { RdsInstance, type RdsEngine } from "../../modules/rds-instance";
import { RotatedMasterSecret } from "../../modules/rotated-master-secret";
import {
  DB_ROTATION_ENV,
  DB_ROTATION_EXTERNAL,
  DB_ROTATION_HANDLER,
  DB_ROTATION_RUNTIME,
  DB_ROTATION_SOURCE_DIR,
} from "../../functions/db-rotation/build";
import { RedisCache } from "../../modules/redis-cache";
import { KafkaCluster } from "../../modules/kafka-cluster";
import { ParameterHierarchy } from "../../modules/parameter-hierarchy";

/** `rds!cluster-…` from `arn:…:secret:rds!cluster-…-AbCdEf` (Secrets Manager appends 6 characters). */
const SECRET_NAME_FROM_ARN = "^arn:[^:]+:secretsmanager:[^:]+:[0-9]+:secret:(.+)-[A-Za-z0-9]{6}$";

interface Database {
  readonly identifier: string;
  /** cluster_resource_id (Aurora) or resource_id (RDS instance): the id in rds-db:connect ARNs. */
  readonly resourceId: string;
  readonly writerEndpoint: string;
  readonly readerEndpoint: string;
  readonly masterSecretArn: string;
  /** Resource ids of the read replicas (IAM tokens for a replica are signed for its own id). */
  readonly replicaResourceIds: string[];
  /** What must be available before a client can connect (the writer instance; with a kit-kept master secret, its first rotation too). */
  readonly ready: ITerraformDependable[];
  /** Read the master secret at run time: the grant of the construct that keeps it (RDS-managed, or the kit's rotated secret). */
  readonly grantReadMasterSecret: (grantee: Grantee) => void;
  /** The key the master secret is encrypted with, as the module was given it (names the grant's key statement). */
  readonly masterSecretKeyArn: string;
}

export class DatabaseStack extends LayerStack<"database"> {
  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "database", config);
    const db = resolveDatabase(config);

    const monitoring = config.database.monitoringIntervalSeconds > 0 ? this.monitoringRole() : undefined;
    const database = db.aurora ? this.auroraCluster(db, monitoring) : this.rdsInstance(db, monitoring);
    const cache = config.cache.enabled ? this.redis() : undefined;
    this.serviceCredentials(db, database);
    if (config.kafka.enabled) this.kafka();

    const aurora = this.node.tryFindChild("aurora");
    const rds = this.node.tryFindChild("rds");
    const kafka = this.node.tryFindChild("kafka");
    this.publish({
      db_engine: db.engine,
      db_identifier: database.identifier,
      db_resource_id: database.resourceId,
      db_writer_endpoint: database.writerEndpoint,
      db_reader_endpoint: database.readerEndpoint,
      db_port: String(db.port),
      db_name: db.databaseName,
      db_master_username: config.database.masterUsername,
      db_master_secret_arn: database.masterSecretArn,
      db_master_secret_name: Token.asString(Fn.element(Fn.regex(SECRET_NAME_FROM_ARN, database.masterSecretArn), 0)),
      cache_primary_endpoint: cache?.primaryEndpoint ?? "",
      cache_reader_endpoint: cache?.readerEndpoint ?? "",
      cache_port: cache ? String(cache.port) : "",
      cache_replication_group_id: cache?.replicationGroupId ?? "",
      cache_user_id: cache?.appUserId ?? "",
      // transit_encryption_mode "required": clients must connect with TLS (IAM authentication needs it).
      cache_tls: cache ? "true" : "",
      db_reader_identifiers:
        aurora instanceof AuroraCluster
          ? aurora.readers.map((r) => r.identifier)
          : rds instanceof RdsInstance
            ? rds.replicas.map((r) => r.identifier)
            : [],
      kafka_cluster_name: kafka instanceof KafkaCluster ? kafka.cluster.clusterName : "",
      cache_member_cluster_ids: cache ? Token.asList(Fn.sort(cache.replicationGroup.memberClusters)) : [],
    });
  }

  /** The role RDS enhanced monitoring publishes OS metrics with. */
  private monitoringRole(): EnhancedMonitoringRole {
    const { aws } = this.config;
    return new EnhancedMonitoringRole(this, "monitoring-role", {
      name: this.naming.name("iamRole", "rds-monitoring"),
      accountId: aws.accountId,
      partition: partitionOf(aws.region),
    });
  }

  /** What the Aurora cluster and the RDS instance share, from config and the earlier layers. */
  private common(db: ResolvedDatabase, monitoring: EnhancedMonitoringRole | undefined): DatabaseCommonProps {
    const { database, protection, logging } = this.config;
    // Unreachable after the config rules; a guard for configs built in code.
    if (!db.family) throw new Error(`database.engineVersion ${db.version} is not a supported ${db.engine} version`);
    return {
      identifier: this.naming.name("generic"),
      parameterGroupFamily: db.family,
      subnetIds: this.read("network", "data_subnet_ids"),
      securityGroupIds: [this.read("security", "data_security_group_id")],
      kmsKeyArn: this.readEntry("security", "kms_key_arns", "data"),
      databaseName: db.databaseName,
      masterUsername: database.masterUsername,
      port: db.port,
      backupRetentionDays: database.backup.retentionDays,
      backupWindow: database.backup.window,
      maintenanceWindow: database.maintenanceWindow,
      // deletion protection alone may be asked for where the data is not protected (database.deletionProtection).
      dataProtection: { protect: protection.data, deletionProtection: db.deletionProtection },
      masterSecretRotationDays: database.masterSecretRotationDays,
      performanceInsights: { enabled: db.performanceInsights, retentionDays: database.performanceInsights.retentionDays },
      monitoringIntervalSeconds: database.monitoringIntervalSeconds,
      monitoringRoleArn: monitoring?.arn,
      iamAuthentication: database.iamAuthentication,
      autoMinorVersionUpgrade: database.autoMinorVersionUpgrade,
      logExports: db.logExports,
      logRetentionDays: logging.retentionDays,
      logKmsKeyArn: this.readEntry("security", "kms_key_arns", "logs"),
    };
  }

  /** Aurora: a writer in the first AZ, readers in the next ones. */
  private auroraCluster(db: ResolvedDatabase, monitoring: EnhancedMonitoringRole | undefined): Database {
    const { database, aws } = this.config;
    const aurora = new AuroraCluster(this, "aurora", {
      ...this.common(db, monitoring),
      engine: db.engine as AuroraEngine,
      engineVersion: db.version,
      instanceClass: db.instanceClass,
      serverless: db.serverless ? database.serverless : undefined,
      availabilityZones: aws.azs,
      readers: database.readers,
    });
    return {
      identifier: aurora.cluster.clusterIdentifier,
      resourceId: aurora.cluster.clusterResourceId,
      writerEndpoint: aurora.writerEndpoint,
      readerEndpoint: aurora.readerEndpoint,
      masterSecretArn: aurora.masterSecretArn,
      replicaResourceIds: [],
      ready: [aurora.writer],
      grantReadMasterSecret: (grantee) => aurora.grantReadMasterSecret(grantee),
      masterSecretKeyArn: aurora.cluster.masterUserSecretKmsKeyIdInput!,
    };
  }

  /**
   * RDS instance, with database.readReplicas read replicas. Without replicas its endpoint serves
   * reads too and RDS manages the master password; with replicas (which RDS refuses under a
   * managed password) the kit keeps the master secret and rotates it through the RDS API
   * (modules/rotated-master-secret.ts), and the reader endpoint is the first replica's.
   */
  private rdsInstance(db: ResolvedDatabase, monitoring: EnhancedMonitoringRole | undefined): Database {
    const { config } = this;
    const { storage, readReplicas } = config.database;
    const common = this.common(db, monitoring);
    const rds = new RdsInstance(this, "rds", {
      ...common,
      engine: db.engine as RdsEngine,
      engineVersion: db.version,
      instanceClass: db.instanceClass,
      allocatedStorageGb: storage.allocatedGb,
      maxAllocatedStorageGb: storage.maxAllocatedGb,
      multiAz: db.multiAz,
      readReplicas,
    });
    let masterSecretArn = rds.masterSecretArn;
    const ready: ITerraformDependable[] = [rds.instance];
    let grantReadMasterSecret = (grantee: Grantee) => rds.grantReadMasterSecret(grantee);
    if (masterSecretArn === undefined) {
      const secret = new RotatedMasterSecret(this, "master_secret", {
        secretName: `${common.identifier}-master`,
        kmsKeyArn: common.kmsKeyArn,
        rotationDays: config.database.masterSecretRotationDays,
        functionName: this.naming.name("lambda", "db-rotation"),
        roleName: this.naming.name("iamRole", "db-rotation", "lambda"),
        code: LambdaCode.fromTypeScript(DB_ROTATION_SOURCE_DIR, { external: DB_ROTATION_EXTERNAL }),
        handler: DB_ROTATION_HANDLER,
        runtime: DB_ROTATION_RUNTIME,
        logRetentionDays: config.logging.retentionDays,
        logKmsKeyArn: common.logKmsKeyArn,
        region: config.aws.region,
        accountId: config.aws.accountId,
        instanceIdentifier: common.identifier,
        environment: {
          [DB_ROTATION_ENV.engine]: db.engine,
          [DB_ROTATION_ENV.host]: rds.endpoint,
          [DB_ROTATION_ENV.port]: String(db.port),
          [DB_ROTATION_ENV.database]: db.databaseName,
          [DB_ROTATION_ENV.username]: config.database.masterUsername,
          [DB_ROTATION_ENV.instance]: common.identifier,
        },
        dependsOn: [rds.instance, ...rds.replicas],
      });
      masterSecretArn = secret.secretArn;
      ready.push(secret.firstValue);
      grantReadMasterSecret = (grantee) => secret.grantRead(grantee);
    }
    return {
      identifier: rds.instance.identifier,
      resourceId: rds.instance.resourceId,
      writerEndpoint: rds.endpoint,
      readerEndpoint: rds.replicaEndpoints[0] ?? rds.endpoint,
      masterSecretArn,
      replicaResourceIds: rds.replicas.map((r) => r.resourceId),
      ready,
      grantReadMasterSecret,
      masterSecretKeyArn: common.kmsKeyArn,
    };
  }

  /**
   * How the services sign in (services.<name>.database): IAM-authenticated services get their own
   * database user, created by the provisioning function, and rds-db:connect on exactly that user
   * in their task role; services with auth secret may read the master secret at run time. No
   * task receives the password from ECS (it would keep the value of its start after a rotation).
   */
  private serviceCredentials(db: ResolvedDatabase, database: Database): void {
    const { config } = this;
    const users = iamDatabaseUsers(config);
    const taskRole = (service: string) => this.readEntry("security", "task_role_names", service);
    const dataKey = this.readEntry("security", "kms_key_arns", "data");
    if (users.length) {
      const provisioner = new DatabaseUsers(this, "db_users", {
        functionName: this.naming.name("lambda", "db-users"),
        roleName: this.naming.name("iamRole", "db-users", "lambda"),
        code: LambdaCode.fromTypeScript(DB_USERS_SOURCE_DIR, { external: DB_USERS_EXTERNAL[db.engine] }),
        handler: DB_USERS_HANDLER,
        runtime: DB_USERS_RUNTIME,
        memoryMb: config.database.userProvisioner.memoryMb,
        timeoutSeconds: config.database.userProvisioner.timeoutSeconds,
        // The app subnets: the data tier has no route out, and Secrets Manager is outside the VPC.
        subnetIds: this.read("network", "app_subnet_ids"),
        securityGroupIds: [this.read("security", "db_admin_security_group_id")],
        logRetentionDays: config.logging.retentionDays,
        logKmsKeyArn: this.readEntry("security", "kms_key_arns", "logs"),
        environment: {
          [DB_USERS_ENV.engine]: db.engine,
          [DB_USERS_ENV.host]: database.writerEndpoint,
          [DB_USERS_ENV.port]: String(db.port),
          [DB_USERS_ENV.database]: db.databaseName,
          [DB_USERS_ENV.secretArn]: database.masterSecretArn,
        },
        masterSecretArn: database.masterSecretArn,
        secretKmsKeyArn: dataKey,
        region: config.aws.region,
        accountId: config.aws.accountId,
        databaseResourceId: database.resourceId,
        replicaResourceIds: database.replicaResourceIds,
        users: users.map((u) => ({ name: u.user, privileges: u.privileges })),
        dependsOn: database.ready,
      });
      for (const u of users) {
        // genai.database: the GenAI function's role (layer 02 creates it with layer 06 on); the id cannot clash with a service's.
        if (u.principal === "genai-function")
          provisioner.grantConnect(this, "genai_function_db_connect", this.readEntry("security", "lambda_role_names", "genai"), u.user);
        else provisioner.grantConnect(this, `${u.service}_db_connect`, taskRole(u.service), u.user);
      }
    }

    for (const [service, svc] of Object.entries(config.services)) {
      if (serviceDatabaseAccess(config, service, svc)?.auth !== "secret") continue;
      // auth secret: the application reads the current secret value itself (and again after a
      // failed login), so a rotation needs no restart.
      // The construct keeping the secret writes the grant: the secret, its key through Secrets Manager only.
      const grants = new PolicyGrants(new Arns(config.aws.region, config.aws.accountId), {
        keyNames: { [database.masterSecretKeyArn]: "Data" },
      });
      database.grantReadMasterSecret(grants);
      new IamRolePolicy(this, `${service}_db_secret`, {
        name: "database-secret",
        role: taskRole(service),
        policy: grants.document(),
      });
    }
  }

  /** Redis with IAM-authenticated users, in the data subnets behind the cache group. */
  private redis(): RedisCache {
    const { cache, protection, aws } = this.config;
    if (!cache.enabled) throw new Error("redis() called with cache.enabled false");
    const { automaticFailover, multiAz } = resolveCache(cache);
    const redis = new RedisCache(this, "redis", {
      id: this.naming.name("generic"),
      description: `Redis cache of ${this.naming.prefix}`,
      engineVersion: cache.engineVersion,
      nodeType: cache.nodeType,
      nodes: cache.nodes,
      clusterMode: cache.clusterMode.enabled ? { shards: cache.clusterMode.shards } : undefined,
      automaticFailover,
      multiAz,
      availabilityZones: aws.azs,
      port: cache.port,
      subnetIds: this.read("network", "data_subnet_ids"),
      securityGroupIds: [this.read("security", "cache_security_group_id")],
      kmsKeyArn: this.readEntry("security", "kms_key_arns", "data"),
      snapshotRetentionDays: cache.snapshotRetentionDays,
      snapshotWindow: cache.snapshotWindow,
      maintenanceWindow: cache.maintenanceWindow,
      dataProtection: { protect: protection.data },
    });
    // The services that use the cache sign in as its IAM-authenticated user: their task roles
    // (layer 02) get elasticache:Connect on this replication group and that user only.
    for (const service of cacheClients(this.config)) {
      redis.grantConnect(`${service}_connect`, this.readEntry("security", "task_role_names", service));
    }
    return redis;
  }

  /**
   * The optional Kafka cluster (kafka.enabled): the data tier's streaming store, in the data subnets,
   * reachable on 9098 from the application tasks, granted to kafka.clients' task roles; its bootstrap
   * brokers in Parameter Store (/<project>/<env>/kafka/bootstrap-brokers).
   */
  private kafka(): void {
    const { kafka, aws, protection, logging } = this.config;
    const cluster = new KafkaCluster(this, "kafka", {
      name: this.naming.name("generic"),
      mode: kafka.mode,
      partition: partitionOf(aws.region),
      region: aws.region,
      accountId: aws.accountId,
      vpcId: this.read("network", "vpc_id"),
      subnetIds: this.read("network", "data_subnet_ids"),
      clientSecurityGroupId: this.read("security", "app_security_group_id"),
      kmsKeyArn: this.readEntry("security", "kms_key_arns", "data"),
      logs: { retentionDays: logging.retentionDays, kmsKeyArn: this.readEntry("security", "kms_key_arns", "logs") },
      provisioned: {
        kafkaVersion: kafka.provisioned.kafkaVersion,
        instanceType: kafka.provisioned.instanceType,
        brokers: kafka.provisioned.brokersPerAz * aws.azs.length,
        storageGb: kafka.provisioned.storageGb,
      },
      dataProtection: { protect: protection.data },
    });
    const grants = new Construct(this, "kafka-access");
    for (const service of kafka.clients) cluster.grantClient(grants, service, this.readEntry("security", "task_role_names", service));
    new ParameterHierarchy(this, "kafka-parameters", {
      root: this.naming.path("kafka"),
      parameters: [
        {
          key: "bootstrap-brokers",
          value: cluster.bootstrapBrokers,
          description: "Kafka bootstrap brokers for SASL/IAM over TLS (port 9098)",
        },
        { key: "cluster-arn", value: cluster.arn, description: "ARN of the Kafka cluster" },
      ],
    });
  }
}
