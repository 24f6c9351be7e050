/**
 * Configuration of layer 11 frontend: the web front end (frontend.hosting).
 *
 * - `s3-cloudfront` (default, the PetClinic seed's Angular SPA): a private S3 bucket behind a
 *   CloudFront distribution (Origin Access Control), SPA routing, a security-headers policy, the
 *   API Gateway stage behind `/api/*` (same origin, no CORS), optional access logs, a
 *   CLOUDFRONT-scope WAF and a custom domain (ACM certificate in us-east-1, Route 53 records).
 * - `amplify` (ReGenZet seed): an Amplify Hosting app and branch, an optional custom domain. The
 *   repository is connected by operators (its access token must not be in Terraform state).
 * - `external` (IMS 2.0 seed: the site is on Vercel): no resources; the site URL is published, and
 *   the API must allow the site's origin (apiGateway.cors.allowOrigins).
 *
 * Tier defaults (./tiers.ts): price class, access logs, CloudFront WAF, Amplify branch stage.
 * See layers/11-frontend/README.md.
 */
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { partitionOf } from "../../core/config/regions";
import type { PlatformConfig } from "../../core/config/types";
import type { KeyPath, Rule, SemanticIssue } from "../../core/config/types";
import { ACM_CERTIFICATE_ARN_RE, DNS_NAME_RE } from "../08-api-gateway/config";
import { SECRET_NAME_RE } from "../07-application/config";
import { matching, WafRuleGroupSchema, wholeNumber, wholeRange } from "../../core/config/fields";
import type { LayerConfig } from "../../core/layer-descriptor";
import { layerOn, whenLayerOn } from "../../core/config/layer-switch";

const SECTION = ["frontend"] as const;

export const HOSTING_MODES = ["s3-cloudfront", "amplify", "external"] as const;
export type HostingMode = (typeof HOSTING_MODES)[number];

/** CloudFront price classes: edge locations in North America and Europe; + Asia, Middle East, Africa; all. */
export const PRICE_CLASSES = ["PriceClass_100", "PriceClass_200", "PriceClass_All"] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

/** How client-side routes (`/owners/1`) reach index.html. */
export const SPA_ROUTING_MODES = ["error-responses", "viewer-request-function", "none"] as const;
export type SpaRouting = (typeof SPA_ROUTING_MODES)[number];

/** Referrer-Policy values CloudFront's response headers policy accepts. */
export const REFERRER_POLICIES = [
  "no-referrer",
  "no-referrer-when-downgrade",
  "origin",
  "origin-when-cross-origin",
  "same-origin",
  "strict-origin",
  "strict-origin-when-cross-origin",
  "unsafe-url",
] as const;

export const FRAME_OPTIONS = ["DENY", "SAMEORIGIN"] as const;
export const AMPLIFY_STAGES = ["PRODUCTION", "BETA", "DEVELOPMENT", "EXPERIMENTAL"] as const;
export type AmplifyStage = (typeof AMPLIFY_STAGES)[number];
export const AMPLIFY_PLATFORMS = ["WEB", "WEB_COMPUTE"] as const;

