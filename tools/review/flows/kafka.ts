/**
 * Services -> the Kafka cluster (Amazon MSK, serverless or provisioned): for each application
 * service whose task role has a policy naming the cluster, the network path to the brokers on the
 * SASL/IAM port (9098: security groups both ways, subnets) and the IAM actions a producer and
 * consumer sends (kafka-cluster:Connect on the cluster, WriteData and ReadData on a topic of the
 * cluster, AlterGroup on a consumer group), judged on the task role's policies, on the ARNs MSK
 * forms: cluster/<name>/<uuid>, topic/<name>/<uuid>/<topic>, group/<name>/<uuid>/<group>
 * (https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html). A task role is a
 * client of the cluster when one of its policies names the cluster's ARNs.
 */
import type { Resource } from "../model";
import { block } from "../tf";
import type { FlowContext } from "./context";
import { tasksOf } from "./services";
import { hop, makeFlow, type Flow, type Hop } from "./types";

const IAM_PORT = 9098;

function clusterNetwork(c: FlowContext, cluster: Resource): { groups: Resource[]; subnets: Resource[] } {
  const cfg =
    cluster.type === "aws_msk_serverless_cluster" ? block(cluster.config.vpc_config) : block(cluster.config.broker_node_group_info);
  const sg = cluster.type === "aws_msk_serverless_cluster" ? cfg?.security_group_ids : cfg?.security_groups;
  const subnets = cluster.type === "aws_msk_serverless_cluster" ? cfg?.subnet_ids : cfg?.client_subnets;
  return {
    groups: c.network.groups(cluster.stack, sg),
    subnets: c.model.resolve(cluster.stack, subnets).filter((r) => r.type === "aws_subnet"),
  };
}

export function kafkaFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const clusters = c.model.resources(["aws_msk_serverless_cluster", "aws_msk_cluster"]);
  if (!clusters.length) return out;
  for (const t of tasksOf(c)) {
    if (!t.taskRole) continue;
    const role = t.taskRole;
    const policies = c.model
      .resources("aws_iam_role_policy")
      .filter((p) => c.model.resolve(p.stack, p.config.role).some((r) => r.id === role.id));
    for (const cluster of clusters) {
      const name = c.sym.literal(cluster, "cluster_name") ?? cluster.name;
      const base = `arn:${c.env.partition}:kafka:${c.env.region}:${c.env.accountId}`;
      if (!policies.some((p) => String(p.attrs.policy ?? "").includes(`:kafka:${c.env.region}:${c.env.accountId}:cluster/${name}/`)))
        continue;
      const net = clusterNetwork(c, cluster);
      // The UUID MSK gives the cluster is known only after apply: any value stands for it here.
      const uuid = "00000000-0000-0000-0000-000000000000-1";
      const arn = `${base}:cluster/${name}/${uuid}`;
      const under = (kind: string, leaf: string) => `${base}:${kind}/${name}/${uuid}/${leaf}`;
      const tls =
        cluster.type === "aws_msk_cluster"
          ? String(block(block(cluster.config.encryption_info)?.encryption_in_transit)?.client_broker ?? "TLS") === "TLS"
          : true;
      const hops: Hop[] = [
        ...c.network.sgPath(`${t.name} -> ${cluster.name}`, t.groups, net.groups, IAM_PORT, t.subnets, net.subnets),
        hop(
          "credentials",
          "TLS to the brokers",
          tls,
          tls ? "client-broker traffic is TLS only" : "client_broker allows plaintext",
          "set encryption_in_transit.client_broker = TLS",
        ),
        c.roleToArn(role, "kafka-cluster:Connect", arn, `cluster ${name}`),
        c.roleToArn(role, "kafka-cluster:WriteData", under("topic", "events"), `a topic of ${name}`),
        c.roleToArn(role, "kafka-cluster:ReadData", under("topic", "events"), `a topic of ${name}`),
        c.roleToArn(role, "kafka-cluster:AlterGroup", under("group", "consumers"), `a consumer group of ${name}`),
      ];
      out.push(makeFlow(`service:${t.name}->kafka:${name}`, "service-kafka", `service ${t.name}`, `Kafka ${name}`, hops));
    }
  }
  return out;
}
