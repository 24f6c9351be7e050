/**
 * The flow proof on small fixtures: for each class of broken flow, the broken variant is flagged at
 * the hop that breaks it and its positive twin holds. Plus the IAM evaluator's rules that the proof
 * leans on (absent keys, negated operators, wildcards, explicit deny, KMS delegation).
 */
import { proveFlows } from "../tools/review/flows/index";
import { renderFlows } from "../tools/review/flows/render";
import { conditionHolds, evaluate, wildcard, type Sourced } from "../tools/review/flows/iam";
import { KMS_CALLER_CONTEXT } from "../core/service-facts";
import { SERVICE_CONTEXT, contextRow } from "../tools/review/flows/service-context";
import { EnvModel, type StackInput } from "../tools/review/model";
import { Symbols } from "../tools/review/flows/symbols";
import { remoteState, res, stack } from "./fixtures/review/build";
import * as F from "./fixtures/review/flows/stacks";

const prove = (stacks: StackInput[]) => proveFlows(new EnvModel(stacks), F.FACTS);
const flow = (stacks: StackInput[], id: string) => {
  const f = prove(stacks).flows.find((x) => x.id === id);
  if (!f)
    throw new Error(
      `no flow ${id} in ${prove(stacks)
        .flows.map((x) => x.id)
        .join(", ")}`,
    );
  return f;
};

/**
 * A fixture's broken variant (`build(false)`) breaks the flow as `broken` says and its positive twin
 * (`build(true)`) holds.
 */
function expectBrokenTwin(build: (holds: boolean) => StackInput[], id: string, broken: Record<string, unknown>) {
  expect(flow(build(false), id).broken).toMatchObject(broken);
  expect(flow(build(true), id).status).toBe("ok");
}

describe("network: security groups in both directions, routes to AWS services", () => {
  it("flags a missing ingress on the target group and a missing egress on the source group", () => {
    expect(flow(F.albToService("none"), "lb->service:api").status).toBe("ok");
    const noIngress = flow(F.albToService("ingress"), "lb->service:api");
    expect(noIngress.status).toBe("broken");
    expect(noIngress.broken!.hop).toBe("sg ingress app <- alb :8000");
    const noEgress = flow(F.albToService("egress"), "lb->service:api");
    expect(noEgress.broken!.hop).toBe("sg egress alb -> app :8000");
  });

  it("flags tasks in an AZ where the load balancer has no subnet", () => {
    const f = flow(F.albToService("none", ["app_a", "app_b"]), "lb->service:api");
    expect(f.broken).toMatchObject({ kind: "network", hop: "alb enabled in the tasks' AZs" });
    expect(f.broken!.reason).toContain("us-west-2b");
  });

  it("flags a subnet with no endpoint and no NAT route to the service it calls", () => {
    expect(flow(F.serviceToParameter({ grant: true, nat: true }), "service:api->ssm:API_KEY").status).toBe("ok");
    const f = flow(F.serviceToParameter({ grant: true, nat: false }), "service:api->ssm:API_KEY");
    expect(f.broken).toMatchObject({ kind: "network", hop: "route to ssm: NAT" });
  });
});

