/**
 * Layer 10 monitoring: what tells the team that something is wrong, and the audit record.
 *
 * - The alarm topic `<project>-<env>-alarms` (modules/alarm-topic.ts): encrypted with the security
 *   layer's messaging key; CloudWatch alarms and EventBridge rules of this account may publish.
 *   Every alarm below has a severity (WARNING, ERROR, CRITICAL: monitoring.alarms.<group>.<alarm>.severity,
 *   a `Severity` tag, `[SEVERITY]` before its description) and notifies the topic of its severity on
 *   ALARM and (monitoring.notifyOnRecovery) on OK: with monitoring.severityTopics the topics
 *   `-alarms` (WARNING), `-alarms-error` and `-alarms-critical` (addresses alarm_topic,
 *   alarm_topic_error, alarm_topic_critical), else the one topic. The notification layer delivers
 *   each topic to the channels notification.routing gives its severity.
 * - Alarms (modules/alarm-set.ts) for every enabled layer, thresholds and evaluation from
 *   monitoring.alarms, dimensions from the layers' remote state:
 *   application: ALB 5XX rate; per service target 5XX rate, p95 response time, unhealthy hosts,
 *   ECS CPU and memory, running tasks below the service's minCount, and a composite
 *   "<service> unhealthy"; database: CPU, connections, freeable memory, ACU utilisation
 *   (Serverless v2) or free storage (RDS), replica lag per Aurora reader; Redis CPU, memory,
 *   evictions (cache.enabled); lambda-genai: errors, throttles, p95 duration, DLQ depth;
 *   api-gateway: 5XX and 4XX rates, p95 latency; native: per queue dead-letter messages and
 *   oldest message age, per function of the layer errors and dead-letter messages.
 * - Dashboards (modules/dashboard.ts): `<project>-<env>-overview` and one per watched layer
 *   (native only with queues or functions; a native layer without them is not read at all).
 * - X-Ray (modules/xray-tracing.ts): a sampling rule for `<project>-<env>-*` services and a group
 *   of this environment's traces.
 * - CloudTrail (modules/audit-trail.ts, monitoring.cloudTrail): its own KMS key, a private log
 *   bucket, CloudWatch Logs delivery and CIS metric filters with alarms.
 * - GuardDuty (modules/guard-duty.ts): the detector when monitoring.guardDuty.enabled, and findings
 *   routed to the alarm topic.
 *
 * Names this layer derives from config because no contract carries them (the same functions the
 * producing layers use): the REST API's name (`ApiName` dimension) `<project>-<env>-api`
 * (layer 08), Aurora reader instances `<db_identifier>-reader-N` (modules/aurora-cluster.ts) and
 * the Redis member clusters `<project>-<env>-00N` (layer 03, ElastiCache's numbering).
 *
 * Addresses: alarms are `<area>_<alarm>` for the environment (`alb_5xx`, `db_cpu`,
 * `cache_memory`, `genai_errors`, `api_latency`, `audit_root_usage`) and
 * `<area>_<name>_<alarm>` per service, queue or function (`ecs_customers_cpu`, `alb_customers_5xx`,
 * `queue_orders_dead_letters`, `function_mailer_errors`); composites `service_<service>_unhealthy`; dashboards
 * `dashboard_<layer>`. A per-name address always has three parts, so it cannot collide with an
 * environment-wide one.
 */
