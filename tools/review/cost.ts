/**
 * Estimated monthly cost per layer, from a price table kept as data (prices/<region>.json: USD,
 * on-demand, each price with its source page and date) and usage assumptions
 * (usage-defaults.json, per tier and environment, overridable with --usage).
 *
 * Fixed costs follow from the resources alone and are priced exactly: NAT gateways and public
 * IPv4 addresses, interface endpoints per AZ, load balancer hours, Fargate tasks at their minimum
 * count, Aurora Serverless v2 at its minimum ACUs, RDS and Aurora instances, cache nodes, KMS keys,
 * secrets, alarms, dashboards, web ACLs and their rules, hosted zones. Usage-based costs (data
 * processed, requests, storage, log ingestion, tokens) state the assumption they use.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { EnvModel, Resource } from "./model";
import { blocks, bool, get, isObj, num, str, strings } from "./tf";

export interface Price {
  readonly usd: number;
  readonly per: string;
  readonly what: string;
  readonly source: string;
  readonly date: string;
}

export interface PriceTable {
  readonly region: string;
  readonly currency: string;
  readonly hoursPerMonth: number;
  readonly prices: Readonly<Record<string, Price>>;
}

export type Usage = Readonly<Record<string, number>>;

export interface CostItem {
  readonly layer: string;
  /** What is charged, e.g. `NAT gateway hours`. */
  readonly component: string;
  /** The resources it comes from. */
  readonly addresses: readonly string[];
  readonly quantity: number;
  /** Unit of the quantity (`hour`, `GB`, `vCPU-hour`, ...). */
  readonly unit: string;
  readonly unitUsd: number;
  readonly monthlyUsd: number;
  /** Fixed: follows from the resources. Usage: follows from an assumption. */
  readonly basis: "fixed" | "usage";
  /** The usage assumption, for usage items. */
  readonly assumption?: string;
  readonly priceKey: string;
}

export interface CostReport {
  readonly region: string;
  readonly currency: string;
  readonly hoursPerMonth: number;
  /** Where the prices come from (undefined when no table exists for the region). */
  readonly priceFile: string | undefined;
  readonly items: readonly CostItem[];
  readonly layers: readonly { readonly layer: string; readonly fixedUsd: number; readonly usageUsd: number; readonly totalUsd: number }[];
  readonly totals: { readonly fixedUsd: number; readonly usageUsd: number; readonly totalUsd: number };
  /** Things with a cost that the estimate does not price, one line each. */
  readonly notPriced: readonly string[];
  /** The usage assumptions in effect. */
  readonly usage: Usage;
  readonly warnings: readonly string[];
}

const DIR = __dirname;

/** The price table of a region, or undefined when none is kept. */
export function loadPriceTable(region: string, dir = path.join(DIR, "prices")): { table: PriceTable; file: string } | undefined {
  const file = path.join(dir, `${region}.json`);
  if (!fs.existsSync(file)) return undefined;
  return { table: JSON.parse(fs.readFileSync(file, "utf8")) as PriceTable, file };
}

interface UsageFile {
  default?: Record<string, number>;
  tiers?: Record<string, Record<string, number>>;
  environments?: Record<string, Record<string, number>>;
}

/** Usage assumptions for an environment: defaults < tier < environment < override file (layered the same way, or flat). */
export function usageFor(
  tier: string,
  envKey: string,
  overrides: unknown[] = [],
  defaultsFile = path.join(DIR, "usage-defaults.json"),
): Usage {
  const layers = (doc: UsageFile | Record<string, unknown>): Record<string, number>[] => {
    const d = doc as UsageFile;
    if (d.default || d.tiers || d.environments) return [d.default ?? {}, d.tiers?.[tier] ?? {}, d.environments?.[envKey] ?? {}];
    return [numbersOf(doc as Record<string, unknown>)];
  };
  const base = JSON.parse(fs.readFileSync(defaultsFile, "utf8")) as UsageFile;
  const out: Record<string, number> = {};
  for (const doc of [base, ...overrides]) for (const l of layers(doc as UsageFile)) Object.assign(out, numbersOf(l));
  return out;
}

function numbersOf(o: Record<string, unknown>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, number] => typeof e[1] === "number" && !e[0].startsWith("$")));
}

