/**
 * Layer 08 api-gateway and its modules (modules/rest-api.ts, modules/http-api.ts): what a reviewer
 * checks, for every environment and for the variants the configuration offers.
 */
import { ApiGatewayDeployment } from "@cdktf/provider-aws/lib/api-gateway-deployment";
import { ApiGatewayIntegration } from "@cdktf/provider-aws/lib/api-gateway-integration";
import { ApiGatewayMethodSettings } from "@cdktf/provider-aws/lib/api-gateway-method-settings";
import { ApiGatewayStage } from "@cdktf/provider-aws/lib/api-gateway-stage";
import { Apigatewayv2Stage } from "@cdktf/provider-aws/lib/apigatewayv2-stage";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { Testing } from "cdktf";
import type { PlatformConfig } from "../core/config/schema";
import { apiGatewayContract } from "../layers/08-api-gateway/contract";
import { ApiGatewayStack } from "../layers/08-api-gateway/stack";
import { HttpApi, HTTP_ACCESS_LOG_FORMAT } from "../modules/http-api";
import { corsHeaders, RestApi, REST_ACCESS_LOG_FORMAT } from "../modules/rest-api";
import { addresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";

const remote = (layer: string, output: string) => `\${data.terraform_remote_state.${layer}.outputs.${output}}`;
const APP = (o: string) => remote("application", o);
const GENAI = (o: string) => remote("lambda_genai", o);
const LOGS_KEY = remote("security", "kms_key_arns.logs");
const REST = (attr: string) => `\${aws_api_gateway_rest_api.api.${attr}}`;
const HTTP = (attr: string) => `\${aws_apigatewayv2_api.api.${attr}}`;
const CERT = (account: string) => `arn:aws:acm:us-west-2:${account}:certificate/0f6b3c2a-1d4e-4a5b-9c8d-7e6f5a4b3c2d`;

/** The REST integration of a path (`api_proxy`, `api_genai`) and method. */
const integration = (tf: TerraformJson, path: string, method: string) =>
  resource(tf, "aws_api_gateway_integration", `api_${path}_${method}_integration`);
const method = (tf: TerraformJson, path: string, m: string) => resource(tf, "aws_api_gateway_method", `api_${path}_${m}`);
const names = (tf: TerraformJson, type: string) => Object.keys(resources(tf, type)).sort();
/** The stack has no resource of any of these types (each type checked on its own, so a failure names it). */
const expectNone = (tf: TerraformJson, types: string[]) => {
  for (const type of types) expect([type, names(tf, type)]).toEqual([type, []]);
};
const synthOf = (cfg: PlatformConfig) => synth(ApiGatewayStack, cfg);

/** PetClinic's public service paths as API resources (address part, path part, parent address part). */
const SERVICE_ROUTES = ["api_customers", "api_vets", "api_visits", "admin"] as const;
/** Every method the PetClinic API has (without CORS). */
const ROUTE_METHODS = [
  ...SERVICE_ROUTES.flatMap((r) => [`api_${r}_any`, `api_${r}_proxy_any`]),
  "api_api_genai_post",
  "api_api_genai_proxy_post",
].sort();

describe.each(ENVIRONMENTS)("api-gateway layer, REST (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synthOf(cfg);
  const https = cfg.application.alb.certificateArn !== undefined;
  const host = cfg.apiGateway.backendHost ?? APP("alb_dns_name");

  it("keeps its state at platform/petclinic/<env>/08-api-gateway.tfstate", () => {
    expect(tf.terraform?.backend?.s3).toMatchObject({ key: `platform/petclinic/${name}/08-api-gateway.tfstate`, encrypt: true });
  });

  it("creates one regional REST API", () => {
    expect(resources(tf, "aws_api_gateway_rest_api")).toEqual({
      api: expect.objectContaining({ name: `petclinic-${name}-api`, endpoint_configuration: { types: ["REGIONAL"] } }),
    });
    expect(resources(tf, "aws_apigatewayv2_api")).toEqual({});
  });

  it("has a resource for each public service path (/api/customers, /api/vets, /api/visits, /admin, each with {proxy+}) and /api/genai with {proxy+}, and no catch-all", () => {
    const parent = (p: string) => `\${aws_api_gateway_resource.api_${p}.id}`;
    expect(resources(tf, "aws_api_gateway_resource")).toEqual({
      api_api: { rest_api_id: REST("id"), parent_id: REST("root_resource_id"), path_part: "api" },
      api_admin: { rest_api_id: REST("id"), parent_id: REST("root_resource_id"), path_part: "admin" },
      api_admin_proxy: { rest_api_id: REST("id"), parent_id: parent("admin"), path_part: "{proxy+}" },
      ...Object.fromEntries(
        ["customers", "vets", "visits", "genai"].flatMap((s) => [
          [`api_api_${s}`, { rest_api_id: REST("id"), parent_id: parent("api"), path_part: s }],
          [`api_api_${s}_proxy`, { rest_api_id: REST("id"), parent_id: parent(`api_${s}`), path_part: "{proxy+}" }],
        ]),
      ),
    });
    expect(resources(tf, "aws_api_gateway_resource")).not.toHaveProperty("api_api_proxy");
  });

  it("has ANY on every public service path and POST on /api/genai and below, without authorizer or API key, OPTIONS only where CORS is configured", () => {
    // Each route method (api_<resource>_<verb>) is that verb on that resource, open to anyone.
    for (const address of ROUTE_METHODS) {
      const [, resourceName, verb] = /^(\w+)_(any|post)$/.exec(address)!;
      expect([address, resource(tf, "aws_api_gateway_method", address)]).toMatchObject([
        address,
        {
          http_method: verb.toUpperCase(),
          resource_id: `\${aws_api_gateway_resource.${resourceName}.id}`,
          authorization: "NONE",
          api_key_required: false,
        },
      ]);
    }
    expect(method(tf, "api_customers_proxy", "any").request_parameters).toEqual({ "method.request.path.proxy": true });
    expect(method(tf, "admin", "any")).not.toHaveProperty("request_parameters");
    const options = cfg.apiGateway.cors.allowOrigins.length ? ROUTE_METHODS.map((m) => m.replace(/_(any|post)$/, "_options")) : [];
    expect(names(tf, "aws_api_gateway_method")).toEqual([...ROUTE_METHODS, ...options].sort());
  });

  it("sends each public path through a VPC link to the application layer's NLB, unchanged, to the configured host and scheme", () => {
    expect(resource(tf, "aws_api_gateway_vpc_link", "api_vpc_link")).toMatchObject({
      name: `petclinic-${name}-api`,
      target_arns: [APP("nlb_arn")],
    });
    const origin = `${https ? "https" : "http"}://${host}`;
    expect(integration(tf, "api_customers_proxy", "any")).toEqual({
      rest_api_id: REST("id"),
      resource_id: "${aws_api_gateway_method.api_api_customers_proxy_any.resource_id}",
      http_method: "${aws_api_gateway_method.api_api_customers_proxy_any.http_method}",
      type: "HTTP_PROXY",
      integration_http_method: "ANY",
      connection_type: "VPC_LINK",
      connection_id: "${aws_api_gateway_vpc_link.api_vpc_link.id}",
      uri: `${origin}/api/customers/{proxy}`,
      request_parameters: { "integration.request.path.proxy": "method.request.path.proxy" },
      timeout_milliseconds: 29000,
    });
    for (const [route, path] of [
      ["api_customers", "/api/customers"],
      ["api_vets_proxy", "/api/vets/{proxy}"],
      ["admin", "/admin"],
      ["admin_proxy", "/admin/{proxy}"],
    ]) {
      expect(integration(tf, route, "any")).toMatchObject({ connection_type: "VPC_LINK", uri: `${origin}${path}` });
    }
    expect(raw).toHaveResourceWithProperties(ApiGatewayIntegration, { type: "HTTP_PROXY", connection_type: "VPC_LINK" });
  });

  it(`calls the load balancer over ${https ? "https by the name on its certificate" : "http by its DNS name (HTTP-only ALB)"}`, () => {
    const uri = integration(tf, "admin_proxy", "any").uri as string;
    if (https) expect(uri).toBe(`https://alb.${name}.petclinic.example.com/admin/{proxy}`);
    else expect(uri).toBe(`http://${APP("alb_dns_name")}/admin/{proxy}`);
  });

  it("sends POST /api/genai/{proxy+} to the GenAI alias too (never to the load balancer)", () => {
    expect(integration(tf, "api_genai_proxy", "post")).toMatchObject({
      type: "AWS_PROXY",
      integration_http_method: "POST",
      uri: GENAI("alias_invoke_arn"),
    });
  });

  it("sends POST /api/genai to the GenAI alias (AWS_PROXY)", () => {
    expect(integration(tf, "api_genai", "post")).toMatchObject({
      type: "AWS_PROXY",
      integration_http_method: "POST",
      uri: GENAI("alias_invoke_arn"),
      timeout_milliseconds: 29000,
    });
  });

  it("lets only this API's POST /api/genai (and below) invoke the alias", () => {
    expect(resources(tf, "aws_lambda_permission")).toEqual({
      api_api_genai_post_permission: {
        statement_id: `apigateway-rest-petclinic-${name}-api-POST-api_genai`,
        action: "lambda:InvokeFunction",
        function_name: GENAI("function_name"),
        qualifier: GENAI("alias_name"),
        principal: "apigateway.amazonaws.com",
        source_arn: `${REST("execution_arn")}/*/POST/api/genai`,
      },
      api_api_genai_proxy_post_permission: {
        statement_id: `apigateway-rest-petclinic-${name}-api-POST-api_genai_proxy`,
        action: "lambda:InvokeFunction",
        function_name: GENAI("function_name"),
        qualifier: GENAI("alias_name"),
        principal: "apigateway.amazonaws.com",
        source_arn: `${REST("execution_arn")}/*/POST/api/genai/*`,
      },
    });
    expect(raw).toHaveResourceWithProperties(LambdaPermission, { principal: "apigateway.amazonaws.com" });
  });

  it("replaces the deployment when the routes change (triggers), creating the new one first", () => {
    const deployment = resource(tf, "aws_api_gateway_deployment", "api_deployment");
    const triggers = deployment.triggers as Record<string, string>;
    expect(triggers.redeployment).toMatch(/^[0-9a-f]{40}$/);
    const pair = (i: string) => `[aws_api_gateway_integration.${i}.uri, aws_api_gateway_integration.${i}.connection_id]`;
    const routed = [
      ...SERVICE_ROUTES.flatMap((r) => [`api_${r}_any_integration`, `api_${r}_proxy_any_integration`]),
      "api_api_genai_post_integration",
      "api_api_genai_proxy_post_integration",
    ];
    expect(triggers.upstream).toBe(`\${sha1(jsonencode([${routed.map(pair).join(", ")}]))}`);
    expect(deployment).toMatchObject({ rest_api_id: REST("id"), lifecycle: { create_before_destroy: true } });
    expect(deployment).not.toHaveProperty("stage_name");
    const dependsOn = deployment.depends_on as string[];
    for (const type of ["aws_api_gateway_method", "aws_api_gateway_integration", "aws_api_gateway_resource"]) {
      for (const n of names(tf, type)) expect(dependsOn).toContain(`${type}.${n}`);
    }
    expect(raw).toHaveResourceWithProperties(ApiGatewayDeployment, { lifecycle: { create_before_destroy: true } });
  });

  it("computes the redeployment hash deterministically", () => {
    const again = synthOf(cfg).tf;
    expect(resource(again, "aws_api_gateway_deployment", "api_deployment").triggers).toEqual(
      resource(tf, "aws_api_gateway_deployment", "api_deployment").triggers,
    );
  });

  it("deploys the stage with JSON access logs to a KMS-encrypted group with the logging retention, and X-Ray", () => {
    expect(resource(tf, "aws_cloudwatch_log_group", "api_access_logs")).toEqual({
      name: `/petclinic/${name}/api-gateway/access-logs`,
      retention_in_days: cfg.logging.retentionDays,
      kms_key_id: LOGS_KEY,
    });
    const stage = resource(tf, "aws_api_gateway_stage", "api_stage");
    expect(stage).toMatchObject({
      rest_api_id: REST("id"),
      stage_name: name,
      deployment_id: "${aws_api_gateway_deployment.api_deployment.id}",
      xray_tracing_enabled: true,
      access_log_settings: { destination_arn: "${aws_cloudwatch_log_group.api_access_logs.arn}", format: REST_ACCESS_LOG_FORMAT },
    });
    const format = JSON.parse((stage.access_log_settings as { format: string }).format) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: "$context.requestId",
      ip: "$context.identity.sourceIp",
      status: "$context.status",
      xrayTraceId: "$context.xrayTraceId",
    });
    expect(raw).toHaveResourceWithProperties(ApiGatewayStage, { xray_tracing_enabled: true });
  });

  it(`throttles every method at 1000 rps / 2000 burst, with metrics, logging ${cfg.apiGateway.logging.level} and no data trace`, () => {
    expect(resource(tf, "aws_api_gateway_method_settings", "api_all_methods")).toMatchObject({
      rest_api_id: REST("id"),
      stage_name: "${aws_api_gateway_stage.api_stage.stage_name}",
      method_path: "*/*",
      settings: {
        throttling_rate_limit: 1000,
        throttling_burst_limit: 2000,
        metrics_enabled: true,
        logging_level: cfg.apiGateway.logging.level,
        data_trace_enabled: false,
      },
    });
    expect(raw).toHaveResourceWithProperties(ApiGatewayMethodSettings, { method_path: "*/*" });
  });

  it("creates the execution log group API Gateway would otherwise create without retention or key", () => {
    expect(resource(tf, "aws_cloudwatch_log_group", "api_execution_logs")).toEqual({
      name: `API-Gateway-Execution-Logs_${REST("id")}/${name}`,
      retention_in_days: cfg.logging.retentionDays,
      kms_key_id: LOGS_KEY,
    });
  });

  it("sets the account's CloudWatch Logs role (apiGateway.manageAccountLoggingRole) before logging starts", () => {
    const role = resource(tf, "aws_iam_role", "api_cloudwatch_role");
    expect(role.name).toBe(`petclinic-${name}-apigateway-cloudwatch`);
    expect(policy(role.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Sid: "TrustService", Action: "sts:AssumeRole", Principal: { Service: "apigateway.amazonaws.com" } },
    ]);
    expect(resource(tf, "aws_iam_role_policy_attachment", "api_cloudwatch_role_push_logs")).toEqual({
      role: "${aws_iam_role.api_cloudwatch_role.name}",
      policy_arn: "arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
    });
    expect(resource(tf, "aws_api_gateway_account", "api_account")).toMatchObject({
      cloudwatch_role_arn: "${aws_iam_role.api_cloudwatch_role.arn}",
      reset_on_delete: true,
    });
    expect(resource(tf, "aws_api_gateway_stage", "api_stage").depends_on).toContain("aws_api_gateway_account.api_account");
    expect(resource(tf, "aws_api_gateway_method_settings", "api_all_methods").depends_on).toContain("aws_api_gateway_account.api_account");
  });

  it("associates the regional WAF web ACL with the stage", () => {
    expect(resources(tf, "aws_wafv2_web_acl_association")).toEqual({
      api_waf: { resource_arn: "${aws_api_gateway_stage.api_stage.arn}", web_acl_arn: remote("security", "waf_web_acl_arn") },
    });
  });

  it("has no custom domain and no usage plan unless configured", () => {
    expectNone(tf, [
      "aws_api_gateway_domain_name",
      "aws_api_gateway_base_path_mapping",
      "aws_api_gateway_usage_plan",
      "aws_api_gateway_api_key",
    ]);
  });

  it("publishes exactly its contract", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(apiGatewayContract).sort());
    expect(tf.output).toMatchObject({
      api_id: { value: REST("id") },
      api_type: { value: "rest" },
      invoke_url: { value: "${aws_api_gateway_stage.api_stage.invoke_url}" },
      stage_name: { value: "${aws_api_gateway_stage.api_stage.stage_name}" },
      execution_arn: { value: REST("execution_arn") },
      custom_domain_target: { value: "" },
      custom_domain_zone_id: { value: "" },
    });
  });

  it("reads only earlier layers, through remote state, and calls no other data source", () => {
    expect(Object.keys(tf.data ?? {})).toEqual(["terraform_remote_state"]);
    expect(Object.keys(tf.data?.terraform_remote_state ?? {}).sort()).toEqual(["application", "lambda_genai", "security"]);
  });
});

