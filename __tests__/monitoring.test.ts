/**
 * Layer 10 monitoring: the alarm topic, alarms for every enabled layer (and none for a disabled
 * one), dashboards, X-Ray, CloudTrail and GuardDuty, for every environment of the default system.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import type { PlatformConfig } from "../core/config/schema";
import { monitoringDashboards } from "../layers/10-monitoring/config";
import { monitoringContract } from "../layers/10-monitoring/contract";
import { MonitoringStack } from "../layers/10-monitoring/stack";
import { CIS_FILTER_PATTERNS } from "../modules/audit-trail";
import { addedAddresses, addresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";

const REMOTE = (layer: string, output: string) => `\${data.terraform_remote_state.${layer}.outputs.${output}}`;
const ENTRY = (layer: string, output: string, key: string) =>
  /^[a-z_][a-z0-9_]*$/.test(key)
    ? `\${data.terraform_remote_state.${layer}.outputs.${output}.${key}}`
    : `\${data.terraform_remote_state.${layer}.outputs.${output}["${key}"]}`;
const TOPIC = "${aws_sns_topic.alarm_topic.arn}";
/** Address part of a name (`admin-server` -> `admin_server`). */
const id = (name: string) => name.replace(/-/g, "_");

type Alarm = Record<string, unknown> & {
  threshold: number;
  comparison_operator: string;
  dimensions?: Record<string, string>;
  metric_query?: {
    id: string;
    expression?: string;
    metric?: { metric_name: string; dimensions: Record<string, string>; stat: string; period: number };
  }[];
};

const synthOf = (cfg: PlatformConfig) => synth(MonitoringStack, cfg);
const alarms = (tf: TerraformJson) => resources(tf, "aws_cloudwatch_metric_alarm") as Record<string, Alarm>;
const alarm = (tf: TerraformJson, name: string) => resource(tf, "aws_cloudwatch_metric_alarm", name) as Alarm;
const alarmNames = (tf: TerraformJson) => Object.keys(alarms(tf)).sort();
/** The metric queries of a metric-math alarm, by id. */
const queries = (a: Alarm) => Object.fromEntries((a.metric_query ?? []).map((q) => [q.id, q]));
/**
 * A dashboard body, parsed. Terraform evaluates its `${...}` references before the JSON is read;
 * one that indexes a map by a quoted key (`service_names["admin-server"]`) is not JSON on its own,
 * so its quotes are escaped here first.
 */
const body = (tf: TerraformJson, layer: string) =>
  JSON.parse(
    (resource(tf, "aws_cloudwatch_dashboard", `dashboard_${id(layer)}`).dashboard_body as string).replace(/\$\{[^}]*\}/g, (ref) =>
      ref.replace(/"/g, '\\"'),
    ),
  ) as {
    widgets: { type: string; x: number; y: number; width: number; height: number; properties: Record<string, unknown> }[];
  };
const widgets = (tf: TerraformJson, layer: string) => body(tf, layer).widgets;
/** Services without the database layer's secret and parameters (the application rules require it). */
const NO_DATABASE_SERVICES = Object.fromEntries(["customers", "vets", "visits"].map((s) => [s, { database: null, secrets: null }]));

