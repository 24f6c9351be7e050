/**
 * Mermaid flowcharts of the synthesized platform, readable at page width: an overview with one node
 * per layer, top to bottom in layer order, with the remote-state reads between them, and one
 * diagram per layer with its main resources (networks, security groups, roles, keys and parameters
 * summarized) and the known wiring to the resources of other layers (front doors to load balancers
 * and functions, load balancers to services, services to the database, WAF to what it protects,
 * alarms to topics, ...). Node ids are sanitized and everything is sorted, so the same
 * configuration always gives the same text.
 */
import type { EnvModel, Resource, Stack } from "./model";
import { minTasks } from "./cost";
import { blocks, bool, get, num, str } from "./tf";

interface Node {
  readonly id: string;
  readonly stack: string;
  readonly label: string;
  /** Mermaid shape brackets. */
  readonly shape: "box" | "round" | "db" | "queue" | "hex";
}

/** Types that get a node each, and their label. */
const MAIN: Readonly<Record<string, (r: Resource, model: EnvModel) => string>> = {
  aws_lb: (r) =>
    `${r.attrs.load_balancer_type === "network" ? "NLB" : "ALB"} ${str(r.attrs.name) ?? r.name}${bool(r.attrs.internal) ? " (internal)" : " (internet-facing)"}`,
  aws_alb: (r) => `ALB ${str(r.attrs.name) ?? r.name}`,
  aws_ecs_service: (r, m) => `ECS ${str(r.attrs.name) ?? r.name}<br/>${minTasks(m, r)}+ tasks`,
  aws_rds_cluster: (r, m) =>
    `Aurora ${String(r.attrs.engine ?? "")}<br/>${m.referrers(r, "aws_rds_cluster_instance", "cluster_identifier").length} instance(s)`,
  aws_db_instance: (r) =>
    `RDS ${String(r.attrs.engine ?? "")} ${String(r.attrs.instance_class ?? "")}${bool(r.attrs.multi_az) ? " Multi-AZ" : ""}`,
  aws_elasticache_replication_group: (r) => `Redis ${String(r.attrs.node_type ?? "")} x${num(r.attrs.num_cache_clusters) ?? 1}`,
  aws_lambda_function: (r) => `Lambda ${str(r.attrs.function_name) ?? r.name}`,
  aws_api_gateway_rest_api: (r) => `REST API ${str(r.attrs.name) ?? r.name}`,
  aws_apigatewayv2_api: (r) => `${String(r.attrs.protocol_type ?? "HTTP")} API ${str(r.attrs.name) ?? r.name}`,
  aws_cloudfront_distribution: (r) => `CloudFront ${str(r.attrs.comment) ?? r.name}`,
  aws_s3_bucket: (r) => `S3 ${str(r.attrs.bucket) ?? r.name}`,
  aws_sqs_queue: (r) => `SQS ${str(r.attrs.name) ?? r.name}`,
  aws_sns_topic: (r) => `SNS ${str(r.attrs.name) ?? r.name}`,
  aws_wafv2_web_acl: (r) => `WAF ${str(r.attrs.name) ?? r.name}`,
  aws_dynamodb_table: (r) => `DynamoDB ${str(r.attrs.name) ?? r.name}`,
  aws_service_discovery_private_dns_namespace: (r) => `Cloud Map ${str(r.attrs.name) ?? r.name}`,
  aws_cognito_user_pool: (r) => `Cognito ${str(r.attrs.name) ?? r.name}`,
  aws_cloudwatch_event_bus: (r) => `EventBridge bus ${str(r.attrs.name) ?? r.name}`,
  aws_cloudtrail: (r) => `CloudTrail ${str(r.attrs.name) ?? r.name}`,
  aws_secretsmanager_secret: (r) => `Secret ${str(r.attrs.name) ?? r.name}`,
  aws_chatbot_slack_channel_configuration: (r) => `Chatbot ${str(r.attrs.configuration_name) ?? r.name}`,
};

const SHAPE: Readonly<Record<string, Node["shape"]>> = {
  aws_rds_cluster: "db",
  aws_db_instance: "db",
  aws_elasticache_replication_group: "db",
  aws_dynamodb_table: "db",
  aws_s3_bucket: "db",
  aws_sqs_queue: "queue",
  aws_sns_topic: "queue",
  aws_wafv2_web_acl: "hex",
  aws_lambda_function: "round",
};

