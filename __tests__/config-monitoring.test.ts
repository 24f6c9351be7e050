/**
 * The `monitoring` section (layer 10): defaults per tier, and bad input refused in the kit's
 * format, one line per problem:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Fixtures are in __tests__/fixtures/config/monitoring/ and extend ../_base.yaml (a valid dev
 * environment), each changing one thing. Each test asserts the exact problems on keys this section
 * owns (monitoring.*) and that the configuration is refused; `at()` checks that line and column
 * really hold the offending key.
 */
import { fixtureChecks } from "./config-fixtures";
import {
  alarmTopicNames,
  genaiDurationThresholdMs,
  maxEvaluationWindowSeconds,
  monitoringDashboards,
} from "../layers/10-monitoring/config";
import { monitoringContract } from "../layers/10-monitoring/contract";
import { env, envWith, ENVIRONMENTS } from "./helpers";

const DIR = "__tests__/fixtures/config/monitoring";
const OWNED = /^monitoring(\.|$)/;
const { load, itRefusesFixtures } = fixtureChecks(DIR, { owned: OWNED });

/** One setting of every alarm, by `<group>.<alarm>`. */
function perAlarm(alarms: object, setting: "treatMissingData" | "severity"): Record<string, string> {
  return Object.fromEntries(
    Object.entries(alarms).flatMap(([group, byName]) =>
      Object.entries(byName as Record<string, Record<typeof setting, string>>).map(([name, alarm]) => [`${group}.${name}`, alarm[setting]]),
    ),
  );
}

