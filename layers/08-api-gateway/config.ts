/**
 * Configuration of layer 08 api-gateway: the API front door.
 *
 * - `type: rest` (default): a regional REST API. `ANY /api/{proxy+}` goes to the application load
 *   balancer, `POST /api/genai` to the GenAI function's alias (only with the lambda-genai layer).
 *   The stage has JSON access logs, X-Ray, throttling, execution logging, the regional WAF, and
 *   optionally a custom domain and a usage plan with API keys.
 * - `type: http`: an HTTP API with the same two routes, throttling, JSON access logs and CORS. HTTP
 *   APIs have no WAF, no X-Ray, no execution logs and no usage plans (AWS limits, see
 *   layers/08-api-gateway/README.md).
 *
 * How the API reaches the load balancer follows from application.alb: an internal ALB is reached
 * through a VPC link (REST: the application layer's NLB; HTTP: a VPC link to the listener), an
 * internet-facing ALB over the internet; https unless the ALB is HTTP-only. `backendHost` /
 * `backendProtocol` / `backendBasePath` say which name, scheme and path the gateway uses;
 * `resolveApiBackend` below resolves their defaults for the layer and the rules alike.
 * See layers/08-api-gateway/README.md.
 */
import { z } from "zod";
import { partitionOf } from "../../core/config/regions";
import type { PlatformConfig } from "../../core/config/types";
import type { KeyPath, Rule, SemanticIssue } from "../../core/config/types";
import { albHttpOnly, hasNetworkFront, servicePaths } from "../07-application/config";
import { genaiMaxBodyBytes, WAF_DEFAULT_BODY_INSPECTION_BYTES } from "../06-lambda-genai/config";
import { matching, wholeNumber, wholeRange } from "../../core/config/fields";
import type { LayerConfig } from "../../core/layer-descriptor";
import { layerOn, whenLayerOn } from "../../core/config/layer-switch";

const SECTION = ["apiGateway"] as const;

/** Stage names AWS accepts: 1-128 letters, digits, `-` and `_`; `$default` for HTTP APIs only. */
export const STAGE_NAME_RE = /^(\$default|[A-Za-z0-9_-]{1,128})$/;
/** A lower-case DNS name of two or more labels. */
export const DNS_NAME_RE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** A browser origin: scheme, host and optional port; no path, no trailing slash. */
export const ORIGIN_RE = /^https?:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;
/** An ACM certificate ARN; group 1 is the region, group 2 the account. */
export const ACM_CERTIFICATE_ARN_RE =
  /^arn:aws(?:-[a-z]+)*:acm:([a-z0-9-]+):(\d{12}):certificate\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** A REST base path mapping (one or more segments, no leading or trailing slash). */
export const BASE_PATH_RE = /^[A-Za-z0-9._~-]+(?:\/[A-Za-z0-9._~-]+)*$/;
/** A Route 53 hosted zone id (`Z` and upper-case letters and digits). */
const HOSTED_ZONE_ID_RE = /^Z[A-Z0-9]{1,31}$/;
/** An API key name suffix: lower-case, digits, hyphens. */
export const API_KEY_NAME_RE = /^[a-z][a-z0-9-]{0,62}$/;

export const API_TYPES = ["rest", "http"] as const;
export const CORS_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const LOGGING_LEVELS = ["OFF", "ERROR", "INFO"] as const;
export const BACKEND_PROTOCOLS = ["https", "http"] as const;

/** Highest CORS max-age HTTP APIs accept (seconds); browsers cap it lower anyway. */
export const CORS_MAX_AGE_MAX = 86400;

const STAGE_ERROR = "a stage name of 1-128 letters, digits, hyphens and underscores (or $default for an HTTP API)";
const ORIGIN_ERROR = 'an origin such as https://app.example.com (scheme, lower-case host, optional port; no path or trailing slash) or "*"';
const CERT_ERROR = "an ACM certificate ARN (arn:aws:acm:<region>:<12-digit account>:certificate/<uuid>)";
const DNS_ERROR = "a lower-case DNS name of two or more labels, such as api.example.com";
const ZONE_ERROR = "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ";
const RATE_ERROR = "a steady-state rate in requests per second, greater than 0";
const BURST_ERROR = "a burst of whole requests, 0 or more";

