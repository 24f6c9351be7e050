/**
 * The flow proof's IAM evaluator (tools/review/flows/iam.ts) for one principal's identity policies
 * and its permissions boundary, as tests of the CI identity ask it: allow / explicit deny / implicit
 * deny the way IAM's evaluation logic decides a same-account request without resource policies,
 * SCPs or session policies: an explicit Deny in any policy wins; else the request needs an Allow in
 * the identity policies and, when a boundary is set, an Allow in the boundary too.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */
import { matching, statementsOf, type Caller, type Sourced } from "./flows/iam";

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

const PRINCIPAL: Caller = { kind: "role", arn: "arn:aws:iam::000000000000:role/evaluated", account: "000000000000" };

/** allow / deny / implicit-deny of `req` for a principal with `identity` policies and an optional `boundary`. */
export function evaluate(identity: readonly PolicyDoc[], req: Request, boundary?: PolicyDoc): Decision {
  const context = Object.fromEntries(
    Object.entries(req.context ?? {}).map(([k, v]) => [k.toLowerCase(), typeof v === "string" ? [v] : [...v]]),
  );
  const request = { action: req.action, resource: req.resource, caller: PRINCIPAL, context };
  const sourced = (docs: readonly PolicyDoc[]): Sourced[] =>
    docs.flatMap((d, i) => statementsOf(d).map((stmt) => ({ stmt, where: `policy ${i}` })));
  const id = matching(sourced(identity), request, false);
  const bounded = boundary ? matching(sourced([boundary]), request, false) : [];
  if ([...id, ...bounded].some((p) => p.stmt.Effect === "Deny")) return "deny";
  if (!id.some((p) => p.stmt.Effect === "Allow")) return "implicit-deny";
  if (boundary && !bounded.some((p) => p.stmt.Effect === "Allow")) return "implicit-deny";
  return "allow";
}