describe("network ACLs: request and ephemeral-port reply through both subnets' ACLs", () => {
  const id = "service:api->database:db";

  it("holds with the four rules a stateless path needs, and shows them", () => {
    const f = flow(F.naclToDatabase("none"), id);
    expect(f.status).toBe("ok");
    const hops = f.hops.filter((h) => h.name.startsWith("nacl"));
    expect(hops.map((h) => h.name)).toEqual([
      "nacl egress app -> data :5432",
      "nacl ingress data <- app :5432",
      "nacl return egress data -> app :1024-65535",
      "nacl return ingress app <- data :1024-65535",
    ]);
    expect(hops.map((h) => h.detail)).toEqual([
      "application/aws_network_acl_rule.app_egress_400",
      "application/aws_network_acl_rule.data_ingress_410",
      "application/aws_network_acl_rule.data_egress_110",
      "application/aws_network_acl_rule.app_ingress_100",
    ]);
  });

  it.each([
    ["egress", "nacl egress app -> data :5432"],
    ["ingress", "nacl ingress data <- app :5432"],
    ["return-egress", "nacl return egress data -> app :1024-65535"],
    ["return-ingress", "nacl return ingress app <- data :1024-65535"],
  ] as const)("flags a missing %s rule at its hop", (missing, hopName) => {
    const f = flow(F.naclToDatabase(missing), id);
    expect(f.broken).toMatchObject({ kind: "network", hop: hopName });
    expect(f.broken!.reason).toContain("denied by the final * rule");
  });

  it("flags a reply admitted on only part of the ephemeral range (NAT, load balancers and Lambda use 1024-65535)", () => {
    const f = flow(F.naclToDatabase("narrow-ephemeral"), id);
    expect(f.broken!.hop).toBe("nacl return ingress app <- data :1024-65535");
    expect(f.broken!.reason).toContain("1024-32767");
  });

  it("evaluates rules lowest number first: a deny before the allow wins", () => {
    const f = flow(F.naclToDatabase("deny"), id);
    expect(f.broken!.hop).toBe("nacl ingress data <- app :5432");
    expect(f.broken!.reason).toContain("data_ingress_50 denies 5432");
  });

  it("puts a subnet with no association on the adopted default ACL, which denies everything once emptied", () => {
    const f = flow(F.naclToDatabase("default-acl"), id);
    expect(f.broken!.hop).toBe("nacl ingress default <- app :5432");
  });

  it("adds no ACL hops to an environment without ACLs", () => {
    const f = flow(F.iamDatabaseUser({ connectAs: "api", provisioned: ["api"], tls: true }), "service:api->database:db");
    expect(f.hops.some((h) => h.name.includes("nacl"))).toBe(false);
  });

  it("follows HTTPS through the NAT gateway: out and back on the app subnet, in, out and back on the NAT's subnet", () => {
    const pid = "service:api->ssm:API_KEY";
    const ok = flow(F.naclThroughNat("none"), pid);
    expect(ok.status).toBe("ok");
    expect(ok.hops.filter((h) => h.name.includes("nacl")).map((h) => h.name)).toEqual([
      "route to ssm: nacl egress app -> 0.0.0.0/0 :443",
      "route to ssm: nacl return ingress app <- 0.0.0.0/0 :1024-65535",
      "route to ssm: nacl ingress public (NAT) <- app :443",
      "route to ssm: nacl egress public (NAT) -> 0.0.0.0/0 :443",
      "route to ssm: nacl return ingress public (NAT) <- 0.0.0.0/0 :1024-65535",
      "route to ssm: nacl return egress public (NAT) -> app :1024-65535",
    ]);
    expect(flow(F.naclThroughNat("app-return"), pid).broken!.hop).toBe("route to ssm: nacl return ingress app <- 0.0.0.0/0 :1024-65535");
    expect(flow(F.naclThroughNat("nat-ingress"), pid).broken!.hop).toBe("route to ssm: nacl ingress public (NAT) <- app :443");
    expect(flow(F.naclThroughNat("nat-return"), pid).broken!.hop).toBe("route to ssm: nacl return egress public (NAT) -> app :1024-65535");
  });
});

describe("identity: the caller's policies, resource policies and KMS key policies", () => {
  it("flags an execution role with no permission on the parameter it injects", () => {
    const f = flow(F.serviceToParameter({ grant: false, nat: true }), "service:api->ssm:API_KEY");
    expect(f.broken).toMatchObject({ kind: "identity" });
    expect(f.broken!.reason).toContain("ssm:GetParameters");
  });

  it("flags a KMS key policy that conditions EventBridge on aws:SourceAccount, which it does not send to KMS", () => {
    expect(flow(F.eventToEncryptedTopic("none"), "event:application/failed").status).toBe("ok");
    expect(flow(F.eventToEncryptedTopic("topicContext"), "event:application/failed").status).toBe("ok");
    const f = flow(F.eventToEncryptedTopic("sourceAccount"), "event:application/failed");
    expect(f.broken).toMatchObject({ kind: "key-policy", hop: "kms_key.messaging key policy: events.amazonaws.com kms:GenerateDataKey" });
    expect(f.broken!.reason).toContain("the request carries no aws:SourceAccount");
  });

  it("flags a queue policy whose Deny catches the subscribed topic", () => {
    expectBrokenTwin(F.topicToQueue, "subscription:application/jobs", {
      kind: "resource-policy",
      reason: expect.stringMatching(/^explicit Deny/),
    });
  });
});

