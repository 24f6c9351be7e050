/**
 * The front doors: what a WAF rate-based rule sees where it is attached (FACTS.WAF_SOURCE_IP), the
 * private path API Gateway -> VPC link -> NLB -> ALB, CloudFront -> its bucket, and route coverage:
 * every path the load balancer serves is reachable from the public front door, and every function
 * route keeps its sub-paths (they must not fall through to a greedy proxy route to the ALB).
 */
import type { Resource } from "../model";
import { block, blocks, num, str } from "../tf";
import type { FlowContext } from "./context";
import { apiPath, integrationResource } from "./delivery";
import { FACTS } from "./service-context";
import { hop, makeFlow, type Flow, type Hop } from "./types";
import { wildcard } from "./iam";

/** Distributions that have an origin pointing at the API Gateway stack. */
function cloudFrontInFrontOfApi(c: FlowContext): Resource | undefined {
  return c.model
    .resources("aws_cloudfront_distribution")
    .find((d) => blocks(d.config.origin).some((o) => /api_gateway|execute-api|invoke_url/.test(String(o.domain_name ?? ""))));
}

/** The NLBs (VPC link) whose target groups forward to an ALB. */
function albBehindNlb(c: FlowContext, alb: Resource): Resource | undefined {
  for (const att of c.model.resources("aws_lb_target_group_attachment")) {
    if (!c.model.refersTo(att, alb, "target_id")) continue;
    const tg = c.model.resolve(att.stack, att.config.target_group_arn).find((r) => r.type === "aws_lb_target_group");
    if (!tg) continue;
    const listener = c.model.resources("aws_lb_listener").find((l) => c.model.refersTo(l, tg));
    const nlb = listener ? c.model.resolve(listener.stack, listener.config.load_balancer_arn).find((r) => r.type === "aws_lb") : undefined;
    if (nlb) return nlb;
  }
  return undefined;
}

/**
 * The header a scope-down keeps out of a rate rule: `not(size(header) > 0)` counts only requests
 * that do not carry it (for X-Forwarded-For: requests that no proxy such as CloudFront forwarded).
 */
function excludedHeader(scopeDown: Record<string, unknown> | undefined): string | undefined {
  const inner = block(block(block(scopeDown?.not_statement)?.statement)?.size_constraint_statement);
  if (!inner || String(inner.comparison_operator) !== "GT" || Number(inner.size) !== 0) return undefined;
  return str(block(block(inner.field_to_match)?.single_header)?.name)?.toLowerCase();
}

function rateRules(acl: Resource): { name: string; key: string; header?: string; withoutHeader?: string }[] {
  const out: { name: string; key: string; header?: string; withoutHeader?: string }[] = [];
  for (const rule of blocks(acl.attrs.rule)) {
    const rate = block(block(rule.statement)?.rate_based_statement);
    if (!rate) continue;
    const key = String(rate.aggregate_key_type ?? "IP");
    const custom = blocks(rate.custom_key);
    const header = str(block(rate.forwarded_ip_config)?.header_name);
    const k =
      key === "CUSTOM_KEYS"
        ? custom.some((ck) => ck.forwarded_ip !== undefined || ck.header !== undefined)
          ? "FORWARDED_IP"
          : custom.some((ck) => ck.ip !== undefined)
            ? "IP"
            : "CUSTOM"
        : key;
    out.push({ name: String(rule.name ?? "rate"), key: k, header, withoutHeader: excludedHeader(block(rate.scope_down_statement)) });
  }
  return out;
}