import type { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import { partitionOf } from "../core/config/regions";
import type { PlatformConfig } from "../core/config/schema";
import { apiStageName } from "../core/config/sections/api-gateway";
import { resolveDatabase } from "../core/config/sections/database";
import { nativeNames } from "../core/config/sections/native";
import {
  alarmTopicNames,
  genaiDurationThresholdMs,
  monitoringDashboards,
  SEVERITIES,
  trailName,
  watches,
  type AlarmSettings,
  type Severity,
  type WatchedLayer,
} from "../core/config/sections/monitoring";
import { LayerStack } from "../core/layer-stack";
import { fitName } from "../core/naming";
import { Arns } from "../core/policy";
import { AlarmSet, type AlarmActions, type AlarmEvaluation, type Metric } from "../modules/alarm-set";
import { AlarmTopic } from "../modules/alarm-topic";
import { AuditTrail, CIS_FILTER_PATTERNS, type CisFilter } from "../modules/audit-trail";
import { Dashboard, type GraphMetric, type Widget } from "../modules/dashboard";
import { GuardDuty } from "../modules/guard-duty";
import { XrayTracing } from "../modules/xray-tracing";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/** What watching one layer produced: its alarms and its dashboard widgets. */
interface Watched {
  readonly alarms: CloudwatchMetricAlarm[];
  readonly composites: CloudwatchCompositeAlarm[];
  /** The layer's own dashboard. */
  readonly widgets: Widget[];
  /** What the overview shows of it. */
  readonly overview: Widget[];
}

/** Metric names of CloudTrail metric filters, by filter. */
const AUDIT_METRICS: Record<CisFilter, { metricName: string; what: string }> = {
  rootUsage: { metricName: "RootAccountUsage", what: "The root user was used" },
  unauthorizedApiCalls: { metricName: "UnauthorizedApiCalls", what: "API calls were refused (AccessDenied / UnauthorizedOperation)" },
  consoleSignInFailures: { metricName: "ConsoleSignInFailures", what: "Console sign-ins failed" },
  iamPolicyChanges: { metricName: "IamPolicyChanges", what: "IAM policies were changed" },
  securityGroupChanges: { metricName: "SecurityGroupChanges", what: "Security groups were changed" },
};

/** The evaluation part of an alarm's settings, with a threshold in the metric's unit, and its severity. */
const evaluation = (s: AlarmSettings, threshold: number): AlarmEvaluation & { severity: Severity } => ({
  severity: s.severity,
  threshold,
  periodSeconds: s.periodSeconds,
  evaluationPeriods: s.evaluationPeriods,
  datapointsToAlarm: s.datapointsToAlarm,
  treatMissingData: s.treatMissingData,
});

/** A metric drawn with another statistic (and label) than the alarm's. */
const withStat = (m: Metric, stat: string, label?: string): GraphMetric => ({ ...m, stat, label: label ?? m.label });

export class MonitoringStack extends LayerStack<"monitoring"> {
  private readonly arns: Arns;
  /** What alarms of each severity notify: the topic of their severity (one topic for all without monitoring.severityTopics). */
  private readonly actions: Record<Severity, AlarmActions>;

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "monitoring", config);
    this.arns = new Arns(config.aws.region, config.aws.accountId);
    const mon = config.monitoring;

    // The alarm topic (WARNING, and every severity without monitoring.severityTopics) keeps its
    // address alarm_topic; the ERROR and CRITICAL topics are alarm_topic_error and alarm_topic_critical.
    const names = alarmTopicNames(config);
    const topics = {} as Record<Severity, AlarmTopic>;
    for (const severity of SEVERITIES) {
      const existing = SEVERITIES.find((s) => topics[s] && names[s] === names[severity]);
      topics[severity] = existing
        ? topics[existing]
        : new AlarmTopic(this, severity === "WARNING" ? "alarm_topic" : `alarm_topic_${severity.toLowerCase()}`, {
            name: names[severity],
            kmsKeyArn: this.readEntry("security", "kms_key_arns", "messaging"),
            accountId: config.aws.accountId,
            partition: this.arns.partition,
            publishers: [
              { service: "cloudwatch.amazonaws.com", sourceArn: this.arns.arn("cloudwatch", "alarm:*") },
              { service: "events.amazonaws.com", sourceArn: this.arns.arn("events", "rule/*") },
            ],
          });
    }
    const topic = topics.WARNING;
    const actionsOf = (severity: Severity): AlarmActions => ({ alarmActions: [topics[severity].arn], okActions: mon.notifyOnRecovery ? [topics[severity].arn] : [] });
    this.actions = { WARNING: actionsOf("WARNING"), ERROR: actionsOf("ERROR"), CRITICAL: actionsOf("CRITICAL") };

    // One entry per watched layer: enabled (a disabled layer has no state to read) and with
    // something to watch (native: queues).
    const watch = <T>(layer: WatchedLayer, f: () => T) => (this.isEnabled(layer) && watches(config, layer) ? f() : undefined);
    const watched: Partial<Record<WatchedLayer, Watched>> = {
      application: watch("application", () => this.watchApplication()),
      database: watch("database", () => this.watchDatabase()),
      "lambda-genai": watch("lambda-genai", () => this.watchGenai()),
      "api-gateway": watch("api-gateway", () => this.watchApi()),
      native: watch("native", () => this.watchNative()),
    };

    const trail = mon.cloudTrail.enabled ? this.auditTrail() : undefined;
    if (mon.xray.enabled) this.tracing();
    if (mon.guardDuty.enabled || mon.guardDuty.notifyFindings) {
      new GuardDuty(this, "guardduty", {
        detector: mon.guardDuty.enabled,
        findingPublishingFrequency: mon.guardDuty.findingPublishingFrequency,
        findingsTopic: mon.guardDuty.notifyFindings
          ? { topicArn: topics[mon.guardDuty.severity].arn, ruleName: this.naming.name("generic", "guardduty-findings").slice(0, 64), minSeverity: mon.guardDuty.minSeverity }
          : undefined,
      });
    }

    const dashboards = this.dashboards(watched, trail?.alarms ?? []);

    this.publish({
      alarm_topic_arn: topic.arn,
      alarm_topic_name: topic.name,
      alarm_topic_arns: Object.fromEntries(SEVERITIES.map((severity) => [severity, topics[severity].arn])),
      dashboard_names: dashboards.map((d) => d.name),
      trail_arn: trail?.trail.arn ?? "",
    });
  }

  /** `<project>-<env>-<parts>`: alarm names. */
  private alarmName(...parts: string[]): string {
    return this.naming.name("generic", ...parts);
  }

  /** A set whose alarms notify the topic of their severity. */
  private alarmSet(id: string): AlarmSet {
    return new AlarmSet(this, id, { ...this.actions.WARNING, bySeverity: this.actions });
  }

  // ---------------------------------------------------------------------------------------------
  // Application: load balancer and ECS services

  private watchApplication(): Watched {
    const { alb: albCfg, ecs: ecsCfg } = this.config.monitoring.alarms;
    const services = Object.entries(this.config.services);
    const lb = this.read("application", "alb_arn_suffix");
    const cluster = this.read("application", "cluster_name");
    const elb = (metricName: string, dimensions: Record<string, string>, stat = "Sum"): Metric => ({ namespace: "AWS/ApplicationELB", metricName, dimensions, stat });
    const alb = this.alarmSet("alb");
    const ecs = this.alarmSet("ecs");
    const health = this.alarmSet("service");

    if (albCfg.elb5xxRate.enabled) {
      alb.metric("5xx", {
        name: this.alarmName("alb", "5xx"),
        description: `More than ${albCfg.elb5xxRate.threshold}% of requests to the load balancer of ${this.naming.prefix} failed with a 5XX the ALB generated itself (no healthy target, target timeouts, connection errors).`,
        comparison: "GreaterThanThreshold",
        math: {
          expression: "100 * FILL(errors, 0) / requests",
          label: "ELB 5XX (% of requests)",
          metrics: { errors: elb("HTTPCode_ELB_5XX_Count", { LoadBalancer: lb }), requests: elb("RequestCount", { LoadBalancer: lb }) },
        },
        ...evaluation(albCfg.elb5xxRate, albCfg.elb5xxRate.threshold),
      });
    }

    const perService = services.map(([name, svc]) => {
      const tg = this.readEntry("application", "target_group_arn_suffixes", name);
      const serviceName = this.readEntry("application", "service_names", name);
      const tgDims = { LoadBalancer: lb, TargetGroup: tg };
      const ecsDims = { ClusterName: cluster, ServiceName: serviceName };
      const userFacing: CloudwatchMetricAlarm[] = [];
      const metrics = {
        requests: elb("RequestCount", tgDims),
        errors: elb("HTTPCode_Target_5XX_Count", tgDims),
        responseTime: elb("TargetResponseTime", tgDims, "p95"),
        unhealthy: elb("UnHealthyHostCount", tgDims, "Maximum"),
        healthy: elb("HealthyHostCount", tgDims, "Minimum"),
        cpu: { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: ecsDims, stat: "Average" },
        memory: { namespace: "AWS/ECS", metricName: "MemoryUtilization", dimensions: ecsDims, stat: "Average" },
        running: { namespace: "ECS/ContainerInsights", metricName: "RunningTaskCount", dimensions: ecsDims, stat: "Minimum" },
      } satisfies Record<string, Metric>;

      if (albCfg.target5xxRate.enabled) {
        userFacing.push(
          alb.metric(`${name}_5xx`, {
            name: this.alarmName("alb", name, "5xx"),
            description: `More than ${albCfg.target5xxRate.threshold}% of the ${name} service's requests failed with a 5XX from its tasks (see its log group and traces).`,
            comparison: "GreaterThanThreshold",
            math: { expression: "100 * FILL(errors, 0) / requests", label: `${name} 5XX (% of requests)`, metrics: { errors: metrics.errors, requests: metrics.requests } },
            ...evaluation(albCfg.target5xxRate, albCfg.target5xxRate.threshold),
          }),
        );
      }
      if (albCfg.targetResponseTimeP95.enabled) {
        userFacing.push(
          alb.metric(`${name}_response_time`, {
            name: this.alarmName("alb", name, "response-time"),
            description: `The ${name} service's p95 response time is above ${albCfg.targetResponseTimeP95.threshold} s.`,
            comparison: "GreaterThanThreshold",
            metric: metrics.responseTime,
            ...evaluation(albCfg.targetResponseTimeP95, albCfg.targetResponseTimeP95.threshold),
          }),
        );
      }
      if (albCfg.unhealthyHosts.enabled) {
        userFacing.push(
          alb.metric(`${name}_unhealthy_hosts`, {
            name: this.alarmName("alb", name, "unhealthy-hosts"),
            description: `More than ${albCfg.unhealthyHosts.threshold} of the ${name} service's targets fail their health check (${svc.healthCheck.path}).`,
            comparison: "GreaterThanThreshold",
            metric: metrics.unhealthy,
            ...evaluation(albCfg.unhealthyHosts, albCfg.unhealthyHosts.threshold),
          }),
        );
      }
      if (ecsCfg.cpu.enabled) {
        ecs.metric(`${name}_cpu`, {
          name: this.alarmName("ecs", name, "cpu"),
          description: `The ${name} service's tasks use more than ${ecsCfg.cpu.threshold}% of their CPU on average (autoscaling tops out at ${svc.maxCount} tasks).`,
          comparison: "GreaterThanThreshold",
          metric: metrics.cpu,
          ...evaluation(ecsCfg.cpu, ecsCfg.cpu.threshold),
        });
      }
      if (ecsCfg.memory.enabled) {
        ecs.metric(`${name}_memory`, {
          name: this.alarmName("ecs", name, "memory"),
          description: `The ${name} service's tasks use more than ${ecsCfg.memory.threshold}% of their memory (${svc.memory} MiB) on average.`,
          comparison: "GreaterThanThreshold",
          metric: metrics.memory,
          ...evaluation(ecsCfg.memory, ecsCfg.memory.threshold),
        });
      }
      // RunningTaskCount comes from Container Insights; a service allowed to run no task cannot be "below" it.
      if (ecsCfg.runningTasks.enabled && this.config.application.containerInsights !== "disabled" && svc.minCount > 0) {
        userFacing.push(
          ecs.metric(`${name}_running_tasks`, {
            name: this.alarmName("ecs", name, "running-tasks"),
            description: `The ${name} service runs fewer than its minimum of ${svc.minCount} task(s): tasks fail to start or keep stopping (see the service's events).`,
            comparison: "LessThanThreshold",
            metric: metrics.running,
            ...evaluation(ecsCfg.runningTasks, svc.minCount),
          }),
        );
      }
      if (this.config.monitoring.serviceHealthAlarms && userFacing.length) {
        health.composite(`${name}_unhealthy`, {
          name: this.alarmName("service", name, "unhealthy"),
          description: `The ${name} service is unhealthy: one of its user-facing alarms (5XX, response time, unhealthy targets, running tasks) is in ALARM.`,
          anyOf: userFacing,
          severity: this.config.monitoring.serviceHealthSeverity,
        });
      }
      return { name, svc, metrics };
    });

    const lbRequests = elb("RequestCount", { LoadBalancer: lb });
    const lbErrors = elb("HTTPCode_ELB_5XX_Count", { LoadBalancer: lb });
    const each = (label: string, pick: (s: (typeof perService)[number]) => GraphMetric) => perService.map((s) => ({ ...pick(s), label: `${s.name}${label}` }));
    const widgets: Widget[] = [
      { type: "text", markdown: `# ${this.naming.prefix}: application\nLoad balancer and ECS services (cluster of the application layer). Thresholds from monitoring.alarms.alb / .ecs.` },
      ...this.alarmStatus("Application alarms", [...alb.alarms, ...ecs.alarms, ...health.composites]),
      { type: "graph", title: "Load balancer: requests and 5XX", metrics: [withStat(lbRequests, "Sum", "requests"), withStat(lbErrors, "Sum", "ELB 5XX"), ...each(" target 5XX", (s) => s.metrics.errors)] },
      { type: "graph", title: "Target response time p95 (s)", metrics: each("", (s) => s.metrics.responseTime), lines: [{ value: albCfg.targetResponseTimeP95.threshold, label: "alarm" }] },
      { type: "graph", title: "Healthy / unhealthy targets", metrics: [...each(" healthy", (s) => s.metrics.healthy), ...each(" unhealthy", (s) => s.metrics.unhealthy)] },
      { type: "graph", title: "Running tasks (Container Insights)", metrics: each("", (s) => s.metrics.running) },
      { type: "graph", title: "ECS CPU (%)", metrics: each("", (s) => s.metrics.cpu), lines: [{ value: ecsCfg.cpu.threshold, label: "alarm" }] },
      { type: "graph", title: "ECS memory (%)", metrics: each("", (s) => s.metrics.memory), lines: [{ value: ecsCfg.memory.threshold, label: "alarm" }] },
    ];
    const overview: Widget[] = [
      { type: "graph", title: "Load balancer: requests and ELB 5XX", metrics: [withStat(lbRequests, "Sum", "requests"), withStat(lbErrors, "Sum", "ELB 5XX")] },
      { type: "graph", title: "Services: target response time p95 (s)", metrics: each("", (s) => s.metrics.responseTime) },
    ];
    return { alarms: [...alb.alarms, ...ecs.alarms], composites: health.composites, widgets, overview };
  }

  // ---------------------------------------------------------------------------------------------
  // Database and cache

  private watchDatabase(): Watched {
    const dbCfg = this.config.monitoring.alarms.database;
    const resolved = resolveDatabase(this.config);
    const identifier = this.read("database", "db_identifier");
    // Aurora: cluster-level series (every instance), so one alarm covers writer and readers.
    const dims: Record<string, string> = resolved.aurora ? { DBClusterIdentifier: identifier } : { DBInstanceIdentifier: identifier };
    const rds = (metricName: string, stat: string, dimensions = dims): Metric => ({ namespace: "AWS/RDS", metricName, dimensions, stat });
    const db = this.alarmSet("db");
    const what = resolved.aurora ? `Aurora cluster ${this.naming.prefix} (any instance)` : `RDS instance ${this.naming.prefix}`;

    const metrics = {
      cpu: rds("CPUUtilization", "Maximum"),
      connections: rds("DatabaseConnections", "Maximum"),
      freeableMemory: rds("FreeableMemory", "Minimum"),
      acu: rds("ACUUtilization", "Maximum"),
      capacity: rds("ServerlessDatabaseCapacity", "Maximum"),
      freeStorage: rds("FreeStorageSpace", "Minimum"),
      readLatency: rds("ReadLatency", "Average"),
      writeLatency: rds("WriteLatency", "Average"),
    };
    if (dbCfg.cpu.enabled) {
      db.metric("cpu", {
        name: this.alarmName("db", "cpu"),
        description: `CPU of the ${what} above ${dbCfg.cpu.threshold}%. No data counts as breaching: the database reports every minute, so silence means it is down.`,
        comparison: "GreaterThanThreshold",
        metric: metrics.cpu,
        ...evaluation(dbCfg.cpu, dbCfg.cpu.threshold),
      });
    }
    if (dbCfg.connections.enabled) {
      db.metric("connections", {
        name: this.alarmName("db", "connections"),
        description: `More than ${dbCfg.connections.threshold} connections to the ${what}: connection pools are leaking or max_connections is near.`,
        comparison: "GreaterThanThreshold",
        metric: metrics.connections,
        ...evaluation(dbCfg.connections, dbCfg.connections.threshold),
      });
    }
    if (dbCfg.freeableMemory.enabled) {
      db.metric("freeable_memory", {
        name: this.alarmName("db", "freeable-memory"),
        description: `Freeable memory of the ${what} below ${dbCfg.freeableMemory.threshold} MiB.`,
        comparison: "LessThanThreshold",
        metric: metrics.freeableMemory,
        ...evaluation(dbCfg.freeableMemory, dbCfg.freeableMemory.threshold * MIB),
      });
    }
    if (resolved.aurora && resolved.serverless && dbCfg.acuUtilization.enabled) {
      db.metric("acu_utilization", {
        name: this.alarmName("db", "acu-utilization"),
        description: `The Aurora Serverless v2 cluster ${this.naming.prefix} uses more than ${dbCfg.acuUtilization.threshold}% of its maximum capacity (database.serverless.maxCapacity ${this.config.database.serverless.maxCapacity} ACUs).`,
        comparison: "GreaterThanThreshold",
        metric: metrics.acu,
        ...evaluation(dbCfg.acuUtilization, dbCfg.acuUtilization.threshold),
      });
    }
    if (!resolved.aurora && dbCfg.freeStorage.enabled) {
      db.metric("free_storage", {
        name: this.alarmName("db", "free-storage"),
        description: `Free storage of the ${what} below ${dbCfg.freeStorage.threshold} GiB (storage autoscaling stops at ${this.config.database.storage.maxAllocatedGb} GiB).`,
        comparison: "LessThanThreshold",
        metric: metrics.freeStorage,
        ...evaluation(dbCfg.freeStorage, dbCfg.freeStorage.threshold * GIB),
      });
    }
    // Readers are <identifier>-reader-N (modules/aurora-cluster.ts); RDS instances have no replicas here.
    const readers = resolved.aurora ? Array.from({ length: this.config.database.readers }, (_, i) => i + 1) : [];
    const lag = (n: number) => rds("AuroraReplicaLag", "Maximum", { DBInstanceIdentifier: `${identifier}-reader-${n}` });
    if (dbCfg.replicaLag.enabled) {
      for (const n of readers) {
        db.metric(`replica_lag_reader_${n}`, {
          name: this.alarmName("db", `reader-${n}`, "replica-lag"),
          description: `Reader ${n} of the Aurora cluster ${this.naming.prefix} lags the writer by more than ${dbCfg.replicaLag.threshold} s. No data counts as breaching: a reader reports every minute while it runs.`,
          comparison: "GreaterThanThreshold",
          metric: lag(n),
          ...evaluation(dbCfg.replicaLag, dbCfg.replicaLag.threshold * 1000),
        });
      }
    }

    const widgets: Widget[] = [
      { type: "text", markdown: `# ${this.naming.prefix}: database\n${resolved.aurora ? "Aurora" : "RDS"} ${resolved.engine}${this.config.cache.enabled ? " and Redis" : ""}. Thresholds from monitoring.alarms.database${this.config.cache.enabled ? " / .cache" : ""}.` },
      ...this.alarmStatus("Database alarms", db.alarms),
      { type: "graph", title: "CPU (%, max over instances)", metrics: [withStat(metrics.cpu, "Maximum", "CPU")], lines: [{ value: dbCfg.cpu.threshold, label: "alarm" }] },
      { type: "graph", title: "Connections", metrics: [withStat(metrics.connections, "Maximum", "connections")], lines: [{ value: dbCfg.connections.threshold, label: "alarm" }] },
      { type: "graph", title: "Freeable memory (bytes, min over instances)", metrics: [withStat(metrics.freeableMemory, "Minimum", "freeable memory")] },
      resolved.aurora && resolved.serverless
        ? { type: "graph", title: "Serverless v2 capacity", metrics: [withStat(metrics.capacity, "Maximum", "ACUs"), withStat(metrics.acu, "Maximum", "ACU utilisation (%)")] }
        : resolved.aurora
          ? { type: "graph", title: "Read / write latency (s)", metrics: [withStat(metrics.readLatency, "Average", "read"), withStat(metrics.writeLatency, "Average", "write")] }
          : { type: "graph", title: "Free storage (bytes)", metrics: [withStat(metrics.freeStorage, "Minimum", "free storage")] },
      ...(readers.length ? [{ type: "graph" as const, title: "Replica lag (ms)", metrics: readers.map((n) => ({ ...lag(n), label: `reader ${n}` })) }] : []),
    ];
    const overview: Widget[] = [{ type: "graph", title: "Database CPU (%)", metrics: [withStat(metrics.cpu, "Maximum", "CPU")] }];
    const cache = this.config.cache.enabled ? this.watchCache() : undefined;
    return {
      alarms: [...db.alarms, ...(cache?.alarms ?? [])],
      composites: [],
      widgets: [...widgets, ...(cache?.widgets ?? [])],
      overview,
    };
  }

  /**
   * Redis: one alarm per concern over every node (metric math), so a failover that moves the
   * primary changes nothing. Member clusters are `<replication group>-001` ... in node order.
   */
  private watchCache(): Pick<Watched, "alarms" | "widgets"> {
    const cfg = this.config.monitoring.alarms.cache;
    const cache = this.config.cache;
    if (!cache.enabled) throw new Error("watchCache() called with cache.enabled false");
    // Layer 03 names the replication group naming.name("generic"); the database contract has no output for it.
    const group = this.naming.name("generic");
    const nodes = Array.from({ length: cache.nodes }, (_, i) => `${group}-${String(i + 1).padStart(3, "0")}`);
    const perNode = (metricName: string, stat: string): Record<string, Metric> =>
      Object.fromEntries(nodes.map((id, i) => [`node${i + 1}`, { namespace: "AWS/ElastiCache", metricName, dimensions: { CacheClusterId: id }, stat }]));
    const over = (fn: "MAX" | "SUM", metrics: Record<string, Metric>) => `${fn}([${Object.keys(metrics).join(", ")}])`;
    const set = this.alarmSet("cache");
    const cpu = perNode("EngineCPUUtilization", "Maximum");
    const memory = perNode("DatabaseMemoryUsagePercentage", "Maximum");
    const evictions = perNode("Evictions", "Sum");
    if (cfg.cpu.enabled) {
      set.metric("cpu", {
        name: this.alarmName("cache", "cpu"),
        description: `The Redis engine thread of a node of ${group} is busier than ${cfg.cpu.threshold}%. No data counts as breaching: nodes report every minute.`,
        comparison: "GreaterThanThreshold",
        math: { expression: over("MAX", cpu), label: "EngineCPUUtilization (max over nodes)", metrics: cpu },
        ...evaluation(cfg.cpu, cfg.cpu.threshold),
      });
    }
    if (cfg.memory.enabled) {
      set.metric("memory", {
        name: this.alarmName("cache", "memory"),
        description: `A node of ${group} uses more than ${cfg.memory.threshold}% of its memory for data.`,
        comparison: "GreaterThanThreshold",
        math: { expression: over("MAX", memory), label: "DatabaseMemoryUsagePercentage (max over nodes)", metrics: memory },
        ...evaluation(cfg.memory, cfg.memory.threshold),
      });
    }
    if (cfg.evictions.enabled) {
      set.metric("evictions", {
        name: this.alarmName("cache", "evictions"),
        description: `${group} evicted more than ${cfg.evictions.threshold} keys in ${cfg.evictions.periodSeconds / 60} minute(s): it is too small for its working set.`,
        comparison: "GreaterThanThreshold",
        math: { expression: over("SUM", evictions), label: "Evictions (all nodes)", metrics: evictions },
        ...evaluation(cfg.evictions, cfg.evictions.threshold),
      });
    }
    const graph = (title: string, metrics: Record<string, Metric>, stat: string): Widget => ({
      type: "graph",
      title,
      metrics: nodes.map((id, i) => ({ ...metrics[`node${i + 1}`], stat, label: id })),
    });
    return {
      alarms: set.alarms,
      widgets: [
        ...this.alarmStatus("Cache alarms", set.alarms),
        graph("Redis engine CPU (%)", cpu, "Maximum"),
        graph("Redis memory used (%)", memory, "Maximum"),
        graph("Redis evictions", evictions, "Sum"),
        graph("Redis cache hit rate (%)", perNode("CacheHitRate", "Average"), "Average"),
      ],
    };
  }

  // ---------------------------------------------------------------------------------------------
  // GenAI function

  private watchGenai(): Watched {
    const cfg = this.config.monitoring.alarms.lambda;
    const fn = this.read("lambda-genai", "function_name");
    // arn:<partition>:sqs:<region>:<account>:<name>
    const dlq = Token.asString(Fn.element(Fn.split(":", this.read("lambda-genai", "dead_letter_queue_arn")), 5));
    const lambda = (metricName: string, stat: string): Metric => ({ namespace: "AWS/Lambda", metricName, dimensions: { FunctionName: fn }, stat });
    const metrics = {
      invocations: lambda("Invocations", "Sum"),
      errors: lambda("Errors", "Sum"),
      throttles: lambda("Throttles", "Sum"),
      duration: lambda("Duration", "p95"),
      concurrency: lambda("ConcurrentExecutions", "Maximum"),
      dlq: { namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible", dimensions: { QueueName: dlq }, stat: "Maximum" },
    } satisfies Record<string, Metric>;
    const set = this.alarmSet("genai");
    const durationMs = genaiDurationThresholdMs(this.config);
    if (cfg.errors.enabled) {
      set.metric("errors", {
        name: this.alarmName("genai", "errors"),
        description: `The GenAI function failed more than ${cfg.errors.threshold} times in ${cfg.errors.periodSeconds / 60} minute(s) (see /aws/lambda/${this.naming.prefix}-genai).`,
        comparison: "GreaterThanThreshold",
        metric: metrics.errors,
        ...evaluation(cfg.errors, cfg.errors.threshold),
      });
    }
    if (cfg.throttles.enabled) {
      set.metric("throttles", {
        name: this.alarmName("genai", "throttles"),
        description: `The GenAI function was throttled: its reserved concurrency (${this.config.genai.reservedConcurrency}) is exhausted.`,
        comparison: "GreaterThanThreshold",
        metric: metrics.throttles,
        ...evaluation(cfg.throttles, cfg.throttles.threshold),
      });
    }
    if (cfg.durationP95.enabled) {
      set.metric("duration", {
        name: this.alarmName("genai", "duration"),
        description: `The GenAI function's p95 duration is above ${durationMs} ms (timeout ${this.config.genai.timeoutSeconds} s): Bedrock is slow or answers are long.`,
        comparison: "GreaterThanThreshold",
        metric: metrics.duration,
        ...evaluation(cfg.durationP95, durationMs),
      });
    }
    if (cfg.deadLetterQueue.enabled) {
      set.metric("dead_letters", {
        name: this.alarmName("genai", "dead-letters"),
        description: `The GenAI function's dead-letter queue holds more than ${cfg.deadLetterQueue.threshold} message(s): asynchronous invocations failed after their retries.`,
        comparison: "GreaterThanThreshold",
        metric: metrics.dlq,
        ...evaluation(cfg.deadLetterQueue, cfg.deadLetterQueue.threshold),
      });
    }
    const widgets: Widget[] = [
      { type: "text", markdown: `# ${this.naming.prefix}: lambda-genai\nThe GenAI function and its dead-letter queue. Thresholds from monitoring.alarms.lambda.` },
      ...this.alarmStatus("GenAI alarms", set.alarms),
      { type: "graph", title: "Invocations, errors, throttles", metrics: [withStat(metrics.invocations, "Sum", "invocations"), withStat(metrics.errors, "Sum", "errors"), withStat(metrics.throttles, "Sum", "throttles")] },
      {
        type: "graph",
        title: "Duration (ms)",
        metrics: [withStat(metrics.duration, "p50", "p50"), withStat(metrics.duration, "p95", "p95"), withStat(metrics.duration, "Maximum", "max")],
        lines: [{ value: durationMs, label: "alarm" }],
      },
      { type: "graph", title: "Concurrent executions", metrics: [withStat(metrics.concurrency, "Maximum", "concurrency")], lines: [{ value: this.config.genai.reservedConcurrency, label: "reserved" }] },
      { type: "graph", title: "Dead-letter queue (messages)", metrics: [withStat(metrics.dlq, "Maximum", "visible")], periodSeconds: 300 },
    ];
    const overview: Widget[] = [{ type: "graph", title: "GenAI: invocations and errors", metrics: [withStat(metrics.invocations, "Sum", "invocations"), withStat(metrics.errors, "Sum", "errors")] }];
    return { alarms: set.alarms, composites: [], widgets, overview };
  }

  // ---------------------------------------------------------------------------------------------
  // API Gateway

  private watchApi(): Watched {
    const cfg = this.config.monitoring.alarms.apiGateway;
    const rest = this.config.apiGateway.type === "rest";
    const stage = this.read("api-gateway", "stage_name");
    // REST metrics carry the API's name (layer 08 names it <project>-<env>-api), HTTP metrics its id.
    const dimensions: Record<string, string> = rest ? { ApiName: this.naming.name("generic", "api"), Stage: stage } : { ApiId: this.read("api-gateway", "api_id"), Stage: stage };
    const api = (metricName: string, stat: string): Metric => ({ namespace: "AWS/ApiGateway", metricName, dimensions, stat });
    const metrics = {
      count: api("Count", "Sum"),
      // The average of the error metrics (1 per failed request, 0 otherwise) is the error rate.
      errors5xx: api(rest ? "5XXError" : "5xx", "Average"),
      errors4xx: api(rest ? "4XXError" : "4xx", "Average"),
      latency: api("Latency", "p95"),
    };
    const set = this.alarmSet("api");
    if (cfg.error5xxRate.enabled) {
      set.metric("5xx", {
        name: this.alarmName("api", "5xx"),
        description: `More than ${cfg.error5xxRate.threshold}% of the API's requests failed with a 5XX (integration errors, timeouts, the load balancer or the GenAI function failing).`,
        comparison: "GreaterThanThreshold",
        metric: metrics.errors5xx,
        ...evaluation(cfg.error5xxRate, cfg.error5xxRate.threshold / 100),
      });
    }
    if (cfg.error4xxRate.enabled) {
      set.metric("4xx", {
        name: this.alarmName("api", "4xx"),
        description: `More than ${cfg.error4xxRate.threshold}% of the API's requests were refused with a 4XX (broken clients, throttling at the stage or the WAF).`,
        comparison: "GreaterThanThreshold",
        metric: metrics.errors4xx,
        ...evaluation(cfg.error4xxRate, cfg.error4xxRate.threshold / 100),
      });
    }
    if (cfg.latencyP95.enabled) {
      set.metric("latency", {
        name: this.alarmName("api", "latency"),
        description: `The API's p95 latency is above ${cfg.latencyP95.threshold} ms.`,
        comparison: "GreaterThanThreshold",
        metric: metrics.latency,
        ...evaluation(cfg.latencyP95, cfg.latencyP95.threshold),
      });
    }
    const widgets: Widget[] = [
      { type: "text", markdown: `# ${this.naming.prefix}: api-gateway\n${rest ? "REST" : "HTTP"} API, stage of the api-gateway layer. Thresholds from monitoring.alarms.apiGateway.` },
      ...this.alarmStatus("API alarms", set.alarms),
      { type: "graph", title: "Requests", metrics: [withStat(metrics.count, "Sum", "requests")] },
      { type: "graph", title: "Error rates (fraction of requests)", metrics: [withStat(metrics.errors5xx, "Average", "5XX"), withStat(metrics.errors4xx, "Average", "4XX")] },
      { type: "graph", title: "Latency (ms)", metrics: [withStat(metrics.latency, "p50", "p50"), withStat(metrics.latency, "p95", "p95")], lines: [{ value: cfg.latencyP95.threshold, label: "alarm" }] },
    ];
    const overview: Widget[] = [
      { type: "graph", title: "API: requests and 5XX", metrics: [withStat(metrics.count, "Sum", "requests"), withStat(metrics.errors5xx, "Sum", "5XX")] },
      { type: "graph", title: "API: latency p95 (ms)", metrics: [withStat(metrics.latency, "p95", "p95")] },
    ];
    return { alarms: set.alarms, composites: [], widgets, overview };
  }

  // ---------------------------------------------------------------------------------------------
  // Native queues

  /**
   * The native layer: per queue of native.queues its dead-letter queue not empty and its oldest
   * message too old; per function of the layer (mailer, post-confirmation) errors and its
   * dead-letter queue not empty.
   */
  private watchNative(): Watched {
    const { queues: cfg, lambda: fnCfg } = this.config.monitoring.alarms;
    const sqs = (queueName: string, metricName: string): Metric => ({ namespace: "AWS/SQS", metricName, dimensions: { QueueName: queueName }, stat: "Maximum" });
    const queueSet = this.alarmSet("queue");
    const queues = Object.keys(this.config.native.queues).map((name) => {
      const queue = this.readEntry("native", "queue_names", name);
      const deadLetters = sqs(this.readEntry("native", "dead_letter_queue_names", name), "ApproximateNumberOfMessagesVisible");
      const oldest = sqs(queue, "ApproximateAgeOfOldestMessage");
      const visible = sqs(queue, "ApproximateNumberOfMessagesVisible");
      if (cfg.deadLetterMessages.enabled) {
        queueSet.metric(`${name}_dead_letters`, {
          name: this.alarmName("queue", name, "dead-letters"),
          description: `The dead-letter queue of ${name} holds more than ${cfg.deadLetterMessages.threshold} message(s): messages failed processing too often (inspect, fix, then redrive).`,
          comparison: "GreaterThanThreshold",
          metric: deadLetters,
          ...evaluation(cfg.deadLetterMessages, cfg.deadLetterMessages.threshold),
        });
      }
      if (cfg.oldestMessageAge.enabled) {
        queueSet.metric(`${name}_oldest_message`, {
          name: this.alarmName("queue", name, "oldest-message"),
          description: `The oldest message of ${name} is older than ${cfg.oldestMessageAge.threshold} s: its consumers are stuck or too slow.`,
          comparison: "GreaterThanThreshold",
          metric: oldest,
          ...evaluation(cfg.oldestMessageAge, cfg.oldestMessageAge.threshold),
        });
      }
      return { name, deadLetters, oldest, visible };
    });

    const fnSet = this.alarmSet("function");
    const functions = Object.keys(nativeNames(this.config).functions).map((name) => {
      const errors: Metric = { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: this.readEntry("native", "function_names", name) }, stat: "Sum" };
      // arn:<partition>:sqs:<region>:<account>:<name>
      const dlq = sqs(Token.asString(Fn.element(Fn.split(":", this.readEntry("native", "function_dead_letter_queue_arns", name)), 5)), "ApproximateNumberOfMessagesVisible");
      if (fnCfg.errors.enabled) {
        fnSet.metric(`${name}_errors`, {
          name: this.alarmName("function", name, "errors"),
          description: `The ${name} function of the native layer failed more than ${fnCfg.errors.threshold} times in ${fnCfg.errors.periodSeconds / 60} minute(s).`,
          comparison: "GreaterThanThreshold",
          metric: errors,
          ...evaluation(fnCfg.errors, fnCfg.errors.threshold),
        });
      }
      if (fnCfg.deadLetterQueue.enabled) {
        fnSet.metric(`${name}_dead_letters`, {
          name: this.alarmName("function", name, "dead-letters"),
          description: `The dead-letter queue of the ${name} function holds more than ${fnCfg.deadLetterQueue.threshold} message(s): asynchronous invocations failed after their retries.`,
          comparison: "GreaterThanThreshold",
          metric: dlq,
          ...evaluation(fnCfg.deadLetterQueue, fnCfg.deadLetterQueue.threshold),
        });
      }
      return { name, errors, dlq };
    });

    const graph = (title: string, metrics: GraphMetric[]): Widget[] => (metrics.length ? [{ type: "graph", title, periodSeconds: 300, metrics }] : []);
    const widgets: Widget[] = [
      { type: "text", markdown: `# ${this.naming.prefix}: native\nQueues of native.queues and the layer's functions. Thresholds from monitoring.alarms.queues / .lambda.` },
      ...this.alarmStatus("Native alarms", [...queueSet.alarms, ...fnSet.alarms]),
      ...graph("Messages visible", queues.map((q) => ({ ...q.visible, label: q.name }))),
      ...graph("Oldest message (s)", queues.map((q) => ({ ...q.oldest, label: q.name }))),
      ...graph("Dead-letter queues (messages)", [...queues.map((q) => ({ ...q.deadLetters, label: `${q.name} DLQ` })), ...functions.map((f) => ({ ...f.dlq, label: `${f.name} function DLQ` }))]),
      ...graph("Function errors", functions.map((f) => ({ ...f.errors, label: f.name }))),
    ];
    return { alarms: [...queueSet.alarms, ...fnSet.alarms], composites: [], widgets, overview: [] };
  }

  // ---------------------------------------------------------------------------------------------
  // Audit, tracing

  /** CloudTrail with its key, bucket and log group; CIS metric filters and their alarms. */
  private auditTrail(): { trail: AuditTrail; alarms: CloudwatchMetricAlarm[] } {
    const { aws, monitoring, protection, security, logging, project, environment } = this.config;
    const ct = monitoring.cloudTrail;
    const namespace = `${project}/${environment}/audit`;
    const trail = new AuditTrail(this, "trail", {
      trailName: trailName(this.config),
      accountId: aws.accountId,
      region: aws.region,
      partition: partitionOf(aws.region),
      multiRegion: ct.multiRegion,
      includeGlobalServiceEvents: ct.includeGlobalServiceEvents,
      key: { alias: this.naming.name("kmsAlias", "cloudtrail"), adminPrincipalArn: this.arns.root, deletionWindowDays: security.kms.deletionWindowDays },
      bucket: { name: this.naming.bucket("cloudtrail", aws.accountId), expirationDays: ct.retentionDays, forceDestroy: !protection.data, preventDestroy: protection.data },
      logs: {
        groupName: this.naming.path("cloudtrail"),
        retentionDays: ct.logRetentionDays ?? logging.retentionDays,
        kmsKeyArn: this.readEntry("security", "kms_key_arns", "logs"),
        roleName: this.naming.name("iamRole", "cloudtrail-logs"),
      },
      metricFilters: Object.fromEntries(
        (Object.keys(CIS_FILTER_PATTERNS) as CisFilter[]).filter((f) => ct.alarms[f].enabled).map((f) => [f, { pattern: CIS_FILTER_PATTERNS[f], metricName: AUDIT_METRICS[f].metricName }]),
      ),
      metricNamespace: namespace,
    });
    const set = this.alarmSet("audit");
    for (const f of Object.keys(trail.metricFilters) as CisFilter[]) {
      const s = ct.alarms[f];
      set.metric(f, {
        name: this.alarmName("audit", AUDIT_METRICS[f].metricName.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()),
        description: `${AUDIT_METRICS[f].what}: more than ${s.threshold} event(s) in ${s.periodSeconds / 60} minute(s) (CloudTrail metric filter ${AUDIT_METRICS[f].metricName}; see the trail's log group ${this.naming.path("cloudtrail")}).`,
        comparison: "GreaterThanThreshold",
        metric: { namespace, metricName: AUDIT_METRICS[f].metricName, dimensions: {}, stat: "Sum" },
        ...evaluation(s, s.threshold),
      });
    }
    return { trail, alarms: set.alarms };
  }

  /** X-Ray sampling for `<project>-<env>-*` and a group of the traces this environment's services send. */
  private tracing(): void {
    const { xray } = this.config.monitoring;
    // X-Ray service names: REST stages are <api name>/<stage>, the function its name, and the
    // application services report <project>-<env>-<service> (the kit's convention; docs/layers/monitoring.md).
    const names = [
      ...(this.isEnabled("api-gateway") && this.config.apiGateway.type === "rest" ? [`${this.naming.name("generic", "api")}/${apiStageName(this.config)}`] : []),
      ...(this.isEnabled("lambda-genai") ? [this.naming.name("lambda", "genai")] : []),
      ...(this.isEnabled("application") ? Object.keys(this.config.services).map((s) => this.naming.name("generic", s)) : []),
    ];
    new XrayTracing(this, "xray", {
      // Sampling rule and group names: 32 characters at most (a longer prefix is cut with a hash).
      name: fitName(this.naming.prefix, { max: 32 }),
      serviceName: `${this.naming.prefix}-*`,
      fixedRate: xray.samplingRate,
      reservoirPerSecond: xray.reservoirPerSecond,
      priority: xray.priority,
      groupFilter: names.length ? names.map((n) => `service("${n}")`).join(" OR ") : undefined,
      insights: xray.insights,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Dashboards

  /**
   * Alarm status widgets, 100 alarms each (CloudWatch's limit). The ARNs are built from the alarm
   * names, so the dashboard body is known at plan time and reviewers see it whole; the dashboards
   * depend on the alarms instead.
   */
  private alarmStatus(title: string, alarms: readonly (CloudwatchMetricAlarm | CloudwatchCompositeAlarm)[]): Widget[] {
    const out: Widget[] = [];
    const arn = (a: CloudwatchMetricAlarm | CloudwatchCompositeAlarm) => this.arns.arn("cloudwatch", `alarm:${a.alarmNameInput}`);
    for (let i = 0; i < alarms.length; i += 100) {
      out.push({ type: "alarms", title: alarms.length > 100 ? `${title} (${i / 100 + 1})` : title, alarmArns: alarms.slice(i, i + 100).map(arn) });
    }
    return out;
  }

  private dashboards(watched: Partial<Record<WatchedLayer, Watched>>, auditAlarms: CloudwatchMetricAlarm[]): Dashboard[] {
    const region = this.config.aws.region;
    return monitoringDashboards(this.config).map(({ layer, name }) => {
      if (layer !== "overview") {
        const w = watched[layer]!;
        return new Dashboard(this, `dashboard_${layer}`, { name, region, widgets: w.widgets, dependsOn: [...w.alarms, ...w.composites] });
      }
      const layers = Object.values(watched).filter((w): w is Watched => w !== undefined);
      const composites = layers.flatMap((w) => w.composites);
      const others = monitoringDashboards(this.config).filter((d) => d.layer !== "overview");
      return new Dashboard(this, "dashboard_overview", {
        name,
        region,
        widgets: [
          { type: "text", markdown: `# ${this.naming.prefix}: overview\nEvery alarm of the environment; details on ${others.map((d) => d.name).join(", ") || "no other dashboard"}.` },
          ...this.alarmStatus("Services", composites),
          ...this.alarmStatus("Alarms", [...layers.flatMap((w) => w.alarms), ...auditAlarms]),
          ...layers.flatMap((w) => w.overview),
        ],
        dependsOn: [...layers.flatMap((w) => [...w.alarms, ...w.composites]), ...auditAlarms],
      });
    });
  }
}
