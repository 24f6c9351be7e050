/**
 * The review over the default system's real environments, each synthesized once for this file (no
 * Terraform): the prod gate, the cost worked example checked by hand, the loss of one AZ (dev with a
 * single NAT gateway fails, prod survives), the diagram, and prod against staging.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { analyseAvailability } from "../tools/review/availability";
import { estimateCost, usageFor, type PriceTable } from "../tools/review/cost";
import { layerDiagrams, mermaidDiagram, sanitizeId } from "../tools/review/diagram";
import { diffEnvironments } from "../tools/review/diff";
import { failsGate, reviewModel } from "../tools/review/index";
import { EnvModel } from "../tools/review/model";
import { renderMarkdown } from "../tools/review/report";
import { RULES } from "../tools/review/rules";
import { cleanUp, synthesized } from "./fixtures/review/envs";
import { envWith } from "./helpers";

const PRICES = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "tools", "review", "prices", "us-west-2.json"), "utf8")) as PriceTable;
const price = (key: string) => PRICES.prices[key].usd;
/** dev with a single NAT gateway: the failing configuration of the AZ analysis and the cost worked example. */
const devSingleNat = () => synthesized("dev-single-nat", envWith("dev", { network: { nat: "single" } }));

afterAll(cleanUp);

describe("the prod gate", () => {
  it("prod has no open high finding", () => {
    const prod = synthesized("prod");
    const review = reviewModel(prod.model, prod.info);
    const high = review.policy.findings.filter((f) => f.severity === "high" && !f.suppressed);
    expect(high.map((f) => `${f.rule} ${f.layer}/${f.address}: ${f.message}`)).toEqual([]);
    expect(failsGate(review, "high")).toBe(false);
  });

  it("runs every rule over every layer of dev, staging and prod, and renders the report", () => {
    for (const name of ["dev", "staging", "prod"]) {
      const e = synthesized(name);
      const review = reviewModel(e.model, e.info);
      expect(review.policy.rules).toHaveLength(RULES.length);
      expect(review.policy.rulesEvaluated).toBeGreaterThan(40);
      expect(review.inventory.map((l) => l.layer)).toEqual(e.model.stacks.map((s) => s.name));
      expect(renderMarkdown(review)).toContain(`# Review: ${name}`);
    }
  });
});

describe("cost worked example: NAT gateway and interface endpoints of dev with a single NAT gateway", () => {
  it("matches the price file by hand: 1 NAT + its public IPv4 + one endpoint per service and AZ, 730 hours", () => {
    const dev = devSingleNat();
    const services = dev.config.network.interfaceEndpoints;
    const azs = dev.config.aws.azs;
    expect(azs).toEqual(["us-west-2a", "us-west-2b"]);

    // By hand, with the seed's 7 endpoints: NAT 0.045 * 730 = 32.85; its address 0.005 * 730 = 3.65;
    // endpoints 7 * 2 * 0.01 * 730 = 102.20; together 138.70 USD a month.
    const byHand =
      1 * price("nat.hour") * 730 +
      1 * price("publicIpv4.hour") * 730 +
      services.length * azs.length * price("vpcEndpoint.interface.azHour") * 730;
    if (services.length === 7) expect(byHand).toBeCloseTo(138.7, 2);

    const cost = estimateCost(dev.model, "us-west-2", usageFor("dev", "dev"));
    const network = cost.items.filter(
      (i) => i.layer === "network" && ["nat.hour", "publicIpv4.hour", "vpcEndpoint.interface.azHour"].includes(i.priceKey),
    );
    expect(network.map((i) => i.addresses[0]).sort()).toEqual(
      [
        "aws_eip.vpc_nat_us_west_2a_eip",
        "aws_nat_gateway.vpc_nat_us_west_2a",
        ...services.map((s) => `aws_vpc_endpoint.endpoints_${s.replace(/[.-]/g, "_")}`),
      ].sort(),
    );
    expect(network.reduce((n, i) => n + i.monthlyUsd, 0)).toBeCloseTo(byHand, 2);
    expect(network.every((i) => i.basis === "fixed")).toBe(true);
    // Gateway endpoints (s3, dynamodb) are free and not listed.
    expect(cost.items.some((i) => i.addresses.includes("aws_vpc_endpoint.endpoints_s3"))).toBe(false);
  });

  it("prices prod's NAT gateway per AZ, Fargate tasks at their minimum and Aurora Serverless v2 at its minimum ACUs", () => {
    const prod = synthesized("prod");
    const cost = estimateCost(prod.model, "us-west-2", usageFor("prod", "prod"));
    const sum = (pred: (i: (typeof cost.items)[number]) => boolean) => cost.items.filter(pred).reduce((n, i) => n + i.monthlyUsd, 0);
    expect(sum((i) => i.priceKey === "nat.hour")).toBeCloseTo(prod.config.aws.azs.length * 0.045 * 730, 2);
    // Each service: minCount tasks x (cpu, memory) of its task size, x86.
    const fargate = Object.values(prod.config.services).reduce(
      (n, s) =>
        n + s.minCount * ((s.cpu / 1024) * price("fargate.x86_64.vcpuHour") + (s.memory / 1024) * price("fargate.x86_64.gbHour")) * 730,
      0,
    );
    expect(sum((i) => i.priceKey.startsWith("fargate."))).toBeCloseTo(fargate, 1);
    // Writer and readers at the minimum ACU each.
    const instances = 1 + prod.config.database.readers;
    expect(sum((i) => i.priceKey === "aurora.serverlessV2.acuHour")).toBeCloseTo(
      instances * prod.config.database.serverless.minCapacity * price("aurora.serverlessV2.acuHour") * 730,
      2,
    );
    expect(cost.layers.reduce((n, l) => n + l.totalUsd, 0)).toBeCloseTo(cost.totals.totalUsd, 1);
    expect(cost.totals.totalUsd).toBeCloseTo(cost.totals.fixedUsd + cost.totals.usageUsd, 2);
  });
});