/** Types summarized into one node per layer: label prefix. */
const SUMMARY: Readonly<Record<string, string>> = {
  aws_security_group: "security groups",
  aws_iam_role: "IAM roles",
  aws_kms_key: "KMS keys",
  aws_ssm_parameter: "SSM parameters",
  aws_ecr_repository: "ECR repositories",
  aws_cloudwatch_metric_alarm: "CloudWatch alarms",
  aws_cloudwatch_dashboard: "dashboards",
  aws_cloudwatch_event_rule: "EventBridge rules",
  aws_service_discovery_service: "discovery services",
  aws_cloudwatch_log_group: "log groups",
};

export function sanitizeId(s: string): string {
  return s.replace(/[^A-Za-z0-9_]/g, "_");
}

const nodeId = (r: Resource) => sanitizeId(`n_${r.stack}_${r.address}`);
const escapeLabel = (s: string) => s.replace(/"/g, "#quot;");
const subgraphId = (s: Stack) => sanitizeId(`L${s.number === "--" ? "00" : s.number}_${s.name}`);

function shaped(n: Node): string {
  const l = `"${escapeLabel(n.label)}"`;
  switch (n.shape) {
    case "db":
      return `${n.id}[(${l})]`;
    case "queue":
      return `${n.id}[[${l}]]`;
    case "round":
      return `${n.id}(${l})`;
    case "hex":
      return `${n.id}{{${l}}}`;
    default:
      return `${n.id}[${l}]`;
  }
}

/** Each stack's nodes: its main resources, the VPC parts summarized, and one node per summarized type. */
function layerNodes(model: EnvModel): Map<Stack, Node[]> {
  const out = new Map<Stack, Node[]>();
  for (const stack of model.stacks) {
    const own: Node[] = [];
    // The VPC, with subnets, NAT gateways and endpoints summarized.
    for (const vpc of stack.resources.filter((r) => r.type === "aws_vpc")) {
      const subnets = stack.resources.filter((r) => r.type === "aws_subnet");
      const azs = new Set(subnets.map((s) => str(s.attrs.availability_zone)).filter(Boolean));
      const tiers = [...new Set(subnets.map((s) => String(get(s.attrs, "tags.Tier") ?? "")).filter(Boolean))].sort();
      own.push({
        id: nodeId(vpc),
        stack: stack.name,
        label: `VPC ${String(vpc.attrs.cidr_block ?? "")}<br/>${subnets.length} subnets${tiers.length ? ` (${tiers.join(", ")})` : ""} in ${azs.size} AZs`,
        shape: "box",
      });
    }
    const nats = stack.resources.filter((r) => r.type === "aws_nat_gateway");
    if (nats.length)
      own.push({ id: sanitizeId(`n_${stack.name}_nat`), stack: stack.name, label: `NAT gateways x${nats.length}`, shape: "box" });
    const endpoints = stack.resources.filter((r) => r.type === "aws_vpc_endpoint");
    if (endpoints.length) {
      const names = endpoints
        .map((e) =>
          String(e.attrs.service_name ?? e.name)
            .split(".")
            .slice(3)
            .join("."),
        )
        .sort();
      own.push({
        id: sanitizeId(`n_${stack.name}_endpoints`),
        stack: stack.name,
        label: `VPC endpoints x${endpoints.length}<br/>${names.join(", ")}`,
        shape: "box",
      });
    }
    for (const r of stack.resources) {
      const label = MAIN[r.type];
      if (!label) continue;
      own.push({ id: nodeId(r), stack: stack.name, label: label(r, model), shape: SHAPE[r.type] ?? "box" });
    }
    for (const [type, what] of Object.entries(SUMMARY)) {
      const n = stack.resources.filter((r) => r.type === type).length;
      if (n) own.push({ id: sanitizeId(`n_${stack.name}_${type}`), stack: stack.name, label: `${what} x${n}`, shape: "box" });
    }
    own.sort((a, b) => a.id.localeCompare(b.id));
    if (!own.length)
      own.push({ id: sanitizeId(`n_${stack.name}_empty`), stack: stack.name, label: `${stack.resources.length} resources`, shape: "box" });
    out.set(stack, own);
  }
  return out;
}

interface DrawnEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly dashed?: boolean;
}