const ThrottleSchema = z
  .strictObject({
    rateLimit: z
      .number({ error: RATE_ERROR })
      .gt(0, { error: RATE_ERROR })
      .max(1_000_000, { error: "a rate of at most 1,000,000 requests per second" })
      .default(1000)
      .describe(
        "Steady-state requests per second for the whole stage (REST: method settings */*; HTTP: default route settings). Default: 1000.",
      ),
    burstLimit: wholeNumber(BURST_ERROR, BURST_ERROR, [0, BURST_ERROR], [1_000_000, "a burst of at most 1,000,000 requests"])
      .default(2000)
      .describe("Token-bucket size: requests served at once above the rate. Must be at least rateLimit. Default: 2000."),
  })
  .prefault({})
  .describe("Stage throttling (the account's regional limit, 10,000 rps by default, still applies above it).");

const CorsSchema = z
  .strictObject({
    allowOrigins: z
      .array(matching(ORIGIN_RE, ORIGIN_ERROR).or(z.literal("*")), { error: "a list of origins" })
      .default([])
      .describe(
        'Origins browsers may call the API from, e.g. https://app.example.com, or ["*"] for any. Empty (default): no CORS, same-origin callers only.',
      ),
    allowMethods: z
      .array(z.enum(CORS_METHODS))
      .min(1, { error: "at least one method" })
      .default(["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
      .describe("Methods allowed cross-origin. Default: GET, POST, PUT, PATCH, DELETE, OPTIONS."),
    allowHeaders: z
      .array(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, { error: "an HTTP header name" }))
      .default(["Content-Type", "Authorization", "X-Api-Key", "X-Amz-Date", "X-Amz-Security-Token"])
      .describe("Request headers allowed cross-origin. Default: Content-Type, Authorization, X-Api-Key, X-Amz-Date, X-Amz-Security-Token."),
    maxAgeSeconds: z
      .number()
      .int()
      .min(0)
      .max(CORS_MAX_AGE_MAX, { error: `a max-age of 0 to ${CORS_MAX_AGE_MAX} seconds` })
      .default(600)
      .describe("How long browsers may cache a preflight answer. Default: 600."),
    allowCredentials: z
      .boolean()
      .default(false)
      .describe('Let browsers send cookies and Authorization to the API cross-origin (not with "*" origins). Default: false.'),
  })
  .prefault({})
  .describe(
    "Cross-origin requests from browsers. REST: OPTIONS answered by mock integrations and CORS headers on the gateway's own error responses; HTTP: the API's CORS configuration.",
  );

const LoggingSchema = z
  .strictObject({
    level: z
      .enum(LOGGING_LEVELS)
      .default("ERROR")
      .describe(
        "REST execution logging level (to API-Gateway-Execution-Logs_<api>/<stage>, KMS-encrypted, with retention). HTTP APIs have access logs only. Default: ERROR.",
      ),
    dataTrace: z
      .boolean()
      .default(false)
      .describe(
        "Log full request and response bodies in the REST execution logs. Default: false (bodies may hold personal data and secrets).",
      ),
  })
  .prefault({})
  .describe("Execution logging. Access logs (JSON) are always on, to a KMS-encrypted group with logging.retentionDays.");

const CustomDomainSchema = z
  .strictObject({
    domainName: matching(DNS_NAME_RE, DNS_ERROR).describe("The API's public name, e.g. api.example.com."),
    certificateArn: matching(ACM_CERTIFICATE_ARN_RE, CERT_ERROR).describe(
      "ACM certificate for domainName, in aws.region and the environment's account (regional endpoint).",
    ),
    basePath: z
      .string({ error: "a base path such as v1 (no leading or trailing slash)" })
      .regex(BASE_PATH_RE, {
        error: "a base path such as v1 (letters, digits, . _ ~ -, segments separated by /; no leading or trailing slash)",
      })
      .optional()
      .describe("Path under the domain the stage is mapped to. Default: the domain's root."),
    hostedZoneId: matching(HOSTED_ZONE_ID_RE, ZONE_ERROR)
      .optional()
      .describe(
        "Route 53 public hosted zone holding domainName: the layer then writes an A alias record for it to the regional domain. " +
          "Default: none (alias domainName to the published custom_domain_target / custom_domain_zone_id yourself).",
      ),
  })
  .optional()
  .describe(
    "Optional custom domain (regional endpoint, TLS 1.2 policy) mapped to the stage, with an optional Route 53 alias record (hostedZoneId).",
  );

const UsagePlanSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe("Create the usage plan. Default: true when the block is present."),
    quotaPerDay: wholeRange("a whole number of requests per day, at least 1", 1)
      .optional()
      .describe("Requests per API key per day. Default: no quota (throttling only)."),
    apiKeys: z
      .array(
        z.string().regex(API_KEY_NAME_RE, { error: "an API key name: lower-case letters, digits, hyphens (1-63, starting with a letter)" }),
      )
      .default([])
      .describe(
        "API keys to create (AWS generates the values; they are in state, see docs). With keys, the API's methods require an x-api-key header. Default: none.",
      ),
  })
  .optional()
  .describe("Optional REST usage plan (throttle and quota per API key). Not available for HTTP APIs.");

