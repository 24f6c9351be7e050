/**
 * A static site (a single-page application) on a private S3 bucket behind CloudFront:
 *
 * - The bucket (SecureBucket: private, versioned, TLS-only, encrypted) is reached only through an
 *   Origin Access Control (SigV4, always signed; not the legacy origin access identity), and its
 *   policy lets `cloudfront.amazonaws.com` read objects only for this distribution
 *   (`AWS:SourceArn`). Optional SSE-KMS with a key of its own whose policy allows the same.
 * - SPA routing: `error-responses` (403/404 -> the entry page with 200, distribution-wide),
 *   `viewer-request-function` (a CloudFront Function rewrites extension-less paths of the default
 *   behaviour only, so other origins' errors stay intact) or `none`.
 * - A response headers policy with HSTS, X-Content-Type-Options, X-Frame-Options,
 *   Referrer-Policy, X-XSS-Protection and a Content-Security-Policy, overriding the origin's.
 * - Managed cache and origin request policies by their constant ids (no data source), HTTP/2 and
 *   HTTP/3, IPv6, a price class, optional aliases with an ACM certificate (TLSv1.2_2021, SNI), an
 *   optional web ACL, optional standard access logs to a bucket with ACLs enabled.
 * - Optional API origin: an ordered behaviour (default `/api/*`) to an HTTPS origin (TLSv1.2, https
 *   only) with caching disabled and every viewer header except Host forwarded (API Gateway routes
 *   by its own Host name).
 *
 * Addresses, for construct id `site`: `aws_cloudfront_distribution.site`,
 * `aws_cloudfront_origin_access_control.site_oac`, `aws_cloudfront_response_headers_policy.site_security_headers`,
 * `aws_cloudfront_function.site_spa_routing`, `aws_s3_bucket.site_bucket` (+ `site_bucket_policy`, ...),
 * `aws_s3_bucket.site_logs` (+ ...), `aws_kms_key.site_key`, `aws_kms_alias.site_key_alias`.
 */
import { CloudfrontDistribution, type CloudfrontDistributionViewerCertificate } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontFunction } from "@cdktf/provider-aws/lib/cloudfront-function";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { CloudfrontResponseHeadersPolicy } from "@cdktf/provider-aws/lib/cloudfront-response-headers-policy";
import { Lazy } from "cdktf";
import { Construct } from "constructs";
import type { DataProtection } from "./data-protection";
import { KmsKey, type KmsKeyOptions } from "./kms-key";
import { SecureBucket } from "./secure-bucket";
import type { SecurityHeaders } from "./security-headers";

/** AWS managed cache and origin request policies (ids are the same in every account and never change). */
export const MANAGED_POLICY_IDS = {
  /** Cache policy Managed-CachingOptimized: long TTLs, no headers, cookies or query strings in the key, gzip and brotli. */
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  /** Cache policy Managed-CachingDisabled: TTL 0, nothing cached. */
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
  /** Origin request policy Managed-AllViewerExceptHostHeader: every viewer header but Host, all cookies and query strings. */
  allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
} as const;

/** Origin ids inside the distribution. */
export const SITE_ORIGIN_ID = "site";
export const API_ORIGIN_ID = "api";

const ALL_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"];
const READ_METHODS = ["GET", "HEAD", "OPTIONS"];
const CACHED_METHODS = ["GET", "HEAD"];

export type StaticSiteSpaRouting = "error-responses" | "viewer-request-function" | "none";

export interface StaticSiteApiOrigin {
  /** Host name of the API, e.g. `<id>.execute-api.<region>.amazonaws.com`. */
  readonly domainName: string;
  /** Path prepended to every request sent to the API, e.g. `/prod` (a REST API's stage). @default "" */
  readonly originPath?: string;
  /** Path patterns sent to the API, one ordered cache behaviour each, in this order. @default ["/api/*"] */
  readonly pathPatterns?: readonly string[];
}

export interface StaticSiteDomain {
  /** Alternate domain names (CNAMEs) of the distribution, the site's public name first. */
  readonly names: readonly string[];
  /** ARN of an ACM certificate in us-east-1 covering every name (ideally the validation's certificate_arn, so the distribution waits for it). */
  readonly certificateArn: string;
}

export interface StaticSiteAccessLogs {
  /** Name of the log bucket created here (ACLs enabled: CloudFront's log delivery writes through an ACL grant). */
  readonly bucketName: string;
  /** Key prefix of the log files. @default "cloudfront/" */
  readonly prefix?: string;
  /** Days log files are kept. @default 365 */
  readonly expirationDays?: number;
  /** Log cookies. @default false */
  readonly includeCookies?: boolean;
}

/** The site key's alias (without `alias/`), administrator (the account root) and deletion window. */
export type StaticSiteKms = KmsKeyOptions;