describe("api-gateway layer, CORS (dev: one origin)", () => {
  const cfg = env("dev");
  const { tf } = synthOf(cfg);
  const origin = cfg.apiGateway.cors.allowOrigins[0];

  it("answers OPTIONS on every route with a mock integration, never asking for an API key", () => {
    for (const path of ["api_customers_proxy", "admin", "api_genai", "api_genai_proxy"]) {
      expect(method(tf, path, "options")).toMatchObject({ http_method: "OPTIONS", authorization: "NONE", api_key_required: false });
      expect(integration(tf, path, "options")).toMatchObject({
        type: "MOCK",
        request_templates: { "application/json": '{"statusCode": 204}' },
      });
      expect(resource(tf, "aws_api_gateway_integration_response", `api_${path}_options_204_mapping`)).toMatchObject({
        status_code: `\${aws_api_gateway_method_response.api_${path}_options_204.status_code}`,
        response_parameters: {
          "method.response.header.Access-Control-Allow-Origin": `'${origin}'`,
          "method.response.header.Access-Control-Allow-Methods": `'${cfg.apiGateway.cors.allowMethods.join(",")}'`,
          "method.response.header.Access-Control-Allow-Headers": `'${cfg.apiGateway.cors.allowHeaders.join(",")}'`,
          "method.response.header.Access-Control-Max-Age": "'600'",
          "method.response.header.Vary": "'Origin'",
        },
      });
    }
  });

  it("adds the CORS headers to the gateway's own 4XX and 5XX responses", () => {
    for (const type of ["4xx", "5xx"]) {
      expect(resource(tf, "aws_api_gateway_gateway_response", `api_response_default_${type}`)).toEqual({
        rest_api_id: REST("id"),
        response_type: `DEFAULT_${type.toUpperCase()}`,
        response_parameters: {
          "gatewayresponse.header.Access-Control-Allow-Origin": `'${origin}'`,
          "gatewayresponse.header.Vary": "'Origin'",
        },
      });
    }
  });

  it("redeploys when CORS changes", () => {
    const other = synthOf(envWith("dev", { apiGateway: { cors: { allowOrigins: ["https://app.example.com"] } } })).tf;
    const hash = (t: TerraformJson) =>
      (resource(t, "aws_api_gateway_deployment", "api_deployment").triggers as Record<string, string>).redeployment;
    expect(hash(other)).not.toBe(hash(tf));
  });

  it("with several origins, echoes the caller's origin only when listed, and leaves it off the gateway's errors", () => {
    const origins = ["https://app.example.com", "https://admin.example.com"];
    const { tf: several } = synthOf(envWith("dev", { apiGateway: { cors: { allowOrigins: origins, allowCredentials: true } } }));
    const mapping = resource(several, "aws_api_gateway_integration_response", "api_api_vets_proxy_options_204_mapping");
    expect(mapping.response_parameters).not.toHaveProperty("method.response.header.Access-Control-Allow-Origin");
    expect(mapping.response_parameters).toMatchObject({ "method.response.header.Access-Control-Allow-Credentials": "'true'" });
    const template = (mapping.response_templates as Record<string, string>)["application/json"];
    expect(template).toContain('#if($origin == "https://app.example.com" || $origin == "https://admin.example.com")');
    expect(template).toContain("#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)");
    expect(resources(several, "aws_api_gateway_gateway_response")).toEqual({});
  });
});