export const ApiGatewaySchema = z
  .strictObject({
    type: z
      .enum(API_TYPES)
      .default("rest")
      .describe("rest: REST API (WAF, X-Ray, usage plans, execution logs); http: HTTP API (cheaper, fewer features). Default: rest."),
    stageName: matching(STAGE_NAME_RE, STAGE_ERROR)
      .optional()
      .describe("Name of the stage (part of the invoke URL). Default: the environment name."),
    throttle: ThrottleSchema,
    cors: CorsSchema,
    logging: LoggingSchema,
    customDomain: CustomDomainSchema,
    usagePlan: UsagePlanSchema,
    backendHost: matching(DNS_NAME_RE, DNS_ERROR)
      .optional()
      .describe(
        "Host name the gateway calls the load balancer by, and checks its TLS certificate against: a name on the ALB's certificate " +
          "(through a VPC link it need not resolve in DNS). Required with https. Default: the ALB's DNS name (HTTP-only load balancers).",
      ),
    backendProtocol: z
      .enum(BACKEND_PROTOCOLS)
      .optional()
      .describe(
        "Scheme from the gateway to the load balancer. Default: http when the load balancer is HTTP-only (application.alb), else https.",
      ),
    backendBasePath: z
      .string()
      .regex(/^(\/[A-Za-z0-9._~-]+)*$/, { error: 'a path such as /api (leading slash, no trailing slash) or "" for the root' })
      .default("/api")
      .describe(
        'Path on the load balancer that /api/{proxy+} maps to: /api/x is sent as <backendBasePath>/x. Default: /api (the path reaches the load balancer unchanged); "" removes the prefix.',
      ),
    manageAccountLoggingRole: z
      .boolean()
      .default(true)
      .describe(
        "REST only: set the account's API Gateway CloudWatch Logs role (aws_api_gateway_account, one per account and region), which " +
          "execution and access logging need. Set false when another stack or environment in the same account manages it. Default: true.",
      ),
  })
  .prefault({})
  .describe("The API front door: REST or HTTP API (layer 08).");

export type ApiGatewayConfig = PlatformConfig["apiGateway"];

// ---------------------------------------------------------------------------------------------
// How the gateway reaches the load balancer (application.alb decides the scheme and the path)

/** How the gateway reaches the load balancer. */
export interface ApiBackend {
  /**
   * vpc-link: the ALB is internal (application.alb.internal): REST through the application
   * layer's NLB, HTTP through a VPC link to the listener. internet: the ALB is internet-facing.
   */
  readonly path: "vpc-link" | "internet";
  /** apiGateway.backendProtocol, else http for an HTTP-only ALB and https otherwise. */
  readonly protocol: "https" | "http";
  /** apiGateway.backendHost; undefined: the ALB's DNS name. */
  readonly host?: string;
  /** apiGateway.backendBasePath. */
  readonly basePath: string;
}

/** The resolved backend of the `/api/{proxy+}` route. */
export function resolveApiBackend(cfg: Pick<PlatformConfig, "application" | "apiGateway">): ApiBackend {
  const api = cfg.apiGateway;
  return {
    path: cfg.application.alb.internal ? "vpc-link" : "internet",
    protocol: api.backendProtocol ?? (albHttpOnly(cfg) ? "http" : "https"),
    host: api.backendHost,
    basePath: api.backendBasePath,
  };
}

