/**
 * Cognito federation without the client secrets in Terraform: a small function
 * (functions/identity-providers) that Terraform invokes at apply time reads each provider's client
 * id and secret from Secrets Manager and creates, updates or deletes the user pool's identity
 * providers through the Cognito API. The aws_cognito_identity_provider resource is not used: its
 * provider_details (client_secret included) would be in the configuration and the state.
 *
 * - The function: packaged at synth, in the given subnets and security group, its own log group
 *   (retention, KMS), X-Ray, explicit memory and timeout, one run at a time.
 * - Its role (ServiceRole, so the permissions boundary applies): secretsmanager:GetSecretValue on
 *   exactly the providers' secrets (`secret:<name>-??????`), kms:Decrypt through Secrets Manager only
 *   on the given key, cognito-idp Describe/Create/Update/DeleteIdentityProvider on this pool only,
 *   its logs, its network interfaces, X-Ray.
 * - The invocation (aws_lambda_invocation, lifecycle_scope CRUD): the input names the pool, each
 *   provider's secret name, scopes and attribute mapping (never a secret); a changed list re-invokes
 *   (an update that also deletes dropped providers), destroying deletes the providers. The result
 *   kept in state holds provider names only. A new `secretsVersion` re-invokes after the operators
 *   replaced a secret (Cognito keeps its own copy of the client secret).
 *
 * Addresses for an id `identity_providers`: aws_lambda_function.identity_providers,
 * aws_cloudwatch_log_group.identity_providers_logs, aws_iam_role.identity_providers_role,
 * aws_iam_role_policy.identity_providers_role_<policy>, aws_lambda_invocation.identity_providers_invocation.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction as AwsLambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { Construct } from "constructs";
import { Arns, viaSecretsManager, XRAY_WRITE } from "../core/policy";
import { provisionerFunction, type ProvisionerProps } from "./provisioner-function";
import type { ServiceRole } from "./service-role";

/** One social identity provider of the pool. */
export interface IdentityProviderSpec {
  /** Cognito's provider name (= type): Google or Facebook. */
  readonly name: "Google" | "Facebook";
  /** Secrets Manager secret name holding {client_id, client_secret}. */
  readonly secretName: string;
  readonly scopes: readonly string[];
  readonly attributeMapping: Readonly<Record<string, string>>;
  /** Facebook Graph API version. @default Cognito's */
  readonly apiVersion?: string;
}

export interface IdentityProvidersProps extends ProvisionerProps {
  /** Key the operators encrypt the secrets with (the function may decrypt through Secrets Manager only). */
  readonly secretKmsKeyArn: string;
  readonly userPoolId: string;
  readonly userPoolArn: string;
  readonly providers: readonly IdentityProviderSpec[];
  /** Any text; a new value invokes the function again (after a secret was replaced). @default none */
  readonly secretsVersion?: string;
}

/** Scopes as Cognito's authorize_scopes wants them: space-separated (Google), comma-separated (Facebook). */
export function authorizeScopes(p: Pick<IdentityProviderSpec, "name" | "scopes">): string {
  return p.scopes.join(p.name === "Facebook" ? "," : " ");
}

export class IdentityProviders extends Construct {
  readonly function: AwsLambdaFunction;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly invocation: LambdaInvocation;

  constructor(scope: Construct, id: string, props: IdentityProvidersProps) {
    super(scope, id);
    if (!props.providers.length) throw new Error(`IdentityProviders ${id}: no provider`);
    const arns = new Arns(props.region, props.accountId);
    const provisioner = provisionerFunction(this, props, {
      description:
        "Creates the user pool's Google and Facebook identity providers from secrets in Secrets Manager (invoked by Terraform at apply time)",
      roleDescription: `Execution role of ${props.functionName}: reads the identity providers' client secrets and writes the user pool's identity providers`,
      policies: {
        "client-secrets": [
          // Secrets Manager appends six random characters to a secret's name in its ARN.
          {
            Sid: "ReadClientSecrets",
            Action: "secretsmanager:GetSecretValue",
            Resource: props.providers.map((p) => arns.arn("secretsmanager", `secret:${p.secretName}-??????`)),
          },
          {
            Sid: "DecryptClientSecrets",
            Action: "kms:Decrypt",
            Resource: props.secretKmsKeyArn,
            Condition: viaSecretsManager(props.region),
          },
        ],
        "identity-providers": [
          {
            Sid: "ManageThisPoolsIdentityProviders",
            Action: [
              "cognito-idp:DescribeIdentityProvider",
              "cognito-idp:CreateIdentityProvider",
              "cognito-idp:UpdateIdentityProvider",
              "cognito-idp:DeleteIdentityProvider",
            ],
            Resource: props.userPoolArn,
          },
        ],
      },
      xray: XRAY_WRITE,
    });
    this.logGroup = provisioner.pkg.logGroup;
    this.role = provisioner.role;
    this.function = provisioner.function;

    this.invocation = new LambdaInvocation(this, "invocation", {
      functionName: this.function.functionName,
      lifecycleScope: "CRUD",
      input: JSON.stringify({
        userPoolId: props.userPoolId,
        providers: props.providers.map((p) => ({
          name: p.name,
          secretId: p.secretName,
          scopes: authorizeScopes(p),
          attributeMapping: { ...p.attributeMapping },
          ...(p.apiVersion ? { apiVersion: p.apiVersion } : {}),
        })),
      }),
      triggers: { code: provisioner.pkg.staged.hash, ...(props.secretsVersion ? { secrets: props.secretsVersion } : {}) },
      dependsOn: [this.function],
    });
  }
}
