/**
 * A small IAM policy evaluator: Allow/Deny, Action/NotAction and Resource/NotResource with
 * wildcards, Principal/NotPrincipal, and Condition operators (String*, Arn*, Bool, Null, Numeric*,
 * IfExists, ForAnyValue:/ForAllValues:). A key absent from the request context fails every
 * operator except IfExists, negated ones, ForAllValues and Null (FACTS.MISSING_KEY).
 *
 * Policies are evaluated after rendering (symbols.ts): Terraform references are replaced by the
 * values they name, so `${aws_sns_topic.t.arn}` in a policy equals the topic ARN in a request.
 * Same-account rules: an explicit Deny anywhere wins; a KMS key policy must allow (directly, or by
 * delegating to the account's IAM policies); for other resources the identity policy or the
 * resource policy may allow; a service principal is judged by the resource / key policy alone.
 */
import { isObj, parseTemplateJson } from "../tf";

export interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly NotPrincipal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly NotResource?: string | string[];
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** A statement with where it was written. */
export interface Sourced {
  readonly stmt: Statement;
  /** `<stack>/<address>` of the policy holding it. */
  readonly where: string;
}

export type Caller =
  { readonly kind: "service"; readonly service: string } | { readonly kind: "role"; readonly arn: string; readonly account: string };

export interface Request {
  readonly action: string;
  /** The resource ARN (rendered). */
  readonly resource: string;
  readonly caller: Caller;
  /** Condition keys present, lower-cased, each with its values. */
  readonly context: Readonly<Record<string, readonly string[]>>;
}

export interface Decision {
  readonly allowed: boolean;
  /** The statement deciding it (Deny, or the Allow found). */
  readonly by?: string;
  readonly reason: string;
}

const list = (v: unknown): string[] => (v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).map(String));

/** Shell-style match: `*` any run, `?` one character. */
export function wildcard(pattern: string, value: string, ignoreCase = false): boolean {
  if (!pattern.includes("*") && !pattern.includes("?"))
    return ignoreCase ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  const re = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    ignoreCase ? "si" : "s",
  );
  return re.test(value);
}

export function actionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) => wildcard(p, action, true));
}

/** Parses a policy document (JSON string or object) into statements. */
export function statementsOf(doc: unknown): Statement[] {
  let d = doc;
  if (typeof d === "string") {
    try {
      d = parseTemplateJson(d);
    } catch {
      return [];
    }
  }
  if (!isObj(d)) return [];
  const s = d.Statement;
  return (Array.isArray(s) ? s : s ? [s] : []).filter(isObj) as unknown as Statement[];
}

/** Does the statement's Principal name the caller? `direct`: names it; `account`: names its account (delegation to IAM). */
export function principalMatch(stmt: Statement, caller: Caller): "direct" | "account" | "none" {
  const m = matchPrincipal(stmt.Principal, caller);
  if (stmt.NotPrincipal !== undefined) return matchPrincipal(stmt.NotPrincipal, caller) === "none" ? "direct" : "none";
  return m;
}

function matchPrincipal(p: unknown, caller: Caller): "direct" | "account" | "none" {
  if (p === undefined) return "none";
  if (p === "*") return "direct";
  if (!isObj(p)) return "none";
  if (caller.kind === "service") {
    if (list(p.Service).some((s) => s === caller.service)) return "direct";
    return list(p.AWS).includes("*") ? "direct" : "none";
  }
  for (const a of list(p.AWS)) {
    if (a === "*" || a === caller.arn) return "direct";
    if (
      a === caller.account ||
      a === `arn:aws:iam::${caller.account}:root` ||
      /^arn:[a-z-]+:iam::(\d{12}):root$/.exec(a)?.[1] === caller.account
    )
      return "account";
  }
  return "none";
}

const NEGATED = new Set([
  "stringnotequals",
  "stringnotequalsignorecase",
  "stringnotlike",
  "arnnotequals",
  "arnnotlike",
  "numericnotequals",
  "datenotequals",
]);