describe("topics delivered to people: SMS and paging", () => {
  it("holds an E.164 number and an https paging URL; flags a number SNS refuses and a plain-http endpoint", () => {
    const ok = F.topicToPeople(true);
    expect(flow(ok, "subscription:application/sms_critical")).toMatchObject({ status: "ok", to: "sms +12065550100" });
    expect(flow(ok, "subscription:application/page_critical").status).toBe("ok");
    const bad = F.topicToPeople(false);
    const sms = flow(bad, "subscription:application/sms_critical");
    expect(sms.broken).toMatchObject({ kind: "resource-policy", hop: "sms number" });
    expect(sms.broken!.reason).toContain("is not an E.164 number");
    const page = flow(bad, "subscription:application/page_critical");
    expect(page.broken).toMatchObject({ kind: "resource-policy", hop: "http delivery" });
    expect(page.broken!.reason).toContain("plain http");
  });
});

describe("what a task needs to start", () => {
  it("flags an image from a repository no stack creates", () => {
    expectBrokenTwin(F.serviceImage, "service:api->image:api", { kind: "credentials", hop: "repository exists" });
  });
});

describe("workload grants", () => {
  it("flags a granted queue whose key the role may not use through SQS", () => {
    expectBrokenTwin(F.grantToEncryptedQueue, "grant:task->application/jobs", {
      kind: "key-policy",
      hop: "kms_key.data: task kms:GenerateDataKey via sqs",
    });
  });
});

describe("least privilege", () => {
  it("reports a statement of a workload role whose service no flow of that role uses, and only that one", () => {
    expect(prove(F.grantToEncryptedQueue(true)).unusedGrants).toEqual([]);
    const unused = prove(F.grantToEncryptedQueue(true, true)).unusedGrants;
    expect(unused.map((u) => [u.sid, u.severity, u.actions])).toEqual([["Table", "low", ["dynamodb:GetItem"]]]);
  });
});

describe("the report", () => {
  it("lists broken flows first with their hop and fix, and counts them", () => {
    const r = prove(F.apiRoutes({ albPath: "/admin", subPaths: false }));
    const statuses = r.flows.map((f) => f.status);
    expect(statuses).toContain("ok");
    expect(statuses.indexOf("ok")).toBe(r.counts.broken);
    // The fixture has no API permission on the function and no security-group rules: flagged too.
    expect(r.flows.filter((f) => f.status === "broken").map((f) => f.id)).toEqual([
      "api-invoke:application/genai",
      "lb->service:api",
      "route:/api/genai/*",
      "route:admin",
    ]);
    const md = renderFlows(r).join("\n");
    expect(md).toContain("**4 broken**");
    expect(md).toContain(
      "| `route:admin` | public API | lb_target_group.api /admin | route: /admin reachable through the API | no API route reaches /admin",
    );
  });
});

describe("parameter hierarchies read at runtime", () => {
  it("flags a SecureString under the path whose key the role may not use", () => {
    expect(flow(F.parametersByPath(true), "parameters:task->/p/e/api").status).toBe("ok");
    expect(flow(F.parametersByPath(false), "parameters:task->/p/e/api").broken).toMatchObject({
      kind: "key-policy",
      hop: "kms_key.data: task kms:Decrypt via ssm",
    });
  });
});

