/**
 * An Amazon MSK cluster (Apache Kafka) for a VPC's data tier: MSK Serverless or provisioned
 * brokers, always with IAM access control and TLS between clients and brokers, behind its own
 * security group that admits the given client group on the IAM port only.
 *
 * - Serverless (`aws_msk_serverless_cluster`): SASL/IAM only, TLS only (MSK Serverless offers
 *   nothing else), in the given subnets; MSK encrypts its storage with a key it manages.
 * - Provisioned (`aws_msk_cluster`): brokers spread over the subnets, EBS storage, at-rest
 *   encryption with the given KMS key, TLS client-broker and in-cluster, SASL/IAM only
 *   (unauthenticated access off), broker logs to an encrypted log group.
 * - Security group `<name>-kafka`: ingress 9098 from the client group, no egress (brokers answer on
 *   the clients' connections); the client group gets the matching egress rule.
 * - `grantClient(scope, id, roleName)`: kafka-cluster actions a producer/consumer needs, on this
 *   cluster and on its topics and groups only (cluster/NAME/any, topic/NAME/any/any, group/NAME/any/any,
 *   in this account and region: the cluster's UUID is known only after apply, and a cluster name is
 *   unique there), as an inline policy `kafka` on a role created elsewhere.
 *
 * Addresses for an id `kafka`: aws_security_group.kafka_security_group,
 * aws_vpc_security_group_ingress_rule.kafka_security_group_iam_from_clients,
 * aws_vpc_security_group_egress_rule.kafka_clients_iam_to_kafka, aws_msk_serverless_cluster.kafka
 * or aws_msk_cluster.kafka (+ aws_cloudwatch_log_group.kafka_logs); grants: aws_iam_role_policy.<id>.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { MskCluster } from "@cdktf/provider-aws/lib/msk-cluster";
import { MskServerlessCluster } from "@cdktf/provider-aws/lib/msk-serverless-cluster";
import { Construct } from "constructs";
import type { Metric } from "./alarm-set";
import { policyJson } from "../core/policy";
import { SecurityGroup } from "./security-group";
import { preventDestroy, type DataProtection } from "./data-protection";

/** Brokers' port for IAM-authenticated TLS clients. */
export const MSK_IAM_PORT = 9098;

/** What a producer and consumer does on the cluster, its topics and its consumer groups. */
export const KAFKA_CLIENT_ACTIONS = {
  cluster: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"],
  topic: [
    "kafka-cluster:CreateTopic",
    "kafka-cluster:DescribeTopic",
    "kafka-cluster:DescribeTopicDynamicConfiguration",
    "kafka-cluster:ReadData",
    "kafka-cluster:WriteData",
  ],
  group: ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"],
} as const;

export interface KafkaClusterProps {
  readonly name: string;
  readonly mode: "serverless" | "provisioned";
  /** Partition, region and account of the cluster (the grants' ARNs). */
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly vpcId: string;
  /** Data subnets (two or more AZs). */
  readonly subnetIds: string[];
  /** The group of the clients (application tasks): admitted on 9098, given the egress rule. */
  readonly clientSecurityGroupId: string;
  /** Provisioned: the at-rest key. */
  readonly kmsKeyArn: string;
  /** Provisioned: broker logs. */
  readonly logs: { readonly retentionDays: number; readonly kmsKeyArn?: string };
  readonly provisioned?: {
    readonly kafkaVersion: string;
    readonly instanceType: string;
    readonly brokers: number;
    readonly storageGb: number;
  };
  /**
   * Protected: `lifecycle.prevent_destroy` on the cluster (MSK has neither deletion protection nor a
   * final snapshot). Unprotected: none (modules/data-protection.ts).
   */
  readonly dataProtection: DataProtection;
}

