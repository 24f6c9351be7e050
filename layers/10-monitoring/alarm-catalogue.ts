/**
 * The alarm catalogue of layer 10 monitoring: every alarm the kit creates, as data. One table per
 * resource kind (ALARM_CATALOGUE); each entry says which metric of the resource it watches (the
 * metric helpers live beside the module that owns the resource: modules/load-balancer.ts
 * loadBalancerMetric, modules/rds-common.ts rdsMetric, ...), where its settings live in
 * monitoring.alarms (threshold, evaluation, severity), how the threshold converts to the metric's
 * unit, and what the alarm means. `alarmsFor()` turns the entries of a kind into alarms for the
 * resources the layer read from the owning layers' contract outputs.
 *
 * From a Terraform address to its entry: `aws_cloudwatch_metric_alarm.<set>_[<resource>_]<alarm>`
 * is the entry with that `set` and `alarm` (`alb_customers_response_time`: set alb, alarm
 * response_time, kind targetGroup); its name is `<project>-<env>-<set>-[<resource>-]<alarm in kebab-case>`.
 * Severity (hence the topic it notifies) comes from the entry's settings.
 */
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { PlatformConfig } from "../../core/config/types";
import { genaiDurationThresholdMs, SEVERITIES, type AlarmSettings, type Severity } from "./config";
import type { AlarmEvaluation, AlarmSet, Comparison, Metric, MetricMath } from "../../modules/alarm-set";
import { CIS_METRICS, cisMetric, type CisFilter } from "../../modules/audit-trail";
import { queueMetric } from "../../modules/encrypted-queue";
import { ecsServiceMetric } from "../../modules/fargate-service";
import { httpApiMetric } from "../../modules/http-api";
import { kafkaMetric } from "../../modules/kafka-cluster";
import { lambdaMetric } from "../../modules/lambda-function";
import { loadBalancerMetric } from "../../modules/load-balancer";
import { rdsMetric } from "../../modules/rds-common";
import { redisNodeMetric } from "../../modules/redis-cache";
import { restApiMetric } from "../../modules/rest-api";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

/**
 * The resources alarms watch, by kind: the names their metrics' dimensions need, read from the
 * owning layer's contract outputs (never re-derived here). `key` is the per-name part of the
 * address (service, queue, function); kinds without it have one resource per environment.
 */
export interface MonitoredResources {
  /** The application load balancer (application.alb_arn_suffix). */
  readonly loadBalancer: { readonly loadBalancer: string; readonly prefix: string };
  /** A service's target group (application.target_group_arn_suffixes). */
  readonly targetGroup: {
    readonly key: string;
    readonly loadBalancer: string;
    readonly targetGroup: string;
    readonly healthCheckPath: string;
  };
  /** An ECS service (application.cluster_name, service_names). */
  readonly ecsService: {
    readonly key: string;
    readonly cluster: string;
    readonly service: string;
    readonly memoryMiB: number;
    readonly minCount: number;
    readonly maxCount: number;
  };
  /** The Aurora cluster or RDS instance (database.db_identifier). */
  readonly database: { readonly identifier: string; readonly aurora: boolean; readonly serverless: boolean; readonly prefix: string };
  /** Reader N of the Aurora cluster (database.db_reader_identifiers). */
  readonly auroraReader: { readonly n: number; readonly instance: string; readonly prefix: string };
  /** A read replica of the RDS instance (database.db_reader_identifiers, database.readReplicas). */
  readonly rdsReplica: { readonly n: number; readonly instance: string; readonly prefix: string };
  /** The Redis replication group and its nodes (database.cache_replication_group_id, cache_member_cluster_ids). */
  readonly redis: { readonly group: string; readonly nodes: readonly string[] };
  /** A provisioned MSK cluster and its brokers (database.kafka_cluster_name; brokers 1 … kafka brokers). */
  readonly kafka: { readonly cluster: string; readonly brokers: number };
  /** The GenAI function and its dead-letter queue (lambda-genai.function_name, dead_letter_queue_arn). */
  readonly genaiFunction: { readonly functionName: string; readonly deadLetterQueue: string; readonly prefix: string };
  /** The REST or HTTP API stage (api-gateway.api_name or api_id, stage_name). */
  readonly api: { readonly rest: boolean; readonly name: string; readonly id: string; readonly stage: string };
  /** A queue of native.queues and its dead-letter queue (native.queue_names, dead_letter_queue_names). */
  readonly queue: { readonly key: string; readonly queue: string; readonly deadLetterQueue: string };
  /** A function of the native layer and its dead-letter queue (native.function_names, function_dead_letter_queue_arns). */
  readonly nativeFunction: { readonly key: string; readonly functionName: string; readonly deadLetterQueue: string };
  /** A CIS metric filter of the trail's log group (this layer's own CloudTrail). */
  readonly auditFilter: { readonly filter: CisFilter; readonly namespace: string; readonly logGroup: string };
}
export type ResourceKind = keyof MonitoredResources;