/** The wiring between nodes that are drawn, without self-loops, deduplicated and sorted. */
function drawnEdges(model: EnvModel, nodes: ReadonlyMap<string, Node>): DrawnEdge[] {
  const seen = new Map<string, DrawnEdge>();
  for (const e of wiring(model)) {
    const from = nodeId(e.from);
    const to = nodeId(e.to);
    if (from === to || !nodes.has(from) || !nodes.has(to)) continue;
    const edge = { from, to, label: e.label, dashed: e.dashed };
    seen.set(edgeLine(edge), edge);
  }
  return [...seen.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, e]) => e);
}

function edgeLine(e: DrawnEdge, indent = "  "): string {
  return `${indent}${e.from} ${e.dashed ? "-.->" : "-->"}${e.label ? `|"${escapeLabel(e.label)}"|` : ""} ${e.to}`;
}

const stackTitle = (s: Stack) => `${s.number === "--" ? "" : `${s.number} `}${s.name}`;

/**
 * The overview: one node per layer, top to bottom in layer order, with what each layer holds and
 * the layers it reads (dashed, labelled with the outputs read). Reads always point from a layer to
 * a later one, so the layout keeps the order; run-time calls (a service to the database of an
 * earlier layer) would point back up and are drawn in the layer diagrams instead. Small enough to
 * read at page width.
 */
export function mermaidDiagram(model: EnvModel): string {
  const perStack = layerNodes(model);
  const lines: string[] = ["flowchart TB"];
  for (const [stack, own] of perStack) {
    // Its own resources first (VPC, load balancers, databases, ...), then the summarized types.
    const summaryIds = new Set(Object.keys(SUMMARY).map((t) => sanitizeId(`n_${stack.name}_${t}`)));
    const ordered = [...own.filter((n) => !summaryIds.has(n.id)), ...own.filter((n) => summaryIds.has(n.id))];
    const main = ordered.filter((n) => !n.id.endsWith("_empty")).map((n) => n.label.split("<br/>")[0]);
    const shown = main.length > 4 ? [...main.slice(0, 4), `+${main.length - 4} more`] : main;
    lines.push(
      `  ${subgraphId(stack)}["<b>${escapeLabel(stackTitle(stack))}</b><br/>${escapeLabel(shown.join("<br/>") || `${stack.resources.length} resources`)}"]`,
    );
  }
  const edges = new Set<string>();
  for (const s of model.stacks) {
    for (const read of s.remoteReads) {
      const producer = read.layer ? model.stack(read.layer) : undefined;
      if (!producer) continue;
      const outs = read.outputs.length > 3 ? `${read.outputs.slice(0, 3).join(", ")} +${read.outputs.length - 3}` : read.outputs.join(", ");
      edges.add(`  ${subgraphId(producer)} -.->|"${escapeLabel(outs || "state")}"| ${subgraphId(s)}`);
    }
  }
  lines.push(...[...edges].sort());
  return `${lines.join("\n")}\n`;
}

export interface LayerDiagram {
  readonly layer: string;
  readonly number: string;
  readonly text: string;
}

/**
 * One diagram per layer, left to right: the layer's own resources in its subgraph, and the
 * resources of other layers it is wired to (front doors, targets, topics) in theirs.
 */
export function layerDiagrams(model: EnvModel): LayerDiagram[] {
  const perStack = layerNodes(model);
  const byId = new Map([...perStack.values()].flat().map((n) => [n.id, n] as const));
  const stackOf = new Map([...perStack.entries()].flatMap(([s, ns]) => ns.map((n) => [n.id, s] as const)));
  const edges = drawnEdges(model, byId);
  return model.stacks.map((stack) => {
    const own = perStack.get(stack) ?? [];
    const ownIds = new Set(own.map((n) => n.id));
    const touching = edges.filter((e) => ownIds.has(e.from) || ownIds.has(e.to));
    const neighbours = new Map<Stack, Node[]>();
    for (const id of new Set(touching.flatMap((e) => [e.from, e.to]).filter((id) => !ownIds.has(id)))) {
      const s = stackOf.get(id)!;
      neighbours.set(s, [...(neighbours.get(s) ?? []), byId.get(id)!]);
    }
    const lines = [
      "flowchart LR",
      `  subgraph ${subgraphId(stack)}["${escapeLabel(stackTitle(stack))}"]`,
      ...own.map((n) => `    ${shaped(n)}`),
      "  end",
    ];
    for (const s of model.stacks.filter((x) => neighbours.has(x))) {
      lines.push(
        `  subgraph ${subgraphId(s)}["${escapeLabel(stackTitle(s))}"]`,
        ...neighbours
          .get(s)!
          .sort((a, b) => a.id.localeCompare(b.id))
          .map((n) => `    ${shaped(n)}`),
        "  end",
      );
    }
    lines.push(...touching.map((e) => edgeLine(e)));
    return { layer: stack.name, number: stack.number, text: `${lines.join("\n")}\n` };
  });
}

