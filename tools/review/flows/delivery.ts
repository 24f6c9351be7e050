/**
 * Flows AWS services carry for the platform: EventBridge rule -> target (and its dead-letter
 * queue), CloudWatch alarm -> topic, topic -> subscription (queue, function, e-mail, SMS, https, Chatbot),
 * log group -> its KMS key, API Gateway / Cognito -> Lambda, Lambda -> its failure destination.
 * Each is judged by the target's resource policy and KMS key policy with the context the calling
 * service sends (service-context.ts).
 */
import type { Resource } from "../model";
import { block, blocks, str } from "../tf";
import type { FlowContext } from "./context";
import { hop, makeFlow, notApplicable, type Flow, type Hop } from "./types";

/** What a service delivers to: a topic, a queue, a function or an alias of one. */
export const ROUTABLE = ["aws_sns_topic", "aws_sqs_queue", "aws_lambda_function", "aws_lambda_alias"];

function deliveryHops(
  c: FlowContext,
  caller: string,
  target: Resource,
  facts: { "aws:SourceArn": string; "aws:SourceAccount": string },
): Hop[] {
  if (target.type === "aws_sns_topic")
    return [
      ...c.serviceToResource(caller, "sns:Publish", target, facts),
      ...c.serviceToKey(caller, "kms (topic encryption)", target, facts),
    ];
  if (target.type === "aws_sqs_queue")
    return [
      ...c.serviceToResource(caller, "sqs:SendMessage", target, facts),
      ...c.serviceToKey(caller, "kms (queue encryption)", target, facts),
    ];
  if (target.type === "aws_lambda_function" || target.type === "aws_lambda_alias") {
    const fn = c.functionOf(target);
    if (!fn) return [hop("resource-policy", "function", false, `${target.id}: function not found`, "")];
    return c.serviceToResource(caller, "lambda:InvokeFunction", fn, facts, c.sym.arn(target));
  }
  return [
    hop(
      "resource-policy",
      `${caller} -> ${target.type}`,
      false,
      `delivery to ${target.type} is not modelled`,
      "extend tools/review/flows/delivery.ts",
    ),
  ];
}

export function eventFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  for (const t of c.model.resources("aws_cloudwatch_event_target")) {
    const rule = c.model.resolve(t.stack, t.config.rule).find((r) => r.type === "aws_cloudwatch_event_rule");
    const target = c.model.resolve(t.stack, t.config.arn).find((r) => ROUTABLE.includes(r.type));
    const from = rule ? `event rule ${rule.name}` : `event target ${t.name}`;
    const facts = { "aws:SourceArn": rule ? c.sym.arn(rule) : "", "aws:SourceAccount": c.env.accountId };
    if (!target) {
      const what = c.sym.render(t.stack, String(t.attrs.arn ?? ""));
      out.push(
        notApplicable(
          `event:${t.stack}/${t.name}`,
          "event-target",
          from,
          what,
          `target ${what} is not a topic, queue or function of the environment (role-based and external targets are not modelled)`,
        ),
      );
    } else {
      const hops: Hop[] = [
        hop(
          "resource-policy",
          "rule",
          !!rule,
          rule ? `rule ${c.sym.arn(rule)}` : "the target names no rule of the environment",
          "point the target at a rule",
        ),
      ];
      if (str(t.attrs.role_arn) && (target.type === "aws_sns_topic" || target.type === "aws_sqs_queue"))
        hops.push(
          hop(
            "identity",
            "target role",
            false,
            "a role_arn on an SNS/SQS target: delivery uses the role, and fails with encrypted targets",
            "drop role_arn; the resource policy grants EventBridge (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-resource-based.html)",
          ),
        );
      hops.push(...deliveryHops(c, "events.amazonaws.com", target, facts));
      out.push(makeFlow(`event:${t.stack}/${t.name}`, "event-target", from, c.label(target), hops));
    }
    const dlqArn = block(t.config.dead_letter_config)?.arn;
    const dlq = dlqArn ? c.model.resolve(t.stack, dlqArn).find((r) => r.type === "aws_sqs_queue") : undefined;
    if (dlq)
      out.push(
        makeFlow(`event-dlq:${t.stack}/${t.name}`, "event-dlq", from, c.label(dlq), deliveryHops(c, "events.amazonaws.com", dlq, facts)),
      );
  }
  return out;
}