function compare(base: string, ctx: string, pol: string): boolean {
  switch (base) {
    case "stringequals":
    case "stringnotequals":
      return ctx === pol;
    case "stringequalsignorecase":
    case "stringnotequalsignorecase":
      return ctx.toLowerCase() === pol.toLowerCase();
    case "stringlike":
    case "stringnotlike":
    case "arnequals":
    case "arnlike":
    case "arnnotequals":
    case "arnnotlike":
      return wildcard(pol, ctx);
    case "bool":
      return ctx.toLowerCase() === pol.toLowerCase();
    case "numericequals":
    case "numericnotequals":
      return Number(ctx) === Number(pol);
    case "numericlessthan":
      return Number(ctx) < Number(pol);
    case "numericlessthanequals":
      return Number(ctx) <= Number(pol);
    case "numericgreaterthan":
      return Number(ctx) > Number(pol);
    case "numericgreaterthanequals":
      return Number(ctx) >= Number(pol);
    default:
      return false; // Date*, IpAddress, BinaryEquals: not used by the platform; fail closed
  }
}

/** One condition operator on one key. `why` collects the failure, in words. */
export function conditionHolds(
  operator: string,
  key: string,
  policyValues: readonly string[],
  context: Request["context"],
  why?: string[],
): boolean {
  let op = operator.toLowerCase();
  let set: "any" | "all" | undefined;
  if (op.startsWith("foranyvalue:")) [set, op] = ["any", op.slice(12)];
  else if (op.startsWith("forallvalues:")) [set, op] = ["all", op.slice(13)];
  const ifExists = op.endsWith("ifexists");
  const base = ifExists ? op.slice(0, -8) : op;
  const values = context[key.toLowerCase()];
  if (base === "null") {
    const wantAbsent = policyValues.some((v) => v.toLowerCase() === "true");
    const ok = wantAbsent === (values === undefined);
    if (!ok) why?.push(`Null ${key} ${wantAbsent ? "requires the key absent" : "requires the key present"}`);
    return ok;
  }
  if (values === undefined) {
    const ok = ifExists || set === "all" || NEGATED.has(base);
    if (!ok) why?.push(`${operator} on ${key}: the request carries no ${key}`);
    return ok;
  }
  const negated = NEGATED.has(base);
  const one = (c: string) => policyValues.some((p) => compare(base, c, p));
  let ok: boolean;
  if (set === "all") ok = values.every((c) => (negated ? !one(c) : one(c)));
  else ok = negated ? !values.some(one) : values.some(one);
  if (!ok) why?.push(`${operator} ${key}: ${JSON.stringify(values)} against ${JSON.stringify(policyValues)}`);
  return ok;
}

export function conditionsHold(stmt: Statement, context: Request["context"], why?: string[]): boolean {
  if (!isObj(stmt.Condition)) return true;
  let ok = true;
  for (const [op, byKey] of Object.entries(stmt.Condition)) {
    if (!isObj(byKey)) continue;
    for (const [key, v] of Object.entries(byKey)) if (!conditionHolds(op, key, list(v), context, why)) ok = false;
  }
  return ok;
}

function actionOk(s: Statement, action: string): boolean {
  if (s.Action !== undefined) return actionMatches(list(s.Action), action);
  if (s.NotAction !== undefined) return !actionMatches(list(s.NotAction), action);
  return false;
}

function resourceOk(s: Statement, resource: string, requireResource: boolean): boolean {
  if (s.Resource !== undefined) return list(s.Resource).some((p) => wildcard(p, resource));
  if (s.NotResource !== undefined) return !list(s.NotResource).some((p) => wildcard(p, resource));
  return !requireResource;
}