/** Resources of these types cost nothing by themselves (their use is priced elsewhere, or free). */
const FREE = new Set([
  "aws_vpc",
  "aws_subnet",
  "aws_internet_gateway",
  "aws_route",
  "aws_route_table",
  "aws_route_table_association",
  "aws_default_route_table",
  "aws_default_security_group",
  "aws_security_group",
  "aws_security_group_rule",
  "aws_vpc_security_group_ingress_rule",
  "aws_vpc_security_group_egress_rule",
  "aws_flow_log",
  "aws_kms_alias",
  "aws_iam_role",
  "aws_iam_role_policy",
  "aws_iam_policy",
  "aws_iam_role_policy_attachment",
  "aws_iam_policy_attachment",
  "aws_iam_group_policy_attachment",
  "aws_db_subnet_group",
  "aws_db_parameter_group",
  "aws_rds_cluster_parameter_group",
  "aws_rds_cluster",
  "aws_secretsmanager_secret_rotation",
  "aws_secretsmanager_secret_version",
  "aws_elasticache_subnet_group",
  "aws_elasticache_parameter_group",
  "aws_elasticache_user",
  "aws_elasticache_user_group",
  "aws_ssm_parameter",
  "aws_service_discovery_service",
  "aws_ecs_cluster",
  "aws_ecs_cluster_capacity_providers",
  "aws_ecs_task_definition",
  "aws_ecr_lifecycle_policy",
  "aws_ecr_repository_policy",
  "aws_lb_listener",
  "aws_lb_listener_rule",
  "aws_lb_target_group",
  "aws_lb_target_group_attachment",
  "aws_alb_listener",
  "aws_alb_target_group",
  "aws_appautoscaling_target",
  "aws_appautoscaling_policy",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning",
  "aws_s3_bucket_logging",
  "aws_s3_bucket_cors_configuration",
  "aws_s3_bucket_website_configuration",
  "aws_s3_bucket_notification",
  "aws_s3_account_public_access_block",
  "aws_sqs_queue_policy",
  "aws_sqs_queue_redrive_policy",
  "aws_sqs_queue_redrive_allow_policy",
  "aws_sns_topic_policy",
  "aws_sns_topic_subscription",
  "aws_lambda_alias",
  "aws_lambda_permission",
  "aws_lambda_function_event_invoke_config",
  "aws_lambda_event_source_mapping",
  "aws_api_gateway_account",
  "aws_api_gateway_deployment",
  "aws_api_gateway_integration",
  "aws_api_gateway_integration_response",
  "aws_api_gateway_method",
  "aws_api_gateway_method_response",
  "aws_api_gateway_method_settings",
  "aws_api_gateway_resource",
  "aws_api_gateway_gateway_response",
  "aws_api_gateway_vpc_link",
  "aws_api_gateway_domain_name",
  "aws_api_gateway_base_path_mapping",
  "aws_api_gateway_usage_plan",
  "aws_api_gateway_usage_plan_key",
  "aws_api_gateway_api_key",
  "aws_apigatewayv2_integration",
  "aws_apigatewayv2_route",
  "aws_apigatewayv2_vpc_link",
  "aws_apigatewayv2_domain_name",
  "aws_apigatewayv2_api_mapping",
  "aws_apigatewayv2_stage",
  "aws_api_gateway_stage",
  "aws_wafv2_web_acl_association",
  "aws_wafv2_web_acl_logging_configuration",
  "aws_cloudfront_origin_access_control",
  "aws_cloudfront_response_headers_policy",
  "aws_cloudfront_cache_policy",
  "aws_cloudfront_origin_request_policy",
  "aws_cloudfront_function",
  "aws_acm_certificate",
  "aws_acm_certificate_validation",
  "aws_route53_record",
  "aws_cloudwatch_event_target",
  "aws_cloudwatch_log_metric_filter",
  "aws_cloudwatch_log_resource_policy",
  "aws_xray_sampling_rule",
  "aws_xray_group",
  "aws_s3_object",
  "aws_eip_association",
  "aws_network_acl",
  "aws_network_acl_rule",
  "aws_network_acl_association",
  "aws_default_network_acl",
  "aws_iam_openid_connect_provider",
  "aws_lambda_invocation",
  "aws_codedeploy_app",
  "aws_codedeploy_deployment_group",
  "aws_cognito_user_pool_client",
  "aws_cognito_user_pool_domain",
  "aws_cognito_identity_provider",
  "aws_cognito_identity_pool",
  "aws_cognito_identity_pool_roles_attachment",
  "aws_ses_template",
  "aws_ses_configuration_set",
  "aws_sesv2_configuration_set",
  "aws_sesv2_configuration_set_event_destination",
  "aws_sesv2_email_identity_mail_from_attributes",
  "aws_sesv2_email_identity_policy",
  "aws_amplify_domain_association",
  "aws_msk_configuration",
  "aws_cloudwatch_log_subscription_filter",
]);

