/**
 * An HTTP API (API Gateway v2) that fronts an HTTP backend and Lambda functions:
 *
 * - `ANY /<basePath>/{proxy+}` -> the backend (HTTP_PROXY): over the internet to a URL, or through
 *   a VPC link (ENIs in the given subnets, with the given security groups) to a load balancer
 *   listener, with TLS to the backend checked against a server name.
 * - `<METHOD> /<basePath>/<pathPart>` -> a Lambda function or alias (AWS_PROXY, payload 2.0), each
 *   with a Lambda permission scoped to this API, method and path.
 * - One stage with auto-deploy, default route throttling, detailed metrics and JSON access logs
 *   to a log group created here (retention, optional KMS key).
 * - Optional CORS (the API answers preflight and adds the headers), custom domain with an API
 *   mapping.
 *
 * The path sent to the backend is always `<backendBasePath>/<rest of the path>`, whatever the
 * stage is called (a private integration would otherwise receive the stage name in the path).
 *
 * HTTP APIs have no WAF association, no X-Ray tracing, no execution logs and no usage plans.
 *
 * Addresses, for construct id `api`: `aws_apigatewayv2_api.api`, `aws_apigatewayv2_vpc_link.api_vpc_link`,
 * `aws_apigatewayv2_integration.api_proxy` / `api_<pathPart>`, `aws_apigatewayv2_route.api_proxy` /
 * `api_<pathPart>`, `aws_apigatewayv2_stage.api_stage`, `aws_cloudwatch_log_group.api_access_logs`,
 * `aws_lambda_permission.api_<pathPart>_permission`.
 */
import { Apigatewayv2Api } from "@cdktf/provider-aws/lib/apigatewayv2-api";
import { Apigatewayv2ApiMapping } from "@cdktf/provider-aws/lib/apigatewayv2-api-mapping";
import { Apigatewayv2DomainName } from "@cdktf/provider-aws/lib/apigatewayv2-domain-name";
import { Apigatewayv2Integration } from "@cdktf/provider-aws/lib/apigatewayv2-integration";
import { Apigatewayv2Route } from "@cdktf/provider-aws/lib/apigatewayv2-route";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { Apigatewayv2VpcLink } from "@cdktf/provider-aws/lib/apigatewayv2-vpc-link";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Construct } from "constructs";
import type { Metric } from "./alarm-set";
import { apiDefaults, apiLambdaPermission, type ApiCors, type ApiLambdaRoute, type ApiProps } from "./api-routes";

/** The backend behind `/<basePath>/{proxy+}`. */
export interface HttpApiBackend {
  /** Scheme to the backend. */
  readonly protocol: "https" | "http";
  /**
   * Over the internet: the host the backend is called by. Through a VPC link: the name its TLS
   * certificate is checked against (https only).
   */
  readonly host: string;
  /** Path the rest of the request path is appended to (`/api/x` -> `<basePath>/x`). @default "" */
  readonly basePath?: string;
  /**
   * Private integration: a VPC link with ENIs in these subnets and security groups, to this load
   * balancer listener. @default none: over the internet to `<protocol>://<host>`
   */
  readonly vpcLink?: {
    readonly listenerArn: string;
    readonly subnetIds: string[];
    readonly securityGroupIds: string[];
  };
  /** @default 30000 (the HTTP API maximum) */
  readonly timeoutMilliseconds?: number;
  /**
   * The routes to the backend, each `ANY`: a route path without the leading slash (`api/customers`,
   * `api/customers/{proxy+}`) and the path the backend receives (`/api/customers/{proxy}`). Only
   * these paths reach the backend. @default one: `<basePath>/{proxy+}` to `<backend basePath>/{proxy}`
   */
  readonly routes?: readonly { readonly path: string; readonly backendPath: string }[];
}

export type HttpApiLambdaRoute = ApiLambdaRoute;

export type HttpApiCors = ApiCors;

export interface HttpApiProps extends ApiProps<HttpApiBackend> {
  readonly accessLogs: {
    readonly logGroupName: string;
    readonly retentionDays: number;
    /** @default CloudWatch Logs' own encryption */
    readonly kmsKeyArn?: string;
  };
  /** @default none */
  readonly customDomain?: { readonly domainName: string; readonly certificateArn: string; readonly basePath?: string };
}