/** Alarms grouped by the topic they notify: one flow per topic, every alarm checked. */
export function alarmFlows(c: FlowContext): Flow[] {
  const byTopic = new Map<string, { topic: Resource; alarms: Resource[] }>();
  for (const a of c.model.resources(["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"])) {
    for (const key of ["alarm_actions", "ok_actions", "insufficient_data_actions"]) {
      for (const topic of c.model.resolve(a.stack, a.config[key]).filter((r) => r.type === "aws_sns_topic")) {
        const e = byTopic.get(topic.id) ?? { topic, alarms: [] };
        if (!e.alarms.includes(a)) e.alarms.push(a);
        byTopic.set(topic.id, e);
      }
    }
  }
  const out: Flow[] = [];
  for (const { topic, alarms } of byTopic.values()) {
    let hops: Hop[] = [];
    for (const a of alarms) {
      const h = deliveryHops(c, "cloudwatch.amazonaws.com", topic, { "aws:SourceArn": c.sym.arn(a), "aws:SourceAccount": c.env.accountId });
      const failed = h.find((x) => !x.ok);
      if (failed) {
        hops = h.map((x) => ({ ...x, name: `${x.name} (alarm ${c.sym.nameOf(a)})` }));
        break;
      }
      hops = h;
    }
    out.push(makeFlow(`alarms->${topic.stack}/${topic.name}`, "alarm-topic", `${alarms.length} CloudWatch alarms`, c.label(topic), hops));
  }
  return out;
}

export function subscriptionFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  for (const s of c.model.resources("aws_sns_topic_subscription")) {
    const topic = c.model.resolve(s.stack, s.config.topic_arn).find((r) => r.type === "aws_sns_topic");
    const protocol = String(s.attrs.protocol ?? "");
    const from = topic ? c.label(topic) : c.sym.render(s.stack, String(s.attrs.topic_arn ?? ""));
    const subscription = (to: string, hops: Hop[]) =>
      out.push(makeFlow(`subscription:${s.stack}/${s.name}`, "topic-subscription", from, to, hops));
    if (!topic) {
      subscription(protocol, [
        hop("resource-policy", "topic", false, "the subscription names no topic of the environment", "subscribe to the platform's topic"),
      ]);
      continue;
    }
    const facts = { "aws:SourceArn": c.sym.arn(topic), "aws:SourceAccount": c.env.accountId };
    if (protocol === "sqs" || protocol === "lambda") {
      const target = c.model.resolve(s.stack, s.config.endpoint).find((r) => ROUTABLE.includes(r.type));
      const hops = target
        ? deliveryHops(c, "sns.amazonaws.com", target, facts)
        : [hop("resource-policy", "endpoint", false, "endpoint is not a queue or function of the environment", "")];
      subscription(target ? c.label(target) : protocol, hops);
    } else {
      subscription(`${protocol} ${c.sym.render(s.stack, String(s.attrs.endpoint ?? ""))}`, directDelivery(protocol, s.attrs));
    }
  }
  for (const cfg of c.model.resources(["aws_chatbot_slack_channel_configuration", "aws_chatbot_teams_channel_configuration"])) {
    const topics = c.model.resolve(cfg.stack, cfg.config.sns_topic_arns).filter((r) => r.type === "aws_sns_topic");
    for (const topic of topics) {
      const role = c.policies.roleOf(cfg.stack, cfg.config.iam_role_arn);
      // One flow per topic the channel hears (severity topics): the first keeps the plain id.
      const id = `chatbot:${cfg.stack}/${cfg.name}${topic === topics[0] ? "" : `<-${topic.name}`}`;
      out.push(
        makeFlow(id, "topic-subscription", c.label(topic), `Chatbot ${cfg.name}`, [
          hop(
            "identity",
            "channel role",
            !!role,
            role ? `role ${role.name}` : "the channel configuration names no role of the environment",
            "give the channel a role",
          ),
          hop("resource-policy", "https delivery", true, "Chatbot subscribes over HTTPS; SNS decrypts the topic itself"),
        ]),
      );
    }
  }
  return out;
}

/** E.164, the only phone number format SNS accepts for the sms protocol. */
const E164 = /^\+[1-9][0-9]{6,14}$/;

/**
 * Deliveries SNS makes itself, to an address outside the account (e-mail, sms, http/https): no
 * resource or key policy is involved (SNS decrypts the topic with its own use of the key), so what
 * can break is the address: a phone number SNS refuses (not E.164), or alarm content sent over
 * plain http. SMS further depends on account settings Terraform does not hold (the SMS sandbox,
 * the spend limit, an origination identity where the country requires one), named in the detail.
 */