export function wafFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const attachments: { acl: Resource; at: Resource; where: string }[] = [];
  for (const a of c.model.resources("aws_wafv2_web_acl_association")) {
    const acl = c.model.resolve(a.stack, a.config.web_acl_arn).find((r) => r.type === "aws_wafv2_web_acl");
    const at = c.model
      .resolve(a.stack, a.config.resource_arn)
      .find((r) => ["aws_lb", "aws_api_gateway_stage", "aws_apigatewayv2_stage", "aws_cognito_user_pool"].includes(r.type));
    if (acl && at) attachments.push({ acl, at, where: a.id });
  }
  for (const d of c.model.resources("aws_cloudfront_distribution")) {
    const acl = c.model.resolve(d.stack, d.config.web_acl_id).find((r) => r.type === "aws_wafv2_web_acl");
    if (acl) attachments.push({ acl, at: d, where: d.id });
  }
  for (const { acl, at } of attachments) {
    for (const rule of rateRules(acl)) {
      let seen = "the client's address";
      let ok = true;
      if (at.type === "aws_api_gateway_stage" || at.type === "aws_apigatewayv2_stage") {
        const cf = cloudFrontInFrontOfApi(c);
        // CloudFront always adds X-Forwarded-For: a rule that leaves such requests out sees only direct callers.
        if (cf && rule.withoutHeader === "x-forwarded-for")
          seen = `direct callers only (requests through ${c.label(cf)} carry X-Forwarded-For and are left to a forwarded-IP rule)`;
        else if (cf) [seen, ok] = [`CloudFront edge addresses (${c.label(cf)} forwards to the API)`, false];
      } else if (at.type === "aws_lb") {
        const internal = at.attrs.internal === true || at.attrs.internal === "true";
        const nlb = albBehindNlb(c, at);
        if (nlb) [seen, ok] = [`the private addresses of ${c.label(nlb)} (the API's VPC link)`, false];
        else if (internal) [seen, ok] = ["private addresses of whatever proxies to this internal load balancer", false];
      }
      const hops: Hop[] = [];
      if (rule.key === "IP")
        hops.push(
          hop(
            "edge",
            `rate rule ${rule.name} (IP) at ${c.label(at)}`,
            ok,
            ok
              ? `aggregates on ${seen}`
              : `aggregates on the source IP, which here is ${seen}: all clients share a few addresses, so the limit throttles everyone together or never fires per client`,
            `key the rule on FORWARDED_IP (X-Forwarded-For) or attach the IP rate rule where the client address is seen (${FACTS.WAF_SOURCE_IP.source})`,
          ),
        );
      else
        hops.push(
          hop(
            "edge",
            `rate rule ${rule.name} (${rule.key}) at ${c.label(at)}`,
            true,
            `aggregates on ${rule.key}${rule.header ? ` (${rule.header})` : ""}`,
          ),
        );
      out.push(
        makeFlow(`waf:${acl.name}/${rule.name}@${at.stack}/${at.name}`, "waf-rate", "clients", `${c.label(at)} (${c.label(acl)})`, hops),
      );
    }
  }
  return out;
}