/** Resources priced as one unit a month each (by type). */
const MONTHLY: Readonly<Record<string, { component: string; priceKey: string }>> = {
  aws_kms_key: { component: "KMS key", priceKey: "kms.keyMonth" },
  aws_kms_replica_key: { component: "KMS key", priceKey: "kms.keyMonth" },
  aws_secretsmanager_secret: { component: "Secrets Manager secret", priceKey: "secretsManager.secretMonth" },
  aws_cloudwatch_composite_alarm: { component: "CloudWatch composite alarm", priceKey: "cloudwatch.compositeAlarmMonth" },
  aws_cloudwatch_dashboard: { component: "CloudWatch dashboard", priceKey: "cloudwatch.dashboardMonth" },
};

/** Cost-bearing types the estimate does not price (usage-based with no assumption). */
const NOT_PRICED: Readonly<Record<string, string>> = {
  aws_cognito_user_pool: "Cognito: per monthly active user beyond the free tier",
  aws_ses_domain_identity: "SES: per message sent",
  aws_sesv2_email_identity: "SES: per message sent",
  aws_cloudwatch_event_rule: "EventBridge: custom and third-party events per million (AWS service events are free)",
  aws_cloudwatch_event_bus: "EventBridge custom bus: per million events published",
  aws_cloudtrail: "CloudTrail: the first management-event trail is free; further trails and data events are charged per 100,000 events",
  aws_chatbot_slack_channel_configuration: "AWS Chatbot: no charge of its own (SNS and CloudWatch usage apply)",
  aws_kinesis_firehose_delivery_stream: "Firehose: per GB ingested",
  aws_efs_file_system: "EFS: per GB-month stored",
  aws_guardduty_detector: "GuardDuty: per GB of CloudTrail, VPC flow log and DNS events analysed",
  aws_amplify_app: "Amplify Hosting: per build minute, per GB stored and per GB served",
  aws_amplify_branch: "Amplify Hosting: per build minute, per GB stored and per GB served",
  aws_msk_cluster:
    "MSK provisioned: per broker-hour and per GB-month of broker storage (a fixed charge the price table does not carry yet)",
  aws_msk_serverless_cluster:
    "MSK Serverless: per cluster-hour and partition-hour (fixed) and per GB in and out (not in the price table yet)",
  aws_prometheus_workspace: "Amazon Managed Service for Prometheus: per metric sample ingested and per GB-month stored",
};

const CONTAINER_INSIGHTS_NOTE = "Container Insights: CloudWatch custom metrics and performance-log ingestion per task, not estimated";