describe("calls to AWS services without a resource", () => {
  it("flags a function whose configured model its role may not invoke", () => {
    expect(flow(F.bedrockModel("anthropic.claude-3-haiku-20240307-v1:0"), "bedrock:genai").status).toBe("ok");
    const f = flow(F.bedrockModel("anthropic.claude-3-5-sonnet-20240620-v1:0"), "bedrock:genai");
    expect(f.broken).toMatchObject({ kind: "identity", hop: "genai bedrock:InvokeModel model anthropic.claude-3-5-sonnet-20240620-v1:0" });
  });
});

describe("credentials", () => {
  it("flags an injected database secret that rotates with nothing restarting the tasks", () => {
    expectBrokenTwin(F.injectedRotatingSecret, "service:api->database:db", {
      kind: "credentials",
      hop: "credentials survive rotation",
      reason: expect.stringContaining("rate(7 days)"),
    });
    // The restart rule targets a function outside the environment: shown, not proven.
    expect(flow(F.injectedRotatingSecret(true), "event:application/restart")).toMatchObject({ status: "not-applicable", hops: [] });
  });

  it("proves an IAM database user end to end: IAM auth on, rds-db:connect as exactly the user the task is told, the user created, TLS", () => {
    const id = "service:api->database:db";
    expect(flow(F.iamDatabaseUser({ connectAs: "api", provisioned: ["api", "worker"], tls: true }), id).status).toBe("ok");
    expect(flow(F.iamDatabaseUser({ provisioned: ["api"], tls: true }), id).broken!.hop).toBe(
      "task rds-db:connect database user api (DB_USER)",
    );
    expect(flow(F.iamDatabaseUser({ connectAs: "worker", provisioned: ["api"], tls: true }), id).broken!.hop).toBe(
      "task rds-db:connect database user api (DB_USER)",
    );
    expect(flow(F.iamDatabaseUser({ connectAs: "api", provisioned: ["worker"], tls: true }), id).broken).toMatchObject({
      hop: "database user api exists",
    });
    expect(flow(F.iamDatabaseUser({ connectAs: "api", provisioned: ["api"], tls: false }), id).broken!.hop).toBe("TLS");
    expect(flow(F.iamDatabaseUser({ connectAs: "api", provisioned: ["api"], tls: true, iamAuth: false }), id).broken!.hop).toBe(
      "IAM database authentication on",
    );
  });

  it("proves the provisioner's path to the database port and to the master secret it reads at run time", () => {
    const id = "function:db_users->database:db";
    const ok = flow(F.iamDatabaseUser({ connectAs: "api", provisioned: ["api"], tls: true }), id);
    expect(ok.status).toBe("ok");
    expect(ok.hops.map((h) => h.name)).toContain("db_users secretsmanager:GetSecretValue master secret (read at run time)");
    expect(flow(F.iamDatabaseUser({ connectAs: "api", provisioned: ["api"], tls: true, adminRules: false }), id).broken!.kind).toBe(
      "network",
    );
  });

  it("flags an IAM-authenticated cache user without elasticache:Connect, user name or TLS setting", () => {
    expect(flow(F.iamAuthCache({ connect: true, userName: true, tls: true }), "service:api->cache:redis").status).toBe("ok");
    expect(flow(F.iamAuthCache({ connect: true, userName: "parameter", tls: true }), "service:api->cache:redis").status).toBe("ok");
    expect(flow(F.iamAuthCache({ connect: false, userName: true, tls: true }), "service:api->cache:redis").broken!.hop).toBe(
      "task elasticache:Connect replication group p-e",
    );
    expect(flow(F.iamAuthCache({ connect: true, userName: false, tls: true }), "service:api->cache:redis").broken!.hop).toBe(
      "client gets the IAM user name",
    );
    expect(flow(F.iamAuthCache({ connect: true, userName: true, tls: false }), "service:api->cache:redis").broken!.hop).toBe(
      "client uses TLS",
    );
  });
});