export interface StaticSiteProps {
  /** Base name of the origin access control, response headers policy and function (letters, digits, `-`, `_`; at most 40 characters). */
  readonly name: string;
  /** Globally unique name of the site bucket. */
  readonly bucketName: string;
  /** Security headers added to every response. Required: the policy is the application's decision. */
  readonly securityHeaders: SecurityHeaders;
  /** Distribution comment. @default "Static site <name>" */
  readonly comment?: string;
  /** @default "PriceClass_100" */
  readonly priceClass?: "PriceClass_100" | "PriceClass_200" | "PriceClass_All";
  /** Entry page of the site, served for `/` and SPA routes. @default "index.html" */
  readonly defaultRootObject?: string;
  /** @default "error-responses" */
  readonly spaRouting?: StaticSiteSpaRouting;
  /** Seconds the SPA answer to a 403/404 is cached (error-responses). @default 10 */
  readonly errorCachingMinTtl?: number;
  /** An API behind a path of the same origin. @default none */
  readonly apiOrigin?: StaticSiteApiOrigin;
  /** Custom names and their certificate. @default the distribution's *.cloudfront.net name with CloudFront's certificate */
  readonly domain?: StaticSiteDomain;
  /** ARN of a CLOUDFRONT-scope WAFv2 web ACL. @default none */
  readonly webAclArn?: string;
  /** Standard access logs to a bucket created here. @default none */
  readonly accessLogs?: StaticSiteAccessLogs;
  /** SSE-KMS with a key created here. @default SSE-S3 */
  readonly kms?: StaticSiteKms;
  /**
   * Protected: the site and log buckets have `lifecycle.prevent_destroy` and no `force_destroy`.
   * Unprotected: `terraform destroy` empties and deletes both (modules/data-protection.ts).
   */
  readonly dataProtection: DataProtection;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,40}$/;

/** The viewer-request function of `viewer-request-function`: extension-less paths serve the entry page. */
export function spaRoutingCode(entry: string): string {
  return [
    "// Client-side routes (paths whose last segment has no file extension) serve the SPA's entry page.",
    "function handler(event) {",
    "  var request = event.request;",
    "  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);",
    "  if (last.indexOf('.') === -1) {",
    `    request.uri = '/${entry}';`,
    "  }",
    "  return request;",
    "}",
    "",
  ].join("\n");
}

export class StaticSite extends Construct {
  readonly distribution: CloudfrontDistribution;
  readonly bucket: SecureBucket;
  readonly logBucket?: SecureBucket;
  readonly key?: KmsKey;
  readonly distributionId: string;
  readonly distributionArn: string;
  /** `d123.cloudfront.net`. */
  readonly domainName: string;
  /** Route 53 hosted zone id of CloudFront, for alias records. */
  readonly hostedZoneId: string;

