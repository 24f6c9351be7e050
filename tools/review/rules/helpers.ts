/** Shared pieces of the rules: check constructors, security group rules, IAM documents, bucket parts. */
import type { EnvModel, Resource } from "../model";
import type { Check, RuleCode, RuleContext } from "../policy";
import { block, blocks, bool, isExpression, isObj, list, num, parseJson, str, strings, type Obj } from "../tf";

export const pass = (resource: Resource, message = "ok"): Check => ({ resource, ok: true, message });
export const fail = (resource: Resource, message: string): Check => ({ resource, ok: false, message });
/** A check that passes when `ok`, with the failure message otherwise. */
export const check = (resource: Resource, ok: boolean, failure: string, success = "ok"): Check =>
  ok ? pass(resource, success) : fail(resource, failure);

/**
 * A rule that checks each resource of its types on its own, declared as data: which resources it
 * applies to, and the check of one resource. Most of the pack has this shape; `perResource` is its
 * one evaluator.
 */
export interface PerResourceRule extends Omit<RuleCode, "check"> {
  /** The types checked, when only some of `types` are (the others are what the check reads). Default: `types`. */
  readonly of?: string | readonly string[];
  /** Only the resources this accepts are checked. Default: all. */
  readonly where?: (resource: Resource, ctx: RuleContext) => boolean;
  /** The check of one resource. */
  readonly each: (resource: Resource, ctx: RuleContext) => Check;
}

export function perResource({ types, of, where, each }: PerResourceRule): RuleCode {
  return {
    types,
    check: (ctx) =>
      ctx.model
        .resources(of ?? types)
        .filter((r) => !where || where(r, ctx))
        .map((r) => each(r, ctx)),
  };
}

/**
 * The resources of `type` whose `attr` points at `target`: by reference (`attr = aws_x.target.id`),
 * or by the literal value `target` has in the same attribute, where `sameScope` (default: always)
 * accepts the resource (a stage name is only unique within its API).
 */
export function pointingAt(
  model: EnvModel,
  target: Resource,
  type: string,
  attr: string,
  sameScope: (r: Resource) => boolean = () => true,
): Resource[] {
  const name = str(target.attrs[attr]);
  return model
    .resources(type)
    .filter(
      (r) => model.refersTo(r, target, attr) || (name !== undefined && !isExpression(name) && r.attrs[attr] === name && sameScope(r)),
    );
}

// ---------------------------------------------------------------- security group rules

export interface SgRule {
  /** The resource holding the rule (a group with inline rules, or the rule resource). */
  readonly resource: Resource;
  readonly direction: "ingress" | "egress";
  /** `-1` for all protocols, else `tcp`, `udp`, `icmp`, a number. */
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly cidrs: readonly string[];
  readonly description: string | undefined;
  /** Position of an inline rule in its group. */
  readonly index?: number;
}

export const WORLD = ["0.0.0.0/0", "::/0"];

const protocolOf = (v: unknown): string => {
  const p = String(v ?? "-1").toLowerCase();
  return p === "all" ? "-1" : p === "6" ? "tcp" : p === "17" ? "udp" : p;
};

/** Every security group rule of the environment, from the four ways Terraform writes them. */
export function sgRules(model: EnvModel): SgRule[] {
  const out: SgRule[] = [];
  for (const r of model.resources(["aws_security_group", "aws_default_security_group"])) {
    for (const direction of ["ingress", "egress"] as const) {
      blocks(r.attrs[direction]).forEach((b, index) =>
        out.push({
          resource: r,
          direction,
          protocol: protocolOf(b.protocol),
          from: num(b.from_port) ?? 0,
          to: num(b.to_port) ?? 65535,
          cidrs: [...strings(b.cidr_blocks), ...strings(b.ipv6_cidr_blocks)],
          description: str(b.description),
          index,
        }),
      );
    }
  }
  for (const r of model.resources("aws_security_group_rule")) {
    out.push({
      resource: r,
      direction: r.attrs.type === "egress" ? "egress" : "ingress",
      protocol: protocolOf(r.attrs.protocol),
      from: num(r.attrs.from_port) ?? 0,
      to: num(r.attrs.to_port) ?? 65535,
      cidrs: [...strings(r.attrs.cidr_blocks), ...strings(r.attrs.ipv6_cidr_blocks)],
      description: str(r.attrs.description),
    });
  }
  for (const [type, direction] of [
    ["aws_vpc_security_group_ingress_rule", "ingress"],
    ["aws_vpc_security_group_egress_rule", "egress"],
  ] as const) {
    for (const r of model.resources(type)) {
      out.push({
        resource: r,
        direction,
        protocol: protocolOf(r.attrs.ip_protocol),
        from: num(r.attrs.from_port) ?? 0,
        to: num(r.attrs.to_port) ?? 65535,
        cidrs: [str(r.attrs.cidr_ipv4), str(r.attrs.cidr_ipv6)].filter((c): c is string => Boolean(c)),
        description: str(r.attrs.description),
      });
    }
  }
  return out;
}

