/** Edge rules: load balancers, API Gateway, CloudFront, WAF. */
import type { EnvModel, Resource } from "../model";
import type { Check, RuleChecks } from "../policy";
import { block, blocks, bool, get, num, str, strings } from "../tf";
import { check, fail, isSet, pass, perResource, pointingAt } from "./helpers";

const LB = ["aws_lb", "aws_alb"];
const LISTENER = ["aws_lb_listener", "aws_alb_listener"];

/** An Application Load Balancer (not a network or gateway one). */
const isAlb = (l: Resource) => (str(l.attrs.load_balancer_type) ?? "application") === "application";
const internetFacing = (lb: Resource) => bool(lb.attrs.internal) !== true;
const wafAssociated = (model: EnvModel, r: Resource) =>
  model.referrers(r, "aws_wafv2_web_acl_association", "resource_arn").length > 0 || isSet(r.attrs.web_acl_id);

/** TLS policies that allow TLS 1.2 and 1.3 only. */
const MODERN_TLS = /^ELBSecurityPolicy-(TLS13-|TLS-1-2-|FS-1-2-)/;

/** Method settings of a REST stage: by reference to the stage, or its literal name on the same API. */
const methodSettings = (model: EnvModel, stage: Resource) =>
  pointingAt(
    model,
    stage,
    "aws_api_gateway_method_settings",
    "stage_name",
    (m) => String(m.attrs.rest_api_id) === String(stage.attrs.rest_api_id),
  );

function restApiOf(model: EnvModel, stage: Resource): Resource | undefined {
  return model.resolve(stage.stack, stage.config.rest_api_id).find((r) => r.type === "aws_api_gateway_rest_api");
}

const isPrivateApi = (api: Resource | undefined) =>
  api !== undefined && strings(get(api.attrs, "endpoint_configuration.types")).includes("PRIVATE");

/** An origin served from S3 (a bucket reference or an S3 domain name). */
function s3Origin(model: EnvModel, dist: Resource, origin: Record<string, unknown>): "bucket" | "website" | undefined {
  const domain = String(origin.domain_name ?? "");
  if (/s3-website[.-]/.test(domain)) return "website";
  if (model.resolve(dist.stack, origin.domain_name).some((r) => r.type === "aws_s3_bucket"))
    return /website_endpoint/.test(domain) ? "website" : "bucket";
  if (/\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com/.test(domain) || block(origin.s3_origin_config)) return "bucket";
  return undefined;
}

const behaviours = (d: Resource) =>
  [block(d.attrs.default_cache_behavior), ...blocks(d.attrs.ordered_cache_behavior)].filter(
    (b): b is Record<string, unknown> => b !== undefined,
  );

