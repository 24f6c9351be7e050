/**
 * A per-IP rate rule must sit where the client's address is seen. An internal ALB behind the NLB
 * (REST VPC link) or an HTTP API VPC link sees only private proxy addresses: a rate rule there
 * would count every client as one and block them all together, so the regional ACL is never
 * associated with an internal ALB. Where a proxy stands in front of a protected resource (CloudFront
 * before the REST stage, API Gateway before an internet-facing ALB) the proxy's requests are counted
 * per X-Forwarded-For client; CloudFront's own ACL counts viewers by their address.
 */
import { ALL_CONFIGS, anyConfig, resources, synthAll, type TerraformJson } from "./helpers";

type Rule = { name: string; statement: { rate_based_statement?: Record<string, unknown> } };
const rules = (tf: TerraformJson, acl: string): Rule[] => (resources(tf, "aws_wafv2_web_acl")[acl]?.rule as Rule[] | undefined) ?? [];
const rate = (r: Rule[], name: string) => r.find((x) => x.name === name)?.statement.rate_based_statement;

describe.each(ALL_CONFIGS)("%s", (name) => {
  const cfg = anyConfig(name);
  const stacks = synthAll(cfg);
  const on = (layer: string) => layer in stacks;
  const waf = cfg.security.waf.enabled;

  test("the regional ACL is associated with the load balancer only when it is internet-facing", () => {
    if (!on("application")) return;
    const assoc = Object.values(resources(stacks.application, "aws_wafv2_web_acl_association"));
    expect(assoc).toHaveLength(waf && !cfg.application.alb.internal ? 1 : 0);
  });

  test("the REST stage carries the regional ACL, counting CloudFront's requests per forwarded client", () => {
    if (!waf || !on("api-gateway") || cfg.apiGateway.type !== "rest") return;
    expect(Object.values(resources(stacks["api-gateway"], "aws_wafv2_web_acl_association"))).toHaveLength(1);
    const acl = rules(stacks.security, "waf");
    const viaCloudFront = on("frontend") && cfg.frontend.hosting === "s3-cloudfront";
    const proxied = viaCloudFront || (on("application") && !cfg.application.alb.internal);
    const ip = rate(acl, "rate-limit");
    expect(ip).toMatchObject({ aggregate_key_type: "IP", limit: cfg.security.waf.rateLimit });
    const forwarded = rate(acl, "rate-limit-forwarded");
    if (proxied) {
      expect(forwarded).toMatchObject({
        aggregate_key_type: "FORWARDED_IP",
        limit: cfg.security.waf.rateLimit,
        forwarded_ip_config: { header_name: "X-Forwarded-For", fallback_behavior: "MATCH" },
      });
      // The IP rule counts only direct clients (no X-Forwarded-For): never the proxy's addresses.
      expect(JSON.stringify(ip!.scope_down_statement)).toContain('"not_statement"');
      expect(JSON.stringify(ip!.scope_down_statement)).toContain('"x-forwarded-for"');
    } else {
      expect(forwarded).toBeUndefined();
      expect(ip!.scope_down_statement).toBeUndefined();
    }
  });

  test("CloudFront's ACL counts viewers by their own address", () => {
    if (!on("frontend") || cfg.frontend.hosting !== "s3-cloudfront" || !cfg.frontend.cloudfront.waf.enabled) return;
    const r = rate(rules(stacks.frontend, "waf"), "rate-limit");
    expect(r).toMatchObject({ aggregate_key_type: "IP" });
    expect(r!.forwarded_ip_config).toBeUndefined();
  });
});

test("the shipped configurations cover an internal ALB, an internet-facing ALB and an API behind CloudFront", () => {
  const cfgs = ALL_CONFIGS.map(anyConfig);
  expect(cfgs.some((c) => c.application.alb.internal)).toBe(true);
  expect(cfgs.some((c) => !c.application.alb.internal)).toBe(true);
  expect(cfgs.some((c) => c.frontend.hosting === "s3-cloudfront")).toBe(true);
});
