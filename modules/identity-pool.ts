/**
 * A Cognito identity pool that trusts one user pool app client, and its roles.
 *
 * - The pool: classic (basic) flow off, the user pool client as the only provider, with server-side
 *   token checks (a signed-out user's tokens stop working), guests only when asked for.
 * - The roles: trusted by `cognito-identity.amazonaws.com` through sts:AssumeRoleWithWebIdentity,
 *   only for identities of this pool (`cognito-identity.amazonaws.com:aud`) and only for the matching
 *   kind of identity (`cognito-identity.amazonaws.com:amr` authenticated / unauthenticated), so
 *   another pool's identities and guests never get the authenticated role. Every role of the
 *   platform carries the permissions boundary (core/permissions-boundary.ts, an aspect).
 * - `bucketGrants` on the authenticated role: each signed-in user reaches only objects below
 *   `private/${cognito-identity.amazonaws.com:sub}/` (their identity id), lists only that prefix, and
 *   uses the bucket's key only through S3.
 *
 * Addresses for an id `identity_pool`: aws_cognito_identity_pool.identity_pool,
 * aws_iam_role.identity_pool_authenticated, aws_iam_role.identity_pool_unauthenticated (guests only),
 * aws_iam_role_policy.identity_pool_authenticated_<policy>, aws_cognito_identity_pool_roles_attachment.identity_pool_roles.
 */
import { CognitoIdentityPool } from "@cdktf/provider-aws/lib/cognito-identity-pool";
import { CognitoIdentityPoolRolesAttachment } from "@cdktf/provider-aws/lib/cognito-identity-pool-roles-attachment";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { policyJson, type PolicyStatement } from "../core/policy";

/** The federated principal and the condition keys Cognito identity sets on AssumeRoleWithWebIdentity. */
export const COGNITO_IDENTITY = "cognito-identity.amazonaws.com";

export interface IdentityPoolProps {
  readonly name: string;
  /** The user pool's provider name `cognito-idp.<region>.amazonaws.com/<pool id>` and the app client id. */
  readonly userPoolProviderName: string;
  readonly clientId: string;
  readonly authenticatedRoleName: string;
  /** Guests get credentials of this role; unset: no guests. @default none */
  readonly unauthenticatedRoleName?: string;
}

/** The trust policy of an identity pool role: this pool's identities of one kind only. */
export function identityPoolTrust(poolId: string, kind: "authenticated" | "unauthenticated"): string {
  return policyJson([
    {
      Sid: kind === "authenticated" ? "SignedInIdentitiesOfThisPool" : "GuestIdentitiesOfThisPool",
      Principal: { Federated: COGNITO_IDENTITY },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: { [`${COGNITO_IDENTITY}:aud`]: poolId },
        "ForAnyValue:StringLike": { [`${COGNITO_IDENTITY}:amr`]: kind },
      },
    },
  ]);
}

export class IdentityPool extends Construct {
  readonly pool: CognitoIdentityPool;
  readonly authenticatedRole: IamRole;
  readonly unauthenticatedRole?: IamRole;
  readonly attachment: CognitoIdentityPoolRolesAttachment;

  constructor(scope: Construct, id: string, props: IdentityPoolProps) {
    super(scope, id);
    const guests = props.unauthenticatedRoleName !== undefined;
    this.pool = new CognitoIdentityPool(this, "Resource", {
      identityPoolName: props.name,
      allowUnauthenticatedIdentities: guests,
      allowClassicFlow: false,
      cognitoIdentityProviders: [{ providerName: props.userPoolProviderName, clientId: props.clientId, serverSideTokenCheck: true }],
    });
    this.authenticatedRole = new IamRole(this, "authenticated", {
      name: props.authenticatedRoleName,
      description: `Credentials of signed-in users of identity pool ${props.name}`,
      assumeRolePolicy: identityPoolTrust(this.pool.id, "authenticated"),
      maxSessionDuration: 3600,
    });
    if (guests) {
      this.unauthenticatedRole = new IamRole(this, "unauthenticated", {
        name: props.unauthenticatedRoleName!,
        description: `Credentials of guests (not signed in) of identity pool ${props.name}`,
        assumeRolePolicy: identityPoolTrust(this.pool.id, "unauthenticated"),
        maxSessionDuration: 3600,
      });
    }
    this.attachment = new CognitoIdentityPoolRolesAttachment(this, "roles", {
      identityPoolId: this.pool.id,
      roles: {
        authenticated: this.authenticatedRole.arn,
        ...(this.unauthenticatedRole ? { unauthenticated: this.unauthenticatedRole.arn } : {}),
      },
    });
  }

  /**
   * Each signed-in user reads (and with readWrite writes) objects below private/<identity id>/ of
   * the bucket; the bucket key only through S3. One inline policy `bucket-<name>` per bucket.
   */
  grantPrivatePrefix(name: string, bucketArn: string, keyArn: string, region: string, mode: "read" | "readWrite"): IamRolePolicy {
    // `$${…}` is Terraform's escape: IAM receives the policy variable ${cognito-identity.amazonaws.com:sub}.
    const prefix = `private/$\${${COGNITO_IDENTITY}:sub}/`;
    const statements: PolicyStatement[] = [
      { Sid: "ListOwnPrefix", Action: "s3:ListBucket", Resource: bucketArn, Condition: { StringLike: { "s3:prefix": [`${prefix}*`] } } },
      {
        Sid: mode === "read" ? "ReadOwnObjects" : "ReadWriteOwnObjects",
        Action: mode === "read" ? ["s3:GetObject"] : ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        Resource: `${bucketArn}/${prefix}*`,
      },
      {
        Sid: "BucketKeyThroughS3",
        Action: mode === "read" ? ["kms:Decrypt"] : ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: keyArn,
        Condition: { StringEquals: { "kms:ViaService": `s3.${region}.amazonaws.com` } },
      },
    ];
    return new IamRolePolicy(this, `authenticated-bucket-${name}`, {
      name: `bucket-${name}`,
      role: this.authenticatedRole.id,
      policy: policyJson(statements),
    });
  }
}