export function directDelivery(protocol: string, attrs: Record<string, unknown>): Hop[] {
  const endpoint = String(attrs.endpoint ?? "");
  const literal = !endpoint.includes("${");
  if (protocol === "sms") {
    return [
      hop(
        "resource-policy",
        "sms number",
        !literal || E164.test(endpoint),
        literal
          ? E164.test(endpoint)
            ? "an E.164 number; SNS sends the text itself (no topic or key policy involved) once the account is out of the SMS sandbox and within its SMS spend limit; opted-out numbers receive nothing"
            : `${endpoint} is not an E.164 number (+, country code, number, digits only): SNS refuses the subscription`
          : "a number known at apply time only: not checked",
        "write the number as +<country code><number> (https://docs.aws.amazon.com/sns/latest/dg/sms_publish-to-phone.html)",
      ),
    ];
  }
  if (protocol === "http" || protocol === "https") {
    const secure = protocol === "https" && (!literal || endpoint.startsWith("https://"));
    const confirms = attrs.endpoint_auto_confirms === true;
    return [
      hop(
        "resource-policy",
        `${protocol} delivery`,
        secure,
        secure
          ? `SNS posts over TLS itself; ${confirms ? "the endpoint confirms the subscription itself" : "the subscription stays pending until the endpoint visits its SubscribeURL"}`
          : "plain http: alarm contents would leave AWS unencrypted",
        "subscribe with protocol https to an https:// URL",
      ),
    ];
  }
  return [
    hop(
      "resource-policy",
      `${protocol} delivery`,
      true,
      `SNS delivers ${protocol} itself (the topic key is SNS's own use); ${protocol === "email" ? "the address must confirm the subscription" : "no resource policy involved"}`,
    ),
  ];
}

/** Log groups with a customer managed key: CloudWatch Logs must be allowed to use it for that group. */
export function logKeyFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  for (const lg of c.model.resources("aws_cloudwatch_log_group")) {
    if (!c.policies.keyOf(lg)) continue;
    const hops = c.serviceToKey(`logs.${c.env.region}.amazonaws.com`, "kms (log group encryption)", lg, {
      "kms:EncryptionContext:aws:logs:arn": c.sym.arn(lg),
    });
    out.push(makeFlow(`logs:${lg.stack}/${lg.name}`, "log-encryption", `logs.${c.env.region}.amazonaws.com`, c.label(lg), hops));
  }
  return out;
}

/** API Gateway integrations of type AWS_PROXY and Cognito triggers -> the function's permission. */
export function invokeFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  for (const i of c.model.resources(["aws_api_gateway_integration", "aws_apigatewayv2_integration"])) {
    const uri = i.config.uri ?? i.config.integration_uri;
    const fn = c.invoked(i.stack, uri);
    if (!fn) continue;
    const resource = integrationResource(c, i);
    // REST: the method's resource path; HTTP API: the route key of the route targeting the integration.
    const route =
      i.type === "aws_apigatewayv2_integration"
        ? c.model.resources("aws_apigatewayv2_route").find((r) => c.model.refersTo(r, i, "target"))
        : undefined;
    const routeKey = route ? String(route.attrs.route_key ?? "").split(" ") : [];
    const path = route ? (routeKey[1] ?? "/") : resource ? apiPath(c, resource) : "/";
    const httpMethod = route ? (routeKey[0] ?? "ANY") : c.sym.render(i.stack, String(i.attrs.http_method ?? "ANY"));
    const api = c.model
      .resolve(i.stack, i.config.rest_api_id ?? i.config.api_id)
      .find((r) => r.type === "aws_api_gateway_rest_api" || r.type === "aws_apigatewayv2_api");
    const stage = api ? c.model.referrers(api, ["aws_api_gateway_stage", "aws_apigatewayv2_stage"])[0] : undefined;
    const stageName = stage
      ? (c.sym.literal(stage, stage.type === "aws_api_gateway_stage" ? "stage_name" : "name") ?? "⟦stage⟧")
      : "⟦stage⟧";
    const exec = api ? c.sym.attr(api, ["execution_arn"]) : "⟦api⟧";
    const sourceArn = `${exec}/${stageName}/${httpMethod === "ANY" ? "GET" : httpMethod}${path}`;
    const hops = deliveryHops(c, "apigateway.amazonaws.com", fn, { "aws:SourceArn": sourceArn, "aws:SourceAccount": c.env.accountId });
    out.push(makeFlow(`api-invoke:${i.stack}/${i.name}`, "api-lambda", `API ${httpMethod} ${path}`, c.label(fn), hops));
  }
  for (const pool of c.model.resources("aws_cognito_user_pool")) {
    const cfg = block(pool.config.lambda_config);
    if (!cfg) continue;
    for (const [trigger, v] of Object.entries(cfg)) {
      const fn = c.invoked(pool.stack, v);
      if (!fn) continue;
      const hops = deliveryHops(c, "cognito-idp.amazonaws.com", fn, {
        "aws:SourceArn": c.sym.arn(pool),
        "aws:SourceAccount": c.env.accountId,
      });
      out.push(
        makeFlow(
          `cognito:${pool.stack}/${pool.name}/${trigger}`,
          "cognito-trigger",
          `user pool ${pool.name} (${trigger})`,
          c.label(fn),
          hops,
        ),
      );
    }
  }
  return out;
}

