/**
 * The building blocks of the monitoring layer on their own: alarm sets, dashboards, the alarm
 * topic, the audit trail, X-Ray and GuardDuty. They know nothing of environments or layers.
 */
import { Testing, TerraformStack } from "cdktf";
import { AlarmSet, maxEvaluationSeconds, type MetricAlarmProps } from "../modules/alarm-set";
import { AlarmTopic } from "../modules/alarm-topic";
import { AuditTrail, type AuditTrailProps } from "../modules/audit-trail";
import { Dashboard, dashboardBody } from "../modules/dashboard";
import { GuardDuty } from "../modules/guard-duty";
import { XrayTracing } from "../modules/xray-tracing";
import type { TerraformJson } from "./helpers";
import { AUDIT_TRAIL_PROPS } from "./fixtures/module-props";

function stack(): TerraformStack {
  return new TerraformStack(Testing.app(), "test");
}

function synthOf(s: TerraformStack): TerraformJson {
  return JSON.parse(Testing.synth(s)) as TerraformJson;
}

/** The resources of a type, in creation order (a plain TerraformStack gives them hashed addresses). */
function all(tf: TerraformJson, type: string): Record<string, unknown>[] {
  return Object.values(tf.resource?.[type] ?? {});
}

const CPU: MetricAlarmProps = {
  name: "app-cpu",
  description: "CPU high",
  comparison: "GreaterThanThreshold",
  metric: { namespace: "AWS/ECS", metricName: "CPUUtilization", dimensions: { ClusterName: "c", ServiceName: "s" }, stat: "Average" },
  threshold: 80,
  periodSeconds: 60,
  evaluationPeriods: 5,
  datapointsToAlarm: 3,
  treatMissingData: "notBreaching",
};

