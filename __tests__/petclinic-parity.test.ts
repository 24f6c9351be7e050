/**
 * The default system against its seed (Spring PetClinic on AWS, seeds/003): one test per point the
 * seed states, on the synthesized Terraform of the dev environment (the seed's /petclinic/dev/*).
 */
import { BOOTSTRAP_STACK } from "../core/registry";
import { synthesizeEnvironment } from "./fixtures/all-environments";
import { env, policy, type TerraformJson } from "./helpers";

const cfg = env("dev");
/** The layer stacks of dev by layer name, as cdktf's Testing.synth() gives them (the run's one synthesis of dev). */
const stacks: Record<string, TerraformJson> = Object.fromEntries(
  [...synthesizeEnvironment("dev", cfg).stacks].filter(([name]) => name !== BOOTSTRAP_STACK),
);

function all(layer: string, type: string): Record<string, Record<string, unknown>> {
  const tf = stacks[layer];
  if (!tf) throw new Error(`no ${layer} stack; built: ${Object.keys(stacks).join(", ")}`);
  return tf.resource?.[type] ?? {};
}
const values = (layer: string, type: string) => Object.values(all(layer, type));

describe("Spring PetClinic parity with the seed (dev)", () => {
  it("runs in us-west-2", () => {
    for (const tf of Object.values(stacks)) expect(tf.provider!.aws[0].region).toBe("us-west-2");
  });

  it("has VPC 10.0.0.0/16 with public 10.0.1-2, app 10.0.3-4 and data 10.0.5-6 /24 subnets in two AZs", () => {
    expect(values("network", "aws_vpc").map((v) => v.cidr_block)).toEqual(["10.0.0.0/16"]);
    const byTier = (tier: string) =>
      values("network", "aws_subnet")
        .filter((s) => (s.tags as Record<string, string>).Tier === tier)
        .map((s) => `${s.availability_zone} ${s.cidr_block}`)
        .sort();
    expect(byTier("public")).toEqual(["us-west-2a 10.0.1.0/24", "us-west-2b 10.0.2.0/24"]);
    expect(byTier("app")).toEqual(["us-west-2a 10.0.3.0/24", "us-west-2b 10.0.4.0/24"]);
    expect(byTier("data")).toEqual(["us-west-2a 10.0.5.0/24", "us-west-2b 10.0.6.0/24"]);
  });

  it("has a NAT gateway per AZ", () => {
    expect(
      values("network", "aws_nat_gateway")
        .map((n) => n.subnet_id)
        .sort(),
    ).toEqual(["${aws_subnet.vpc_public_us_west_2a.id}", "${aws_subnet.vpc_public_us_west_2b.id}"]);
  });

  it("has the VPC endpoints the seed names: ECR, Logs, SSM, Secrets Manager, KMS, X-Ray", () => {
    const services = values("network", "aws_vpc_endpoint")
      .filter((e) => e.vpc_endpoint_type === "Interface")
      .map((e) => String(e.service_name).replace("com.amazonaws.us-west-2.", ""));
    expect(services).toEqual(expect.arrayContaining(["ecr.api", "ecr.dkr", "logs", "ssm", "secretsmanager", "kms", "xray"]));
  });

  it("has the seed's subnet-level firewall: a network ACL per tier; the data tier takes only MySQL from the app subnets", () => {
    const assoc = values("network", "aws_network_acl_association").map((a) => `${a.network_acl_id} ${a.subnet_id}`);
    for (const tier of ["public", "app", "data"]) {
      for (const az of ["us_west_2a", "us_west_2b"])
        expect(assoc).toContain(`\${aws_network_acl.${tier}.id} \${aws_subnet.vpc_${tier}_${az}.id}`);
    }
    const dataIn = values("network", "aws_network_acl_rule")
      .filter((r) => r.network_acl_id === "${aws_network_acl.data.id}" && r.egress === false)
      .map((r) => `${r.from_port}-${r.to_port} ${r.cidr_block}`)
      .sort();
    expect(dataIn).toEqual(["3306-3306 10.0.3.0/24", "3306-3306 10.0.4.0/24"]);
  });

  it("runs Aurora MySQL Serverless v2 with a writer and a reader in different AZs at 0.5-1.0 ACU", () => {
    const [cluster] = values("database", "aws_rds_cluster");
    expect(cluster.engine).toBe("aurora-mysql");
    expect(cluster.serverlessv2_scaling_configuration).toEqual({ min_capacity: 0.5, max_capacity: 1 });
    const instances = values("database", "aws_rds_cluster_instance");
    expect(instances).toHaveLength(2);
    expect(instances.map((i) => i.instance_class)).toEqual(["db.serverless", "db.serverless"]);
    expect(new Set(instances.map((i) => i.availability_zone)).size).toBe(2);
  });

  it("rotates the master secret every 30 days and keeps backups 7 days", () => {
    const [rotation] = values("database", "aws_secretsmanager_secret_rotation");
    expect(rotation.rotation_rules).toMatchObject({ schedule_expression: "rate(30 days)" });
    expect(values("database", "aws_rds_cluster")[0].backup_retention_period).toBe(7);
  });

  it("keeps application configuration under /petclinic/dev/* in Parameter Store (replacing Spring Cloud Config)", () => {
    const names = values("parameters", "aws_ssm_parameter").map((p) => String(p.name));
    expect(names.length).toBeGreaterThan(10);
    for (const n of names) expect(n).toMatch(/^\/petclinic\/dev\//);
    expect(names).toEqual(expect.arrayContaining(["/petclinic/dev/database/url", "/petclinic/dev/vets/vets/cache/ttl"]));
  });

  it("registers customers, vets, visits and admin-server in Cloud Map (replacing Eureka)", () => {
    expect(values("cloud-map", "aws_service_discovery_private_dns_namespace").map((n) => n.name)).toEqual(["petclinic.local"]);
    expect(
      values("cloud-map", "aws_service_discovery_service")
        .map((s) => s.name)
        .sort(),
    ).toEqual(["admin-server", "customers", "vets", "visits"]);
  });

  it("answers GenAI questions with Bedrock Claude 3 Haiku", () => {
    const [fn] = values("lambda-genai", "aws_lambda_function");
    expect((fn.environment as { variables: Record<string, string> }).variables).toMatchObject({
      MODEL_ID: "anthropic.claude-3-haiku-20240307-v1:0",
    });
    const grants = values("lambda-genai", "aws_iam_role_policy").flatMap((p) => policy(p.policy).Statement);
    expect(JSON.stringify(grants)).toContain("foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
  });

  it("runs the four services on Fargate at 256 CPU / 512 MiB, scaling 1-4 tasks at 70 % CPU", () => {
    const tasks = values("application", "aws_ecs_task_definition");
    expect(tasks).toHaveLength(4);
    for (const t of tasks) expect([t.cpu, t.memory, t.requires_compatibilities]).toEqual(["256", "512", ["FARGATE"]]);
    const targets = values("application", "aws_appautoscaling_target");
    expect(targets).toHaveLength(4);
    for (const t of targets) expect([t.min_capacity, t.max_capacity]).toEqual([1, 4]);
    const cpu = values("application", "aws_appautoscaling_policy").filter(
      (p) =>
        (p.target_tracking_scaling_policy_configuration as Record<string, Record<string, string>>).predefined_metric_specification
          .predefined_metric_type === "ECSServiceAverageCPUUtilization",
    );
    expect(cpu.map((p) => (p.target_tracking_scaling_policy_configuration as Record<string, number>).target_value)).toEqual([
      70, 70, 70, 70,
    ]);
  });

  it("fronts the API with a REST API: /api/customers, /api/vets, /api/visits and /admin to the load balancer, /api/genai/* to the function", () => {
    expect(values("api-gateway", "aws_api_gateway_rest_api")).toHaveLength(1);
    const paths = values("api-gateway", "aws_api_gateway_resource")
      .map((r) => r.path_part)
      .sort();
    expect(paths).toEqual(["admin", "api", "customers", "genai", "vets", "visits", ...Array(5).fill("{proxy+}")]);
    const integrations = values("api-gateway", "aws_api_gateway_integration");
    // MOCK integrations answer the CORS preflight (OPTIONS) that dev configures for localhost.
    expect(integrations.filter((i) => i.type === "AWS_PROXY").map((i) => i.uri)).toEqual(
      Array(2).fill("${data.terraform_remote_state.lambda_genai.outputs.alias_invoke_arn}"),
    );
    const toAlb = integrations.filter((i) => i.type === "HTTP_PROXY");
    expect(toAlb).toHaveLength(8);
    for (const i of toAlb) expect(i.connection_type).toBe("VPC_LINK");
    expect(toAlb.map((i) => String(i.uri).replace(/^[a-z]+:\/\/[^/]+/, "")).sort()).toEqual([
      "/admin",
      "/admin/{proxy}",
      "/api/customers",
      "/api/customers/{proxy}",
      "/api/vets",
      "/api/vets/{proxy}",
      "/api/visits",
      "/api/visits/{proxy}",
    ]);
    expect(values("api-gateway", "aws_api_gateway_method_settings")[0].settings).toMatchObject({
      throttling_rate_limit: 1000,
      throttling_burst_limit: 2000,
    });
  });

  it("observes with CloudWatch alarms and dashboards and traces with X-Ray", () => {
    expect(values("monitoring", "aws_cloudwatch_metric_alarm").length).toBeGreaterThan(10);
    expect(values("monitoring", "aws_cloudwatch_dashboard").length).toBeGreaterThan(0);
    expect(values("monitoring", "aws_xray_sampling_rule")).toHaveLength(1);
    expect(values("lambda-genai", "aws_lambda_function")[0].tracing_config).toEqual({ mode: "Active" });
    expect(values("api-gateway", "aws_api_gateway_stage")[0].xray_tracing_enabled).toBe(true);
  });

  it("serves the Angular front end from a private S3 bucket through CloudFront", () => {
    expect(values("frontend", "aws_cloudfront_distribution")).toHaveLength(1);
    expect(values("frontend", "aws_cloudfront_origin_access_control")).toHaveLength(1);
    const blocks = values("frontend", "aws_s3_bucket_public_access_block");
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) expect(b.restrict_public_buckets).toBe(true);
  });

  it("notifies Slack of alarms", () => {
    const chatbot = values("notification", "aws_chatbot_slack_channel_configuration");
    expect(chatbot).toHaveLength(1);
    expect(JSON.stringify(chatbot[0].sns_topic_arns)).toContain("monitoring");
  });
});
