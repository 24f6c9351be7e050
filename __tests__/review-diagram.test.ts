/**
 * The review's Mermaid diagram on fixtures: sanitized ids, escaped labels, wiring, deterministic
 * output. The real environments are drawn in review-environments.test.ts.
 */
import { mermaidDiagram, sanitizeId } from "../tools/review/diagram";
import { EnvModel } from "../tools/review/model";
import { ref, remoteState, res, stack } from "./fixtures/review/build";

const stacks = () => [
  stack("application", [
    res("aws_lb.lb", { name: 'the "front" door', load_balancer_type: "application", internal: true }),
    res("aws_lb_listener.l", { load_balancer_arn: ref("aws_lb.lb", "arn") }),
    res("aws_lb_target_group.tg", {}),
    res("aws_lb_listener_rule.rule", { listener_arn: ref("aws_lb_listener.l", "arn"), action: [{ type: "forward", target_group_arn: ref("aws_lb_target_group.tg", "arn") }] }),
    res("aws_ecs_service.api", { name: "api", desired_count: 2, load_balancer: [{ target_group_arn: ref("aws_lb_target_group.tg", "arn") }] }),
  ], { ...remoteState("network", "01", "network") }),
  stack("cloud-map", [res("aws_service_discovery_private_dns_namespace.ns", { name: "p.local" })]),
  stack("network", [res("aws_vpc.vpc", { cidr_block: "10.0.0.0/16" }), res("aws_subnet.a", { availability_zone: "us-west-2a", tags: { Tier: "app" } })], {
    output: { vpc_id: { value: ref("aws_vpc.vpc") } },
  }),
];

describe("diagram", () => {
  it("sanitizes ids", () => {
    expect(sanitizeId("n_cloud-map_aws_x.y-z")).toBe("n_cloud_map_aws_x_y_z");
  });

  it("draws layers in order as subgraphs, escapes labels, and the load balancer to its service", () => {
    const text = mermaidDiagram(new EnvModel(stacks()));
    expect(text).toContain('  subgraph L01_network["01 network"]\n');
    expect(text.indexOf("L01_network[")).toBeLessThan(text.indexOf("L05_cloud_map["));
    expect(text.indexOf("L05_cloud_map[")).toBeLessThan(text.indexOf("L07_application["));
    expect(text).toContain('n_application_aws_lb_lb["ALB the #quot;front#quot; door (internal)"]');
    expect(text).toContain("  n_application_aws_lb_lb --> n_application_aws_ecs_service_api\n");
    expect(text).toContain('n_cloud_map_aws_service_discovery_private_dns_namespace_ns["Cloud Map p.local"]');
    expect(text).toContain('n_network_aws_vpc_vpc["VPC 10.0.0.0/16<br/>1 subnets (app) in 1 AZs"]');
  });

  it("is deterministic: the same text whatever order the stacks come in", () => {
    const a = mermaidDiagram(new EnvModel(stacks()));
    expect(mermaidDiagram(new EnvModel([...stacks()].reverse()))).toBe(a);
    expect(mermaidDiagram(new EnvModel(stacks()))).toBe(a);
  });
});
