/**
 * A site on AWS Amplify Hosting: the app (build spec, build-time variables, SPA rewrite, security
 * headers), one branch, and an optional custom domain.
 *
 * The repository is NOT connected by Terraform. Connecting a GitHub / GitLab / Bitbucket
 * repository needs an access or OAuth token, and whatever Terraform is given ends up in its state
 * (`access_token` / `oauth_token` are plain arguments of aws_amplify_app, not write-only ones).
 * The app is created without a repository and `repository`, `access_token` and `oauth_token` are
 * ignored afterwards, so operators connect it once (console, or `aws amplify update-app
 * --repository ... --access-token ...`) and Terraform leaves the connection alone. The intended
 * repository is recorded in the app's description. See layers/11-frontend/README.md.
 *
 * Addresses, for construct id `amplify`: `aws_amplify_app.amplify`,
 * `aws_amplify_branch.amplify_branch`, `aws_amplify_domain_association.amplify_domain`.
 */
import { AmplifyApp } from "@cdktf/provider-aws/lib/amplify-app";
import { AmplifyBranch } from "@cdktf/provider-aws/lib/amplify-branch";
import { AmplifyDomainAssociation } from "@cdktf/provider-aws/lib/amplify-domain-association";
import { Construct } from "constructs";
import { stringify } from "yaml";
import { securityHeaderValues, type SecurityHeaders } from "./security-headers";

/** Amplify's SPA rewrite: paths without an asset's file extension serve /index.html with 200. */
export const SPA_REWRITE_SOURCE = "</^[^.]+$|\\.(?!(css|gif|ico|jpg|jpeg|js|json|map|png|svg|txt|webp|woff|woff2|ttf)$)([^.]+$)/>";

export interface AmplifySiteDomain {
  /** Domain associated with the app, e.g. example.com. */
  readonly name: string;
  /** Sub-domain of the branch (`app` -> app.example.com); "" for the domain itself. @default "" */
  readonly prefix?: string;
  /** Wait until Amplify has verified the domain (DNS must be in place). @default false */
  readonly waitForVerification?: boolean;
}

export interface AmplifySiteProps {
  /** App name. */
  readonly name: string;
  /** Repository operators connect (recorded in the description; not connected by Terraform). */
  readonly repository: string;
  /** Branch deployed. */
  readonly branch: string;
  /** Branch stage: PRODUCTION, BETA, DEVELOPMENT, EXPERIMENTAL. @default "PRODUCTION" */
  readonly stage?: string;
  /** WEB (static) or WEB_COMPUTE (SSR). @default "WEB" */
  readonly platform?: "WEB" | "WEB_COMPUTE";
  /** Build spec YAML. @default Amplify's detection from the repository (amplify.yml) */
  readonly buildSpec?: string;
  /** Build-time environment variables (never secrets: they are in state and in the console). @default none */
  readonly environmentVariables?: Readonly<Record<string, string>>;
  /** Framework label of the branch. @default none */
  readonly framework?: string;
  /** Build on every push. @default true */
  readonly autoBuild?: boolean;
  /** Security headers on every path. @default none */
  readonly securityHeaders?: SecurityHeaders;
  /** Rewrite client-side routes to /index.html. @default true */
  readonly spaRewrite?: boolean;
  /** Custom domain. @default none: `https://<branch>.<default domain>` */
  readonly domain?: AmplifySiteDomain;
}

/** Amplify's customHeaders YAML for the headers, on every path. */
export function amplifyCustomHeaders(h: SecurityHeaders): string {
  return stringify({ customHeaders: [{ pattern: "**", headers: securityHeaderValues(h).map(([key, value]) => ({ key, value })) }] });
}

export class AmplifySite extends Construct {
  readonly app: AmplifyApp;
  readonly branch: AmplifyBranch;
  readonly domain?: AmplifyDomainAssociation;
  /** The site's URL: the custom domain, else `https://<branch>.<app default domain>`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: AmplifySiteProps) {
    super(scope, id);
    this.app = new AmplifyApp(this, "Resource", {
      name: props.name,
      description: `${props.name}: builds ${props.repository} (connected by operators, see docs/layers/frontend.md)`,
      platform: props.platform ?? "WEB",
      buildSpec: props.buildSpec,
      environmentVariables:
        props.environmentVariables && Object.keys(props.environmentVariables).length ? { ...props.environmentVariables } : undefined,
      customRule: props.spaRewrite === false ? undefined : [{ source: SPA_REWRITE_SOURCE, target: "/index.html", status: "200" }],
      customHeaders: props.securityHeaders ? amplifyCustomHeaders(props.securityHeaders) : undefined,
      enableBranchAutoBuild: props.autoBuild ?? true,
      enableBranchAutoDeletion: false,
      enableAutoBranchCreation: false,
      // The repository connection (and its token) is made outside Terraform: keep it out of state.
      lifecycle: { ignoreChanges: ["repository", "access_token", "oauth_token"] },
    });

    this.branch = new AmplifyBranch(this, "branch", {
      appId: this.app.id,
      branchName: props.branch,
      stage: props.stage ?? "PRODUCTION",
      framework: props.framework,
      enableAutoBuild: props.autoBuild ?? true,
      enablePullRequestPreview: false,
    });

    if (props.domain) {
      const prefix = props.domain.prefix ?? "";
      this.domain = new AmplifyDomainAssociation(this, "domain", {
        appId: this.app.id,
        domainName: props.domain.name,
        subDomain: [{ branchName: this.branch.branchName, prefix }],
        certificateSettings: { type: "AMPLIFY_MANAGED" },
        enableAutoSubDomain: false,
        waitForVerification: props.domain.waitForVerification ?? false,
      });
      this.url = `https://${prefix ? `${prefix}.` : ""}${props.domain.name}`;
    } else {
      this.url = `https://${props.branch.replace(/\//g, "-")}.${this.app.defaultDomain}`;
    }
  }
}