/** Prices the environment. */
export function estimateCost(model: EnvModel, region: string, usage: Usage, priceDir?: string): CostReport {
  const loaded = loadPriceTable(region, priceDir);
  const warnings: string[] = [];
  const notPriced = new Set<string>();
  const items: CostItem[] = [];
  if (!loaded) {
    return {
      region,
      currency: "USD",
      hoursPerMonth: 730,
      priceFile: undefined,
      items: [],
      layers: [],
      totals: { fixedUsd: 0, usageUsd: 0, totalUsd: 0 },
      notPriced: [],
      usage,
      warnings: [
        `no price table for ${region}: add tools/review/prices/${region}.json (copy us-west-2.json and check each price on its page)`,
      ],
    };
  }
  const { table, file } = loaded;
  const H = table.hoursPerMonth;
  const u = (key: string): number => {
    const v = usage[key];
    if (v === undefined) {
      warnings.push(`usage assumption ${key} is missing; 0 used`);
      return 0;
    }
    return v;
  };
  const add: AddLine = (r, component, priceKey, quantity, basis, assumption) => {
    const list = Array.isArray(r) ? r : [r];
    const price = table.prices[priceKey];
    if (!price) {
      notPriced.add(`${component} (${list.map((x) => x.address).join(", ")}): no price ${priceKey} in ${path.basename(file)}`);
      return;
    }
    if (quantity === 0) return;
    items.push({
      layer: list[0].stack,
      component,
      addresses: list.map((x) => x.address),
      quantity: round(quantity, 4),
      unit: price.per,
      unitUsd: price.usd,
      monthlyUsd: round(quantity * price.usd, 2),
      basis,
      ...(assumption ? { assumption } : {}),
      priceKey,
    });
  };
  /** A usage-priced line whose quantity is the usage assumption `key`, said as "<value> <what> (<key>)". */
  const perUsage = (r: Resource | Resource[], component: string, priceKey: string, key: string, what: string) =>
    add(r, component, priceKey, u(key), "usage", `${u(key)} ${what} (${key})`);
  const count = (v: unknown, stack: string, type: string) => model.resolve(stack, v).filter((r) => r.type === type).length;

  for (const r of model.resources()) {
    const a = r.attrs;
    const monthly = MONTHLY[r.type];
    if (monthly) {
      add(r, monthly.component, monthly.priceKey, 1, "fixed");
      continue;
    }
    switch (r.type) {
      case "aws_nat_gateway":
        add(r, "NAT gateway hours", "nat.hour", H, "fixed");
        if ((str(a.connectivity_type) ?? "public") === "public")
          perUsage(r, "NAT gateway data processed", "nat.gb", "natGbPerGateway", "GB per gateway");
        break;
      case "aws_eip":
        add(r, "public IPv4 address", "publicIpv4.hour", H, "fixed");
        break;
      case "aws_vpc_endpoint": {
        if ((str(a.vpc_endpoint_type) ?? "Gateway") !== "Interface") break; // gateway endpoints are free
        const azs = Math.max(1, count(r.config.subnet_ids, r.stack, "aws_subnet") || strings(a.subnet_ids).length);
        add(
          r,
          `interface endpoint ${
            String(a.service_name ?? r.name)
              .split(".")
              .slice(3)
              .join(".") || r.name
          } (${azs} AZ)`,
          "vpcEndpoint.interface.azHour",
          azs * H,
          "fixed",
        );
        perUsage(r, "interface endpoint data processed", "vpcEndpoint.interface.gb", "interfaceEndpointGbPerEndpoint", "GB per endpoint");
        break;
      }
      case "aws_lb":
      case "aws_alb": {
        const network = a.load_balancer_type === "network";
        add(r, network ? "Network Load Balancer hours" : "Application Load Balancer hours", network ? "nlb.hour" : "alb.hour", H, "fixed");
        const lcu = u(network ? "nlbLcuPerHour" : "albLcuPerHour");
        add(
          r,
          network ? "NLB capacity units" : "ALB capacity units",
          network ? "nlb.nlcuHour" : "alb.lcuHour",
          lcu * H,
          "usage",
          `${lcu} LCU on average (${network ? "nlbLcuPerHour" : "albLcuPerHour"})`,
        );
        if (bool(a.internal) !== true) {
          const nodes = Math.max(2, count(r.config.subnets, r.stack, "aws_subnet"));
          add(r, `public IPv4 of the internet-facing load balancer (${nodes} AZ)`, "publicIpv4.hour", nodes * H, "fixed");
        }
        break;
      }
      case "aws_ecs_service":
        priceService(model, r, H, add, u, notPriced);
        break;
      case "aws_rds_cluster_instance": {
        const cls = String(a.instance_class ?? "");
        const cluster = model.resolve(r.stack, r.config.cluster_identifier).find((c) => c.type === "aws_rds_cluster");
        if (cls === "db.serverless") {
          const min = num(get(cluster?.attrs, "serverlessv2_scaling_configuration.min_capacity"));
          if (min === undefined) warnings.push(`${r.address}: Serverless v2 without a known minimum capacity; not priced`);
          else add(r, `Aurora Serverless v2 at its minimum ${min} ACU`, "aurora.serverlessV2.acuHour", min * H, "fixed");
        } else {
          add(r, `Aurora ${cls} instance`, `aurora.instance.${cls}`, H, "fixed");
        }
        break;
      }
      case "aws_db_instance": {
        const engine = String(a.engine ?? "").replace(/^aurora-/, "");
        const cls = String(a.instance_class ?? "");
        const copies = bool(a.multi_az) === true ? 2 : 1;
        add(
          r,
          `RDS ${engine} ${cls}${copies === 2 ? " Multi-AZ" : ""}`,
          `rds.${engine === "postgresql" ? "postgres" : engine}.${cls}`,
          copies * H,
          "fixed",
        );
        const gb = num(a.allocated_storage) ?? 20;
        add(r, `RDS storage ${gb} GiB${copies === 2 ? " x2 (Multi-AZ)" : ""}`, "rds.gp3.gbMonth", copies * gb, "fixed");
        if (bool(a.manage_master_user_password) === true) add(r, "managed master secret", "secretsManager.secretMonth", 1, "fixed");
        break;
      }
      case "aws_elasticache_replication_group": {
        const nodes = num(a.num_cache_clusters) ?? (num(a.num_node_groups) ?? 1) * ((num(a.replicas_per_node_group) ?? 0) + 1);
        add(r, `ElastiCache ${String(a.node_type)} x${nodes}`, `elasticache.${String(a.node_type)}`, nodes * H, "fixed");
        break;
      }
      case "aws_cloudwatch_metric_alarm":
        add(
          r,
          "CloudWatch alarm",
          "cloudwatch.alarmMonth",
          Math.max(1, blocks(a.metric_query).filter((q) => isObj(q.metric)).length || 1),
          "fixed",
        );
        break;
      case "aws_wafv2_web_acl": {
        add(r, "WAF web ACL", "waf.webAclMonth", 1, "fixed");
        const rules = blocks(a.rule).length;
        add(r, `WAF rules (${rules})`, "waf.ruleMonth", rules, "fixed");
        perUsage(r, "WAF requests inspected", "waf.million", "wafRequestsMillion", "million requests");
        break;
      }
      case "aws_route53_zone":
      case "aws_service_discovery_private_dns_namespace":
      case "aws_service_discovery_public_dns_namespace":
        add(
          r,
          r.type === "aws_route53_zone" ? "Route 53 hosted zone" : "Cloud Map namespace's hosted zone",
          "route53.hostedZoneMonth",
          1,
          "fixed",
        );
        break;
      case "aws_ssm_parameter":
        if (a.tier === "Advanced") add(r, "advanced parameter", "ssm.advancedParameterMonth", 1, "fixed");
        break;
      case "aws_api_gateway_rest_api":
        perUsage(r, "REST API requests", "apigateway.rest.million", "apiRequestsMillion", "million requests");
        break;
      case "aws_apigatewayv2_api":
        perUsage(
          r,
          `${String(a.protocol_type ?? "HTTP")} API requests`,
          "apigateway.http.million",
          "apiRequestsMillion",
          "million requests",
        );
        break;
      case "aws_cloudfront_distribution":
        perUsage(r, "CloudFront data transfer out", "cloudfront.gb", "cloudfrontGb", "GB");
        add(
          r,
          "CloudFront HTTPS requests",
          "cloudfront.https10k",
          u("cloudfrontRequestsMillion") * 100,
          "usage",
          `${u("cloudfrontRequestsMillion")} million requests (cloudfrontRequestsMillion)`,
        );
        break;
      case "aws_lambda_function": {
        const arch = strings(a.architectures)[0] === "arm64" ? "arm64" : "x86_64";
        const memGb = (num(a.memory_size) ?? 128) / 1024;
        const inv = u("lambdaInvocationsMillion");
        const ms = u("lambdaAvgDurationMs");
        add(r, "Lambda requests", "lambda.million", inv, "usage", `${inv} million invocations (lambdaInvocationsMillion)`);
        add(
          r,
          `Lambda duration (${arch}, ${num(a.memory_size) ?? 128} MB)`,
          `lambda.${arch}.gbSecond`,
          inv * 1e6 * (ms / 1000) * memGb,
          "usage",
          `${ms} ms per invocation (lambdaAvgDurationMs)`,
        );
        const model_ = String(get(a, "environment.variables.MODEL_ID") ?? "");
        if (/claude-3-haiku/.test(model_)) {
          perUsage(
            r,
            "Bedrock input tokens (Claude 3 Haiku)",
            "bedrock.claude3Haiku.inputMillion",
            "bedrockInputTokensMillion",
            "million input tokens",
          );
          perUsage(
            r,
            "Bedrock output tokens (Claude 3 Haiku)",
            "bedrock.claude3Haiku.outputMillion",
            "bedrockOutputTokensMillion",
            "million output tokens",
          );
        } else if (/^[a-z.-]*\.?[a-z]+\.[a-z0-9-]+/.test(model_) && model_.includes(".")) {
          notPriced.add(`Bedrock tokens of ${model_} (${r.address}): no price in the table`);
        }
        break;
      }
      case "aws_cloudwatch_log_group": {
        const flow = model.referrers(r, "aws_flow_log", "log_destination").length > 0;
        if (flow) perUsage(r, "flow log ingestion (vended)", "cloudwatch.logs.vendedGb", "flowLogsGb", "GB");
        else perUsage(r, "log ingestion", "cloudwatch.logs.ingestGb", "logsIngestGbPerGroup", "GB per group");
        perUsage(r, "log storage", "cloudwatch.logs.storageGbMonth", "logsStoredGbPerGroup", "GB kept per group");
        break;
      }
      case "aws_s3_bucket":
        perUsage(r, "S3 storage", "s3.standard.gbMonth", "s3StorageGbPerBucket", "GB");
        break;
      case "aws_sqs_queue":
        perUsage(r, "SQS requests", "sqs.million", "sqsRequestsMillionPerQueue", "million");
        break;
      case "aws_sns_topic_subscription":
        // E-mail, https, Lambda and SQS deliveries of alarm volumes cost next to nothing; text messages are billed each.
        if (str(a.protocol) === "sms")
          notPriced.add("SNS SMS: per text message by destination country (and an origination identity where required), not estimated");
        break;
      case "aws_sns_topic":
        perUsage(r, "SNS publishes", "sns.million", "snsPublishesMillionPerTopic", "million");
        break;
      case "aws_dynamodb_table":
        if ((str(a.billing_mode) ?? "PROVISIONED") === "PAY_PER_REQUEST") {
          perUsage(r, "DynamoDB writes", "dynamodb.writeMillion", "dynamodbWritesMillionPerTable", "million");
          perUsage(r, "DynamoDB reads", "dynamodb.readMillion", "dynamodbReadsMillionPerTable", "million");
        } else notPriced.add(`${r.address}: provisioned DynamoDB capacity`);
        break;
      case "aws_ecr_repository":
        perUsage(r, "ECR storage", "ecr.storage.gbMonth", "ecrStorageGbPerRepository", "GB");
        break;
      default:
        if (NOT_PRICED[r.type]) notPriced.add(NOT_PRICED[r.type]);
        else if (!FREE.has(r.type)) notPriced.add(`${r.type}: no cost model (${r.address})`);
    }
  }
  // Aurora storage and I/O, once per cluster.
  for (const c of model.resources("aws_rds_cluster")) {
    perUsage(c, "Aurora storage", "aurora.storage.gbMonth", "auroraStorageGb", "GB");
    perUsage(c, "Aurora I/O", "aurora.io.million", "auroraIoMillion", "million I/O requests");
    if (bool(c.attrs.manage_master_user_password) === true) add(c, "managed master secret", "secretsManager.secretMonth", 1, "fixed");
  }
  // X-Ray, once, when anything traces.
  const tracers = model
    .resources()
    .filter((r) => get(r.attrs, "tracing_config.mode") === "Active" || bool(r.attrs.xray_tracing_enabled) === true);
  if (tracers.length) perUsage(tracers, "X-Ray traces", "xray.tracesMillion", "xrayTracesMillion", "million traces");
  if (
    model
      .resources("aws_ecs_cluster")
      .some((c) => blocks(c.attrs.setting).some((s) => s.name === "containerInsights" && s.value !== "disabled"))
  )
    notPriced.add(CONTAINER_INSIGHTS_NOTE);
  notPriced.add("Data transfer out to the internet and between AZs: not estimated");

  const byLayer = new Map<string, { fixedUsd: number; usageUsd: number }>();
  for (const s of model.stacks) byLayer.set(s.name, { fixedUsd: 0, usageUsd: 0 });
  for (const i of items) {
    const l = byLayer.get(i.layer) ?? { fixedUsd: 0, usageUsd: 0 };
    if (i.basis === "fixed") l.fixedUsd += i.monthlyUsd;
    else l.usageUsd += i.monthlyUsd;
    byLayer.set(i.layer, l);
  }
  const layers = [...byLayer.entries()].map(([layer, v]) => ({
    layer,
    fixedUsd: round(v.fixedUsd, 2),
    usageUsd: round(v.usageUsd, 2),
    totalUsd: round(v.fixedUsd + v.usageUsd, 2),
  }));
  const fixedUsd = round(
    layers.reduce((n, l) => n + l.fixedUsd, 0),
    2,
  );
  const usageUsd = round(
    layers.reduce((n, l) => n + l.usageUsd, 0),
    2,
  );
  return {
    region,
    currency: table.currency,
    hoursPerMonth: H,
    priceFile: file,
    items,
    layers,
    totals: { fixedUsd, usageUsd, totalUsd: round(fixedUsd + usageUsd, 2) },
    notPriced: [...notPriced].sort(),
    usage,
    warnings: [...new Set(warnings)],
  };
}