describe("loss of one AZ", () => {
  it("dev with a single NAT gateway does not survive, and says which resource breaks it", () => {
    const dev = devSingleNat();
    const report = analyseAvailability(dev.model, dev.config.aws.azs);
    expect(report.survivesAzLoss).toBe(false);
    const message = "aws_nat_gateway.vpc_nat_us_west_2a serves every app route table: losing us-west-2a cuts egress";
    const egress = report.checks.filter((c) => c.area === "egress" && !c.ok);
    expect(egress.map((c) => c.message)).toEqual([message]);
    expect(egress[0].breaksOn).toEqual(["us-west-2a"]);
    expect(report.perAz["us-west-2a"]).toContain(message);
    expect(report.perAz["us-west-2b"]).not.toContain(message);
    // One task per service in dev: each service is named.
    const services = report.checks.filter((c) => c.area === "service" && !c.ok).map((c) => c.address);
    expect(services).toEqual(
      Object.keys(dev.config.services)
        .map((s) => `aws_ecs_service.${s.replace(/-/g, "_")}`)
        .sort(),
    );
  });

  it("prod survives: NAT per AZ, everything in two AZs, two tasks per service, a reader in the other AZ", () => {
    const prod = synthesized("prod");
    const report = analyseAvailability(prod.model, prod.config.aws.azs);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.message)).toEqual([]);
    expect(report.survivesAzLoss).toBe(true);
    expect(report.checks.filter((c) => c.area === "egress").map((c) => c.address)).toEqual([
      "aws_nat_gateway.vpc_nat_us_west_2a",
      "aws_nat_gateway.vpc_nat_us_west_2b",
    ]);
    expect(report.checks.find((c) => c.address === "aws_rds_cluster.aurora")?.message).toMatch(
      /failover to aws_rds_cluster_instance\.aurora_reader_1 \(us-west-2b\)/,
    );
    expect(Object.values(report.perAz).flat()).toEqual([]);
  });
});

