/**
 * functions/identity-providers: the Cognito federation provisioner Terraform invokes at apply time.
 * It reads the client secret from Secrets Manager at run time (never from its event), creates or
 * updates each provider, deletes providers dropped from config and, on destroy, the listed ones;
 * its result and its logs never carry the secret.
 */
import {
  createHandler,
  parseCredentials,
  type IdentityProviderInput,
  type ProvisionEvent,
} from "../../functions/identity-providers/src/handler";

const POOL = "us-west-2_AbCdEf123";
const GOOGLE_SECRET = "arn:aws:secretsmanager:us-west-2:111122223333:secret:bsuite-dev/cognito/google-AbCdEf";
const FACEBOOK_SECRET = "arn:aws:secretsmanager:us-west-2:111122223333:secret:bsuite-dev/cognito/facebook-AbCdEf";
const google = {
  name: "Google" as const,
  secretId: GOOGLE_SECRET,
  scopes: "openid email profile",
  attributeMapping: { email: "email", username: "sub" },
};
const facebook = {
  name: "Facebook" as const,
  secretId: FACEBOOK_SECRET,
  scopes: "public_profile,email",
  attributeMapping: { email: "email" },
  apiVersion: "v19.0",
};

function fake(existing: string[] = [], secrets: Record<string, string> = {}) {
  const calls: Array<[string, IdentityProviderInput | string]> = [];
  const lines: string[] = [];
  const present = new Set(existing);
  const handler = createHandler({
    secretString: async (arn) => {
      if (!(arn in secrets)) throw new Error(`AccessDenied on ${arn}`);
      return secrets[arn];
    },
    idp: {
      exists: async (_pool, name) => present.has(name),
      create: async (input) => void (calls.push(["create", input]), present.add(input.ProviderName)),
      update: async (input) => void calls.push(["update", input]),
      remove: async (_pool, name) => void (calls.push(["delete", name]), present.delete(name)),
    },
    sink: (l) => lines.push(l),
  });
  return { handler, calls, lines };
}

const SECRETS = {
  [GOOGLE_SECRET]: JSON.stringify({ client_id: "g-id.apps.googleusercontent.com", client_secret: "g-SECRET-value" }),
  [FACEBOOK_SECRET]: JSON.stringify({ client_id: "1234567890", client_secret: "fb-SECRET-value" }),
};

describe("identity provider provisioner", () => {
  it("creates absent providers with the secret's client id and secret, the scopes and the attribute mapping", async () => {
    const { handler, calls, lines } = fake([], SECRETS);
    const result = await handler({ userPoolId: POOL, providers: [google, facebook], tf: { action: "create" } });
    expect(result).toEqual({ userPoolId: POOL, created: ["Google", "Facebook"], updated: [], deleted: [] });
    expect(calls).toEqual([
      [
        "create",
        {
          UserPoolId: POOL,
          ProviderName: "Google",
          ProviderType: "Google",
          ProviderDetails: {
            client_id: "g-id.apps.googleusercontent.com",
            client_secret: "g-SECRET-value",
            authorize_scopes: "openid email profile",
          },
          AttributeMapping: { email: "email", username: "sub" },
        },
      ],
      [
        "create",
        {
          UserPoolId: POOL,
          ProviderName: "Facebook",
          ProviderType: "Facebook",
          ProviderDetails: {
            client_id: "1234567890",
            client_secret: "fb-SECRET-value",
            authorize_scopes: "public_profile,email",
            api_version: "v19.0",
          },
          AttributeMapping: { email: "email" },
        },
      ],
    ]);
    // Neither the result (kept in Terraform state) nor the logs carry a secret.
    expect(JSON.stringify(result) + lines.join("\n")).not.toMatch(/SECRET-value/);
  });

  it("updates existing providers (a rotated secret or new scopes reach Cognito on the next invocation)", async () => {
    const { handler, calls } = fake(["Google"], SECRETS);
    const result = await handler({ userPoolId: POOL, providers: [google], tf: { action: "update", prev_input: { providers: [google] } } });
    expect(result.updated).toEqual(["Google"]);
    expect(calls.map(([op]) => op)).toEqual(["update"]);
    expect((calls[0][1] as IdentityProviderInput).ProviderType).toBeUndefined();
  });

  it("deletes a provider dropped from config, and on destroy every listed provider", async () => {
    const dropped = fake(["Google", "Facebook"], SECRETS);
    const r = await dropped.handler({
      userPoolId: POOL,
      providers: [google],
      tf: { action: "update", prev_input: { providers: [google, facebook] } },
    });
    expect(r).toMatchObject({ updated: ["Google"], deleted: ["Facebook"] });
    const destroyed = fake(["Google", "Facebook"], {});
    const d = await destroyed.handler({ userPoolId: POOL, providers: [google, facebook], tf: { action: "delete" } });
    expect(d.deleted).toEqual(["Google", "Facebook"]);
    // Destroying reads no secret (it may already be gone).
    expect(destroyed.calls.map(([op]) => op)).toEqual(["delete", "delete"]);
  });

  it("fails the apply, naming the provider and the secret but not its value, when the secret is not usable", async () => {
    const { handler, calls } = fake([], { [GOOGLE_SECRET]: JSON.stringify({ clientId: "x", secret: "leak-me" }) });
    await expect(handler({ userPoolId: POOL, providers: [google] })).rejects.toThrow(
      `Google: secret ${GOOGLE_SECRET} needs non-empty string keys client_id and client_secret (found keys: clientId, secret)`,
    );
    expect(calls).toEqual([]);
    expect(() => parseCredentials("Facebook", FACEBOOK_SECRET, "not json leak-me")).toThrow(/is not JSON/);
    expect(() => parseCredentials("Facebook", FACEBOOK_SECRET, "not json leak-me")).not.toThrow(/leak-me/);
    // Secrets Manager refusing the read fails the invocation too.
    await expect(fake([], {}).handler({ userPoolId: POOL, providers: [facebook] })).rejects.toThrow(/AccessDenied/);
  });

  it("refuses an event without a pool id or with a provider it does not manage", async () => {
    const { handler } = fake([], SECRETS);
    await expect(handler({ userPoolId: "", providers: [] })).rejects.toThrow("the event has no valid userPoolId");
    await expect(
      handler({ userPoolId: POOL, providers: [{ ...google, name: "SignInWithApple" }] } as unknown as ProvisionEvent),
    ).rejects.toThrow('unsupported provider "SignInWithApple" (Google, Facebook)');
  });
});
