/**
 * A regional REST API (API Gateway v1) that fronts an HTTP backend and Lambda functions:
 *
 * - `/<basePath>/{proxy+}` `ANY` -> the backend (HTTP_PROXY), over the internet or through a VPC
 *   link to a network load balancer; `/<basePath>/<pathPart>` -> a Lambda function or alias
 *   (AWS_PROXY), each with a Lambda permission scoped to this API, method and path.
 * - CORS (optional): `OPTIONS` answered by mock integrations on every route, and CORS headers on
 *   the gateway's own 4XX/5XX responses. Proxy integrations pass the backend's responses through,
 *   so actual responses carry whatever CORS headers the backend sets.
 * - A deployment replaced whenever the routes change (`triggers.redeployment`: SHA-1 of the route
 *   and integration definitions, computed here; `triggers.upstream`: SHA-1 of the integration
 *   targets read at plan time) with create_before_destroy, so the stage never points at nothing.
 * - A stage with JSON access logs, X-Ray, throttling, metrics and execution logging (method
 *   settings `*\/*`), both log groups created here with retention and an optional KMS key.
 * - Optional: the account's CloudWatch Logs role for API Gateway, a WAF web ACL association, a
 *   custom domain with a base path mapping, a usage plan with API keys.
 *
 * Addresses, for construct id `api`: `aws_api_gateway_rest_api.api`, resources
 * `aws_api_gateway_resource.api_<path>` (`api_api`, `api_api_proxy`, `api_api_genai`), methods and
 * `aws_api_gateway_method.api_<path>_<method>` (`api_api_proxy_any`), integrations
 * `aws_api_gateway_integration.api_<path>_<method>_integration`, `aws_api_gateway_deployment.api_deployment`,
 * `aws_api_gateway_stage.api_stage`, `aws_cloudwatch_log_group.api_access_logs`,
 * `aws_api_gateway_method_settings.api_all_methods`, `aws_lambda_permission.api_api_genai_post_permission`,
 * `aws_api_gateway_api_key.api_key_<name>`.
 */
import { createHash } from "node:crypto";
import { ApiGatewayAccount } from "@cdktf/provider-aws/lib/api-gateway-account";
import { ApiGatewayApiKey } from "@cdktf/provider-aws/lib/api-gateway-api-key";
import { ApiGatewayBasePathMapping } from "@cdktf/provider-aws/lib/api-gateway-base-path-mapping";
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayDomainName } from "@cdktf/provider-aws/lib/api-gateway-domain-name";
import { ApiGatewayGatewayResponse } from "@cdktf/provider-aws/lib/api-gateway-gateway-response";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayIntegrationResponse } from "@cdktf/provider-aws/lib/api-gateway-integration-response";
import { ApiGatewayMethod } from "@cdktf/provider-aws/lib/api-gateway-method";
import { ApiGatewayMethodResponse } from "@cdktf/provider-aws/lib/api-gateway-method-response";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayResource } from "@cdktf/provider-aws/lib/api-gateway-resource";
import { ApiGatewayRestApi } from "@cdktf/provider-aws/lib/api-gateway-rest-api";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { ApiGatewayUsagePlan } from "@cdktf/provider-aws/lib/api-gateway-usage-plan";
import { ApiGatewayUsagePlanKey } from "@cdktf/provider-aws/lib/api-gateway-usage-plan-key";
import { ApiGatewayVpcLink } from "@cdktf/provider-aws/lib/api-gateway-vpc-link";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Wafv2WebAclAssociation } from "@cdktf/provider-aws/lib/wafv2-web-acl-association";
import { DefaultTokenResolver, Fn, StringConcat, Tokenization, type ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ServiceRole } from "./service-role";
import type { Metric } from "./alarm-set";
import { apiDefaults, apiLambdaPermission, type ApiCors, type ApiLambdaRoute, type ApiProps } from "./api-routes";

/** The backend behind `/<basePath>/{proxy+}`. */
export interface RestApiBackend {
  /**
   * URL the greedy path is sent to, with `{proxy}` where the rest of the path goes, e.g.
   * `https://api.internal.example.com/{proxy}`. Its host is the Host header and the name the
   * backend's TLS certificate must carry.
   */
  readonly uri: string;
  /**
   * ARN of a network load balancer: the integration goes through a VPC link to it
   * (connection_type VPC_LINK). @default none: the backend is called over the internet
   */
  readonly vpcLinkTargetArn?: string;
  /** @default 29000 (the REST API maximum) */
  readonly timeoutMilliseconds?: number;
  /**
   * The routes to the backend, each `ANY`: an API resource path without the leading slash
   * (`api/customers`, or `api/customers/{proxy+}` for everything below it) and the URL it is sent
   * to (`https://host/api/customers/{proxy}`). Only these paths reach the backend.
   * @default one: `<basePath>/{proxy+}` to `uri`
   */
  readonly routes?: readonly RestApiBackendRoute[];
}