/** What an entry watches: one metric, or metric math over several. */
export type Watch = { readonly metric: Metric } | { readonly math: MetricMath };

/** One alarm of the catalogue, for every resource of its kind. */
export interface AlarmEntry<K extends ResourceKind> {
  /** Alarm set: the first part of the address and of the name (`alb`, `db`, `queue`). */
  readonly set: string;
  /** Last part of the address (snake_case); in kebab-case, the last part of the name. */
  readonly alarm: string;
  /** Its settings in monitoring config: enabled, threshold, evaluation, severity. */
  readonly settings: (cfg: PlatformConfig, r: MonitoredResources[K]) => AlarmSettings;
  readonly watch: (r: MonitoredResources[K]) => Watch;
  /** @default GreaterThanThreshold */
  readonly comparison?: Comparison;
  /** The threshold in the metric's unit. @default settings.threshold */
  readonly threshold?: (s: AlarmSettings, r: MonitoredResources[K], cfg: PlatformConfig) => number;
  /** Only where this holds (besides settings.enabled). @default always */
  readonly when?: (r: MonitoredResources[K], cfg: PlatformConfig) => boolean;
  /** Part of the service's composite "unhealthy" alarm (what users notice). */
  readonly userFacing?: boolean;
  /** What the alarm means and what to look at first; `threshold` in the config's unit. */
  readonly description: (r: MonitoredResources[K], s: AlarmSettings & { readonly threshold: number }, cfg: PlatformConfig) => string;
  /** Address and name parts after the set, when not `[key, alarm]`. */
  readonly parts?: (r: MonitoredResources[K]) => { readonly address: string; readonly name: readonly string[] };
}

export type AlarmCatalogue = { readonly [K in ResourceKind]: readonly AlarmEntry<K>[] };

const rate = "100 * FILL(errors, 0) / requests";
/** One metric-math series over every node of a Redis group (a failover changes nothing). */
const overNodes = (fn: "MAX" | "SUM", label: string, r: MonitoredResources["redis"], metricName: string, stat: string): Watch => {
  const metrics = Object.fromEntries(r.nodes.map((id, i) => [`node${i + 1}`, redisNodeMetric(metricName, stat, id)]));
  return { math: { expression: `${fn}([${Object.keys(metrics).join(", ")}])`, label, metrics } };
};
const apiMetric = (r: MonitoredResources["api"], rest: string, http: string, stat: string): Metric =>
  r.rest ? restApiMetric(rest, stat, { name: r.name, stage: r.stage }) : httpApiMetric(http, stat, { id: r.id, stage: r.stage });

/** API Gateway metrics of the API (REST and HTTP name them differently). The average of an error metric is the error rate. */
export const apiMetrics = (r: MonitoredResources["api"]) => ({
  count: apiMetric(r, "Count", "Count", "Sum"),
  errors5xx: apiMetric(r, "5XXError", "5xx", "Average"),
  errors4xx: apiMetric(r, "4XXError", "4xx", "Average"),
  latency: apiMetric(r, "Latency", "Latency", "p95"),
});