describe("AlarmSet", () => {
  it("creates alarms under the set's id, notifying the same actions on ALARM and OK", () => {
    const s = stack();
    const set = new AlarmSet(s, "ecs", { alarmActions: ["arn:topic"] });
    set.metric("cpu", CPU);
    set.metric("latency", { ...CPU, metric: { ...CPU.metric!, stat: "p99" } });
    const alarms = all(synthOf(s), "aws_cloudwatch_metric_alarm");
    expect(alarms[0]).toEqual({
      alarm_name: "app-cpu",
      alarm_description: "CPU high",
      comparison_operator: "GreaterThanThreshold",
      threshold: 80,
      evaluation_periods: 5,
      datapoints_to_alarm: 3,
      treat_missing_data: "notBreaching",
      namespace: "AWS/ECS",
      metric_name: "CPUUtilization",
      dimensions: { ClusterName: "c", ServiceName: "s" },
      period: 60,
      statistic: "Average",
      alarm_actions: ["arn:topic"],
      ok_actions: ["arn:topic"],
    });
    expect(alarms[1]).toMatchObject({ extended_statistic: "p99" });
    expect(alarms[1].statistic).toBeUndefined();
  });

  it("routes an alarm with a severity to that severity's actions, tags it and prefixes its description; others keep the set's actions", () => {
    const s = stack();
    const set = new AlarmSet(s, "ecs", {
      alarmActions: ["arn:warning"],
      bySeverity: { ERROR: { alarmActions: ["arn:error"] }, CRITICAL: { alarmActions: ["arn:critical"], okActions: [] } },
    });
    set.metric("cpu", { ...CPU, severity: "ERROR" });
    set.metric("memory", { ...CPU, name: "app-memory", severity: "WARNING" });
    const plain = set.metric("plain", { ...CPU, name: "app-plain" });
    set.composite("down", { name: "app-down", description: "Down", anyOf: [plain], severity: "CRITICAL" });
    const tf = synthOf(s);
    const [cpu, memory, other] = all(tf, "aws_cloudwatch_metric_alarm");
    expect(cpu).toMatchObject({
      alarm_description: "[ERROR] CPU high",
      alarm_actions: ["arn:error"],
      ok_actions: ["arn:error"],
      tags: { Severity: "ERROR" },
    });
    // WARNING has no actions of its own in this set: the set's.
    expect(memory).toMatchObject({
      alarm_description: "[WARNING] CPU high",
      alarm_actions: ["arn:warning"],
      tags: { Severity: "WARNING" },
    });
    expect(other).toMatchObject({ alarm_description: "CPU high", alarm_actions: ["arn:warning"] });
    expect(other.tags).toBeUndefined();
    expect(all(tf, "aws_cloudwatch_composite_alarm")[0]).toMatchObject({
      alarm_description: "[CRITICAL] Down",
      alarm_actions: ["arn:critical"],
      ok_actions: [],
      tags: { Severity: "CRITICAL" },
    });
  });

  it("refuses a severity whose actions are empty", () => {
    expect(() => new AlarmSet(stack(), "ecs", { alarmActions: ["arn:warning"], bySeverity: { ERROR: { alarmActions: [] } } })).toThrow(
      "AlarmSet ecs: alarmActions of ERROR is empty; an alarm nobody hears is no alarm",
    );
  });

  it("metric math: the metrics are inputs, the expression is the alarm's series", () => {
    const s = stack();
    new AlarmSet(s, "alb", { alarmActions: ["arn:topic"], okActions: [] }).metric("rate", {
      ...CPU,
      metric: undefined,
      math: {
        expression: "100 * e / r",
        label: "rate",
        metrics: { e: { ...CPU.metric!, stat: "Sum" }, r: { ...CPU.metric!, metricName: "X", stat: "Sum" } },
      },
    });
    const [alarm] = all(synthOf(s), "aws_cloudwatch_metric_alarm");
    expect(alarm.ok_actions).toEqual([]);
    expect(alarm.metric_query).toEqual([
      {
        id: "e",
        return_data: false,
        metric: {
          namespace: "AWS/ECS",
          metric_name: "CPUUtilization",
          dimensions: { ClusterName: "c", ServiceName: "s" },
          period: 60,
          stat: "Sum",
        },
      },
      {
        id: "r",
        return_data: false,
        metric: { namespace: "AWS/ECS", metric_name: "X", dimensions: { ClusterName: "c", ServiceName: "s" }, period: 60, stat: "Sum" },
      },
      { id: "expression", expression: "100 * e / r", label: "rate", return_data: true },
    ]);
    expect(alarm.metric_name).toBeUndefined();
  });

  it("composites combine alarms with OR", () => {
    const s = stack();
    const set = new AlarmSet(s, "svc", { alarmActions: ["arn:topic"] });
    const one = set.metric("one", CPU);
    const two = set.metric("two", { ...CPU, name: "two" });
    set.composite("unhealthy", { name: "svc-unhealthy", description: "d", anyOf: [one, two] });
    expect(all(synthOf(s), "aws_cloudwatch_composite_alarm")[0].alarm_rule).toMatch(
      /^ALARM\("\$\{aws_cloudwatch_metric_alarm\.svc_one_[0-9A-F]+\.alarm_name\}"\) OR ALARM\("\$\{aws_cloudwatch_metric_alarm\.svc_two_[0-9A-F]+\.alarm_name\}"\)$/,
    );
    expect(() => set.composite("empty", { name: "x", description: "d", anyOf: [] })).toThrow("at least one alarm");
  });

  it.each([
    [{ periodSeconds: 90 }, "periodSeconds must be a multiple of 60, got 90"],
    [{ periodSeconds: 30 }, "periodSeconds must be a multiple of 60, got 30"],
    [{ datapointsToAlarm: 6 }, "datapointsToAlarm must be 1..evaluationPeriods (5), got 6"],
    [{ evaluationPeriods: 0, datapointsToAlarm: 0 }, "evaluationPeriods must be a whole number >= 1, got 0"],
    [{ periodSeconds: 600, evaluationPeriods: 145, datapointsToAlarm: 1 }, "periodSeconds x evaluationPeriods = 87000 s exceeds 86400 s"],
    [{ threshold: Number.NaN }, "threshold must be a finite number"],
    [{ math: { expression: "m", label: "l", metrics: {} } }, "give exactly one of metric and math"],
    [{ metric: undefined, math: { expression: "M1", label: "l", metrics: { M1: CPU.metric! } } }, "must start with a lower-case letter"],
  ] as [Partial<MetricAlarmProps>, string][])("refuses %j", (change, message) => {
    const set = new AlarmSet(stack(), "x", { alarmActions: ["arn:topic"] });
    expect(() => set.metric("a", { ...CPU, ...change })).toThrow(message);
  });

  it("refuses a set nobody hears, and knows CloudWatch's evaluation limits", () => {
    expect(() => new AlarmSet(stack(), "x", { alarmActions: [] })).toThrow("alarmActions is empty");
    expect(maxEvaluationSeconds(60)).toBe(86_400);
    expect(maxEvaluationSeconds(3600)).toBe(604_800);
  });
});