/** One `ANY` route to the backend. */
export interface RestApiBackendRoute {
  /** Resource path without the leading slash; `{proxy+}` may only be the last segment. */
  readonly path: string;
  /** Backend URL, with `{proxy}` where a greedy path's rest goes. */
  readonly uri: string;
}

export type RestApiLambdaRoute = ApiLambdaRoute;

export type RestApiCors = ApiCors;

export interface RestApiLogging {
  /** Access log group name. */
  readonly accessLogGroupName: string;
  /** Retention of both log groups, in days (a value CloudWatch Logs accepts). */
  readonly retentionDays: number;
  /** KMS key ARN for both log groups. @default CloudWatch Logs' own encryption */
  readonly kmsKeyArn?: string;
  /** Execution logging level. @default "ERROR" */
  readonly level?: "OFF" | "ERROR" | "INFO";
  /** Log request and response bodies in the execution logs. @default false */
  readonly dataTrace?: boolean;
}

export interface RestApiCustomDomain {
  readonly domainName: string;
  /** ACM certificate of domainName in the API's region. */
  readonly certificateArn: string;
  /** @default "" (the domain's root) */
  readonly basePath?: string;
}

export interface RestApiUsagePlan {
  /** Usage plan name. */
  readonly name: string;
  /** Requests per key per day. @default no quota */
  readonly quotaPerDay?: number;
  /** API keys by id (address suffix) -> key name. AWS generates the values. @default none */
  readonly apiKeys?: Readonly<Record<string, string>>;
}

export interface RestApiProps extends ApiProps<RestApiBackend> {
  readonly logging: RestApiLogging;
  /** X-Ray tracing on the stage. @default true */
  readonly tracing?: boolean;
  /**
   * Set the account's (region-wide) API Gateway CloudWatch Logs role, created here with the AWS
   * managed policy AmazonAPIGatewayPushToCloudWatchLogs. @default not managed here
   */
  readonly accountLoggingRole?: { readonly roleName: string; readonly partition: string };
  /** Regional WAF web ACL associated with the stage. @default none */
  readonly webAclArn?: string;
  /** @default none */
  readonly customDomain?: RestApiCustomDomain;
  /** With API keys, every non-OPTIONS method requires one. @default none */
  readonly usagePlan?: RestApiUsagePlan;
}

const DEFAULT_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const DEFAULT_HEADERS = ["Content-Type", "Authorization", "X-Api-Key"];

/** JSON access log line: one object per request. */
export const REST_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  extendedRequestId: "$context.extendedRequestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  resourcePath: "$context.resourcePath",
  path: "$context.path",
  protocol: "$context.protocol",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integration.latency",
  integrationStatus: "$context.integration.status",
  integrationError: "$context.integration.error",
  wafResponseCode: "$context.wafResponseCode",
  apiKeyId: "$context.identity.apiKeyId",
  xrayTraceId: "$context.xrayTraceId",
});

/** Snake-case id of a path segment: `{proxy+}` -> `proxy`. */
const segmentId = (part: string): string => part.replace(/[{}+]/g, "").replace(/[^A-Za-z0-9]+/g, "_");
const quoted = (v: string) => `'${v}'`;

export class RestApi extends Construct {
  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  readonly deployment: ApiGatewayDeployment;
  readonly vpcLink?: ApiGatewayVpcLink;
  readonly accessLogGroup: CloudwatchLogGroup;
  readonly domain?: ApiGatewayDomainName;
  readonly id: string;
  readonly executionArn: string;
  readonly invokeUrl: string;
  readonly stageName: string;
  /** Regional domain name to alias the custom domain to ("" without one). */
  readonly customDomainTarget: string;
  /** Hosted zone of customDomainTarget ("" without one). */
  readonly customDomainZoneId: string;
  /** Lambda permissions by path part. */
  readonly permissions: Readonly<Record<string, LambdaPermission>>;

  /** What the deployment snapshots, hashed into triggers.redeployment (Terraform expressions, not values). */
  private readonly spec: Record<string, unknown>[] = [];
  private readonly deployed: ITerraformDependable[] = [];
  private readonly integrations: ApiGatewayIntegration[] = [];
  private readonly resources = new Map<string, ApiGatewayResource>();