describe("api-gateway layer without lambda-genai", () => {
  const cfg = envWith("dev", { layers: { "lambda-genai": { enabled: false } } });
  const { tf } = synthOf(cfg);

  it("has no /api/genai route, integration or Lambda permission, and does not read the lambda-genai state", () => {
    const services = SERVICE_ROUTES.flatMap((r) => [`api_${r}`, `api_${r}_proxy`]);
    expect(names(tf, "aws_api_gateway_resource")).toEqual(
      ["api_api", ...services.filter((r) => r !== "api_admin" && r !== "api_admin_proxy"), "api_admin", "api_admin_proxy"].sort(),
    );
    expect(names(tf, "aws_api_gateway_method")).toEqual(services.flatMap((r) => [`${r}_any`, `${r}_options`]).sort());
    expect(names(tf, "aws_api_gateway_integration")).toEqual(
      services.flatMap((r) => [`${r}_any_integration`, `${r}_options_integration`]).sort(),
    );
    expect(resources(tf, "aws_lambda_permission")).toEqual({});
    expect(Object.keys(tf.data?.terraform_remote_state ?? {})).not.toContain("lambda_genai");
    expect(JSON.stringify(tf)).not.toContain("genai");
  });

  it("deploys a different route set (another redeployment hash)", () => {
    const hash = (t: TerraformJson) =>
      (resource(t, "aws_api_gateway_deployment", "api_deployment").triggers as Record<string, string>).redeployment;
    expect(hash(tf)).not.toBe(hash(synthOf(env("dev")).tf));
  });

  it("adding the function back adds addresses and renames none", () => {
    const withGenai = addresses(synthOf(env("dev")).tf);
    for (const a of addresses(tf)) expect(withGenai).toContain(a);
  });
});

