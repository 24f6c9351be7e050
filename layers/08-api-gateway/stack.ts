/**
 * Layer 08 api-gateway: the API front door (apiGateway.type: rest | http).
 *
 * - The public paths of the services (services.<name>.public, default true): `/x` -> `ANY /x`,
 *   `/x/*` -> `ANY /x/{proxy+}`, each to the application load balancer with the same path (a
 *   pattern below apiGateway.backendBasePath is published below /api); nothing else reaches it. An internal ALB (application.alb.internal)
 *   is reached privately: REST through a VPC link to the application layer's NLB, HTTP through a
 *   VPC link in the app subnets to the ALB listener. An internet-facing ALB is called over the internet.
 *   Scheme, host and path: apiGateway.backendProtocol / backendHost / backendBasePath.
 * - `POST /api/genai` and `POST /api/genai/{proxy+}` -> the GenAI function's alias, only with the
 *   lambda-genai layer (without it there is no such route and no Lambda permission).
 * - The stage: JSON access logs to a log group encrypted with the security layer's logs key,
 *   throttling, and for REST X-Ray, execution logging, the regional WAF, the account's CloudWatch
 *   role (apiGateway.manageAccountLoggingRole) and an optional usage plan. Optional custom domain,
 *   with a Route 53 A alias record when apiGateway.customDomain.hostedZoneId is set.
 *
 * Reads: network (app subnets), security (KMS logs key, WAF, VPC link group), application (ALB,
 * listeners, NLB), lambda-genai (alias). See layers/08-api-gateway/README.md.
 */
import type { Construct } from "constructs";
import type { PlatformConfig } from "../../core/config/types";
import { API_BASE_PATH, apiStageName, GENAI_PATH_PART, publicRoutes, resolveApiBackend } from "./config";
import { partitionOf } from "../../core/config/regions";
import { LayerStack } from "../../core/layer-stack";
import { AliasRecords } from "../../modules/alias-records";
import { HttpApi, type HttpApiBackend, type HttpApiLambdaRoute } from "../../modules/http-api";
import { RestApi, type RestApiBackend, type RestApiLambdaRoute } from "../../modules/rest-api";

/** First path segment of the API's own routes. */
const BASE_PATH = API_BASE_PATH;
/** Path segment of the GenAI route under BASE_PATH. */
const GENAI_PATH = GENAI_PATH_PART;

