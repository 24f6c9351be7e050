import { CognitoUserPool } from "@cdktf/provider-aws/lib/cognito-user-pool";
import { CognitoUserPoolClient } from "@cdktf/provider-aws/lib/cognito-user-pool-client";
import { CognitoUserPoolDomain } from "@cdktf/provider-aws/lib/cognito-user-pool-domain";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Construct } from "constructs";
import { deletionProtectionOf, preventDestroy, type DataProtection } from "./data-protection";

export interface UserPoolPasswordPolicy {
  /** 8-99. @default 12 */
  readonly minLength?: number;
  /** @default true */
  readonly requireLowercase?: boolean;
  /** @default true */
  readonly requireUppercase?: boolean;
  /** @default true */
  readonly requireNumbers?: boolean;
  /** @default true */
  readonly requireSymbols?: boolean;
  /** @default 7 */
  readonly temporaryPasswordValidityDays?: number;
}

export interface UserPoolClientProps {
  /** App client name. */
  readonly name: string;
  /** Where the hosted UI returns after sign-in (https, or http://localhost). */
  readonly callbackUrls: readonly string[];
  /** @default none */
  readonly logoutUrls?: readonly string[];
  /** @default ["openid", "email", "profile"] */
  readonly scopes?: readonly string[];
  /** @default 60 */
  readonly accessTokenMinutes?: number;
  /** @default 60 */
  readonly idTokenMinutes?: number;
  /** @default 30 */
  readonly refreshTokenDays?: number;
  /** Rotate refresh tokens on use. @default false */
  readonly refreshTokenRotation?: boolean;
}

export interface UserPoolProps {
  /** Pool name. */
  readonly name: string;
  /** Hosted UI domain prefix (<prefix>.auth.<region>.amazoncognito.com). */
  readonly domainPrefix: string;
  /** TOTP multi-factor authentication: OPTIONAL or ON. @default "OPTIONAL" */
  readonly mfa?: "OPTIONAL" | "ON";
  /** @default the UserPoolPasswordPolicy defaults */
  readonly password?: UserPoolPasswordPolicy;
  /** Threat protection; AUDIT or ENFORCED put the pool on the PLUS feature plan. @default "OFF" (ESSENTIALS) */
  readonly advancedSecurity?: "OFF" | "AUDIT" | "ENFORCED";
  /** Custom attributes by name. @default none */
  readonly customAttributes?: Readonly<Record<string, { readonly type: "String" | "Number"; readonly mutable: boolean }>>;
  /**
   * Protected: deletion protection ACTIVE (Cognito refuses to delete the pool) and
   * `lifecycle.prevent_destroy`. Unprotected: neither (modules/data-protection.ts).
   */
  readonly dataProtection: DataProtection;
  /** Send e-mail through an SES identity instead of Cognito's default sender. @default Cognito's sender */
  readonly ses?: { readonly identityArn: string; readonly fromAddress: string; readonly configurationSet?: string };
  /** Post-confirmation trigger: a function (alias) ARN, with the permission for this pool. @default none */
  readonly postConfirmation?: { readonly functionArn: string; readonly functionName: string; readonly qualifier?: string };
  /** The SPA client. */
  readonly client: UserPoolClientProps;
}

/**
 * A Cognito user pool with e-mail sign-in (case-insensitive, verified), a password policy, TOTP
 * MFA, account recovery by verified e-mail only, optional threat protection and post-confirmation
 * trigger; one public SPA client (no secret, authorization code flow with PKCE, token revocation,
 * no user-existence errors) and the hosted UI domain.
 *
 * Addresses for an id `cognito`: aws_cognito_user_pool.cognito, aws_cognito_user_pool_client.cognito_spa_client,
 * aws_cognito_user_pool_domain.cognito_domain, aws_lambda_permission.cognito_post_confirmation_invoke.
 */
