// Loads the type declarations of cdktf's jest matchers (Testing.setupJest() in setup.ts installs them).
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Testing } from "cdktf";
import type { PlatformConfig } from "../core/config/schema";
import { securityContract } from "../layers/02-security/contract";
import { isWildcardAction } from "../core/policy";
import { SecurityStack } from "../layers/02-security/stack";
import { SecurityGroup as SecurityGroupModule } from "../modules/security-group";
import { WafWebAcl } from "../modules/waf-web-acl";
import { addresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";

const NETWORK = (output: string) => `\${data.terraform_remote_state.network.outputs.${output}}`;
const SG = (tier: string) => `\${aws_security_group.${tier}.id}`;
const TIERS = ["alb", "app", "data", "cache", "lambda", "api_link", "db_admin"];
const RULE_TYPES = ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];
const PEER_KEYS = ["referenced_security_group_id", "prefix_list_id", "cidr_ipv4", "cidr_ipv6"];

type Rule = Record<string, unknown>;
type Statement = Record<string, unknown>;

/** Every security group rule, keyed `ingress.<name>` / `egress.<name>`. */
function rules(tf: TerraformJson): Record<string, Rule> {
  return Object.fromEntries(
    RULE_TYPES.flatMap((type) =>
      Object.entries(resources(tf, type)).map(([name, r]) => [`${type.includes("ingress") ? "ingress" : "egress"}.${name}`, r]),
    ),
  );
}

/** Every policy document in the stack (role trust, inline policies, key policies), by address. */
function policies(tf: TerraformJson): Array<[string, Statement[]]> {
  const out: Array<[string, Statement[]]> = [];
  for (const [type, byName] of Object.entries(tf.resource ?? {})) {
    for (const [name, r] of Object.entries(byName)) {
      for (const attr of ["policy", "assume_role_policy"]) {
        if (attr in r) out.push([`${type}.${name}.${attr}`, policy(r[attr]).Statement]);
      }
    }
  }
  return out;
}

const actionsOf = (s: Statement): string[] => [s.Action ?? []].flat() as string[];
const statement = (stmts: Statement[], sid: string): Statement => {
  const found = stmts.find((s) => s.Sid === sid);
  if (!found) throw new Error(`no statement ${sid} in ${stmts.map((s) => s.Sid).join(", ")}`);
  return found;
};
const dbPortOf = (cfg: PlatformConfig) => cfg.database.port ?? (cfg.database.engine.includes("postgres") ? 5432 : 3306);
const label = (port: number) => (port === 443 ? "https" : port === 80 ? "http" : String(port));

/** `from` may reach `to` on `port`: the egress rule of `from`'s group and the ingress rule of `to`'s, each naming the other group. */
function expectGroupToGroup(all: Record<string, Record<string, unknown>>, from: string, to: string, port: number): void {
  const rule = (group: string, other: string) => ({
    security_group_id: SG(group),
    referenced_security_group_id: SG(other),
    from_port: port,
    to_port: port,
  });
  expect(all[`egress.${from}_${port}_to_${to}`]).toMatchObject(rule(from, to));
  expect(all[`ingress.${to}_${port}_from_${from}`]).toMatchObject(rule(to, from));
}

