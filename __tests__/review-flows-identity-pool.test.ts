/**
 * The flow proof of Cognito identity pool roles (tools/review/flows/identity-pool.ts): a role holds
 * only when its trust names cognito-identity.amazonaws.com, this pool (aud) and its kind of identity
 * (amr), the pool names a user pool client, and guests are allowed exactly when a guest role is
 * attached. Each broken variant is flagged at its hop; identity pool roles are neither delivery
 * nor CI roles. Plus the business suite's real synthesized pool.
 */
import { proveFlows } from "../tools/review/flows/index";
import { EnvModel, type StackInput } from "../tools/review/model";
import { policyJson, ref, res, stack } from "./fixtures/review/build";
import * as F from "./fixtures/review/flows/stacks";

type Trust = { aud?: string | null; amr?: string | null; federated?: string };

function trust(t: Trust, kind: "authenticated" | "unauthenticated"): string {
  const cond: Record<string, Record<string, string>> = {};
  if (t.aud !== null) cond.StringEquals = { "cognito-identity.amazonaws.com:aud": t.aud ?? ref("aws_cognito_identity_pool.pool") };
  if (t.amr !== null) cond["ForAnyValue:StringLike"] = { "cognito-identity.amazonaws.com:amr": t.amr ?? kind };
  return policyJson([
    {
      Effect: "Allow",
      Principal: { Federated: t.federated ?? "cognito-identity.amazonaws.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: cond,
    },
  ]);
}

function env(opts: { auth?: Trust; guest?: Trust; allowGuests?: boolean; client?: boolean }): StackInput[] {
  const guestRole = opts.guest !== undefined;
  return [
    stack("native", [
      res("aws_cognito_user_pool.up", { name: "p-e" }),
      res("aws_cognito_user_pool_client.spa", { name: "p-e-spa", user_pool_id: ref("aws_cognito_user_pool.up") }),
      res("aws_cognito_identity_pool.pool", {
        identity_pool_name: "p-e",
        allow_unauthenticated_identities: opts.allowGuests ?? false,
        cognito_identity_providers: [
          {
            client_id: opts.client === false ? "someclient" : ref("aws_cognito_user_pool_client.spa"),
            provider_name: "cognito-idp.us-west-2.amazonaws.com/x",
          },
        ],
      }),
      res("aws_iam_role.auth", { name: "p-e-identity-authenticated", assume_role_policy: trust(opts.auth ?? {}, "authenticated") }),
      ...(guestRole
        ? [res("aws_iam_role.guest", { name: "p-e-identity-unauthenticated", assume_role_policy: trust(opts.guest!, "unauthenticated") })]
        : []),
      res("aws_cognito_identity_pool_roles_attachment.roles", {
        identity_pool_id: ref("aws_cognito_identity_pool.pool"),
        roles: {
          authenticated: ref("aws_iam_role.auth", "arn"),
          ...(guestRole ? { unauthenticated: ref("aws_iam_role.guest", "arn") } : {}),
        },
      }),
    ]),
  ];
}

const flows = (stacks: StackInput[]) => proveFlows(new EnvModel(stacks), F.FACTS).flows;
const flow = (stacks: StackInput[], kind: "authenticated" | "unauthenticated") =>
  flows(stacks).find((f) => f.id === `identity-pool:native/roles->${kind}`);

describe("identity pool roles", () => {
  it("holds with the trust the kit writes (this pool's aud, the role's amr, a user pool client)", () => {
    const f = flow(env({}), "authenticated")!;
    expect(f.status).toBe("ok");
    expect(f.hops.map((h) => h.name)).toEqual(["user pool client", "trust", "trust aud", "trust amr"]);
    // Not mistaken for an application delivery or CI role (both also trust AssumeRoleWithWebIdentity).
    expect(flows(env({})).filter((x) => x.id.startsWith("delivery:") || x.id.startsWith("ci:"))).toEqual([]);
  });

  it("flags a trust without aud (any pool's identities could assume the role) or with another pool's id", () => {
    expect(flow(env({ auth: { aud: null } }), "authenticated")!.broken).toMatchObject({
      hop: "trust aud",
      reason: expect.stringContaining("any pool"),
    });
    expect(flow(env({ auth: { aud: "us-west-2:other-pool" } }), "authenticated")!.broken).toMatchObject({ hop: "trust aud" });
  });

  it("flags an authenticated role without amr, or with amr unauthenticated (guests could assume it)", () => {
    expect(flow(env({ auth: { amr: null } }), "authenticated")!.broken).toMatchObject({
      hop: "trust amr",
      reason: expect.stringContaining("guests could assume"),
    });
    expect(flow(env({ auth: { amr: "unauthenticated" } }), "authenticated")!.broken).toMatchObject({ hop: "trust amr" });
  });

  it("flags a trust of another federated principal, and a pool that names no client of the environment", () => {
    expect(flow(env({ auth: { federated: "accounts.google.com" } }), "authenticated")!.broken).toMatchObject({ hop: "trust" });
    expect(flow(env({ client: false }), "authenticated")!.broken).toMatchObject({ hop: "user pool client" });
  });

  it("guests: a guest role needs the pool to allow guests; a pool allowing guests needs a guest role", () => {
    expect(flow(env({ guest: {}, allowGuests: true }), "unauthenticated")!.status).toBe("ok");
    expect(flow(env({ guest: {}, allowGuests: false }), "unauthenticated")!.broken).toMatchObject({ hop: "guests allowed" });
    expect(flow(env({ allowGuests: true }), "unauthenticated")!.broken).toMatchObject({ hop: "guest role" });
    expect(flow(env({}), "unauthenticated")).toBeUndefined();
  });
});