describe.each(ENVIRONMENTS)("monitoring layer (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synthOf(cfg);
  const a = cfg.monitoring.alarms;
  const services = Object.keys(cfg.services);

  it("keeps its state at platform/petclinic/<env>/10-monitoring.tfstate and reads the layers it watches", () => {
    expect(tf.terraform?.backend?.s3).toMatchObject({ key: `platform/petclinic/${name}/10-monitoring.tfstate`, encrypt: true });
    // native only when it has queues to watch (none in the seed).
    expect(Object.keys(cfg.native.queues)).toEqual([]);
    expect(Object.keys(tf.data?.terraform_remote_state ?? {}).sort()).toEqual([
      "api_gateway",
      "application",
      "database",
      "lambda_genai",
      "security",
    ]);
    expect(tf.data?.terraform_remote_state?.application).toMatchObject({
      config: { key: `platform/petclinic/${name}/07-application.tfstate` },
    });
  });

  it("publishes exactly the contract, and the contract's mocks name what the layer creates", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(monitoringContract).sort());
    const out = (o: string) => tf.output![o].value;
    expect(out("alarm_topic_arn")).toBe(TOPIC);
    expect(out("alarm_topic_name")).toBe("${aws_sns_topic.alarm_topic.name}");
    expect(out("trail_arn")).toBe("${aws_cloudtrail.trail.arn}");
    const dashboards = monitoringDashboards(cfg);
    expect(out("dashboard_names")).toEqual(dashboards.map((d) => `\${aws_cloudwatch_dashboard.dashboard_${id(d.layer)}.dashboard_name}`));
    expect(dashboards.map((d) => resource(tf, "aws_cloudwatch_dashboard", `dashboard_${id(d.layer)}`).dashboard_name)).toEqual(
      monitoringContract.dashboard_names.mock(cfg),
    );
    expect(resource(tf, "aws_sns_topic", "alarm_topic").name).toBe(monitoringContract.alarm_topic_name.mock(cfg));
    expect(monitoringContract.trail_arn.mock(cfg)).toBe(
      `arn:aws:cloudtrail:us-west-2:${cfg.aws.accountId}:trail/${resource(tf, "aws_cloudtrail", "trail").name}`,
    );
  });

  describe("alarm topic", () => {
    it("is encrypted with the security layer's messaging key", () => {
      expect(resource(tf, "aws_sns_topic", "alarm_topic")).toEqual({
        name: `petclinic-${name}-alarms`,
        kms_master_key_id: ENTRY("security", "kms_key_arns", "messaging"),
      });
      expect(raw).toHaveResourceWithProperties(SnsTopic, { kms_master_key_id: ENTRY("security", "kms_key_arns", "messaging") });
    });

    it("lets CloudWatch alarms and EventBridge rules of this account publish, the owner manage, and refuses publishing without TLS", () => {
      const doc = policy(resource(tf, "aws_sns_topic_policy", "alarm_topic_policy").policy);
      const by = Object.fromEntries(doc.Statement.map((s) => [s.Sid, s]));
      expect(Object.keys(by)).toEqual(["OwnerAccount", "PublishCloudwatch", "PublishEvents", "DenyPublishWithoutTls"]);
      expect(by.PublishCloudwatch).toEqual({
        Effect: "Allow",
        Sid: "PublishCloudwatch",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: TOPIC,
        Condition: {
          StringEquals: { "aws:SourceAccount": cfg.aws.accountId },
          ArnLike: { "aws:SourceArn": `arn:aws:cloudwatch:us-west-2:${cfg.aws.accountId}:alarm:*` },
        },
      });
      expect(by.PublishEvents).toMatchObject({
        Principal: { Service: "events.amazonaws.com" },
        Condition: {
          StringEquals: { "aws:SourceAccount": cfg.aws.accountId },
          ArnLike: { "aws:SourceArn": `arn:aws:events:us-west-2:${cfg.aws.accountId}:rule/*` },
        },
      });
      expect(by.OwnerAccount).toMatchObject({ Principal: { AWS: `arn:aws:iam::${cfg.aws.accountId}:root` }, Resource: TOPIC });
      expect(by.OwnerAccount.Action).not.toContain("sns:*");
      expect(by.DenyPublishWithoutTls).toMatchObject({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false", "aws:PrincipalIsAWSService": "false" } },
      });
    });
  });

  it("every alarm notifies the topic on ALARM and OK, has a description and a deliberate missing-data treatment", () => {
    const all = Object.values(alarms(tf));
    expect(all.length).toBeGreaterThan(30);
    for (const x of all) {
      expect(x.alarm_actions).toEqual([TOPIC]);
      expect(x.ok_actions).toEqual([TOPIC]);
      expect(x.alarm_description).toEqual(expect.any(String));
      expect(["breaching", "notBreaching", "ignore", "missing"]).toContain(x.treat_missing_data);
      expect(x.alarm_name).toMatch(new RegExp(`^petclinic-${name}-`));
      // The severity people read in the notification, and can filter on in the console.
      const severity = (x.tags as Record<string, string> | undefined)?.Severity;
      expect(["WARNING", "ERROR", "CRITICAL"]).toContain(severity);
      expect(x.alarm_description).toMatch(new RegExp(`^\\[${severity}\\] `));
    }
    // Severities come from the config: the defaults and an override.
    expect(alarm(tf, "alb_5xx").tags).toEqual({ Severity: a.alb.elb5xxRate.severity });
    expect(alarm(tf, "ecs_customers_cpu").tags).toEqual({ Severity: "WARNING" });
    expect(alarm(tf, "audit_root_usage").tags).toEqual({ Severity: "CRITICAL" });
    expect(raw).toHaveResourceWithProperties(CloudwatchMetricAlarm, { alarm_actions: [TOPIC] });
  });

  describe("application", () => {
    it("ELB 5XX rate of the load balancer, from its ARN suffix", () => {
      const x = alarm(tf, "alb_5xx");
      expect(x).toMatchObject({
        comparison_operator: "GreaterThanThreshold",
        threshold: a.alb.elb5xxRate.threshold,
        evaluation_periods: 5,
        datapoints_to_alarm: 3,
        treat_missing_data: "notBreaching",
      });
      const q = queries(x);
      expect(q.expression.expression).toBe("100 * FILL(errors, 0) / requests");
      expect(q.errors.metric).toEqual({
        namespace: "AWS/ApplicationELB",
        metric_name: "HTTPCode_ELB_5XX_Count",
        dimensions: { LoadBalancer: REMOTE("application", "alb_arn_suffix") },
        period: 60,
        stat: "Sum",
      });
      expect(q.requests.metric?.metric_name).toBe("RequestCount");
    });

    it.each(Object.keys(env(name).services))(
      "service %s: target 5XX rate, p95 response time and unhealthy hosts per target group",
      (service) => {
        const tgDims = {
          LoadBalancer: REMOTE("application", "alb_arn_suffix"),
          TargetGroup: ENTRY("application", "target_group_arn_suffixes", service),
        };
        const errors = queries(alarm(tf, `alb_${id(service)}_5xx`));
        expect(errors.errors.metric).toMatchObject({ metric_name: "HTTPCode_Target_5XX_Count", dimensions: tgDims });
        expect(errors.requests.metric).toMatchObject({ metric_name: "RequestCount", dimensions: tgDims });
        expect(alarm(tf, `alb_${id(service)}_response_time`)).toMatchObject({
          metric_name: "TargetResponseTime",
          extended_statistic: "p95",
          dimensions: tgDims,
          threshold: a.alb.targetResponseTimeP95.threshold,
        });
        expect(alarm(tf, `alb_${id(service)}_response_time`).statistic).toBeUndefined();
        expect(alarm(tf, `alb_${id(service)}_unhealthy_hosts`)).toMatchObject({
          metric_name: "UnHealthyHostCount",
          statistic: "Maximum",
          dimensions: tgDims,
          threshold: 0,
        });
      },
    );

    it.each(Object.keys(env(name).services))("service %s: ECS CPU, memory and running tasks below its minCount", (service) => {
      const dims = { ClusterName: REMOTE("application", "cluster_name"), ServiceName: ENTRY("application", "service_names", service) };
      expect(alarm(tf, `ecs_${id(service)}_cpu`)).toMatchObject({
        namespace: "AWS/ECS",
        metric_name: "CPUUtilization",
        statistic: "Average",
        dimensions: dims,
        threshold: a.ecs.cpu.threshold,
      });
      expect(alarm(tf, `ecs_${id(service)}_memory`)).toMatchObject({
        metric_name: "MemoryUtilization",
        dimensions: dims,
        threshold: a.ecs.memory.threshold,
      });
      expect(alarm(tf, `ecs_${id(service)}_running_tasks`)).toMatchObject({
        namespace: "ECS/ContainerInsights",
        metric_name: "RunningTaskCount",
        statistic: "Minimum",
        comparison_operator: "LessThanThreshold",
        threshold: cfg.services[service].minCount,
        treat_missing_data: "breaching",
        dimensions: dims,
      });
    });

    it("a composite 'unhealthy' alarm per service over its user-facing alarms", () => {
      const composites = resources(tf, "aws_cloudwatch_composite_alarm");
      expect(Object.keys(composites).sort()).toEqual(services.map((s) => `service_${id(s)}_unhealthy`).sort());
      expect(composites.service_customers_unhealthy).toEqual({
        alarm_name: `petclinic-${name}-service-customers-unhealthy`,
        alarm_description: expect.stringContaining("customers"),
        alarm_rule: ["alb_customers_5xx", "alb_customers_response_time", "alb_customers_unhealthy_hosts", "ecs_customers_running_tasks"]
          .map((n) => `ALARM("\${aws_cloudwatch_metric_alarm.${n}.alarm_name}")`)
          .join(" OR "),
        alarm_actions: [TOPIC],
        ok_actions: [TOPIC],
        tags: { Severity: "CRITICAL" },
      });
      expect(composites.service_customers_unhealthy.alarm_description).toMatch(/^\[CRITICAL\] /);
    });
  });

  describe("database", () => {
    const dims = { DBClusterIdentifier: REMOTE("database", "db_identifier") };

    it("Aurora Serverless v2: CPU, connections, freeable memory, ACU utilisation over the cluster's instances", () => {
      expect(alarm(tf, "db_cpu")).toMatchObject({
        namespace: "AWS/RDS",
        metric_name: "CPUUtilization",
        statistic: "Maximum",
        dimensions: dims,
        threshold: 80,
        treat_missing_data: "breaching",
      });
      expect(alarm(tf, "db_connections")).toMatchObject({
        metric_name: "DatabaseConnections",
        dimensions: dims,
        threshold: a.database.connections.threshold,
      });
      expect(alarm(tf, "db_freeable_memory")).toMatchObject({
        metric_name: "FreeableMemory",
        statistic: "Minimum",
        comparison_operator: "LessThanThreshold",
        threshold: a.database.freeableMemory.threshold * 1024 * 1024,
      });
      expect(alarm(tf, "db_acu_utilization")).toMatchObject({
        metric_name: "ACUUtilization",
        dimensions: dims,
        threshold: 90,
        evaluation_periods: 10,
      });
      expect(alarms(tf).db_free_storage).toBeUndefined();
    });

    it("replica lag per reader, by the reader's instance identifier (the database layer's db_reader_identifiers), in milliseconds", () => {
      expect(cfg.database.readers).toBe(1);
      expect(alarm(tf, "db_replica_lag_reader_1")).toMatchObject({
        metric_name: "AuroraReplicaLag",
        dimensions: { DBInstanceIdentifier: "${element(data.terraform_remote_state.database.outputs.db_reader_identifiers, 0)}" },
        threshold: a.database.replicaLag.threshold * 1000,
        treat_missing_data: "breaching",
      });
    });

    it("no cache alarms while cache.enabled is false", () => {
      expect(alarmNames(tf).filter((n) => n.startsWith("cache_"))).toEqual([]);
    });
  });

  describe("GenAI function", () => {
    const fn = { FunctionName: REMOTE("lambda_genai", "function_name") };

    it("errors, throttles and p95 duration (80% of the timeout by default)", () => {
      expect(alarm(tf, "genai_errors")).toMatchObject({
        namespace: "AWS/Lambda",
        metric_name: "Errors",
        statistic: "Sum",
        dimensions: fn,
        threshold: 5,
        period: 300,
      });
      expect(alarm(tf, "genai_throttles")).toMatchObject({ metric_name: "Throttles", dimensions: fn, threshold: 0 });
      expect(alarm(tf, "genai_duration")).toMatchObject({
        metric_name: "Duration",
        extended_statistic: "p95",
        dimensions: fn,
        threshold: cfg.genai.timeoutSeconds * 800,
      });
    });

    it("its dead-letter queue not empty, the queue name taken from the queue's ARN", () => {
      expect(alarm(tf, "genai_dead_letters")).toMatchObject({
        namespace: "AWS/SQS",
        metric_name: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        dimensions: { QueueName: '${element(split(":", data.terraform_remote_state.lambda_genai.outputs.dead_letter_queue_arn), 5)}' },
        threshold: 0,
      });
    });
  });

  describe("API Gateway (REST)", () => {
    // The API's name from the api-gateway layer's contract, never re-derived here.
    const dims = { ApiName: REMOTE("api_gateway", "api_name"), Stage: REMOTE("api_gateway", "stage_name") };

    it("5XX and 4XX rates (average of the error metrics) and p95 latency", () => {
      expect(alarm(tf, "api_5xx")).toMatchObject({
        namespace: "AWS/ApiGateway",
        metric_name: "5XXError",
        statistic: "Average",
        dimensions: dims,
        threshold: a.apiGateway.error5xxRate.threshold / 100,
      });
      expect(alarm(tf, "api_4xx")).toMatchObject({ metric_name: "4XXError", dimensions: dims, threshold: 0.25 });
      expect(alarm(tf, "api_latency")).toMatchObject({
        metric_name: "Latency",
        extended_statistic: "p95",
        dimensions: dims,
        threshold: 2000,
      });
    });
  });

  describe("CloudTrail", () => {
    const trailArn = `arn:aws:cloudtrail:us-west-2:${cfg.aws.accountId}:trail/petclinic-${name}`;

    it("multi-region, global events, log file validation, its own KMS key, delivery to CloudWatch Logs", () => {
      expect(resource(tf, "aws_cloudtrail", "trail")).toEqual({
        name: `petclinic-${name}`,
        s3_bucket_name: "${aws_s3_bucket.trail_bucket.bucket}",
        kms_key_id: "${aws_kms_key.trail_key.arn}",
        is_multi_region_trail: true,
        include_global_service_events: true,
        enable_log_file_validation: true,
        enable_logging: true,
        cloud_watch_logs_group_arn: "${aws_cloudwatch_log_group.trail_logs.arn}:*",
        cloud_watch_logs_role_arn: "${aws_iam_role.trail_logs_role.arn}",
        event_selector: [{ include_management_events: true, read_write_type: "All" }],
        depends_on: ["aws_s3_bucket_policy.trail_bucket_policy", "aws_iam_role_policy.trail_logs_role_log_delivery"],
      });
    });

    it("the key lets CloudTrail encrypt for this trail only", () => {
      const key = resource(tf, "aws_kms_key", "trail_key");
      expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: cfg.security.kms.deletionWindowDays });
      const by = Object.fromEntries(policy(key.policy).Statement.map((s) => [s.Sid, s]));
      expect(by.CloudTrailEncryptsLogFilesOfThisTrail).toEqual({
        Effect: "Allow",
        Sid: "CloudTrailEncryptsLogFilesOfThisTrail",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "kms:GenerateDataKey*",
        Resource: "*",
        Condition: {
          StringEquals: { "aws:SourceArn": trailArn },
          StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:aws:cloudtrail:*:${cfg.aws.accountId}:trail/*` },
        },
      });
      expect(by.CloudTrailDescribesKey).toMatchObject({
        Action: "kms:DescribeKey",
        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
      });
      expect(resource(tf, "aws_kms_alias", "trail_key_alias").name).toBe(`alias/petclinic-${name}-cloudtrail`);
    });

    it("the bucket: TLS only, CloudTrail's ACL check and writes for this trail, log files expire per tier", () => {
      const bucketName = `petclinic-${name}-cloudtrail-${cfg.aws.accountId}`;
      expect(resource(tf, "aws_s3_bucket", "trail_bucket")).toEqual({
        bucket: bucketName,
        force_destroy: !cfg.protection.data,
        ...(cfg.protection.data ? { lifecycle: { prevent_destroy: true } } : {}),
      });
      const by = Object.fromEntries(
        policy(resource(tf, "aws_s3_bucket_policy", "trail_bucket_policy").policy).Statement.map((s) => [s.Sid, s]),
      );
      expect(by.DenyInsecureTransport).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } });
      expect(by.CloudTrailAclCheck).toEqual({
        Sid: "CloudTrailAclCheck",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:GetBucketAcl",
        Resource: `arn:aws:s3:::${bucketName}`,
        Condition: { StringEquals: { "aws:SourceArn": trailArn } },
      });
      expect(by.CloudTrailWrite).toEqual({
        Sid: "CloudTrailWrite",
        Effect: "Allow",
        Principal: { Service: "cloudtrail.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: `arn:aws:s3:::${bucketName}/AWSLogs/${cfg.aws.accountId}/*`,
        Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
      });
      const rules = resource(tf, "aws_s3_bucket_lifecycle_configuration", "trail_bucket_lifecycle").rule as Record<string, unknown>[];
      const days = { dev: 90, staging: 365, prod: 2557 }[cfg.tier];
      expect(rules).toContainEqual(expect.objectContaining({ id: "expire-objects", expiration: [{ days }] }));
      expect(rules).toContainEqual(
        expect.objectContaining({ id: "expire-noncurrent-versions", noncurrent_version_expiration: [{ noncurrent_days: days }] }),
      );
      expect(resource(tf, "aws_s3_bucket_public_access_block", "trail_bucket_public_access_block")).toMatchObject({
        block_public_acls: true,
        restrict_public_buckets: true,
      });
    });

    it("its log group (retention, logs key) and a role that may only write the trail's streams", () => {
      expect(resource(tf, "aws_cloudwatch_log_group", "trail_logs")).toEqual({
        name: `/petclinic/${name}/cloudtrail`,
        retention_in_days: cfg.logging.retentionDays,
        kms_key_id: ENTRY("security", "kms_key_arns", "logs"),
      });
      expect(policy(resource(tf, "aws_iam_role", "trail_logs_role").assume_role_policy).Statement).toEqual([
        { Effect: "Allow", Sid: "TrustService", Action: "sts:AssumeRole", Principal: { Service: "cloudtrail.amazonaws.com" } },
      ]);
      expect(policy(resource(tf, "aws_iam_role_policy", "trail_logs_role_log_delivery").policy).Statement).toEqual([
        {
          Effect: "Allow",
          Sid: "TrailLogStreams",
          Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
          Resource: `arn:aws:logs:us-west-2:${cfg.aws.accountId}:log-group:/petclinic/${name}/cloudtrail:log-stream:${cfg.aws.accountId}_CloudTrail_*`,
        },
      ]);
    });

    it("CIS metric filters with an alarm each", () => {
      const filters = resources(tf, "aws_cloudwatch_log_metric_filter");
      expect(Object.keys(filters).sort()).toEqual(
        ["console_sign_in_failures", "iam_policy_changes", "root_usage", "security_group_changes", "unauthorized_api_calls"].map(
          (f) => `trail_filter_${f}`,
        ),
      );
      expect(filters.trail_filter_root_usage).toEqual({
        name: "RootAccountUsage",
        log_group_name: "${aws_cloudwatch_log_group.trail_logs.name}",
        pattern: CIS_FILTER_PATTERNS.rootUsage,
        metric_transformation: { name: "RootAccountUsage", namespace: `petclinic/${name}/audit`, value: "1", unit: "Count" },
      });
      expect(alarm(tf, "audit_root_usage")).toMatchObject({
        namespace: `petclinic/${name}/audit`,
        metric_name: "RootAccountUsage",
        statistic: "Sum",
        threshold: 0,
        period: 300,
        treat_missing_data: "notBreaching",
        alarm_name: `petclinic-${name}-audit-root-account-usage`,
      });
      expect(alarm(tf, "audit_console_sign_in_failures").threshold).toBe(2);
      expect(alarm(tf, "audit_unauthorized_api_calls").threshold).toBe(10);
    });
  });

  it("X-Ray: sampling at the tier's rate for <project>-<env>-* and a group of the environment's services", () => {
    expect(resource(tf, "aws_xray_sampling_rule", "xray")).toEqual({
      rule_name: `petclinic-${name}`,
      priority: 1000,
      version: 1,
      fixed_rate: { dev: 0.2, staging: 0.1, prod: 0.05 }[cfg.tier],
      reservoir_size: 1,
      service_name: `petclinic-${name}-*`,
      service_type: "*",
      host: "*",
      http_method: "*",
      url_path: "*",
      resource_arn: "*",
    });
    expect(resource(tf, "aws_xray_group", "xray_group")).toEqual({
      group_name: `petclinic-${name}`,
      // The API's and the function's names from their layers' contracts; the services' by the kit's convention.
      filter_expression: [
        `${REMOTE("api_gateway", "api_name")}/${REMOTE("api_gateway", "stage_name")}`,
        REMOTE("lambda_genai", "function_name"),
        ...services.map((s) => `petclinic-${name}-${s}`),
      ]
        .map((n) => `service("${n}")`)
        .join(" OR "),
      insights_configuration: { insights_enabled: false, notifications_enabled: false },
    });
  });

  it("GuardDuty: no detector by default (often account-wide), findings of severity 7+ routed to the topic", () => {
    expect(resources(tf, "aws_guardduty_detector")).toEqual({});
    const rule = resource(tf, "aws_cloudwatch_event_rule", "guardduty_findings");
    expect(JSON.parse(rule.event_pattern as string)).toEqual({
      source: ["aws.guardduty"],
      "detail-type": ["GuardDuty Finding"],
      detail: { severity: [{ numeric: [">=", 7] }] },
    });
    expect(resource(tf, "aws_cloudwatch_event_target", "guardduty_findings_topic")).toEqual({
      rule: "${aws_cloudwatch_event_rule.guardduty_findings.name}",
      target_id: "alarm-topic",
      arn: TOPIC,
    });
  });

  describe("dashboards", () => {
    it("an overview and one per watched layer, in layer order", () => {
      // native has no queues in the seed: nothing to watch, no dashboard.
      expect(monitoringDashboards(cfg).map((d) => d.layer)).toEqual(["overview", "application", "database", "lambda-genai", "api-gateway"]);
      for (const d of monitoringDashboards(cfg))
        expect(resource(tf, "aws_cloudwatch_dashboard", `dashboard_${id(d.layer)}`).dashboard_name).toBe(`petclinic-${name}-${d.layer}`);
      expect(Object.keys(resources(tf, "aws_cloudwatch_dashboard"))).toHaveLength(5);
    });

    it("the overview shows the service composites and every alarm's state, by ARNs known at plan time", () => {
      const w = widgets(tf, "overview");
      expect(w[0].type).toBe("text");
      const arn = (alarmName: unknown) => `arn:aws:cloudwatch:us-west-2:${cfg.aws.accountId}:alarm:${alarmName}`;
      const [services_, every] = w.filter((x) => x.type === "alarm").map((x) => x.properties.alarms as string[]);
      expect(services_).toEqual(
        services.map((s) => arn(resource(tf, "aws_cloudwatch_composite_alarm", `service_${id(s)}_unhealthy`).alarm_name)),
      );
      expect([...every].sort()).toEqual(
        Object.values(alarms(tf))
          .map((x) => arn(x.alarm_name))
          .sort(),
      );
      // The ARNs are literal, so the dashboard waits for the alarms explicitly.
      const dependsOn = resource(tf, "aws_cloudwatch_dashboard", "dashboard_overview").depends_on as string[];
      expect([...dependsOn].sort()).toEqual(
        [
          ...alarmNames(tf).map((n) => `aws_cloudwatch_metric_alarm.${n}`),
          ...services.map((s) => `aws_cloudwatch_composite_alarm.service_${id(s)}_unhealthy`),
        ].sort(),
      );
      expect(resource(tf, "aws_cloudwatch_dashboard", "dashboard_overview").dashboard_body).not.toContain("aws_cloudwatch_metric_alarm.");
    });

    it("layer dashboards graph the alarmed metrics with the remote-state dimensions", () => {
      const app = widgets(tf, "application");
      const cpu = app.find((x) => x.properties.title === "ECS CPU (%)")!;
      expect(cpu.properties.metrics).toContainEqual([
        "AWS/ECS",
        "CPUUtilization",
        "ClusterName",
        REMOTE("application", "cluster_name"),
        "ServiceName",
        ENTRY("application", "service_names", "customers"),
        { stat: "Average", label: "customers" },
      ]);
      expect(cpu.properties.annotations).toEqual({ horizontal: [{ value: a.ecs.cpu.threshold, label: "alarm" }] });
      expect(widgets(tf, "database").map((x) => x.properties.title)).toContain("Serverless v2 capacity");
      expect(widgets(tf, "lambda-genai").map((x) => x.properties.title)).toContain("Dead-letter queue (messages)");
      expect(widgets(tf, "api-gateway").map((x) => x.properties.title)).toContain("Latency (ms)");
    });

    it("are laid out on the 24-column grid without overlap, and the same config gives the same body", () => {
      for (const d of monitoringDashboards(cfg)) {
        const placed = widgets(tf, d.layer);
        for (const w of placed) expect(w.x + w.width).toBeLessThanOrEqual(24);
        for (let i = 0; i < placed.length; i++) {
          for (let j = i + 1; j < placed.length; j++) {
            const [p, q] = [placed[i], placed[j]];
            const overlap = p.x < q.x + q.width && q.x < p.x + p.width && p.y < q.y + q.height && q.y < p.y + p.height;
            expect(overlap).toBe(false);
          }
        }
      }
      expect(synthOf(cfg).raw).toBe(raw);
    });
  });
});

describe("disabled layers get no alarms, no dashboard and no remote-state read", () => {
  it.each([
    ["application", ["alb_", "ecs_"]],
    ["database", ["db_", "cache_"]],
    ["lambda-genai", ["genai_"]],
    ["api-gateway", ["api_"]],
    ["native", ["queue_"]],
  ])("%s off", (layer, prefixes) => {
    const queues = layer === "native" ? { native: { queues: { orders: {} } } } : {};
    // The delivery role lives in the application layer: off with it.
    const noDelivery = layer === "application" ? { delivery: { github: { repository: null } } } : {};
    const cfg = envWith("dev", {
      layers: { [layer]: { enabled: false } },
      ...queues,
      ...noDelivery,
      ...(layer === "database" ? { services: NO_DATABASE_SERVICES, genai: { database: null } } : {}),
    });
    const { tf } = synthOf(cfg);
    expect(alarmNames(tf).filter((n) => prefixes.some((p) => n.startsWith(p)))).toEqual([]);
    expect(Object.keys(tf.data?.terraform_remote_state ?? {})).not.toContain(id(layer));
    expect(resources(tf, "aws_cloudwatch_dashboard")[`dashboard_${id(layer)}`]).toBeUndefined();
    expect(monitoringContract.dashboard_names.mock(cfg)).not.toContain(`petclinic-dev-${layer}`);
    if (layer === "application") expect(resources(tf, "aws_cloudwatch_composite_alarm")).toEqual({});
  });

  it("every watched layer off: the topic, the trail and the overview remain", () => {
    const layers = Object.fromEntries(
      ["application", "database", "lambda-genai", "api-gateway", "native"].map((l) => [l, { enabled: false }]),
    );
    const { tf } = synthOf(envWith("dev", { layers, services: NO_DATABASE_SERVICES, delivery: { github: { repository: null } } }));
    expect(Object.keys(tf.data?.terraform_remote_state ?? {})).toEqual(["security"]);
    expect(alarmNames(tf).every((n) => n.startsWith("audit_"))).toBe(true);
    expect(Object.keys(resources(tf, "aws_cloudwatch_dashboard"))).toEqual(["dashboard_overview"]);
    expect(resources(tf, "aws_xray_group")).toEqual({});
    expect(resource(tf, "aws_sns_topic", "alarm_topic")).toBeDefined();
  });
});

describe("configuration", () => {
  it("thresholds and evaluation come from config", () => {
    const { tf } = synthOf(
      envWith("dev", {
        monitoring: {
          alarms: {
            ecs: { cpu: { threshold: 70, periodSeconds: 300, evaluationPeriods: 3, datapointsToAlarm: 2, treatMissingData: "ignore" } },
            database: { freeableMemory: { threshold: 512 } },
            lambda: { durationP95: { threshold: 10000 } },
            apiGateway: { error5xxRate: { threshold: 1 } },
          },
        },
      }),
    );
    expect(alarm(tf, "ecs_customers_cpu")).toMatchObject({
      threshold: 70,
      period: 300,
      evaluation_periods: 3,
      datapoints_to_alarm: 2,
      treat_missing_data: "ignore",
    });
    expect(alarm(tf, "db_freeable_memory").threshold).toBe(512 * 1024 * 1024);
    expect(alarm(tf, "genai_duration").threshold).toBe(10000);
    expect(alarm(tf, "api_5xx").threshold).toBe(0.01);
  });

  it("an alarm switched off is not created, nor part of its service's composite", () => {
    const { tf } = synthOf(
      envWith("dev", { monitoring: { alarms: { ecs: { runningTasks: { enabled: false } }, alb: { target5xxRate: { enabled: false } } } } }),
    );
    expect(alarmNames(tf).filter((n) => n.endsWith("_running_tasks") || /^alb_.+_5xx$/.test(n))).toEqual([]);
    expect(resource(tf, "aws_cloudwatch_composite_alarm", "service_vets_unhealthy").alarm_rule).toBe(
      'ALARM("${aws_cloudwatch_metric_alarm.alb_vets_response_time.alarm_name}") OR ALARM("${aws_cloudwatch_metric_alarm.alb_vets_unhealthy_hosts.alarm_name}")',
    );
  });

  it("notifyOnRecovery false: no OK actions; serviceHealthAlarms false: no composites", () => {
    const { tf } = synthOf(envWith("dev", { monitoring: { notifyOnRecovery: false, serviceHealthAlarms: false } }));
    for (const x of Object.values(alarms(tf))) expect(x.ok_actions).toEqual([]);
    expect(resources(tf, "aws_cloudwatch_composite_alarm")).toEqual({});
  });

  it("no running-task alarm without Container Insights or for a service allowed to run no task", () => {
    const { tf } = synthOf(envWith("dev", { application: { containerInsights: "disabled" } }));
    expect(alarmNames(tf).filter((n) => n.endsWith("_running_tasks"))).toEqual([]);
    const { tf: zero } = synthOf(envWith("dev", { services: { vets: { minCount: 0 } } }));
    expect(alarms(zero).ecs_vets_running_tasks).toBeUndefined();
    expect(alarms(zero).ecs_customers_running_tasks).toBeDefined();
  });

  it("RDS: free storage instead of ACU utilisation, by instance identifier, and no replica lag", () => {
    const { tf } = synthOf(envWith("staging", { database: { engine: "postgres", readers: 0 } }));
    const dims = { DBInstanceIdentifier: REMOTE("database", "db_identifier") };
    expect(alarm(tf, "db_cpu").dimensions).toEqual(dims);
    expect(alarm(tf, "db_free_storage")).toMatchObject({
      metric_name: "FreeStorageSpace",
      comparison_operator: "LessThanThreshold",
      threshold: 5 * 1024 ** 3,
      dimensions: dims,
    });
    expect(alarmNames(tf).filter((n) => n.startsWith("db_"))).toEqual([
      "db_connections",
      "db_cpu",
      "db_free_storage",
      "db_freeable_memory",
    ]);
  });

  it("Aurora readers: one lag alarm each, adding a reader renames nothing", () => {
    const one = alarmNames(synthOf(env("prod")).tf);
    const two = alarmNames(synthOf(envWith("prod", { database: { readers: 2 } })).tf);
    expect(two.filter((n) => !one.includes(n))).toEqual(["db_replica_lag_reader_2"]);
    expect(one.filter((n) => !two.includes(n))).toEqual([]);
  });

  it("Redis (cache.enabled): CPU, memory and evictions over every member cluster (the database layer's cache_member_cluster_ids)", () => {
    const { tf } = synthOf(envWith("prod", { cache: { enabled: true } }));
    const cpu = queries(alarm(tf, "cache_cpu"));
    expect(cpu.expression.expression).toBe("MAX([node1, node2, node3])");
    expect(["node1", "node2", "node3"].map((n) => cpu[n].metric)).toEqual(
      [0, 1, 2].map((i) => ({
        namespace: "AWS/ElastiCache",
        metric_name: "EngineCPUUtilization",
        dimensions: { CacheClusterId: `\${element(data.terraform_remote_state.database.outputs.cache_member_cluster_ids, ${i})}` },
        period: 60,
        stat: "Maximum",
      })),
    );
    expect(alarm(tf, "cache_memory").alarm_description).toContain(`of ${REMOTE("database", "cache_replication_group_id")} uses`);
    expect(queries(alarm(tf, "cache_memory")).node1.metric?.metric_name).toBe("DatabaseMemoryUsagePercentage");
    expect(queries(alarm(tf, "cache_evictions")).expression.expression).toBe("SUM([node1, node2, node3])");
    expect(alarm(tf, "cache_cpu").treat_missing_data).toBe("breaching");
  });

  it("HTTP API: ApiId and Stage dimensions, the 5xx / 4xx metrics; no X-Ray service for it", () => {
    const { tf } = synthOf(envWith("dev", { apiGateway: { type: "http" } }));
    const dims = { ApiId: REMOTE("api_gateway", "api_id"), Stage: REMOTE("api_gateway", "stage_name") };
    expect(alarm(tf, "api_5xx")).toMatchObject({ metric_name: "5xx", dimensions: dims });
    expect(alarm(tf, "api_4xx")).toMatchObject({ metric_name: "4xx", dimensions: dims });
    expect(resource(tf, "aws_xray_group", "xray_group").filter_expression).not.toContain("api_name");
  });

  it("native queues: a dead-letter and an oldest-message alarm per queue, queue names from the native layer's state", () => {
    const cfg = envWith("dev", { native: { queues: { orders: {}, "visit-events": {} } } });
    const { tf } = synthOf(cfg);
    expect(Object.keys(tf.data?.terraform_remote_state ?? {})).toContain("native");
    expect(monitoringContract.dashboard_names.mock(cfg)).toContain("petclinic-dev-native");
    expect(alarmNames(tf).filter((n) => n.startsWith("queue_") || n.startsWith("function_"))).toEqual([
      "queue_orders_dead_letters",
      "queue_orders_oldest_message",
      "queue_visit_events_dead_letters",
      "queue_visit_events_oldest_message",
    ]);
    expect(alarm(tf, "queue_visit_events_dead_letters")).toMatchObject({
      namespace: "AWS/SQS",
      metric_name: "ApproximateNumberOfMessagesVisible",
      statistic: "Maximum",
      dimensions: { QueueName: ENTRY("native", "dead_letter_queue_names", "visit-events") },
      threshold: 0,
      period: 300,
      treat_missing_data: "notBreaching",
    });
    expect(alarm(tf, "queue_orders_oldest_message")).toMatchObject({
      metric_name: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: ENTRY("native", "queue_names", "orders") },
      threshold: 900,
    });
    expect(widgets(tf, "native").find((w) => w.properties.title === "Dead-letter queues (messages)")!.properties.metrics).toHaveLength(2);
  });

  it("native functions (the mailer): errors and dead letters, the native dashboard without queues", () => {
    const ses = { domain: "petclinic.example.com", templates: { otp: { subject: "Code {{code}}", html: "templates/email/otp.html" } } };
    const cfg = envWith("dev", { native: { ses, mailer: {}, topics: { mail: { subscriptions: [{ function: "mailer" }] } } } });
    const { tf } = synthOf(cfg);
    expect(alarmNames(tf).filter((n) => n.startsWith("queue_") || n.startsWith("function_"))).toEqual([
      "function_mailer_dead_letters",
      "function_mailer_errors",
    ]);
    expect(alarm(tf, "function_mailer_errors")).toMatchObject({
      namespace: "AWS/Lambda",
      metric_name: "Errors",
      dimensions: { FunctionName: ENTRY("native", "function_names", "mailer") },
      threshold: cfg.monitoring.alarms.lambda.errors.threshold,
    });
    expect(alarm(tf, "function_mailer_dead_letters").dimensions).toEqual({
      QueueName: '${element(split(":", data.terraform_remote_state.native.outputs.function_dead_letter_queue_arns.mailer), 5)}',
    });
    expect(widgets(tf, "native").map((w) => w.properties.title)).toEqual([
      undefined,
      "Native alarms",
      "Dead-letter queues (messages)",
      "Function errors",
    ]);
  });

  it("trail off: no trail, key, bucket or audit alarms, and trail_arn is empty", () => {
    const cfg = envWith("dev", { monitoring: { cloudTrail: { enabled: false } } });
    const { tf } = synthOf(cfg);
    expect(addresses(tf).filter((x) => /(^|\.)trail_|\.audit_/.test(x))).toEqual([]);
    expect(tf.output!.trail_arn.value).toBe("");
    expect(monitoringContract.trail_arn.mock(cfg)).toBe("");
  });

  it("trail settings: single region, own log retention, alarms switched off one by one", () => {
    const { tf } = synthOf(
      envWith("prod", {
        monitoring: { cloudTrail: { multiRegion: false, logRetentionDays: 731, alarms: { unauthorizedApiCalls: { enabled: false } } } },
      }),
    );
    expect(resource(tf, "aws_cloudtrail", "trail").is_multi_region_trail).toBe(false);
    expect(resource(tf, "aws_cloudwatch_log_group", "trail_logs").retention_in_days).toBe(731);
    expect(resources(tf, "aws_cloudwatch_log_metric_filter").trail_filter_unauthorized_api_calls).toBeUndefined();
    expect(alarms(tf).audit_unauthorized_api_calls).toBeUndefined();
  });

  it("GuardDuty enabled: the detector; dashboards and X-Ray off: none", () => {
    const { tf } = synthOf(
      envWith("dev", {
        monitoring: { guardDuty: { enabled: true, minSeverity: 4 }, dashboards: { enabled: false }, xray: { enabled: false } },
      }),
    );
    expect(resource(tf, "aws_guardduty_detector", "guardduty")).toEqual({ enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES" });
    expect(JSON.parse(resource(tf, "aws_cloudwatch_event_rule", "guardduty_findings").event_pattern as string).detail).toEqual({
      severity: [{ numeric: [">=", 4] }],
    });
    expect(resources(tf, "aws_cloudwatch_dashboard")).toEqual({});
    expect(tf.output!.dashboard_names.value).toEqual([]);
    expect(resources(tf, "aws_xray_sampling_rule")).toEqual({});
  });

  describe("one topic per severity (monitoring.severityTopics)", () => {
    const cfg = envWith("prod", {
      monitoring: { severityTopics: true, guardDuty: { severity: "ERROR" }, alarms: { ecs: { cpu: { severity: "CRITICAL" } } } },
      // Only the channels prod has (the default routing names sms and page, which the loader would refuse).
      notification: { routing: { WARNING: ["slack"], ERROR: ["slack", "email"], CRITICAL: ["slack", "email"] } },
    });
    const { tf } = synthOf(cfg);
    const T = { WARNING: TOPIC, ERROR: "${aws_sns_topic.alarm_topic_error.arn}", CRITICAL: "${aws_sns_topic.alarm_topic_critical.arn}" };

    it("keeps alarm_topic (WARNING) and adds alarm_topic_error and alarm_topic_critical, each encrypted and with the same publishers", () => {
      const topics = resources(tf, "aws_sns_topic");
      expect(Object.keys(topics).sort()).toEqual(["alarm_topic", "alarm_topic_critical", "alarm_topic_error"]);
      expect(topics.alarm_topic.name).toBe("petclinic-prod-alarms");
      expect(topics.alarm_topic_error).toEqual({
        name: "petclinic-prod-alarms-error",
        kms_master_key_id: ENTRY("security", "kms_key_arns", "messaging"),
      });
      expect(topics.alarm_topic_critical).toEqual({
        name: "petclinic-prod-alarms-critical",
        kms_master_key_id: ENTRY("security", "kms_key_arns", "messaging"),
      });
      for (const [severity, address] of [
        ["ERROR", "alarm_topic_error"],
        ["CRITICAL", "alarm_topic_critical"],
      ] as const) {
        const doc = policy(resource(tf, "aws_sns_topic_policy", `${address}_policy`).policy);
        const by = Object.fromEntries(doc.Statement.map((st) => [st.Sid, st]));
        expect(Object.keys(by)).toEqual(["OwnerAccount", "PublishCloudwatch", "PublishEvents", "DenyPublishWithoutTls"]);
        expect(by.PublishCloudwatch).toMatchObject({
          Resource: T[severity],
          Condition: { StringEquals: { "aws:SourceAccount": cfg.aws.accountId } },
        });
      }
    });

    it("every alarm notifies only the topic of its severity, on ALARM and OK", () => {
      const all = [...Object.values(alarms(tf)), ...Object.values(resources(tf, "aws_cloudwatch_composite_alarm"))] as Alarm[];
      const seen = new Set<string>();
      for (const x of all) {
        const severity = (x.tags as Record<string, "WARNING" | "ERROR" | "CRITICAL">).Severity;
        seen.add(severity);
        expect([x.alarm_name, x.alarm_actions, x.ok_actions]).toEqual([x.alarm_name, [T[severity]], [T[severity]]]);
      }
      expect([...seen].sort()).toEqual(["CRITICAL", "ERROR", "WARNING"]);
      expect(alarm(tf, "ecs_customers_cpu").alarm_actions).toEqual([T.CRITICAL]);
      expect(alarm(tf, "alb_customers_5xx").alarm_actions).toEqual([T.ERROR]);
      expect(alarm(tf, "db_cpu").alarm_actions).toEqual([T.WARNING]);
    });

    it("GuardDuty findings go to the topic of monitoring.guardDuty.severity; the contract names each topic", () => {
      expect(resource(tf, "aws_cloudwatch_event_target", "guardduty_findings_topic").arn).toBe(T.ERROR);
      expect(tf.output!.alarm_topic_arns.value).toEqual(T);
      expect(tf.output!.alarm_topic_arn.value).toBe(T.WARNING);
      expect(
        Object.values(resources(tf, "aws_sns_topic"))
          .map((t) => t.name)
          .sort(),
      ).toEqual(
        Object.values(monitoringContract.alarm_topic_arns.mock(cfg))
          .map((arn) => arn.split(":")[5])
          .sort(),
      );
    });
  });

  it("without severityTopics, one topic for every severity: the contract maps all three to it", () => {
    const { tf } = synthOf(env("prod"));
    expect(Object.keys(resources(tf, "aws_sns_topic"))).toEqual(["alarm_topic"]);
    expect(tf.output!.alarm_topic_arns.value).toEqual({ WARNING: TOPIC, ERROR: TOPIC, CRITICAL: TOPIC });
  });

  it("adding a service adds its alarms and renames none", () => {
    const after = synthOf(envWith("staging", { services: { owners: { port: 8080, minCount: 2 } } })).tf;
    expect(addedAddresses(synthOf(env("staging")).tf, after)).toEqual([
      "aws_cloudwatch_composite_alarm.service_owners_unhealthy",
      "aws_cloudwatch_metric_alarm.alb_owners_5xx",
      "aws_cloudwatch_metric_alarm.alb_owners_response_time",
      "aws_cloudwatch_metric_alarm.alb_owners_unhealthy_hosts",
      "aws_cloudwatch_metric_alarm.ecs_owners_cpu",
      "aws_cloudwatch_metric_alarm.ecs_owners_memory",
      "aws_cloudwatch_metric_alarm.ecs_owners_running_tasks",
    ]);
  });
});