describe.each(ENVIRONMENTS)("security layer (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synth(SecurityStack, cfg);
  const prefix = `${cfg.project}-${cfg.environment}`;
  const { region, accountId } = cfg.aws;
  const dbPort = dbPortOf(cfg);
  const servicePorts = [...new Set(Object.values(cfg.services).map((s) => s.port))];
  const all = rules(tf);

  describe("security groups", () => {
    it("creates one group per tier in the network layer's VPC, with no inline rules", () => {
      expect(Object.keys(resources(tf, "aws_security_group")).sort()).toEqual([...TIERS].sort());
      for (const tier of TIERS) {
        const group = resource(tf, "aws_security_group", tier);
        expect(group).toMatchObject({ name: `${prefix}-${tier}`, vpc_id: NETWORK("vpc_id"), tags: { Name: `${prefix}-${tier}` } });
        expect(group.description).toEqual(expect.any(String));
        expect(group).not.toHaveProperty("ingress");
        expect(group).not.toHaveProperty("egress");
      }
      expect(raw).toHaveResourceWithProperties(SecurityGroup, { name: `${prefix}-alb`, vpc_id: NETWORK("vpc_id") });
    });

    it("gives every rule a description, a port range, and exactly one peer", () => {
      expect(Object.keys(all).length).toBeGreaterThan(0);
      for (const [addr, rule] of Object.entries(all)) {
        expect([addr, typeof rule.description === "string" && (rule.description as string).length > 0]).toEqual([addr, true]);
        expect([addr, PEER_KEYS.filter((k) => k in rule)]).toEqual([addr, [expect.any(String)]]);
        expect(rule.ip_protocol).toBe("tcp");
        expect(rule.from_port).toEqual(expect.any(Number));
        expect(rule.to_port).toEqual(expect.any(Number));
      }
    });

    const cidrLabel = (c: string) => (c === "0.0.0.0/0" ? "internet" : c.replace(/[./]/g, "_"));

    it("opens the load balancer only to the API Gateway VPC link and security.alb.ingressCidrs", () => {
      // The default system's ALB is internal (application.alb.internal): no CIDR reaches it.
      expect(cfg.security.alb.ingressCidrs).toEqual([]);
      for (const port of cfg.security.alb.ports) {
        expect(all[`ingress.alb_${label(port)}_from_api_link`]).toMatchObject({
          security_group_id: SG("alb"),
          referenced_security_group_id: SG("api_link"),
          from_port: port,
          to_port: port,
        });
      }
      expect(
        Object.keys(all)
          .filter((a) => a.startsWith("ingress.alb_"))
          .sort(),
      ).toEqual(cfg.security.alb.ports.map((p) => `ingress.alb_${label(p)}_from_api_link`).sort());
    });

    it("uses CIDRs only for the load balancer's clients and the optional internet HTTPS egress", () => {
      const cidrRules = Object.keys(all)
        .filter((a) => "cidr_ipv4" in all[a] || "cidr_ipv6" in all[a])
        .sort();
      const expected = [
        ...cfg.security.alb.ingressCidrs.flatMap((c) => cfg.security.alb.ports.map((p) => `ingress.alb_${label(p)}_from_${cidrLabel(c)}`)),
        ...(cfg.security.egress.internetHttps ? ["egress.app_https_to_internet", "egress.lambda_https_to_internet"] : []),
      ].sort();
      expect(cidrRules).toEqual(expected);
      for (const a of expected.filter((x) => x.startsWith("egress."))) {
        expect(all[a]).toMatchObject({ cidr_ipv4: "0.0.0.0/0", from_port: 443, to_port: 443 });
        expect(all[a].description).toMatch(/internet.*security\.egress\.internetHttps/);
      }
    });

    it("never opens a database or cache port to 0.0.0.0/0", () => {
      for (const [addr, rule] of Object.entries(all)) {
        if (rule.cidr_ipv4 !== "0.0.0.0/0") continue;
        for (const port of [dbPort, cfg.cache.port]) {
          const covers = (rule.from_port as number) <= port && port <= (rule.to_port as number);
          expect([addr, covers]).toEqual([addr, false]);
        }
      }
    });

    it("connects load balancer -> app on each distinct service port by security group", () => {
      for (const port of servicePorts) {
        expectGroupToGroup(all, "alb", "app", port);
      }
      expect(Object.keys(all).filter((a) => a.startsWith("egress.alb_"))).toHaveLength(servicePorts.length);
      expect(Object.keys(all).filter((a) => /^ingress\.app_\d+_from_alb$/.test(a))).toHaveLength(servicePorts.length);
      expect(raw).toHaveResourceWithProperties(VpcSecurityGroupEgressRule, {
        security_group_id: SG("alb"),
        referenced_security_group_id: SG("app"),
        from_port: 8080,
      });
    });

    it("lets the application services call each other on their ports (security.serviceToService)", () => {
      for (const port of servicePorts) {
        expectGroupToGroup(all, "app", "app", port);
      }
      expect(
        Object.keys(all)
          .filter((a) => a.startsWith("ingress.app_"))
          .sort(),
      ).toEqual(servicePorts.flatMap((p) => [`ingress.app_${p}_from_alb`, `ingress.app_${p}_from_app`]).sort());
    });

    it("lets app, lambda and the database user provisioner (db_admin) reach the data tier on the database port, and nothing else reach it", () => {
      for (const tier of ["app", "lambda", "db_admin"]) {
        expectGroupToGroup(all, tier, "data", dbPort);
      }
      expect(
        Object.keys(all)
          .filter((a) => a.startsWith("ingress.data_"))
          .sort(),
      ).toEqual([`ingress.data_${dbPort}_from_app`, `ingress.data_${dbPort}_from_db_admin`, `ingress.data_${dbPort}_from_lambda`]);
      expect(Object.keys(all).filter((a) => /^egress\.(data|cache)_/.test(a))).toEqual([]);
    });

    it(`has cache rules only when cache.enabled (${cfg.cache.enabled})`, () => {
      const cacheRules = Object.keys(all)
        .filter((a) => a.includes("cache"))
        .sort();
      if (!cfg.cache.enabled) expect(cacheRules).toEqual([]);
      else expect(cacheRules.length).toBe(4);
    });

    it("lets app and lambda reach the interface endpoints and every configured gateway endpoint on 443", () => {
      for (const tier of ["app", "lambda"]) {
        expect(all[`egress.${tier}_https_to_endpoints`]).toMatchObject({
          security_group_id: SG(tier),
          referenced_security_group_id: NETWORK("endpoint_security_group_id"),
          from_port: 443,
          to_port: 443,
        });
        for (const gw of cfg.network.gatewayEndpoints) {
          expect(all[`egress.${tier}_https_to_${gw}`]).toMatchObject({
            security_group_id: SG(tier),
            prefix_list_id: NETWORK(`gateway_endpoint_prefix_list_ids.${gw}`),
            from_port: 443,
            to_port: 443,
          });
        }
      }
    });

    it("adds ingress rules to the network layer's endpoint group from app, lambda and db_admin on 443", () => {
      const endpointRules = Object.entries(all).filter(([, r]) => r.security_group_id === NETWORK("endpoint_security_group_id"));
      expect(endpointRules.map(([a]) => a).sort()).toEqual([
        "ingress.endpoints_https_from_app",
        "ingress.endpoints_https_from_db_admin",
        "ingress.endpoints_https_from_lambda",
      ]);
      for (const [addr, rule] of endpointRules) {
        expect(rule).toMatchObject({
          from_port: 443,
          to_port: 443,
          referenced_security_group_id: SG(addr.replace("ingress.endpoints_https_from_", "")),
        });
      }
    });
  });

  describe("KMS keys", () => {
    const keys = resources(tf, "aws_kms_key");
    const keyPolicy = (purpose: string) => policy(keys[`kms_${purpose}`].policy).Statement;

    it("creates logs, data and messaging keys with rotation, the config's deletion window and aliases", () => {
      expect(Object.keys(keys).sort()).toEqual(["kms_data", "kms_logs", "kms_messaging"]);
      for (const purpose of ["logs", "data", "messaging"]) {
        expect(keys[`kms_${purpose}`]).toMatchObject({
          enable_key_rotation: true,
          deletion_window_in_days: cfg.security.kms.deletionWindowDays,
        });
        expect(resource(tf, "aws_kms_alias", `kms_${purpose}_alias`)).toMatchObject({
          name: `alias/${prefix}-${purpose}`,
          target_key_id: `\${aws_kms_key.kms_${purpose}.key_id}`,
        });
        expect(statement(keyPolicy(purpose), "AccountAdministration").Principal).toEqual({ AWS: `arn:aws:iam::${accountId}:root` });
      }
      expect(raw).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
      expect(raw).toHaveResourceWithProperties(KmsAlias, { name: `alias/${prefix}-logs` });
    });

    it("lets CloudWatch Logs of this region use the logs key for this account's log groups only", () => {
      const s = statement(keyPolicy("logs"), "CloudWatchLogsOfThisAccount");
      expect(s.Principal).toEqual({ Service: `logs.${region}.amazonaws.com` });
      expect(actionsOf(s)).toEqual(expect.arrayContaining(["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"]));
      expect(s.Condition).toEqual({ ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:aws:logs:${region}:${accountId}:log-group:*` } });
    });

    it("lets account principals use the data key only through RDS, Secrets Manager, SSM, S3, ElastiCache, ECR and DynamoDB", () => {
      const s = statement(keyPolicy("data"), "AccountPrincipalsThroughDataServices");
      expect(s.Condition).toEqual({
        StringEquals: {
          "kms:CallerAccount": accountId,
          "kms:ViaService": ["rds", "secretsmanager", "ssm", "s3", "elasticache", "ecr", "dynamodb"].map(
            (svc) => `${svc}.${region}.amazonaws.com`,
          ),
        },
      });
      expect(actionsOf(s)).toEqual(expect.arrayContaining(["kms:Decrypt", "kms:GenerateDataKey", "kms:CreateGrant"]));
    });

    it("lets SNS, SQS, EventBridge, CloudWatch and SES use the messaging key, each under the condition keys it sends to KMS", () => {
      const want: [string, string, unknown][] = [
        ["SnsDeliversToQueues", "sns.amazonaws.com", { ArnLike: { "aws:SourceArn": `arn:aws:sns:${region}:${accountId}:*` } }],
        ["SqsRedrive", "sqs.amazonaws.com", undefined],
        // EventBridge sends no aws:SourceAccount / aws:SourceArn to KMS for target delivery: the guard is on the topic / queue policy.
        ["EventBridgeDeliversToTargets", "events.amazonaws.com", undefined],
        [
          "CloudWatchAlarmsPublish",
          "cloudwatch.amazonaws.com",
          {
            StringEquals: { "aws:SourceAccount": accountId },
            ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:${region}:${accountId}:alarm:*` },
          },
        ],
        ["SesPublishesEvents", "ses.amazonaws.com", undefined],
      ];
      for (const [sid, service, condition] of want) {
        const s = statement(keyPolicy("messaging"), sid);
        expect(s.Principal).toEqual({ Service: service });
        expect(actionsOf(s).sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
        expect(s.Condition).toEqual(condition);
      }
    });
  });

  describe("IAM roles", () => {
    const roles = resources(tf, "aws_iam_role");
    const inline = (role: string, name: string) => {
      const p = resource(tf, "aws_iam_role_policy", `${role}_${name.replace(/-/g, "_")}`);
      expect(p).toMatchObject({ name, role: `\${aws_iam_role.${role}.id}` });
      return policy(p.policy).Statement;
    };
    const trust = (role: string) => policy(roles[role].assume_role_policy).Statement;

    it("never allows a wildcard action, in any policy of the stack", () => {
      const docs = policies(tf);
      expect(docs.length).toBeGreaterThan(10);
      for (const [addr, stmts] of docs) {
        for (const s of stmts) {
          for (const action of actionsOf(s)) {
            expect([addr, action, isWildcardAction(action) || action.includes("*")]).toEqual([addr, action, false]);
          }
        }
      }
    });

    it("creates the ECS task execution role with scoped ECR, logs, parameters and secrets access", () => {
      expect(roles.ecs_execution).toMatchObject({ name: `${prefix}-ecs-execution` });
      expect(trust("ecs_execution")).toEqual([
        { Effect: "Allow", Sid: "TrustService", Action: "sts:AssumeRole", Principal: { Service: "ecs-tasks.amazonaws.com" } },
      ]);
      const ecr = inline("ecs_execution", "ecr-pull");
      expect(statement(ecr, "EcrLogin")).toMatchObject({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
      expect(statement(ecr, "EcrPull").Resource).toBe(`arn:aws:ecr:${region}:${accountId}:repository/${prefix}/*`);
      expect(statement(inline("ecs_execution", "logs"), "EcsLogGroups").Resource).toEqual([
        `arn:aws:logs:${region}:${accountId}:log-group:/ecs/${cfg.project}/${cfg.environment}/*`,
        `arn:aws:logs:${region}:${accountId}:log-group:/ecs/${cfg.project}/${cfg.environment}/*:log-stream:*`,
      ]);
      const secrets = inline("ecs_execution", "secrets");
      expect(statement(secrets, "Parameters")).toMatchObject({
        Action: "ssm:GetParameters",
        Resource: ["common", "database", "native", ...Object.keys(cfg.services)].map(
          (p) => `arn:aws:ssm:${region}:${accountId}:parameter/${cfg.project}/${cfg.environment}/${p}/*`,
        ),
      });
      // Not the whole hierarchy: the notification layer's webhook URL stays out of reach.
      expect(JSON.stringify(statement(secrets, "Parameters"))).not.toContain("notification");
      // The RDS-managed master secret (rds!...) is not injected into tasks: it rotates.
      expect(statement(secrets, "Secrets").Resource).toBe(`arn:aws:secretsmanager:${region}:${accountId}:secret:${prefix}/*`);
      expect(statement(secrets, "DecryptWithDataKey")).toMatchObject({ Action: "kms:Decrypt", Resource: "${aws_kms_key.kms_data.arn}" });
    });

    it("creates one task role per service, trusted by ECS tasks of this account only", () => {
      const taskRoles = Object.keys(roles).filter((r) => r.endsWith("_task"));
      expect(taskRoles.sort()).toEqual(
        Object.keys(cfg.services)
          .map((s) => `${s.replace(/-/g, "_")}_task`)
          .sort(),
      );
      for (const service of Object.keys(cfg.services)) {
        const role = `${service.replace(/-/g, "_")}_task`;
        expect(roles[role].name).toBe(`${prefix}-${service}-task`);
        expect(trust(role)).toEqual([
          {
            Effect: "Allow",
            Sid: "TrustService",
            Action: "sts:AssumeRole",
            Principal: { Service: "ecs-tasks.amazonaws.com" },
            Condition: {
              StringEquals: { "aws:SourceAccount": accountId },
              ArnLike: { "aws:SourceArn": `arn:aws:ecs:${region}:${accountId}:*` },
            },
          },
        ]);
        const obs = inline(role, "observability");
        expect(actionsOf(statement(obs, "XRay")).sort()).toEqual([
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
          "xray:PutTelemetryRecords",
          "xray:PutTraceSegments",
        ]);
        expect(statement(obs, "MetricsInProjectNamespace")).toMatchObject({
          Action: "cloudwatch:PutMetricData",
          Condition: { StringEquals: { "cloudwatch:namespace": `${cfg.project}/${cfg.environment}` } },
        });
        expect(`${role}_ecs_exec` in resources(tf, "aws_iam_role_policy")).toBe(cfg.security.ecsExec);
      }
      expect(raw).toHaveResourceWithProperties(IamRole, { name: `${prefix}-customers-task` });
    });

    it("creates the GenAI Lambda role with VPC, logs, X-Ray and its queues", () => {
      expect(roles.genai_lambda).toMatchObject({ name: `${prefix}-genai-lambda` });
      expect(trust("genai_lambda")).toEqual([
        { Effect: "Allow", Sid: "TrustService", Action: "sts:AssumeRole", Principal: { Service: "lambda.amazonaws.com" } },
      ]);
      expect(actionsOf(statement(inline("genai_lambda", "vpc-access"), "VpcNetworkInterfaces"))).toContain("ec2:CreateNetworkInterface");
      expect(statement(inline("genai_lambda", "logs"), "FunctionLogs").Resource).toEqual([
        `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/${prefix}-genai*`,
        `arn:aws:logs:${region}:${accountId}:log-group:/aws/lambda/${prefix}-genai*:log-stream:*`,
      ]);
      expect(statement(inline("genai_lambda", "xray"), "XRay")).toBeDefined();
      expect(statement(inline("genai_lambda", "failure-destination"), "GenaiQueues")).toMatchObject({
        Action: "sqs:SendMessage",
        Resource: `arn:aws:sqs:${region}:${accountId}:${prefix}-genai-*`,
      });
    });
  });

  describe("WAF", () => {
    const acl = resource(tf, "aws_wafv2_web_acl", "waf");
    const rulesOf = acl.rule as Array<Record<string, any>>; // eslint-disable-line @typescript-eslint/no-explicit-any

    it("is a regional ACL allowing by default, with metrics and sampling on the ACL and every rule", () => {
      expect(acl).toMatchObject({
        name: prefix,
        scope: "REGIONAL",
        default_action: { allow: {} },
        visibility_config: { cloudwatch_metrics_enabled: true, sampled_requests_enabled: true, metric_name: prefix },
      });
      for (const r of rulesOf)
        expect(r.visibility_config).toMatchObject({ cloudwatch_metrics_enabled: true, sampled_requests_enabled: true });
      expect(raw).toHaveResourceWithProperties(Wafv2WebAcl, { name: prefix, scope: "REGIONAL" });
    });

    it(`blocks above security.waf.rateLimit (${cfg.security.waf.rateLimit}) per IP and per forwarded client (CloudFront in front of the API) first, then the managed groups in order`, () => {
      expect(rulesOf[0]).toMatchObject({
        name: "rate-limit",
        priority: 0,
        action: { block: {} },
        statement: { rate_based_statement: { limit: cfg.security.waf.rateLimit, aggregate_key_type: "IP" } },
      });
      expect(rulesOf[1]).toMatchObject({
        name: "rate-limit-forwarded",
        priority: 1,
        action: { block: {} },
        statement: {
          rate_based_statement: {
            limit: cfg.security.waf.rateLimit,
            aggregate_key_type: "FORWARDED_IP",
            forwarded_ip_config: { header_name: "X-Forwarded-For", fallback_behavior: "MATCH" },
          },
        },
      });
      // The GenAI route takes question + context (12,000 characters): bodies are bounded at 13 KB by
      // a rule of the kit's, and the Common Rule Set's 8 KB body rule only counts.
      expect(rulesOf[2]).toMatchObject({
        name: "body-size",
        priority: 2,
        action: { block: {} },
        statement: {
          size_constraint_statement: { comparison_operator: "GT", size: 13_312, field_to_match: { body: { oversize_handling: "MATCH" } } },
        },
      });
      const groups = cfg.security.waf.managedRuleGroups;
      expect(rulesOf.slice(3).map((r) => r.name)).toEqual(groups.map((g) => g.name));
      const crs = rulesOf.find((r) => r.name === "AWSManagedRulesCommonRuleSet")!;
      expect(crs.statement.managed_rule_group_statement.rule_action_override).toContainEqual({
        name: "SizeRestrictions_BODY",
        action_to_use: { count: {} },
      });
      rulesOf.slice(3).forEach((r, i) => {
        expect(r).toMatchObject({
          priority: i + 3,
          override_action: { none: {} },
          statement: { managed_rule_group_statement: { name: groups[i].name, vendor_name: "AWS" } },
        });
      });
    });

    it("logs to an encrypted aws-waf-logs- group with the Authorization header redacted", () => {
      expect(resource(tf, "aws_cloudwatch_log_group", "waf_logs")).toMatchObject({
        name: `aws-waf-logs-${prefix}`,
        retention_in_days: cfg.logging.retentionDays,
        kms_key_id: "${aws_kms_key.kms_logs.arn}",
      });
      expect(resource(tf, "aws_wafv2_web_acl_logging_configuration", "waf_logging")).toMatchObject({
        resource_arn: "${aws_wafv2_web_acl.waf.arn}",
        log_destination_configs: ["${aws_cloudwatch_log_group.waf_logs.arn}"],
        redacted_fields: [{ single_header: { name: "authorization" } }],
      });
      expect(raw).toHaveResourceWithProperties(CloudwatchLogGroup, { name: `aws-waf-logs-${prefix}` });
      expect(raw).toHaveResourceWithProperties(Wafv2WebAclLoggingConfiguration, { resource_arn: "${aws_wafv2_web_acl.waf.arn}" });
    });
  });

  describe("state and contract", () => {
    it("stores its state at platform/<project>/<env>/02-security.tfstate", () => {
      expect(tf.terraform?.backend?.s3).toMatchObject({
        bucket: cfg.backend.bucket,
        key: `platform/${cfg.project}/${cfg.environment}/02-security.tfstate`,
        encrypt: true,
      });
    });

    it("reads the network layer's remote state without the lock table", () => {
      const remote = tf.data?.terraform_remote_state?.network as { backend: string; config: Record<string, unknown> };
      expect(remote.backend).toBe("s3");
      expect(remote.config).toMatchObject({
        bucket: cfg.backend.bucket,
        key: `platform/${cfg.project}/${cfg.environment}/01-network.tfstate`,
      });
      expect(remote.config).not.toHaveProperty("dynamodb_table");
      expect(Object.keys(tf.data ?? {})).toEqual(["terraform_remote_state"]);
      expect(Object.keys(tf.data?.terraform_remote_state ?? {})).toEqual(["network"]);
    });

    it("publishes exactly the contract's outputs", () => {
      expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(securityContract).sort());
      const out = tf.output!;
      expect(out.alb_security_group_id.value).toBe(SG("alb"));
      expect(out.waf_web_acl_arn.value).toBe("${aws_wafv2_web_acl.waf.arn}");
      expect(out.kms_key_arns.value).toEqual({
        logs: "${aws_kms_key.kms_logs.arn}",
        data: "${aws_kms_key.kms_data.arn}",
        messaging: "${aws_kms_key.kms_messaging.arn}",
      });
      expect(Object.keys(out.task_role_arns.value as object).sort()).toEqual(Object.keys(cfg.services).sort());
      expect(out.lambda_role_arns.value).toEqual({ genai: "${aws_iam_role.genai_lambda.arn}" });
      for (const [k, o] of Object.entries(out))
        expect([k, o.description]).toEqual([k, securityContract[k as keyof typeof securityContract].description]);
    });
  });
});