/**
 * Where the regional WAF sees a proxy instead of the client, and the header the proxy puts the
 * client's address in: the REST stage behind the CloudFront distribution (frontend s3-cloudfront
 * routes /api/* to it), or an internet-facing load balancer that the API Gateway calls over the
 * internet. CloudFront always adds `X-Forwarded-For`; API Gateway passes it on when the client sent
 * one (requests without it are still counted by source address, API Gateway's own: prefer an
 * internal ALB behind the VPC link). Undefined when every protected resource sees its clients directly. An internal load balancer never carries the regional ACL (it sees only the
 * NLB's or VPC link's private addresses: application layer).
 */
export function regionalWafForwardedHeader(
  cfg: Pick<PlatformConfig, "layers" | "frontend" | "application" | "apiGateway">,
): string | undefined {
  const api = layerOn(cfg, "api-gateway");
  const stageBehindCloudFront =
    api && cfg.apiGateway.type === "rest" && layerOn(cfg, "frontend") && cfg.frontend.hosting === "s3-cloudfront";
  const albBehindApi = api && layerOn(cfg, "application") && !cfg.application.alb.internal;
  return stageBehindCloudFront || albBehindApi ? "X-Forwarded-For" : undefined;
}

/**
 * The body bound of the web ACLs in front of the API (the regional one on its stage, CloudFront's
 * when the distribution forwards /api/*), in bytes, when a function route behind it takes more than
 * the managed rules' 8 KB (the GenAI route: question + context + envelope), rounded up to a whole
 * KB; undefined when nothing does. The genai rules keep it within what WAF inspects (16 KB).
 */
export function apiWafMaxBodyBytes(cfg: Pick<PlatformConfig, "layers" | "genai">): number | undefined {
  if (!layerOn(cfg, "api-gateway") || !layerOn(cfg, "lambda-genai")) return undefined;
  const bytes = genaiMaxBodyBytes(cfg);
  return bytes > 8192 ? Math.min(Math.ceil(bytes / 1024) * 1024, WAF_DEFAULT_BODY_INSPECTION_BYTES) : undefined;
}

/** The regional web ACL is associated with the load balancer only where it sees its clients: an internet-facing one. */
export function albCarriesRegionalWaf(cfg: Pick<PlatformConfig, "security" | "application">): boolean {
  return cfg.security.waf.enabled && !cfg.application.alb.internal;
}

/** First path segment of the API's own routes, and of the GenAI route (`/api/genai`). */
export const API_BASE_PATH = "api";
/** The GenAI function's path under API_BASE_PATH. */
export const GENAI_PATH_PART = "genai";

/** A route of the API to the load balancer, derived from a public service's path pattern. */
export interface PublicRoute {
  readonly service: string;
  /** Index of the pattern in the service's paths (error locations). */
  readonly index: number;
  /** The ALB path pattern it comes from. */
  readonly pattern: string;
  /** API resource path without the leading slash: `api/customers`, `api/customers/{proxy+}`, `admin`. */
  readonly apiPath: string;
  /** Path sent to the load balancer, with `{proxy}` for the greedy part: `/api/customers/{proxy}`. */
  readonly backendPath: string;
}

/** An ALB pattern the API can express: an exact path, or a prefix followed by `/*`. */
const ROUTABLE_PATTERN_RE = /^(\/[^*?]*?)(\/\*)?$/;

/**
 * The API routes to the load balancer: one per path pattern of every service with `public: true`
 * (`/x` -> `ANY /x`, `/x/*` -> `ANY /x/{proxy+}`), sent to the load balancer with the same path.
 * A pattern below apiGateway.backendBasePath is published below /api instead (`/api/x` is sent as
 * `<backendBasePath>/x`); with the default `/api` the two are the same. Patterns the API cannot
 * express (wildcards elsewhere) are refused by the rules below and skipped here.
 */
