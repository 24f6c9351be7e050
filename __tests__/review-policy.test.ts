/**
 * The review's policy engine: references inside and across stacks, offline plan values,
 * suppression by a ReviewException tag or the `//` comment key, tier severities, and the gate
 * (the gate on the real environments is in review-environments.test.ts).
 */
import { defaultFailOn, failsGate, reviewModel } from "../tools/review/index";
import { EnvModel } from "../tools/review/model";
import { exceptionsOf, runPolicy, severityIn, tierSettings, type Rule } from "../tools/review/policy";
import { expressionSpans, refsOf } from "../tools/review/refs";
import { RULES } from "../tools/review/rules";
import { ref, remoteState, res, stack } from "./fixtures/review/build";

const rule = (id: string): Rule => RULES.find((r) => r.id === id)!;
const ctx = (model: EnvModel, tier = "dev") => ({
  model,
  tier,
  settings: tierSettings(tier),
  protection: { data: tier === "prod", availability: tier !== "dev" },
});
const findings = (ids: string[], model: EnvModel, tier = "dev") => runPolicy(ids.map(rule), ctx(model, tier)).findings;

describe("references", () => {
  it("finds the expressions of a string, quote-aware", () => {
    expect(expressionSpans("service/${aws_ecs_cluster.c.name}/${aws_ecs_service.s.name}")).toEqual([
      "aws_ecs_cluster.c.name",
      "aws_ecs_service.s.name",
    ]);
    expect(expressionSpans('${element(regex("^arn:(.+)-[A-Za-z0-9]{6}$", aws_rds_cluster.a.arn), 0)}')).toHaveLength(1);
    expect(expressionSpans("$${literal} and ${a_b.c.d}")).toEqual(["a_b.c.d"]);
  });

  it("parses resource, data and remote-state references with their paths", () => {
    const refs = refsOf({
      a: "${aws_s3_bucket.logs.id}",
      b: '${data.terraform_remote_state.security.outputs.task_role_arns["admin-server"]}',
      c: "${aws_rds_cluster.aurora.master_user_secret[0].secret_arn}",
      d: '${sha1(jsonencode([aws_api_gateway_integration.i.uri, "aws_fake.not_a_ref"]))}',
      "//": { metadata: "${aws_x.ignored.id}" },
    });
    expect(refs).toEqual([
      { kind: "resource", type: "aws_s3_bucket", name: "logs", path: ["id"] },
      { kind: "remote", type: "terraform_remote_state", name: "security", path: ["outputs", "task_role_arns", "admin-server"] },
      { kind: "resource", type: "aws_rds_cluster", name: "aurora", path: ["master_user_secret", "0", "secret_arn"] },
      { kind: "resource", type: "aws_api_gateway_integration", name: "i", path: ["uri"] },
    ]);
  });

  it("resolves a bucket's versioning by reference: ${aws_s3_bucket.x.id} means bucket x is versioned", () => {
    const versioned = new EnvModel([
      stack("application", [
        res("aws_s3_bucket.x", { bucket: "x" }),
        res("aws_s3_bucket.y", { bucket: "y" }),
        res("aws_s3_bucket_versioning.v", { bucket: ref("aws_s3_bucket.x"), versioning_configuration: { status: "Enabled" } }),
      ]),
    ]);
    expect(findings(["PK-S3-003"], versioned).map((f) => f.address)).toEqual(["aws_s3_bucket.y"]);
  });

  it("resolves remote state across stacks: a WAF association in another layer protects the load balancer", () => {
    const app = stack("application", [res("aws_lb.lb", { internal: false, load_balancer_type: "application" })], {
      output: { alb_arn: { value: ref("aws_lb.lb", "arn") } },
    });
    const edge = stack(
      "api-gateway",
      [
        res("aws_wafv2_web_acl_association.a", {
          resource_arn: "${data.terraform_remote_state.application.outputs.alb_arn}",
          web_acl_arn: "arn:waf",
        }),
      ],
      remoteState("application", "07", "application"),
    );
    expect(findings(["PK-ALB-004"], new EnvModel([app, edge]))).toEqual([]);
    expect(findings(["PK-ALB-004"], new EnvModel([app]))).toHaveLength(1);
  });

  it("resolves keyed remote-state outputs to the producer's resource", () => {
    const security = stack("security", [res("aws_kms_key.kms_logs", { enable_key_rotation: true })], {
      output: { kms_key_arns: { value: { logs: ref("aws_kms_key.kms_logs", "arn") } } },
    });
    const db = stack(
      "database",
      [res("aws_cloudwatch_log_group.g", { kms_key_id: "${data.terraform_remote_state.security.outputs.kms_key_arns.logs}" })],
      remoteState("security", "02", "security"),
    );
    const model = new EnvModel([db, security]);
    const group = model.resources("aws_cloudwatch_log_group")[0];
    expect(model.resolve(group.stack, group.config.kms_key_id).map((r) => r.id)).toEqual(["security/aws_kms_key.kms_logs"]);
    expect(model.stacks.map((s) => s.name)).toEqual(["security", "database"]);
    expect(model.stack("database")!.remoteReads).toEqual([{ name: "security", layer: "security", outputs: ["kms_key_arns"] }]);
  });
});