describe("api-gateway layer without the application layer", () => {
  const { tf } = synthOf(envWith("dev", { layers: { application: { enabled: false } }, delivery: { github: { repository: null } } }));

  it("has only the Lambda route: no proxy route, no VPC link, no read of the application state", () => {
    expect(names(tf, "aws_api_gateway_resource")).toEqual(["api_api", "api_api_genai", "api_api_genai_proxy"]);
    expect(resources(tf, "aws_api_gateway_vpc_link")).toEqual({});
    expect(Object.keys(tf.data?.terraform_remote_state ?? {})).not.toContain("application");
  });
});

describe("api-gateway layer, internet-facing load balancer", () => {
  const cfg = envWith("dev", {
    application: { alb: { internal: false, networkLoadBalancer: false } },
    security: { alb: { ingressCidrs: ["0.0.0.0/0"] } },
  });
  const { tf } = synthOf(cfg);

  it("calls the ALB over the internet: no VPC link, connection type INTERNET, no NLB read", () => {
    expect(resources(tf, "aws_api_gateway_vpc_link")).toEqual({});
    const proxy = integration(tf, "api_visits_proxy", "any");
    expect(proxy).toMatchObject({
      type: "HTTP_PROXY",
      connection_type: "INTERNET",
      uri: `http://${APP("alb_dns_name")}/api/visits/{proxy}`,
    });
    expect(proxy).not.toHaveProperty("connection_id");
    expect(JSON.stringify(tf)).not.toContain("nlb_arn");
  });
});