/** API Gateway -> VPC link -> NLB -> ALB: listeners, target groups and security groups. */
export function vpcLinkFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  for (const link of c.model.resources("aws_api_gateway_vpc_link")) {
    const nlbs = c.model.resolve(link.stack, link.config.target_arns).filter((r) => r.type === "aws_lb");
    const hops: Hop[] = [
      hop(
        "network",
        "VPC link targets an NLB",
        nlbs.length > 0,
        nlbs.length ? nlbs.map((n) => c.label(n)).join(", ") : "the VPC link names no load balancer",
        "point the VPC link at the NLB",
      ),
    ];
    for (const nlb of nlbs) {
      const listeners = c.model.resources("aws_lb_listener").filter((l) => c.model.refersTo(l, nlb, "load_balancer_arn"));
      hops.push(
        hop(
          "network",
          `${nlb.name} listeners`,
          listeners.length > 0,
          listeners.map((l) => `${l.name}:${l.attrs.port}`).join(", ") || "none",
          "add a TCP listener",
        ),
      );
      for (const l of listeners) {
        for (const tg of c.model.resolve(l.stack, l.config.default_action).filter((r) => r.type === "aws_lb_target_group")) {
          const port = num(tg.attrs.port) ?? 443;
          const atts = c.model.resources("aws_lb_target_group_attachment").filter((a) => c.model.refersTo(a, tg, "target_group_arn"));
          const albs = atts.flatMap((a) => c.model.resolve(a.stack, a.config.target_id).filter((r) => r.type === "aws_lb"));
          hops.push(
            hop(
              "network",
              `${tg.name} targets`,
              albs.length > 0,
              albs.map((a) => c.label(a)).join(", ") || "no ALB attached",
              "attach the ALB to the NLB's target group",
            ),
          );
          for (const alb of albs) {
            const albListener = c.model
              .resources("aws_lb_listener")
              .find((x) => c.model.refersTo(x, alb, "load_balancer_arn") && num(x.attrs.port) === port);
            hops.push(
              hop(
                "network",
                `${alb.name} listens on ${port}`,
                !!albListener,
                albListener ? albListener.name : `no listener on port ${port}`,
                `add a listener on ${port} or change the target group port`,
              ),
            );
            hops.push(...c.network.sgPathBetween(nlb, nlb.config.security_groups, alb, alb.config.security_groups, port));
          }
        }
      }
    }
    out.push(
      makeFlow(`vpc-link:${link.stack}/${link.name}`, "api-vpc-link", `API ${c.sym.literal(link, "name") ?? link.name}`, "ALB", hops),
    );
  }
  // HTTP API private integrations: VPC link (its own security groups) -> the ALB listener the integration names.
  for (const i of c.model.resources("aws_apigatewayv2_integration")) {
    const link = c.model.resolve(i.stack, i.config.connection_id).find((r) => r.type === "aws_apigatewayv2_vpc_link");
    const listener = c.model.resolve(i.stack, i.config.integration_uri).find((r) => r.type === "aws_lb_listener");
    if (!link || !listener) continue;
    const alb = c.model.resolve(listener.stack, listener.config.load_balancer_arn).find((r) => r.type === "aws_lb");
    const port = num(listener.attrs.port) ?? 443;
    const hops = alb
      ? c.network.sgPathBetween(link, link.config.security_group_ids, alb, alb.config.security_groups, port)
      : [hop("network", "listener's load balancer", false, `${listener.id} names no load balancer of the environment`, "")];
    out.push(
      makeFlow(`vpc-link:${i.stack}/${i.name}`, "api-vpc-link", `HTTP API (${link.name})`, alb ? `${c.label(alb)}:${port}` : "ALB", hops),
    );
  }
  for (const d of c.model.resources("aws_cloudfront_distribution")) {
    for (const o of blocks(d.config.origin)) {
      const bucket = c.model.resolve(d.stack, o.domain_name).find((r) => r.type === "aws_s3_bucket");
      if (!bucket) continue;
      const hops = c.serviceToResource(
        "cloudfront.amazonaws.com",
        "s3:GetObject",
        bucket,
        { "aws:SourceArn": c.sym.arn(d), "aws:SourceAccount": c.env.accountId },
        `${c.sym.arn(bucket)}/index.html`,
      );
      out.push(makeFlow(`cloudfront:${d.name}->bucket:${bucket.name}`, "cloudfront-origin", c.label(d), c.label(bucket), hops));
    }
  }
  return out;
}

interface ApiRoute {
  readonly path: string;
  readonly greedy: boolean;
  /** `lambda:<id>`, `http:<uri>` */
  readonly target: string;
  readonly uri?: string;
}