/** Statements of `policies` that apply to the request (action, resource, principal when `resourcePolicy`, conditions). */
export function matching(
  policies: readonly Sourced[],
  req: Request,
  resourcePolicy: boolean,
  why?: string[],
): (Sourced & { via: "direct" | "account" | "identity" })[] {
  const out: (Sourced & { via: "direct" | "account" | "identity" })[] = [];
  for (const p of policies) {
    const s = p.stmt;
    if (!actionOk(s, req.action) || !resourceOk(s, req.resource, !resourcePolicy)) continue;
    let via: "direct" | "account" | "identity" = "identity";
    if (resourcePolicy) {
      const m = principalMatch(s, req.caller);
      if (m === "none") continue;
      via = m;
    }
    const w: string[] = [];
    if (!conditionsHold(s, req.context, w)) {
      why?.push(`${s.Sid ?? "statement"} (${p.where}): ${w.join("; ")}`);
      continue;
    }
    out.push({ ...p, via });
  }
  return out;
}

const label = (p: Sourced) => `${p.stmt.Sid ?? "statement"} in ${p.where}`;

/**
 * Is the request allowed? `identity`: the caller's policies (none for a service principal);
 * `resource`: the target's resource policy (undefined: the resource has none); `kind`: a KMS key
 * policy must allow on its own or by delegation.
 */
export function evaluate(
  req: Request,
  identity: readonly Sourced[],
  resource: readonly Sourced[] | undefined,
  kind: "kms" | "resource",
): Decision {
  const why: string[] = [];
  const id = req.caller.kind === "role" ? matching(identity, req, false, why) : [];
  const res = resource ? matching(resource, req, true, why) : [];
  const deny = [...id, ...res].find((p) => p.stmt.Effect === "Deny");
  if (deny) return { allowed: false, by: label(deny), reason: `explicit Deny ${label(deny)}` };
  const idAllow = id.find((p) => p.stmt.Effect === "Allow");
  const resDirect = res.find((p) => p.stmt.Effect === "Allow" && p.via === "direct");
  const resAccount = res.find((p) => p.stmt.Effect === "Allow" && p.via === "account");
  const detail = why.length ? ` (${why.join(" | ")})` : "";
  if (kind === "kms") {
    if (resDirect) return { allowed: true, by: label(resDirect), reason: `key policy allows: ${label(resDirect)}` };
    if (resAccount && idAllow)
      return { allowed: true, by: label(idAllow), reason: `key policy delegates to IAM (${label(resAccount)}); ${label(idAllow)} allows` };
    if (resAccount)
      return { allowed: false, reason: `key policy delegates to IAM but no policy of the caller allows ${req.action}${detail}` };
    return { allowed: false, reason: `no key policy statement allows ${req.action} for ${callerName(req.caller)}${detail}` };
  }
  if (resDirect) return { allowed: true, by: label(resDirect), reason: `resource policy allows: ${label(resDirect)}` };
  if (idAllow) return { allowed: true, by: label(idAllow), reason: `allowed by ${label(idAllow)}` };
  if (req.caller.kind === "service")
    return {
      allowed: false,
      reason: `no ${resource ? "resource policy statement" : "resource policy"} allows ${req.action} for ${req.caller.service}${detail}`,
    };
  return { allowed: false, reason: `no policy of ${callerName(req.caller)} allows ${req.action} on ${req.resource}${detail}` };
}

export const callerName = (c: Caller) => (c.kind === "service" ? c.service : c.arn.replace(/^arn:[^:]+:iam::\d*:role\//, "role "));

/** The context every request from an IAM role in the account carries. */
export function roleContext(caller: Extract<Caller, { kind: "role" }>, extra: Record<string, string[]> = {}): Record<string, string[]> {
  return {
    "aws:principalarn": [caller.arn],
    "aws:principalaccount": [caller.account],
    "aws:securetransport": ["true"],
    "aws:principalisawsservice": ["false"],
    ...extra,
  };
}

/** The context every request from a service principal carries. */
export function serviceContext(extra: Record<string, string[]> = {}): Record<string, string[]> {
  return { "aws:securetransport": ["true"], "aws:principalisawsservice": ["true"], ...extra };
}