export class KafkaCluster extends Construct {
  readonly securityGroup: SecurityGroup;
  readonly arn: string;
  /** Bootstrap brokers for SASL/IAM clients (host:9098,...). */
  readonly bootstrapBrokers: string;
  readonly cluster: MskServerlessCluster | MskCluster;
  private readonly arnPrefix: string;
  private readonly clusterName: string;

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id);
    this.arnPrefix = `arn:${props.partition}:kafka:${props.region}:${props.accountId}`;
    this.clusterName = props.name;
    this.securityGroup = new SecurityGroup(this, "security-group", {
      name: `${props.name}-kafka`,
      description: `Kafka brokers of ${props.name}: IAM-authenticated TLS clients only`,
      vpcId: props.vpcId,
    });
    this.securityGroup.ingressFromGroup("iam-from-clients", props.clientSecurityGroupId, {
      port: MSK_IAM_PORT,
      description: "Kafka SASL/IAM over TLS from the client services",
    });
    SecurityGroup.fromId(this, "clients", props.clientSecurityGroupId).egressToGroup("iam-to-kafka", this.securityGroup.securityGroupId, {
      port: MSK_IAM_PORT,
      description: "Kafka SASL/IAM over TLS to the brokers",
    });

    if (props.mode === "serverless") {
      const cluster = new MskServerlessCluster(this, "Resource", {
        clusterName: props.name,
        clientAuthentication: { sasl: { iam: { enabled: true } } },
        vpcConfig: [{ subnetIds: props.subnetIds, securityGroupIds: [this.securityGroup.securityGroupId] }],
      });
      this.cluster = cluster;
      this.bootstrapBrokers = cluster.bootstrapBrokersSaslIam;
    } else {
      const p = props.provisioned;
      if (!p) throw new Error(`KafkaCluster ${id}: mode provisioned needs the provisioned options`);
      const logs = new CloudwatchLogGroup(this, "logs", {
        name: `/aws/msk/${props.name}`,
        retentionInDays: props.logs.retentionDays,
        kmsKeyId: props.logs.kmsKeyArn,
      });
      const cluster = new MskCluster(this, "Resource", {
        clusterName: props.name,
        kafkaVersion: p.kafkaVersion,
        numberOfBrokerNodes: p.brokers,
        brokerNodeGroupInfo: {
          instanceType: p.instanceType,
          clientSubnets: props.subnetIds,
          securityGroups: [this.securityGroup.securityGroupId],
          storageInfo: { ebsStorageInfo: { volumeSize: p.storageGb } },
        },
        encryptionInfo: { encryptionAtRestKmsKeyArn: props.kmsKeyArn, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
        clientAuthentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
        loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logs.name } } },
      });
      this.cluster = cluster;
      this.bootstrapBrokers = cluster.bootstrapBrokersSaslIam;
    }
    preventDestroy(this.cluster, props.dataProtection);
    this.arn = this.cluster.arn;
  }

  /** Produce and consume on this cluster: an inline policy `kafka` on the role named `roleName`. */
  grantClient(scope: Construct, id: string, roleName: string): IamRolePolicy {
    // arn:<p>:kafka:<r>:<a>:cluster/<name>/<uuid>, topic/<name>/<uuid>/<topic>, group/<name>/<uuid>/<group>
    // One segment per part of the ARN format (the kit's IAM data checks resource ARNs against it).
    const under = (kind: string) => `${this.arnPrefix}:${kind}/${this.clusterName}/*${kind === "cluster" ? "" : "/*"}`;
    return new IamRolePolicy(scope, id, {
      name: "kafka",
      role: roleName,
      policy: policyJson([
        { Sid: "ConnectToTheCluster", Action: [...KAFKA_CLIENT_ACTIONS.cluster], Resource: under("cluster") },
        { Sid: "ProduceAndConsumeItsTopics", Action: [...KAFKA_CLIENT_ACTIONS.topic], Resource: under("topic") },
        { Sid: "UseItsConsumerGroups", Action: [...KAFKA_CLIENT_ACTIONS.group], Resource: under("group") },
      ]),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on; the cluster name from the database layer's outputs)

/**
 * An AWS/Kafka metric of a provisioned cluster (`Cluster Name`), or of one broker (`Broker ID`,
 * 1 … brokers) where the metric is per broker. DEFAULT-level metrics, free:
 * https://docs.aws.amazon.com/msk/latest/developerguide/metrics-details.html
 */
export function kafkaMetric(metricName: string, stat: string, cluster: string, broker?: number): Metric {
  return {
    namespace: "AWS/Kafka",
    metricName,
    dimensions: broker === undefined ? { "Cluster Name": cluster } : { "Cluster Name": cluster, "Broker ID": String(broker) },
    stat,
  };
}
