/**
 * The review's Mermaid diagram on fixtures: sanitized ids, escaped labels, wiring, deterministic
 * output. The real environments are drawn in review-environments.test.ts.
 */
import { layerDiagrams, mermaidDiagram, sanitizeId } from "../tools/review/diagram";
import { EnvModel } from "../tools/review/model";
import { ref, remoteState, res, stack } from "./fixtures/review/build";

const stacks = () => [
  stack(
    "application",
    [
      res("aws_lb.lb", { name: 'the "front" door', load_balancer_type: "application", internal: true }),
      res("aws_lb_listener.l", { load_balancer_arn: ref("aws_lb.lb", "arn") }),
      res("aws_lb_target_group.tg", {}),
      res("aws_lb_listener_rule.rule", {
        listener_arn: ref("aws_lb_listener.l", "arn"),
        action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group.tg", "arn") }],
      }),
      res("aws_ecs_service.api", {
        name: "api",
        desired_count: 2,
        load_balancer: [{ target_group_arn: ref("aws_lb_target_group.tg", "arn") }],
      }),
    ],
    { ...remoteState("network", "01", "network") },
  ),
  stack("cloud-map", [res("aws_service_discovery_private_dns_namespace.ns", { name: "p.local" })]),
  stack(
    "network",
    [res("aws_vpc.vpc", { cidr_block: "10.0.0.0/16" }), res("aws_subnet.a", { availability_zone: "us-west-2a", tags: { Tier: "app" } })],
    {
      output: { vpc_id: { value: ref("aws_vpc.vpc") } },
    },
  ),
];

describe("diagram", () => {
  it("sanitizes ids", () => {
    expect(sanitizeId("n_cloud-map_aws_x.y-z")).toBe("n_cloud_map_aws_x_y_z");
  });

  it("draws an overview of the layers top to bottom, with what each holds and what each reads", () => {
    const text = mermaidDiagram(new EnvModel(stacks()));
    expect(text.startsWith("flowchart TB\n")).toBe(true);
    expect(text).toContain('  L01_network["<b>01 network</b><br/>VPC 10.0.0.0/16"]\n');
    expect(text.indexOf("L01_network[")).toBeLessThan(text.indexOf("L05_cloud_map["));
    expect(text.indexOf("L05_cloud_map[")).toBeLessThan(text.indexOf("L07_application["));
    expect(text).toContain('  L01_network -.->|"state"| L07_application\n');
    // No resource nodes in the overview: it stays readable at page width.
    expect(text).not.toContain("n_application_aws_lb_lb");
  });

  it("draws each layer with its resources, escaped labels, its wiring and the other layers' resources it is wired to", () => {
    const model = new EnvModel([
      ...stacks(),
      stack("monitoring", [
        res("aws_sns_topic.alarms", { name: "alarms" }),
        res("aws_cloudwatch_metric_alarm.cpu", { alarm_actions: [ref("aws_sns_topic.alarms", "arn")] }),
      ]),
    ]);
    const byLayer = Object.fromEntries(layerDiagrams(model).map((d) => [d.layer, d.text]));
    const app = byLayer.application;
    expect(app.startsWith("flowchart LR\n")).toBe(true);
    expect(app).toContain('  subgraph L07_application["07 application"]\n');
    expect(app).toContain('n_application_aws_lb_lb["ALB the #quot;front#quot; door (internal)"]');
    expect(app).toContain("  n_application_aws_lb_lb --> n_application_aws_ecs_service_api\n");
    expect(byLayer["cloud-map"]).toContain('n_cloud_map_aws_service_discovery_private_dns_namespace_ns["Cloud Map p.local"]');
    expect(byLayer.network).toContain('n_network_aws_vpc_vpc["VPC 10.0.0.0/16<br/>1 subnets (app) in 1 AZs"]');
    expect(byLayer.monitoring).toContain("  n_monitoring_aws_cloudwatch_metric_alarm --> n_monitoring_aws_sns_topic_alarms\n");
    expect(layerDiagrams(model).map((d) => d.layer)).toEqual(["network", "cloud-map", "application", "monitoring"]);
  });

  it("is deterministic: the same text whatever order the stacks come in", () => {
    const a = mermaidDiagram(new EnvModel(stacks()));
    expect(mermaidDiagram(new EnvModel([...stacks()].reverse()))).toBe(a);
    expect(mermaidDiagram(new EnvModel(stacks()))).toBe(a);
    expect(layerDiagrams(new EnvModel([...stacks()].reverse())).map((d) => d.text)).toEqual(
      layerDiagrams(new EnvModel(stacks())).map((d) => d.text),
    );
  });
});