/** JSON access log line: one object per request. */
export const HTTP_ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  ip: "$context.identity.sourceIp",
  userAgent: "$context.identity.userAgent",
  requestTime: "$context.requestTime",
  httpMethod: "$context.httpMethod",
  routeKey: "$context.routeKey",
  path: "$context.path",
  protocol: "$context.protocol",
  status: "$context.status",
  responseLength: "$context.responseLength",
  responseLatency: "$context.responseLatency",
  integrationLatency: "$context.integrationLatency",
  integrationStatus: "$context.integrationStatus",
  integrationError: "$context.integrationErrorMessage",
});

const idOf = (part: string): string => part.replace(/[^A-Za-z0-9]+/g, "_");

export class HttpApi extends Construct {
  readonly api: Apigatewayv2Api;
  readonly stage: Apigatewayv2Stage;
  readonly vpcLink?: Apigatewayv2VpcLink;
  readonly accessLogGroup: CloudwatchLogGroup;
  readonly domain?: Apigatewayv2DomainName;
  readonly id: string;
  readonly executionArn: string;
  readonly invokeUrl: string;
  readonly stageName: string;
  readonly customDomainTarget: string;
  readonly customDomainZoneId: string;
  /** Lambda permissions by path part. */
  readonly permissions: Readonly<Record<string, LambdaPermission>>;

  constructor(scope: Construct, id: string, props: HttpApiProps) {
    super(scope, id);
    const { basePath, throttle, cors } = apiDefaults(`HttpApi ${id}`, props);

    this.api = new Apigatewayv2Api(this, "Resource", {
      name: props.name,
      description: props.description ?? `HTTP API ${props.name}`,
      protocolType: "HTTP",
      corsConfiguration: cors
        ? {
            allowOrigins: [...cors.allowOrigins],
            allowMethods: [...(cors.allowMethods ?? ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])],
            allowHeaders: [...(cors.allowHeaders ?? ["Content-Type", "Authorization"])],
            maxAge: cors.maxAgeSeconds ?? 600,
            allowCredentials: cors.allowCredentials ?? false,
          }
        : undefined,
    });
    const apiId = this.api.id;

    if (props.backend) this.vpcLink = this.proxyRoute(basePath, props.backend, props.name);

    // Lambda routes -----------------------------------------------------------------------------
    const permissions: Record<string, LambdaPermission> = {};
    for (const route of props.lambdaRoutes ?? []) {
      const method = (route.method ?? "POST").toUpperCase();
      const rid = idOf(route.pathPart);
      const integration = new Apigatewayv2Integration(this, `${rid}_integration`, {
        apiId,
        description: `${method} /${basePath}/${route.pathPart} to Lambda`,
        integrationType: "AWS_PROXY",
        integrationMethod: "POST",
        integrationUri: route.invokeArn,
        payloadFormatVersion: "2.0",
        timeoutMilliseconds: 30000,
      });
      new Apigatewayv2Route(this, rid, {
        apiId,
        routeKey: `${method} /${basePath}/${route.pathPart}`,
        target: `integrations/${integration.id}`,
      });
      if (route.subPaths) {
        new Apigatewayv2Route(this, `${rid}_proxy`, {
          apiId,
          routeKey: `${method} /${basePath}/${route.pathPart}/{proxy+}`,
          target: `integrations/${integration.id}`,
        });
      }
      permissions[route.pathPart] = apiLambdaPermission(
        this,
        `${rid}_permission`,
        route,
        `apigateway-http-${props.name}-${method}-${basePath}-${route.pathPart}`,
        // Any stage of this API, only this method and path (and what lies below it, with subPaths).
        `${this.api.executionArn}/*/${method}/${basePath}/${route.pathPart}${route.subPaths ? "*" : ""}`,
      );
    }
    this.permissions = permissions;