function apiRoutes(c: FlowContext): ApiRoute[] {
  const out: ApiRoute[] = [];
  for (const i of c.model.resources("aws_api_gateway_integration")) {
    if (String(i.attrs.type ?? "") === "MOCK") continue; // CORS preflight answers, not routes
    const res = integrationResource(c, i);
    const path = res ? apiPath(c, res) : "/";
    const fn = c.invoked(i.stack, i.config.uri);
    const uri = c.sym.render(i.stack, String(i.attrs.uri ?? ""));
    out.push({ path, greedy: /\{[^}]+\+\}$/.test(path), target: fn ? `lambda:${fn.id}` : `http:${uri}`, uri: fn ? undefined : uri });
  }
  for (const r of c.model.resources("aws_apigatewayv2_route")) {
    const key = String(r.attrs.route_key ?? "");
    const path = key.split(" ")[1] ?? key;
    const integ = c.model.resolve(r.stack, r.config.target).find((x) => x.type === "aws_apigatewayv2_integration");
    const fn = integ ? c.invoked(integ.stack, integ.config.integration_uri) : undefined;
    const uri = integ ? c.sym.render(integ.stack, String(integ.attrs.integration_uri ?? "")) : "";
    out.push({ path, greedy: /\{[^}]+\+\}$/.test(path), target: fn ? `lambda:${fn.id}` : `http:${uri}`, uri: fn ? undefined : uri });
  }
  return out;
}

/** The route API Gateway picks for a path: an exact resource, else the deepest greedy parent. */
function routeFor(routes: readonly ApiRoute[], path: string): ApiRoute | undefined {
  const exact = routes.find((r) => !r.greedy && r.path === path);
  if (exact) return exact;
  return routes
    .filter(
      (r) => r.greedy && path.startsWith(r.path.replace(/\{[^}]+\+\}$/, "")) && path.length > r.path.replace(/\{[^}]+\+\}$/, "").length,
    )
    .sort((a, b) => b.path.length - a.path.length)[0];
}

/** The path the backend receives for a client path through a greedy HTTP route. */
function backendPath(route: ApiRoute, path: string): string | undefined {
  if (!route.uri) return undefined;
  const base = route.path.replace(/\{[^}]+\+\}$/, "");
  const rest = path.slice(base.length);
  // A private integration of an HTTP API (a listener ARN, not a URL) forwards the path unchanged.
  if (!/^https?:\/\//.test(route.uri)) return path;
  const m = /^https?:\/\/(?:⟦[^⟧]*⟧|[^/])+(\/.*)?$/.exec(route.uri);
  const tmpl = m?.[1] ?? "/";
  return tmpl.replace(/\{[^}]+\}/, rest);
}

