/**
 * CI identity: each role GitHub Actions assumes (OIDC federation) -> the state of the layers it
 * plans or applies (state objects and lock table), and whether the apply role can escalate: create
 * or rewrite a role of the platform's prefix and pass it, with no permissions boundary required
 * (FACTS.PERMISSIONS_BOUNDARY).
 */
import type { Resource } from "../model";
import { block } from "../tf";
import type { FlowContext } from "./context";
import { isDeliveryRole } from "./app-delivery";
import { isIdentityPoolRole } from "./identity-pool";
import { evaluate, roleContext, statementsOf } from "./iam";
import { FACTS } from "./service-context";
import { hop, makeFlow, type Flow, type Hop } from "./types";

/** A role GitHub Actions assumes for the platform's own pipelines (an application's delivery role is app-delivery.ts's). */
function isCiRole(role: Resource): boolean {
  return (
    !isDeliveryRole(role) &&
    !isIdentityPoolRole(role) &&
    statementsOf(role.attrs.assume_role_policy).some((s) => String(s.Action ?? "").includes("AssumeRoleWithWebIdentity"))
  );
}

export function ciFlows(c: FlowContext, prefix: string | undefined): Flow[] {
  const out: Flow[] = [];
  const backends = c.model.stacks
    .map((s) => ({ stack: s.name, b: block(block(s.tf.terraform?.backend)?.s3) }))
    .filter(
      (x): x is { stack: string; b: Record<string, unknown> } => !!x.b && typeof x.b.bucket === "string" && typeof x.b.key === "string",
    );
  for (const role of c.model.resources("aws_iam_role").filter((r) => isCiRole(r))) {
    const caller = c.policies.caller(role);
    const { statements, managed } = c.policies.role(role);
    const writes = /apply|deploy/i.test(role.name);
    const ask = (action: string, resource: string, extra: Record<string, string[]> = {}) =>
      evaluate({ action, resource, caller, context: roleContext(caller, extra) }, statements, undefined, "resource");
    const hops: Hop[] = [];
    for (const { stack, b } of backends.filter((x) => x.stack !== "bootstrap")) {
      const obj = `arn:${c.env.partition}:s3:::${b.bucket}/${b.key}`;
      for (const action of writes ? ["s3:GetObject", "s3:PutObject"] : ["s3:GetObject"]) {
        const d = ask(action, obj);
        hops.push(
          hop(
            "ci",
            `${action} state of ${stack}`,
            d.allowed,
            d.allowed
              ? d.reason
              : `${role.name} cannot ${action} ${b.key}${managed.length ? ` (managed policies not evaluated: ${managed.join(", ")})` : ""}`,
            `grant ${action} on the state object of ${stack}`,
          ),
        );
      }
      if (typeof b.dynamodb_table === "string") {
        const d = ask("dynamodb:PutItem", `arn:${c.env.partition}:dynamodb:${c.env.region}:${c.env.accountId}:table/${b.dynamodb_table}`);
        hops.push(hop("ci", `lock ${stack}`, d.allowed, d.reason, "grant the lock table actions"));
      }
    }
    if (prefix) {
      const probe = `arn:${c.env.partition}:iam::${c.env.accountId}:role/${prefix}ci-escalation-probe`;
      const create = ask("iam:CreateRole", probe);
      const write = ask("iam:PutRolePolicy", probe);
      const pass = ask("iam:PassRole", probe);
      const escalates = create.allowed && write.allowed && pass.allowed;
      hops.push(
        hop(
          "ci",
          "no privilege escalation through platform roles",
          !escalates,
          escalates
            ? `${role.name} may create ${prefix}* roles without a permissions boundary, write any inline policy on them and pass them (${create.by}; ${write.by}; ${pass.by}): it can grant itself any permission`
            : `cannot create, write and pass an unbounded ${prefix}* role${create.allowed ? "" : " (CreateRole denied without a boundary)"}`,
          `require iam:PermissionsBoundary on iam:CreateRole/PutRolePolicy/AttachRolePolicy for ${prefix}* roles and deny removing it (${FACTS.PERMISSIONS_BOUNDARY.source})`,
        ),
      );
    }
    out.push(
      makeFlow(
        `ci:${role.name}`,
        "ci-identity",
        `CI role ${c.sym.nameOf(role)}`,
        writes ? "layers (plan and apply)" : "layers (plan)",
        hops,
      ),
    );
  }
  return out;
}