describe("api-gateway layer, REST options", () => {
  it("custom domain: regional, TLS 1.2, the certificate, a base path mapping to the stage, and its target published", () => {
    const { tf } = synthOf(
      envWith("prod", {
        apiGateway: { customDomain: { domainName: "api.petclinic.example.com", certificateArn: CERT("333333333333"), basePath: "v1" } },
      }),
    );
    expect(resource(tf, "aws_api_gateway_domain_name", "api_domain")).toEqual({
      domain_name: "api.petclinic.example.com",
      regional_certificate_arn: CERT("333333333333"),
      endpoint_configuration: { types: ["REGIONAL"] },
      security_policy: "TLS_1_2",
    });
    expect(resource(tf, "aws_api_gateway_base_path_mapping", "api_domain_mapping")).toEqual({
      api_id: REST("id"),
      stage_name: "${aws_api_gateway_stage.api_stage.stage_name}",
      domain_name: "${aws_api_gateway_domain_name.api_domain.domain_name}",
      base_path: "v1",
    });
    expect(tf.output).toMatchObject({
      custom_domain_target: { value: "${aws_api_gateway_domain_name.api_domain.regional_domain_name}" },
      custom_domain_zone_id: { value: "${aws_api_gateway_domain_name.api_domain.regional_zone_id}" },
    });
  });

  it("usage plan: the stage's throttle and a daily quota; API keys generated by AWS (no value), required on every method but OPTIONS", () => {
    const { tf } = synthOf(envWith("dev", { apiGateway: { usagePlan: { quotaPerDay: 5000, apiKeys: ["mobile", "partner"] } } }));
    expect(resource(tf, "aws_api_gateway_usage_plan", "api_usage_plan")).toMatchObject({
      name: "petclinic-dev-api",
      api_stages: [{ api_id: REST("id"), stage: "${aws_api_gateway_stage.api_stage.stage_name}" }],
      throttle_settings: { rate_limit: 1000, burst_limit: 2000 },
      quota_settings: { limit: 5000, period: "DAY" },
    });
    for (const key of ["mobile", "partner"]) {
      const apiKey = resource(tf, "aws_api_gateway_api_key", `api_key_${key}`);
      expect(apiKey).toMatchObject({ name: `petclinic-dev-api-${key}`, enabled: true });
      expect(apiKey).not.toHaveProperty("value");
      expect(resource(tf, "aws_api_gateway_usage_plan_key", `api_key_${key}_plan`)).toEqual({
        key_id: `\${aws_api_gateway_api_key.api_key_${key}.id}`,
        key_type: "API_KEY",
        usage_plan_id: "${aws_api_gateway_usage_plan.api_usage_plan.id}",
      });
    }
    expect(method(tf, "api_vets_proxy", "any").api_key_required).toBe(true);
    expect(method(tf, "admin", "any").api_key_required).toBe(true);
    expect(method(tf, "api_genai", "post").api_key_required).toBe(true);
    expect(method(tf, "api_vets_proxy", "options").api_key_required).toBe(false);
  });

  it("manageAccountLoggingRole: false leaves the account setting alone", () => {
    const { tf } = synthOf(envWith("dev", { apiGateway: { manageAccountLoggingRole: false } }));
    expect(resources(tf, "aws_api_gateway_account")).toEqual({});
    expect(resources(tf, "aws_iam_role")).toEqual({});
    expect(resource(tf, "aws_api_gateway_stage", "api_stage").depends_on).toEqual(["aws_cloudwatch_log_group.api_execution_logs"]);
  });

  it("logging level OFF: no execution log group; WAF disabled: no association", () => {
    const { tf } = synthOf(envWith("dev", { apiGateway: { logging: { level: "OFF" } }, security: { waf: { enabled: false } } }));
    expect(names(tf, "aws_cloudwatch_log_group")).toEqual(["api_access_logs"]);
    expect(resource(tf, "aws_api_gateway_method_settings", "api_all_methods")).toMatchObject({ settings: { logging_level: "OFF" } });
    expect(resources(tf, "aws_wafv2_web_acl_association")).toEqual({});
  });

  it("stageName and throttle from config", () => {
    const { tf } = synthOf(envWith("staging", { apiGateway: { stageName: "v1", throttle: { rateLimit: 200, burstLimit: 400 } } }));
    expect(resource(tf, "aws_api_gateway_stage", "api_stage").stage_name).toBe("v1");
    expect(resource(tf, "aws_api_gateway_method_settings", "api_all_methods")).toMatchObject({
      settings: { throttling_rate_limit: 200, throttling_burst_limit: 400 },
    });
  });

  it('backendBasePath "": the load balancer\'s paths are published below /api (/api/x is sent as /x)', () => {
    const { tf } = synthOf(envWith("dev", { apiGateway: { backendBasePath: "" } }));
    expect(integration(tf, "api_api_customers_proxy", "any").uri).toBe(`http://${APP("alb_dns_name")}/api/customers/{proxy}`);
    expect(integration(tf, "api_admin_proxy", "any").uri).toBe(`http://${APP("alb_dns_name")}/admin/{proxy}`);
  });

  it("a service with public: false gets no route; nothing else reaches the load balancer", () => {
    const { tf } = synthOf(envWith("dev", { services: { "admin-server": { public: false } } }));
    expect(names(tf, "aws_api_gateway_resource").filter((r) => r.includes("admin"))).toEqual([]);
    expect(names(tf, "aws_api_gateway_resource")).toContain("api_api_vets_proxy");
  });
});