interface Edge {
  readonly from: Resource;
  readonly to: Resource;
  readonly label?: string;
  readonly dashed?: boolean;
}

/** The known wiring between main resources. */
export function wiring(model: EnvModel): Edge[] {
  const out: Edge[] = [];
  const of = (r: Resource, v: unknown, types: string | string[]) => {
    const t = typeof types === "string" ? [types] : types;
    return model.resolve(r.stack, v).filter((x) => t.includes(x.type));
  };
  const lbOfTargetGroup = (tg: Resource): Resource[] => {
    const lbs: Resource[] = [];
    for (const rule of model.referrers(tg, ["aws_lb_listener_rule", "aws_lb_listener"])) {
      const listener = rule.type === "aws_lb_listener" ? [rule] : of(rule, rule.config.listener_arn, "aws_lb_listener");
      for (const l of listener) lbs.push(...of(l, l.config.load_balancer_arn, ["aws_lb", "aws_alb"]));
    }
    return lbs;
  };
  // Load balancers to services.
  for (const svc of model.resources("aws_ecs_service")) {
    for (const lbBlock of blocks(svc.config.load_balancer)) {
      for (const tg of of(svc, lbBlock.target_group_arn, "aws_lb_target_group"))
        for (const lb of lbOfTargetGroup(tg)) out.push({ from: lb, to: svc });
    }
    // Services to what their tasks use (database, cache, secrets, queues, topics).
    for (const task of of(svc, svc.config.task_definition, "aws_ecs_task_definition")) {
      for (const used of model.resolve(task.stack, task.config)) {
        if (
          [
            "aws_rds_cluster",
            "aws_db_instance",
            "aws_elasticache_replication_group",
            "aws_sqs_queue",
            "aws_sns_topic",
            "aws_s3_bucket",
            "aws_secretsmanager_secret",
            "aws_dynamodb_table",
          ].includes(used.type)
        )
          out.push({ from: svc, to: used });
      }
    }
    for (const reg of blocks(svc.config.service_registries)) {
      for (const ds of of(svc, reg.registry_arn, "aws_service_discovery_service")) {
        for (const ns of of(ds, get(ds.config, "dns_config.namespace_id"), "aws_service_discovery_private_dns_namespace"))
          out.push({ from: svc, to: ns, label: "registers", dashed: true });
      }
    }
  }
  // NLB in front of an ALB.
  for (const att of model.resources("aws_lb_target_group_attachment")) {
    for (const target of of(att, att.config.target_id, ["aws_lb", "aws_alb"])) {
      for (const tg of of(att, att.config.target_group_arn, "aws_lb_target_group"))
        for (const front of lbOfTargetGroup(tg)) out.push({ from: front, to: target });
    }
  }
  // APIs to their backends.
  for (const i of model.resources(["aws_api_gateway_integration", "aws_apigatewayv2_integration"])) {
    const apis = of(i, i.type === "aws_api_gateway_integration" ? i.config.rest_api_id : i.config.api_id, [
      "aws_api_gateway_rest_api",
      "aws_apigatewayv2_api",
    ]);
    const links = of(i, i.config.connection_id, ["aws_api_gateway_vpc_link", "aws_apigatewayv2_vpc_link"]);
    // Through a VPC link the request goes to the link's target, whatever host the URI names.
    const byUri = links.length
      ? ["aws_lambda_function", "aws_lambda_alias"]
      : ["aws_lambda_function", "aws_lambda_alias", "aws_lb", "aws_alb", "aws_lb_listener"];
    const backends = [
      ...links.flatMap((l) => of(l, l.config.target_arns, ["aws_lb", "aws_alb"])),
      ...of(i, i.config.uri ?? i.config.integration_uri, byUri).flatMap((b) =>
        b.type === "aws_lambda_alias"
          ? of(b, b.config.function_name, "aws_lambda_function")
          : b.type === "aws_lb_listener"
            ? of(b, b.config.load_balancer_arn, ["aws_lb", "aws_alb"])
            : [b],
      ),
    ];
    for (const api of apis)
      for (const b of backends)
        out.push({ from: api, to: b, label: links.length && b.type !== "aws_lambda_function" ? "VPC link" : undefined });
  }
  // WAF to what it protects.
  for (const a of model.resources("aws_wafv2_web_acl_association")) {
    for (const waf of of(a, a.config.web_acl_arn, "aws_wafv2_web_acl")) {
      for (const target of model.resolve(a.stack, a.config.resource_arn)) {
        const protectedNode =
          target.type === "aws_api_gateway_stage" ? of(target, target.config.rest_api_id, "aws_api_gateway_rest_api") : [target];
        for (const p of protectedNode) out.push({ from: waf, to: p, label: "protects", dashed: true });
      }
    }
  }
  for (const d of model.resources("aws_cloudfront_distribution")) {
    for (const waf of of(d, d.config.web_acl_id, "aws_wafv2_web_acl")) out.push({ from: waf, to: d, label: "protects", dashed: true });
    for (const o of blocks(d.config.origin)) {
      for (const target of model.resolve(d.stack, o.domain_name)) {
        const t = target.type === "aws_api_gateway_stage" ? of(target, target.config.rest_api_id, "aws_api_gateway_rest_api") : [target];
        for (const x of t) out.push({ from: d, to: x, label: String(o.origin_id ?? "") || undefined });
      }
    }
  }
  // Functions to their failure destinations and what they use.
  for (const f of model.resources("aws_lambda_function")) {
    for (const q of of(f, get(f.config, "dead_letter_config.target_arn"), ["aws_sqs_queue", "aws_sns_topic"]))
      out.push({ from: f, to: q, label: "failures" });
  }
  for (const c of model.resources("aws_lambda_function_event_invoke_config")) {
    const fns = of(c, c.config.function_name, "aws_lambda_function");
    for (const dest of model.resolve(c.stack, get(c.config, "destination_config.on_failure.destination")))
      for (const f of fns) out.push({ from: f, to: dest, label: "failures" });
  }
  // Alarms and events to topics; topics to subscribers.
  for (const a of model.resources(["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"])) {
    for (const t of of(a, a.config.alarm_actions, "aws_sns_topic")) out.push({ from: a, to: t });
  }
  for (const t of model.resources("aws_cloudwatch_event_target")) {
    for (const target of model.resolve(t.stack, t.config.arn)) out.push({ from: t, to: target });
  }
  for (const s of model.resources("aws_sns_topic_subscription")) {
    for (const topic of of(s, s.config.topic_arn, "aws_sns_topic"))
      for (const target of model.resolve(s.stack, s.config.endpoint)) out.push({ from: topic, to: target });
  }
  for (const m of model.resources("aws_lambda_event_source_mapping")) {
    for (const src of of(m, m.config.event_source_arn, "aws_sqs_queue"))
      for (const f of of(m, m.config.function_name, "aws_lambda_function")) out.push({ from: src, to: f });
  }
  return out.map((e) => ({ ...e, from: summaryOrSelf(e.from), to: summaryOrSelf(e.to) }));
}

/** Alarms, rules and the like are drawn as their layer's summary node. */
function summaryOrSelf(r: Resource): Resource {
  if (SUMMARY[r.type]) return { ...r, address: r.type } as Resource;
  if (r.type === "aws_cloudwatch_event_target")
    return { ...r, type: "aws_cloudwatch_event_rule", address: "aws_cloudwatch_event_rule" } as Resource;
  return r;
}

/** For the docs: the types drawn as nodes of their own. */
export const DIAGRAM_NODE_TYPES = Object.keys(MAIN).sort();
export const DIAGRAM_SUMMARY_TYPES = Object.keys(SUMMARY).sort();