describe("security layer options", () => {
  it("adds a service without renaming or changing any existing resource", () => {
    const before = synth(SecurityStack, env("dev")).tf;
    const after = synth(SecurityStack, envWith("dev", { services: { ...env("dev").services, owners: { port: 8081 } } })).tf;
    const added = addresses(after).filter((a) => !addresses(before).includes(a));
    expect(addresses(after)).toEqual(expect.arrayContaining(addresses(before)));
    expect(added).toEqual([
      "aws_iam_role.owners_task",
      "aws_iam_role_policy.owners_task_observability",
      "aws_vpc_security_group_egress_rule.alb_8081_to_app",
      "aws_vpc_security_group_egress_rule.app_8081_to_app",
      "aws_vpc_security_group_ingress_rule.app_8081_from_alb",
      "aws_vpc_security_group_ingress_rule.app_8081_from_app",
    ]);
    // Existing resources stay byte-identical, except the execution role's parameter grant, which
    // gains the new service's subtree (an in-place policy update).
    for (const [type, byName] of Object.entries(before.resource ?? {})) {
      for (const [n, r] of Object.entries(byName)) {
        if (`${type}.${n}` === "aws_iam_role_policy.ecs_execution_secrets") continue;
        expect([type, n, resource(after, type, n)]).toEqual([type, n, r]);
      }
    }
    expect(resource(after, "aws_iam_role_policy", "ecs_execution_secrets").policy).toContain("/petclinic/dev/owners/*");
  });

  it("has no service-to-service rules when security.serviceToService is false", () => {
    const { tf } = synth(SecurityStack, envWith("dev", { security: { serviceToService: false } }));
    const names = [
      ...Object.keys(resources(tf, "aws_vpc_security_group_ingress_rule")),
      ...Object.keys(resources(tf, "aws_vpc_security_group_egress_rule")),
    ];
    expect(names.filter((n) => /_(from|to)_app$/.test(n) && n.startsWith("app_"))).toEqual([]);
  });

  it("has no Lambda role when lambda-genai is disabled, and publishes empty maps", () => {
    const { tf } = synth(SecurityStack, envWith("dev", { layers: { "lambda-genai": { enabled: false } } }));
    expect(Object.keys(resources(tf, "aws_iam_role"))).not.toContain("genai_lambda");
    expect(addresses(tf).filter((a) => a.includes("genai"))).toEqual([]);
    expect(tf.output?.lambda_role_arns.value).toEqual({});
    expect(tf.output?.lambda_role_names.value).toEqual({});
    // The lambda security group stays: it is in the contract.
    expect(resource(tf, "aws_security_group", "lambda")).toBeDefined();
  });

  it("has no WAF when security.waf.enabled is false, and publishes an empty ARN", () => {
    const { tf } = synth(SecurityStack, envWith("dev", { security: { waf: { enabled: false } } }));
    expect(resources(tf, "aws_wafv2_web_acl")).toEqual({});
    expect(resources(tf, "aws_wafv2_web_acl_logging_configuration")).toEqual({});
    expect(resources(tf, "aws_cloudwatch_log_group")).toEqual({});
    expect(tf.output?.waf_web_acl_arn.value).toBe("");
  });

  it("switches excluded managed rules to count", () => {
    const { tf } = synth(
      SecurityStack,
      envWith("dev", {
        security: {
          waf: {
            managedRuleGroups: [{ name: "AWSManagedRulesCommonRuleSet", excludedRules: ["SizeRestrictions_BODY", "NoUserAgent_HEADER"] }],
          },
        },
      }),
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const r = (resource(tf, "aws_wafv2_web_acl", "waf").rule as Array<Record<string, any>>).find(
      (x) => x.name === "AWSManagedRulesCommonRuleSet",
    )!;
    expect(r.statement.managed_rule_group_statement.rule_action_override).toEqual([
      { name: "SizeRestrictions_BODY", action_to_use: { count: {} } },
      { name: "NoUserAgent_HEADER", action_to_use: { count: {} } },
    ]);
  });

  it("opens the cache from app and lambda on cache.port when cache.enabled", () => {
    const { tf } = synth(SecurityStack, envWith("dev", { cache: { enabled: true, port: 6380 } }));
    const all = rules(tf);
    for (const tier of ["app", "lambda"]) {
      expect(all[`ingress.cache_6380_from_${tier}`]).toMatchObject({
        security_group_id: SG("cache"),
        referenced_security_group_id: SG(tier),
        from_port: 6380,
      });
      expect(all[`egress.${tier}_6380_to_cache`]).toMatchObject({
        security_group_id: SG(tier),
        referenced_security_group_id: SG("cache"),
        to_port: 6380,
      });
    }
  });

  it("follows the database engine's port and database.port", () => {
    const pg = rules(synth(SecurityStack, envWith("dev", { database: { engine: "aurora-postgresql" } })).tf);
    expect(pg["ingress.data_5432_from_app"]).toMatchObject({ from_port: 5432, to_port: 5432 });
    const custom = rules(synth(SecurityStack, envWith("dev", { database: { engine: "mysql", port: 3307 } })).tf);
    expect(
      Object.keys(custom)
        .filter((a) => a.startsWith("ingress.data_"))
        .sort(),
    ).toEqual(["ingress.data_3307_from_app", "ingress.data_3307_from_db_admin", "ingress.data_3307_from_lambda"]);
  });

  it("opens an internet-facing load balancer to the internet, saying why in the description", () => {
    const all = rules(
      synth(
        SecurityStack,
        envWith("dev", {
          application: { alb: { internal: false, networkLoadBalancer: false } },
          security: { alb: { ingressCidrs: ["0.0.0.0/0"] } },
        }),
      ).tf,
    );
    for (const port of [80, 443]) {
      const rule = all[`ingress.alb_${port === 443 ? "https" : "http"}_from_internet`];
      expect(rule).toMatchObject({
        security_group_id: "${aws_security_group.alb.id}",
        cidr_ipv4: "0.0.0.0/0",
        from_port: port,
        to_port: port,
      });
      expect(rule.description).toMatch(/internet.*no security group/);
    }
  });

  it("drops internet egress when security.egress.internetHttps is false", () => {
    // Without NAT egress the GenAI function needs a bedrock-runtime endpoint (a config rule), so it is off here;
    // the collector comes from a pull-through cache of ECR Public in the private registry (no internet either).
    const collector = { image: "111111111111.dkr.ecr.us-west-2.amazonaws.com/ecr-public/aws-observability/aws-otel-collector:v0.43.2" };
    const all = rules(
      synth(
        SecurityStack,
        envWith("dev", {
          layers: { "lambda-genai": { enabled: false } },
          security: { egress: { internetHttps: false } },
          application: { collector },
        }),
      ).tf,
    );
    expect(Object.keys(all).filter((a) => a.startsWith("egress.") && "cidr_ipv4" in all[a])).toEqual([]);
  });

  it("lets only the API Gateway VPC link reach an internal load balancer (no CIDR ingress)", () => {
    const all = rules(synth(SecurityStack, envWith("dev", { security: { alb: { ingressCidrs: [] } } })).tf);
    expect(
      Object.keys(all)
        .filter((a) => a.startsWith("ingress.alb_"))
        .sort(),
    ).toEqual(["ingress.alb_http_from_api_link", "ingress.alb_https_from_api_link"]);
    expect(all["ingress.alb_https_from_api_link"]).toMatchObject({
      referenced_security_group_id: "${aws_security_group.api_link.id}",
      from_port: 443,
    });
    expect(all["egress.api_link_https_to_alb"]).toMatchObject({
      referenced_security_group_id: "${aws_security_group.alb.id}",
      from_port: 443,
    });
    // What remains on CIDRs is the app and lambda HTTPS egress to the internet, nothing inbound.
    const cidrRules = Object.entries(all).filter(([, r]) => r.cidr_ipv4);
    expect(cidrRules.map(([a, r]) => [a, r.cidr_ipv4, r.from_port])).toEqual([
      ["egress.app_https_to_internet", "0.0.0.0/0", 443],
      ["egress.lambda_https_to_internet", "0.0.0.0/0", 443],
    ]);
  });

  it("restricts the load balancer to configured CIDRs and ports", () => {
    const all = rules(synth(SecurityStack, envWith("staging", { security: { alb: { ingressCidrs: ["10.20.0.0/16"], ports: [443] } } })).tf);
    expect(
      Object.keys(all)
        .filter((a) => a.startsWith("ingress.alb_"))
        .sort(),
    ).toEqual(["ingress.alb_https_from_10_20_0_0_16", "ingress.alb_https_from_api_link"]);
    expect(all["ingress.alb_https_from_10_20_0_0_16"]).toMatchObject({ cidr_ipv4: "10.20.0.0/16", from_port: 443 });
  });

  it("grants ECS Exec channels to task roles when security.ecsExec", () => {
    const { tf } = synth(SecurityStack, envWith("dev", { security: { ecsExec: true } }));
    const p = policy(resource(tf, "aws_iam_role_policy", "customers_task_ecs_exec").policy).Statement;
    expect(actionsOf(p[0]).sort()).toEqual([
      "ssmmessages:CreateControlChannel",
      "ssmmessages:CreateDataChannel",
      "ssmmessages:OpenControlChannel",
      "ssmmessages:OpenDataChannel",
    ]);
  });
});

describe("SecurityGroup module", () => {
  const build = (fn: (sg: SecurityGroupModule) => void) =>
    JSON.parse(
      Testing.synthScope((scope) => {
        fn(new SecurityGroupModule(scope, "web", { name: "web", description: "Web tier", vpcId: "vpc-1", tags: { Team: "a" } }));
      }),
    ) as TerraformJson;

  it("creates the group with no inline rules and one resource per rule", () => {
    const tf = build((sg) => {
      sg.ingressFromGroup("https_from_lb", "sg-lb", { port: 443, description: "HTTPS from the load balancer" });
      sg.egressToPrefixList("https_to_s3", "pl-1", { port: 443, description: "HTTPS to S3" });
      sg.egressToCidr("dns_to_resolver", "10.0.0.2/32", { port: 53, protocol: "udp", description: "DNS to the resolver: no group" });
      sg.ingressFromCidr("range_from_office", "192.0.2.0/24", { port: 8000, toPort: 8100, description: "Range from the office: no group" });
    });
    const [group] = Object.values(resources(tf, "aws_security_group"));
    expect(group).toMatchObject({ name: "web", description: "Web tier", vpc_id: "vpc-1", tags: { Team: "a", Name: "web" } });
    expect(group).not.toHaveProperty("ingress");
    expect(group).not.toHaveProperty("egress");
    const all = rules(tf);
    expect(Object.values(all)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ referenced_security_group_id: "sg-lb", from_port: 443, to_port: 443, ip_protocol: "tcp" }),
        expect.objectContaining({ prefix_list_id: "pl-1", from_port: 443 }),
        expect.objectContaining({ cidr_ipv4: "10.0.0.2/32", ip_protocol: "udp", from_port: 53, to_port: 53 }),
        expect.objectContaining({ cidr_ipv4: "192.0.2.0/24", from_port: 8000, to_port: 8100 }),
      ]),
    );
    expect(Object.keys(all)).toHaveLength(4);
  });

  it("adds rules to a group created elsewhere with fromId", () => {
    const tf = JSON.parse(
      Testing.synthScope((scope) => {
        SecurityGroupModule.fromId(scope, "endpoints", "sg-endpoints").ingressFromGroup("https_from_app", "sg-app", {
          port: 443,
          description: "HTTPS from app",
        });
      }),
    ) as TerraformJson;
    expect(resources(tf, "aws_security_group")).toEqual({});
    expect(Object.values(rules(tf))).toEqual([
      expect.objectContaining({ security_group_id: "sg-endpoints", referenced_security_group_id: "sg-app" }),
    ]);
  });

  it.each([
    ["a description EC2 refuses", { port: 443, description: "the app's port" }, /description/],
    ["an empty description", { port: 443, description: "" }, /description/],
    ["a port out of range", { port: 70000, description: "x" }, /port 70000/],
    ["a reversed range", { port: 9000, toPort: 8000, description: "x" }, /toPort 8000 is below port 9000/],
  ])("refuses %s", (_, rule, message) => {
    expect(() => build((sg) => sg.ingressFromGroup("bad", "sg-x", rule))).toThrow(message);
  });

  it("refuses a malformed CIDR", () => {
    expect(() => build((sg) => sg.egressToCidr("bad", "10.0.0.0", { port: 443, description: "x" }))).toThrow(/not an IPv4 CIDR block/);
  });
});