  constructor(scope: Construct, id: string, props: RestApiProps) {
    super(scope, id);
    const { basePath, throttle, cors } = apiDefaults(`RestApi ${id}`, props);
    const apiKeyRequired = Object.keys(props.usagePlan?.apiKeys ?? {}).length > 0;
    const level = props.logging.level ?? "ERROR";
    if (!props.backend && !props.lambdaRoutes?.length) {
      throw new Error(`RestApi ${id}: no backend and no Lambda routes; a REST API needs at least one method to deploy`);
    }

    this.api = new ApiGatewayRestApi(this, "Resource", {
      name: props.name,
      description: props.description ?? `REST API ${props.name}`,
      endpointConfiguration: { types: ["REGIONAL"] },
    });
    const restApiId = this.api.id;

    // Routes ------------------------------------------------------------------------------------
    if (props.backend) this.vpcLink = this.backendRoutes(basePath, props.backend, apiKeyRequired, cors, props.name);

    const permissions: Record<string, LambdaPermission> = {};
    for (const route of props.lambdaRoutes ?? []) {
      const method = (route.method ?? "POST").toUpperCase();
      const exact = `${basePath}/${route.pathPart}`;
      for (const path of route.subPaths ? [exact, `${exact}/{proxy+}`] : [exact]) {
        const resource = this.resourceAt(path);
        const m = this.method(resource, path, method, { apiKeyRequired });
        this.integration(m, method, path, {
          type: "AWS_PROXY",
          integrationHttpMethod: "POST",
          uri: route.invokeArn,
          timeoutMilliseconds: 29000,
        });
        if (cors) this.preflight(resource, path, cors);
        const permission = apiLambdaPermission(
          this,
          `${segmentId(path)}_${method.toLowerCase()}_permission`,
          route,
          `apigateway-rest-${props.name}-${method}-${segmentId(path)}`,
          // Any stage of this API, only this method and path (and, for {proxy+}, what lies below it).
          `${this.api.executionArn}/*/${method}/${path.replace("{proxy+}", "*")}`,
        );
        if (path === exact) permissions[route.pathPart] = permission;
      }
    }
    this.permissions = permissions;
    if (cors) this.gatewayResponses(cors);

    // Deployment and stage ----------------------------------------------------------------------
    const redeployment = this.specHash();
    this.deployment = new ApiGatewayDeployment(this, "deployment", {
      restApiId,
      description: `Routes ${redeployment.slice(0, 12)}`,
      triggers: {
        redeployment,
        // Values read from earlier layers (backend host, NLB, function alias) change the
        // integrations without changing their definitions; a new deployment picks them up.
        upstream: Fn.sha1(Fn.jsonencode(this.integrations.map((i) => [i.uri, i.connectionId]))),
      },
      lifecycle: { createBeforeDestroy: true },
      dependsOn: this.deployed,
    });

    this.accessLogGroup = new CloudwatchLogGroup(this, "access_logs", {
      name: props.logging.accessLogGroupName,
      retentionInDays: props.logging.retentionDays,
      kmsKeyId: props.logging.kmsKeyArn,
    });
    // API Gateway creates this group on first use, without retention or key, unless it exists.
    const executionLogs =
      level === "OFF"
        ? undefined
        : new CloudwatchLogGroup(this, "execution_logs", {
            name: `API-Gateway-Execution-Logs_${restApiId}/${props.stageName}`,
            retentionInDays: props.logging.retentionDays,
            kmsKeyId: props.logging.kmsKeyArn,
          });

    let account: ApiGatewayAccount | undefined;
    if (props.accountLoggingRole) {
      const role = new ServiceRole(this, "cloudwatch_role", {
        name: props.accountLoggingRole.roleName,
        description: "Lets API Gateway write execution and access logs to CloudWatch Logs (account setting)",
        service: "apigateway.amazonaws.com",
      });
      // Exception to least privilege: the role is the account's, for every API and stage in the
      // region, writing to log groups API Gateway names itself, so it cannot be scoped to this
      // stack's groups. AWS documents this managed policy for the account setting (log group and
      // stream creation, PutLogEvents, Describe/Get/Filter on "*"; no wildcard actions).
      const attachment = new IamRolePolicyAttachment(this, "cloudwatch_role_push_logs", {
        role: role.roleName,
        policyArn: `arn:${props.accountLoggingRole.partition}:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs`,
      });
      // reset_on_delete: destroying the layer clears the account setting instead of leaving it
      // pointing at the deleted role (deprecated in 5.100 only because 6.x always does this).
      account = new ApiGatewayAccount(this, "account", { cloudwatchRoleArn: role.arn, resetOnDelete: true, dependsOn: [attachment] });
    }

    // Logging starts with the stage: the account's role and the execution log group come first.
    const loggingReady: ITerraformDependable[] = [...(account ? [account] : []), ...(executionLogs ? [executionLogs] : [])];
    this.stage = new ApiGatewayStage(this, "stage", {
      restApiId,
      stageName: props.stageName,
      deploymentId: this.deployment.id,
      description: `Stage ${props.stageName} of ${props.name}`,
      xrayTracingEnabled: props.tracing ?? true,
      accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: REST_ACCESS_LOG_FORMAT },
      dependsOn: loggingReady.length ? loggingReady : undefined,
    });
    this.stageName = this.stage.stageName;

