/**
 * The dashboards of layer 10 monitoring: per watched layer its alarms' status and graphs of the
 * metrics the catalogue (./alarm-catalogue.ts) alarms on, drawn with the same metric helpers of the
 * owning modules; and what the overview shows of it.
 */
import type { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { PlatformConfig } from "../../core/config/types";
import { genaiDurationThresholdMs } from "./config";
import type { Arns } from "../../core/policy";
import type { Metric } from "../../modules/alarm-set";
import type { GraphMetric, Widget } from "../../modules/dashboard";
import { queueMetric } from "../../modules/encrypted-queue";
import { ecsServiceMetric } from "../../modules/fargate-service";
import { lambdaMetric } from "../../modules/lambda-function";
import { loadBalancerMetric } from "../../modules/load-balancer";
import { rdsMetric } from "../../modules/rds-common";
import { redisNodeMetric } from "../../modules/redis-cache";
import { apiMetrics, type MonitoredResources } from "./alarm-catalogue";

type AnyAlarm = CloudwatchMetricAlarm | CloudwatchCompositeAlarm;

/** What a watched layer shows: on its own dashboard, and on the overview. */
export interface LayerWidgets {
  readonly widgets: Widget[];
  readonly overview: Widget[];
}

/** A metric drawn with another statistic (and label) than the alarm's. */
const withStat = (m: Metric, stat: string, label?: string): GraphMetric => ({ ...m, stat, label: label ?? m.label });

/**
 * Alarm status widgets, 100 alarms each (CloudWatch's limit). The ARNs are built from the alarm
 * names, so the dashboard body is known at plan time and reviewers see it whole; the dashboards
 * depend on the alarms instead.
 */
export function alarmStatus(arns: Arns, title: string, alarms: readonly AnyAlarm[]): Widget[] {
  const out: Widget[] = [];
  const arn = (a: AnyAlarm) => arns.arn("cloudwatch", `alarm:${a.alarmNameInput}`);
  for (let i = 0; i < alarms.length; i += 100) {
    out.push({
      type: "alarms",
      title: alarms.length > 100 ? `${title} (${i / 100 + 1})` : title,
      alarmArns: alarms.slice(i, i + 100).map(arn),
    });
  }
  return out;
}

export interface DashboardContext {
  readonly config: PlatformConfig;
  readonly prefix: string;
  readonly arns: Arns;
}

export function applicationWidgets(
  ctx: DashboardContext,
  lb: MonitoredResources["loadBalancer"],
  services: readonly { tg: MonitoredResources["targetGroup"]; ecs: MonitoredResources["ecsService"] }[],
  alarms: readonly AnyAlarm[],
): LayerWidgets {
  const { alb: albCfg, ecs: ecsCfg } = ctx.config.monitoring.alarms;
  const each = (label: string, pick: (s: (typeof services)[number]) => Metric) =>
    services.map((s) => ({ ...pick(s), label: `${s.tg.key}${label}` }));
  const lbRequests = loadBalancerMetric("RequestCount", "Sum", lb);
  const lbErrors = loadBalancerMetric("HTTPCode_ELB_5XX_Count", "Sum", lb);
  const responseTime = (s: (typeof services)[number]) => loadBalancerMetric("TargetResponseTime", "p95", s.tg);
  return {
    widgets: [
      {
        type: "text",
        markdown: `# ${ctx.prefix}: application\nLoad balancer and ECS services (cluster of the application layer). Thresholds from monitoring.alarms.alb / .ecs.`,
      },
      ...alarmStatus(ctx.arns, "Application alarms", alarms),
      {
        type: "graph",
        title: "Load balancer: requests and 5XX",
        metrics: [
          withStat(lbRequests, "Sum", "requests"),
          withStat(lbErrors, "Sum", "ELB 5XX"),
          ...each(" target 5XX", (s) => loadBalancerMetric("HTTPCode_Target_5XX_Count", "Sum", s.tg)),
        ],
      },
      {
        type: "graph",
        title: "Target response time p95 (s)",
        metrics: each("", responseTime),
        lines: [{ value: albCfg.targetResponseTimeP95.threshold, label: "alarm" }],
      },
      {
        type: "graph",
        title: "Healthy / unhealthy targets",
        metrics: [
          ...each(" healthy", (s) => loadBalancerMetric("HealthyHostCount", "Minimum", s.tg)),
          ...each(" unhealthy", (s) => loadBalancerMetric("UnHealthyHostCount", "Maximum", s.tg)),
        ],
      },
      {
        type: "graph",
        title: "Running tasks (Container Insights)",
        metrics: each("", (s) => ecsServiceMetric("RunningTaskCount", "Minimum", s.ecs, "ECS/ContainerInsights")),
      },
      {
        type: "graph",
        title: "ECS CPU (%)",
        metrics: each("", (s) => ecsServiceMetric("CPUUtilization", "Average", s.ecs)),
        lines: [{ value: ecsCfg.cpu.threshold, label: "alarm" }],
      },
      {
        type: "graph",
        title: "ECS memory (%)",
        metrics: each("", (s) => ecsServiceMetric("MemoryUtilization", "Average", s.ecs)),
        lines: [{ value: ecsCfg.memory.threshold, label: "alarm" }],
      },
    ],
    overview: [
      {
        type: "graph",
        title: "Load balancer: requests and ELB 5XX",
        metrics: [withStat(lbRequests, "Sum", "requests"), withStat(lbErrors, "Sum", "ELB 5XX")],
      },
      { type: "graph", title: "Services: target response time p95 (s)", metrics: each("", responseTime) },
    ],
  };
}

export function databaseWidgets(
  ctx: DashboardContext,
  db: MonitoredResources["database"],
  readers: readonly MonitoredResources["auroraReader"][],
  alarms: readonly AnyAlarm[],
  engine: string,
): LayerWidgets {
  const dbCfg = ctx.config.monitoring.alarms.database;
  const cache = ctx.config.cache.enabled;
  const m = (metricName: string, stat: string) =>
    rdsMetric(metricName, stat, db.aurora ? { cluster: db.identifier } : { instance: db.identifier });
  const cpu = m("CPUUtilization", "Maximum");
  const acu = m("ACUUtilization", "Maximum");
  return {
    widgets: [
      {
        type: "text",
        markdown: `# ${ctx.prefix}: database\n${db.aurora ? "Aurora" : "RDS"} ${engine}${cache ? " and Redis" : ""}. Thresholds from monitoring.alarms.database${cache ? " / .cache" : ""}.`,
      },
      ...alarmStatus(ctx.arns, "Database alarms", alarms),
      {
        type: "graph",
        title: "CPU (%, max over instances)",
        metrics: [withStat(cpu, "Maximum", "CPU")],
        lines: [{ value: dbCfg.cpu.threshold, label: "alarm" }],
      },
      {
        type: "graph",
        title: "Connections",
        metrics: [withStat(m("DatabaseConnections", "Maximum"), "Maximum", "connections")],
        lines: [{ value: dbCfg.connections.threshold, label: "alarm" }],
      },
      {
        type: "graph",
        title: "Freeable memory (bytes, min over instances)",
        metrics: [withStat(m("FreeableMemory", "Minimum"), "Minimum", "freeable memory")],
      },
      db.aurora && db.serverless
        ? {
            type: "graph",
            title: "Serverless v2 capacity",
            metrics: [
              withStat(m("ServerlessDatabaseCapacity", "Maximum"), "Maximum", "ACUs"),
              withStat(acu, "Maximum", "ACU utilisation (%)"),
            ],
          }
        : db.aurora
          ? {
              type: "graph",
              title: "Read / write latency (s)",
              metrics: [
                withStat(m("ReadLatency", "Average"), "Average", "read"),
                withStat(m("WriteLatency", "Average"), "Average", "write"),
              ],
            }
          : {
              type: "graph",
              title: "Free storage (bytes)",
              metrics: [withStat(m("FreeStorageSpace", "Minimum"), "Minimum", "free storage")],
            },
      ...(readers.length
        ? [
            {
              type: "graph" as const,
              title: "Replica lag (ms)",
              metrics: readers.map((r) => ({
                ...rdsMetric("AuroraReplicaLag", "Maximum", { instance: r.instance }),
                label: `reader ${r.n}`,
              })),
            },
          ]
        : []),
    ],
    overview: [{ type: "graph", title: "Database CPU (%)", metrics: [withStat(cpu, "Maximum", "CPU")] }],
  };
}

/** Redis, per node (the nodes' ids as labels). */
export function cacheWidgets(ctx: DashboardContext, redis: MonitoredResources["redis"], alarms: readonly AnyAlarm[]): Widget[] {
  const graph = (title: string, metricName: string, stat: string): Widget => ({
    type: "graph",
    title,
    metrics: redis.nodes.map((id) => ({ ...redisNodeMetric(metricName, stat, id), label: id })),
  });
  return [
    ...alarmStatus(ctx.arns, "Cache alarms", alarms),
    graph("Redis engine CPU (%)", "EngineCPUUtilization", "Maximum"),
    graph("Redis memory used (%)", "DatabaseMemoryUsagePercentage", "Maximum"),
    graph("Redis evictions", "Evictions", "Sum"),
    graph("Redis cache hit rate (%)", "CacheHitRate", "Average"),
  ];
}

export function genaiWidgets(ctx: DashboardContext, fn: MonitoredResources["genaiFunction"], alarms: readonly AnyAlarm[]): LayerWidgets {
  const { genai } = ctx.config;
  const m = (metricName: string, stat: string) => lambdaMetric(metricName, stat, fn.functionName);
  const duration = m("Duration", "p95");
  return {
    widgets: [
      {
        type: "text",
        markdown: `# ${ctx.prefix}: lambda-genai\nThe GenAI function and its dead-letter queue. Thresholds from monitoring.alarms.lambda.`,
      },
      ...alarmStatus(ctx.arns, "GenAI alarms", alarms),
      {
        type: "graph",
        title: "Invocations, errors, throttles",
        metrics: [
          withStat(m("Invocations", "Sum"), "Sum", "invocations"),
          withStat(m("Errors", "Sum"), "Sum", "errors"),
          withStat(m("Throttles", "Sum"), "Sum", "throttles"),
        ],
      },
      {
        type: "graph",
        title: "Duration (ms)",
        metrics: [withStat(duration, "p50", "p50"), withStat(duration, "p95", "p95"), withStat(duration, "Maximum", "max")],
        lines: [{ value: genaiDurationThresholdMs(ctx.config), label: "alarm" }],
      },
      {
        type: "graph",
        title: "Concurrent executions",
        metrics: [withStat(m("ConcurrentExecutions", "Maximum"), "Maximum", "concurrency")],
        lines: [{ value: genai.reservedConcurrency, label: "reserved" }],
      },
      {
        type: "graph",
        title: "Dead-letter queue (messages)",
        metrics: [withStat(queueMetric("ApproximateNumberOfMessagesVisible", fn.deadLetterQueue), "Maximum", "visible")],
        periodSeconds: 300,
      },
    ],
    overview: [
      {
        type: "graph",
        title: "GenAI: invocations and errors",
        metrics: [withStat(m("Invocations", "Sum"), "Sum", "invocations"), withStat(m("Errors", "Sum"), "Sum", "errors")],
      },
    ],
  };
}

export function apiWidgets(ctx: DashboardContext, api: MonitoredResources["api"], alarms: readonly AnyAlarm[]): LayerWidgets {
  const cfg = ctx.config.monitoring.alarms.apiGateway;
  const metrics = apiMetrics(api);
  return {
    widgets: [
      {
        type: "text",
        markdown: `# ${ctx.prefix}: api-gateway\n${api.rest ? "REST" : "HTTP"} API, stage of the api-gateway layer. Thresholds from monitoring.alarms.apiGateway.`,
      },
      ...alarmStatus(ctx.arns, "API alarms", alarms),
      { type: "graph", title: "Requests", metrics: [withStat(metrics.count, "Sum", "requests")] },
      {
        type: "graph",
        title: "Error rates (fraction of requests)",
        metrics: [withStat(metrics.errors5xx, "Average", "5XX"), withStat(metrics.errors4xx, "Average", "4XX")],
      },
      {
        type: "graph",
        title: "Latency (ms)",
        metrics: [withStat(metrics.latency, "p50", "p50"), withStat(metrics.latency, "p95", "p95")],
        lines: [{ value: cfg.latencyP95.threshold, label: "alarm" }],
      },
    ],
    overview: [
      {
        type: "graph",
        title: "API: requests and 5XX",
        metrics: [withStat(metrics.count, "Sum", "requests"), withStat(metrics.errors5xx, "Sum", "5XX")],
      },
      { type: "graph", title: "API: latency p95 (ms)", metrics: [withStat(metrics.latency, "p95", "p95")] },
    ],
  };
}

export function nativeWidgets(
  ctx: DashboardContext,
  queues: readonly MonitoredResources["queue"][],
  functions: readonly MonitoredResources["nativeFunction"][],
  alarms: readonly AnyAlarm[],
): LayerWidgets {
  const graph = (title: string, metrics: GraphMetric[]): Widget[] =>
    metrics.length ? [{ type: "graph", title, periodSeconds: 300, metrics }] : [];
  const visible = (queueName: string) => queueMetric("ApproximateNumberOfMessagesVisible", queueName);
  return {
    widgets: [
      {
        type: "text",
        markdown: `# ${ctx.prefix}: native\nQueues of native.queues and the layer's functions. Thresholds from monitoring.alarms.queues / .lambda.`,
      },
      ...alarmStatus(ctx.arns, "Native alarms", alarms),
      ...graph(
        "Messages visible",
        queues.map((q) => ({ ...visible(q.queue), label: q.key })),
      ),
      ...graph(
        "Oldest message (s)",
        queues.map((q) => ({ ...queueMetric("ApproximateAgeOfOldestMessage", q.queue), label: q.key })),
      ),
      ...graph("Dead-letter queues (messages)", [
        ...queues.map((q) => ({ ...visible(q.deadLetterQueue), label: `${q.key} DLQ` })),
        ...functions.map((f) => ({ ...visible(f.deadLetterQueue), label: `${f.key} function DLQ` })),
      ]),
      ...graph(
        "Function errors",
        functions.map((f) => ({ ...lambdaMetric("Errors", "Sum", f.functionName), label: f.key })),
      ),
    ],
    overview: [],
  };
}
