/**
 * The optional Kafka cluster (Amazon MSK) of layer 03: config refusals in the kit's format, the
 * business suite's prod cluster (two small provisioned brokers: KMS at rest, TLS in transit and in
 * the cluster, IAM only, broker logs; data subnets, its own security group admitting the application
 * tasks only, kafka-cluster grants on the api task role only), the serverless form (the default),
 * nothing in other environments, and the flow proof of service -> Kafka (broken without the
 * egress rule or without the grant).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, formatProblem } from "../core/config/errors";
import { networkAclPlan } from "../core/config/network-acls";
import { loadConfigFile } from "../core/config/loader";
import { DatabaseStack } from "../layers/03-database/stack";
import { MonitoringStack } from "../layers/10-monitoring/stack";
import { KAFKA_CLIENT_ACTIONS } from "../modules/kafka-cluster";
import { proveFlows } from "../tools/review/flows/index";
import { environmentInfo, flowFacts } from "../tools/review/index";
import { EnvModel, type StackInput } from "../tools/review/model";
import { discoverEnvironments } from "../tools/lib/environments";
import { synthesizedStacks } from "./fixtures/synth-cache";
import { env, ENVIRONMENTS, resource, resources, synth, type TerraformJson } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
const DIR = "__tests__/fixtures/config/kafka";
const REMOTE = (layer: string, output: string) => `\${data.terraform_remote_state.${layer}.outputs.${output}}`;
const load = (file: string) => loadConfigFile(file, ROOT).config;

function refused(fixture: string): string[] {
  try {
    load(path.join(DIR, fixture));
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map(formatProblem);
    throw e;
  }
  throw new Error(`expected ${fixture} to be refused`);
}

describe("kafka config", () => {
  it("off by default in every PetClinic environment", () => {
    for (const name of ENVIRONMENTS) expect(env(name).kafka).toMatchObject({ enabled: false, mode: "serverless", clients: [] });
  });

  it("refuses unknown and repeated clients (did-you-mean), and a cluster nothing uses", () => {
    expect(refused("clients.yaml")).toEqual([
      `${DIR}/clients.yaml:4:13 kafka.clients[0]: expected a service of services (customers), found unknown service "customer" (did you mean customers?)`,
      `${DIR}/clients.yaml:4:34 kafka.clients[2]: expected each service once, found duplicate "customers"`,
    ]);
    expect(refused("no-clients.yaml")).toEqual([
      `${DIR}/no-clients.yaml:2:1 kafka.clients: expected at least one service that uses the cluster (nothing else can reach it), found none`,
    ]);
  });

  it("refuses an unknown mode, an instance type without kafka., too many brokers per AZ", () => {
    expect(refused("bad-values.yaml")).toEqual([
      `${DIR}/bad-values.yaml:4:3 kafka.mode: expected one of "serverless", "provisioned", found "dedicated"`,
      `${DIR}/bad-values.yaml:7:5 kafka.provisioned.instanceType: expected an MSK broker instance type such as kafka.t3.small or kafka.m7g.large, found "t3.small"`,
      `${DIR}/bad-values.yaml:8:5 kafka.provisioned.brokersPerAz: expected brokers per AZ: a whole number from 1 to 4, found number 5`,
    ]);
  });

  it("with network ACLs on, the data subnets' ACL admits 9098 from the app subnets (and the app ACL lets it out)", () => {
    const cfg = load(path.join(DIR, "acls.yaml"));
    const plan = networkAclPlan(cfg);
    const kafka = (tier: "app" | "data", egress: boolean) =>
      plan[tier].filter((r) => r.egress === egress && r.from === 9098 && r.to === 9098);
    expect(kafka("data", false).length).toBe(cfg.aws.azs.length);
    expect(kafka("data", false).every((r) => r.number >= 1500 && r.number < 1600)).toBe(true);
    // Egress from the app subnets to the data subnets on 9098 (the ephemeral rule does not reach below 1024 only: 9098 >= 1024 may ride it).
    expect(plan.app.some((r) => r.egress && r.from <= 9098 && r.to >= 9098)).toBe(true);
  });
});

describe("examples/business-suite prod: two small brokers for the api service", () => {
  const cfg = load("examples/business-suite/prod.yaml");
  const { tf } = synth(DatabaseStack, cfg);

  it("one kafka.t3.small broker per AZ in the data subnets: KMS at rest, TLS only, IAM only, broker logs; kept on destroy", () => {
    expect(resource(tf, "aws_msk_cluster", "kafka")).toMatchObject({
      cluster_name: "bsuite-prod",
      kafka_version: "3.6.0",
      number_of_broker_nodes: 2,
      broker_node_group_info: {
        instance_type: "kafka.t3.small",
        client_subnets: REMOTE("network", "data_subnet_ids"),
        security_groups: ["${aws_security_group.kafka_security_group.id}"],
        storage_info: { ebs_storage_info: { volume_size: 50 } },
      },
      encryption_info: {
        encryption_at_rest_kms_key_arn: REMOTE("security", "kms_key_arns.data"),
        encryption_in_transit: { client_broker: "TLS", in_cluster: true },
      },
      client_authentication: { sasl: { iam: true, scram: false }, unauthenticated: false },
      logging_info: { broker_logs: { cloudwatch_logs: { enabled: true, log_group: "${aws_cloudwatch_log_group.kafka_logs.name}" } } },
      lifecycle: { prevent_destroy: true },
    });
    expect(resource(tf, "aws_cloudwatch_log_group", "kafka_logs")).toMatchObject({
      name: "/aws/msk/bsuite-prod",
      kms_key_id: REMOTE("security", "kms_key_arns.logs"),
    });
  });

  it("the group admits the application tasks on 9098 only and has no egress; the tasks get the matching egress", () => {
    expect(resources(tf, "aws_vpc_security_group_ingress_rule")).toEqual({
      kafka_security_group_iam_from_clients: expect.objectContaining({
        security_group_id: "${aws_security_group.kafka_security_group.id}",
        referenced_security_group_id: REMOTE("security", "app_security_group_id"),
        from_port: 9098,
        to_port: 9098,
        ip_protocol: "tcp",
      }),
    });
    expect(resource(tf, "aws_vpc_security_group_egress_rule", "kafka_clients_iam_to_kafka")).toMatchObject({
      security_group_id: REMOTE("security", "app_security_group_id"),
      referenced_security_group_id: "${aws_security_group.kafka_security_group.id}",
      from_port: 9098,
    });
  });

  it("grants the api task role the client actions on this cluster, its topics and groups only", () => {
    const p = resource(tf, "aws_iam_role_policy", "kafka_access_api");
    expect(p.role).toBe(REMOTE("security", "task_role_names.api"));
    const base = "arn:aws:kafka:us-west-2:444455556666";
    expect(JSON.parse(String(p.policy)).Statement.map((s: { Action: string[]; Resource: string }) => [s.Action, s.Resource])).toEqual([
      [[...KAFKA_CLIENT_ACTIONS.cluster], `${base}:cluster/bsuite-prod/*`],
      [[...KAFKA_CLIENT_ACTIONS.topic], `${base}:topic/bsuite-prod/*/*`],
      [[...KAFKA_CLIENT_ACTIONS.group], `${base}:group/bsuite-prod/*/*`],
    ]);
    expect(Object.keys(resources(tf, "aws_iam_role_policy")).filter((k) => k.startsWith("kafka"))).toEqual(["kafka_access_api"]);
  });

  it("publishes the SASL/IAM bootstrap brokers in Parameter Store", () => {
    expect(resource(tf, "aws_ssm_parameter", "kafka_parameters_bootstrap_brokers")).toMatchObject({
      name: "/bsuite/prod/kafka/bootstrap-brokers",
      value: "${aws_msk_cluster.kafka.bootstrap_brokers_sasl_iam}",
    });
  });

  it("dev has no cluster", () => {
    const dev = synth(DatabaseStack, load("examples/business-suite/dev.yaml")).tf;
    expect(resources(dev, "aws_msk_cluster")).toEqual({});
    // Nothing of Kafka but the (empty) contract output.
    const { output, ...rest } = dev as TerraformJson & { output?: Record<string, { value: unknown }> };
    expect(JSON.stringify(rest)).not.toContain("kafka");
    expect(output?.kafka_cluster_name.value).toBe("");
  });

  it("publishes the cluster's name for layer 10's alarms", () => {
    expect((tf as { output?: Record<string, { value: unknown }> }).output?.kafka_cluster_name.value).toBe(
      "${aws_msk_cluster.kafka.cluster_name}",
    );
  });
});

describe("monitoring: a provisioned cluster's health alarms (monitoring.alarms.kafka)", () => {
  const mon = synth(MonitoringStack, load("examples/business-suite/prod.yaml")).tf;
  const alarms = resources(mon, "aws_cloudwatch_metric_alarm");
  const cluster = REMOTE("database", "kafka_cluster_name");

  it("alarms on offline partitions (CRITICAL topic) and a missing controller, on the name layer 03 publishes", () => {
    expect(alarms.kafka_offline_partitions).toMatchObject({
      namespace: "AWS/Kafka",
      metric_name: "OfflinePartitionsCount",
      dimensions: { "Cluster Name": cluster },
      comparison_operator: "GreaterThanThreshold",
      threshold: 0,
    });
    expect(alarms.kafka_active_controller).toMatchObject({
      metric_name: "ActiveControllerCount",
      comparison_operator: "LessThanThreshold",
      threshold: 1,
      treat_missing_data: "breaching",
    });
  });

  it("alarms on the fullest broker's data volume: one query per broker (2 = 1 per AZ x 2 AZs)", () => {
    const disk = alarms.kafka_disk_used as { metric_query: { id: string; metric?: { dimensions: Record<string, string> } }[] };
    const brokers = disk.metric_query.filter((q) => q.metric).map((q) => q.metric!.dimensions);
    expect(brokers).toEqual([
      { "Cluster Name": cluster, "Broker ID": "1" },
      { "Cluster Name": cluster, "Broker ID": "2" },
    ]);
  });

  it("none without a provisioned cluster (dev: no Kafka; MSK Serverless publishes no cluster health metrics)", () => {
    const dev = resources(synth(MonitoringStack, load("examples/business-suite/dev.yaml")).tf, "aws_cloudwatch_metric_alarm");
    expect(Object.keys(dev).filter((a) => a.startsWith("kafka_"))).toEqual([]);
    const serverless = resources(synth(MonitoringStack, load(path.join(DIR, "serverless.yaml"))).tf, "aws_cloudwatch_metric_alarm");
    expect(Object.keys(serverless).filter((a) => a.startsWith("kafka_"))).toEqual([]);
  });
});

describe("other shapes", () => {
  it("provisioned: brokersPerAz x AZs brokers of the configured type and storage", () => {
    const { tf } = synth(DatabaseStack, load(path.join(DIR, "valid.yaml")));
    expect(resource(tf, "aws_msk_cluster", "kafka")).toMatchObject({
      number_of_broker_nodes: 4,
      broker_node_group_info: { instance_type: "kafka.m7g.large", storage_info: { ebs_storage_info: { volume_size: 100 } } },
    });
  });

  it("serverless (the default mode): IAM over TLS only, in the data subnets behind its own group, no broker logs", () => {
    const { tf } = synth(DatabaseStack, load(path.join(DIR, "serverless.yaml")));
    expect(resource(tf, "aws_msk_serverless_cluster", "kafka")).toMatchObject({
      cluster_name: "petclinic-dev",
      client_authentication: { sasl: { iam: { enabled: true } } },
      vpc_config: [
        { subnet_ids: REMOTE("network", "data_subnet_ids"), security_group_ids: ["${aws_security_group.kafka_security_group.id}"] },
      ],
    });
    expect(resources(tf, "aws_msk_cluster")).toEqual({});
    expect(resources(tf, "aws_cloudwatch_log_group").kafka_logs).toBeUndefined();
    expect(resource(tf, "aws_ssm_parameter", "kafka_parameters_bootstrap_brokers").value).toBe(
      "${aws_msk_serverless_cluster.kafka.bootstrap_brokers_sasl_iam}",
    );
  });
});

describe("flow proof: service -> Kafka", () => {
  const ref = discoverEnvironments().find((e) => e.file.endsWith(path.join("business-suite", "prod.yaml")))!;
  const config = load(ref.file);
  const inputs = synthesizedStacks(config) as StackInput[];
  const facts = flowFacts(environmentInfo(config, ref));
  const without = (type: string, name: string): StackInput[] =>
    inputs.map((s) => {
      const tf = JSON.parse(JSON.stringify(s.tf));
      if (tf.resource?.[type]?.[name]) delete tf.resource[type][name];
      return { ...s, tf };
    });
  const kafkaFlow = (stacks: StackInput[]) =>
    proveFlows(new EnvModel(stacks), facts).flows.find((f) => f.id === "service:api->kafka:bsuite-prod");

  it("holds: both security group rules, TLS, Connect, WriteData, ReadData, AlterGroup", () => {
    const f = kafkaFlow(inputs)!;
    expect(f.status).toBe("ok");
    expect(f.hops.map((h) => h.name)).toEqual([
      "sg egress app -> kafka_security_group :9098",
      "sg ingress kafka_security_group <- app :9098",
      "TLS to the brokers",
      "api_task kafka-cluster:Connect cluster bsuite-prod",
      "api_task kafka-cluster:WriteData a topic of bsuite-prod",
      "api_task kafka-cluster:ReadData a topic of bsuite-prod",
      "api_task kafka-cluster:AlterGroup a consumer group of bsuite-prod",
    ]);
  });

  it("breaks at the egress hop without the tasks' egress rule", () => {
    expect(kafkaFlow(without("aws_vpc_security_group_egress_rule", "kafka_clients_iam_to_kafka"))!.broken).toMatchObject({
      kind: "network",
      hop: "sg egress app -> kafka_security_group :9098",
    });
  });

  it("breaks at the TLS hop when clients may connect in plaintext", () => {
    const plaintext = inputs.map((st) => {
      const tf = JSON.parse(JSON.stringify(st.tf));
      const msk = tf.resource?.aws_msk_cluster?.kafka;
      if (msk) msk.encryption_info.encryption_in_transit.client_broker = "TLS_PLAINTEXT";
      return { ...st, tf };
    });
    expect(kafkaFlow(plaintext)!.broken).toMatchObject({ kind: "credentials", hop: "TLS to the brokers" });
  });

  it("without the grant the service is no client: no flow", () => {
    expect(kafkaFlow(without("aws_iam_role_policy", "kafka_access_api"))).toBeUndefined();
  });

  describe("with network ACLs on (network.networkAcls)", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kafka-acls-"));
    const variant = path.join(dir, "prod-acls.yaml");
    fs.writeFileSync(variant, `extends: ${JSON.stringify(ref.file)}\nnetwork:\n  networkAcls: { enabled: true }\n`);
    const aclConfig = loadConfigFile(variant, ROOT).config;
    const aclInputs = synthesizedStacks(aclConfig) as StackInput[];
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const aclFlow = (stacks: StackInput[]) =>
      proveFlows(new EnvModel(stacks), flowFacts(environmentInfo(aclConfig, ref))).flows.find(
        (f) => f.id === "service:api->kafka:bsuite-prod",
      );

    it("holds through the subnets' ACLs both ways", () => {
      const f = aclFlow(aclInputs)!;
      expect(f.status).toBe("ok");
      expect(f.hops.filter((h) => h.kind === "network").length).toBeGreaterThan(2);
    });

    it("breaks at an ACL hop without the data ACL's 9098 rule (negative case)", () => {
      const stripped = aclInputs.map((st) => {
        const tf = JSON.parse(JSON.stringify(st.tf));
        for (const [name, rule] of Object.entries(
          (tf.resource?.aws_network_acl_rule ?? {}) as Record<string, { from_port: number; egress: boolean }>,
        )) {
          if (rule.from_port === 9098 && !rule.egress) delete tf.resource.aws_network_acl_rule[name];
        }
        return { ...st, tf };
      });
      expect(aclFlow(stripped)!.broken).toMatchObject({ kind: "network" });
    });
  });
});