describe("WafWebAcl module", () => {
  const build = (props: Partial<ConstructorParameters<typeof WafWebAcl>[2]>) =>
    JSON.parse(
      Testing.synthScope((scope) => {
        new WafWebAcl(scope, "waf", { name: "acl", rateLimit: 100, ...props });
      }),
    ) as TerraformJson;

  it("bounds bodies with a rule of its own above 8 KB, switching the Common Rule Set's body rule to count, and refuses what WAF cannot inspect", () => {
    const tf = build({
      maxBodyBytes: 12_288,
      managedRuleGroups: [
        { name: "AWSManagedRulesCommonRuleSet", excludedRules: ["NoUserAgent_HEADER"] },
        { name: "AWSManagedRulesSQLiRuleSet" },
      ],
    });
    const [acl] = Object.values(resources(tf, "aws_wafv2_web_acl"));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const rules = acl.rule as { name: string; priority: number; statement: Record<string, any> }[];
    expect(rules.map((r) => [r.name, r.priority])).toEqual([
      ["rate-limit", 0],
      ["body-size", 1],
      ["AWSManagedRulesCommonRuleSet", 2],
      ["AWSManagedRulesSQLiRuleSet", 3],
    ]);
    expect(rules[1].statement.size_constraint_statement).toMatchObject({
      size: 12_288,
      comparison_operator: "GT",
      field_to_match: { body: { oversize_handling: "MATCH" } },
    });
    expect(rules[2].statement.managed_rule_group_statement.rule_action_override.map((o: { name: string }) => o.name)).toEqual([
      "NoUserAgent_HEADER",
      "SizeRestrictions_BODY",
    ]);
    expect(rules[3].statement.managed_rule_group_statement.rule_action_override).toBeUndefined();
    expect(() => build({ maxBodyBytes: 8192 })).toThrow("maxBodyBytes 8192 must be a whole number 8,193 - 16,384");
    expect(() => build({ maxBodyBytes: 32_768 })).toThrow("maxBodyBytes 32768");
  });

  it("defaults to a regional ACL with only the rate rule, logging with Authorization redacted", () => {
    const tf = build({});
    const [acl] = Object.values(resources(tf, "aws_wafv2_web_acl"));
    expect(acl).toMatchObject({ scope: "REGIONAL", default_action: { allow: {} } });
    expect((acl.rule as unknown[]).length).toBe(1);
    expect(Object.values(resources(tf, "aws_cloudwatch_log_group"))).toEqual([
      expect.objectContaining({ name: "aws-waf-logs-acl", retention_in_days: 365 }),
    ]);
    expect(Object.values(resources(tf, "aws_wafv2_web_acl_logging_configuration"))).toEqual([
      expect.objectContaining({ redacted_fields: [{ single_header: { name: "authorization" } }] }),
    ]);
  });

  it("redacts the configured headers (lower-cased), or does not log at all", () => {
    const tf = build({ logging: { redactedHeaders: ["Authorization", "cookie"] } });
    expect(Object.values(resources(tf, "aws_wafv2_web_acl_logging_configuration"))[0].redacted_fields).toEqual([
      { single_header: { name: "authorization" } },
      { single_header: { name: "cookie" } },
    ]);
    const off = build({ logging: { enabled: false } });
    expect(resources(off, "aws_cloudwatch_log_group")).toEqual({});
    expect(resources(off, "aws_wafv2_web_acl_logging_configuration")).toEqual({});
  });

  it.each([
    ["a rate limit below the WAF minimum", { rateLimit: 5 }, /rateLimit 5/],
    ["a name WAF refuses", { name: "my acl" }, /name "my acl"/],
    [
      "a group listed twice",
      { managedRuleGroups: [{ name: "AWSManagedRulesSQLiRuleSet" }, { name: "AWSManagedRulesSQLiRuleSet" }] },
      /listed twice/,
    ],
  ])("refuses %s", (_, props, message) => {
    expect(() => build(props)).toThrow(message);
  });
});