/** A Route 53 hosted zone id (`Z` and upper-case letters and digits). */
export const HOSTED_ZONE_ID_RE = /^Z[A-Z0-9]{1,31}$/;
/** An https URL of a site: scheme, lower-case host, optional port and path; no query or fragment. */
export const SITE_URL_RE =
  /^https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+(?::\d{1,5})?(?:\/[^\s?#]*)?$/;
/** A git repository URL Amplify can connect (https). */
export const REPOSITORY_URL_RE = /^https:\/\/[a-z0-9.-]+\.[a-z]{2,}\/[A-Za-z0-9._~/-]+$/;
/** A git branch name (no spaces, no `..`, no leading or trailing slash). */
export const BRANCH_RE = /^(?!.*\.\.)(?!\/)(?!.*\/$)[A-Za-z0-9._/-]{1,255}$/;
/** A build-time environment variable name. */
export const ENV_VAR_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
/** A DNS label, or "" for the domain itself (Amplify sub-domain prefix). */
export const DNS_LABEL_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)?$/;

/** CloudFront's quota on the Content-Security-Policy value of a response headers policy (characters). */
export const CSP_MAX_LENGTH = 1783;
/** HSTS preload list requirement: max-age of at least one year. */
export const HSTS_PRELOAD_MIN_AGE = 31536000;

/** Directives of CSP Level 3 (and the still-used legacy ones); anything else is a typo. */
export const CSP_DIRECTIVES = [
  "base-uri",
  "block-all-mixed-content",
  "child-src",
  "connect-src",
  "default-src",
  "fenced-frame-src",
  "font-src",
  "form-action",
  "frame-ancestors",
  "frame-src",
  "img-src",
  "manifest-src",
  "media-src",
  "object-src",
  "report-to",
  "report-uri",
  "require-trusted-types-for",
  "sandbox",
  "script-src",
  "script-src-attr",
  "script-src-elem",
  "style-src",
  "style-src-attr",
  "style-src-elem",
  "trusted-types",
  "upgrade-insecure-requests",
  "worker-src",
] as const;

/**
 * Default Content-Security-Policy: everything from the site's own origin (the API is same-origin
 * behind `/api/*`), inline styles allowed (Angular and most SPA frameworks inline component
 * styles), no plugins, no framing, no foreign form targets.
 */
export const DEFAULT_CSP =
  "default-src 'self'; base-uri 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; " +
  "script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
  "upgrade-insecure-requests";

/** The build spec Amplify runs when frontend.amplify.buildSpec is not set (npm ci, npm run build, dist/). */
export const DEFAULT_BUILD_SPEC = [
  "version: 1",
  "frontend:",
  "  phases:",
  "    preBuild:",
  "      commands:",
  "        - npm ci",
  "    build:",
  "      commands:",
  "        - npm run build",
  "  artifacts:",
  "    baseDirectory: dist",
  "    files:",
  "      - '**/*'",
  "  cache:",
  "    paths:",
  "      - node_modules/**/*",
  "",
].join("\n");

const DNS_ERROR = "a lower-case DNS name of two or more labels, such as www.example.com";
const ZONE_ERROR = "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ";
const CERT_ERROR = "an ACM certificate ARN (arn:aws:acm:us-east-1:<12-digit account>:certificate/<uuid>)";
const SITE_URL_ERROR = "an https URL such as https://app.example.com (lower-case host, optional port and path; no query)";
const REPOSITORY_ERROR = "an https repository URL such as https://github.com/example/web-app";
const CSP_ERROR = `a Content-Security-Policy of at most ${CSP_MAX_LENGTH} characters on one line (CloudFront's limit)`;
const RATE_ERROR = "a rate limit of at least 10 requests per 5 minutes (the WAF minimum)";

const dnsName = matching(DNS_NAME_RE, DNS_ERROR);

const DomainSchema = z
  .strictObject({
    name: dnsName.describe(
      "The site's public name, e.g. www.example.com: the distribution's first alias, the certificate's domain and an A/AAAA alias record.",
    ),
    aliases: z
      .array(dnsName)
      .max(99, { error: "at most 99 aliases (CloudFront allows 100 names per distribution)" })
      .default([])
      .describe(
        "More names for the same site (e.g. the apex example.com): distribution aliases, certificate SANs, A/AAAA records. Default: none.",
      ),
    hostedZoneId: matching(HOSTED_ZONE_ID_RE, ZONE_ERROR).describe(
      "Route 53 public hosted zone holding name and aliases: the certificate's DNS validation records and the alias records go there.",
    ),
    certificateArn: matching(ACM_CERTIFICATE_ARN_RE, CERT_ERROR)
      .optional()
      .describe(
        "An existing ACM certificate in us-east-1 (CloudFront's region) covering name and aliases. " +
          "Default: the layer requests one in us-east-1 and validates it by DNS in hostedZoneId.",
      ),
  })
  .optional()
  .describe(
    "Optional custom domain of the s3-cloudfront site (TLSv1.2_2021, SNI). Without it the site is served at the distribution's *.cloudfront.net name.",
  );

const HstsSchema = z
  .strictObject({
    maxAgeSeconds: wholeNumber("a max-age in whole seconds", "a max-age in whole seconds", [0, "a max-age in whole seconds, 0 or more"])
      .default(63072000)
      .describe("Strict-Transport-Security max-age. Default: 63072000 (two years)."),
    includeSubdomains: z.boolean().default(true).describe("includeSubDomains: browsers use HTTPS for every sub-domain too. Default: true."),
    preload: z
      .boolean()
      .default(true)
      .describe(
        "preload: eligible for the browsers' HSTS preload list (needs includeSubdomains and a max-age of a year or more). Default: true.",
      ),
  })
  .prefault({})
  .describe("Strict-Transport-Security.");

const SecurityHeadersSchema = z
  .strictObject({
    contentSecurityPolicy: z
      .string({ error: CSP_ERROR })
      .min(1, { error: CSP_ERROR })
      .max(CSP_MAX_LENGTH, { error: CSP_ERROR })
      .regex(/^[^\r\n]*$/, { error: CSP_ERROR })
      .default(DEFAULT_CSP)
      .describe(
        "Content-Security-Policy: directives separated by semicolons. Default: same-origin everything, inline styles allowed, " +
          "no plugins, no framing (frame-ancestors 'none'), upgrade-insecure-requests.",
      ),
    hsts: HstsSchema,
    frameOptions: z.enum(FRAME_OPTIONS).default("DENY").describe("X-Frame-Options. Default: DENY."),
    referrerPolicy: z
      .enum(REFERRER_POLICIES)
      .default("strict-origin-when-cross-origin")
      .describe("Referrer-Policy. Default: strict-origin-when-cross-origin."),
  })
  .prefault({})
  .describe(
    "Security headers on every response (s3-cloudfront: a response headers policy, overriding the origin's; amplify: custom headers). " +
      "X-Content-Type-Options nosniff and X-XSS-Protection 1; mode=block are always set.",
  );

const CloudFrontSchema = z
  .strictObject({
    priceClass: z
      .enum(PRICE_CLASSES)
      .describe(
        "Edge locations that serve the site: PriceClass_100 (North America, Europe, Israel), PriceClass_200 (+ Asia, Middle East, Africa), PriceClass_All. " +
          "Tier default: dev and staging PriceClass_100, prod PriceClass_All.",
      ),
    defaultRootObject: z
      .string()
      .regex(/^[A-Za-z0-9._~-][A-Za-z0-9._~/-]*$/, { error: "an object key such as index.html (no leading slash)" })
      .default("index.html")
      .describe("Object served for the root URL, and the SPA's entry page. Default: index.html."),
    spaRouting: z
      .enum(SPA_ROUTING_MODES)
      .optional()
      .describe(
        "How client-side routes reach the entry page. error-responses: 403 and 404 answered with /index.html and status 200 (distribution-wide, so they also " +
          "mask the API's own 403/404 under /api/*); viewer-request-function: a CloudFront Function rewrites extension-less paths of the default behaviour " +
          "only; none. Default: viewer-request-function when the api-gateway layer is enabled (the API's errors stay intact), else error-responses.",
      ),
    errorCachingMinTtl: z
      .number()
      .int()
      .min(0)
      .max(31536000)
      .default(10)
      .describe("Seconds CloudFront caches the SPA answer to a 403/404 (error-responses). Default: 10."),
    bucketEncryption: z
      .enum(["s3", "kms"])
      .default("s3")
      .describe(
        "Encryption of the site bucket. s3: SSE-S3 (AES-256). kms: a key owned by this layer whose policy lets only this distribution decrypt " +
          "(the security layer's data key does not allow CloudFront). Default: s3 (the content is public by design).",
      ),
    accessLogs: z
      .strictObject({
        enabled: z
          .boolean()
          .describe("CloudFront standard access logs to an S3 bucket of this layer. Tier default: dev false, staging and prod true."),
        prefix: z
          .string()
          .regex(/^([A-Za-z0-9!_.*'()-]+\/)*$/, { error: "a key prefix ending in / such as cloudfront/ (or empty)" })
          .default("cloudfront/")
          .describe("Key prefix of the log files. Default: cloudfront/."),
        retentionDays: z.number().int().min(1).max(3650).optional().describe("Days log files are kept. Default: logging.retentionDays."),
        includeCookies: z.boolean().default(false).describe("Log cookies (they may hold session ids). Default: false."),
      })
      .describe("Standard access logs (legacy logging: the log bucket has ACLs enabled, which CloudFront's log delivery needs)."),
    waf: z
      .strictObject({
        enabled: z
          .boolean()
          .describe("A CLOUDFRONT-scope web ACL (in us-east-1) on the distribution. Tier default: dev false, staging and prod true."),
        rateLimit: wholeRange(RATE_ERROR, 10)
          .max(2_000_000_000)
          .optional()
          .describe("Requests per 5 minutes per client IP before the rate rule blocks. Default: security.waf.rateLimit."),
        managedRuleGroups: z
          .array(WafRuleGroupSchema)
          .optional()
          .describe("AWS managed rule groups, in evaluation order after the rate rule. Default: security.waf.managedRuleGroups."),
      })
      .describe("Web ACL of the distribution (the security layer's regional ACL cannot be attached to CloudFront)."),
  })
  .describe("Settings of the s3-cloudfront hosting (ignored by the other modes). The tier preset always supplies this block.");

const AmplifySchema = z
  .strictObject({
    repository: matching(REPOSITORY_URL_RE, REPOSITORY_ERROR)
      .optional()
      .describe(
        "Git repository of the site (required with hosting amplify). Operators connect it once (docs/layers/frontend.md); no token is in Terraform state.",
      ),
    branch: z
      .string()
      .regex(BRANCH_RE, { error: "a git branch name such as main" })
      .default("main")
      .describe("Branch deployed to this environment. Default: main."),
    stage: z.enum(AMPLIFY_STAGES).describe("Stage of the branch. Tier default: dev DEVELOPMENT, staging BETA, prod PRODUCTION."),
    platform: z
      .enum(AMPLIFY_PLATFORMS)
      .default("WEB")
      .describe("WEB: static site / SPA; WEB_COMPUTE: server-side rendering. Default: WEB."),
    framework: z.string().max(255).optional().describe("Framework shown in the console (e.g. React, Angular). Default: none."),
    buildSpec: z
      .string()
      .optional()
      .describe("Amplify build spec (YAML, version 1, with a frontend section). Default: npm ci, npm run build, artifacts in dist/."),
    environmentVariables: z
      .record(
        z.string().regex(ENV_VAR_NAME_RE, { error: "an environment variable name (letters, digits, _; not starting with a digit)" }),
        z.string(),
      )
      .default({})
      .describe(
        "Build-time environment variables. They are readable in the console and in state, and usually end up in the bundle: never secrets.",
      ),
    apiUrlVariable: z
      .string()
      .regex(ENV_VAR_NAME_RE, { error: "an environment variable name such as VITE_API_URL" })
      .optional()
      .describe("Build-time variable that receives the API's invoke URL (api-gateway invoke_url), e.g. VITE_API_URL. Default: none."),
    autoBuild: z.boolean().default(true).describe("Build on every push to the branch. Default: true."),
    domain: z
      .strictObject({
        name: dnsName.describe("The domain Amplify associates, e.g. example.com (Amplify manages its certificate)."),
        prefix: z
          .string()
          .regex(DNS_LABEL_RE, { error: 'a sub-domain label such as app, or "" for the domain itself' })
          .default("")
          .describe('Sub-domain of the branch: app -> app.example.com; "" (default) -> example.com.'),
      })
      .optional()
      .describe(
        "Optional custom domain (aws_amplify_domain_association). DNS: Route 53 in this account is set up by Amplify; elsewhere, add the records Amplify shows.",
      ),
  })
  .describe(
    "Settings of the amplify hosting (ignored by the other modes, except the checks that they are unset). The tier preset always supplies this block.",
  );

export const FrontendSchema = z
  .strictObject({
    hosting: z
      .enum(HOSTING_MODES)
      .default("s3-cloudfront")
      .describe(
        "s3-cloudfront: private bucket + CloudFront; amplify: Amplify Hosting; external: hosted elsewhere (no resources). Default: s3-cloudfront.",
      ),
    siteUrl: matching(SITE_URL_RE, SITE_URL_ERROR)
      .optional()
      .describe("hosting external only (required there): the site's public URL, published as site_url. The other modes compute it."),
    domain: DomainSchema,
    securityHeaders: SecurityHeadersSchema,
    cloudfront: CloudFrontSchema,
    amplify: AmplifySchema,
  })
  .describe("Static site hosting: S3 + CloudFront, Amplify, or external (layer 11). The tier preset always supplies this block.");

export type FrontendConfig = PlatformConfig["frontend"];

// ---------------------------------------------------------------------------------------------
// Resolved values (shared by the layer, the contract mocks and the rules)

/** Whether the distribution has the `/api/*` behaviour: the api-gateway layer is enabled. */
export function hasApiOrigin(cfg: Pick<PlatformConfig, "layers">): boolean {
  return layerOn(cfg, "api-gateway");
}

/** frontend.cloudfront.spaRouting, else a CloudFront Function with an API origin and error responses without. */
export function resolveSpaRouting(cfg: Pick<PlatformConfig, "layers" | "frontend">): SpaRouting {
  return cfg.frontend.cloudfront.spaRouting ?? (hasApiOrigin(cfg) ? "viewer-request-function" : "error-responses");
}

/** Every name of the custom domain: name first, then the aliases. */
export function domainNames(cfg: Pick<PlatformConfig, "frontend">): string[] {
  const d = cfg.frontend.domain;
  return d ? [d.name, ...d.aliases] : [];
}

/** The Amplify branch's sub-domain in `<branch>.<app>.amplifyapp.com` (Amplify replaces `/` with `-`). */
export function amplifyBranchLabel(branch: string): string {
  return branch.replace(/\//g, "-");
}

/** The Amplify custom domain's URL (`https://<prefix>.<name>`), or undefined without one. */
export function amplifyDomainUrl(cfg: Pick<PlatformConfig, "frontend">): string | undefined {
  const d = cfg.frontend.amplify.domain;
  return d ? `https://${d.prefix ? `${d.prefix}.` : ""}${d.name}` : undefined;
}

/** `scheme://host[:port]` of a URL. */
export function originOf(url: string): string {
  const m = /^(https?:\/\/[^/]+)/.exec(url);
  return m ? m[1] : url;
}

/** The directives of a Content-Security-Policy: `[name, value]` per non-empty `;`-separated part. */
export function cspDirectives(csp: string): [name: string, value: string][] {
  return csp
    .split(";")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const space = p.search(/\s/);
      return space < 0 ? [p, ""] : [p.slice(0, space), p.slice(space + 1).trim()];
    });
}

// ---------------------------------------------------------------------------------------------
// Cross-field rules

const path = (...rest: (string | number)[]): KeyPath => [...SECTION, ...rest];

const domainRule: Rule = (cfg) => {
  const fe = cfg.frontend;
  const d = fe.domain;
  if (!d) return [];
  if (fe.hosting !== "s3-cloudfront") {
    const instead = fe.hosting === "amplify" ? "use frontend.amplify.domain" : "the site's domain is configured where it is hosted";
    return [{ path: path("domain"), expected: `no frontend.domain with hosting ${fe.hosting} (${instead})`, found: "a domain" }];
  }
  const issues: SemanticIssue[] = [];
  d.aliases.forEach((a, i) => {
    if (a === d.name)
      issues.push({ path: path("domain", "aliases", i), expected: "an alias other than domain.name", found: JSON.stringify(a) });
    else if (d.aliases.indexOf(a) !== i)
      issues.push({ path: path("domain", "aliases", i), expected: "each alias once", found: `duplicate ${JSON.stringify(a)}` });
  });
  const m = d.certificateArn ? ACM_CERTIFICATE_ARN_RE.exec(d.certificateArn) : null;
  if (m && d.certificateArn) {
    const [, region, account] = m;
    const certPath = path("domain", "certificateArn");
    const partition = partitionOf(cfg.aws.region);
    if (!d.certificateArn.startsWith(`arn:${partition}:`)) {
      issues.push({
        path: certPath,
        expected: `a certificate ARN in the ${partition} partition (aws.region ${cfg.aws.region})`,
        found: JSON.stringify(d.certificateArn),
      });
    }
    if (region !== "us-east-1") {
      issues.push({
        path: certPath,
        expected: "a certificate in us-east-1 (CloudFront uses certificates of us-east-1 only)",
        found: `a certificate in ${region}`,
      });
    }
    if (account !== cfg.aws.accountId) {
      issues.push({
        path: certPath,
        expected: `a certificate of the environment's account ${cfg.aws.accountId}`,
        found: `a certificate of account ${account}`,
      });
    }
  }
  return issues;
};

const securityHeadersRule: Rule = (cfg) => {
  const h = cfg.frontend.securityHeaders;
  const issues: SemanticIssue[] = [];
  const known = CSP_DIRECTIVES as readonly string[];
  const seen = new Set<string>();
  for (const [name, value] of cspDirectives(h.contentSecurityPolicy)) {
    const lower = name.toLowerCase();
    if (!known.includes(lower)) {
      issues.push({
        path: path("securityHeaders", "contentSecurityPolicy"),
        expected: "a Content-Security-Policy of known directives separated by semicolons, such as default-src 'self'; img-src 'self' data:",
        found: `unknown directive ${JSON.stringify(name)}`,
      });
    } else if (seen.has(lower)) {
      issues.push({
        path: path("securityHeaders", "contentSecurityPolicy"),
        expected: "each directive once (browsers ignore a repeated directive)",
        found: `${JSON.stringify(name)} twice`,
      });
    } else if (/["\\]/.test(value)) {
      issues.push({
        path: path("securityHeaders", "contentSecurityPolicy"),
        expected: "source expressions in single quotes ('self', 'none'), never double quotes or backslashes",
        found: `${name} ${value}`,
      });
    }
    seen.add(lower);
  }
  const { hsts } = h;
  if (hsts.preload && (!hsts.includeSubdomains || hsts.maxAgeSeconds < HSTS_PRELOAD_MIN_AGE)) {
    issues.push({
      path: path("securityHeaders", "hsts", "preload"),
      expected: `false, or includeSubdomains true and maxAgeSeconds of at least ${HSTS_PRELOAD_MIN_AGE} (what the HSTS preload list requires)`,
      found: `preload with includeSubdomains ${hsts.includeSubdomains} and maxAgeSeconds ${hsts.maxAgeSeconds}`,
    });
  }
  return issues;
};

const cloudFrontRule: Rule = (cfg) => {
  if (cfg.frontend.hosting !== "s3-cloudfront") return [];
  const groups = cfg.frontend.cloudfront.waf.managedRuleGroups ?? [];
  return groups.flatMap((g, i): SemanticIssue[] =>
    groups.findIndex((o) => o.name === g.name) !== i
      ? [
          {
            path: path("cloudfront", "waf", "managedRuleGroups", i, "name"),
            expected: "each rule group once",
            found: `duplicate ${JSON.stringify(g.name)}`,
          },
        ]
      : [],
  );
};

/** The API's CORS origins must let a site on another origin call it (amplify, external). */
function corsIssue(cfg: PlatformConfig, siteUrl: string, why: string): SemanticIssue[] {
  if (!hasApiOrigin(cfg)) return [];
  const origin = originOf(siteUrl);
  const allowed = cfg.apiGateway.cors.allowOrigins;
  if (allowed.includes("*") || allowed.includes(origin)) return [];
  return [
    {
      path: ["apiGateway", "cors", "allowOrigins"],
      expected: `a list that includes ${origin} (${why}: browsers on that origin call the API cross-origin)`,
      found: allowed.length ? `a list ${JSON.stringify(allowed)}` : "no origins",
    },
  ];
}

const amplifyRule: Rule = (cfg) => {
  const fe = cfg.frontend;
  const a = fe.amplify;
  if (fe.hosting !== "amplify") {
    const stray: SemanticIssue[] = [];
    if (a.repository !== undefined)
      stray.push({ path: path("amplify", "repository"), expected: `no Amplify repository (frontend.hosting is ${fe.hosting})` });
    if (a.domain !== undefined)
      stray.push({ path: path("amplify", "domain"), expected: `no Amplify domain (frontend.hosting is ${fe.hosting})`, found: "a domain" });
    return stray;
  }
  const issues: SemanticIssue[] = [];
  if (a.repository === undefined) {
    issues.push({
      path: path("amplify", "repository"),
      expected:
        "a repository URL such as https://github.com/example/web-app (frontend.hosting is amplify: the app builds the site from it)",
    });
  }
  for (const key of Object.keys(a.environmentVariables)) {
    if (SECRET_NAME_RE.test(key)) {
      issues.push({
        path: path("amplify", "environmentVariables", key),
        expected:
          "no secret (build variables are readable in the console and in Terraform state, and usually end up in the site's JavaScript)",
        found: `a variable named ${key}`,
      });
    }
  }
  if (a.apiUrlVariable !== undefined && a.apiUrlVariable in a.environmentVariables) {
    issues.push({
      path: path("amplify", "apiUrlVariable"),
      expected: "a variable name not also under environmentVariables (the layer sets it to the API's invoke URL)",
      found: JSON.stringify(a.apiUrlVariable),
    });
  }
  if (a.apiUrlVariable !== undefined && !hasApiOrigin(cfg)) {
    issues.push({
      path: path("amplify", "apiUrlVariable"),
      expected: "no apiUrlVariable (the api-gateway layer is disabled: there is no API URL)",
      found: JSON.stringify(a.apiUrlVariable),
    });
  }
  if (a.buildSpec !== undefined) {
    const why = buildSpecProblem(a.buildSpec);
    if (why)
      issues.push({
        path: path("amplify", "buildSpec"),
        expected: "an Amplify build spec: YAML with version: 1 and a frontend (or applications) section",
        found: why,
      });
  }
  const url = amplifyDomainUrl(cfg);
  if (url) issues.push(...corsIssue(cfg, url, "frontend.amplify.domain"));
  return issues;
};

/** Why a build spec is not one Amplify runs, or undefined. */
function buildSpecProblem(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    return `text that is not YAML (${(e as Error).message.split("\n")[0]})`;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) return "YAML that is not a mapping";
  const spec = doc as Record<string, unknown>;
  if (spec.version !== 1 && spec.version !== "1" && spec.version !== 1.0) return `version ${JSON.stringify(spec.version ?? null)}`;
  if (!("frontend" in spec) && !("applications" in spec)) return "no frontend section";
  return undefined;
}

const externalRule: Rule = (cfg) => {
  const fe = cfg.frontend;
  if (fe.hosting !== "external") {
    return fe.siteUrl !== undefined
      ? [{ path: path("siteUrl"), expected: `no siteUrl (frontend.hosting is ${fe.hosting}: the layer publishes the URL it creates)` }]
      : [];
  }
  if (fe.siteUrl === undefined) {
    return [
      {
        path: path("siteUrl"),
        expected: "the site's https URL, such as https://app.example.com (frontend.hosting is external: the layer cannot know it)",
      },
    ];
  }
  return corsIssue(cfg, fe.siteUrl, "frontend.siteUrl");
};

/**
 * The layer's part of the configuration (layer.ts declares it): its top-level sections and its
 * cross-field rules (see core/config/semantic.ts), checked where the layer is on.
 */
export const frontendConfig: LayerConfig<{ frontend: typeof FrontendSchema }> = {
  sections: { frontend: FrontendSchema },
  rules: whenLayerOn("frontend", [domainRule, securityHeadersRule, cloudFrontRule, amplifyRule, externalRule]),
};