describe("edge rules and route coverage", () => {
  it("flags an IP rate rule on a load balancer behind the VPC link NLB; a forwarded-IP key holds", () => {
    const f = flow(F.wafBehindProxy("IP"), "waf:waf/rate@application/alb");
    expect(f.broken).toMatchObject({ kind: "edge" });
    expect(f.broken!.reason).toContain("lb.nlb");
    expect(flow(F.wafBehindProxy("FORWARDED_IP"), "waf:waf/rate@application/alb").status).toBe("ok");
  });

  it("flags an IP rate rule at an API stage behind CloudFront, unless it counts only requests without X-Forwarded-For", () => {
    const id = "waf:waf/rate@application/stage";
    const f = flow(F.ipRateRuleBehindCloudFront(false), id);
    expect(f.broken!.reason).toContain("CloudFront edge addresses");
    const scoped = flow(F.ipRateRuleBehindCloudFront(true), id);
    expect(scoped.status).toBe("ok");
    expect(scoped.hops[0].detail).toContain("direct callers only");
  });

  it("flags a load balancer path no API route reaches, and function sub-paths falling through to the ALB", () => {
    const ok = prove(F.apiRoutes({ albPath: "/api/admin", subPaths: true }));
    expect(ok.flows.filter((f) => f.kind === "route-coverage").map((f) => [f.id, f.status])).toEqual([
      ["route:/api/genai/*", "ok"],
      ["route:admin", "ok"],
      ["route:api", "ok"],
    ]);
    const broken = prove(F.apiRoutes({ albPath: "/admin", subPaths: false }));
    const byId = new Map(broken.flows.map((f) => [f.id, f]));
    expect(byId.get("route:admin")!.broken!.reason).toContain("no API route reaches /admin");
    expect(byId.get("route:/api/genai/*")!.broken!.reason).toContain("falls through to /api/{proxy+}");
  });

  it("counts an exact API route for the load balancer path it forwards to, and only that path", () => {
    // An exact resource takes its path from the greedy /api/{proxy+}: it must forward it to where the ALB serves it.
    const reached = prove(
      F.apiRoutes({
        albPath: "/api/customers",
        subPaths: true,
        exact: { part: "customers", uri: "https://alb.example.com/api/customers" },
      }),
    );
    expect(reached.flows.find((f) => f.id === "route:admin")!.status).toBe("ok");
    const elsewhere = prove(
      F.apiRoutes({ albPath: "/api/customers", subPaths: true, exact: { part: "customers", uri: "https://alb.example.com/api/owners" } }),
    );
    expect(elsewhere.flows.find((f) => f.id === "route:admin")!.broken!.reason).toContain("no API route reaches /api/customers");
  });
});

describe("HTTP APIs", () => {
  it("proves the function permission by route key, the VPC link to the listener, and the ALB paths", () => {
    const ok = prove(F.httpApi(true));
    const byId = new Map(ok.flows.map((f) => [f.id, f]));
    expect(byId.get("api-invoke:application/genai")!.status).toBe("ok");
    expect(byId.get("vpc-link:application/proxy")!.status).toBe("ok");
    expect(byId.get("route:api")!.status).toBe("ok");
    const f = flow(F.httpApi(false), "vpc-link:application/proxy");
    expect(f.broken).toMatchObject({ kind: "network", hop: "sg egress link -> alb :443" });
  });
});

describe("CloudFront in front of the API", () => {
  it("flags an origin path that names no stage of the API", () => {
    expect(flow(F.cloudFrontToApi("/v1"), "cloudfront:site->api").status).toBe("ok");
    expect(flow(F.cloudFrontToApi("/prod"), "cloudfront:site->api").broken!.hop).toBe("origin path names the API stage");
  });
});

describe("body-size rules against what functions accept", () => {
  it("flags a function route whose declared input exceeds the Common Rule Set's 8 KB body rule", () => {
    expectBrokenTwin(F.bodySizeBehindWaf, "body:application/genai", {
      kind: "edge",
      hop: "body size at api_gateway_stage.stage (wafv2_web_acl.waf)",
      reason: expect.stringContaining("at least 12000 bytes"),
    });
  });

  it("holds a body rule of the ACL's own to what the function accepts", () => {
    expect(flow(F.bodySizeBehindWaf(true, 13_312), "body:application/genai").status).toBe("ok");
    const f = flow(F.bodySizeBehindWaf(true, 10_240), "body:application/genai");
    expect(f.broken!.reason).toContain("blocks bodies over 10240 bytes");
  });
});