  constructor(scope: Construct, id: string, props: StaticSiteProps) {
    super(scope, id);
    if (!NAME_RE.test(props.name))
      throw new Error(`StaticSite ${id}: name ${JSON.stringify(props.name)} must be 1-40 of letters, digits, _ and -`);
    if (props.securityHeaders.contentSecurityPolicy.length > 1783) {
      throw new Error(
        `StaticSite ${id}: the Content-Security-Policy has ${props.securityHeaders.contentSecurityPolicy.length} characters; CloudFront accepts 1783`,
      );
    }
    const entry = props.defaultRootObject ?? "index.html";
    const spaRouting = props.spaRouting ?? "error-responses";
    // The distribution is created below; the bucket and key policies name it through lazy references.
    const distributionArn = Lazy.stringValue({ produce: () => this.distribution.arn });
    const bucketArn = Lazy.stringValue({ produce: () => this.bucket.arn });
    const onlyThisDistribution = { StringEquals: { "AWS:SourceArn": distributionArn } };

    if (props.kms) {
      this.key = new KmsKey(this, "key", {
        ...props.kms,
        description: `Objects of the static site ${props.name}`,
        statements: [
          {
            Sid: "CloudFrontDecryptsForThisDistribution",
            Principal: { Service: "cloudfront.amazonaws.com" },
            Action: "kms:Decrypt",
            Resource: "*",
            Condition: onlyThisDistribution,
          },
        ],
      });
    }

    this.bucket = new SecureBucket(this, "bucket", {
      bucketName: props.bucketName,
      kmsKeyArn: this.key?.arn,
      dataProtection: props.dataProtection,
      policyStatements: [
        {
          Sid: "CloudFrontReadsThroughOriginAccessControl",
          Effect: "Allow",
          Principal: { Service: "cloudfront.amazonaws.com" },
          Action: "s3:GetObject",
          Resource: `${bucketArn}/*`,
          Condition: onlyThisDistribution,
        },
      ],
    });

    if (props.accessLogs) {
      this.logBucket = new SecureBucket(this, "logs", {
        bucketName: props.accessLogs.bucketName,
        // Exception to "ACLs disabled": CloudFront standard logging delivers through an ACL grant
        // to the awslogsdelivery account, which needs ACLs enabled on the bucket.
        objectOwnership: "BucketOwnerPreferred",
        versioned: true,
        expirationDays: props.accessLogs.expirationDays ?? 365,
        noncurrentVersionExpirationDays: 1,
        dataProtection: props.dataProtection,
      });
    }

    const oac = new CloudfrontOriginAccessControl(this, "oac", {
      name: props.name,
      description: `Signed requests of ${props.name} to its bucket`,
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });

    const h = props.securityHeaders;
    const headers = new CloudfrontResponseHeadersPolicy(this, "security_headers", {
      name: `${props.name}-security-headers`,
      comment: `Security headers of ${props.name}`,
      securityHeadersConfig: {
        strictTransportSecurity: {
          accessControlMaxAgeSec: h.hsts.maxAgeSeconds,
          includeSubdomains: h.hsts.includeSubdomains,
          preload: h.hsts.preload,
          override: true,
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: h.frameOptions, override: true },
        referrerPolicy: { referrerPolicy: h.referrerPolicy, override: true },
        xssProtection: { protection: true, modeBlock: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: h.contentSecurityPolicy, override: true },
      },
    });

    const spaFunction =
      spaRouting === "viewer-request-function"
        ? new CloudfrontFunction(this, "spa_routing", {
            name: `${props.name}-spa-routing`,
            comment: `SPA routes of ${props.name} serve /${entry}`,
            runtime: "cloudfront-js-2.0",
            publish: true,
            code: spaRoutingCode(entry),
          })
        : undefined;

    const api = props.apiOrigin;
    const viewerCertificate: CloudfrontDistributionViewerCertificate = props.domain
      ? { acmCertificateArn: props.domain.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }
      : { cloudfrontDefaultCertificate: true };

    this.distribution = new CloudfrontDistribution(this, "Resource", {
      enabled: true,
      comment: props.comment ?? `Static site ${props.name}`,
      aliases: props.domain ? [...props.domain.names] : undefined,
      defaultRootObject: entry,
      httpVersion: "http2and3",
      isIpv6Enabled: true,
      priceClass: props.priceClass ?? "PriceClass_100",
      webAclId: props.webAclArn,
      origin: [
        { originId: SITE_ORIGIN_ID, domainName: this.bucket.bucket.bucketRegionalDomainName, originAccessControlId: oac.id },
        ...(api
          ? [
              {
                originId: API_ORIGIN_ID,
                domainName: api.domainName,
                originPath: api.originPath || undefined,
                customOriginConfig: { httpPort: 80, httpsPort: 443, originProtocolPolicy: "https-only", originSslProtocols: ["TLSv1.2"] },
              },
            ]
          : []),
      ],
      defaultCacheBehavior: {
        targetOriginId: SITE_ORIGIN_ID,
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: READ_METHODS,
        cachedMethods: CACHED_METHODS,
        compress: true,
        cachePolicyId: MANAGED_POLICY_IDS.cachingOptimized,
        responseHeadersPolicyId: headers.id,
        functionAssociation: spaFunction ? [{ eventType: "viewer-request", functionArn: spaFunction.arn }] : undefined,
      },
      orderedCacheBehavior: api
        ? (api.pathPatterns ?? ["/api/*"]).map((pathPattern) => ({
            pathPattern,
            targetOriginId: API_ORIGIN_ID,
            // https-only, not redirect: a redirected POST would be replayed as a GET.
            viewerProtocolPolicy: "https-only",
            allowedMethods: ALL_METHODS,
            cachedMethods: CACHED_METHODS,
            compress: false,
            cachePolicyId: MANAGED_POLICY_IDS.cachingDisabled,
            originRequestPolicyId: MANAGED_POLICY_IDS.allViewerExceptHostHeader,
            responseHeadersPolicyId: headers.id,
          }))
        : undefined,
      customErrorResponse:
        spaRouting === "error-responses"
          ? [403, 404].map((code) => ({
              errorCode: code,
              responseCode: 200,
              responsePagePath: `/${entry}`,
              errorCachingMinTtl: props.errorCachingMinTtl ?? 10,
            }))
          : undefined,
      loggingConfig: props.accessLogs
        ? {
            bucket: this.logBucket!.bucket.bucketDomainName,
            prefix: props.accessLogs.prefix ?? "cloudfront/",
            includeCookies: props.accessLogs.includeCookies ?? false,
          }
        : undefined,
      restrictions: { geoRestriction: { restrictionType: "none" } },
      viewerCertificate,
      // Logging is refused until the log bucket accepts ACLs.
      dependsOn: this.logBucket ? [this.logBucket.ownershipControls] : undefined,
    });
    this.distributionId = this.distribution.id;
    this.distributionArn = this.distribution.arn;
    this.domainName = this.distribution.domainName;
    this.hostedZoneId = this.distribution.hostedZoneId;
  }
}