/** The rule opens every port (all protocols, or 0-65535). */
export function allPorts(rule: SgRule): boolean {
  return rule.protocol === "-1" || (rule.from <= 0 && rule.to >= 65535);
}

/** The rule opens TCP `port`. */
export function coversPort(rule: SgRule, port: number): boolean {
  if (rule.protocol === "-1") return true;
  if (rule.protocol !== "tcp") return false;
  return rule.from <= port && port <= rule.to;
}

export function isWorld(rule: SgRule): boolean {
  return rule.cidrs.some((c) => WORLD.includes(c));
}

/** `tcp/22`, `tcp/8000-8080`, `all traffic`; with the inline position when there is one. */
export function describeRule(rule: SgRule): string {
  const ports = allPorts(rule)
    ? "all traffic"
    : rule.from === rule.to
      ? `${rule.protocol}/${rule.from}`
      : `${rule.protocol}/${rule.from}-${rule.to}`;
  const where = rule.index !== undefined ? ` (${rule.direction}[${rule.index}])` : "";
  return `${rule.direction} ${ports} ${rule.direction === "ingress" ? "from" : "to"} ${rule.cidrs.filter((c) => WORLD.includes(c)).join(", ") || rule.cidrs.join(", ")}${where}`;
}

// ---------------------------------------------------------------- IAM documents

export interface Statement {
  readonly effect: "Allow" | "Deny";
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
  readonly resources: readonly string[];
  /** Principals as written (`*`, ARNs, service names). */
  readonly principals: readonly string[];
  readonly hasCondition: boolean;
  readonly sid: string | undefined;
}

/** The statements of a policy value: a JSON string, or `${data.aws_iam_policy_document.x.json}`. */
export function statements(model: EnvModel, r: Resource, value: unknown): Statement[] | undefined {
  if (typeof value === "string" && isExpression(value) && !value.trim().startsWith("{")) {
    const m = /^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_-]+)\.json\}$/.exec(value.trim());
    const doc = m ? model.stack(r.stack)?.tf.data?.aws_iam_policy_document?.[m[1]] : undefined;
    return doc ? documentStatements(doc) : undefined;
  }
  const parsed = parseJson(value);
  if (!isObj(parsed)) return undefined;
  return list(parsed.Statement)
    .filter(isObj)
    .map((s) => ({
      effect: s.Effect === "Deny" ? "Deny" : "Allow",
      actions: strings(s.Action),
      notActions: strings(s.NotAction),
      resources: strings(s.Resource),
      principals: principalsOf(s.Principal),
      hasCondition: isObj(s.Condition) && Object.keys(s.Condition).length > 0,
      sid: str(s.Sid),
    }));
}

function principalsOf(p: unknown): string[] {
  if (p === undefined) return [];
  if (typeof p === "string") return [p];
  if (isObj(p)) return Object.values(p).flatMap((v) => strings(v));
  return [];
}

function documentStatements(doc: Obj): Statement[] {
  return blocks(doc.statement).map((s) => ({
    effect: s.effect === "Deny" ? "Deny" : "Allow",
    actions: strings(s.actions),
    notActions: strings(s.not_actions),
    resources: strings(s.resources),
    principals: blocks(s.principals).flatMap((p) => strings(p.identifiers)),
    hasCondition: blocks(s.condition).length > 0,
    sid: str(s.sid),
  }));
}

/** Identity policies of the environment: resource, which attribute, and the document value. */
export function identityPolicies(model: EnvModel): { resource: Resource; where: string; value: unknown }[] {
  const out: { resource: Resource; where: string; value: unknown }[] = [];
  for (const r of model.resources(["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"])) {
    out.push({ resource: r, where: "policy", value: r.attrs.policy });
  }
  for (const r of model.resources("aws_iam_role")) {
    blocks(r.attrs.inline_policy).forEach((p, i) => out.push({ resource: r, where: `inline_policy[${i}]`, value: p.policy }));
  }
  return out;
}

/**
 * Actions that take no resource-level permissions (IAM requires `Resource: "*"` for them), so "*"
 * is not a finding. Describe* and List* calls are treated the same way.
 */