describe.each(ENVIRONMENTS)("api-gateway layer, HTTP API (%s)", (name) => {
  const cfg = envWith(name, { apiGateway: { type: "http" } });
  const { tf, raw } = synthOf(cfg);
  const https = cfg.application.alb.certificateArn !== undefined;

  it("creates an HTTP API and no REST API, VPC link, WAF association or account setting", () => {
    expect(resource(tf, "aws_apigatewayv2_api", "api")).toMatchObject({ name: `petclinic-${name}-api`, protocol_type: "HTTP" });
    expectNone(tf, ["aws_api_gateway_rest_api", "aws_api_gateway_vpc_link", "aws_wafv2_web_acl_association", "aws_api_gateway_account"]);
  });

  it("reaches the internal ALB listener through a VPC link in the app subnets with the api_link security group", () => {
    expect(resource(tf, "aws_apigatewayv2_vpc_link", "api_vpc_link")).toMatchObject({
      name: `petclinic-${name}-api`,
      subnet_ids: remote("network", "app_subnet_ids"),
      security_group_ids: [remote("security", "api_link_security_group_id")],
    });
    const proxy = resource(tf, "aws_apigatewayv2_integration", "api_route_api_customers_proxy_integration");
    expect(proxy).toMatchObject({
      api_id: HTTP("id"),
      integration_type: "HTTP_PROXY",
      integration_method: "ANY",
      connection_type: "VPC_LINK",
      connection_id: "${aws_apigatewayv2_vpc_link.api_vpc_link.id}",
      integration_uri: APP(https ? "https_listener_arn" : "http_listener_arn"),
      request_parameters: { "overwrite:path": "/api/customers/$request.path.proxy" },
    });
    expect(resource(tf, "aws_apigatewayv2_integration", "api_route_admin_integration").request_parameters).toEqual({
      "overwrite:path": "/admin",
    });
    if (https) expect(proxy.tls_config).toEqual({ server_name_to_verify: `alb.${name}.petclinic.example.com` });
    else expect(proxy).not.toHaveProperty("tls_config");
  });

  it("routes each public service path to the ALB and POST /api/genai and below to the alias (AWS_PROXY, payload 2.0), nothing else", () => {
    const genai = "integrations/${aws_apigatewayv2_integration.api_genai_integration.id}";
    const service = (id: string, key: string) => [
      `api_route_${id}`,
      {
        api_id: HTTP("id"),
        route_key: `ANY ${key}`,
        target: `integrations/\${aws_apigatewayv2_integration.api_route_${id}_integration.id}`,
      },
    ];
    expect(resources(tf, "aws_apigatewayv2_route")).toEqual({
      ...Object.fromEntries(
        ["customers", "vets", "visits"].flatMap((s) => [service(`api_${s}`, `/api/${s}`), service(`api_${s}_proxy`, `/api/${s}/{proxy+}`)]),
      ),
      ...Object.fromEntries([service("admin", "/admin"), service("admin_proxy", "/admin/{proxy+}")]),
      api_genai: { api_id: HTTP("id"), route_key: "POST /api/genai", target: genai },
      api_genai_proxy: { api_id: HTTP("id"), route_key: "POST /api/genai/{proxy+}", target: genai },
    });
    expect(resource(tf, "aws_apigatewayv2_integration", "api_genai_integration")).toMatchObject({
      integration_type: "AWS_PROXY",
      integration_method: "POST",
      integration_uri: GENAI("alias_invoke_arn"),
      payload_format_version: "2.0",
    });
    expect(resource(tf, "aws_lambda_permission", "api_genai_permission")).toMatchObject({
      function_name: GENAI("function_name"),
      qualifier: GENAI("alias_name"),
      principal: "apigateway.amazonaws.com",
      source_arn: `${HTTP("execution_arn")}/*/POST/api/genai*`,
    });
  });

  it("auto-deploys one stage with throttling, detailed metrics and JSON access logs to the KMS-encrypted group", () => {
    expect(resource(tf, "aws_apigatewayv2_stage", "api_stage")).toMatchObject({
      api_id: HTTP("id"),
      name,
      auto_deploy: true,
      default_route_settings: { throttling_rate_limit: 1000, throttling_burst_limit: 2000, detailed_metrics_enabled: true },
      access_log_settings: { destination_arn: "${aws_cloudwatch_log_group.api_access_logs.arn}", format: HTTP_ACCESS_LOG_FORMAT },
    });
    expect(resource(tf, "aws_cloudwatch_log_group", "api_access_logs")).toMatchObject({
      kms_key_id: LOGS_KEY,
      retention_in_days: cfg.logging.retentionDays,
    });
    expect(raw).toHaveResourceWithProperties(Apigatewayv2Stage, { auto_deploy: true });
  });

  it(`configures CORS on the API (${cfg.apiGateway.cors.allowOrigins.length ? "origins listed" : "none"})`, () => {
    const api = resource(tf, "aws_apigatewayv2_api", "api");
    if (cfg.apiGateway.cors.allowOrigins.length) {
      expect(api.cors_configuration).toEqual({
        allow_origins: cfg.apiGateway.cors.allowOrigins,
        allow_methods: cfg.apiGateway.cors.allowMethods,
        allow_headers: cfg.apiGateway.cors.allowHeaders,
        max_age: 600,
        allow_credentials: false,
      });
    } else expect(api).not.toHaveProperty("cors_configuration");
  });

  it("publishes exactly its contract", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(apiGatewayContract).sort());
    expect(tf.output).toMatchObject({
      api_id: { value: HTTP("id") },
      api_type: { value: "http" },
      invoke_url: { value: "${aws_apigatewayv2_stage.api_stage.invoke_url}" },
      stage_name: { value: "${aws_apigatewayv2_stage.api_stage.name}" },
      execution_arn: { value: HTTP("execution_arn") },
      custom_domain_target: { value: "" },
    });
  });
});