describe("defaults", () => {
  it.each(ENVIRONMENTS)("%s: every alarm on with its own defaults, X-Ray sampling and trail retention by tier, GuardDuty off", (name) => {
    const { monitoring, tier } = env(name);
    expect(monitoring.notifyOnRecovery).toBe(true);
    expect(monitoring.serviceHealthAlarms).toBe(true);
    expect(monitoring.dashboards).toEqual({ enabled: true });
    expect(monitoring.xray).toEqual({
      enabled: true,
      samplingRate: { dev: 0.2, staging: 0.1, prod: 0.05 }[tier],
      reservoirPerSecond: 1,
      priority: 1000,
      insights: false,
    });
    expect(monitoring.cloudTrail).toMatchObject({
      enabled: true,
      multiRegion: true,
      includeGlobalServiceEvents: true,
      retentionDays: { dev: 90, staging: 365, prod: 2557 }[tier],
    });
    expect(monitoring.cloudTrail.logRetentionDays).toBeUndefined();
    expect(monitoring.guardDuty).toEqual({
      enabled: false,
      findingPublishingFrequency: "FIFTEEN_MINUTES",
      notifyFindings: true,
      minSeverity: 7,
      severity: "CRITICAL",
    });
    // One topic for every severity unless an environment asks for one per severity.
    expect(monitoring.severityTopics).toBe(false);
    expect(monitoring.serviceHealthSeverity).toBe("CRITICAL");
    for (const group of Object.values(monitoring.alarms)) for (const alarm of Object.values(group)) expect(alarm.enabled).toBe(true);
  });

  it("chooses missing-data treatment per metric (the table in docs/layers/monitoring.md)", () => {
    const treat = perAlarm(env("dev").monitoring.alarms, "treatMissingData");
    expect(treat).toEqual({
      "alb.elb5xxRate": "notBreaching",
      "alb.target5xxRate": "notBreaching",
      "alb.targetResponseTimeP95": "notBreaching",
      "alb.unhealthyHosts": "notBreaching",
      "ecs.cpu": "notBreaching",
      "ecs.memory": "notBreaching",
      "ecs.runningTasks": "breaching",
      "kafka.activeController": "breaching",
      "kafka.diskUsed": "missing",
      "kafka.offlinePartitions": "missing",
      "database.cpu": "breaching",
      "database.connections": "missing",
      "database.freeableMemory": "missing",
      "database.acuUtilization": "missing",
      "database.freeStorage": "missing",
      "database.replicaLag": "breaching",
      "cache.cpu": "breaching",
      "cache.memory": "missing",
      "cache.evictions": "notBreaching",
      "lambda.errors": "notBreaching",
      "lambda.throttles": "notBreaching",
      "lambda.durationP95": "notBreaching",
      "lambda.deadLetterQueue": "notBreaching",
      "apiGateway.error5xxRate": "notBreaching",
      "apiGateway.error4xxRate": "notBreaching",
      "apiGateway.latencyP95": "notBreaching",
      "queues.deadLetterMessages": "notBreaching",
      "queues.oldestMessageAge": "notBreaching",
    });
    for (const s of Object.values(env("dev").monitoring.cloudTrail.alarms)) expect(s.treatMissingData).toBe("notBreaching");
  });

  it("gives every alarm a severity by what it means (the table in docs/layers/monitoring.md)", () => {
    const { alarms, cloudTrail } = env("prod").monitoring;
    const severities = perAlarm(alarms, "severity");
    expect(severities).toEqual({
      "alb.elb5xxRate": "ERROR",
      "alb.target5xxRate": "ERROR",
      "alb.targetResponseTimeP95": "WARNING",
      "alb.unhealthyHosts": "WARNING",
      "ecs.cpu": "WARNING",
      "ecs.memory": "WARNING",
      "ecs.runningTasks": "ERROR",
      "database.cpu": "WARNING",
      "database.connections": "WARNING",
      "database.freeableMemory": "WARNING",
      "database.acuUtilization": "WARNING",
      "database.freeStorage": "ERROR",
      "database.replicaLag": "WARNING",
      "cache.cpu": "WARNING",
      "cache.memory": "WARNING",
      "cache.evictions": "WARNING",
      "kafka.offlinePartitions": "CRITICAL",
      "kafka.activeController": "ERROR",
      "kafka.diskUsed": "WARNING",
      "lambda.errors": "ERROR",
      "lambda.throttles": "WARNING",
      "lambda.durationP95": "WARNING",
      "lambda.deadLetterQueue": "WARNING",
      "apiGateway.error5xxRate": "ERROR",
      "apiGateway.error4xxRate": "WARNING",
      "apiGateway.latencyP95": "WARNING",
      "queues.deadLetterMessages": "WARNING",
      "queues.oldestMessageAge": "WARNING",
    });
    expect(Object.fromEntries(Object.entries(cloudTrail.alarms).map(([n, s]) => [n, s.severity]))).toEqual({
      rootUsage: "CRITICAL",
      unauthorizedApiCalls: "WARNING",
      consoleSignInFailures: "WARNING",
      iamPolicyChanges: "ERROR",
      securityGroupChanges: "WARNING",
    });
  });

  it("names one alarm topic for every severity, or one per severity with severityTopics; the contract's mocks follow", () => {
    const dev = env("dev");
    expect(alarmTopicNames(dev)).toEqual({
      WARNING: "petclinic-dev-alarms",
      ERROR: "petclinic-dev-alarms",
      CRITICAL: "petclinic-dev-alarms",
    });
    // dev has only Slack: the default routing (sms, page) would be refused, so every severity goes to Slack.
    const per = envWith("dev", {
      monitoring: { severityTopics: true },
      notification: { routing: { WARNING: ["slack"], ERROR: ["slack"], CRITICAL: ["slack"] } },
    });
    expect(alarmTopicNames(per)).toEqual({
      WARNING: "petclinic-dev-alarms",
      ERROR: "petclinic-dev-alarms-error",
      CRITICAL: "petclinic-dev-alarms-critical",
    });
    expect(monitoringContract.alarm_topic_arns.mock(per)).toEqual({
      WARNING: "arn:aws:sns:us-west-2:111111111111:petclinic-dev-alarms",
      ERROR: "arn:aws:sns:us-west-2:111111111111:petclinic-dev-alarms-error",
      CRITICAL: "arn:aws:sns:us-west-2:111111111111:petclinic-dev-alarms-critical",
    });
  });

  it("derives the GenAI duration threshold from the function's timeout unless one is set", () => {
    expect(genaiDurationThresholdMs(env("dev"))).toBe(24000);
    expect(genaiDurationThresholdMs(envWith("dev", { genai: { timeoutSeconds: 10 } }))).toBe(8000);
    expect(genaiDurationThresholdMs(load("valid.yaml"))).toBe(10000);
  });

  it("accepts every setting changed to another valid value", () => {
    const m = load("valid.yaml").monitoring;
    expect(m.alarms.ecs.cpu).toEqual({
      enabled: true,
      threshold: 70,
      periodSeconds: 300,
      evaluationPeriods: 3,
      datapointsToAlarm: 2,
      treatMissingData: "ignore",
      severity: "ERROR",
    });
    expect(m.alarms.ecs.runningTasks.enabled).toBe(false);
    expect(m.xray).toEqual({ enabled: true, samplingRate: 1, reservoirPerSecond: 0, priority: 10, insights: true });
    expect(m.cloudTrail).toMatchObject({ multiRegion: false, retentionDays: 30, logRetentionDays: 14 });
    expect(m.guardDuty).toEqual({
      enabled: true,
      findingPublishingFrequency: "ONE_HOUR",
      notifyFindings: true,
      minSeverity: 4,
      severity: "WARNING",
    });
  });

  it("names the dashboards after the enabled layers, and the contract's mocks follow", () => {
    const dev = env("dev");
    expect(monitoringDashboards(dev).map((d) => d.name)).toEqual([
      "petclinic-dev-overview",
      "petclinic-dev-application",
      "petclinic-dev-database",
      "petclinic-dev-lambda-genai",
      "petclinic-dev-api-gateway",
    ]);
    // native has a dashboard when it has queues to watch.
    expect(monitoringDashboards(envWith("dev", { native: { queues: { orders: {} } } })).map((d) => d.layer)).toContain("native");
    const off = envWith("dev", {
      layers: { "lambda-genai": { enabled: false }, native: { enabled: false } },
      native: { queues: { orders: {} } },
    });
    expect(monitoringContract.dashboard_names.mock(off)).toEqual([
      "petclinic-dev-overview",
      "petclinic-dev-application",
      "petclinic-dev-database",
      "petclinic-dev-api-gateway",
    ]);
    expect(monitoringContract.dashboard_names.mock(load("valid.yaml"))).toEqual([]);
    expect(monitoringContract.trail_arn.mock(dev)).toBe("arn:aws:cloudtrail:us-west-2:111111111111:trail/petclinic-dev");
    expect(monitoringContract.trail_arn.mock(envWith("dev", { monitoring: { cloudTrail: { enabled: false } } }))).toBe("");
  });

  it("knows CloudWatch's evaluation window: one day under an hour's period, seven days from an hour", () => {
    expect(maxEvaluationWindowSeconds(60)).toBe(86_400);
    expect(maxEvaluationWindowSeconds(3540)).toBe(86_400);
    expect(maxEvaluationWindowSeconds(3600)).toBe(604_800);
  });
});

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
});

describe("evaluation", () => {
  it("no cross-field rule when the monitoring layer is off", () => {
    expect(load("disabled-layer.yaml").monitoring.alarms.apiGateway.latencyP95.datapointsToAlarm).toBe(3);
  });
});