/** Adds a priced line: `quantity` of the price `priceKey`, for `r`, with the assumption behind a usage-based quantity. */
type AddLine = (
  r: Resource | Resource[],
  component: string,
  priceKey: string,
  quantity: number,
  basis: "fixed" | "usage",
  assumption?: string,
) => void;

/** Fargate tasks of a service at their minimum count (autoscaling minimum, else desired count). */
function priceService(model: EnvModel, svc: Resource, H: number, add: AddLine, u: (key: string) => number, notPriced: Set<string>): void {
  const a = svc.attrs;
  const strategy = blocks(a.capacity_provider_strategy);
  const fargate = a.launch_type === "FARGATE" || strategy.some((s) => String(s.capacity_provider).startsWith("FARGATE"));
  if (!fargate) {
    notPriced.add(`${svc.address}: EC2-backed ECS service (priced with its instances)`);
    return;
  }
  const task = model.resolve(svc.stack, svc.config.task_definition).find((t) => t.type === "aws_ecs_task_definition");
  if (!task) {
    notPriced.add(`${svc.address}: task definition not found`);
    return;
  }
  const tasks = minTasks(model, svc);
  const vcpu = (num(task.attrs.cpu) ?? 256) / 1024;
  const gb = (num(task.attrs.memory) ?? 512) / 1024;
  const arch = String(get(task.attrs, "runtime_platform.cpu_architecture") ?? "X86_64").toUpperCase() === "ARM64" ? "arm64" : "x86_64";
  // Spot share: tasks beyond the on-demand base, split by weight.
  const spot = strategy.find((s) => s.capacity_provider === "FARGATE_SPOT");
  const onDemand = strategy.find((s) => s.capacity_provider === "FARGATE");
  let spotTasks = 0;
  if (spot) {
    const base = num(onDemand?.base) ?? 0;
    const wSpot = num(spot.weight) ?? 0;
    const wOd = num(onDemand?.weight) ?? 0;
    spotTasks = wSpot + wOd > 0 ? Math.max(0, tasks - base) * (wSpot / (wSpot + wOd)) : 0;
  }
  const odTasks = tasks - spotTasks;
  const name = str(a.name) ?? svc.name;
  const size = `${vcpu} vCPU / ${gb} GB ${arch}`;
  if (odTasks > 0) {
    add(svc, `Fargate ${name}: ${round(odTasks, 2)} task(s) x ${size}, vCPU`, `fargate.${arch}.vcpuHour`, odTasks * vcpu * H, "fixed");
    add(svc, `Fargate ${name}: memory`, `fargate.${arch}.gbHour`, odTasks * gb * H, "fixed");
  }
  if (spotTasks > 0) {
    const f = 1 - u("fargateSpotDiscount");
    add(
      svc,
      `Fargate Spot ${name}: ${round(spotTasks, 2)} task(s), vCPU`,
      `fargate.${arch}.vcpuHour`,
      spotTasks * vcpu * H * f,
      "usage",
      `Spot at ${Math.round(u("fargateSpotDiscount") * 100)}% off on-demand (fargateSpotDiscount)`,
    );
    add(
      svc,
      `Fargate Spot ${name}: memory`,
      `fargate.${arch}.gbHour`,
      spotTasks * gb * H * f,
      "usage",
      `Spot at ${Math.round(u("fargateSpotDiscount") * 100)}% off on-demand (fargateSpotDiscount)`,
    );
  }
  if (block0(a.service_registries)) add(svc, `Cloud Map instances of ${name}`, "cloudmap.instanceMonth", tasks, "fixed");
}

function block0(v: unknown): boolean {
  return blocks(v).length > 0;
}

/** Minimum running tasks of a service: its autoscaling target's minimum, else its desired count. */
export function minTasks(model: EnvModel, svc: Resource): number {
  const target = model
    .referrers(svc, "aws_appautoscaling_target", "resource_id")
    .find((t) => t.attrs.scalable_dimension === "ecs:service:DesiredCount");
  return num(target?.attrs.min_capacity) ?? num(svc.attrs.desired_count) ?? 1;
}

export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
