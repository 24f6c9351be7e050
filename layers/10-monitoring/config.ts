/**
 * Configuration of layer 10 monitoring: the alarm topic's alarms, dashboards, X-Ray, CloudTrail
 * and GuardDuty.
 *
 * - `alarms.<group>.<alarm>`: every alarm has the same settings: `enabled`, `threshold` (its unit
 *   is in the description), `periodSeconds` (whole minutes: AWS services publish these metrics per
 *   minute), `evaluationPeriods`, `datapointsToAlarm` (M of N) and `treatMissingData`. Each alarm
 *   has its own defaults, chosen per metric (layers/10-monitoring/README.md has the table and why).
 *   Groups follow the layers they watch; an alarm exists only when its layer is enabled.
 * - Single-field ranges are schema checks (percentages 0-100, counts 0 or more, durations above
 *   0, periods a multiple of 60). Cross-field rules (`monitoringRules`): datapointsToAlarm at most
 *   evaluationPeriods, and the evaluation window no longer than CloudWatch accepts (one day for
 *   periods under an hour, seven days otherwise).
 * - Tier defaults (../../core/config/tiers.ts): the X-Ray sampling rate and how long CloudTrail log files are kept.
 */
import { z } from "zod";
import { logRetention, wholeRange } from "../../core/config/fields";
import type { LayerName, PlatformConfig } from "../../core/config/types";
import type { KeyPath, Rule, SemanticIssue } from "../../core/config/types";
import { nativeNames } from "../09-native/config";
import { loggingRules } from "./logging";
import type { LayerConfig } from "../../core/layer-descriptor";
import { layerOn, whenLayerOn } from "../../core/config/layer-switch";

const SECTION = ["monitoring"] as const;

/** How an alarm treats periods without data points (CloudWatch's TreatMissingData). */
export const TREAT_MISSING_DATA = ["breaching", "notBreaching", "ignore", "missing"] as const;
export type TreatMissingData = (typeof TREAT_MISSING_DATA)[number];

/**
 * Alarm severities, lowest first. Every alarm has one (`alarms.<group>.<alarm>.severity`, a default
 * per alarm); with `severityTopics` each severity has its own topic, and the notification layer
 * routes each topic to the channels of notification.routing.
 */
export const SEVERITIES = ["WARNING", "ERROR", "CRITICAL"] as const;
export type Severity = (typeof SEVERITIES)[number];
const severity = z.enum(SEVERITIES, { error: `an alarm severity: one of ${SEVERITIES.join(", ")}` });

/** GuardDuty's finding export frequencies. */
export const GUARDDUTY_FREQUENCIES = ["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"] as const;

/** Longest evaluation window CloudWatch accepts: one day for periods under an hour, else seven days. */
export function maxEvaluationWindowSeconds(periodSeconds: number): number {
  return periodSeconds < 3600 ? 86_400 : 604_800;
}

// ---------------------------------------------------------------------------------------------
// Alarm settings

const PERIOD_ERROR = "a period in seconds that is a multiple of 60 from 60 to 86400 (AWS services publish these metrics once a minute)";
// `abort`: one problem per value, not one per failed check.
const period = z
  .number({ error: PERIOD_ERROR })
  .int({ error: PERIOD_ERROR, abort: true })
  .min(60, { error: PERIOD_ERROR, abort: true })
  .max(86_400, { error: PERIOD_ERROR, abort: true })
  .multipleOf(60, { error: PERIOD_ERROR });

const EVALUATION_ERROR = "a whole number of evaluation periods, 1 or more";
const evaluationPeriods = wholeRange(EVALUATION_ERROR, 1);

const DATAPOINTS_ERROR = "a whole number of breaching data points, 1 or more";
const datapointsToAlarm = wholeRange(DATAPOINTS_ERROR, 1);

const treatMissingData = z.enum(TREAT_MISSING_DATA, {
  error: `how the alarm treats missing data: one of ${TREAT_MISSING_DATA.join(", ")}`,
});

