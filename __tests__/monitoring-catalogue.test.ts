/**
 * The alarm catalogue of layer 10 (layers/10-monitoring/alarm-catalogue.ts): every entry has a
 * severity and so a topic, every alarm the layer creates comes from an entry (its address names
 * the entry), and alarmsFor() refuses what it cannot turn into a heard alarm.
 */
import { TerraformStack, Testing } from "cdktf";
import type { PlatformConfig } from "../core/config/schema";
import { SEVERITIES } from "../layers/10-monitoring/config";
import { CIS_FILTER_PATTERNS } from "../modules/audit-trail";
import { AlarmSet } from "../modules/alarm-set";
import { apiGatewayContract } from "../layers/08-api-gateway/contract";
import { databaseContract } from "../layers/03-database/contract";
import { DatabaseStack } from "../layers/03-database/stack";
import { ApiGatewayStack } from "../layers/08-api-gateway/stack";
import { MonitoringStack } from "../layers/10-monitoring/stack";
import {
  ALARM_CATALOGUE,
  alarmsFor,
  RESOURCE_KINDS,
  type AlarmCatalogue,
  type AlarmSink,
  type MonitoredResources,
  type ResourceKind,
} from "../layers/10-monitoring/alarm-catalogue";
import { ENVIRONMENTS, env, envWith, resources, synth } from "./helpers";

/** A full configuration: cache, queues and one topic per severity, so every kind has resources. */
const FULL = envWith("prod", {
  cache: { enabled: true },
  native: { queues: { orders: {} } },
  monitoring: { severityTopics: true, alarms: { ecs: { cpu: { severity: "CRITICAL" } } } },
  // Only the channels prod has (the default routing names sms and page, which the loader would refuse).
  notification: { routing: { WARNING: ["slack"], ERROR: ["slack", "email"], CRITICAL: ["slack", "email"] } },
});

/** One resource of each kind, with literal names. */
const SAMPLE: { [K in ResourceKind]: MonitoredResources[K] } = {
  loadBalancer: { loadBalancer: "app/lb/1", prefix: "p-e" },
  targetGroup: { key: "web", loadBalancer: "app/lb/1", targetGroup: "targetgroup/web/1", healthCheckPath: "/health" },
  ecsService: { key: "web", cluster: "c", service: "p-e-web", memoryMiB: 512, minCount: 2, maxCount: 4 },
  database: { identifier: "p-e", aurora: true, serverless: true, prefix: "p-e" },
  auroraReader: { n: 1, instance: "p-e-reader-1", prefix: "p-e" },
  rdsReplica: { n: 1, instance: "p-e-replica-1", prefix: "p-e" },
  redis: { group: "p-e", nodes: ["p-e-001", "p-e-002"] },
  kafka: { cluster: "p-e", brokers: 2 },
  genaiFunction: { functionName: "p-e-genai", deadLetterQueue: "p-e-genai-dlq", prefix: "p-e" },
  api: { rest: true, name: "p-e-api", id: "", stage: "v1" },
  queue: { key: "orders", queue: "p-e-orders", deadLetterQueue: "p-e-orders-dlq" },
  nativeFunction: { key: "mailer", functionName: "p-e-mailer", deadLetterQueue: "p-e-mailer-dlq" },
  auditFilter: { filter: "rootUsage", namespace: "p/e/audit", logGroup: "/p/e/cloudtrail" },
};

/** A sink outside the layer: sets in a bare stack, names joined with `-`. */
function sink(config: PlatformConfig): AlarmSink {
  const stack = new TerraformStack(Testing.app(), "catalogue");
  const sets = new Map<string, AlarmSet>();
  return {
    config,
    set: (id) =>
      sets.get(id) ?? sets.set(id, new AlarmSet(stack, id, { alarmActions: ["arn:aws:sns:us-west-2:111111111111:alarms"] })).get(id)!,
    alarmName: (...parts) => parts.join("-"),
  };
}

const snake = (s: string) => s.replace(/([a-z])([A-Z])/g, "$1_$2").toLowerCase();

