/**
 * The identity provider provisioner: invoked by Terraform at apply time (aws_lambda_invocation
 * with lifecycle_scope CRUD, layer 09), it creates or updates the user pool's Google and Facebook
 * identity providers with the client id and secret it reads from Secrets Manager *at run time*, so
 * the client secret is never in the Terraform configuration, plan or state (the invocation's input
 * holds the secret's name, its result only names and counts).
 *
 * Event: { "userPoolId", "providers": [{ "name": "Google", "secretId", "scopes", "attributeMapping",
 * "apiVersion"? }], "tf": { "action": "create" | "update" | "delete", "prev_input"?: {...} } }.
 * - create / update: every listed provider is created (absent) or updated (present); a provider of
 *   the previous input that is no longer listed is deleted.
 * - delete (the resource is destroyed): every listed provider is deleted (absent ones are fine).
 * Result: { "userPoolId", "created": [names], "updated": [names], "deleted": [names] }.
 *
 * The secret is a JSON object { "client_id": "...", "client_secret": "..." } (Facebook: the app id
 * and the app secret). Errors name the provider and the secret's ARN, never its value.
 */

/** The social providers the kit federates, by Cognito provider name (= provider type). */
export const PROVIDER_TYPES = ["Google", "Facebook"] as const;
export type ProviderType = (typeof PROVIDER_TYPES)[number];

export interface ProviderSpec {
  readonly name: ProviderType;
  /** Secrets Manager secret (name or ARN) with { client_id, client_secret }. */
  readonly secretId: string;
  /** Space-separated OAuth scopes (authorize_scopes). */
  readonly scopes: string;
  /** User pool attribute -> provider attribute. */
  readonly attributeMapping: Readonly<Record<string, string>>;
  /** Facebook Graph API version (api_version), e.g. v19.0. */
  readonly apiVersion?: string;
}

export interface ProvisionEvent {
  readonly userPoolId: string;
  readonly providers: readonly ProviderSpec[];
  readonly tf?: { readonly action?: string; readonly prev_input?: { readonly providers?: readonly ProviderSpec[] } };
}

export interface ProvisionResult {
  readonly userPoolId: string;
  readonly created: string[];
  readonly updated: string[];
  readonly deleted: string[];
}

export interface IdentityProviderInput {
  readonly UserPoolId: string;
  readonly ProviderName: string;
  readonly ProviderType?: string;
  readonly ProviderDetails?: Record<string, string>;
  readonly AttributeMapping?: Record<string, string>;
}

/** The parts of the Cognito identity provider API the function calls (a fake in the tests). */
export interface IdentityProviderApi {
  /** True when the provider exists (DescribeIdentityProvider; ResourceNotFoundException is false). */
  exists(userPoolId: string, providerName: string): Promise<boolean>;
  create(input: IdentityProviderInput): Promise<void>;
  update(input: IdentityProviderInput): Promise<void>;
  /** DeleteIdentityProvider; a missing provider is not an error. */
  remove(userPoolId: string, providerName: string): Promise<void>;
}

export interface HandlerDeps {
  /** SecretString of a secret (GetSecretValue). */
  readonly secretString: (secretArn: string) => Promise<string>;
  readonly idp: IdentityProviderApi;
  /** Log line sink. @default process.stdout */
  readonly sink?: (line: string) => void;
}

export class ProvisionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ProvisionError";
  }
}

function checkEvent(event: ProvisionEvent): void {
  if (!event || typeof event.userPoolId !== "string" || !/^[\w-]+_[0-9a-zA-Z]+$/.test(event.userPoolId)) {
    throw new ProvisionError("the event has no valid userPoolId");
  }
  if (!Array.isArray(event.providers)) throw new ProvisionError("the event has no providers list");
  for (const p of event.providers) {
    if (!(PROVIDER_TYPES as readonly string[]).includes(p.name))
      throw new ProvisionError(`unsupported provider ${JSON.stringify(p.name)} (${PROVIDER_TYPES.join(", ")})`);
    if (typeof p.secretId !== "string" || !p.secretId) throw new ProvisionError(`${p.name}: secretId is missing`);
  }
}

/** Client id and secret from the secret's JSON; the message never carries the value. */
export function parseCredentials(name: string, secretArn: string, text: string): { clientId: string; clientSecret: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProvisionError(`${name}: secret ${secretArn} is not JSON; expected {"client_id": "...", "client_secret": "..."}`);
  }
  const o = (json ?? {}) as Record<string, unknown>;
  const clientId = o.client_id;
  const clientSecret = o.client_secret;
  if (typeof clientId !== "string" || !clientId || typeof clientSecret !== "string" || !clientSecret) {
    throw new ProvisionError(
      `${name}: secret ${secretArn} needs non-empty string keys client_id and client_secret (found keys: ${Object.keys(o).join(", ") || "none"})`,
    );
  }
  return { clientId, clientSecret };
}

export function createHandler(deps: HandlerDeps): (event: ProvisionEvent) => Promise<ProvisionResult> {
  const log = (message: string, fields: Record<string, unknown>) =>
    (deps.sink ?? ((l: string) => process.stdout.write(`${l}\n`)))(JSON.stringify({ level: "INFO", message, ...fields }));
  return async (event) => {
    checkEvent(event);
    const result: ProvisionResult = { userPoolId: event.userPoolId, created: [], updated: [], deleted: [] };
    const action = event.tf?.action ?? "create";
    if (action === "delete") {
      for (const p of event.providers) {
        await deps.idp.remove(event.userPoolId, p.name);
        result.deleted.push(p.name);
      }
      log("identity providers deleted", { ...result });
      return result;
    }
    for (const p of event.providers) {
      const { clientId, clientSecret } = parseCredentials(p.name, p.secretId, await deps.secretString(p.secretId));
      const details: Record<string, string> = { client_id: clientId, client_secret: clientSecret, authorize_scopes: p.scopes };
      if (p.name === "Facebook" && p.apiVersion) details.api_version = p.apiVersion;
      const input = {
        UserPoolId: event.userPoolId,
        ProviderName: p.name,
        ProviderDetails: details,
        AttributeMapping: { ...p.attributeMapping },
      };
      if (await deps.idp.exists(event.userPoolId, p.name)) {
        await deps.idp.update(input);
        result.updated.push(p.name);
      } else {
        await deps.idp.create({ ...input, ProviderType: p.name });
        result.created.push(p.name);
      }
    }
    const listed = new Set(event.providers.map((p) => p.name));
    for (const p of event.tf?.prev_input?.providers ?? []) {
      if (listed.has(p.name) || !(PROVIDER_TYPES as readonly string[]).includes(p.name)) continue;
      await deps.idp.remove(event.userPoolId, p.name);
      result.deleted.push(p.name);
    }
    log("identity providers in place", { ...result });
    return result;
  };
}
