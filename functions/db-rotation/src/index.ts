/**
 * Lambda entry point (handler `index.handler`): the real Secrets Manager and RDS clients, from the
 * AWS SDK v3 the Node.js runtime provides (nothing is bundled but this code).
 */
import { createHandler, loadSettings, type RotationSettings } from "./handler";

declare const require: (id: string) => unknown;

type Client = { send(command: unknown): Promise<Record<string, unknown>> };
type Command = new (input: Record<string, unknown>) => unknown;
interface SecretsManagerModule {
  SecretsManagerClient: new (config: Record<string, unknown>) => Client;
  DescribeSecretCommand: Command;
  GetSecretValueCommand: Command;
  GetRandomPasswordCommand: Command;
  PutSecretValueCommand: Command;
  UpdateSecretVersionStageCommand: Command;
}
interface RdsModule {
  RDSClient: new (config: Record<string, unknown>) => Client;
  ModifyDBInstanceCommand: Command;
  DescribeDBInstancesCommand: Command;
}

let settings: RotationSettings | undefined;
let smClient: Client | undefined;
let rdsClient: Client | undefined;
const sm = () => require("@aws-sdk/client-secrets-manager") as SecretsManagerModule;
const rds = () => require("@aws-sdk/client-rds") as RdsModule;
const secrets = () => (smClient ??= new (sm().SecretsManagerClient)({ maxAttempts: 3 }));
const db = () => (rdsClient ??= new (rds().RDSClient)({ maxAttempts: 3 }));

export const handler = createHandler({
  settings: () => (settings ??= loadSettings(process.env)),
  describeSecret: async (secretId) => {
    const out = await secrets().send(new (sm().DescribeSecretCommand)({ SecretId: secretId }));
    return {
      rotationEnabled: out.RotationEnabled === true,
      versions: (out.VersionIdsToStages ?? {}) as Record<string, string[]>,
    };
  },
  secretValue: async (secretId, versionId, stage) => {
    try {
      const out = await secrets().send(new (sm().GetSecretValueCommand)({ SecretId: secretId, VersionId: versionId, VersionStage: stage }));
      return typeof out.SecretString === "string" ? out.SecretString : undefined;
    } catch (e) {
      if ((e as Error).name === "ResourceNotFoundException") return undefined;
      throw e;
    }
  },
  randomPassword: async () => {
    // Letters and digits only: every engine accepts them, and nothing needs quoting anywhere.
    const out = await secrets().send(
      new (sm().GetRandomPasswordCommand)({ PasswordLength: 32, ExcludePunctuation: true, IncludeSpace: false }),
    );
    if (typeof out.RandomPassword !== "string") throw new Error("GetRandomPassword returned no password");
    return out.RandomPassword;
  },
  putPending: async (secretId, versionId, secretString) => {
    await secrets().send(
      new (sm().PutSecretValueCommand)({
        SecretId: secretId,
        ClientRequestToken: versionId,
        SecretString: secretString,
        VersionStages: ["AWSPENDING"],
      }),
    );
  },
  moveCurrent: async (secretId, versionId, fromVersionId) => {
    await secrets().send(
      new (sm().UpdateSecretVersionStageCommand)({
        SecretId: secretId,
        VersionStage: "AWSCURRENT",
        MoveToVersionId: versionId,
        RemoveFromVersionId: fromVersionId,
      }),
    );
  },
  setMasterPassword: async (instance, password) => {
    await db().send(
      new (rds().ModifyDBInstanceCommand)({ DBInstanceIdentifier: instance, MasterUserPassword: password, ApplyImmediately: true }),
    );
  },
  passwordChangePending: async (instance) => {
    const out = await db().send(new (rds().DescribeDBInstancesCommand)({ DBInstanceIdentifier: instance }));
    const [first] = (out.DBInstances ?? []) as { PendingModifiedValues?: { MasterUserPassword?: string }; DBInstanceStatus?: string }[];
    return first?.PendingModifiedValues?.MasterUserPassword !== undefined || first?.DBInstanceStatus === "resetting-master-credentials";
  },
});
