/**
 * The identity a CI system uses to plan and apply Terraform in one AWS account, through GitHub
 * Actions' OpenID Connect tokens (no stored access keys):
 *
 * - the account's OIDC provider for token.actions.githubusercontent.com (optional: one per account);
 * - a plan role: read-only managed policies, explicit denies, and read + lock access to the state;
 * - an apply role: broad managed policies, IAM limited to the platform's own roles and policies
 *   (created or given permissions only with the platform's permissions boundary on them, passed
 *   only to the services that use them), write access to the state, and guardrails that keep it
 *   away from the CI identity itself, the boundary policy and the state bucket's configuration.
 *
 * Each role trusts only the exact `sub` claims it is given (StringEquals, no wildcards) and the
 * `aud` sts.amazonaws.com. Inline policies go through `policyJson`, which refuses `*` and
 * `service:*` Allow actions; broad grants come only from managed policies named by ARN.
 */
import { IamOpenidConnectProvider } from "@cdktf/provider-aws/lib/iam-openid-connect-provider";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { reviewException } from "../core/review";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import { BOUNDARY_POLICY_CHANGES } from "../core/permissions-boundary";
import { policyJson, type PolicyStatement } from "../core/policy";

export const GITHUB_OIDC_URL = "https://token.actions.githubusercontent.com";
const OIDC_HOST = "token.actions.githubusercontent.com";
const STS_AUDIENCE = "sts.amazonaws.com";

/** Where the roles read and lock Terraform state. */
export interface CiStateAccess {
  /** State bucket name. */
  readonly bucket: string;
  /** Key prefix of this environment's state objects, without slashes at either end (`platform/petclinic/dev`). */
  readonly keyPrefix: string;
  /** DynamoDB lock table (region and account of the roles). @default none (no DynamoDB locking) */
  readonly lockTable?: { readonly name: string; readonly region: string };
  /** S3-native lock files (`<key>.tflock`, Terraform's use_lockfile). @default false */
  readonly s3LockFiles?: boolean;
  /** KMS key of the state objects (SSE-KMS): a key ARN, an alias ARN or `alias/<name>`. @default none (SSE-S3) */
  readonly kmsKeyId?: string;
  /** Region of the state bucket and its key. */
  readonly region: string;
}

export interface CiRoleProps {
  /** Role name (64 characters at most). */
  readonly name: string;
  readonly description: string;
  /** Managed policies attached to the role, by ARN. */
  readonly managedPolicyArns: readonly string[];
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
}

export interface CiPlanRoleProps extends CiRoleProps {
  /** `sub` claims allowed to assume the role (`repo:<owner>/<repo>:pull_request`, `repo:<owner>/<repo>:ref:refs/heads/main`). */
  readonly subjects: readonly string[];
  /** Actions denied on every resource whatever the managed policies allow. @default none */
  readonly deniedActions?: readonly string[];
}

export interface CiApplyRoleProps extends CiRoleProps {
  /** `sub` claim allowed to assume the role (`repo:<owner>/<repo>:environment:<name>`). */
  readonly subject: string;
  /** @default none */
  readonly permissionsBoundaryArn?: string;
  /**
   * IAM the role may do, on roles and customer-managed policies whose name starts with `namePrefix`:
   * create and change roles only with `boundaryArn` as their permissions boundary, attach the AWS
   * managed policies `attachablePolicyArns` returns or the platform's own policies, and pass the
   * roles only to the services `passedToServices` returns. Both lists are read at synth (after every
   * layer is built), so they are what the layers really attach and trust.
   */
  readonly iam: {
    readonly namePrefix: string;
    readonly boundaryArn: string;
    readonly attachablePolicyArns: () => readonly string[];
    readonly passedToServices: () => readonly string[];
  };
}

