/**
 * Layer 11 frontend: where the web front end is served from (frontend.hosting).
 *
 * - `s3-cloudfront`: a private bucket behind CloudFront with Origin Access Control, SPA routing,
 *   security headers, the API Gateway stage behind `/api/*` on the same origin (only with the
 *   api-gateway layer), optional access logs, an optional CLOUDFRONT-scope WAF, and an optional
 *   custom domain: an ACM certificate in us-east-1 validated by DNS, and Route 53 alias records.
 * - `amplify`: an Amplify Hosting app and branch with an optional custom domain; the repository is
 *   connected by operators so no token reaches the state.
 * - `external`: nothing to create; the configured site URL is published.
 *
 * CloudFront only uses certificates and web ACLs of us-east-1. Those resources go to a second AWS
 * provider, alias `us_east_1`, created only when needed, with the same allowed account, assume
 * role and default tags as the stack's provider (copied from it).
 *
 * Reads: api-gateway (`invoke_url`, `stage_name`) when that layer is enabled. See layers/11-frontend/README.md.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Fn, TerraformResource, Token, type TerraformProvider } from "cdktf";
import type { Construct, IConstruct } from "constructs";
import type { PlatformConfig } from "../../core/config/types";
import { apiStageName, apiWafMaxBodyBytes, publicRoutes } from "../08-api-gateway/config";
import { DEFAULT_BUILD_SPEC, domainNames, resolveSpaRouting } from "./config";
import { deliveryTarget } from "../07-application/delivery";
import { LayerStack } from "../../core/layer-stack";
import { Arns } from "../../core/policy";
import { AliasRecords } from "../../modules/alias-records";
import { AmplifySite } from "../../modules/amplify-site";
import { DeliverySitePolicy } from "../../modules/delivery-role";
import { DnsValidatedCertificate } from "../../modules/dns-validated-certificate";
import { StaticSite, type StaticSiteApiOrigin } from "../../modules/static-site";
import { WafWebAcl } from "../../modules/waf-web-acl";

/** The API's routes all start with /api (layer 08): CloudFront sends this pattern to the API origin. */
export const API_PATH_PATTERN = "/api/*";

/**
 * The CloudFront path patterns sent to the API: `/api/*` (the API's own routes, GenAI among them),
 * then each public service route it does not cover, as CloudFront spells it (`/admin`, `/admin/*`).
 */
export function apiPathPatterns(cfg: Parameters<typeof publicRoutes>[0]): string[] {
  const covered = (p: string) => p.startsWith(API_PATH_PATTERN.slice(0, -1)) && p.length > API_PATH_PATTERN.length - 1;
  const patterns = publicRoutes(cfg).map((r) => `/${r.apiPath.replace(/\{[^}]+\+\}$/, "*")}`);
  return [API_PATH_PATTERN, ...new Set(patterns.filter((p) => !covered(p)))];
}
/** Region of everything CloudFront uses: ACM certificates and CLOUDFRONT-scope web ACLs. */
export const CLOUDFRONT_REGION = "us-east-1";
/** Alias of the provider for CLOUDFRONT_REGION. */
export const US_EAST_1_ALIAS = "us_east_1";

/** Puts every resource below `scope` on `provider`. */
function onProvider(scope: IConstruct, provider: TerraformProvider): void {
  for (const c of scope.node.findAll()) if (c instanceof TerraformResource) c.provider = provider;
}