export function publicRoutes(cfg: Pick<PlatformConfig, "services" | "apiGateway">): PublicRoute[] {
  const base = cfg.apiGateway.backendBasePath;
  const out: PublicRoute[] = [];
  for (const [service, svc] of Object.entries(cfg.services)) {
    if (!svc.public) continue;
    servicePaths(service, svc).forEach((pattern, index) => {
      const m = ROUTABLE_PATTERN_RE.exec(pattern);
      if (!m) return;
      const prefix = m[1].replace(/\/+$/, "");
      const greedy = m[2] !== undefined;
      // The root (`/`, `/*`) would take every path: never a service's public route.
      if (!prefix) return;
      const under = base === "" || prefix === base || prefix.startsWith(`${base}/`);
      const published = under ? `/${API_BASE_PATH}${prefix.slice(base.length)}` : prefix;
      const apiPath = `${published.replace(/^\/+/, "")}${greedy ? "/{proxy+}" : ""}`.replace(/^\//, "");
      out.push({ service, index, pattern, apiPath, backendPath: `${prefix}${greedy ? "/{proxy}" : ""}` });
    });
  }
  return out;
}

/** The stage name: apiGateway.stageName, else the environment name. */
export function apiStageName(cfg: Pick<PlatformConfig, "environment" | "apiGateway">): string {
  return cfg.apiGateway.stageName ?? cfg.environment;
}

// ---------------------------------------------------------------------------------------------
// Cross-field rules

const throttleRule: Rule = (cfg) => {
  const { rateLimit, burstLimit } = cfg.apiGateway.throttle;
  if (burstLimit >= rateLimit) return [];
  return [
    {
      path: [...SECTION, "throttle", "burstLimit"],
      expected: `a burst of at least throttle.rateLimit (${rateLimit}): a smaller bucket cannot absorb even one second at the steady rate`,
      found: `${burstLimit}`,
    },
  ];
};

const corsRule: Rule = (cfg) => {
  const { allowOrigins, allowCredentials } = cfg.apiGateway.cors;
  const issues: SemanticIssue[] = [];
  const path = (i: number): KeyPath => [...SECTION, "cors", "allowOrigins", i];
  const star = allowOrigins.indexOf("*");
  if (star >= 0 && allowCredentials) {
    issues.push({
      path: path(star),
      expected: 'listed origins, not "*", when cors.allowCredentials is true (browsers refuse credentials for a wildcard origin)',
      found: '"*"',
    });
  } else if (star >= 0 && allowOrigins.length > 1) {
    issues.push({
      path: path(star),
      expected: '"*" alone or a list of origins, not both',
      found: `"*" among ${allowOrigins.length} origins`,
    });
  }
  allowOrigins.forEach((o, i) => {
    if (allowOrigins.indexOf(o) !== i)
      issues.push({ path: path(i), expected: "each origin once", found: `duplicate ${JSON.stringify(o)}` });
  });
  return issues;
};

const customDomainRule: Rule = (cfg) => {
  const domain = cfg.apiGateway.customDomain;
  if (!domain) return [];
  const m = ACM_CERTIFICATE_ARN_RE.exec(domain.certificateArn);
  if (!m) return [];
  const [, region, account] = m;
  const path: KeyPath = [...SECTION, "customDomain", "certificateArn"];
  const issues: SemanticIssue[] = [];
  const partition = partitionOf(cfg.aws.region);
  if (!domain.certificateArn.startsWith(`arn:${partition}:`)) {
    issues.push({
      path,
      expected: `a certificate ARN in the ${partition} partition (aws.region ${cfg.aws.region})`,
      found: JSON.stringify(domain.certificateArn),
    });
  }
  if (region !== cfg.aws.region) {
    issues.push({
      path,
      expected: `a certificate in ${cfg.aws.region} (a regional API endpoint uses a certificate of its own region; us-east-1 certificates are for CloudFront)`,
      found: `a certificate in ${region}`,
    });
  }
  if (account !== cfg.aws.accountId) {
    issues.push({
      path,
      expected: `a certificate of the environment's account ${cfg.aws.accountId}`,
      found: `a certificate of account ${account}`,
    });
  }
  return issues;
};

const typeRules: Rule = (cfg) => {
  const api = cfg.apiGateway;
  const issues: SemanticIssue[] = [];
  if (api.type === "http" && api.usagePlan?.enabled) {
    issues.push({
      path: [...SECTION, "usagePlan"],
      expected: "no usage plan with type http (HTTP APIs have no usage plans or API keys; use type rest, or remove apiGateway.usagePlan)",
      found: "a usage plan",
    });
  }
  if (api.type === "rest" && api.stageName === "$default") {
    issues.push({
      path: [...SECTION, "stageName"],
      expected: "a stage name of letters, digits, hyphens and underscores ($default exists for HTTP APIs only)",
      found: '"$default"',
    });
  }
  return issues;
};

const backendRule: Rule = (cfg) => {
  if (!layerOn(cfg, "application")) return [];
  const api = cfg.apiGateway;
  const httpOnly = albHttpOnly(cfg);
  const backend = resolveApiBackend(cfg);
  const issues: SemanticIssue[] = [];
  if (api.backendProtocol === "https" && httpOnly) {
    issues.push({
      path: [...SECTION, "backendProtocol"],
      expected: "http or no key (the load balancer serves HTTP only: application.alb has no certificate or httpOnly is true)",
    });
  } else if (api.backendProtocol === "http" && !httpOnly) {
    issues.push({
      path: [...SECTION, "backendProtocol"],
      expected: "https or no key (the load balancer has a certificate; its HTTP listener only redirects to HTTPS)",
    });
  } else if (backend.protocol === "https" && !backend.host) {
    issues.push({
      path: [...SECTION, "backendHost"],
      expected:
        "a host name on the load balancer's certificate, such as alb.internal.example.com (the gateway calls the ALB over https and checks the certificate's name; the ALB's own DNS name is on no certificate)",
    });
  }
  if (api.type === "rest" && cfg.application.alb.internal && !hasNetworkFront(cfg)) {
    issues.push({
      path: ["application", "alb", "networkLoadBalancer"],
      expected: "true (apiGateway.type is rest and the load balancer is internal: a REST API's VPC link targets a network load balancer)",
      hint: "or apiGateway.type: http, whose VPC link reaches the ALB listener directly",
    });
  }
  return issues;
};

/** Public paths the API can express, away from the GenAI route. */
const publicPathRule: Rule = (cfg) => {
  if (!layerOn(cfg, "application")) return [];
  const issues: SemanticIssue[] = [];
  const genai = layerOn(cfg, "lambda-genai");
  const routed = new Map(publicRoutes(cfg).map((r) => [`${r.service}#${r.index}`, r]));
  for (const [service, svc] of Object.entries(cfg.services)) {
    if (!svc.public) continue;
    servicePaths(service, svc).forEach((pattern, i) => {
      const at: KeyPath = svc.paths ? ["services", service, "paths", i] : ["services", service];
      const route = routed.get(`${service}#${i}`);
      if (!route) {
        issues.push({
          path: at,
          expected: `a path the API Gateway can route (an exact path such as /admin, or a prefix and /* such as /admin/*), or services.${service}.public: false`,
          found: JSON.stringify(pattern),
        });
      } else if (
        genai &&
        (route.apiPath === `${API_BASE_PATH}/${GENAI_PATH_PART}` || route.apiPath.startsWith(`${API_BASE_PATH}/${GENAI_PATH_PART}/`))
      ) {
        issues.push({
          path: at,
          expected: `a path outside /${API_BASE_PATH}/${GENAI_PATH_PART} (the API routes it to the GenAI function)`,
          found: JSON.stringify(pattern),
        });
      }
    });
  }
  return issues;
};

const routesRule: Rule = (cfg) => {
  if (layerOn(cfg, "lambda-genai") || (layerOn(cfg, "application") && publicRoutes(cfg).length)) return [];
  if (layerOn(cfg, "application")) {
    return [
      {
        path: ["services"],
        expected: "at least one service with public: true, or the lambda-genai layer (the API would have no route to deploy)",
        found: "no public service",
      },
    ];
  }
  return [
    {
      path: ["layers", "api-gateway", "enabled"],
      expected: "false when both the application and lambda-genai layers are disabled (the API would have no route to deploy)",
      found: "the api-gateway layer enabled",
    },
  ];
};

/**
 * The layer's part of the configuration (layer.ts declares it): its top-level sections and its
 * cross-field rules (see core/config/semantic.ts), checked where the layer is on.
 */
export const apiGatewayConfig: LayerConfig<{ apiGateway: typeof ApiGatewaySchema }> = {
  sections: { apiGateway: ApiGatewaySchema },
  rules: whenLayerOn("api-gateway", [throttleRule, corsRule, customDomainRule, typeRules, backendRule, publicPathRule, routesRule]),
};