describe("Dashboard", () => {
  it("lays widgets out left to right on the 24-column grid", () => {
    const m = CPU.metric!;
    const body = JSON.parse(
      dashboardBody("us-west-2", [
        { type: "text", markdown: "# t\nline" },
        { type: "graph", title: "a", metrics: [{ ...m, label: "cpu" }], lines: [{ value: 80, label: "alarm" }] },
        { type: "graph", title: "b", metrics: [m], width: 12 },
        {
          type: "graph",
          title: "c",
          expressions: [{ id: "e1", expression: "SEARCH('x', 'Sum', 300)", label: "" }],
          periodSeconds: 300,
          fromZero: false,
        },
        { type: "alarms", title: "d", alarmArns: ["a1", "a2", "a3", "a4", "a5"] },
      ]),
    );
    expect(body.widgets.map((w: Record<string, number>) => [w.type, w.x, w.y, w.width, w.height])).toEqual([
      ["text", 0, 0, 24, 2],
      ["metric", 0, 2, 12, 6],
      ["metric", 12, 2, 12, 6],
      ["metric", 0, 8, 12, 6],
      ["alarm", 0, 14, 24, 4],
    ]);
    expect(body.widgets[1].properties).toEqual({
      title: "a",
      view: "timeSeries",
      region: "us-west-2",
      stat: "Average",
      period: 60,
      metrics: [["AWS/ECS", "CPUUtilization", "ClusterName", "c", "ServiceName", "s", { stat: "Average", label: "cpu" }]],
      annotations: { horizontal: [{ value: 80, label: "alarm" }] },
      yAxis: { left: { min: 0 } },
    });
    expect(body.widgets[3].properties).toMatchObject({
      period: 300,
      metrics: [[{ expression: "SEARCH('x', 'Sum', 300)", label: "", id: "e1" }]],
    });
    expect(body.widgets[3].properties.yAxis).toBeUndefined();
    expect(body.widgets[4].properties).toEqual({ title: "d", alarms: ["a1", "a2", "a3", "a4", "a5"], sortBy: "stateUpdatedTimestamp" });
  });

  it("refuses bad names, no widgets, too wide a widget and too many alarms", () => {
    expect(
      () => new Dashboard(stack(), "d", { name: "bad name", region: "us-west-2", widgets: [{ type: "text", markdown: "x" }] }),
    ).toThrow("is not 1-255");
    expect(() => new Dashboard(stack(), "d", { name: "ok", region: "us-west-2", widgets: [] })).toThrow("no widgets");
    expect(() => dashboardBody("us-west-2", [{ type: "graph", title: "t", width: 25 }])).toThrow("width must be 1-24");
    expect(() =>
      dashboardBody("us-west-2", [{ type: "alarms", title: "t", alarmArns: Array.from({ length: 101 }, (_, i) => `a${i}`) }]),
    ).toThrow("1-100 alarms");
  });
});