export class FrontendStack extends LayerStack<"frontend"> {
  private usEast1?: AwsProvider;

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "frontend", config);
    const none = { bucket_name: "", distribution_id: "", distribution_domain_name: "" };
    switch (config.frontend.hosting) {
      case "s3-cloudfront": {
        const site = this.cloudFrontSite();
        this.deliverySite(site);
        const domain = config.frontend.domain;
        this.publish({
          hosting: "s3-cloudfront",
          bucket_name: site.bucket.bucketName,
          distribution_id: site.distributionId,
          distribution_domain_name: site.domainName,
          site_url: `https://${domain ? domain.name : site.domainName}`,
        });
        break;
      }
      case "amplify":
        this.publish({ hosting: "amplify", ...none, site_url: this.amplifySite().url });
        break;
      case "external":
        // Hosted elsewhere (e.g. Vercel): nothing to create. The loader requires siteUrl and checks
        // that the API allows its origin (apiGateway.cors.allowOrigins).
        this.publish({ hosting: "external", ...none, site_url: config.frontend.siteUrl ?? "" });
        break;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // s3-cloudfront

  /** Bucket, distribution and what hangs off them, driven by frontend.cloudfront / domain / securityHeaders. */
  private cloudFrontSite(): StaticSite {
    const { aws, frontend: fe, logging, protection, security } = this.config;
    const cf = fe.cloudfront;
    const names = domainNames(this.config);
    const certificateArn = fe.domain ? (fe.domain.certificateArn ?? this.certificate(names, fe.domain.hostedZoneId)) : undefined;

    const site = new StaticSite(this, "site", {
      name: this.naming.name("generic", "site"),
      bucketName: this.naming.bucket("site", aws.accountId),
      comment: `Web front end of ${this.naming.prefix}`,
      securityHeaders: fe.securityHeaders,
      priceClass: cf.priceClass,
      defaultRootObject: cf.defaultRootObject,
      spaRouting: resolveSpaRouting(this.config),
      errorCachingMinTtl: cf.errorCachingMinTtl,
      apiOrigin: this.apiOrigin(),
      domain: certificateArn ? { names, certificateArn } : undefined,
      webAclArn: cf.waf.enabled ? this.webAcl().arn : undefined,
      accessLogs: cf.accessLogs.enabled
        ? {
            bucketName: this.naming.bucket("cloudfront-logs", aws.accountId),
            prefix: cf.accessLogs.prefix,
            expirationDays: cf.accessLogs.retentionDays ?? logging.retentionDays,
            includeCookies: cf.accessLogs.includeCookies,
          }
        : undefined,
      kms:
        cf.bucketEncryption === "kms"
          ? {
              alias: this.naming.name("kmsAlias", "site"),
              adminPrincipalArn: new Arns(aws.region, aws.accountId).root,
              deletionWindowDays: security.kms.deletionWindowDays,
            }
          : undefined,
      // Both buckets go with the stack unless the environment protects its data; then both are
      // guarded like every other bucket (prevent_destroy too: the access logs are records).
      dataProtection: { protect: protection.data },
    });

    if (fe.domain) {
      new AliasRecords(this, "dns", {
        names,
        zoneId: fe.domain.hostedZoneId,
        target: { dnsName: site.domainName, hostedZoneId: site.hostedZoneId },
      });
    }
    return site;
  }

  /**
   * With delivery on (delivery.github.repository), the application repository's delivery role
   * (created by the application layer, named in its contract) may sync the build output to this
   * bucket and invalidate this distribution; with SSE-KMS, use the site key through S3.
   */
  private deliverySite(site: StaticSite): void {
    if (!deliveryTarget(this.config) || !this.isEnabled("application")) return;
    const { aws } = this.config;
    new DeliverySitePolicy(this, "app_delivery_site", {
      roleName: this.read("application", "delivery_role_name"),
      partition: new Arns(aws.region, aws.accountId).partition,
      accountId: aws.accountId,
      bucketName: this.naming.bucket("site", aws.accountId),
      distributionId: site.distributionId,
      kms: site.key ? { keyArn: site.key.arn, region: aws.region } : undefined,
    });
  }

  /**
   * `/api/*`, and every public route of the API that `/api/*` does not cover (`/admin`,
   * `/admin/*`, a bare `/api`), to the API Gateway stage, only with the api-gateway layer (without
   * it the distribution has the site origin only). Host from the invoke URL
   * (`https://<host>/<stage>`); origin path = the stage, so `/api/x` reaches `<stage>/api/x`.
   */
  private apiOrigin(): StaticSiteApiOrigin | undefined {
    if (!this.isEnabled("api-gateway")) return undefined;
    const invokeUrl = this.read("api-gateway", "invoke_url");
    return {
      domainName: Token.asString(Fn.element(Fn.split("/", invokeUrl), 2)),
      // An HTTP API's $default stage has no path segment.
      originPath: apiStageName(this.config) === "$default" ? undefined : `/${this.read("api-gateway", "stage_name")}`,
      pathPatterns: apiPathPatterns(this.config),
    };
  }

  /** A certificate for every name, in us-east-1, validated in the hosted zone; its ARN once issued. */
  private certificate(names: string[], hostedZoneId: string): string {
    const [domainName, ...subjectAlternativeNames] = names;
    return new DnsValidatedCertificate(this, "certificate", {
      domainName,
      subjectAlternativeNames,
      hostedZoneId,
      provider: this.usEast1Provider(),
    }).certificateArn;
  }

  /** CLOUDFRONT-scope web ACL in us-east-1; rate limit and rule groups default to the regional ACL's. */
  private webAcl(): WafWebAcl {
    const { frontend, security, logging } = this.config;
    const waf = new WafWebAcl(this, "waf", {
      name: this.naming.name("wafAcl", "cloudfront"),
      description: `CloudFront web ACL of ${this.naming.prefix}`,
      scope: "CLOUDFRONT",
      rateLimit: frontend.cloudfront.waf.rateLimit ?? security.waf.rateLimit,
      managedRuleGroups: frontend.cloudfront.waf.managedRuleGroups ?? security.waf.managedRuleGroups,
      // /api/* reaches the GenAI route, which takes more than the Common Rule Set's 8 KB body rule.
      maxBodyBytes: apiWafMaxBodyBytes(this.config),
      // The log group lives in us-east-1 with the ACL; the security layer's logs key is regional
      // (aws.region), so this group uses CloudWatch Logs' own encryption.
      logging: { retentionDays: logging.retentionDays },
    });
    onProvider(waf, this.usEast1Provider());
    return waf;
  }

  /**
   * The us-east-1 provider, created on first use with the stack provider's account guard, assume
   * role and default tags (read from it, so both always agree).
   */
  private usEast1Provider(): AwsProvider {
    if (!this.usEast1) {
      const base = this.node.findChild("aws") as AwsProvider;
      this.usEast1 = new AwsProvider(this, `aws_${US_EAST_1_ALIAS}`, {
        alias: US_EAST_1_ALIAS,
        region: CLOUDFRONT_REGION,
        allowedAccountIds: base.allowedAccountIds,
        assumeRole: base.assumeRole,
        defaultTags: base.defaultTags,
      });
    }
    return this.usEast1;
  }

  // ---------------------------------------------------------------------------------------------
  // amplify

  private amplifySite(): AmplifySite {
    const { frontend } = this.config;
    const a = frontend.amplify;
    const apiUrl = a.apiUrlVariable && this.isEnabled("api-gateway") ? { [a.apiUrlVariable]: this.read("api-gateway", "invoke_url") } : {};
    return new AmplifySite(this, "amplify", {
      name: this.naming.name("generic", "web"),
      // Required with hosting amplify (the loader refuses the config without it).
      repository: a.repository ?? "",
      branch: a.branch,
      stage: a.stage,
      platform: a.platform,
      buildSpec: a.buildSpec ?? DEFAULT_BUILD_SPEC,
      environmentVariables: { ...a.environmentVariables, ...apiUrl },
      framework: a.framework,
      autoBuild: a.autoBuild,
      securityHeaders: frontend.securityHeaders,
      domain: a.domain ? { name: a.domain.name, prefix: a.domain.prefix } : undefined,
    });
  }
}