export const edgeChecks: RuleChecks = {
  "PK-ALB-001": perResource({
    types: LB,
    where: isAlb,
    each: (lb) => check(lb, bool(lb.attrs.drop_invalid_header_fields) === true, "drop_invalid_header_fields is not true"),
  }),
  "PK-ALB-002": perResource({
    types: LISTENER,
    where: (l) => l.attrs.protocol === "HTTP" || (l.attrs.protocol === undefined && !isSet(l.attrs.certificate_arn)),
    each: (l) => {
      const actions = blocks(l.attrs.default_action);
      const redirects = actions.length > 0 && actions.every((a) => a.type === "redirect" && get(a, "redirect.protocol") === "HTTPS");
      return check(l, redirects, `plain HTTP on port ${String(l.attrs.port ?? 80)} serves requests instead of redirecting to HTTPS`);
    },
  }),
  "PK-ALB-003": perResource({
    types: LISTENER,
    where: (l) => l.attrs.protocol === "HTTPS" || l.attrs.protocol === "TLS",
    each: (l) => {
      const policy = str(l.attrs.ssl_policy) ?? "ELBSecurityPolicy-2016-08";
      return check(l, MODERN_TLS.test(policy), `ssl_policy ${policy} allows TLS 1.0/1.1`);
    },
  }),
  "PK-ALB-004": perResource({
    types: [...LB, "aws_wafv2_web_acl_association"],
    of: LB,
    where: isAlb,
    each: (lb, { model }) =>
      internetFacing(lb)
        ? check(lb, wafAssociated(model, lb), "internet-facing without a web ACL")
        : pass(lb, "internal: reached only through the front doors"),
  }),
  "PK-ALB-005": {
    types: LB,
    check: ({ model }) =>
      model
        .resources(LB)
        // An NLB writes access logs for TLS listeners only; one that passes TCP through has none to write.
        .filter(
          (lb) =>
            lb.attrs.load_balancer_type !== "network" ||
            model.referrers(lb, LISTENER, "load_balancer_arn").some((l) => l.attrs.protocol === "TLS"),
        )
        .map((lb) => check(lb, bool(get(lb.attrs, "access_logs.enabled")) === true, "no access logs")),
  },
  "PK-ALB-006": perResource({
    types: LB,
    each: (lb) => check(lb, bool(lb.attrs.enable_deletion_protection) === true, "enable_deletion_protection is not true"),
  }),
  "PK-API-001": perResource({
    types: ["aws_api_gateway_stage", "aws_apigatewayv2_stage"],
    each: (s) => check(s, isSet(get(s.attrs, "access_log_settings.destination_arn")), "no access logs"),
  }),
  "PK-API-002": perResource({
    types: ["aws_api_gateway_stage"],
    each: (s) => check(s, bool(s.attrs.xray_tracing_enabled) === true, "X-Ray tracing is off"),
  }),
  "PK-API-003": {
    types: ["aws_api_gateway_stage", "aws_api_gateway_method_settings", "aws_apigatewayv2_stage"],
    check: ({ model }) => [
      ...model.resources("aws_api_gateway_stage").map((s) => {
        const limited = methodSettings(model, s).some((m) => (num(get(m.attrs, "settings.throttling_rate_limit")) ?? -1) > 0);
        return check(s, limited, "no method settings set a throttling rate: only the account-wide limit applies");
      }),
      ...model
        .resources("aws_apigatewayv2_stage")
        .map((s) =>
          check(
            s,
            (num(get(s.attrs, "default_route_settings.throttling_rate_limit")) ?? 0) > 0,
            "default_route_settings sets no throttling rate",
          ),
        ),
    ],
  },
  "PK-API-004": {
    types: ["aws_api_gateway_stage", "aws_apigatewayv2_stage", "aws_wafv2_web_acl_association"],
    check: ({ model }) => [
      ...model.resources("aws_api_gateway_stage").map((s) => {
        if (isPrivateApi(restApiOf(model, s))) return pass(s, "private API");
        return check(s, wafAssociated(model, s), "public stage without a web ACL");
      }),
      ...model.resources("aws_apigatewayv2_stage").map((s) => fail(s, "HTTP API stages cannot be associated with a WAF web ACL")),
    ],
  },
  "PK-API-005": perResource({
    types: ["aws_api_gateway_stage"],
    each: (s) => check(s, bool(s.attrs.cache_cluster_enabled) === true, "no stage cache"),
  }),
  "PK-API-006": perResource({
    types: ["aws_api_gateway_stage", "aws_api_gateway_method_settings"],
    of: "aws_api_gateway_stage",
    each: (s, { model }) => {
      const levels = methodSettings(model, s).map((m) => String(get(m.attrs, "settings.logging_level") ?? "OFF"));
      return check(
        s,
        levels.some((l) => l === "ERROR" || l === "INFO"),
        `logging level ${levels[0] ?? "not set"}`,
      );
    },
  }),
  "PK-API-007": {
    types: ["aws_api_gateway_domain_name", "aws_apigatewayv2_domain_name"],
    check: ({ model }) => [
      ...model
        .resources("aws_api_gateway_domain_name")
        .map((d) =>
          check(
            d,
            String(d.attrs.security_policy ?? "TLS_1_0").startsWith("TLS_1_2") || /TLS13/.test(String(d.attrs.security_policy)),
            `security_policy ${String(d.attrs.security_policy ?? "TLS_1_0")}`,
          ),
        ),
      ...model
        .resources("aws_apigatewayv2_domain_name")
        .map((d) =>
          check(
            d,
            String(get(d.attrs, "domain_name_configuration.security_policy") ?? "") === "TLS_1_2",
            "domain_name_configuration.security_policy is not TLS_1_2",
          ),
        ),
    ],
  },
  "PK-API-008": perResource({
    types: ["aws_api_gateway_method"],
    where: (m) => m.attrs.http_method !== "OPTIONS",
    each: (m) =>
      check(
        m,
        m.attrs.authorization !== "NONE" || bool(m.attrs.api_key_required) === true,
        `${String(m.attrs.http_method)} is open: authorization NONE, no API key`,
      ),
  }),
  "PK-CF-001": perResource({
    types: ["aws_cloudfront_distribution"],
    each: (d) => {
      const open = behaviours(d).filter((b) => b.viewer_protocol_policy === "allow-all");
      return check(d, open.length === 0, `${open.map((b) => String(b.path_pattern ?? "default")).join(", ")} allows plain HTTP`);
    },
  }),
  "PK-CF-002": perResource({
    types: ["aws_cloudfront_distribution"],
    each: (d) => {
      const cert = block(d.attrs.viewer_certificate) ?? {};
      if (bool(cert.cloudfront_default_certificate) === true) return fail(d, "the *.cloudfront.net certificate accepts TLS 1.0");
      const version = String(cert.minimum_protocol_version ?? "TLSv1");
      return check(d, /^TLSv1\.2_20(19|21)|^TLSv1\.3/.test(version), `minimum_protocol_version ${version}`);
    },
  }),
  "PK-CF-003": {
    types: ["aws_cloudfront_distribution", "aws_cloudfront_origin_access_control"],
    check: ({ model }) =>
      model.resources("aws_cloudfront_distribution").flatMap((d): Check[] => {
        const origins = blocks(d.attrs.origin)
          .map((o) => ({ o, kind: s3Origin(model, d, o) }))
          .filter((x) => x.kind);
        if (!origins.length) return [pass(d, "no S3 origin")];
        return origins.map(({ o, kind }) => {
          const id = String(o.origin_id ?? "?");
          if (kind === "website") return fail(d, `origin ${id} is an S3 website endpoint: the bucket must be public`);
          if (isSet(o.origin_access_control_id)) return pass(d);
          if (isSet(get(o, "s3_origin_config.origin_access_identity"))) return fail(d, `origin ${id} uses a legacy origin access identity`);
          return fail(d, `origin ${id} has no origin access control`);
        });
      }),
  },
  "PK-CF-004": perResource({
    types: ["aws_cloudfront_distribution"],
    each: (d) => check(d, isSet(d.attrs.web_acl_id), "no web ACL"),
  }),
  "PK-CF-005": perResource({
    types: ["aws_cloudfront_distribution"],
    each: (d, { model }) => {
      const v2 = model.resources("aws_cloudwatch_log_delivery_source").some((s) => model.refersTo(s, d, "resource_arn"));
      return check(d, isSet(get(d.attrs, "logging_config.bucket")) || v2, "no access logs");
    },
  }),
  "PK-CF-006": perResource({
    types: ["aws_cloudfront_distribution"],
    each: (d) =>
      check(
        d,
        isSet(get(d.attrs, "default_cache_behavior.response_headers_policy_id")),
        "the default behavior sets no response headers policy",
      ),
  }),
  "PK-WAF-001": perResource({
    types: ["aws_wafv2_web_acl", "aws_wafv2_web_acl_logging_configuration"],
    of: "aws_wafv2_web_acl",
    each: (w, { model }) =>
      check(w, model.referrers(w, "aws_wafv2_web_acl_logging_configuration", "resource_arn").length > 0, "no logging configuration"),
  }),
  "PK-WAF-002": perResource({
    types: ["aws_wafv2_web_acl"],
    each: (w) => {
      const groups = blocks(w.attrs.rule).map((r) => str(get(r, "statement.managed_rule_group_statement.name")));
      return check(
        w,
        groups.includes("AWSManagedRulesKnownBadInputsRuleSet"),
        "AWSManagedRulesKnownBadInputsRuleSet is not among the rules",
      );
    },
  }),
};
