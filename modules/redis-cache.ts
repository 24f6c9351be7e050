import { ElasticacheParameterGroup } from "@cdktf/provider-aws/lib/elasticache-parameter-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { ElasticacheSubnetGroup } from "@cdktf/provider-aws/lib/elasticache-subnet-group";
import { ElasticacheUser } from "@cdktf/provider-aws/lib/elasticache-user";
import { ElasticacheUserGroup } from "@cdktf/provider-aws/lib/elasticache-user-group";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { fitName } from "../core/naming";
import { policyJson } from "../core/policy";
import type { Metric } from "./alarm-set";
import { preventDestroy, type DataProtection } from "./data-protection";

export interface RedisCacheProps {
  /** Replication group id; also prefixes the user and user group ids (lower-case, 40 at most). */
  readonly id: string;
  readonly description: string;
  /** Redis 7 version, e.g. `7.1` (IAM authentication needs 7.0 or later). */
  readonly engineVersion: string;
  /** e.g. `cache.t4g.small`. */
  readonly nodeType: string;
  /**
   * Nodes of each shard: a primary and nodes - 1 replicas, 1-6 (without cluster mode there is one
   * shard). @default 1
   */
  readonly nodes?: number;
  /**
   * Redis cluster mode: the key space split into `shards` node groups of `nodes` nodes each
   * (`num_node_groups`, `replicas_per_node_group = nodes - 1`), a parameter group with
   * `cluster-enabled yes`, and one configuration endpoint for clients (which must speak the Redis
   * cluster protocol). ElastiCache requires automatic failover on such a group.
   * @default undefined (cluster mode disabled: one shard, primary and reader endpoints)
   */
  readonly clusterMode?: { readonly shards: number };
  /** Promote a replica when the primary fails (needs 2 nodes or more). @default nodes >= 2 */
  readonly automaticFailover?: boolean;
  /** Replicas in other AZs, failover across AZs (needs automatic failover). @default automaticFailover */
  readonly multiAz?: boolean;
  /** AZs in order; node N goes to the N-th (wrapping), the first is the primary's. */
  readonly availabilityZones: readonly string[];
  /** @default 6379 */
  readonly port?: number;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** KMS key ARN for encryption at rest. */
  readonly kmsKeyArn: string;
  /** Daily snapshots kept, days; 0 takes none. @default 0 */
  readonly snapshotRetentionDays?: number;
  /** Daily snapshot window, UTC `hh:mm-hh:mm`. @default AWS picks one */
  readonly snapshotWindow?: string;
  /** Weekly maintenance window, UTC `ddd:hh:mm-ddd:hh:mm`. @default AWS picks one */
  readonly maintenanceWindow?: string;
  /**
   * Protected: a final snapshot `<id>-final` on deletion and `lifecycle.prevent_destroy` on the
   * replication group (ElastiCache has no deletion protection). Unprotected: neither (modules/data-protection.ts).
   */
  readonly dataProtection: DataProtection;
  /** @default true */
  readonly autoMinorVersionUpgrade?: boolean;
  /**
   * Redis ACL of the application user (IAM-authenticated).
   * @default "on ~* +@all -@dangerous" (every key and command except the dangerous category: FLUSHALL, KEYS, CONFIG, ...)
   */
  readonly appAccessString?: string;
}

/**
 * ElastiCache Redis (cluster mode disabled, or enabled with `clusterMode`): a replication group encrypted at rest (KMS) and in
 * transit (TLS required), in the given subnets and security groups, with its own parameter group,
 * snapshots and failover as asked, and no password anywhere: clients authenticate as an
 * IAM-authenticated RBAC user (a short-lived token signed with their IAM credentials, permission
 * elasticache:Connect on the group and the user, `grantConnect`). The user group's mandatory `default` user is switched off and needs no
 * password, so nobody can connect as it.
 *
 * Addresses (construct id `redis`): aws_elasticache_replication_group.redis,
 * aws_elasticache_subnet_group.redis_subnet_group, aws_elasticache_parameter_group.redis_parameters,
 * aws_elasticache_user.redis_app_user, aws_elasticache_user.redis_default_user,
 * aws_elasticache_user_group.redis_users.
 */
