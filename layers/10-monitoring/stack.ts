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
 * Every name a dimension needs comes from the owning layer's contract outputs: the load balancer,
 * target groups, cluster and services (application), the database identifier and reader instance
 * ids (database.db_identifier, db_reader_identifiers), the Redis group and its nodes
 * (database.cache_replication_group_id, cache_member_cluster_ids), the API's name or id and stage
 * (api-gateway.api_name / api_id, stage_name), functions and queues (lambda-genai, native).
 *
 * What is watched how is data: the alarm catalogue (monitoring/alarm-catalogue.ts) has one entry per
 * alarm and resource kind; this file lists the resources and hands them to alarmsFor(). Metric
 * helpers live beside the modules that own the resources (loadBalancerMetric in
 * modules/load-balancer.ts, rdsMetric in modules/rds-common.ts, ...).
 *
 * Addresses: alarms are `<area>_<alarm>` for the environment (`alb_5xx`, `db_cpu`,
 * `cache_memory`, `genai_errors`, `api_latency`, `audit_root_usage`) and
 * `<area>_<name>_<alarm>` per service, queue or function (`ecs_customers_cpu`, `alb_customers_5xx`,
 * `queue_orders_dead_letters`, `function_mailer_errors`); composites `service_<service>_unhealthy`; dashboards
 * `dashboard_<layer>`. A per-name address always has three parts, so it cannot collide with an
 * environment-wide one. An alarm's address names its catalogue entry: `<set>_[<resource>_]<alarm>`.
 */
import type { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Fn, Token } from "cdktf";
import type { Construct } from "constructs";
import { partitionOf } from "../../core/config/regions";
import type { PlatformConfig } from "../../core/config/types";
import { cacheMemberIds, resolveDatabase } from "../03-database/config";
import { nativeNames } from "../09-native/config";
import { alarmTopicNames, monitoringDashboards, SEVERITIES, trailName, watches, type Severity, type WatchedLayer } from "./config";
import { LayerStack } from "../../core/layer-stack";
import { fitName } from "../../core/naming";
import { Arns } from "../../core/policy";
import { AlarmSet, type AlarmActions } from "../../modules/alarm-set";
import { AlarmTopic } from "../../modules/alarm-topic";
import { AuditTrail, CIS_FILTER_PATTERNS, CIS_METRICS, type CisFilter } from "../../modules/audit-trail";
import { Dashboard, type Widget } from "../../modules/dashboard";
import { queueNameFromArn } from "../../modules/encrypted-queue";
import { GuardDuty } from "../../modules/guard-duty";
import { LogArchive } from "../../modules/log-archive";
import { XrayTracing } from "../../modules/xray-tracing";
import { alarmsFor, type AlarmSink, type CataloguedAlarm, type MonitoredResources, type ResourceKind } from "./alarm-catalogue";
import {
  alarmStatus,
  apiWidgets,
  applicationWidgets,
  cacheWidgets,
  databaseWidgets,
  genaiWidgets,
  nativeWidgets,
  type DashboardContext,
} from "./dashboards";

/** What watching one layer produced: its alarms and its dashboard widgets. */
interface Watched {
  readonly alarms: CloudwatchMetricAlarm[];
  readonly composites: CloudwatchCompositeAlarm[];
  /** The layer's own dashboard. */
  readonly widgets: Widget[];
  /** What the overview shows of it. */
  readonly overview: Widget[];
}

const alarmsOf = (made: readonly CataloguedAlarm[]) => made.map((m) => m.alarm);