    new ApiGatewayMethodSettings(this, "all_methods", {
      restApiId,
      stageName: this.stage.stageName,
      methodPath: "*/*",
      settings: {
        metricsEnabled: true,
        loggingLevel: level,
        dataTraceEnabled: props.logging.dataTrace ?? false,
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
      },
      dependsOn: loggingReady.length ? loggingReady : undefined,
    });

    if (props.webAclArn) {
      new Wafv2WebAclAssociation(this, "waf", { resourceArn: this.stage.arn, webAclArn: props.webAclArn });
    }

    // Custom domain -----------------------------------------------------------------------------
    if (props.customDomain) {
      this.domain = new ApiGatewayDomainName(this, "domain", {
        domainName: props.customDomain.domainName,
        regionalCertificateArn: props.customDomain.certificateArn,
        endpointConfiguration: { types: ["REGIONAL"] },
        securityPolicy: "TLS_1_2",
      });
      new ApiGatewayBasePathMapping(this, "domain_mapping", {
        apiId: restApiId,
        stageName: this.stage.stageName,
        domainName: this.domain.domainName,
        basePath: props.customDomain.basePath,
      });
    }

    // Usage plan --------------------------------------------------------------------------------
    if (props.usagePlan) {
      const plan = new ApiGatewayUsagePlan(this, "usage_plan", {
        name: props.usagePlan.name,
        description: `Usage plan of ${props.name}`,
        apiStages: [{ apiId: restApiId, stage: this.stage.stageName }],
        throttleSettings: { rateLimit: throttle.rateLimit, burstLimit: throttle.burstLimit },
        quotaSettings: props.usagePlan.quotaPerDay ? { limit: props.usagePlan.quotaPerDay, period: "DAY" } : undefined,
      });
      for (const [keyId, keyName] of Object.entries(props.usagePlan.apiKeys ?? {})) {
        // No `value`: AWS generates it. The generated value is still in the state (see docs).
        const key = new ApiGatewayApiKey(this, `key_${keyId}`, {
          name: keyName,
          description: `API key ${keyName} of ${props.name}`,
          enabled: true,
        });
        new ApiGatewayUsagePlanKey(this, `key_${keyId}_plan`, { keyId: key.id, keyType: "API_KEY", usagePlanId: plan.id });
      }
    }