/** A percentage threshold. */
const percent = (what: string) => {
  const error = `${what}: a percentage from 0 to 100`;
  return z.number({ error }).min(0, { error }).max(100, { error });
};
/** A count threshold (0 alarms on the first one). */
const count = (what: string) => {
  const error = `${what}: a whole number, 0 or more`;
  return wholeRange(error, 0);
};
/** A duration or size threshold. */
const positive = (what: string, unit: string) => {
  const error = `${what} in ${unit}, greater than 0`;
  return z.number({ error }).gt(0, { error });
};

interface AlarmDefaults {
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
  /** How urgent the alarm is: WARNING (look today), ERROR (users are affected), CRITICAL (wake someone up). */
  readonly severity: Severity;
}

const settings = (d: AlarmDefaults) => ({
  enabled: z.boolean().default(true).describe("Create this alarm. Default: true."),
  periodSeconds: period
    .default(d.periodSeconds)
    .describe(`Seconds per evaluated data point, a multiple of 60. Default: ${d.periodSeconds}.`),
  evaluationPeriods: evaluationPeriods
    .default(d.evaluationPeriods)
    .describe(`Most recent periods the alarm looks at (N). Default: ${d.evaluationPeriods}.`),
  datapointsToAlarm: datapointsToAlarm
    .default(d.datapointsToAlarm)
    .describe(
      `Breaching data points among them that set off the alarm (M of N, at most evaluationPeriods). Default: ${d.datapointsToAlarm}.`,
    ),
  treatMissingData: treatMissingData
    .default(d.treatMissingData)
    .describe(
      `How periods without data count: breaching, notBreaching, ignore (keep the state) or missing. Default: ${d.treatMissingData}.`,
    ),
  severity: severity
    .default(d.severity)
    .describe(
      `WARNING, ERROR or CRITICAL: tagged on the alarm, written before its description, and (monitoring.severityTopics) the topic it notifies. Default: ${d.severity}.`,
    ),
});

/** An alarm with a threshold: `threshold` carries its range, unit, default and description. */
const alarm = (description: string, threshold: z.ZodDefault<z.ZodNumber>, d: AlarmDefaults) =>
  z
    .strictObject({ ...settings(d), threshold })
    .prefault({})
    .describe(description);

/** An alarm whose threshold, when omitted, is derived from other settings. */
const alarmWithDerivedThreshold = (description: string, threshold: z.ZodOptional<z.ZodNumber>, d: AlarmDefaults) =>
  z
    .strictObject({ ...settings(d), threshold })
    .prefault({})
    .describe(description);

/** An alarm whose threshold comes from elsewhere in the config. */
const alarmWithoutThreshold = (description: string, d: AlarmDefaults) => z.strictObject(settings(d)).prefault({}).describe(description);

/** Defaults shared by many alarms. */
type Timing = Omit<AlarmDefaults, "treatMissingData" | "severity">;
const MINUTE_3_OF_5: Timing = { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 3 };
const MINUTE_5_OF_5: Timing = { periodSeconds: 60, evaluationPeriods: 5, datapointsToAlarm: 5 };
const FIVE_MINUTES_ONCE: Timing = { periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1 };

