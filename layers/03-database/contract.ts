import type { PlatformConfig } from "../../core/config/types";
import { cacheMemberIds } from "./config";
import { list, mockArn, mockId, str, type Contract } from "../../core/contracts/types";

const isAurora = (engine: string) => engine.startsWith("aurora-");
/** An RDS instance with read replicas keeps its master secret in the kit (`<project>-<env>-master`). */
const kitSecret = (cfg: PlatformConfig) => !isAurora(cfg.database.engine) && cfg.database.readReplicas > 0;
const clusterMode = (cfg: PlatformConfig) => cfg.cache.enabled && cfg.cache.clusterMode.enabled;
const defaultPort = (engine: string) => (engine.includes("postgres") ? 5432 : 3306);
/** RDS names managed master secrets `rds!cluster-<uuid>` (Aurora) or `rds!db-<uuid>` (instances). */
const secretName = (engine: string) => `rds!${isAurora(engine) ? "cluster" : "db"}-${mockId("x", "secret", 36).slice(2)}`;

/** Outputs of layer 03 database. Cache outputs are empty strings when cache.enabled is false. */
export const databaseContract = {
  db_engine: str("Database engine (aurora-mysql, aurora-postgresql, mysql, postgres).", (cfg) => cfg.database.engine),
  db_identifier: str(
    "Cluster identifier (Aurora) or instance identifier (RDS) of the writer.",
    (cfg) => `${cfg.project}-${cfg.environment}`,
  ),
  db_resource_id: str(
    "Resource id of the database for IAM authentication (rds-db:connect on arn:<partition>:rds-db:<region>:<account>:dbuser:<id>/<user>): the Aurora cluster's cluster_resource_id or the instance's resource_id.",
    (cfg) =>
      isAurora(cfg.database.engine)
        ? `cluster-${mockId("c", "db-resource", 26).slice(2).toUpperCase()}`
        : `db-${mockId("d", "db-resource", 26).slice(2).toUpperCase()}`,
  ),
  db_writer_endpoint: str("Writer endpoint host name.", (cfg) =>
    isAurora(cfg.database.engine)
      ? `${cfg.project}-${cfg.environment}.cluster-${mockId("c", "db", 12).slice(2)}.${cfg.aws.region}.rds.amazonaws.com`
      : `${cfg.project}-${cfg.environment}.${mockId("c", "db", 12).slice(2)}.${cfg.aws.region}.rds.amazonaws.com`,
  ),
  db_reader_endpoint: str("Reader endpoint host name (the writer's when there is no reader).", (cfg) =>
    isAurora(cfg.database.engine)
      ? `${cfg.project}-${cfg.environment}.cluster-ro-${mockId("c", "db", 12).slice(2)}.${cfg.aws.region}.rds.amazonaws.com`
      : `${cfg.project}-${cfg.environment}${kitSecret(cfg) ? "-replica-1" : ""}.${mockId("c", "db", 12).slice(2)}.${cfg.aws.region}.rds.amazonaws.com`,
  ),
  db_port: str("Database port, as a string.", (cfg) => String(cfg.database.port ?? defaultPort(cfg.database.engine))),
  db_name: str("Name of the application database.", (cfg) => cfg.database.databaseName ?? cfg.project.replace(/-/g, "_")),
  db_master_username: str("Master user name (its password lives only in the managed secret).", (cfg) => cfg.database.masterUsername),
  // With database.readReplicas on an RDS engine the secret is the kit's own (layers/03-database/README.md);
  // the descriptions are unchanged so environments without replicas synthesize as before.
  db_master_secret_arn: str("ARN of the RDS-managed master user secret in Secrets Manager (KMS: the security layer's data key).", (cfg) =>
    mockArn(
      cfg,
      "secretsmanager",
      `secret:${kitSecret(cfg) ? `${cfg.project}-${cfg.environment}-master` : secretName(cfg.database.engine)}-AbCdEf`,
    ),
  ),
  db_master_secret_name: str("Name of the RDS-managed master user secret.", (cfg) =>
    kitSecret(cfg) ? `${cfg.project}-${cfg.environment}-master` : secretName(cfg.database.engine),
  ),
  cache_primary_endpoint: str("Redis primary endpoint (empty when cache.enabled is false).", (cfg) =>
    cfg.cache.enabled
      ? `${clusterMode(cfg) ? "clustercfg" : "master"}.${cfg.project}-${cfg.environment}.${mockId("c", "cache", 6).slice(2)}.usw2.cache.amazonaws.com`
      : "",
  ),
  cache_reader_endpoint: str("Redis reader endpoint (empty when cache.enabled is false).", (cfg) =>
    cfg.cache.enabled
      ? `${clusterMode(cfg) ? "clustercfg" : "replica"}.${cfg.project}-${cfg.environment}.${mockId("c", "cache", 6).slice(2)}.usw2.cache.amazonaws.com`
      : "",
  ),
  cache_port: str("Redis port, as a string (empty when cache.enabled is false).", (cfg) =>
    cfg.cache.enabled ? String(cfg.cache.port) : "",
  ),
  cache_replication_group_id: str(
    "Redis replication group id: the cache name an IAM authentication token is signed for (empty without a cache).",
    (cfg) => (cfg.cache.enabled ? `${cfg.project}-${cfg.environment}` : ""),
  ),
  cache_user_id: str(
    "Id and name (the same, as IAM authentication requires) of the IAM-authenticated Redis user (empty without a cache).",
    (cfg) => (cfg.cache.enabled ? `${cfg.project}-${cfg.environment}-app` : ""),
  ),
  cache_tls: str('"true": the cache requires TLS in transit (empty without a cache).', (cfg) => (cfg.cache.enabled ? "true" : "")),
  db_reader_identifiers: list(
    "Instance identifiers of the Aurora readers or of the RDS instance's read replicas, 1 first (empty without either): the DBInstanceIdentifier of their metrics.",
    (cfg) =>
      isAurora(cfg.database.engine)
        ? Array.from({ length: cfg.database.readers }, (_, i) => `${cfg.project}-${cfg.environment}-reader-${i + 1}`)
        : Array.from({ length: cfg.database.readReplicas }, (_, i) => `${cfg.project}-${cfg.environment}-replica-${i + 1}`),
  ),
  kafka_cluster_name: str("Name of the MSK cluster (the `Cluster Name` dimension of its metrics; empty without kafka.enabled).", (cfg) =>
    cfg.kafka.enabled ? `${cfg.project}-${cfg.environment}` : "",
  ),
  cache_member_cluster_ids: list(
    "Member clusters (nodes) of the Redis replication group, sorted (<group>-001 first, <group>-0001-001 in cluster mode; empty without a cache): the CacheClusterId of their metrics.",
    (cfg) => (cfg.cache.enabled ? cacheMemberIds(cfg.cache, `${cfg.project}-${cfg.environment}`) : []),
  ),
} satisfies Contract;
