/**
 * Cognito identity pools: each role attached to a pool (authenticated, unauthenticated) -> the
 * identities that may assume it. A role holds when its trust lets `cognito-identity.amazonaws.com`
 * call sts:AssumeRoleWithWebIdentity only for this pool (`cognito-identity.amazonaws.com:aud`
 * StringEquals the pool's id) and only for the role's kind of identity
 * (`cognito-identity.amazonaws.com:amr` ForAnyValue:StringLike "authenticated" / "unauthenticated"):
 * without aud any pool's identities could assume it, and an authenticated role without amr would
 * be open to guests. The pool must name an app client of a user pool of the environment (the
 * authenticated identities' provider), and guests must be allowed exactly when a guest role is
 * attached. https://docs.aws.amazon.com/cognito/latest/developerguide/role-trust-and-permissions.html
 */
import type { Resource } from "../model";
import { block, blocks } from "../tf";
import type { FlowContext } from "./context";
import { statementsOf, type Statement } from "./iam";
import { hop, makeFlow, type Flow, type Hop } from "./types";

export const COGNITO_IDENTITY = "cognito-identity.amazonaws.com";

const federatedOf = (s: Statement): string[] => {
  const p = (s as { Principal?: unknown }).Principal;
  const f = p && typeof p === "object" ? (p as Record<string, unknown>).Federated : undefined;
  return Array.isArray(f) ? f.map(String) : f === undefined ? [] : [String(f)];
};
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);

/** A role Cognito identity (an identity pool) assumes for its identities. */
export function isIdentityPoolRole(role: Resource): boolean {
  return statementsOf(role.attrs.assume_role_policy).some((s) => federatedOf(s).includes(COGNITO_IDENTITY));
}

export function identityPoolFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  for (const att of c.model.resources("aws_cognito_identity_pool_roles_attachment")) {
    const pool = c.model.resolve(att.stack, att.config.identity_pool_id).find((r) => r.type === "aws_cognito_identity_pool");
    const roles = block(att.config.roles) ?? {};
    const guests = pool?.attrs.allow_unauthenticated_identities === true;
    for (const kind of ["authenticated", "unauthenticated"] as const) {
      const id = `identity-pool:${att.stack}/${att.name}->${kind}`;
      const from = pool
        ? `identity pool ${c.sym.literal(pool, "identity_pool_name") ?? pool.name} (${kind} identities)`
        : `roles attachment ${att.name}`;
      const role = c.model.resolve(att.stack, roles[kind]).find((r) => r.type === "aws_iam_role");
      if (!role) {
        if (kind === "unauthenticated" && guests) {
          out.push(
            makeFlow(id, "identity-pool-role", from, "no role", [
              hop(
                "identity",
                "guest role",
                false,
                "the pool allows unauthenticated identities but attaches no unauthenticated role",
                "attach a guest role or set allow_unauthenticated_identities false",
              ),
            ]),
          );
        }
        continue;
      }
      const hops: Hop[] = [];
      if (!pool)
        hops.push(
          hop(
            "identity",
            "pool",
            false,
            "the attachment names no identity pool of the environment",
            "attach the roles to the platform's pool",
          ),
        );
      else {
        const clients = blocks(pool.config.cognito_identity_providers)
          .flatMap((p) => c.model.resolve(pool.stack, p.client_id))
          .filter((r) => r.type === "aws_cognito_user_pool_client");
        if (kind === "authenticated") {
          hops.push(
            hop(
              "identity",
              "user pool client",
              clients.length > 0,
              clients.length
                ? `signed-in users of client ${clients.map((x) => x.name).join(", ")}`
                : "the pool names no app client of the environment's user pools",
              "add the user pool client as a provider of the identity pool",
            ),
          );
        } else {
          hops.push(
            hop(
              "identity",
              "guests allowed",
              guests,
              guests ? "allow_unauthenticated_identities is true" : "a guest role is attached but the pool refuses guests",
              "drop the role or allow guests",
            ),
          );
        }
      }
      const trust = statementsOf(role.attrs.assume_role_policy).filter(
        (s) =>
          (s.Effect ?? "Allow") === "Allow" &&
          federatedOf(s).includes(COGNITO_IDENTITY) &&
          list(s.Action).includes("sts:AssumeRoleWithWebIdentity"),
      );
      hops.push(
        hop(
          "identity",
          "trust",
          trust.length > 0,
          trust.length
            ? `${COGNITO_IDENTITY} AssumeRoleWithWebIdentity`
            : `no statement lets ${COGNITO_IDENTITY} assume the role with a web identity`,
          `trust ${COGNITO_IDENTITY} with sts:AssumeRoleWithWebIdentity`,
        ),
      );
      for (const s of trust) {
        const cond = (s as { Condition?: Record<string, Record<string, unknown>> }).Condition ?? {};
        const aud = list(cond.StringEquals?.[`${COGNITO_IDENTITY}:aud`]);
        const audPools = aud.flatMap((v) => c.model.resolve(role.stack, v));
        const audOk = !!pool && audPools.some((r) => r.id === pool.id) && aud.length === 1;
        hops.push(
          hop(
            "identity",
            "trust aud",
            audOk,
            audOk
              ? `StringEquals ${COGNITO_IDENTITY}:aud = this pool's id`
              : `aud is ${aud.length ? aud.join(", ") : "not restricted"}: identities of ${aud.length ? "another" : "any"} pool could assume the role`,
            `add StringEquals ${COGNITO_IDENTITY}:aud = the identity pool id to the trust`,
          ),
        );
        const amr = list(cond["ForAnyValue:StringLike"]?.[`${COGNITO_IDENTITY}:amr`]);
        const amrOk = amr.length === 1 && amr[0] === kind;
        hops.push(
          hop(
            "identity",
            "trust amr",
            amrOk,
            amrOk
              ? `ForAnyValue:StringLike ${COGNITO_IDENTITY}:amr = ${kind}`
              : `amr is ${amr.length ? amr.join(", ") : "not restricted"}: ${kind === "authenticated" ? "guests" : "other identities"} could assume the role`,
            `add ForAnyValue:StringLike ${COGNITO_IDENTITY}:amr = ${kind} to the trust`,
          ),
        );
      }
      out.push(makeFlow(id, "identity-pool-role", from, `role ${c.sym.nameOf(role)}`, hops));
    }
  }
  return out;
}