    // Stage -------------------------------------------------------------------------------------
    this.accessLogGroup = new CloudwatchLogGroup(this, "access_logs", {
      name: props.accessLogs.logGroupName,
      retentionInDays: props.accessLogs.retentionDays,
      kmsKeyId: props.accessLogs.kmsKeyArn,
    });
    this.stage = new Apigatewayv2Stage(this, "stage", {
      apiId,
      name: props.stageName,
      description: `Stage ${props.stageName} of ${props.name}`,
      autoDeploy: true,
      accessLogSettings: { destinationArn: this.accessLogGroup.arn, format: HTTP_ACCESS_LOG_FORMAT },
      defaultRouteSettings: {
        throttlingRateLimit: throttle.rateLimit,
        throttlingBurstLimit: throttle.burstLimit,
        detailedMetricsEnabled: true,
      },
    });
    this.stageName = this.stage.name;

    // Custom domain -----------------------------------------------------------------------------
    if (props.customDomain) {
      this.domain = new Apigatewayv2DomainName(this, "domain", {
        domainName: props.customDomain.domainName,
        domainNameConfiguration: { certificateArn: props.customDomain.certificateArn, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
      });
      new Apigatewayv2ApiMapping(this, "domain_mapping", {
        apiId,
        domainName: this.domain.id,
        stage: this.stage.id,
        apiMappingKey: props.customDomain.basePath,
      });
    }

    this.id = apiId;
    this.executionArn = this.api.executionArn;
    this.invokeUrl = this.stage.invokeUrl;
    this.customDomainTarget = this.domain?.domainNameConfiguration.targetDomainName ?? "";
    this.customDomainZoneId = this.domain?.domainNameConfiguration.hostedZoneId ?? "";
  }

  /** `ANY` on each backend route (default `/<basePath>/{proxy+}`), through a VPC link when one is given. */
  private proxyRoute(basePath: string, backend: HttpApiBackend, name: string): Apigatewayv2VpcLink | undefined {
    const apiId = this.api.id;
    const backendBase = backend.basePath ?? "";
    const legacy = !backend.routes;
    const routes = backend.routes ?? [{ path: `${basePath}/{proxy+}`, backendPath: `${backendBase}/{proxy}` }];
    if (!routes.length) throw new Error(`HttpApi ${this.node.id}: backend.routes is empty; omit backend instead`);
    const vpcLink = backend.vpcLink
      ? new Apigatewayv2VpcLink(this, "vpc_link", {
          name,
          subnetIds: backend.vpcLink.subnetIds,
          securityGroupIds: backend.vpcLink.securityGroupIds,
        })
      : undefined;
    for (const route of routes) {
      // The default route keeps its historical addresses (proxy, proxy_integration).
      const rid = legacy ? "proxy" : `route_${idOf(route.path.replace("{proxy+}", "proxy"))}`;
      const integration = new Apigatewayv2Integration(this, `${rid}_integration`, {
        apiId,
        description: `ANY /${route.path} to the backend`,
        integrationType: "HTTP_PROXY",
        integrationMethod: "ANY",
        timeoutMilliseconds: backend.timeoutMilliseconds ?? 30000,
        ...(vpcLink && backend.vpcLink
          ? {
              connectionType: "VPC_LINK",
              connectionId: vpcLink.id,
              integrationUri: backend.vpcLink.listenerArn,
              // A listener ARN has no path: set it, without the stage name.
              requestParameters: { "overwrite:path": route.backendPath.replace("{proxy}", "$request.path.proxy") },
              tlsConfig: backend.protocol === "https" ? { serverNameToVerify: backend.host } : undefined,
            }
          : {
              connectionType: "INTERNET",
              integrationUri: `${backend.protocol}://${backend.host}${route.backendPath}`,
            }),
      });
      new Apigatewayv2Route(this, rid, { apiId, routeKey: `ANY /${route.path}`, target: `integrations/${integration.id}` });
    }
    return vpcLink;
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on and draws; id and stage from the api-gateway layer's outputs)

/** An AWS/ApiGateway metric of an HTTP API stage: HTTP metrics carry the API's id (`ApiId`) and `Stage`. */
export function httpApiMetric(metricName: string, stat: string, api: { readonly id: string; readonly stage: string }): Metric {
  return { namespace: "AWS/ApiGateway", metricName, dimensions: { ApiId: api.id, Stage: api.stage }, stat };
}
