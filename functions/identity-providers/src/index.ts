/**
 * Lambda entry point (handler `index.handler`): the real Secrets Manager and Cognito identity
 * provider clients (the AWS SDK v3 the Node.js runtime provides, loaded on first use).
 */
import { createHandler } from "./handler";

declare const require: (id: string) => unknown;

type Client = { send(command: unknown): Promise<Record<string, unknown>> };
interface SecretsManagerModule {
  SecretsManagerClient: new (config: Record<string, unknown>) => Client;
  GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}
interface CognitoModule {
  CognitoIdentityProviderClient: new (config: Record<string, unknown>) => Client;
  DescribeIdentityProviderCommand: new (input: Record<string, unknown>) => unknown;
  CreateIdentityProviderCommand: new (input: Record<string, unknown>) => unknown;
  UpdateIdentityProviderCommand: new (input: Record<string, unknown>) => unknown;
  DeleteIdentityProviderCommand: new (input: Record<string, unknown>) => unknown;
}

let sm: SecretsManagerModule | undefined;
let cognito: CognitoModule | undefined;
let client: Client | undefined;
const idpClient = () => {
  cognito ??= require("@aws-sdk/client-cognito-identity-provider") as CognitoModule;
  client ??= new cognito.CognitoIdentityProviderClient({ maxAttempts: 5 });
  return { c: client, m: cognito };
};
const notFound = (e: unknown) => (e as { name?: string })?.name === "ResourceNotFoundException";

export const handler = createHandler({
  secretString: async (secretArn) => {
    sm ??= require("@aws-sdk/client-secrets-manager") as SecretsManagerModule;
    const out = await new sm.SecretsManagerClient({ maxAttempts: 3 }).send(new sm.GetSecretValueCommand({ SecretId: secretArn }));
    if (typeof out.SecretString !== "string") throw new Error(`secret ${secretArn} has no SecretString`);
    return out.SecretString;
  },
  idp: {
    exists: async (UserPoolId, ProviderName) => {
      const { c, m } = idpClient();
      try {
        await c.send(new m.DescribeIdentityProviderCommand({ UserPoolId, ProviderName }));
        return true;
      } catch (e) {
        if (notFound(e)) return false;
        throw e;
      }
    },
    create: async (input) => {
      const { c, m } = idpClient();
      await c.send(new m.CreateIdentityProviderCommand({ ...input }));
    },
    update: async (input) => {
      const { c, m } = idpClient();
      const { ProviderType: _type, ...rest } = input;
      await c.send(new m.UpdateIdentityProviderCommand({ ...rest }));
    },
    remove: async (UserPoolId, ProviderName) => {
      const { c, m } = idpClient();
      try {
        await c.send(new m.DeleteIdentityProviderCommand({ UserPoolId, ProviderName }));
      } catch (e) {
        if (!notFound(e)) throw e;
      }
    },
  },
});