describe("AlarmTopic", () => {
  it("encrypts the topic and names each publisher with its source account and resources", () => {
    const s = stack();
    new AlarmTopic(s, "topic", {
      name: "alarms",
      kmsKeyArn: "arn:key",
      accountId: "123456789012",
      partition: "aws-us-gov",
      publishers: [{ service: "cloudwatch.amazonaws.com", sourceArn: "arn:aws-us-gov:cloudwatch:us-gov-west-1:123456789012:alarm:*" }],
    });
    const tf = synthOf(s);
    expect(all(tf, "aws_sns_topic")[0]).toEqual({ name: "alarms", kms_master_key_id: "arn:key" });
    const statements = JSON.parse(all(tf, "aws_sns_topic_policy")[0].policy as string).Statement;
    expect(statements.map((x: { Sid: string }) => x.Sid)).toEqual(["OwnerAccount", "PublishCloudwatch", "DenyPublishWithoutTls"]);
    expect(statements[0].Principal).toEqual({ AWS: "arn:aws-us-gov:iam::123456789012:root" });
    expect(() => new AlarmTopic(stack(), "t", { name: "a", kmsKeyArn: "k", accountId: "1", publishers: [] })).toThrow("no publishers");
  });
});

describe("AuditTrail", () => {
  const props: AuditTrailProps = { ...AUDIT_TRAIL_PROPS, dataProtection: { protect: false } };

  it("defaults: multi-region with global events, no filters; unprotected: force_destroy, no prevent_destroy", () => {
    const s = stack();
    new AuditTrail(s, "trail", props);
    const tf = synthOf(s);
    expect(all(tf, "aws_cloudtrail")[0]).toMatchObject({
      is_multi_region_trail: true,
      include_global_service_events: true,
      enable_log_file_validation: true,
    });
    expect(all(tf, "aws_cloudwatch_log_metric_filter")).toEqual([]);
    expect(all(tf, "aws_s3_bucket")[0]).toEqual({ bucket: "acme-test-cloudtrail-123456789012", force_destroy: true });
    // The bucket's default encryption stays SSE-S3: CloudTrail encrypts each log file with the trail key.
    expect(all(tf, "aws_s3_bucket_server_side_encryption_configuration")[0].rule).toEqual([
      { apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } },
    ]);
  });

  it("refuses a bad trail name and filters without a namespace", () => {
    expect(() => new AuditTrail(stack(), "t", { ...props, trailName: "a b" })).toThrow("is not 3-128");
    expect(() => new AuditTrail(stack(), "t", { ...props, metricFilters: { x: { pattern: "{}", metricName: "X" } } })).toThrow(
      "need a metricNamespace",
    );
  });
});

describe("XrayTracing and GuardDuty", () => {
  it("a rule without a group when no filter is given", () => {
    const s = stack();
    new XrayTracing(s, "xray", { name: "acme", serviceName: "acme-*", fixedRate: 0.5 });
    const tf = synthOf(s);
    expect(all(tf, "aws_xray_sampling_rule")[0]).toMatchObject({ rule_name: "acme", fixed_rate: 0.5, reservoir_size: 1, priority: 1000 });
    expect(all(tf, "aws_xray_group")).toEqual([]);
    expect(() => new XrayTracing(stack(), "x", { name: "a".repeat(33), serviceName: "*", fixedRate: 0 })).toThrow("is not 1-32");
    expect(() => new XrayTracing(stack(), "x", { name: "a", serviceName: "*", fixedRate: 2 })).toThrow("fixedRate must be 0-1");
    expect(() => new XrayTracing(stack(), "x", { name: "a", serviceName: "*", fixedRate: 0, priority: 0 })).toThrow(
      "priority must be 1-9999",
    );
  });

  it("a detector alone, and a severity checked", () => {
    const s = stack();
    new GuardDuty(s, "gd", {});
    const tf = synthOf(s);
    expect(all(tf, "aws_guardduty_detector")).toEqual([{ enable: true, finding_publishing_frequency: "FIFTEEN_MINUTES" }]);
    expect(all(tf, "aws_cloudwatch_event_rule")).toEqual([]);
    expect(() => new GuardDuty(stack(), "g", { findingsTopic: { topicArn: "t", ruleName: "r", minSeverity: 0 } })).toThrow(
      "minSeverity must be 1-8.9",
    );
  });
});