describe("diagram", () => {
  it("is the same text every time, whatever order the stacks are read in", () => {
    const prod = synthesized("prod");
    const a = mermaidDiagram(prod.model);
    expect(mermaidDiagram(new EnvModel([...prod.stacks].reverse()))).toBe(a);
    expect(mermaidDiagram(prod.model)).toBe(a);
    expect(layerDiagrams(new EnvModel([...prod.stacks].reverse()))).toEqual(layerDiagrams(prod.model));
  });

  it("overview: one node per stack in layer order, every edge from a layer to a later one (the layout keeps the order)", () => {
    const prod = synthesized("prod");
    const text = mermaidDiagram(prod.model);
    expect(text.startsWith("flowchart TB\n")).toBe(true);
    const ids = prod.model.stacks.map((s) => sanitizeId(`L${s.number === "--" ? "00" : s.number}_${s.name}`));
    expect([...text.matchAll(/^ {2}(L\w+)\["/gm)].map((m) => m[1])).toEqual(ids);
    const edges = [...text.matchAll(/^ {2}(\S+) -\.->(?:\|"[^"]*"\|)? (\S+)$/gm)];
    expect(edges.length).toBeGreaterThan(12);
    for (const m of edges) expect(ids.indexOf(m[1])).toBeLessThan(ids.indexOf(m[2]));
    expect(text).toContain('  L01_network -.->|"app_subnet_ids, vpc_id"| L07_application\n');
  });

  it("one diagram per layer: sanitized, unique node ids, edges only between declared nodes, at most a page of nodes", () => {
    const prod = synthesized("prod");
    const diagrams = layerDiagrams(prod.model);
    expect(diagrams.map((d) => d.layer)).toEqual(prod.model.stacks.map((s) => s.name));
    for (const d of diagrams) {
      expect(d.text.startsWith("flowchart LR\n")).toBe(true);
      const ids = [...d.text.matchAll(/^ {4}(\S+?)[[({]/gm)].map((m) => m[1]);
      for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_]+$/);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBeLessThanOrEqual(40);
      const declared = new Set(ids);
      for (const m of d.text.matchAll(/^ {2}(\S+) (?:-->|-\.->)(?:\|"[^"]*"\|)? (\S+)$/gm))
        expect([declared.has(m[1]), declared.has(m[2])]).toEqual([true, true]);
    }
  });

  it("draws the main path across the layer diagrams: API -> NLB -> ALB -> services -> database, the function and its queue, WAF", () => {
    const text = layerDiagrams(synthesized("prod").model)
      .map((d) => d.text)
      .join("");
    for (const edge of [
      'n_api_gateway_aws_api_gateway_rest_api_api -->|"VPC link"| n_application_aws_lb_api_link_nlb',
      "n_application_aws_lb_api_link_nlb --> n_application_aws_lb_load_balancer",
      "n_application_aws_lb_load_balancer --> n_application_aws_ecs_service_customers",
      "n_application_aws_ecs_service_customers --> n_database_aws_rds_cluster_aurora",
      "n_api_gateway_aws_api_gateway_rest_api_api --> n_lambda_genai_aws_lambda_function_genai",
      'n_lambda_genai_aws_lambda_function_genai -->|"failures"| n_lambda_genai_aws_sqs_queue_genai_dlq',
      'n_security_aws_wafv2_web_acl_waf -.->|"protects"| n_api_gateway_aws_api_gateway_rest_api_api',
    ]) {
      expect(text).toContain(`  ${edge}\n`);
    }
    // Through the VPC link the API reaches the NLB, not the ALB directly.
    expect(text).not.toContain('n_api_gateway_aws_api_gateway_rest_api_api -->|"VPC link"| n_application_aws_lb_load_balancer');
  });
});

describe("prod against staging", () => {
  const diff = () => {
    const prod = synthesized("prod");
    const staging = synthesized("staging");
    return diffEnvironments(
      { id: prod.info.identity, config: prod.config, model: prod.model },
      { id: staging.info.identity, config: staging.config, model: staging.model },
    );
  };

  it("lists config keys that differ with both values; names built from the environment are not differences", () => {
    const d = diff();
    expect([d.a, d.b]).toEqual(["prod", "staging"]);
    expect(d.config).toEqual(
      expect.arrayContaining([
        { path: "environment", a: "prod", b: "staging" },
        { path: "tier", a: "prod", b: "staging" },
        { path: "protection.data", a: true, b: false },
        { path: "logging.retentionDays", a: 365, b: 90 },
        { path: "database.backup.retentionDays", a: 30, b: 7 },
      ]),
    );
    expect(d.config.map((c) => c.path)).not.toContain("apiGateway.backendHost");
  });

  it("summarizes resources per address with the attributes that differ", () => {
    const d = diff();
    expect(d.changed.find((c) => c.id === "database/aws_rds_cluster.aurora")?.changes).toEqual(
      expect.arrayContaining([
        { path: "deletion_protection", a: true, b: false },
        { path: "backup_retention_period", a: 30, b: 7 },
      ]),
    );
    expect(d.changed.find((c) => c.id === "network/aws_vpc.vpc")).toBeUndefined();
    for (const c of d.changed) for (const x of c.changes) expect(JSON.stringify([x.a, x.b])).not.toMatch(/petclinic-(prod|staging)\b/);
  });
});