export class RedisCache extends Construct {
  readonly replicationGroup: ElasticacheReplicationGroup;
  /** Replication group id: the "cache name" an IAM authentication token is signed for. */
  readonly replicationGroupId: string;
  /** ARN of the replication group (a resource of elasticache:Connect). */
  readonly arn: string;
  /** Primary endpoint; the configuration endpoint in cluster mode. */
  readonly primaryEndpoint: string;
  /** Reader endpoint; the configuration endpoint in cluster mode. */
  readonly readerEndpoint: string;
  /** Whether cluster mode is enabled (clients must use a cluster-aware client). */
  readonly clusterMode: boolean;
  readonly port: number;
  /** User id (and name) clients authenticate as with an IAM token. */
  readonly appUserId: string;
  readonly appUserArn: string;

  constructor(scope: Construct, id: string, props: RedisCacheProps) {
    super(scope, id);
    const nodes = props.nodes ?? 1;
    const cluster = props.clusterMode;
    const automaticFailover = props.automaticFailover ?? (cluster !== undefined || nodes >= 2);
    const multiAz = props.multiAz ?? (automaticFailover && nodes >= 2);
    const major = /^(\d+)\.\d+$/.exec(props.engineVersion)?.[1];
    if (!/^[a-z][a-z0-9-]{0,39}$/.test(props.id) || /--|-$/.test(props.id)) {
      throw new Error(
        `RedisCache ${id}: id ${JSON.stringify(props.id)} is not a valid replication group id (a-z, 0-9, hyphens, 40 at most)`,
      );
    }
    if (!major || Number(major) < 7)
      throw new Error(`RedisCache ${id}: engineVersion ${props.engineVersion} is not Redis 7 or later (IAM authentication needs it)`);
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 6) throw new Error(`RedisCache ${id}: nodes must be 1-6, got ${nodes}`);
    if (cluster) {
      if (!Number.isInteger(cluster.shards) || cluster.shards < 1 || cluster.shards > 500) {
        throw new Error(`RedisCache ${id}: clusterMode.shards must be 1-500, got ${cluster.shards}`);
      }
      if (!automaticFailover) throw new Error(`RedisCache ${id}: cluster mode needs automatic failover (ElastiCache requires it)`);
    } else if (automaticFailover && nodes < 2) throw new Error(`RedisCache ${id}: automatic failover needs 2 nodes or more, got ${nodes}`);
    if (multiAz && nodes < 2) throw new Error(`RedisCache ${id}: Multi-AZ needs a replica (2 nodes or more per shard), got ${nodes}`);
    if (multiAz && !automaticFailover) throw new Error(`RedisCache ${id}: Multi-AZ needs automatic failover`);
    if (props.availabilityZones.length < 1) throw new Error(`RedisCache ${id}: availabilityZones is empty`);
    const finalSnapshot = props.dataProtection.protect;
    this.port = props.port ?? 6379;

    const subnetGroup = new ElasticacheSubnetGroup(this, "subnet-group", {
      name: props.id,
      description: `Data subnets of ${props.id}`,
      subnetIds: props.subnetIds,
    });

    const family = `redis${major}`;
    const parameters = new ElasticacheParameterGroup(this, "parameters", {
      // Cluster mode lives in the parameter group; its name says so, so switching creates a new group.
      name: cluster ? `${props.id}-${family}-cluster` : `${props.id}-${family}`,
      family,
      description: cluster ? `Parameters of ${props.id}: cluster mode` : `Parameters of ${props.id}`,
      parameter: cluster ? [{ name: "cluster-enabled", value: "yes" }] : undefined,
      lifecycle: { createBeforeDestroy: true },
    });