describe("api-gateway layer, HTTP API options", () => {
  it("custom domain: regional, TLS 1.2, an API mapping to the stage, and its target published", () => {
    const { tf } = synthOf(
      envWith("staging", {
        apiGateway: { type: "http", customDomain: { domainName: "api.petclinic.example.com", certificateArn: CERT("222222222222") } },
      }),
    );
    expect(resource(tf, "aws_apigatewayv2_domain_name", "api_domain")).toEqual({
      domain_name: "api.petclinic.example.com",
      domain_name_configuration: { certificate_arn: CERT("222222222222"), endpoint_type: "REGIONAL", security_policy: "TLS_1_2" },
    });
    expect(resource(tf, "aws_apigatewayv2_api_mapping", "api_domain_mapping")).toEqual({
      api_id: HTTP("id"),
      domain_name: "${aws_apigatewayv2_domain_name.api_domain.id}",
      stage: "${aws_apigatewayv2_stage.api_stage.id}",
    });
    expect(tf.output).toMatchObject({
      custom_domain_target: { value: "${aws_apigatewayv2_domain_name.api_domain.domain_name_configuration[0].target_domain_name}" },
      custom_domain_zone_id: { value: "${aws_apigatewayv2_domain_name.api_domain.domain_name_configuration[0].hosted_zone_id}" },
    });
  });

  it("no genai route or permission without lambda-genai", () => {
    const { tf } = synthOf(envWith("dev", { apiGateway: { type: "http" }, layers: { "lambda-genai": { enabled: false } } }));
    expect(names(tf, "aws_apigatewayv2_route").filter((r) => r.includes("genai"))).toEqual([]);
    expect(names(tf, "aws_apigatewayv2_route")).toContain("api_route_admin_proxy");
    expect(resources(tf, "aws_lambda_permission")).toEqual({});
  });

  it("$default stage", () => {
    const { tf } = synthOf(envWith("dev", { apiGateway: { type: "http", stageName: "$default" } }));
    expect(resource(tf, "aws_apigatewayv2_stage", "api_stage").name).toBe("$default");
  });
});

