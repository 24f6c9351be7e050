/**
 * Lambda entry point (handler `index.handler`): the real Secrets Manager client (the AWS SDK v3
 * the Node.js runtime provides) and the database drivers packaged with the function.
 */
import { connect } from "./drivers";
import { createHandler, loadSettings, type Settings } from "./handler";

declare const require: (id: string) => unknown;

interface SecretsManagerModule {
  SecretsManagerClient: new (config: Record<string, unknown>) => { send(command: unknown): Promise<{ SecretString?: string }> };
  GetSecretValueCommand: new (input: { SecretId: string }) => unknown;
}

let settings: Settings | undefined;
let sm: SecretsManagerModule | undefined;

export const handler = createHandler({
  settings: () => (settings ??= loadSettings(process.env)),
  secretString: async (secretArn) => {
    sm ??= require("@aws-sdk/client-secrets-manager") as SecretsManagerModule;
    const out = await new sm.SecretsManagerClient({ maxAttempts: 3 }).send(new sm.GetSecretValueCommand({ SecretId: secretArn }));
    if (!out.SecretString) throw new Error("the secret has no SecretString");
    return out.SecretString;
  },
  connect,
});