export class UserPool extends Construct {
  readonly pool: CognitoUserPool;
  readonly client: CognitoUserPoolClient;
  readonly domain: CognitoUserPoolDomain;
  readonly userPoolId: string;
  readonly arn: string;
  readonly clientId: string;

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    const pw = props.password ?? {};
    const advanced = props.advancedSecurity ?? "OFF";
    this.pool = new CognitoUserPool(this, "Resource", {
      name: props.name,
      usernameAttributes: ["email"],
      autoVerifiedAttributes: ["email"],
      usernameConfiguration: { caseSensitive: false },
      mfaConfiguration: props.mfa ?? "OPTIONAL",
      softwareTokenMfaConfiguration: { enabled: true },
      passwordPolicy: {
        minimumLength: pw.minLength ?? 12,
        requireLowercase: pw.requireLowercase ?? true,
        requireUppercase: pw.requireUppercase ?? true,
        requireNumbers: pw.requireNumbers ?? true,
        requireSymbols: pw.requireSymbols ?? true,
        temporaryPasswordValidityDays: pw.temporaryPasswordValidityDays ?? 7,
      },
      accountRecoverySetting: { recoveryMechanism: [{ name: "verified_email", priority: 1 }] },
      adminCreateUserConfig: { allowAdminCreateUserOnly: false },
      userAttributeUpdateSettings: { attributesRequireVerificationBeforeUpdate: ["email"] },
      userPoolTier: advanced === "OFF" ? "ESSENTIALS" : "PLUS",
      userPoolAddOns: { advancedSecurityMode: advanced },
      deletionProtection: deletionProtectionOf(this.node.path, props.dataProtection) ? "ACTIVE" : "INACTIVE",
      schema: Object.keys(props.customAttributes ?? {}).length
        ? Object.entries(props.customAttributes ?? {}).map(([name, a]) => ({
            name,
            attributeDataType: a.type,
            mutable: a.mutable,
            developerOnlyAttribute: false,
            required: false,
            // Explicit constraints: without them the provider plans a change on every run.
            ...(a.type === "String" ? { stringAttributeConstraints: { minLength: "0", maxLength: "2048" } } : {}),
          }))
        : undefined,
      emailConfiguration: props.ses
        ? {
            emailSendingAccount: "DEVELOPER",
            sourceArn: props.ses.identityArn,
            fromEmailAddress: props.ses.fromAddress,
            configurationSet: props.ses.configurationSet,
          }
        : { emailSendingAccount: "COGNITO_DEFAULT" },
      lambdaConfig: props.postConfirmation ? { postConfirmation: props.postConfirmation.functionArn } : undefined,
    });
    preventDestroy(this.pool, props.dataProtection);
    this.userPoolId = this.pool.id;
    this.arn = this.pool.arn;

    if (props.postConfirmation) {
      new LambdaPermission(this, "post-confirmation-invoke", {
        statementId: "cognito-post-confirmation",
        action: "lambda:InvokeFunction",
        functionName: props.postConfirmation.functionName,
        qualifier: props.postConfirmation.qualifier,
        principal: "cognito-idp.amazonaws.com",
        sourceArn: this.pool.arn,
      });
    }

    const c = props.client;
    this.client = new CognitoUserPoolClient(this, "spa-client", {
      name: c.name,
      userPoolId: this.pool.id,
      generateSecret: false,
      allowedOauthFlowsUserPoolClient: true,
      allowedOauthFlows: ["code"],
      allowedOauthScopes: [...(c.scopes ?? ["openid", "email", "profile"])],
      callbackUrls: [...c.callbackUrls],
      logoutUrls: c.logoutUrls?.length ? [...c.logoutUrls] : undefined,
      supportedIdentityProviders: ["COGNITO"],
      // Refresh token rotation replaces the ALLOW_REFRESH_TOKEN_AUTH flow (Cognito refuses both).
      explicitAuthFlows: c.refreshTokenRotation ? ["ALLOW_USER_SRP_AUTH"] : ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
      preventUserExistenceErrors: "ENABLED",
      enableTokenRevocation: true,
      accessTokenValidity: c.accessTokenMinutes ?? 60,
      idTokenValidity: c.idTokenMinutes ?? 60,
      refreshTokenValidity: c.refreshTokenDays ?? 30,
      tokenValidityUnits: [{ accessToken: "minutes", idToken: "minutes", refreshToken: "days" }],
      refreshTokenRotation: c.refreshTokenRotation ? [{ feature: "ENABLED", retryGracePeriodSeconds: 10 }] : undefined,
    });
    this.clientId = this.client.id;

    // Classic hosted UI (managed login version 1): version 2 shows nothing until a branding style exists.
    this.domain = new CognitoUserPoolDomain(this, "domain", { domain: props.domainPrefix, userPoolId: this.pool.id });
  }
}