const AlbAlarmsSchema = z
  .strictObject({
    elb5xxRate: alarm(
      "HTTPCode_ELB_5XX_Count / RequestCount of the load balancer: errors the ALB itself returns (no healthy target, timeouts).",
      percent("an error rate").default(5).describe("Percent of requests. Default: 5."),
      { ...MINUTE_3_OF_5, treatMissingData: "notBreaching", severity: "ERROR" },
    ),
    target5xxRate: alarm(
      "HTTPCode_Target_5XX_Count / RequestCount per target group (service).",
      percent("an error rate").default(5).describe("Percent of requests. Default: 5."),
      { ...MINUTE_3_OF_5, treatMissingData: "notBreaching", severity: "ERROR" },
    ),
    targetResponseTimeP95: alarm(
      "TargetResponseTime p95 per target group (service).",
      positive("a response time", "seconds").default(2).describe("Seconds. Default: 2."),
      { ...MINUTE_3_OF_5, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
    unhealthyHosts: alarm(
      "UnHealthyHostCount (maximum) per target group (service).",
      count("a number of unhealthy targets").default(0).describe("Alarm above this many unhealthy targets. Default: 0 (any)."),
      { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
  })
  .prefault({})
  .describe("Load balancer alarms (application layer).");

const EcsAlarmsSchema = z
  .strictObject({
    cpu: alarm(
      "CPUUtilization (average over the tasks) per service.",
      percent("a CPU threshold").default(85).describe("Percent. Default: 85."),
      { ...MINUTE_5_OF_5, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
    memory: alarm(
      "MemoryUtilization (average over the tasks) per service.",
      percent("a memory threshold").default(85).describe("Percent. Default: 85."),
      { ...MINUTE_5_OF_5, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
    runningTasks: alarmWithoutThreshold(
      "Container Insights RunningTaskCount (minimum) below the service's minCount. Needs application.containerInsights; none for a service with minCount 0.",
      { periodSeconds: 60, evaluationPeriods: 3, datapointsToAlarm: 3, treatMissingData: "breaching", severity: "ERROR" },
    ),
  })
  .prefault({})
  .describe("ECS service alarms (application layer).");

const DatabaseAlarmsSchema = z
  .strictObject({
    cpu: alarm("CPUUtilization (maximum over the instances).", percent("a CPU threshold").default(80).describe("Percent. Default: 80."), {
      ...MINUTE_5_OF_5,
      treatMissingData: "breaching",
      severity: "WARNING",
    }),
    connections: alarm(
      "DatabaseConnections (maximum over the instances).",
      count("a number of connections")
        .default(80)
        .describe(
          "Connections. Keep it below the engine's max_connections for the instance size (Aurora MySQL Serverless v2 at 1 ACU: 90). Default: 80.",
        ),
      { ...MINUTE_5_OF_5, treatMissingData: "missing", severity: "WARNING" },
    ),
    freeableMemory: alarm(
      "FreeableMemory (minimum over the instances).",
      positive("a memory threshold", "MiB").default(256).describe("Alarm below this many MiB. Default: 256."),
      { ...MINUTE_5_OF_5, treatMissingData: "missing", severity: "WARNING" },
    ),
    acuUtilization: alarm(
      "Aurora Serverless v2 ACUUtilization of the cluster: capacity used against the configured maximum.",
      percent("an ACU utilisation threshold").default(90).describe("Percent of database.serverless.maxCapacity. Default: 90."),
      { periodSeconds: 60, evaluationPeriods: 10, datapointsToAlarm: 10, treatMissingData: "missing", severity: "WARNING" },
    ),
    freeStorage: alarm(
      "RDS instances: FreeStorageSpace (minimum).",
      positive("a storage threshold", "GiB").default(5).describe("Alarm below this many GiB. Default: 5."),
      { periodSeconds: 300, evaluationPeriods: 1, datapointsToAlarm: 1, treatMissingData: "missing", severity: "ERROR" },
    ),
    replicaLag: alarm(
      "Aurora: AuroraReplicaLag (maximum) per reader instance.",
      positive("a replica lag", "seconds").default(5).describe("Seconds. Default: 5."),
      { ...MINUTE_5_OF_5, treatMissingData: "breaching", severity: "WARNING" },
    ),
  })
  .prefault({})
  .describe("Database alarms (database layer).");

const CacheAlarmsSchema = z
  .strictObject({
    cpu: alarm(
      "EngineCPUUtilization (maximum over the nodes): the Redis thread.",
      percent("a CPU threshold").default(80).describe("Percent. Default: 80."),
      { ...MINUTE_5_OF_5, treatMissingData: "breaching", severity: "WARNING" },
    ),
    memory: alarm(
      "DatabaseMemoryUsagePercentage (maximum over the nodes).",
      percent("a memory threshold").default(80).describe("Percent. Default: 80."),
      { ...MINUTE_5_OF_5, treatMissingData: "missing", severity: "WARNING" },
    ),
    evictions: alarm(
      "Evictions (sum over the nodes).",
      count("a number of evictions").default(100).describe("Keys evicted per period. Default: 100."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
  })
  .prefault({})
  .describe("Redis alarms (database layer, when cache.enabled).");

const KafkaAlarmsSchema = z
  .strictObject({
    offlinePartitions: alarm(
      "MSK provisioned: OfflinePartitionsCount (maximum): partitions with no active leader, so neither readable nor writable.",
      count("a number of partitions").default(0).describe("Partitions. Default: 0 (any)."),
      { ...MINUTE_3_OF_5, treatMissingData: "missing", severity: "CRITICAL" },
    ),
    activeController: alarm(
      "MSK provisioned: ActiveControllerCount (maximum) below 1: the cluster has no active controller.",
      count("a number of controllers").default(1).describe("Alarm below this many active controllers. Default: 1."),
      { ...MINUTE_5_OF_5, treatMissingData: "breaching", severity: "ERROR" },
    ),
    diskUsed: alarm(
      "MSK provisioned: KafkaDataLogsDiskUsed (maximum over the brokers): percent of a broker's data volume used.",
      percent("a disk-used threshold").default(85).describe("Percent. Default: 85."),
      { ...MINUTE_5_OF_5, treatMissingData: "missing", severity: "WARNING" },
    ),
  })
  .prefault({})
  .describe("Kafka alarms (database layer, when kafka.enabled with mode provisioned; MSK Serverless publishes no cluster health metrics).");

const LambdaAlarmsSchema = z
  .strictObject({
    errors: alarm(
      "Errors (sum) of the GenAI function, and of each function of the native layer (mailer, post-confirmation).",
      count("a number of errors").default(5).describe("Errors per period. Default: 5."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "ERROR" },
    ),
    throttles: alarm(
      "Throttles (sum) of the GenAI function: its reserved concurrency is exhausted.",
      count("a number of throttled invocations").default(0).describe("Throttles per period. Default: 0 (any)."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
    durationP95: alarmWithDerivedThreshold(
      "Duration p95 of the GenAI function.",
      positive("a duration", "milliseconds").optional().describe("Milliseconds. Default: 80% of genai.timeoutSeconds."),
      { periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
    deadLetterQueue: alarm(
      "ApproximateNumberOfMessagesVisible (maximum) of the dead-letter queue of the GenAI function, and of each function of the native layer.",
      count("a number of messages").default(0).describe("Messages. Default: 0 (not empty)."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
  })
  .prefault({})
  .describe("Function alarms: the GenAI function (lambda-genai layer); errors and dead letters also for the native layer's functions.");

const ApiGatewayAlarmsSchema = z
  .strictObject({
    error5xxRate: alarm(
      "5XXError (REST) / 5xx (HTTP) rate of the stage.",
      percent("an error rate").default(5).describe("Percent of requests. Default: 5."),
      { ...MINUTE_3_OF_5, treatMissingData: "notBreaching", severity: "ERROR" },
    ),
    error4xxRate: alarm(
      "4XXError (REST) / 4xx (HTTP) rate of the stage: broken clients, expired tokens, throttling.",
      percent("an error rate").default(25).describe("Percent of requests. Default: 25."),
      { ...MINUTE_5_OF_5, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
    latencyP95: alarm(
      "Latency p95 of the stage (the gateway's time including the integration).",
      positive("a latency", "milliseconds").default(2000).describe("Milliseconds. Default: 2000."),
      { ...MINUTE_3_OF_5, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
  })
  .prefault({})
  .describe("API Gateway alarms (api-gateway layer).");

const QueueAlarmsSchema = z
  .strictObject({
    deadLetterMessages: alarm(
      "ApproximateNumberOfMessagesVisible (maximum) of every dead-letter queue of the native layer.",
      count("a number of messages").default(0).describe("Messages. Default: 0 (not empty)."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
    oldestMessageAge: alarm(
      "ApproximateAgeOfOldestMessage (maximum) of every queue of the native layer: consumers stuck or too slow.",
      positive("a message age", "seconds").default(900).describe("Seconds. Default: 900."),
      { periodSeconds: 300, evaluationPeriods: 2, datapointsToAlarm: 2, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
  })
  .prefault({})
  .describe("SQS alarms (native layer).");

const AuditAlarmsSchema = z
  .strictObject({
    rootUsage: alarm(
      "Root account use (CIS CloudWatch.1).",
      count("a number of events").default(0).describe("Events per period. Default: 0 (any)."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "CRITICAL" },
    ),
    unauthorizedApiCalls: alarm(
      "Unauthorized API calls: AccessDenied / UnauthorizedOperation (CIS CloudWatch.2).",
      count("a number of events").default(10).describe("Events per period. Default: 10 (consoles and scanners make some)."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
    consoleSignInFailures: alarm(
      "Console sign-in failures (CIS CloudWatch.6).",
      count("a number of events").default(2).describe("Events per period. Default: 2 (alarm on the third)."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
    iamPolicyChanges: alarm(
      "IAM policy changes (CIS CloudWatch.4).",
      count("a number of events").default(0).describe("Events per period. Default: 0 (any)."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "ERROR" },
    ),
    securityGroupChanges: alarm(
      "Security group changes (CIS CloudWatch.10).",
      count("a number of events").default(0).describe("Events per period. Default: 0 (any)."),
      { ...FIVE_MINUTES_ONCE, treatMissingData: "notBreaching", severity: "WARNING" },
    ),
  })
  .prefault({})
  .describe("Alarms on metric filters of the trail's log group (CIS AWS Foundations benchmark patterns).");

// ---------------------------------------------------------------------------------------------
// Schema

export const MonitoringSchema = z
  .strictObject({
    notifyOnRecovery: z
      .boolean()
      .default(true)
      .describe("Send OK (recovery) notifications to the alarm topic too, not only ALARM. Default: true."),
    severityTopics: z
      .boolean()
      .default(false)
      .describe(
        "One alarm topic per severity: <project>-<env>-alarms (WARNING, the topic of every alarm when false), -alarms-error and -alarms-critical; " +
          "each alarm notifies the topic of its severity and notification.routing picks the channels per topic. false: one topic, every channel hears every alarm. Default: false.",
      ),
    serviceHealthSeverity: severity
      .default("CRITICAL")
      .describe('Severity of the composite "<service> unhealthy" alarms (serviceHealthAlarms). Default: CRITICAL.'),
    serviceHealthAlarms: z
      .boolean()
      .default(true)
      .describe(
        "A composite alarm per application service that is in ALARM when any of its user-facing alarms is (5XX, response time, unhealthy hosts, running tasks). Default: true.",
      ),
    alarms: z
      .strictObject({
        alb: AlbAlarmsSchema,
        ecs: EcsAlarmsSchema,
        database: DatabaseAlarmsSchema,
        cache: CacheAlarmsSchema,
        kafka: KafkaAlarmsSchema,
        lambda: LambdaAlarmsSchema,
        apiGateway: ApiGatewayAlarmsSchema,
        queues: QueueAlarmsSchema,
      })
      .prefault({})
      .describe(
        "Metric alarms per watched layer; each notifies the alarm topic. Thresholds, periods and missing-data treatment per alarm.",
      ),
    dashboards: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Create the overview dashboard and one per watched layer. Default: true."),
      })
      .prefault({})
      .describe("CloudWatch dashboards <project>-<env>-overview and <project>-<env>-<layer>."),
    xray: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Create the sampling rule and the group. Default: true."),
        samplingRate: z
          .number({ error: "a sampling rate from 0 to 1" })
          .min(0, { error: "a sampling rate from 0 to 1" })
          .max(1, { error: "a sampling rate from 0 to 1" })
          .describe("Share of requests traced beyond the reservoir (0-1). Tier default: dev 0.2, staging 0.1, prod 0.05."),
        reservoirPerSecond: wholeRange("a whole number of traced requests per second, 0 or more", 0)
          .default(1)
          .describe("Requests per second traced before the rate applies. Default: 1."),
        priority: wholeRange("a rule priority from 1 to 9999", 1, 9999)
          .default(1000)
          .describe("Sampling rule priority (lower wins; the account's Default rule is 10000). Default: 1000."),
        insights: z.boolean().default(false).describe("X-Ray Insights (anomaly detection, billed per trace) on the group. Default: false."),
      })
      .describe(
        "X-Ray: a sampling rule for <project>-<env>-* services and a group of this environment's traces (the tier preset always supplies this block).",
      ),
    cloudTrail: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe(
            "Create the trail. Set false where an organization trail already records the account (the contract's trail_arn is then empty). Default: true.",
          ),
        multiRegion: z.boolean().default(true).describe("Record every region, not only aws.region. Default: true."),
        includeGlobalServiceEvents: z.boolean().default(true).describe("Record IAM, STS and CloudFront events. Default: true."),
        retentionDays: wholeRange("a number of days from 1 to 3650", 1, 3650).describe(
          "Days log files are kept in the trail bucket. Tier default: dev 90, staging 365, prod 2557 (7 years).",
        ),
        logRetentionDays: logRetention
          .optional()
          .describe("Retention of the trail's CloudWatch Logs group. Default: logging.retentionDays."),
        alarms: AuditAlarmsSchema,
      })
      .describe(
        "CloudTrail: KMS-encrypted, validated log files in a private bucket, delivered to CloudWatch Logs with CIS metric filters and alarms.",
      ),
    guardDuty: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "Create a GuardDuty detector. Off by default: a region has one detector per account, often managed account- or organization-wide. Default: false.",
          ),
        findingPublishingFrequency: z
          .enum(GUARDDUTY_FREQUENCIES)
          .default("FIFTEEN_MINUTES")
          .describe("How often updated findings are exported to EventBridge. Default: FIFTEEN_MINUTES."),
        notifyFindings: z
          .boolean()
          .default(true)
          .describe(
            "Route findings of at least minSeverity to the alarm topic (an EventBridge rule; works with a detector managed elsewhere too). Default: true.",
          ),
        minSeverity: z
          .number({ error: "a GuardDuty severity from 1 to 8.9" })
          .min(1, { error: "a GuardDuty severity from 1 to 8.9" })
          .max(8.9, { error: "a GuardDuty severity from 1 to 8.9" })
          .default(7)
          .describe("Lowest severity notified: 7 high, 4 medium, 1 low. Default: 7."),
        severity: severity
          .default("CRITICAL")
          .describe(
            "Alarm severity of the findings notified: the topic they go to with severityTopics. Default: CRITICAL (high findings).",
          ),
      })
      .prefault({})
      .describe("GuardDuty threat detection (optional) and notification of its findings."),
  })
  .describe("Alarm topic, alarms, dashboards, X-Ray, CloudTrail, GuardDuty (layer 10; the tier preset always supplies this block).");

export type MonitoringConfig = z.output<typeof MonitoringSchema>;
/** The settings every alarm has. */
export type AlarmSettings = MonitoringConfig["alarms"]["ecs"]["runningTasks"] & { readonly threshold?: number };

// ---------------------------------------------------------------------------------------------
// Derived settings (one definition for the layer, the contract mocks and the tests)

/** Layers the monitoring layer watches, in layer order; each has a dashboard of its own. */
export const WATCHED_LAYERS = ["application", "database", "lambda-genai", "api-gateway", "native"] as const satisfies readonly LayerName[];
export type WatchedLayer = (typeof WATCHED_LAYERS)[number];

/** Whether the monitoring layer watches a layer: it is enabled and has something to watch (native: queues or functions). */
export function watches(cfg: PlatformConfig, layer: WatchedLayer): boolean {
  if (!layerOn(cfg, layer)) return false;
  return layer !== "native" || Object.keys(cfg.native.queues).length > 0 || Object.keys(nativeNames(cfg).functions).length > 0;
}

/** Dashboards the layer creates: the overview first, then one per watched layer. Empty when off. */
export function monitoringDashboards(cfg: PlatformConfig): { layer: "overview" | WatchedLayer; name: string }[] {
  if (!cfg.monitoring.dashboards.enabled) return [];
  const prefix = `${cfg.project}-${cfg.environment}`;
  return [
    { layer: "overview" as const, name: `${prefix}-overview` },
    ...WATCHED_LAYERS.filter((l) => watches(cfg, l)).map((layer) => ({ layer, name: `${prefix}-${layer}` })),
  ];
}

/**
 * The alarm topic of each severity: `<project>-<env>-alarms` for WARNING (the one topic when
 * monitoring.severityTopics is false, so every severity shares it), `-alarms-error` and
 * `-alarms-critical` otherwise.
 */
export function alarmTopicNames(cfg: Pick<PlatformConfig, "project" | "environment" | "monitoring">): Record<Severity, string> {
  const base = `${cfg.project}-${cfg.environment}-alarms`;
  const per = cfg.monitoring.severityTopics;
  return { WARNING: base, ERROR: per ? `${base}-error` : base, CRITICAL: per ? `${base}-critical` : base };
}

/** The trail's name: `<project>-<env>`. */
export function trailName(cfg: Pick<PlatformConfig, "project" | "environment">): string {
  return `${cfg.project}-${cfg.environment}`;
}

/** The GenAI duration threshold in ms: the configured one, else 80% of the function's timeout. */
export function genaiDurationThresholdMs(cfg: Pick<PlatformConfig, "genai" | "monitoring">): number {
  return cfg.monitoring.alarms.lambda.durationP95.threshold ?? Math.round(cfg.genai.timeoutSeconds * 1000 * 0.8);
}

// ---------------------------------------------------------------------------------------------
// Cross-field rules

/** Every alarm's settings with its key path. */
function alarmEntries(cfg: PlatformConfig): [KeyPath, AlarmSettings][] {
  const { alarms, cloudTrail } = cfg.monitoring;
  const out: [KeyPath, AlarmSettings][] = [];
  for (const [group, byName] of Object.entries(alarms)) {
    for (const [name, s] of Object.entries(byName as Record<string, AlarmSettings>)) out.push([[...SECTION, "alarms", group, name], s]);
  }
  for (const [name, s] of Object.entries(cloudTrail.alarms as Record<string, AlarmSettings>))
    out.push([[...SECTION, "cloudTrail", "alarms", name], s]);
  return out;
}

const evaluationRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  for (const [path, s] of alarmEntries(cfg)) {
    if (s.datapointsToAlarm > s.evaluationPeriods) {
      issues.push({
        path: [...path, "datapointsToAlarm"],
        expected: `at most evaluationPeriods (${s.evaluationPeriods}) data points: M of N cannot ask for more periods than it looks at`,
        found: `${s.datapointsToAlarm}`,
      });
    }
    const window = s.periodSeconds * s.evaluationPeriods;
    const max = maxEvaluationWindowSeconds(s.periodSeconds);
    if (window > max) {
      issues.push({
        path: [...path, "evaluationPeriods"],
        expected: `at most ${Math.floor(max / s.periodSeconds)} periods of ${s.periodSeconds} s (CloudWatch evaluates at most ${max === 86_400 ? "one day" : "seven days"}${max === 86_400 ? " with periods under an hour" : ""})`,
        found: `${s.evaluationPeriods}`,
      });
    }
  }
  return issues;
};

/** Cross-field rules of the monitoring section (see ../semantic.ts). Checked when the layer is on. */
export const monitoringRules: readonly Rule[] = whenLayerOn("monitoring", [evaluationRule]);

/** The layer's part of the configuration (layer.ts declares it): its sections and its cross-field rules (core/config/semantic.ts). */
export const monitoringConfig: LayerConfig<{ monitoring: typeof MonitoringSchema }> = {
  sections: { monitoring: MonitoringSchema },
  rules: [...monitoringRules, ...loggingRules],
};