/** The catalogue entry an alarm address names (`<set>_[<resource>_]<alarm>`), or undefined. */
function entryOf(address: string): { kind: ResourceKind; set: string; alarm: string } | undefined {
  for (const kind of RESOURCE_KINDS) {
    for (const e of ALARM_CATALOGUE[kind]) {
      if (!address.startsWith(`${e.set}_`)) continue;
      const rest = address.slice(e.set.length + 1);
      const named =
        kind === "auditFilter"
          ? Object.keys(CIS_FILTER_PATTERNS).map(snake).includes(rest)
          : kind === "auroraReader" || kind === "rdsReplica"
            ? new RegExp(`^${e.alarm}_${kind === "rdsReplica" ? "replica" : "reader"}_\\d+$`).test(rest)
            : rest === e.alarm || rest.endsWith(`_${e.alarm}`);
      if (named) return { kind, set: e.set, alarm: e.alarm };
    }
  }
  return undefined;
}

describe("alarm catalogue", () => {
  it("has entries for every resource kind, and no two entries of a kind share an address", () => {
    for (const kind of RESOURCE_KINDS) {
      const entries = ALARM_CATALOGUE[kind];
      expect(entries.length).toBeGreaterThan(0);
      const keys = entries.map((e) => `${e.set}_${e.alarm}`);
      expect(new Set(keys).size).toBe(keys.length);
    }
  });

  it("every entry has a severity (from its settings) and so a topic: its alarm notifies the topic of that severity", () => {
    const { tf } = synth(MonitoringStack, FULL);
    const alarms = resources(tf, "aws_cloudwatch_metric_alarm");
    const topicOf = {
      WARNING: "${aws_sns_topic.alarm_topic.arn}",
      ERROR: "${aws_sns_topic.alarm_topic_error.arn}",
      CRITICAL: "${aws_sns_topic.alarm_topic_critical.arn}",
    };
    for (const kind of RESOURCE_KINDS) {
      for (const e of ALARM_CATALOGUE[kind] as readonly { settings: (c: PlatformConfig, r: unknown) => { severity: string } }[]) {
        expect(SEVERITIES).toContain(e.settings(FULL, SAMPLE[kind]).severity);
      }
    }
    // Every alarm created: tagged with its severity, notifying that severity's topic (all three occur).
    expect(Object.keys(alarms).length).toBeGreaterThan(30);
    expect(new Set(Object.values(alarms).map((a) => (a.tags as { Severity: string }).Severity))).toEqual(new Set(SEVERITIES));
    for (const a of Object.values(alarms)) {
      const severity = (a.tags as { Severity: keyof typeof topicOf }).Severity;
      expect(SEVERITIES).toContain(severity);
      expect(a.alarm_actions).toEqual([topicOf[severity]]);
    }
  });

  it("every kind turns its sample resource into alarms named <set>-[<resource>-]<alarm>", () => {
    const s = sink(FULL);
    for (const kind of RESOURCE_KINDS) {
      const made = alarmsFor(s, kind, [SAMPLE[kind]] as never);
      expect(made.length).toBeGreaterThan(0);
      for (const m of made) expect(m.alarm.alarmNameInput).toMatch(/^[a-z0-9]+-[a-z0-9-]+$/);
    }
  });

  it.each(ENVIRONMENTS)("every alarm of %s comes from a catalogue entry its address names", (name) => {
    const { tf } = synth(MonitoringStack, env(name));
    const addresses = Object.keys(resources(tf, "aws_cloudwatch_metric_alarm"));
    expect(addresses.filter((a) => entryOf(a) === undefined)).toEqual([]);
    expect(entryOf("alb_customers_response_time")).toEqual({ kind: "targetGroup", set: "alb", alarm: "response_time" });
  });

  it("an address no entry makes names no entry (negative)", () => {
    expect(entryOf("alb_customers_latency")).toBeUndefined();
    expect(entryOf("bucket_documents_size")).toBeUndefined();
    expect(entryOf("audit_root_login")).toBeUndefined();
  });

  it("refuses an unknown resource kind, naming the known ones", () => {
    expect(() => alarmsFor(sink(FULL), "bucket" as ResourceKind, [{}] as never)).toThrow(
      /unknown resource kind "bucket"; kinds are loadBalancer, targetGroup/,
    );
    // A known kind without resources makes nothing (and is not refused).
    expect(alarmsFor(sink(FULL), "queue", [])).toEqual([]);
  });

  it("refuses an entry whose settings carry no known severity: its alarm would notify no topic", () => {
    const bad: AlarmCatalogue = {
      ...ALARM_CATALOGUE,
      queue: [
        { ...ALARM_CATALOGUE.queue[0], settings: (c) => ({ ...c.monitoring.alarms.queues.deadLetterMessages, severity: "LOUD" as never }) },
      ],
    };
    expect(() => alarmsFor(sink(FULL), "queue", [SAMPLE.queue], bad)).toThrow(
      /queue alarm queue\/dead_letters has severity "LOUD"; severities are WARNING, ERROR, CRITICAL/,
    );
    expect(alarmsFor(sink(FULL), "queue", [SAMPLE.queue]).map((m) => m.severity)).toEqual(["WARNING", "WARNING"]);
  });

  it("refuses an entry without a threshold (settings without one and no threshold function)", () => {
    const { threshold: _omitted, ...withoutThreshold } = ALARM_CATALOGUE.ecsService[2];
    const bad: AlarmCatalogue = { ...ALARM_CATALOGUE, ecsService: [withoutThreshold] };
    expect(() => alarmsFor(sink(FULL), "ecsService", [SAMPLE.ecsService], bad)).toThrow(
      /ecsService alarm ecs\/running_tasks has no threshold/,
    );
    expect(alarmsFor(sink(FULL), "ecsService", [SAMPLE.ecsService]).map((m) => m.alarm.alarmNameInput)).toEqual([
      "ecs-web-cpu",
      "ecs-web-memory",
      "ecs-web-running-tasks",
    ]);
  });

  it("skips a disabled alarm and one whose condition does not hold (free storage only for an RDS instance)", () => {
    const off = envWith("prod", { monitoring: { alarms: { database: { cpu: { enabled: false } } } } });
    const names = (cfg: PlatformConfig, r: MonitoredResources["database"]) =>
      alarmsFor(sink(cfg), "database", [r]).map((m) => m.alarm.alarmNameInput);
    expect(names(FULL, SAMPLE.database)).toEqual(["db-cpu", "db-connections", "db-freeable-memory", "db-acu-utilization"]);
    expect(names(off, SAMPLE.database)).not.toContain("db-cpu");
    expect(names(FULL, { ...SAMPLE.database, aurora: false, serverless: false })).toEqual([
      "db-cpu",
      "db-connections",
      "db-freeable-memory",
      "db-free-storage",
    ]);
  });
});