describe("contract mocks follow the configuration", () => {
  it("rest by default, the stage name, no custom domain", () => {
    const cfg = env("prod");
    expect(apiGatewayContract.api_type.mock(cfg)).toBe("rest");
    expect(apiGatewayContract.stage_name.mock(cfg)).toBe("prod");
    expect(apiGatewayContract.invoke_url.mock(cfg)).toMatch(/^https:\/\/[a-z0-9]+\.execute-api\.us-west-2\.amazonaws\.com\/prod$/);
    expect(apiGatewayContract.custom_domain_target.mock(cfg)).toBe("");
  });

  it("http, $default, custom domain", () => {
    const cfg = envWith("dev", {
      apiGateway: {
        type: "http",
        stageName: "$default",
        customDomain: { domainName: "api.petclinic.example.com", certificateArn: CERT("111111111111") },
      },
    });
    expect(apiGatewayContract.api_type.mock(cfg)).toBe("http");
    expect(apiGatewayContract.invoke_url.mock(cfg)).toMatch(/amazonaws\.com\/$/);
    expect(apiGatewayContract.custom_domain_target.mock(cfg)).toMatch(/^d-[0-9a-f]+\.execute-api\.us-west-2\.amazonaws\.com$/);
    expect(apiGatewayContract.custom_domain_zone_id.mock(cfg)).toMatch(/^Z[0-9A-F]+$/);
  });
});

// -------------------------------------------------------------------------------------------------
// The modules on their own

describe("RestApi module", () => {
  const base = {
    name: "shop",
    stageName: "live",
    logging: { accessLogGroupName: "/shop/access", retentionDays: 7 },
  };

  it("defaults: no VPC link over the internet, 1000/2000 throttling, ERROR logging, X-Ray, no CORS, no account role", () => {
    const raw = Testing.synthScope((scope) => new RestApi(scope, "api", { ...base, backend: { uri: "https://shop.example.com/{proxy}" } }));
    const json = JSON.parse(raw) as TerraformJson;
    expect(Object.keys(json.resource ?? {})).not.toContain("aws_api_gateway_vpc_link");
    expect(Object.keys(json.resource ?? {})).not.toContain("aws_api_gateway_account");
    expect(Object.keys(json.resource ?? {})).not.toContain("aws_api_gateway_gateway_response");
    expect(raw).toHaveResourceWithProperties(ApiGatewayIntegration, {
      connection_type: "INTERNET",
      uri: "https://shop.example.com/{proxy}",
    });
    expect(raw).toHaveResourceWithProperties(ApiGatewayMethodSettings, {
      settings: {
        throttling_rate_limit: 1000,
        throttling_burst_limit: 2000,
        logging_level: "ERROR",
        data_trace_enabled: false,
        metrics_enabled: true,
      },
    });
    expect(raw).toHaveResourceWithProperties(ApiGatewayStage, { stage_name: "live", xray_tracing_enabled: true });
  });

  it("refuses a burst below the rate, and an API with nothing to deploy", () => {
    expect(() =>
      Testing.synthScope(
        (scope) =>
          new RestApi(scope, "api", {
            ...base,
            backend: { uri: "https://x.example.com/{proxy}" },
            throttle: { rateLimit: 10, burstLimit: 5 },
          }),
      ),
    ).toThrow("RestApi api: burst limit 5 is below the rate limit 10");
    expect(() => Testing.synthScope((scope) => new RestApi(scope, "api", base))).toThrow(/no backend and no Lambda routes/);
  });

  it("CORS headers: one origin statically, several through a template", () => {
    expect(corsHeaders({ allowOrigins: ["*"] }).static).toMatchObject({ "Access-Control-Allow-Origin": "*" });
    expect(corsHeaders({ allowOrigins: ["*"] }).static).not.toHaveProperty("Vary");
    const several = corsHeaders({ allowOrigins: ["https://a.example.com", "https://b.example.com"] });
    expect(several.static).not.toHaveProperty("Access-Control-Allow-Origin");
    expect(several.all).toHaveProperty("Access-Control-Allow-Origin", true);
    expect(several.template).toContain('$origin == "https://a.example.com" || $origin == "https://b.example.com"');
  });
});

describe("HttpApi module", () => {
  it("over the internet: the URL with the path, no VPC link, no TLS server name", () => {
    const raw = Testing.synthScope(
      (scope) =>
        new HttpApi(scope, "api", {
          name: "shop",
          stageName: "$default",
          backend: { protocol: "https", host: "shop.example.com", basePath: "/v2" },
          accessLogs: { logGroupName: "/shop/access", retentionDays: 7 },
        }),
    );
    const json = JSON.parse(raw) as TerraformJson;
    expect(Object.keys(json.resource ?? {})).not.toContain("aws_apigatewayv2_vpc_link");
    const integrations = Object.values(resources(json, "aws_apigatewayv2_integration"));
    expect(integrations).toEqual([
      expect.objectContaining({
        connection_type: "INTERNET",
        integration_uri: "https://shop.example.com/v2/{proxy}",
        integration_method: "ANY",
      }),
    ]);
    expect(integrations[0]).not.toHaveProperty("tls_config");
    expect(raw).toHaveResourceWithProperties(Apigatewayv2Stage, {
      name: "$default",
      auto_deploy: true,
      default_route_settings: { throttling_rate_limit: 1000, throttling_burst_limit: 2000, detailed_metrics_enabled: true },
    });
  });
});