describe("log buckets", () => {
  it("exempts buckets that receive logs from access logging, and CloudFront log buckets from ACLs off", () => {
    const model = new EnvModel([
      stack("monitoring", [
        res("aws_s3_bucket.trail", { bucket: "trail" }),
        res("aws_cloudtrail.t", { s3_bucket_name: ref("aws_s3_bucket.trail") }),
        res("aws_s3_bucket.cf_logs", { bucket: "cf-logs" }),
        res("aws_cloudfront_distribution.d", { logging_config: { bucket: ref("aws_s3_bucket.cf_logs", "bucket_domain_name") } }),
        res("aws_s3_bucket.data", { bucket: "data" }),
      ]),
    ]);
    expect(findings(["PK-S3-005"], model).map((f) => f.address)).toEqual(["aws_s3_bucket.data"]);
    expect(findings(["PK-S3-006"], model).map((f) => f.address)).toEqual(["aws_s3_bucket.data", "aws_s3_bucket.trail"]);
  });
});

describe("offline plan values", () => {
  const tf = stack("network", [res("aws_kms_key.k", { description: "k" })]);
  const plan = {
    resource_changes: [
      { address: "aws_kms_key.k", mode: "managed", change: { after: { description: "k", enable_key_rotation: false, is_enabled: true } } },
    ],
  };

  it("fills what the configuration leaves to the provider", () => {
    const model = new EnvModel([{ ...tf, plan }]);
    expect(findings(["PK-KMS-001"], model)).toHaveLength(1);
    expect(model.resources("aws_kms_key")[0].planned).toBe(true);
    expect(model.stack("network")!.planUsed).toBe(true);
    // Without the plan the rule sees no rotation either (unset is not true), but nothing was filled.
    expect(new EnvModel([tf]).resources("aws_kms_key")[0].planned).toBe(false);
  });

  it("ignores a plan made from another configuration (stale)", () => {
    const stale = { resource_changes: [...plan.resource_changes, { address: "aws_kms_key.gone", mode: "managed", change: { after: {} } }] };
    const model = new EnvModel([{ ...tf, plan: stale }]);
    expect(model.stack("network")!.planUsed).toBe(false);
  });

  it("never lets the plan override the configuration", () => {
    const model = new EnvModel([{ ...stack("network", [res("aws_kms_key.k", { enable_key_rotation: true })]), plan }]);
    expect(findings(["PK-KMS-001"], model)).toEqual([]);
  });
});