describe("names layer 10 reads instead of deriving: the owners' new contract outputs", () => {
  it("database: db_reader_identifiers are the Aurora readers' identifiers (mock = the names created); empty for an RDS instance", () => {
    const cfg = envWith("prod", { database: { readers: 2 }, cache: { enabled: true } });
    const { tf } = synth(DatabaseStack, cfg);
    expect(tf.output!.db_reader_identifiers.value).toEqual([
      "${aws_rds_cluster_instance.aurora_reader_1.identifier}",
      "${aws_rds_cluster_instance.aurora_reader_2.identifier}",
    ]);
    const instances = resources(tf, "aws_rds_cluster_instance");
    expect(databaseContract.db_reader_identifiers.mock(cfg)).toEqual([
      instances.aurora_reader_1.identifier,
      instances.aurora_reader_2.identifier,
    ]);
    expect(tf.output!.cache_member_cluster_ids.value).toBe("${sort(tolist(aws_elasticache_replication_group.redis.member_clusters))}");
    const group = resources(tf, "aws_elasticache_replication_group").redis;
    expect(databaseContract.cache_member_cluster_ids.mock(cfg)).toEqual(
      ["001", "002", "003"].map((n) => `${group.replication_group_id}-${n}`).slice(0, group.num_cache_clusters as number),
    );
    const rds = envWith("staging", { database: { engine: "postgres", readers: 0 } });
    expect(synth(DatabaseStack, rds).tf.output!.db_reader_identifiers.value).toEqual([]);
    expect(databaseContract.db_reader_identifiers.mock(rds)).toEqual([]);
    expect(databaseContract.cache_member_cluster_ids.mock(env("dev"))).toEqual([]);
  });

  it("api-gateway: api_name is the API's name (mock = the name created)", () => {
    const cfg = env("prod");
    const { tf } = synth(ApiGatewayStack, cfg);
    expect(tf.output!.api_name.value).toBe("${aws_api_gateway_rest_api.api.name}");
    expect(apiGatewayContract.api_name.mock(cfg)).toBe(resources(tf, "aws_api_gateway_rest_api").api.name);
  });
});