    // IAM authentication: user id and user name must be the same.
    const userId = (suffix: string) => fitName(`${props.id}-${suffix}`, { max: 40, lowercase: true });
    this.appUserId = userId("app");
    const app = new ElasticacheUser(this, "app-user", {
      userId: this.appUserId,
      userName: this.appUserId,
      engine: "redis",
      accessString: props.appAccessString ?? "on ~* +@all -@dangerous",
      authenticationMode: { type: "iam" },
    });
    this.appUserArn = app.arn;
    // Every user group must hold a user named "default"; this one is off and cannot authenticate.
    const defaultUser = new ElasticacheUser(this, "default-user", {
      userId: userId("default"),
      userName: "default",
      engine: "redis",
      accessString: "off ~keys* -@all",
      authenticationMode: { type: "no-password-required" },
    });
    const users = new ElasticacheUserGroup(this, "users", {
      userGroupId: props.id,
      engine: "redis",
      userIds: [defaultUser.userId, app.userId],
    });

    this.replicationGroup = new ElasticacheReplicationGroup(this, "Resource", {
      replicationGroupId: props.id,
      description: props.description,
      engine: "redis",
      engineVersion: props.engineVersion,
      nodeType: props.nodeType,
      port: this.port,
      ...(cluster
        ? // ElastiCache spreads each shard's replicas over the subnet group's AZs (Multi-AZ).
          { clusterMode: "enabled", numNodeGroups: cluster.shards, replicasPerNodeGroup: nodes - 1 }
        : {
            numCacheClusters: nodes,
            preferredCacheClusterAzs: Array.from({ length: nodes }, (_, i) => props.availabilityZones[i % props.availabilityZones.length]),
          }),
      automaticFailoverEnabled: automaticFailover,
      multiAzEnabled: multiAz,
      subnetGroupName: subnetGroup.name,
      securityGroupIds: props.securityGroupIds,
      parameterGroupName: parameters.name,
      atRestEncryptionEnabled: "true",
      kmsKeyId: props.kmsKeyArn,
      transitEncryptionEnabled: true,
      transitEncryptionMode: "required",
      userGroupIds: [users.userGroupId],
      snapshotRetentionLimit: props.snapshotRetentionDays ?? 0,
      snapshotWindow: props.snapshotWindow,
      maintenanceWindow: props.maintenanceWindow,
      finalSnapshotIdentifier: finalSnapshot ? `${props.id}-final` : undefined,
      autoMinorVersionUpgrade: String(props.autoMinorVersionUpgrade ?? true),
      applyImmediately: false,
    });
    preventDestroy(this.replicationGroup, props.dataProtection);

    this.replicationGroupId = this.replicationGroup.replicationGroupId;
    this.arn = this.replicationGroup.arn;
    // Cluster mode has no primary / reader endpoint: clients discover the shards through the
    // configuration endpoint (and read from replicas with READONLY).
    this.clusterMode = cluster !== undefined;
    this.primaryEndpoint = cluster ? this.replicationGroup.configurationEndpointAddress : this.replicationGroup.primaryEndpointAddress;
    this.readerEndpoint = cluster ? this.replicationGroup.configurationEndpointAddress : this.replicationGroup.readerEndpointAddress;
  }

  /**
   * Lets a role sign in as the application user: `elasticache:Connect` on this replication group
   * and on the user, nothing else (IAM authentication checks both resources). An inline policy
   * `aws_iam_role_policy.<this id>_<id>` on the role, named `<role>-<id>`.
   */
  grantConnect(id: string, roleName: string): IamRolePolicy {
    return new IamRolePolicy(this, id, {
      name: `cache-connect-${this.node.id}`,
      role: roleName,
      policy: policyJson([{ Sid: "CacheConnectAsAppUser", Action: "elasticache:Connect", Resource: [this.arn, this.appUserArn] }]),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on and draws; node ids from the database layer's outputs)

/** An AWS/ElastiCache metric of one node (member cluster, `CacheClusterId`) of a replication group. */
export function redisNodeMetric(metricName: string, stat: string, nodeId: string): Metric {
  return { namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: nodeId }, stat };
}