export class ApiGatewayStack extends LayerStack<"api-gateway"> {
  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "api-gateway", config);
    const api = config.apiGateway;
    const common = {
      name: this.naming.name("generic", "api"),
      basePath: BASE_PATH,
      stageName: apiStageName(config),
      throttle: api.throttle,
      cors: api.cors,
      lambdaRoutes: this.genaiRoutes(),
      customDomain: api.customDomain,
    };
    const logs = {
      accessLogGroupName: this.naming.path("api-gateway", "access-logs"),
      retentionDays: config.logging.retentionDays,
      kmsKeyArn: this.readEntry("security", "kms_key_arns", "logs"),
    };

    const gateway =
      api.type === "rest"
        ? new RestApi(this, "api", {
            ...common,
            description: `REST API of ${this.naming.prefix}: ${this.routesText()}`,
            backend: this.restBackend(),
            logging: { ...logs, level: api.logging.level, dataTrace: api.logging.dataTrace },
            tracing: true,
            accountLoggingRole: api.manageAccountLoggingRole
              ? { roleName: this.naming.name("iamRole", "apigateway-cloudwatch"), partition: partitionOf(config.aws.region) }
              : undefined,
            webAclArn: config.security.waf.enabled ? this.read("security", "waf_web_acl_arn") : undefined,
            usagePlan: api.usagePlan?.enabled
              ? {
                  name: this.naming.name("generic", "api"),
                  quotaPerDay: api.usagePlan.quotaPerDay,
                  apiKeys: Object.fromEntries(api.usagePlan.apiKeys.map((k) => [k, this.naming.name("generic", "api", k)])),
                }
              : undefined,
          })
        : new HttpApi(this, "api", {
            ...common,
            description: `HTTP API of ${this.naming.prefix}: ${this.routesText()}`,
            backend: this.httpBackend(),
            accessLogs: { logGroupName: logs.accessLogGroupName, retentionDays: logs.retentionDays, kmsKeyArn: logs.kmsKeyArn },
          });

    // apiGateway.customDomain.hostedZoneId: an A alias record for the domain to the regional endpoint
    // (IPv4 only: the kit's API endpoints are not dualstack).
    if (api.customDomain?.hostedZoneId) {
      new AliasRecords(this, "dns", {
        names: [api.customDomain.domainName],
        zoneId: api.customDomain.hostedZoneId,
        target: { dnsName: gateway.customDomainTarget, hostedZoneId: gateway.customDomainZoneId },
        ipv6: false,
      });
    }

    this.publish({
      api_id: gateway.id,
      api_type: api.type,
      invoke_url: gateway.invokeUrl,
      stage_name: gateway.stageName,
      execution_arn: gateway.executionArn,
      custom_domain_target: gateway.customDomainTarget,
      custom_domain_zone_id: gateway.customDomainZoneId,
      api_name: gateway.api.name,
    });
  }

  /** What the API routes where, for its description. */
  private routesText(): string {
    const services = [...new Set(publicRoutes(this.config).map((r) => r.service))];
    const routes = [
      ...(this.isEnabled("application") && services.length ? [`the public paths of ${services.join(", ")} to the load balancer`] : []),
      ...(this.isEnabled("lambda-genai") ? [`/${BASE_PATH}/${GENAI_PATH} and below to the GenAI function`] : []),
    ];
    return routes.join(", ");
  }

  /** `POST /api/genai` and `POST /api/genai/{proxy+}` to the function's alias, only when the lambda-genai layer is enabled. */
  private genaiRoutes(): (RestApiLambdaRoute & HttpApiLambdaRoute)[] {
    if (!this.isEnabled("lambda-genai")) return [];
    return [
      {
        pathPart: GENAI_PATH,
        method: "POST",
        invokeArn: this.read("lambda-genai", "alias_invoke_arn"),
        functionName: this.read("lambda-genai", "function_name"),
        qualifier: this.read("lambda-genai", "alias_name"),
        // Sub-paths of /api/genai belong to the function too (it answers 404 for those it does not
        // serve); without this route they would match nothing, or a service's greedy path.
        subPaths: true,
      },
    ];
  }

  /** Host the gateway calls the ALB by: apiGateway.backendHost, else the ALB's DNS name. */
  private backendHost(): string {
    return resolveApiBackend(this.config).host ?? this.read("application", "alb_dns_name");
  }

  /**
   * REST: the public paths of the services (services.<name>.public), each to the load balancer with
   * the same path, through a VPC link to the application layer's NLB (internal ALB) or over the
   * internet. Nothing else reaches the load balancer.
   */
  private restBackend(): RestApiBackend | undefined {
    const routes = publicRoutes(this.config);
    if (!this.isEnabled("application") || !routes.length) return undefined;
    const b = resolveApiBackend(this.config);
    const origin = `${b.protocol}://${this.backendHost()}`;
    return {
      uri: `${origin}${b.basePath}/{proxy}`,
      routes: routes.map((r) => ({ path: r.apiPath, uri: `${origin}${r.backendPath}` })),
      vpcLinkTargetArn: b.path === "vpc-link" ? this.read("application", "nlb_arn") : undefined,
    };
  }

  /** HTTP: through a VPC link in the app subnets to the ALB listener (internal ALB), or over the internet. */
  private httpBackend(): HttpApiBackend | undefined {
    const routes = publicRoutes(this.config);
    if (!this.isEnabled("application") || !routes.length) return undefined;
    const b = resolveApiBackend(this.config);
    return {
      protocol: b.protocol,
      host: this.backendHost(),
      basePath: b.basePath,
      routes: routes.map((r) => ({ path: r.apiPath, backendPath: r.backendPath })),
      vpcLink:
        b.path === "vpc-link"
          ? {
              listenerArn: this.read("application", b.protocol === "https" ? "https_listener_arn" : "http_listener_arn"),
              subnetIds: this.read("network", "app_subnet_ids"),
              securityGroupIds: [this.read("security", "api_link_security_group_id")],
            }
          : undefined,
    };
  }
}