/** The API Gateway resource a REST integration is on: its resource_id names the resource, or a method on it. */
export function integrationResource(c: FlowContext, i: Resource): Resource | undefined {
  const on = c.model
    .resolve(i.stack, i.config.resource_id)
    .find((r) => r.type === "aws_api_gateway_method" || r.type === "aws_api_gateway_resource");
  return on?.type === "aws_api_gateway_method"
    ? c.model.resolve(on.stack, on.config.resource_id).find((r) => r.type === "aws_api_gateway_resource")
    : on;
}

/** The path of an API Gateway resource: parents joined. */
export function apiPath(c: FlowContext, r: Resource): string {
  const parts: string[] = [];
  let cur: Resource | undefined = r;
  for (let i = 0; cur && i < 20; i++) {
    parts.unshift(String(cur.attrs.path_part ?? ""));
    cur = c.model.resolve(cur.stack, cur.config.parent_id).find((x) => x.type === "aws_api_gateway_resource");
  }
  return `/${parts.join("/")}`;
}

/** Lambda failure destinations and dead-letter queues: the function's role sends there. */
export function lambdaFailureFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const send = (fn: Resource, role: Resource | undefined, target: Resource, id: string) => {
    if (!role)
      return out.push(
        makeFlow(id, "lambda-failure", c.label(fn), c.label(target), [
          hop("identity", "role", false, "the function names no role of the environment", ""),
        ]),
      );
    const action = target.type === "aws_sns_topic" ? "sns:Publish" : "sqs:SendMessage";
    const service = target.type === "aws_sns_topic" ? "sns" : "sqs";
    const hops = [
      c.roleToResource(role, action, target),
      ...c.roleToKey(role, target, service, "kms:GenerateDataKey"),
      ...networkOfFunction(c, fn, service),
    ];
    return out.push(makeFlow(id, "lambda-failure", c.label(fn), c.label(target), hops));
  };
  for (const fn of c.model.resources("aws_lambda_function")) {
    const role = c.policies.roleOf(fn.stack, fn.config.role);
    const dlq = block(fn.config.dead_letter_config)?.target_arn;
    const t = dlq ? c.model.resolve(fn.stack, dlq).find((r) => r.type === "aws_sqs_queue" || r.type === "aws_sns_topic") : undefined;
    if (t) send(fn, role, t, `lambda-dlq:${fn.stack}/${fn.name}`);
  }
  for (const cfg of c.model.resources("aws_lambda_function_event_invoke_config")) {
    const fn = c.model.resolve(cfg.stack, cfg.config.function_name).find((r) => r.type === "aws_lambda_function");
    const dest = block(block(cfg.config.destination_config)?.on_failure)?.destination;
    const t = dest ? c.model.resolve(cfg.stack, dest).find((r) => r.type === "aws_sqs_queue" || r.type === "aws_sns_topic") : undefined;
    if (fn && t) send(fn, c.policies.roleOf(fn.stack, fn.config.role), t, `lambda-destination:${cfg.stack}/${cfg.name}`);
  }
  return out;
}

/** The route from a function in a VPC to an AWS service (nothing to check outside a VPC). */
export function networkOfFunction(c: FlowContext, fn: Resource, service: string): Hop[] {
  const vpc = block(fn.config.vpc_config);
  if (!vpc) return [];
  const groups = c.network.groups(fn.stack, vpc.security_group_ids);
  const subnets = c.model.resolve(fn.stack, vpc.subnet_ids).filter((r) => r.type === "aws_subnet");
  return c.network.toAwsService(service, groups, subnets);
}

export const blocksOf = blocks;