export function routeFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const routes = apiRoutes(c);
  if (!routes.length) return out;
  // CloudFront in front of the API: a behaviour for the API origin, the origin path naming the stage, every route under a behaviour.
  for (const d of c.model.resources("aws_cloudfront_distribution")) {
    for (const o of blocks(d.config.origin)) {
      if (!/api_gateway|execute-api|invoke_url/.test(String(o.domain_name ?? ""))) continue;
      const id = String(o.origin_id ?? "");
      const patterns = blocks(d.config.ordered_cache_behavior)
        .filter((b) => b.target_origin_id === id)
        .map((b) => String(b.path_pattern));
      const isDefault = block(d.config.default_cache_behavior)?.target_origin_id === id;
      const stages = c.model
        .resources(["aws_api_gateway_stage", "aws_apigatewayv2_stage"])
        .map((st) => `/${c.sym.literal(st, st.type === "aws_api_gateway_stage" ? "stage_name" : "name") ?? ""}`);
      const originPath = o.origin_path === undefined ? "" : c.sym.render(d.stack, String(o.origin_path));
      const hops: Hop[] = [
        hop(
          "route",
          "a behaviour sends requests to the API origin",
          isDefault || patterns.length > 0,
          isDefault ? "default behaviour" : patterns.join(", ") || `no behaviour targets origin ${id}`,
          "add an ordered cache behaviour for the API paths",
        ),
        hop(
          "route",
          "origin path names the API stage",
          stages.includes(originPath) || (originPath === "" && stages.includes("/$default")),
          `origin path ${JSON.stringify(originPath)}; stages ${stages.join(", ")}`,
          "set the origin path to /<stage name>",
        ),
      ];
      for (const r of routes) {
        const sample = r.path.replace(/\{[^}]+\+\}$/, "x").replace(/\{[^}]+\}/g, "x");
        const covered = isDefault || patterns.some((p) => wildcard(p, sample));
        hops.push(
          hop(
            "route",
            `${r.path} under a behaviour`,
            covered,
            covered
              ? "covered"
              : `${r.path} matches no behaviour of the API origin (${patterns.join(", ")}): the site's default origin answers it`,
            `add a behaviour covering ${r.path}`,
          ),
        );
      }
      out.push(makeFlow(`cloudfront:${d.name}->api`, "cloudfront-api", c.label(d), "API", hops));
    }
  }
  // Every path an ALB listener rule serves must be reachable through the API.
  const httpRoutes = routes.filter((r) => r.uri);
  for (const rule of c.model.resources("aws_lb_listener_rule")) {
    const listener = c.model.resolve(rule.stack, rule.config.listener_arn).find((r) => r.type === "aws_lb_listener");
    const alb = listener ? c.model.resolve(listener.stack, listener.config.load_balancer_arn).find((r) => r.type === "aws_lb") : undefined;
    if (!alb || !(alb.attrs.internal === true || alb.attrs.internal === "true")) continue;
    const patterns = blocks(rule.config.condition).flatMap((cd) =>
      Array.isArray(block(cd.path_pattern)?.values) ? (block(cd.path_pattern)!.values as unknown[]).map(String) : [],
    );
    if (!patterns.length) continue;
    const tg = c.model.resolve(rule.stack, rule.config.action).find((r) => r.type === "aws_lb_target_group");
    const hops: Hop[] = [];
    for (const p of patterns) {
      const sample = p.replace(/\*/g, "x");
      const reach = httpRoutes.find((r) => {
        // An exact route: the client asks for its path, the backend gets the integration's path.
        if (!r.greedy) return routeFor(routes, r.path) === r && wildcard(p, backendPath(r, r.path) ?? "");
        const base = r.path.replace(/\{[^}]+\+\}$/, "");
        const tmplBase = backendPath(r, `${base}`);
        if (tmplBase === undefined || !sample.startsWith(tmplBase) || sample.length <= tmplBase.length) return false;
        const client = `${base}${sample.slice(tmplBase.length)}`;
        const picked = routeFor(routes, client);
        return picked === r && wildcard(p, backendPath(r, client) ?? "");
      });
      hops.push(
        hop(
          "route",
          `${p} reachable through the API`,
          !!reach,
          reach
            ? `client path via ${reach.path}`
            : `no API route reaches ${p} on the load balancer (API routes: ${routes.map((r) => r.path).join(", ")})`,
          `add an API route to ${p} or drop the service's public path`,
        ),
      );
    }
    out.push(
      makeFlow(`route:${rule.name}`, "route-coverage", "public API", `${tg ? c.label(tg) : c.label(rule)} ${patterns.join(" ")}`, hops),
    );
  }
  // Function routes keep their sub-paths.
  for (const r of routes.filter((x) => x.target.startsWith("lambda:") && !x.greedy)) {
    const sub = `${r.path}/x`;
    const picked = routeFor(routes, sub);
    const ok = !picked || picked.target === r.target;
    out.push(
      makeFlow(`route:${r.path}/*`, "route-coverage", "public API", `${r.path} sub-paths`, [
        hop(
          "route",
          `${sub} stays with the function`,
          ok,
          ok
            ? picked
              ? `handled by ${picked.path}`
              : "API Gateway answers 403/404"
            : `${sub} falls through to ${picked!.path} (${picked!.target.replace(/^http:/, "")}) instead of the function`,
          `add ${r.path}/{proxy+} to the function route, or answer the sub-paths with 404`,
        ),
      ]),
    );
  }
  return out;
}

