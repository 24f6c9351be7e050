/**
 * A small evaluator of identity-based IAM policies for tests and the review: given the policy
 * documents of one principal (its own policies and, separately, its permissions boundary) and one
 * request (action, resource, request context), it answers allow / explicit deny / implicit deny the
 * way IAM's evaluation logic does for a same-account request without resource policies, SCPs or
 * session policies:
 *   an explicit Deny in any policy wins; else the request needs an Allow in the identity policies
 *   and, when a boundary is set, an Allow in the boundary too.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 *
 * Conditions: String/Arn Equals/Like (and their Not forms, IfExists), Bool, ForAnyValue: and
 * ForAllValues: set operators. A condition key absent from the request context fails a positive
 * operator and passes a negated one, as IAM does. Keys are matched case-insensitively.
 */

export interface PolicyDoc {
  readonly Statement: readonly Record<string, unknown>[] | Record<string, unknown>;
}

export interface Request {
  readonly action: string;
  readonly resource: string;
  /** Condition keys of the request (`iam:PermissionsBoundary`, `iam:PassedToService`, ...). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export type Decision = "allow" | "deny" | "implicit-deny";

const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);

/** IAM wildcard match (`*` any run, `?` one character); case-insensitive for actions. */
export function wildcardMatch(pattern: string, value: string, caseInsensitive = false): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, caseInsensitive ? "is" : "s");
  return re.test(value);
}

function matchesAny(patterns: string[], value: string, ci: boolean): boolean {
  return patterns.some((p) => wildcardMatch(p, value, ci));
}

function conditionHolds(operator: string, values: Record<string, unknown>, context: Readonly<Record<string, string | readonly string[]>>): boolean {
  let op = operator;
  let set: "any" | "all" | undefined;
  if (op.startsWith("ForAnyValue:")) [set, op] = ["any", op.slice(12)];
  else if (op.startsWith("ForAllValues:")) [set, op] = ["all", op.slice(13)];
  const ifExists = op.endsWith("IfExists");
  if (ifExists) op = op.slice(0, -8);
  const negated = /Not(Equals|Like)$/.test(op);
  const base = op.replace(/Not(Equals|Like)$/, "$1");
  const like = base.endsWith("Like");
  const ci = base === "StringEqualsIgnoreCase";
  return Object.entries(values).every(([key, expected]) => {
    const found = Object.entries(context).find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
    const wanted = list(expected);
    if (found === undefined) return ifExists || negated || set === "all";
    const got = list(found);
    if (base === "Bool") return got.some((g) => wanted.includes(g.toLowerCase()));
    const one = (g: string) => wanted.some((w) => (like ? wildcardMatch(w, g) : ci ? w.toLowerCase() === g.toLowerCase() : w === g));
    const hit = set === "all" ? got.every(one) : got.some(one);
    return negated ? !hit : hit;
  });
}

function statementsOf(doc: PolicyDoc): Record<string, unknown>[] {
  return Array.isArray(doc.Statement) ? (doc.Statement as Record<string, unknown>[]) : [doc.Statement as Record<string, unknown>];
}

function applies(s: Record<string, unknown>, req: Request): boolean {
  const actionOk = s.Action !== undefined ? matchesAny(list(s.Action), req.action, true) : !matchesAny(list(s.NotAction), req.action, true);
  if (!actionOk) return false;
  const resourceOk = s.Resource !== undefined ? matchesAny(list(s.Resource), req.resource, false) : s.NotResource !== undefined ? !matchesAny(list(s.NotResource), req.resource, false) : true;
  if (!resourceOk) return false;
  const cond = (s.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return Object.entries(cond).every(([op, values]) => conditionHolds(op, values, req.context ?? {}));
}

/** allow / deny / implicit-deny of `req` for a principal with `identity` policies and an optional `boundary`. */
export function evaluate(identity: readonly PolicyDoc[], req: Request, boundary?: PolicyDoc): Decision {
  const all = [...identity, ...(boundary ? [boundary] : [])].flatMap(statementsOf);
  if (all.some((s) => s.Effect === "Deny" && applies(s, req))) return "deny";
  const allowedBy = (docs: readonly PolicyDoc[]) => docs.flatMap(statementsOf).some((s) => (s.Effect ?? "Allow") === "Allow" && applies(s, req));
  if (!allowedBy(identity)) return "implicit-deny";
  if (boundary && !allowedBy([boundary])) return "implicit-deny";
  return "allow";
}