export interface CiIdentityProps {
  readonly partition: string;
  readonly accountId: string;
  /** Create the account's GitHub OIDC provider. @default true */
  readonly createOidcProvider?: boolean;
  /** Thumbprints of the provider. @default none (AWS fills them in) */
  readonly thumbprints?: readonly string[];
  readonly state: CiStateAccess;
  readonly plan: CiPlanRoleProps;
  readonly apply: CiApplyRoleProps;
  /** Roles both CI roles may assume afterwards (the provider's assume_role, the backend's role_arn). @default none */
  readonly assumableRoleArns?: readonly string[];
}

/** A construct id from a managed policy ARN: `arn:aws:iam::aws:policy/service-role/X` -> `X`. */
function policyId(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

export class CiIdentity extends Construct {
  /** The OIDC provider's ARN (the constant ARN when the provider is not created here). */
  readonly oidcProviderArn: string;
  readonly planRole: IamRole;
  readonly applyRole: IamRole;

  constructor(scope: Construct, id: string, props: CiIdentityProps) {
    super(scope, id);
    for (const role of [props.plan, props.apply]) {
      if (role.name.length > 64) throw new Error(`CiIdentity ${id}: role name ${role.name} is longer than 64 characters`);
    }
    if (!props.plan.subjects.length) throw new Error(`CiIdentity ${id}: the plan role needs at least one subject`);
    for (const s of [...props.plan.subjects, props.apply.subject]) {
      if (!/^repo:[^:*?]+\/[^:*?]+:/.test(s) || /[*?]/.test(s))
        throw new Error(`CiIdentity ${id}: subject ${JSON.stringify(s)} is not an exact repo:<owner>/<repo>:... claim`);
    }

    const { partition, accountId } = props;
    const arn = (service: string, resource: string, region = "") =>
      `arn:${partition}:${service}:${region}:${service === "s3" ? "" : accountId}:${resource}`;

    if (props.createOidcProvider ?? true) {
      const provider = new IamOpenidConnectProvider(this, "oidc_provider", {
        url: GITHUB_OIDC_URL,
        clientIdList: [STS_AUDIENCE],
        thumbprintList: props.thumbprints?.length ? [...props.thumbprints] : undefined,
      });
      this.oidcProviderArn = provider.arn;
    } else {
      this.oidcProviderArn = arn("iam", `oidc-provider/${OIDC_HOST}`);
    }

    const planArn = arn("iam", `role/${props.plan.name}`);
    const applyArn = arn("iam", `role/${props.apply.name}`);
    const state = props.state;
    const bucketArn = arn("s3", state.bucket);
    const objects = `${bucketArn}/${state.keyPrefix}/*`;

    const stateStatements = (write: boolean): PolicyStatement[] => [
      // Terraform lists the bucket on init (workspaces); the bucket holds state only.
      { Sid: "ListStateBucket", Action: "s3:ListBucket", Resource: bucketArn },
      // A layer reads its own state and, through terraform_remote_state, the earlier layers'.
      { Sid: "ReadState", Action: "s3:GetObject", Resource: objects },
      ...(write ? [{ Sid: "WriteState", Action: "s3:PutObject", Resource: `${bucketArn}/${state.keyPrefix}/*.tfstate` }] : []),
      ...(state.s3LockFiles
        ? [{ Sid: "StateLockFiles", Action: ["s3:PutObject", "s3:DeleteObject"], Resource: `${bucketArn}/${state.keyPrefix}/*.tflock` }]
        : []),
      ...(state.lockTable
        ? [
            {
              Sid: "StateLockTable",
              Action: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
              Resource: arn("dynamodb", `table/${state.lockTable.name}`, state.lockTable.region),
            },
          ]
        : []),
      ...(state.kmsKeyId ? [this.stateKeyStatement(state.kmsKeyId, arn("kms", "key/*", state.region))] : []),
    ];
    const assume: PolicyStatement[] = props.assumableRoleArns?.length
      ? [{ Sid: "AssumeDeploymentRoles", Action: "sts:AssumeRole", Resource: [...props.assumableRoleArns] }]
      : [];

    // ---- plan role
    this.planRole = this.role("plan", props.plan, props.plan.subjects);
    this.inline("plan_state", this.planRole, "state", [...stateStatements(false), ...assume]);
    if (props.plan.deniedActions?.length) {
      this.inline("plan_guardrails", this.planRole, "guardrails", [
        { Sid: "DenyOutsidePlan", Effect: "Deny", Action: [...props.plan.deniedActions], Resource: "*" },
      ]);
    }

    // ---- apply role
    this.applyRole = this.role("apply", props.apply, [props.apply.subject]);
    this.inline("apply_state", this.applyRole, "state", [...stateStatements(true), ...assume]);
    const prefix = props.apply.iam.namePrefix;
    const roles = arn("iam", `role/${prefix}*`);
    const policies = arn("iam", `policy/${prefix}*`);
    const boundary = props.apply.iam.boundaryArn;
    const withBoundary = { StringEquals: { "iam:PermissionsBoundary": boundary } };
    const iamStatements = (): PolicyStatement[] => {
      const attachable = [...new Set(props.apply.iam.attachablePolicyArns())].sort();
      const services = [...new Set(props.apply.iam.passedToServices())].sort();
      return [
        {
          Sid: "ReadPlatformRoles",
          Action: [
            "iam:GetRole",
            "iam:GetRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListInstanceProfilesForRole",
            "iam:ListRolePolicies",
            "iam:ListRoleTags",
          ],
          Resource: roles,
        },
        {
          // Changes that cannot lift a role above its boundary.
          Sid: "ChangePlatformRoles",
          Action: [
            "iam:DeleteRole",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:UpdateAssumeRolePolicy",
            "iam:UpdateRole",
            "iam:UpdateRoleDescription",
          ],
          Resource: roles,
        },
        {
          // A role is created, given permissions or given a boundary only with the platform's
          // boundary on it: whatever the policy says, the role stays below the boundary.
          Sid: "BoundedRolesOnly",
          Action: ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"],
          Resource: roles,
          Condition: withBoundary,
        },
        ...(attachable.length
          ? [
              {
                // The AWS managed policies the layers attach (derived from the synthesized stacks): never
                // AdministratorAccess or anything else no layer attaches.
                Sid: "AttachKnownPolicies",
                Action: "iam:AttachRolePolicy",
                Resource: roles,
                Condition: { ...withBoundary, ArnEquals: { "iam:PolicyARN": attachable } },
              },
            ]
          : []),
        {
          Sid: "AttachPlatformPolicies",
          Action: "iam:AttachRolePolicy",
          Resource: roles,
          Condition: { ...withBoundary, ArnLike: { "iam:PolicyARN": policies } },
        },
        ...(services.length
          ? [
              {
                Sid: "PassPlatformRoles",
                Action: "iam:PassRole",
                Resource: roles,
                Condition: { StringEquals: { "iam:PassedToService": services } },
              },
            ]
          : []),
        {
          Sid: "PlatformPolicies",
          Action: [
            "iam:CreatePolicy",
            "iam:DeletePolicy",
            "iam:GetPolicy",
            "iam:GetPolicyVersion",
            "iam:ListPolicyVersions",
            "iam:CreatePolicyVersion",
            "iam:DeletePolicyVersion",
            "iam:TagPolicy",
            "iam:UntagPolicy",
            "iam:ListPolicyTags",
          ],
          Resource: policies,
        },
        { Sid: "ServiceLinkedRoles", Action: "iam:CreateServiceLinkedRole", Resource: arn("iam", "role/aws-service-role/*") },
      ];
    };
    // Read when the stacks are synthesized, after every layer exists (the lists come from them).
    new IamRolePolicy(this, "apply_iam", {
      name: "iam",
      role: this.applyRole.id,
      policy: Lazy.stringValue({ produce: () => policyJson(iamStatements()) }),
    });
    this.inline("apply_guardrails", this.applyRole, "guardrails", [
      {
        // The role names share the platform's prefix: without this the apply role could rewrite
        // its own trust or permissions, or those of the plan role.
        Sid: "DenyChangingTheCiIdentity",
        Effect: "Deny",
        Action: [
          "iam:AttachRolePolicy",
          "iam:DeleteRole",
          "iam:DeleteRolePermissionsBoundary",
          "iam:DeleteRolePolicy",
          "iam:DetachRolePolicy",
          "iam:PutRolePermissionsBoundary",
          "iam:PutRolePolicy",
          "iam:TagRole",
          "iam:UntagRole",
          "iam:UpdateAssumeRolePolicy",
          "iam:UpdateRole",
          "iam:UpdateRoleDescription",
        ],
        Resource: [planArn, applyArn],
      },
      {
        // The boundary is what keeps every platform role below it: CI may not rewrite or delete it,
        // attach it as a permissions policy, or take it off a role.
        Sid: "DenyChangingTheBoundary",
        Effect: "Deny",
        Action: [...BOUNDARY_POLICY_CHANGES],
        Resource: boundary,
      },
      { Sid: "DenyRemovingBoundaries", Effect: "Deny", Action: "iam:DeleteRolePermissionsBoundary", Resource: "*" },
      {
        Sid: "DenyAttachingTheBoundary",
        Effect: "Deny",
        Action: "iam:AttachRolePolicy",
        Resource: "*",
        Condition: { ArnEquals: { "iam:PolicyARN": boundary } },
      },
      { Sid: "DenyPassingTheCiIdentity", Effect: "Deny", Action: "iam:PassRole", Resource: [planArn, applyArn] },
      {
        Sid: "DenyChangingTheOidcProvider",
        Effect: "Deny",
        Action: [
          "iam:AddClientIDToOpenIDConnectProvider",
          "iam:CreateOpenIDConnectProvider",
          "iam:DeleteOpenIDConnectProvider",
          "iam:RemoveClientIDFromOpenIDConnectProvider",
          "iam:TagOpenIDConnectProvider",
          "iam:UntagOpenIDConnectProvider",
          "iam:UpdateOpenIDConnectProviderThumbprint",
        ],
        Resource: arn("iam", `oidc-provider/${OIDC_HOST}`),
      },
      {
        // The state bucket belongs to the bootstrap stack, applied by people: CI may write state
        // objects, never weaken or remove the bucket or the history of old state versions.
        Sid: "DenyChangingTheStateBucket",
        Effect: "Deny",
        Action: [
          "s3:DeleteBucket",
          "s3:DeleteBucketPolicy",
          "s3:PutBucketAcl",
          "s3:PutBucketOwnershipControls",
          "s3:PutBucketPolicy",
          "s3:PutBucketPublicAccessBlock",
          "s3:PutBucketVersioning",
          "s3:PutEncryptionConfiguration",
          "s3:PutLifecycleConfiguration",
        ],
        Resource: bucketArn,
      },
      { Sid: "DenyDeletingStateVersions", Effect: "Deny", Action: "s3:DeleteObjectVersion", Resource: `${bucketArn}/*` },
      ...(state.lockTable
        ? [
            {
              Sid: "DenyChangingTheLockTable",
              Effect: "Deny" as const,
              Action: ["dynamodb:DeleteTable", "dynamodb:UpdateTable"],
              Resource: arn("dynamodb", `table/${state.lockTable.name}`, state.lockTable.region),
            },
          ]
        : []),
    ]);
  }

  /** A role trusted by GitHub's OIDC provider for exactly `subjects`, with its managed policies. */
  private role(kind: "plan" | "apply", props: CiRoleProps & { permissionsBoundaryArn?: string }, subjects: readonly string[]): IamRole {
    const role = new IamRole(this, kind, {
      name: props.name,
      description: props.description,
      maxSessionDuration: props.maxSessionDurationSeconds ?? 3600,
      permissionsBoundary: props.permissionsBoundaryArn,
      assumeRolePolicy: policyJson([
        {
          Sid: "GithubActions",
          Action: "sts:AssumeRoleWithWebIdentity",
          Principal: { Federated: this.oidcProviderArn },
          Condition: {
            StringEquals: {
              [`${OIDC_HOST}:aud`]: STS_AUDIENCE,
              [`${OIDC_HOST}:sub`]: subjects.length === 1 ? subjects[0] : [...subjects],
            },
          },
        },
      ]),
    });
    const seen = new Set<string>();
    for (const policyArn of props.managedPolicyArns) {
      const pid = policyId(policyArn);
      if (seen.has(pid)) throw new Error(`CiIdentity: two managed policies of the ${kind} role end in ${pid}; name each once`);
      seen.add(pid);
      const attachment = new IamRolePolicyAttachment(this, `${kind}_policy_${pid}`, { role: role.name, policyArn });
      if (/\/(PowerUserAccess|AdministratorAccess)$/.test(policyArn)) {
        reviewException(
          attachment,
          "PK-IAM-007",
          "The apply role deploys every layer of the platform; its IAM rights are confined by the inline policy to <project>-<env>-* roles and listed managed policies, and it is denied the CI identity and the state bucket settings (docs/operations.md)",
        );
      }
    }
    return role;
  }

  /** Decrypt and data keys with the state's KMS key; an alias is matched with kms:ResourceAliases (KMS authorizes keys, not aliases). */
  private stateKeyStatement(kmsKeyId: string, anyKeyArn: string): PolicyStatement {
    const actions = ["kms:Decrypt", "kms:GenerateDataKey"];
    if (/^arn:[^:]+:kms:[^:]+:\d{12}:key\//.test(kmsKeyId)) return { Sid: "StateKey", Action: actions, Resource: kmsKeyId };
    const alias = kmsKeyId.slice(kmsKeyId.indexOf("alias/"));
    return {
      Sid: "StateKey",
      Action: actions,
      Resource: anyKeyArn,
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": alias } },
    };
  }

  private inline(id: string, role: IamRole, name: string, statements: readonly PolicyStatement[]): IamRolePolicy {
    return new IamRolePolicy(this, id, { name, role: role.id, policy: policyJson(statements) });
  }
}

/** AWS managed policy ARNs (`arn:<partition>:iam::aws:policy/...`) attached to roles anywhere below `scopes`. */
export function awsManagedPoliciesAttached(scopes: readonly Construct[]): string[] {
  const out = new Set<string>();
  for (const scope of scopes) {
    for (const node of scope.node.findAll()) {
      const arns =
        node instanceof IamRolePolicyAttachment
          ? [node.policyArnInput ?? ""]
          : node instanceof IamRole
            ? (node.managedPolicyArnsInput ?? [])
            : [];
      for (const a of arns) if (/^arn:[^:]+:iam::aws:policy\//.test(a)) out.add(a);
    }
  }
  return [...out].sort();
}

/** The AWS service principals the roles below `scopes` trust (the services they are passed to). */
export function servicesTrusted(scopes: readonly Construct[]): string[] {
  const out = new Set<string>();
  for (const scope of scopes) {
    for (const node of scope.node.findAll()) {
      if (!(node instanceof IamRole)) continue;
      const doc = JSON.parse(node.assumeRolePolicyInput ?? '{"Statement":[]}') as {
        Statement: { Effect?: string; Principal?: { Service?: string | string[] } }[];
      };
      for (const st of doc.Statement) {
        if ((st.Effect ?? "Allow") !== "Allow") continue;
        const svc = st.Principal?.Service;
        for (const s of typeof svc === "string" ? [svc] : (svc ?? [])) out.add(s);
      }
    }
  }
  return [...out].sort();
}