    this.id = restApiId;
    this.executionArn = this.api.executionArn;
    this.invokeUrl = this.stage.invokeUrl;
    this.customDomainTarget = this.domain?.regionalDomainName ?? "";
    this.customDomainZoneId = this.domain?.regionalZoneId ?? "";
  }

  /**
   * SHA-1 of the routes and integrations as Terraform sees them: tokens are resolved to their
   * expressions (`${aws_api_gateway_resource.api_api.id}`), never to cdktf's token numbers, so the
   * hash depends only on what the API is made of and is the same on every synth.
   */
  private specHash(): string {
    const resolved: unknown = Tokenization.resolve(this.spec, {
      scope: this,
      resolver: new DefaultTokenResolver(new StringConcat()),
      preparing: false,
    });
    return createHash("sha1").update(JSON.stringify(resolved)).digest("hex");
  }

  /** `ANY` on each backend route (default `/<basePath>/{proxy+}`), through a VPC link when one target is named. */
  private backendRoutes(
    basePath: string,
    backend: RestApiBackend,
    apiKeyRequired: boolean,
    cors: RestApiCors | undefined,
    name: string,
  ): ApiGatewayVpcLink | undefined {
    const routes = backend.routes ?? [{ path: `${basePath}/{proxy+}`, uri: backend.uri }];
    if (!routes.length) throw new Error(`RestApi ${this.node.id}: backend.routes is empty; omit backend instead`);
    const vpcLink = backend.vpcLinkTargetArn
      ? new ApiGatewayVpcLink(this, "vpc_link", {
          name,
          description: `Private path from ${name} to its backend`,
          targetArns: [backend.vpcLinkTargetArn],
        })
      : undefined;
    for (const route of routes) {
      const path = route.path;
      const greedy = path.endsWith("{proxy+}");
      const resource = this.resourceAt(path);
      const method = this.method(resource, path, "ANY", {
        apiKeyRequired,
        requestParameters: greedy ? { "method.request.path.proxy": true } : undefined,
      });
      this.integration(method, "ANY", path, {
        type: "HTTP_PROXY",
        integrationHttpMethod: "ANY",
        uri: route.uri,
        connectionType: vpcLink ? "VPC_LINK" : "INTERNET",
        connectionId: vpcLink?.id,
        requestParameters: greedy ? { "integration.request.path.proxy": "method.request.path.proxy" } : undefined,
        timeoutMilliseconds: backend.timeoutMilliseconds ?? 29000,
      });
      if (cors) this.preflight(resource, path, cors);
    }
    return vpcLink;
  }

  /**
   * Adds parts to the deployment: their definition joins what triggers.redeployment hashes, and
   * the deployment waits for them. Returns the first part.
   */
  private deploy<T extends ITerraformDependable>(definition: Record<string, unknown>, part: T, ...more: ITerraformDependable[]): T {
    this.spec.push(definition);
    this.deployed.push(part, ...more);
    return part;
  }

  /** The resource at a path (`api/customers/{proxy+}`), creating it and its missing parents; one per path. */
  private resourceAt(path: string): ApiGatewayResource {
    const existing = this.resources.get(path);
    if (existing) return existing;
    const parts = path.split("/");
    if (parts.some((p) => !p) || parts.slice(0, -1).some((p) => p.includes("{")))
      throw new Error(`RestApi ${this.node.id}: invalid resource path ${JSON.stringify(path)}`);
    const parentId = parts.length === 1 ? this.api.rootResourceId : this.resourceAt(parts.slice(0, -1).join("/")).id;
    const id = segmentId(path);
    const twin = [...this.resources.keys()].find((p) => segmentId(p) === id);
    if (twin) throw new Error(`RestApi ${this.node.id}: resource paths ${twin} and ${path} would share the address ${id}`);
    const r = new ApiGatewayResource(this, id, { restApiId: this.api.id, parentId, pathPart: parts[parts.length - 1] });
    this.resources.set(path, r);
    return this.deploy({ resource: `/${path}` }, r);
  }

  private method(
    resource: ApiGatewayResource,
    path: string,
    httpMethod: string,
    opts: { apiKeyRequired?: boolean; requestParameters?: Record<string, boolean> },
  ): ApiGatewayMethod {
    const m = new ApiGatewayMethod(this, `${segmentId(path)}_${httpMethod.toLowerCase()}`, {
      restApiId: this.api.id,
      resourceId: resource.id,
      httpMethod,
      authorization: "NONE",
      apiKeyRequired: opts.apiKeyRequired ?? false,
      requestParameters: opts.requestParameters,
    });
    return this.deploy(
      { method: `${httpMethod} /${path}`, apiKeyRequired: opts.apiKeyRequired ?? false, requestParameters: opts.requestParameters ?? {} },
      m,
    );
  }

  private integration(
    method: ApiGatewayMethod,
    httpMethod: string,
    path: string,
    opts: {
      type: "HTTP_PROXY" | "AWS_PROXY" | "MOCK";
      integrationHttpMethod?: string;
      uri?: string;
      connectionType?: string;
      connectionId?: string;
      requestParameters?: Record<string, string>;
      requestTemplates?: Record<string, string>;
      timeoutMilliseconds?: number;
    },
  ): ApiGatewayIntegration {
    // httpMethod and resourceId reference the method, so the integration waits for it.
    const i = new ApiGatewayIntegration(this, `${segmentId(path)}_${httpMethod.toLowerCase()}_integration`, {
      restApiId: this.api.id,
      resourceId: method.resourceId,
      httpMethod: method.httpMethod,
      ...opts,
    });
    if (opts.type !== "MOCK") this.integrations.push(i);
    return this.deploy({ integration: `${httpMethod} /${path}`, ...opts }, i);
  }

  /** OPTIONS answered by a mock integration with the CORS headers (never needs an API key). */
  private preflight(resource: ApiGatewayResource, path: string, cors: RestApiCors): void {
    const m = this.method(resource, path, "OPTIONS", {});
    const integration = this.integration(m, "OPTIONS", path, {
      type: "MOCK",
      requestTemplates: { "application/json": '{"statusCode": 204}' },
    });
    const headers = corsHeaders(cors);
    const response = new ApiGatewayMethodResponse(this, `${segmentId(path)}_options_204`, {
      restApiId: this.api.id,
      resourceId: resource.id,
      httpMethod: m.httpMethod,
      statusCode: "204",
      responseParameters: Object.fromEntries(Object.keys(headers.all).map((h) => [`method.response.header.${h}`, true])),
    });
    const integrationResponse = new ApiGatewayIntegrationResponse(this, `${segmentId(path)}_options_204_mapping`, {
      restApiId: this.api.id,
      resourceId: resource.id,
      httpMethod: m.httpMethod,
      statusCode: response.statusCode,
      responseParameters: Object.fromEntries(Object.entries(headers.static).map(([h, v]) => [`method.response.header.${h}`, quoted(v)])),
      responseTemplates: headers.template ? { "application/json": headers.template } : undefined,
      dependsOn: [integration],
    });
    this.deploy({ preflight: `/${path}`, headers: headers.static, template: headers.template ?? "" }, response, integrationResponse);
  }

  /** CORS headers on the gateway's own errors (throttling, missing key, integration failures). */
  private gatewayResponses(cors: RestApiCors): void {
    const origin = cors.allowOrigins.length === 1 ? cors.allowOrigins[0] : undefined;
    // With several origins the gateway cannot choose one without echoing any caller's origin;
    // its error responses then carry no Allow-Origin header.
    if (!origin) return;
    const headers: Record<string, string> = { "Access-Control-Allow-Origin": origin };
    if (cors.allowCredentials) headers["Access-Control-Allow-Credentials"] = "true";
    if (origin !== "*") headers.Vary = "Origin";
    for (const type of ["DEFAULT_4XX", "DEFAULT_5XX"]) {
      const r = new ApiGatewayGatewayResponse(this, `response_${type.toLowerCase()}`, {
        restApiId: this.api.id,
        responseType: type,
        responseParameters: Object.fromEntries(Object.entries(headers).map(([h, v]) => [`gatewayresponse.header.${h}`, quoted(v)])),
      });
      this.deploy({ gatewayResponse: type, headers }, r);
    }
  }
}