describe("CI identity", () => {
  it("flags an apply role that can create, write and pass platform roles without a permissions boundary", () => {
    expectBrokenTwin(F.ciApplyRole, "ci:github_apply", { kind: "ci", hop: "no privilege escalation through platform roles" });
  });
});

describe("application delivery", () => {
  const svc = "delivery:delivery->application/api";
  const site = "delivery:delivery->application/site";
  it("proves every step of a rolling deploy and of the site publish when every grant is there", () => {
    const f = flow(F.appDelivery("none"), svc);
    expect(f.status).toBe("ok");
    expect(f.hops.map((h) => h.name)).toEqual(
      expect.arrayContaining([
        "delivery ecr:GetAuthorizationToken ECR login",
        "delivery ecr:PutImage ecr_repository.api",
        "delivery ecs:RegisterTaskDefinition task definition p-e-api",
        "delivery iam:PassRole task role p-e-task to ECS tasks",
        "delivery iam:PassRole execution role p-e-exec to ECS tasks",
        "delivery ecs:UpdateService service default/api",
      ]),
    );
    expect(flow(F.appDelivery("none"), site).status).toBe("ok");
  });

  it("flags a missing push grant at the push", () => {
    expect(flow(F.appDelivery("push"), svc).broken).toMatchObject({ kind: "identity", hop: "delivery ecr:PutImage ecr_repository.api" });
  });

  it("flags PassRole granted for another service than ECS tasks", () => {
    expect(flow(F.appDelivery("passRole"), svc).broken).toMatchObject({
      kind: "identity",
      hop: "delivery iam:PassRole task role p-e-task to ECS tasks",
    });
  });

  it("flags a site that cannot be invalidated", () => {
    expect(flow(F.appDelivery("invalidation"), site).broken).toMatchObject({
      kind: "identity",
      hop: expect.stringContaining("cloudfront:CreateInvalidation"),
    });
  });

  it("a blue/green service deploys through its deployment group, not UpdateService; flags a missing CreateDeployment", () => {
    const ok = flow(F.appDelivery("none", true), svc);
    expect(ok.status).toBe("ok");
    expect(ok.hops.some((h) => h.name.includes("ecs:UpdateService"))).toBe(false);
    expect(ok.hops.map((h) => h.name)).toContain("delivery codedeploy:CreateDeployment deployment group p-e/api");
    expect(flow(F.appDelivery("deployment", true), svc).broken).toMatchObject({
      hop: "delivery codedeploy:CreateDeployment deployment group p-e/api",
    });
  });

  it("leaves the delivery role out of the CI identity's flows (it reads no Terraform state)", () => {
    expect(proveFlows(new EnvModel(F.appDelivery("none")), F.FACTS).flows.some((f) => f.id.startsWith("ci:"))).toBe(false);
  });
});