describe("deliberate exceptions", () => {
  const open = (attrs: Record<string, unknown>) =>
    new EnvModel([
      stack("security", [
        res("aws_security_group.alb", { description: "alb" }),
        res("aws_vpc_security_group_ingress_rule.alb_https_from_internet", {
          security_group_id: ref("aws_security_group.alb"),
          cidr_ipv4: "0.0.0.0/0",
          ip_protocol: "tcp",
          from_port: 443,
          to_port: 443,
          description: "HTTPS from the internet",
          ...attrs,
        }),
      ]),
    ]);

  it("a ReviewException tag suppresses the finding and carries its reason", () => {
    const [f] = findings(
      ["PK-SG-005"],
      open({ tags: { ReviewException: "PK-SG-005: public entry point of the platform (security.alb.ingressCidrs)" } }),
    );
    expect(f.suppressed).toEqual({ reason: "public entry point of the platform (security.alb.ingressCidrs)", via: "tag" });
  });

  it("one tag may name several rules; a tag per rule works too", () => {
    const r = open({ tags: { ReviewException: "PK-SG-005 PK-SG-006: public entry point" } }).resources(
      "aws_vpc_security_group_ingress_rule",
    )[0];
    expect([...exceptionsOf(r).keys()]).toEqual(["PK-SG-005", "PK-SG-006"]);
    const [f] = findings(["PK-SG-005"], open({ tags: { "ReviewException:PK-SG-005": "public entry point" } }));
    expect(f.suppressed?.reason).toBe("public entry point");
  });

  it("the // comment key suppresses findings on resources that take no tags", () => {
    const model = new EnvModel([
      stack("security", [
        res("aws_iam_role_policy.vpc", {
          role: "r",
          policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: ["ec2:CreateNetworkInterface"], Resource: "*" }] }),
          "//": { metadata: { path: "x" }, review_exceptions: { "PK-IAM-004": "Lambda creates its ENIs in subnets it picks at run time" } },
        }),
      ]),
    ]);
    const [f] = findings(["PK-IAM-004"], model);
    expect(f.suppressed).toEqual({ reason: "Lambda creates its ENIs in subnets it picks at run time", via: "comment" });
  });

  it("a marker without a reason does not suppress, and is reported", () => {
    const result = runPolicy([rule("PK-SG-005")], ctx(open({ tags: { ReviewException: "PK-SG-005" } })));
    expect(result.findings[0].suppressed).toBeUndefined();
    expect(result.exceptionNotes.map((n) => n.problem)).toEqual(["no reason"]);
  });

  it("reports markers naming no rule, and markers whose rule passes (unused)", () => {
    const result = runPolicy(
      RULES,
      ctx(
        open({ cidr_ipv4: "10.0.0.0/8", tags: { ReviewException: "PK-SG-005: was public once", "ReviewException:PK-NOPE-001": "typo" } }),
      ),
    );
    expect(result.exceptionNotes.map((n) => [n.rule, n.problem])).toEqual([
      ["PK-SG-005", "unused"],
      ["PK-NOPE-001", "unknown rule"],
    ]);
  });

  it("ignores provider default_tags: an exception is about one resource", () => {
    const base = open({}).stacks[0];
    const withDefaults = {
      name: base.name,
      tf: { ...base.tf, provider: { aws: [{ default_tags: [{ tags: { ReviewException: "PK-SG-005: everything" } }] }] } },
    };
    expect(findings(["PK-SG-005"], new EnvModel([withDefaults]))[0].suppressed).toBeUndefined();
  });

  it("a suppressed high finding does not fail the gate; an open one does", () => {
    const suppressed = reviewModel(
      open({ from_port: 22, to_port: 22, tags: { ReviewException: "PK-SG-001: bastion, break-glass only" } }),
      info("prod"),
      { rules: [rule("PK-SG-001")] },
    );
    expect(failsGate(suppressed, "high")).toBe(false);
    const opened = reviewModel(open({ from_port: 22, to_port: 22 }), info("prod"), { rules: [rule("PK-SG-001")] });
    expect(failsGate(opened, "high")).toBe(true);
    expect(failsGate(opened, "none")).toBe(false);
  });

  it("without --fail-on, prod-tier environments fail on an open high finding and the other tiers only report", () => {
    expect([defaultFailOn("prod"), defaultFailOn("staging"), defaultFailOn("dev")]).toEqual(["high", "none", "none"]);
  });
});

describe("tiers", () => {
  it("adapts severities to the tier (policy-config.json)", () => {
    expect(severityIn(rule("PK-LOG-002"), "dev")).toBe("low");
    expect(severityIn(rule("PK-LOG-002"), "prod")).toBe("medium");
    expect(severityIn(rule("PK-RDS-003"), "prod")).toBe("high");
    expect(severityIn(rule("PK-SG-001"), "dev")).toBe("high");
  });

  it("uses the tier's thresholds: a 90-day log group is fine in staging, not in prod", () => {
    const model = new EnvModel([stack("application", [res("aws_cloudwatch_log_group.g", { retention_in_days: 90, kms_key_id: "k" })])]);
    expect(findings(["PK-LOG-002"], model, "staging")).toEqual([]);
    expect(findings(["PK-LOG-002"], model, "prod")).toMatchObject([
      { severity: "medium", message: "retention 90 days, the tier asks for 365" },
    ]);
  });
});

function info(tier: string) {
  return {
    name: tier,
    key: tier,
    project: "p",
    environment: tier,
    tier,
    region: "us-west-2",
    azs: ["us-west-2a", "us-west-2b"],
    protection: { data: tier === "prod", availability: tier !== "dev" },
    identity: { key: tier, environment: tier },
  };
}