/** Redis metrics per node, by query id (`node1` ...). */
export const databaseWhat = (r: MonitoredResources["database"]) =>
  r.aurora ? `Aurora cluster ${r.prefix} (any instance)` : `RDS instance ${r.prefix}`;
const db = (r: MonitoredResources["database"], metricName: string, stat: string) =>
  rdsMetric(metricName, stat, r.aurora ? { cluster: r.identifier } : { instance: r.identifier });

export const ALARM_CATALOGUE: AlarmCatalogue = {
  loadBalancer: [
    {
      set: "alb",
      alarm: "5xx",
      settings: (c) => c.monitoring.alarms.alb.elb5xxRate,
      watch: (r) => ({
        math: {
          expression: rate,
          label: "ELB 5XX (% of requests)",
          metrics: {
            errors: loadBalancerMetric("HTTPCode_ELB_5XX_Count", "Sum", r),
            requests: loadBalancerMetric("RequestCount", "Sum", r),
          },
        },
      }),
      description: (r, s) =>
        `More than ${s.threshold}% of requests to the load balancer of ${r.prefix} failed with a 5XX the ALB generated itself (no healthy target, target timeouts, connection errors).`,
    },
  ],
  targetGroup: [
    {
      set: "alb",
      alarm: "5xx",
      userFacing: true,
      settings: (c) => c.monitoring.alarms.alb.target5xxRate,
      watch: (r) => ({
        math: {
          expression: rate,
          label: `${r.key} 5XX (% of requests)`,
          metrics: {
            errors: loadBalancerMetric("HTTPCode_Target_5XX_Count", "Sum", r),
            requests: loadBalancerMetric("RequestCount", "Sum", r),
          },
        },
      }),
      description: (r, s) =>
        `More than ${s.threshold}% of the ${r.key} service's requests failed with a 5XX from its tasks (see its log group and traces).`,
    },
    {
      set: "alb",
      alarm: "response_time",
      userFacing: true,
      settings: (c) => c.monitoring.alarms.alb.targetResponseTimeP95,
      watch: (r) => ({ metric: loadBalancerMetric("TargetResponseTime", "p95", r) }),
      description: (r, s) => `The ${r.key} service's p95 response time is above ${s.threshold} s.`,
    },
    {
      set: "alb",
      alarm: "unhealthy_hosts",
      userFacing: true,
      settings: (c) => c.monitoring.alarms.alb.unhealthyHosts,
      watch: (r) => ({ metric: loadBalancerMetric("UnHealthyHostCount", "Maximum", r) }),
      description: (r, s) => `More than ${s.threshold} of the ${r.key} service's targets fail their health check (${r.healthCheckPath}).`,
    },
  ],
  ecsService: [
    {
      set: "ecs",
      alarm: "cpu",
      settings: (c) => c.monitoring.alarms.ecs.cpu,
      watch: (r) => ({ metric: ecsServiceMetric("CPUUtilization", "Average", r) }),
      description: (r, s) =>
        `The ${r.key} service's tasks use more than ${s.threshold}% of their CPU on average (autoscaling tops out at ${r.maxCount} tasks).`,
    },
    {
      set: "ecs",
      alarm: "memory",
      settings: (c) => c.monitoring.alarms.ecs.memory,
      watch: (r) => ({ metric: ecsServiceMetric("MemoryUtilization", "Average", r) }),
      description: (r, s) => `The ${r.key} service's tasks use more than ${s.threshold}% of their memory (${r.memoryMiB} MiB) on average.`,
    },
    {
      // RunningTaskCount comes from Container Insights; a service allowed to run no task cannot be "below" it.
      set: "ecs",
      alarm: "running_tasks",
      userFacing: true,
      comparison: "LessThanThreshold",
      when: (r, c) => c.application.containerInsights !== "disabled" && r.minCount > 0,
      settings: (c) => c.monitoring.alarms.ecs.runningTasks,
      watch: (r) => ({ metric: ecsServiceMetric("RunningTaskCount", "Minimum", r, "ECS/ContainerInsights") }),
      threshold: (_, r) => r.minCount,
      description: (r) =>
        `The ${r.key} service runs fewer than its minimum of ${r.minCount} task(s): tasks fail to start or keep stopping (see the service's events).`,
    },
  ],
  database: [
    {
      set: "db",
      alarm: "cpu",
      settings: (c) => c.monitoring.alarms.database.cpu,
      watch: (r) => ({ metric: db(r, "CPUUtilization", "Maximum") }),
      description: (r, s) =>
        `CPU of the ${databaseWhat(r)} above ${s.threshold}%. No data counts as breaching: the database reports every minute, so silence means it is down.`,
    },
    {
      set: "db",
      alarm: "connections",
      settings: (c) => c.monitoring.alarms.database.connections,
      watch: (r) => ({ metric: db(r, "DatabaseConnections", "Maximum") }),
      description: (r, s) =>
        `More than ${s.threshold} connections to the ${databaseWhat(r)}: connection pools are leaking or max_connections is near.`,
    },
    {
      set: "db",
      alarm: "freeable_memory",
      comparison: "LessThanThreshold",
      settings: (c) => c.monitoring.alarms.database.freeableMemory,
      watch: (r) => ({ metric: db(r, "FreeableMemory", "Minimum") }),
      threshold: (s) => s.threshold! * MIB,
      description: (r, s) => `Freeable memory of the ${databaseWhat(r)} below ${s.threshold} MiB.`,
    },
    {
      set: "db",
      alarm: "acu_utilization",
      when: (r) => r.aurora && r.serverless,
      settings: (c) => c.monitoring.alarms.database.acuUtilization,
      watch: (r) => ({ metric: db(r, "ACUUtilization", "Maximum") }),
      description: (r, s, c) =>
        `The Aurora Serverless v2 cluster ${r.prefix} uses more than ${s.threshold}% of its maximum capacity (database.serverless.maxCapacity ${c.database.serverless.maxCapacity} ACUs).`,
    },
    {
      set: "db",
      alarm: "free_storage",
      comparison: "LessThanThreshold",
      when: (r) => !r.aurora,
      settings: (c) => c.monitoring.alarms.database.freeStorage,
      watch: (r) => ({ metric: db(r, "FreeStorageSpace", "Minimum") }),
      threshold: (s) => s.threshold! * GIB,
      description: (r, s, c) =>
        `Free storage of the ${databaseWhat(r)} below ${s.threshold} GiB (storage autoscaling stops at ${c.database.storage.maxAllocatedGb} GiB).`,
    },
  ],
  auroraReader: [
    {
      set: "db",
      alarm: "replica_lag",
      parts: (r) => ({ address: `replica_lag_reader_${r.n}`, name: [`reader-${r.n}`, "replica-lag"] }),
      settings: (c) => c.monitoring.alarms.database.replicaLag,
      watch: (r) => ({ metric: rdsMetric("AuroraReplicaLag", "Maximum", { instance: r.instance }) }),
      threshold: (s) => s.threshold! * 1000,
      description: (r, s) =>
        `Reader ${r.n} of the Aurora cluster ${r.prefix} lags the writer by more than ${s.threshold} s. No data counts as breaching: a reader reports every minute while it runs.`,
    },
  ],
  rdsReplica: [
    {
      set: "db",
      alarm: "replica_lag",
      parts: (r) => ({ address: `replica_lag_replica_${r.n}`, name: [`replica-${r.n}`, "replica-lag"] }),
      settings: (c) => c.monitoring.alarms.database.replicaLag,
      // RDS publishes ReplicaLag in seconds (Aurora's AuroraReplicaLag is in milliseconds).
      watch: (r) => ({ metric: rdsMetric("ReplicaLag", "Maximum", { instance: r.instance }) }),
      description: (r, s) =>
        `Read replica ${r.n} of the RDS instance ${r.prefix} lags its source by more than ${s.threshold} s (reports read from it are that stale). No data counts as breaching: a replica reports every minute while replication runs.`,
    },
  ],
  kafka: [
    {
      set: "kafka",
      alarm: "offline_partitions",
      settings: (c) => c.monitoring.alarms.kafka.offlinePartitions,
      watch: (r) => ({ metric: kafkaMetric("OfflinePartitionsCount", "Maximum", r.cluster) }),
      description: (r, s) =>
        `${r.cluster}: more than ${s.threshold} partition(s) have no active leader; producers and consumers of them fail.`,
    },
    {
      set: "kafka",
      alarm: "active_controller",
      comparison: "LessThanThreshold",
      settings: (c) => c.monitoring.alarms.kafka.activeController,
      watch: (r) => ({ metric: kafkaMetric("ActiveControllerCount", "Maximum", r.cluster) }),
      description: (r, s) =>
        `${r.cluster} has fewer than ${s.threshold} active controller(s). No data counts as breaching: a running cluster reports every minute.`,
    },
    {
      set: "kafka",
      alarm: "disk_used",
      settings: (c) => c.monitoring.alarms.kafka.diskUsed,
      watch: (r) => {
        const metrics = Object.fromEntries(
          Array.from({ length: r.brokers }, (_, i) => [
            `broker${i + 1}`,
            kafkaMetric("KafkaDataLogsDiskUsed", "Maximum", r.cluster, i + 1),
          ]),
        );
        return {
          math: { expression: `MAX([${Object.keys(metrics).join(", ")}])`, label: "KafkaDataLogsDiskUsed (max over brokers)", metrics },
        };
      },
      description: (r, s) =>
        `A broker of ${r.cluster} has used more than ${s.threshold}% of its data volume (kafka.provisioned.storageGb).`,
    },
  ],
  redis: [
    {
      set: "cache",
      alarm: "cpu",
      settings: (c) => c.monitoring.alarms.cache.cpu,
      watch: (r) => overNodes("MAX", "EngineCPUUtilization (max over nodes)", r, "EngineCPUUtilization", "Maximum"),
      description: (r, s) =>
        `The Redis engine thread of a node of ${r.group} is busier than ${s.threshold}%. No data counts as breaching: nodes report every minute.`,
    },
    {
      set: "cache",
      alarm: "memory",
      settings: (c) => c.monitoring.alarms.cache.memory,
      watch: (r) => overNodes("MAX", "DatabaseMemoryUsagePercentage (max over nodes)", r, "DatabaseMemoryUsagePercentage", "Maximum"),
      description: (r, s) => `A node of ${r.group} uses more than ${s.threshold}% of its memory for data.`,
    },
    {
      set: "cache",
      alarm: "evictions",
      settings: (c) => c.monitoring.alarms.cache.evictions,
      watch: (r) => overNodes("SUM", "Evictions (all nodes)", r, "Evictions", "Sum"),
      description: (r, s) =>
        `${r.group} evicted more than ${s.threshold} keys in ${s.periodSeconds / 60} minute(s): it is too small for its working set.`,
    },
  ],
  genaiFunction: [
    {
      set: "genai",
      alarm: "errors",
      settings: (c) => c.monitoring.alarms.lambda.errors,
      watch: (r) => ({ metric: lambdaMetric("Errors", "Sum", r.functionName) }),
      description: (r, s) =>
        `The GenAI function failed more than ${s.threshold} times in ${s.periodSeconds / 60} minute(s) (see /aws/lambda/${r.prefix}-genai).`,
    },
    {
      set: "genai",
      alarm: "throttles",
      settings: (c) => c.monitoring.alarms.lambda.throttles,
      watch: (r) => ({ metric: lambdaMetric("Throttles", "Sum", r.functionName) }),
      description: (_, __, c) =>
        `The GenAI function was throttled: its reserved concurrency (${c.genai.reservedConcurrency}) is exhausted.`,
    },
    {
      set: "genai",
      alarm: "duration",
      settings: (c) => c.monitoring.alarms.lambda.durationP95,
      watch: (r) => ({ metric: lambdaMetric("Duration", "p95", r.functionName) }),
      threshold: (_, __, c) => genaiDurationThresholdMs(c),
      description: (_, s, c) =>
        `The GenAI function's p95 duration is above ${s.threshold} ms (timeout ${c.genai.timeoutSeconds} s): Bedrock is slow or answers are long.`,
    },
    {
      set: "genai",
      alarm: "dead_letters",
      settings: (c) => c.monitoring.alarms.lambda.deadLetterQueue,
      watch: (r) => ({ metric: queueMetric("ApproximateNumberOfMessagesVisible", r.deadLetterQueue) }),
      description: (_, s) =>
        `The GenAI function's dead-letter queue holds more than ${s.threshold} message(s): asynchronous invocations failed after their retries.`,
    },
  ],
  api: [
    {
      set: "api",
      alarm: "5xx",
      settings: (c) => c.monitoring.alarms.apiGateway.error5xxRate,
      watch: (r) => ({ metric: apiMetrics(r).errors5xx }),
      threshold: (s) => s.threshold! / 100,
      description: (_, s) =>
        `More than ${s.threshold}% of the API's requests failed with a 5XX (integration errors, timeouts, the load balancer or the GenAI function failing).`,
    },
    {
      set: "api",
      alarm: "4xx",
      settings: (c) => c.monitoring.alarms.apiGateway.error4xxRate,
      watch: (r) => ({ metric: apiMetrics(r).errors4xx }),
      threshold: (s) => s.threshold! / 100,
      description: (_, s) =>
        `More than ${s.threshold}% of the API's requests were refused with a 4XX (broken clients, throttling at the stage or the WAF).`,
    },
    {
      set: "api",
      alarm: "latency",
      settings: (c) => c.monitoring.alarms.apiGateway.latencyP95,
      watch: (r) => ({ metric: apiMetrics(r).latency }),
      description: (_, s) => `The API's p95 latency is above ${s.threshold} ms.`,
    },
  ],
  queue: [
    {
      set: "queue",
      alarm: "dead_letters",
      settings: (c) => c.monitoring.alarms.queues.deadLetterMessages,
      watch: (r) => ({ metric: queueMetric("ApproximateNumberOfMessagesVisible", r.deadLetterQueue) }),
      description: (r, s) =>
        `The dead-letter queue of ${r.key} holds more than ${s.threshold} message(s): messages failed processing too often (inspect, fix, then redrive).`,
    },
    {
      set: "queue",
      alarm: "oldest_message",
      settings: (c) => c.monitoring.alarms.queues.oldestMessageAge,
      watch: (r) => ({ metric: queueMetric("ApproximateAgeOfOldestMessage", r.queue) }),
      description: (r, s) => `The oldest message of ${r.key} is older than ${s.threshold} s: its consumers are stuck or too slow.`,
    },
  ],
  nativeFunction: [
    {
      set: "function",
      alarm: "errors",
      settings: (c) => c.monitoring.alarms.lambda.errors,
      watch: (r) => ({ metric: lambdaMetric("Errors", "Sum", r.functionName) }),
      description: (r, s) =>
        `The ${r.key} function of the native layer failed more than ${s.threshold} times in ${s.periodSeconds / 60} minute(s).`,
    },
    {
      set: "function",
      alarm: "dead_letters",
      settings: (c) => c.monitoring.alarms.lambda.deadLetterQueue,
      watch: (r) => ({ metric: queueMetric("ApproximateNumberOfMessagesVisible", r.deadLetterQueue) }),
      description: (r, s) =>
        `The dead-letter queue of the ${r.key} function holds more than ${s.threshold} message(s): asynchronous invocations failed after their retries.`,
    },
  ],
  auditFilter: [
    {
      set: "audit",
      alarm: "filter",
      parts: (r) => ({ address: r.filter, name: [CIS_METRICS[r.filter].metricName.replace(/([a-z])([A-Z])/g, "$1-$2").toLowerCase()] }),
      settings: (c, r) => c.monitoring.cloudTrail.alarms[r.filter],
      watch: (r) => ({ metric: cisMetric(r.namespace, r.filter) }),
      description: (r, s) =>
        `${CIS_METRICS[r.filter].what}: more than ${s.threshold} event(s) in ${s.periodSeconds / 60} minute(s) (CloudTrail metric filter ${CIS_METRICS[r.filter].metricName}; see the trail's log group ${r.logGroup}).`,
    },
  ],
};

