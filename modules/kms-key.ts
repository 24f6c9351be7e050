import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey as AwsKmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { Construct } from "constructs";
import { policyJson, type PolicyStatement } from "../core/policy";

/** Administrative and usage actions the account root keeps on its keys (listed, never `kms:*`). */
export const KMS_ADMIN_ACTIONS = [
  "kms:CancelKeyDeletion",
  "kms:CreateAlias",
  "kms:CreateGrant",
  "kms:Decrypt",
  "kms:DeleteAlias",
  "kms:DescribeKey",
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:EnableKey",
  "kms:EnableKeyRotation",
  "kms:Encrypt",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:GetKeyPolicy",
  "kms:GetKeyRotationStatus",
  "kms:ListAliases",
  "kms:ListGrants",
  "kms:ListKeyPolicies",
  "kms:ListResourceTags",
  "kms:PutKeyPolicy",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:RetireGrant",
  "kms:RevokeGrant",
  "kms:ScheduleKeyDeletion",
  "kms:TagResource",
  "kms:UntagResource",
  "kms:UpdateAlias",
  "kms:UpdateKeyDescription",
];

/** Actions a service needs to encrypt and decrypt with a key. */
export const KMS_USE_ACTIONS = [
  "kms:Encrypt",
  "kms:Decrypt",
  "kms:ReEncryptFrom",
  "kms:ReEncryptTo",
  "kms:GenerateDataKey",
  "kms:GenerateDataKeyWithoutPlaintext",
  "kms:DescribeKey",
];

export interface KmsKeyProps {
  /** Alias without the `alias/` prefix. */
  readonly alias: string;
  readonly description: string;
  /** ARN of the account root principal that administers the key. */
  readonly adminPrincipalArn: string;
  /** Statements added after the administration statement (service principals, grants). @default none */
  readonly statements?: readonly PolicyStatement[];
  /** Waiting period before deletion, 7-30 days. @default 30 */
  readonly deletionWindowDays?: number;
}

/** What a construct that creates a key of its own takes for it; the construct writes the description and statements. */
export type KmsKeyOptions = Pick<KmsKeyProps, "alias" | "adminPrincipalArn" | "deletionWindowDays">;

/**
 * A symmetric customer-managed KMS key with yearly rotation, an alias, and a key policy that
 * names exactly who may use it.
 */
export class KmsKey extends Construct {
  readonly key: AwsKmsKey;
  readonly arn: string;
  readonly keyId: string;
  readonly aliasName: string;

  constructor(scope: Construct, id: string, props: KmsKeyProps) {
    super(scope, id);
    const window = props.deletionWindowDays ?? 30;
    if (window < 7 || window > 30) throw new Error(`KmsKey ${id}: deletionWindowDays must be 7-30, got ${window}`);
    this.key = new AwsKmsKey(this, "Resource", {
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: window,
      policy: policyJson([
        { Sid: "AccountAdministration", Principal: { AWS: props.adminPrincipalArn }, Action: KMS_ADMIN_ACTIONS, Resource: "*" },
        ...(props.statements ?? []),
      ]),
    });
    this.aliasName = `alias/${props.alias}`;
    new KmsAlias(this, "alias", { name: this.aliasName, targetKeyId: this.key.keyId });
    this.arn = this.key.arn;
    this.keyId = this.key.keyId;
  }
}