const UNRESTRICTABLE = new Set(
  [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "xray:GetSamplingStatisticSummaries",
    "ecr:GetAuthorizationToken",
    "cloudwatch:PutMetricData",
    "cloudwatch:GetMetricData",
    "cloudwatch:GetMetricStatistics",
    "cloudwatch:GetMetricWidgetImage",
    "sts:GetCallerIdentity",
    "s3:ListAllMyBuckets",
    "secretsmanager:GetRandomPassword",
    "servicediscovery:DiscoverInstances",
    "servicediscovery:DiscoverInstancesRevision",
    "tag:GetResources",
    "ecs:RegisterTaskDefinition",
    "ecs:DeregisterTaskDefinition",
    "kms:CreateKey",
  ].map((a) => a.toLowerCase()),
);

export function isUnrestrictable(action: string): boolean {
  const a = action.toLowerCase();
  if (UNRESTRICTABLE.has(a)) return true;
  const verb = a.split(":")[1] ?? "";
  return verb.startsWith("describe") || verb.startsWith("list");
}

// ---------------------------------------------------------------- buckets

/**
 * The resources configuring a bucket (`aws_s3_bucket_<part>`) that point at it by reference
 * (`bucket = aws_s3_bucket.x.id`) or by its literal name.
 */
export function bucketParts(model: EnvModel, bucket: Resource, type: string): Resource[] {
  return pointingAt(model, bucket, type, "bucket");
}

/** Account-wide S3 public access block, when the environment sets one. */
export function accountPublicAccessBlock(model: EnvModel): Resource | undefined {
  return model.resources("aws_s3_account_public_access_block")[0];
}

/** The four public access block settings are all true. */
export function blocksAllPublicAccess(b: Obj): boolean {
  return ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"].every((k) => bool(b[k]) === true);
}

/** A bucket policy statement denies requests without TLS (`aws:SecureTransport = false`). */
export function deniesInsecureTransport(stmts: readonly Statement[] | undefined, raw: unknown): boolean {
  if (!stmts) return false;
  const doc = parseJson(raw);
  const rawStatements = isObj(doc) ? list(doc.Statement).filter(isObj) : [];
  return rawStatements.some((s) => {
    if (s.Effect !== "Deny") return false;
    const cond = block(s.Condition);
    const b = block(cond?.Bool);
    return b !== undefined && String(b["aws:SecureTransport"]) === "false";
  });
}

// ---------------------------------------------------------------- secrets in plain variables

const SECRET_WORDS = new Set(["PASSWORD", "PASSWD", "PWD", "SECRET", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PASSPHRASE"]);
const SECRET_PAIRS = [
  ["API", "KEY"],
  ["ACCESS", "KEY"],
  ["PRIVATE", "KEY"],
  ["SECRET", "KEY"],
  ["AUTH", "TOKEN"],
  ["CLIENT", "SECRET"],
];
/** Suffixes naming where a secret is, not the secret itself. */
const POINTER_WORDS = new Set([
  "ARN",
  "NAME",
  "PATH",
  "ID",
  "FILE",
  "PARAM",
  "PARAMETER",
  "REF",
  "KEYID",
  "URL",
  "TTL",
  "LENGTH",
  "MAX",
  "MIN",
  "COUNT",
  "ENDPOINT",
]);

/** Why a plain variable looks like a secret (undefined when it does not). */
export function secretLooking(name: string, value: unknown): string | undefined {
  const v = typeof value === "string" ? value : value === undefined || value === null ? "" : String(value);
  if (/\bAKIA[0-9A-Z]{16}\b/.test(v)) return "its value looks like an AWS access key id";
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v)) return "its value holds a private key";
  const words = name
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean);
  const last = words[words.length - 1] ?? "";
  if (POINTER_WORDS.has(last)) return undefined;
  if (v === "" || v.startsWith("arn:") || v.startsWith("${") || /^\/[\w/.-]+$/.test(v)) return undefined;
  const named =
    words.some((w) => SECRET_WORDS.has(w)) || SECRET_PAIRS.some(([a, b]) => words.some((w, i) => w === a && words[i + 1] === b));
  return named ? `the variable name ${name} says it holds a secret` : undefined;
}

// ---------------------------------------------------------------- misc

/** The lifecycle block of a resource has prevent_destroy. */
export function preventsDestroy(r: Resource): boolean {
  return bool(block(r.config.lifecycle)?.prevent_destroy) === true;
}

/** A value that is set to a known, non-empty, non-"false" value. */
export function isSet(v: unknown): boolean {
  if (v === undefined || v === null || v === "" || v === false || v === "false") return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}