/**
 * The preflight response headers: static values, and for several origins a mapping template that
 * echoes the request's Origin only when it is one of them.
 */
export function corsHeaders(cors: RestApiCors): { all: Record<string, true>; static: Record<string, string>; template?: string } {
  const statics: Record<string, string> = {
    "Access-Control-Allow-Methods": (cors.allowMethods ?? DEFAULT_METHODS).join(","),
    "Access-Control-Allow-Headers": (cors.allowHeaders ?? DEFAULT_HEADERS).join(","),
    "Access-Control-Max-Age": String(cors.maxAgeSeconds ?? 600),
  };
  if (cors.allowCredentials) statics["Access-Control-Allow-Credentials"] = "true";
  let template: string | undefined;
  if (cors.allowOrigins.length === 1) {
    statics["Access-Control-Allow-Origin"] = cors.allowOrigins[0];
    if (cors.allowOrigins[0] !== "*") statics.Vary = "Origin";
  } else {
    statics.Vary = "Origin";
    const test = cors.allowOrigins.map((o) => `$origin == "${o}"`).join(" || ");
    template = [
      '#set($origin = $input.params().header.get("Origin"))',
      '#if("$!origin" == "")#set($origin = $input.params().header.get("origin"))#end',
      `#if(${test})`,
      "#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)",
      "#end",
    ].join("\n");
  }
  const all = Object.fromEntries([...Object.keys(statics), "Access-Control-Allow-Origin"].map((h) => [h, true as const]));
  return { all, static: statics, template };
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on and draws; name and stage from the api-gateway layer's outputs)

/** An AWS/ApiGateway metric of a REST API stage: REST metrics carry the API's name (`ApiName`) and `Stage`. */
export function restApiMetric(metricName: string, stat: string, api: { readonly name: string; readonly stage: string }): Metric {
  return { namespace: "AWS/ApiGateway", metricName, dimensions: { ApiName: api.name, Stage: api.stage }, stat };
}