export const RESOURCE_KINDS = Object.keys(ALARM_CATALOGUE) as ResourceKind[];

/** An alarm the catalogue created, with what it watches. */
export interface CataloguedAlarm {
  readonly alarm: CloudwatchMetricAlarm;
  readonly key?: string;
  readonly severity: Severity;
  readonly userFacing: boolean;
}

/** Where alarms go: the set of an id (created once, notifying the topic of each alarm's severity). */
export interface AlarmSink {
  readonly config: PlatformConfig;
  set(id: string): AlarmSet;
  /** `<project>-<env>-<parts>`. */
  alarmName(...parts: string[]): string;
}

/**
 * The alarms of every entry of `kind` for each resource (resource by resource, entries in
 * catalogue order), each enabled in its settings and where its `when` holds. Refuses a kind the
 * catalogue does not know and an entry whose settings carry no severity (it would notify no topic).
 */
export function alarmsFor<K extends ResourceKind>(
  sink: AlarmSink,
  kind: K,
  resources: readonly MonitoredResources[K][],
  catalogue: AlarmCatalogue = ALARM_CATALOGUE,
): CataloguedAlarm[] {
  if (!Object.prototype.hasOwnProperty.call(catalogue, kind)) {
    throw new Error(`alarm catalogue: unknown resource kind ${JSON.stringify(kind)}; kinds are ${Object.keys(catalogue).join(", ")}`);
  }
  const entries = catalogue[kind] as readonly AlarmEntry<K>[];
  const out: CataloguedAlarm[] = [];
  for (const r of resources) {
    const key = (r as { key?: string }).key;
    for (const e of entries) {
      const s = e.settings(sink.config, r);
      if (!s.enabled || (e.when && !e.when(r, sink.config))) continue;
      if (!(SEVERITIES as readonly string[]).includes(s.severity)) {
        throw new Error(
          `alarm catalogue: ${kind} alarm ${e.set}/${e.alarm} has severity ${JSON.stringify(s.severity)}; severities are ${SEVERITIES.join(", ")}`,
        );
      }
      const threshold = e.threshold ? e.threshold(s, r, sink.config) : s.threshold;
      if (threshold === undefined)
        throw new Error(`alarm catalogue: ${kind} alarm ${e.set}/${e.alarm} has no threshold (give the entry a threshold function)`);
      const parts = e.parts
        ? e.parts(r)
        : {
            address: key === undefined ? e.alarm : `${key}_${e.alarm}`,
            name: [...(key === undefined ? [] : [key]), e.alarm.replace(/_/g, "-")],
          };
      const evaluation: AlarmEvaluation = {
        threshold,
        periodSeconds: s.periodSeconds,
        evaluationPeriods: s.evaluationPeriods,
        datapointsToAlarm: s.datapointsToAlarm,
        treatMissingData: s.treatMissingData,
      };
      const alarm = sink.set(e.set).metric(parts.address, {
        name: sink.alarmName(e.set, ...parts.name),
        description: e.description(r, { ...s, threshold: s.threshold ?? threshold }, sink.config),
        comparison: e.comparison ?? "GreaterThanThreshold",
        ...e.watch(r),
        ...evaluation,
        severity: s.severity,
      });
      out.push({ alarm, key, severity: s.severity, userFacing: e.userFacing === true });
    }
  }
  return out;
}