/** The body limit a web ACL enforces: the Common Rule Set's SizeRestrictions_BODY (8 KB) unless it is switched to count. */
function bodyLimit(acl: Resource): number | undefined {
  const limits: number[] = [];
  for (const rule of blocks(acl.attrs.rule)) {
    // A rule of the ACL's own that blocks bodies over a size.
    const size = block(block(rule.statement)?.size_constraint_statement);
    if (
      size &&
      block(size.field_to_match)?.body !== undefined &&
      String(size.comparison_operator) === "GT" &&
      block(rule.action)?.block !== undefined
    ) {
      const n = num(size.size);
      if (n !== undefined) limits.push(n);
    }
    const group = block(block(rule.statement)?.managed_rule_group_statement);
    if (!group || group.name !== "AWSManagedRulesCommonRuleSet") continue;
    const overridden =
      blocks(group.rule_action_override).some((o) => o.name === "SizeRestrictions_BODY") ||
      blocks(group.excluded_rule).some((o) => o.name === "SizeRestrictions_BODY");
    if (!overridden) limits.push(FACTS.WAF_BODY_LIMIT.bytes);
  }
  return limits.length ? Math.min(...limits) : undefined;
}

/**
 * Function routes against the body rules in front of them: a function that declares input limits
 * (MAX_*_LENGTH / _BYTES / _SIZE variables: characters, at least one byte each) behind a web ACL
 * that blocks bodies over 8 KB refuses requests the function accepts.
 */
export function bodySizeFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const acls: { acl: Resource; at: string }[] = [];
  for (const a of c.model.resources("aws_wafv2_web_acl_association")) {
    const acl = c.model.resolve(a.stack, a.config.web_acl_arn).find((r) => r.type === "aws_wafv2_web_acl");
    const at = c.model
      .resolve(a.stack, a.config.resource_arn)
      .find((r) => r.type === "aws_api_gateway_stage" || r.type === "aws_apigatewayv2_stage");
    if (acl && at) acls.push({ acl, at: c.label(at) });
  }
  const cf = cloudFrontInFrontOfApi(c);
  const cfAcl = cf ? c.model.resolve(cf.stack, cf.config.web_acl_id).find((r) => r.type === "aws_wafv2_web_acl") : undefined;
  if (cf && cfAcl) acls.push({ acl: cfAcl, at: c.label(cf) });
  for (const i of c.model.resources(["aws_api_gateway_integration", "aws_apigatewayv2_integration"])) {
    const invoked = c.invoked(i.stack, i.config.uri ?? i.config.integration_uri);
    const fn = invoked && c.functionOf(invoked);
    if (!fn) continue;
    const vars = block(fn.attrs.environment)?.variables;
    const limits = Object.entries(typeof vars === "object" && vars ? (vars as Record<string, unknown>) : {}).filter(
      ([k, v]) => /^MAX_[A-Z_]*_(LENGTH|BYTES|SIZE)$/.test(k) && num(v) !== undefined,
    );
    if (!limits.length) continue;
    const accepts = limits.reduce((n, [, v]) => n + (num(v) ?? 0), 0);
    const hops: Hop[] = acls.map(({ acl, at }) => {
      const limit = bodyLimit(acl);
      const ok = limit === undefined || accepts <= limit;
      return hop(
        "edge",
        `body size at ${at} (${c.label(acl)})`,
        ok,
        ok
          ? `no body rule below ${accepts} bytes`
          : `${c.sym.nameOf(fn)} accepts ${limits.map(([k, v]) => `${k}=${v}`).join(" + ")} (at least ${accepts} bytes) but the web ACL blocks bodies over ${limit} bytes${limit === FACTS.WAF_BODY_LIMIT.bytes ? " (SizeRestrictions_BODY of the Common Rule Set)" : ""}`,
        `switch SizeRestrictions_BODY to count on this ACL (rule_action_override) and bound the body with a rule of your own on the function's route, or lower the function's limits (${FACTS.WAF_BODY_LIMIT.source})`,
      );
    });
    if (hops.length) out.push(makeFlow(`body:${i.stack}/${i.name}`, "edge-body-size", "clients", c.label(fn), hops));
  }
  return out;
}