describe("the IAM evaluator", () => {
  const caller = { kind: "role" as const, arn: "arn:aws:iam::111111111111:role/r", account: "111111111111" };
  it("fails a condition on an absent key, except IfExists, negated operators and Null", () => {
    expect(conditionHolds("StringEquals", "aws:SourceAccount", ["1"], {})).toBe(false);
    expect(conditionHolds("StringEqualsIfExists", "aws:SourceAccount", ["1"], {})).toBe(true);
    expect(conditionHolds("StringNotEquals", "aws:SourceAccount", ["1"], {})).toBe(true);
    expect(conditionHolds("Null", "aws:SourceAccount", ["true"], {})).toBe(true);
    expect(conditionHolds("ForAnyValue:StringLike", "k", ["a*"], { k: ["b", "ab"] })).toBe(true);
    expect(conditionHolds("ForAllValues:StringLike", "k", ["a*"], { k: ["b", "ab"] })).toBe(false);
    expect(
      conditionHolds("ArnLike", "aws:sourcearn", ["arn:aws:events:*:1:rule/*"], { "aws:sourcearn": ["arn:aws:events:us-west-2:1:rule/x"] }),
    ).toBe(true);
  });

  it("matches wildcards, lets an explicit Deny win, and needs both key policy delegation and IAM for KMS", () => {
    expect(wildcard("arn:aws:ssm:*:1:parameter/p/*", "arn:aws:ssm:us-west-2:1:parameter/p/x/y")).toBe(true);
    expect(wildcard("s3:Get?bject", "s3:GetObject")).toBe(true);
    const id: Sourced[] = [{ stmt: { Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }, where: "role" }];
    const keyRoot: Sourced[] = [
      { stmt: { Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "kms:*", Resource: "*" }, where: "key" },
    ];
    const req = { action: "kms:Decrypt", resource: "arn:aws:kms:us-west-2:111111111111:key/k", caller, context: {} };
    expect(evaluate(req, id, keyRoot, "kms").allowed).toBe(true);
    expect(evaluate(req, [], keyRoot, "kms").allowed).toBe(false);
    expect(evaluate(req, id, [], "kms").allowed).toBe(false);
    const deny: Sourced[] = [...keyRoot, { stmt: { Effect: "Deny", Principal: "*", Action: "kms:*", Resource: "*" }, where: "key" }];
    expect(evaluate(req, id, deny, "kms").reason).toMatch(/^explicit Deny/);
  });
});

describe("symbolic references", () => {
  it("renders a remote-state output to the producer's resource attribute, and names to ARNs", () => {
    const security = stack("security", [res("aws_kms_key.messaging", {}), res("aws_sns_topic.t", { name: "p-e-t" })], {
      output: { kms: { value: { messaging: "${aws_kms_key.messaging.arn}" } }, topic: { value: "${aws_sns_topic.t.arn}" } },
    });
    const consumer = stack("monitoring", [res("aws_sqs_queue.q", { name: "p-e-q" })], remoteState("security", "02", "security"));
    const sym = new Symbols(new EnvModel([security, consumer]), F.FACTS);
    expect(sym.render("monitoring", "${data.terraform_remote_state.security.outputs.kms.messaging}")).toBe(
      "⟦security/aws_kms_key.messaging.arn⟧",
    );
    expect(sym.render("monitoring", "x:${data.terraform_remote_state.security.outputs.topic}")).toBe(
      "x:arn:aws:sns:us-west-2:111111111111:p-e-t",
    );
    expect(sym.render("monitoring", "${aws_sqs_queue.q.url}")).toBe("https://sqs.us-west-2.amazonaws.com/111111111111/p-e-q");
    expect(sym.render("monitoring", "$${aws:username}")).toBe("${aws:username}");
  });
});

describe("the service-context table", () => {
  it("cites an AWS documentation page on every row and says EventBridge sends no source keys to KMS", () => {
    for (const row of SERVICE_CONTEXT) expect(row.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
    expect(contextRow("events.amazonaws.com", "kms (topic encryption)")!.lacks).toEqual(["aws:SourceArn", "aws:SourceAccount"]);
    expect(contextRow("logs.eu-west-1.amazonaws.com", "kms (log group encryption)")!.sends).toEqual(["kms:EncryptionContext:aws:logs:arn"]);
  });

  it("takes each service's KMS source keys from the one table the key policies are built from (core/service-facts.ts)", () => {
    const kmsRows = SERVICE_CONTEXT.filter((r) => r.judgedBy === "key-policy" && r.caller.endsWith(".amazonaws.com"));
    expect(kmsRows.length).toBeGreaterThan(3);
    for (const row of kmsRows) {
      const facts = KMS_CALLER_CONTEXT[row.caller];
      expect({ caller: row.caller, known: facts !== undefined }).toEqual({ caller: row.caller, known: true });
      expect(row.sends.filter((k) => k.startsWith("aws:")).sort()).toEqual([...facts.sends].sort());
    }
    // SNS delivering to an encrypted queue: aws:SourceArn only, as the queue keys of the security layer expect.
    expect(contextRow("sns.amazonaws.com", "kms (queue encryption)")!.sends).toEqual(["aws:SourceArn"]);
  });
});