export class MonitoringStack extends LayerStack<"monitoring"> implements AlarmSink {
  private readonly arns: Arns;
  /** What alarms of each severity notify: the topic of their severity (one topic for all without monitoring.severityTopics). */
  private readonly actions: Record<Severity, AlarmActions>;
  private readonly sets = new Map<string, AlarmSet>();

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
    const actionsOf = (severity: Severity): AlarmActions => ({
      alarmActions: [topics[severity].arn],
      okActions: mon.notifyOnRecovery ? [topics[severity].arn] : [],
    });
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
          ? {
              topicArn: topics[mon.guardDuty.severity].arn,
              ruleName: this.naming.name("generic", "guardduty-findings").slice(0, 64),
              minSeverity: mon.guardDuty.minSeverity,
            }
          : undefined,
      });
    }

    if (config.logging.archive.enabled) this.logArchive(trail?.trail);

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
  alarmName(...parts: string[]): string {
    return this.naming.name("generic", ...parts);
  }

  /** The set of an id (address prefix), created once; its alarms notify the topic of their severity. */
  set(id: string): AlarmSet {
    let set = this.sets.get(id);
    if (!set) {
      set = new AlarmSet(this, id, { ...this.actions.WARNING, bySeverity: this.actions });
      this.sets.set(id, set);
    }
    return set;
  }

  /** The catalogue's alarms of a kind for these resources. */
  private alarms<K extends ResourceKind>(kind: K, resources: readonly MonitoredResources[K][]): CataloguedAlarm[] {
    return alarmsFor(this, kind, resources);
  }

  private get dashboard(): DashboardContext {
    return { config: this.config, prefix: this.naming.prefix, arns: this.arns };
  }

  // ---------------------------------------------------------------------------------------------
  // What is watched, read from the owning layers' contracts

  /** The load balancer, per service its target group and ECS service, and a composite "<service> unhealthy". */
  private watchApplication(): Watched {
    const loadBalancer = this.read("application", "alb_arn_suffix");
    const cluster = this.read("application", "cluster_name");
    const lb = { loadBalancer, prefix: this.naming.prefix };
    const services = Object.entries(this.config.services).map(([key, svc]) => ({
      tg: {
        key,
        loadBalancer,
        targetGroup: this.readEntry("application", "target_group_arn_suffixes", key),
        healthCheckPath: svc.healthCheck.path,
      },
      ecs: {
        key,
        cluster,
        service: this.readEntry("application", "service_names", key),
        memoryMiB: svc.memory,
        minCount: svc.minCount,
        maxCount: svc.maxCount,
      },
    }));
    const lbAlarms = this.alarms("loadBalancer", [lb]);
    const tgAlarms = this.alarms(
      "targetGroup",
      services.map((s) => s.tg),
    );
    const ecsAlarms = this.alarms(
      "ecsService",
      services.map((s) => s.ecs),
    );
    const composites = this.serviceHealth(
      services.map((s) => s.tg.key),
      [...tgAlarms, ...ecsAlarms],
    );
    const alarms = [...alarmsOf(lbAlarms), ...alarmsOf(tgAlarms), ...alarmsOf(ecsAlarms)];
    return { alarms, composites, ...applicationWidgets(this.dashboard, lb, services, [...alarms, ...composites]) };
  }

  /** Per service with user-facing alarms (monitoring.serviceHealthAlarms): a composite in ALARM while any of them is. */
  private serviceHealth(services: readonly string[], made: readonly CataloguedAlarm[]): CloudwatchCompositeAlarm[] {
    if (!this.config.monitoring.serviceHealthAlarms) return [];
    return services.flatMap((name) => {
      const anyOf = made.filter((m) => m.key === name && m.userFacing).map((m) => m.alarm);
      if (!anyOf.length) return [];
      return [
        this.set("service").composite(`${name}_unhealthy`, {
          name: this.alarmName("service", name, "unhealthy"),
          description: `The ${name} service is unhealthy: one of its user-facing alarms (5XX, response time, unhealthy targets, running tasks) is in ALARM.`,
          anyOf,
          severity: this.config.monitoring.serviceHealthSeverity,
        }),
      ];
    });
  }

  /** The Aurora cluster (cluster-level series: one alarm covers writer and readers) or RDS instance, its readers, and Redis. */
  private watchDatabase(): Watched {
    const resolved = resolveDatabase(this.config);
    const prefix = this.naming.prefix;
    const db = {
      identifier: this.read("database", "db_identifier"),
      aurora: resolved.aurora,
      serverless: resolved.aurora && resolved.serverless,
      prefix,
    };
    // Aurora readers or the RDS instance's read replicas: the count from config, the ids from layer 03.
    const count = resolved.aurora ? this.config.database.readers : this.config.database.readReplicas;
    const readerIds = count > 0 ? this.read("database", "db_reader_identifiers") : [];
    const nth = Array.from({ length: count }, (_, i) => ({ n: i + 1, instance: elementOf(readerIds, i), prefix }));
    const readers = resolved.aurora ? nth : [];
    const alarms = [
      ...alarmsOf(this.alarms("database", [db])),
      ...alarmsOf(this.alarms("auroraReader", readers)),
      ...alarmsOf(this.alarms("rdsReplica", resolved.aurora ? [] : nth)),
    ];
    // A provisioned MSK cluster (MSK Serverless publishes no cluster health metrics).
    const { kafka } = this.config;
    if (kafka.enabled && kafka.mode === "provisioned") {
      const brokers = kafka.provisioned.brokersPerAz * this.config.aws.azs.length;
      alarms.push(...alarmsOf(this.alarms("kafka", [{ cluster: this.read("database", "kafka_cluster_name"), brokers }])));
    }
    const widgets = databaseWidgets(this.dashboard, db, readers, alarms, resolved.engine);
    if (!this.config.cache.enabled) return { alarms, composites: [], ...widgets };

    // Redis: one alarm per concern over every node (metric math), so a failover that moves the primary changes nothing.
    const nodeIds = this.read("database", "cache_member_cluster_ids");
    const redis = {
      group: this.read("database", "cache_replication_group_id"),
      // One alarm per node: the count follows the config (shards x nodes), the ids come from layer 03.
      nodes: cacheMemberIds(this.config.cache, "").map((_, i) => elementOf(nodeIds, i)),
    };
    const cache = alarmsOf(this.alarms("redis", [redis]));
    return {
      alarms: [...alarms, ...cache],
      composites: [],
      widgets: [...widgets.widgets, ...cacheWidgets(this.dashboard, redis, cache)],
      overview: widgets.overview,
    };
  }

  /** The GenAI function and its dead-letter queue. */
  private watchGenai(): Watched {
    const fn = {
      functionName: this.read("lambda-genai", "function_name"),
      deadLetterQueue: queueNameFromArn(this.read("lambda-genai", "dead_letter_queue_arn")),
      prefix: this.naming.prefix,
    };
    const alarms = alarmsOf(this.alarms("genaiFunction", [fn]));
    return { alarms, composites: [], ...genaiWidgets(this.dashboard, fn, alarms) };
  }

  /** The API's stage: REST metrics carry the API's name, HTTP metrics its id. */
  private watchApi(): Watched {
    const rest = this.config.apiGateway.type === "rest";
    const api = {
      rest,
      stage: this.read("api-gateway", "stage_name"),
      name: rest ? this.read("api-gateway", "api_name") : "",
      id: rest ? "" : this.read("api-gateway", "api_id"),
    };
    const alarms = alarmsOf(this.alarms("api", [api]));
    return { alarms, composites: [], ...apiWidgets(this.dashboard, api, alarms) };
  }

  /** Per queue of native.queues its dead-letter queue and oldest message; per function of the layer (mailer, post-confirmation) errors and its dead-letter queue. */
  private watchNative(): Watched {
    const queues = Object.keys(this.config.native.queues).map((key) => ({
      key,
      queue: this.readEntry("native", "queue_names", key),
      deadLetterQueue: this.readEntry("native", "dead_letter_queue_names", key),
    }));
    const functions = Object.keys(nativeNames(this.config).functions).map((key) => ({
      key,
      functionName: this.readEntry("native", "function_names", key),
      deadLetterQueue: queueNameFromArn(this.readEntry("native", "function_dead_letter_queue_arns", key)),
    }));
    const alarms = [...alarmsOf(this.alarms("queue", queues)), ...alarmsOf(this.alarms("nativeFunction", functions))];
    return { alarms, composites: [], ...nativeWidgets(this.dashboard, queues, functions, alarms) };
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
      key: {
        alias: this.naming.name("kmsAlias", "cloudtrail"),
        adminPrincipalArn: this.arns.root,
        deletionWindowDays: security.kms.deletionWindowDays,
      },
      bucket: {
        name: this.naming.bucket("cloudtrail", aws.accountId),
        expirationDays: ct.retentionDays,
      },
      dataProtection: { protect: protection.data },
      logs: {
        groupName: this.naming.path("cloudtrail"),
        retentionDays: ct.logRetentionDays ?? logging.retentionDays,
        kmsKeyArn: this.readEntry("security", "kms_key_arns", "logs"),
        roleName: this.naming.name("iamRole", "cloudtrail-logs"),
      },
      metricFilters: Object.fromEntries(
        (Object.keys(CIS_FILTER_PATTERNS) as CisFilter[])
          .filter((f) => ct.alarms[f].enabled)
          .map((f) => [f, { pattern: CIS_FILTER_PATTERNS[f], metricName: CIS_METRICS[f].metricName }]),
      ),
      metricNamespace: namespace,
    });
    const filters = (Object.keys(trail.metricFilters) as CisFilter[]).map((filter) => ({
      filter,
      namespace,
      logGroup: this.naming.path("cloudtrail"),
    }));
    return { trail, alarms: alarmsOf(this.alarms("auditFilter", filters)) };
  }
  /**
   * logging.archive: the log groups other layers publish in their contracts (VPC flow logs, the
   * application services, the GenAI function) and CloudTrail's (owned here), streamed to S3, then Glacier.
   */
  private logArchive(trail: AuditTrail | undefined): LogArchive {
    const { aws, logging, protection } = this.config;
    return new LogArchive(this, "log_archive", {
      name: this.naming.name("generic", "log-archive"),
      region: aws.region,
      accountId: aws.accountId,
      logGroupNames: [
        ...(this.config.network.flowLogs.enabled ? [this.read("network", "flow_log_group_name")] : []),
        ...(this.isEnabled("application")
          ? Object.keys(this.config.services).map((s) => this.readEntry("application", "log_group_names", s))
          : []),
        ...(this.isEnabled("lambda-genai") ? [this.read("lambda-genai", "log_group_name")] : []),
        // The trail's group is created in this stack: its name attribute orders the filter after it.
        ...(trail ? [trail.logGroup.name] : []),
      ],
      glacierAfterDays: logging.archive.glacierAfterDays,
      expireAfterDays: logging.archive.expireAfterDays,
      dataProtection: { protect: protection.data },
    });
  }

  /** X-Ray sampling for `<project>-<env>-*` and a group of the traces this environment's services send. */
  private tracing(): void {
    const { xray } = this.config.monitoring;
    // X-Ray service names: REST stages are <api name>/<stage>, the function its name (both from
    // their layers' contracts), and the application services report <project>-<env>-<service> (the
    // kit's convention; layers/10-monitoring/README.md).
    const names = [
      ...(this.isEnabled("api-gateway") && this.config.apiGateway.type === "rest"
        ? [`${this.read("api-gateway", "api_name")}/${this.read("api-gateway", "stage_name")}`]
        : []),
      ...(this.isEnabled("lambda-genai") ? [this.read("lambda-genai", "function_name")] : []),
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
          {
            type: "text",
            markdown: `# ${this.naming.prefix}: overview\nEvery alarm of the environment; details on ${others.map((d) => d.name).join(", ") || "no other dashboard"}.`,
          },
          ...alarmStatus(this.arns, "Services", composites),
          ...alarmStatus(this.arns, "Alarms", [...layers.flatMap((w) => w.alarms), ...auditAlarms]),
          ...layers.flatMap((w) => w.overview),
        ],
        dependsOn: [...layers.flatMap((w) => [...w.alarms, ...w.composites]), ...auditAlarms],
      });
    });
  }
}

/** Item i of a list output, resolved by Terraform. */
function elementOf(list: string[], i: number): string {
  return Token.asString(Fn.element(list, i));
}
