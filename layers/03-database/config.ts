/**
 * Configuration of layer 03 database: the relational database (Aurora MySQL / PostgreSQL, Serverless
 * v2 or provisioned, or an RDS MySQL / PostgreSQL instance) and the optional ElastiCache Redis cache.
 *
 * - Shapes and single-field ranges are schema checks; every field is described with its default.
 * - Defaults that depend on the tier (backup retention, ACU maximum, Redis nodes and snapshot
 *   retention) come from ../tiers.ts. Defaults that depend on another field (engine version, port,
 *   instance class and log exports from the engine; Multi-AZ from protection.availability; deletion
 *   protection from protection.data; Redis failover from the node count) are resolved by
 *   `resolveDatabase` / `resolveCache` below, which the layer and the rules share.
 * - Cross-field rules (`databaseRules`): engine / version / instance-class combinations AWS offers,
 *   ACU ranges, what protection.data and protection.availability require, Redis failover rules,
 *   windows that do not overlap.
 *
 * Engine facts are a static table (no AWS call, DESIGN rule 6). It names the versions and instance
 * class families the kit supports, not every one AWS sells: AWS has the last word on whether an
 * exact version or size is orderable in a region (`aws rds describe-orderable-db-instance-options`).
 */
import { z } from "zod";
import { matching, port, wholeNumber } from "../../core/config/fields";
import type { PlatformConfig } from "../../core/config/types";
import type { KeyPath, Rule, SemanticIssue } from "../../core/config/types";
import { performanceInsightsRow, performanceInsightsSupported, SERVERLESS_V2_ACU } from "../../core/config/rds-facts";
import { TIER_RULES } from "../../core/config/tiers";
import { iamDatabaseUsers } from "../07-application/config";
import { KafkaSchema, kafkaRules } from "./kafka";
import type { LayerConfig } from "../../core/layer-descriptor";
import { whenLayerOn } from "../../core/config/layer-switch";

// ---------------------------------------------------------------------------------------------
// Engine facts

export const DATABASE_ENGINES = ["aurora-mysql", "aurora-postgresql", "mysql", "postgres"] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/** The Aurora Serverless v2 instance class. */
export const SERVERLESS_INSTANCE_CLASS = "db.serverless";

/** Instance sizes AWS names; which exist for a family is AWS's business (see the file comment). */
const SIZES = [
  "micro",
  "small",
  "medium",
  "large",
  "xlarge",
  "2xlarge",
  "4xlarge",
  "8xlarge",
  "12xlarge",
  "16xlarge",
  "24xlarge",
  "32xlarge",
  "48xlarge",
];
/** Burstable classes Aurora accepts: medium and large only. */
const AURORA_BURSTABLE_SIZES = ["medium", "large"];
const BURSTABLE_SIZES = ["micro", "small", "medium", "large", "xlarge", "2xlarge"];

export interface EngineFacts {
  readonly aurora: boolean;
  /** Default port. */
  readonly port: number;
  /** Version used when database.engineVersion is omitted. */
  readonly defaultVersion: string;
  /** Versions the kit supports; capture group 1 is the major version. */
  readonly versions: RegExp;
  /** The supported versions in words, for error messages. */
  readonly versionsText: string;
  /** Parameter group family of a supported version. */
  readonly family: (major: string) => string;
  /** Instance class when database.instanceClass is omitted. */
  readonly defaultInstanceClass: string;
  /** Instance class families the kit accepts (db.<family>.<size>). */
  readonly instanceFamilies: readonly string[];
  /** Log types this engine exports to CloudWatch Logs without extra option groups. */
  readonly logExports: readonly string[];
  /** Why some engine log type is not offered, for the error message. */
  readonly logExportsNote?: string;
}

const AURORA_FAMILIES = ["t3", "t4g", "r5", "r6g", "r6i", "r7g", "r7i", "r8g", "x2g"];
const RDS_FAMILIES = [
  "t3",
  "t4g",
  "m5",
  "m5d",
  "m6g",
  "m6gd",
  "m6i",
  "m6id",
  "m7g",
  "m7i",
  "m8g",
  "r5",
  "r5b",
  "r5d",
  "r6g",
  "r6gd",
  "r6i",
  "r6id",
  "r7g",
  "r7i",
  "r8g",
  "x2g",
];

export const ENGINE_FACTS: Readonly<Record<DatabaseEngine, EngineFacts>> = {
  "aurora-mysql": {
    aurora: true,
    port: 3306,
    defaultVersion: "8.0.mysql_aurora.3.08.2",
    versions: /^(8\.0)\.mysql_aurora\.3\.\d{2}\.\d+$/,
    versionsText: "an Aurora MySQL 3 version such as 8.0.mysql_aurora.3.08.2",
    family: () => "aurora-mysql8.0",
    defaultInstanceClass: SERVERLESS_INSTANCE_CLASS,
    instanceFamilies: AURORA_FAMILIES,
    logExports: ["audit", "error", "general", "slowquery"],
  },
  "aurora-postgresql": {
    aurora: true,
    port: 5432,
    defaultVersion: "16.6",
    versions: /^(15|16|17)\.\d+$/,
    versionsText: "an Aurora PostgreSQL 15, 16 or 17 version with its minor, such as 16.6",
    family: (major) => `aurora-postgresql${major}`,
    defaultInstanceClass: SERVERLESS_INSTANCE_CLASS,
    instanceFamilies: AURORA_FAMILIES,
    logExports: ["postgresql"],
  },
  postgres: {
    aurora: false,
    port: 5432,
    defaultVersion: "16",
    versions: /^(15|16|17)(\.\d+)?$/,
    versionsText: "PostgreSQL 15, 16 or 17 (a major such as 16, or major.minor such as 16.8)",
    family: (major) => `postgres${major}`,
    defaultInstanceClass: "db.t4g.medium",
    instanceFamilies: RDS_FAMILIES,
    logExports: ["postgresql", "upgrade"],
  },
  mysql: {
    aurora: false,
    port: 3306,
    defaultVersion: "8.4",
    versions: /^(8\.0|8\.4)(\.\d+)?$/,
    versionsText: "MySQL 8.0 or 8.4 (such as 8.4, or 8.4.5)",
    family: (major) => `mysql${major}`,
    defaultInstanceClass: "db.t4g.medium",
    instanceFamilies: RDS_FAMILIES,
    logExports: ["error", "general", "slowquery"],
    logExportsNote: "audit needs the MARIADB_AUDIT_PLUGIN option group, which the kit does not create",
  },
};

/** Redis node type families ElastiCache offers for Redis 7 with encryption and failover. */
const CACHE_NODE_FAMILIES = ["t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r7g"];

// ---------------------------------------------------------------------------------------------
// Shared field schemas

const BACKUP_WINDOW_RE = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
const MAINTENANCE_WINDOW_RE =
  /^(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):([01]\d|2[0-3]):[0-5]\d$/;

const dailyWindow = (what: string) => matching(BACKUP_WINDOW_RE, `a daily ${what} window hh:mm-hh:mm in UTC, such as 03:00-04:00`);

const weeklyWindow = z
  .string({ error: "a weekly maintenance window ddd:hh:mm-ddd:hh:mm in UTC, such as sun:05:00-sun:06:00" })
  .regex(MAINTENANCE_WINDOW_RE, {
    error: "a weekly maintenance window ddd:hh:mm-ddd:hh:mm in UTC (lower-case days), such as sun:05:00-sun:06:00",
  });

/** Performance Insights keeps 7 days free, or whole months (31 × 1..23 days), or 731 days. */
export const PERFORMANCE_INSIGHTS_RETENTION_DAYS = [7, ...Array.from({ length: 23 }, (_, i) => 31 * (i + 1)), 731];

const acu = (what: string) =>
  z
    .number({ error: `a ${what} capacity in ACUs (0.5 to 256, in steps of 0.5)` })
    .min(SERVERLESS_V2_ACU.min, {
      error: `a ${what} capacity of at least ${SERVERLESS_V2_ACU.min} ACU (the kit does not use auto-pause at 0 ACU)`,
    })
    .max(SERVERLESS_V2_ACU.max, { error: `a ${what} capacity of at most ${SERVERLESS_V2_ACU.max} ACUs (the Aurora Serverless v2 maximum)` })
    .multipleOf(SERVERLESS_V2_ACU.step, { error: `a ${what} capacity in steps of ${SERVERLESS_V2_ACU.step} ACU` });

// ---------------------------------------------------------------------------------------------
// Schemas

export const DatabaseSchema = z
  .strictObject({
    engine: z
      .enum(DATABASE_ENGINES)
      .default("aurora-mysql")
      .describe("aurora-mysql | aurora-postgresql (Aurora clusters) or mysql | postgres (RDS instances). Default: aurora-mysql."),
    engineVersion: z
      .string({ error: "an engine version string" })
      .optional()
      .describe(
        `Engine version. Default per engine: ${DATABASE_ENGINES.map((e) => `${e} ${ENGINE_FACTS[e].defaultVersion}`).join(", ")}. ` +
          "RDS engines accept a major version (16, 8.4) and follow minor upgrades; Aurora needs the full version.",
      ),
    port: port.optional().describe("Default: 3306 for MySQL engines, 5432 for PostgreSQL engines."),
    databaseName: z
      .string({ error: "a database name" })
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, { error: "a database name: a letter, then up to 62 letters, digits or underscores" })
      .optional()
      .describe("Name of the application database created with the cluster. Default: the project name with hyphens as underscores."),
    masterUsername: z
      .string({ error: "a master user name" })
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,15}$/, { error: "a master user name: a letter, then up to 15 letters, digits or underscores" })
      .refine((s) => !["admin", "root", "postgres", "rdsadmin", "rdsrepladmin", "rds_superuser"].includes(s.toLowerCase()), {
        error: "a master user name that is not reserved by the engine (admin, root, postgres, rdsadmin, ...)",
      })
      .default("platform_admin")
      .describe(
        "Master user name. Its password is generated and kept by RDS in Secrets Manager, never in Terraform state. Default: platform_admin.",
      ),
    instanceClass: matching(/^db\.[a-z0-9]+(\.[a-z0-9]+)?$/, "a DB instance class such as db.serverless or db.r6g.large")
      .optional()
      .describe(
        "Instance class of every instance. Default: db.serverless (Aurora Serverless v2) for Aurora engines, db.t4g.medium for RDS engines.",
      ),
    serverless: z
      .strictObject({
        minCapacity: acu("minimum").default(0.5).describe("Lowest capacity of each instance, ACUs. Default: 0.5."),
        maxCapacity: acu("maximum").describe("Highest capacity of each instance, ACUs. Tier default: dev 1, staging 2, prod 4."),
      })
      .describe("Aurora Serverless v2 capacity range (with instanceClass db.serverless). 1 ACU is about 2 GiB of memory."),
    readers: wholeNumber(
      "a number of Aurora readers",
      "a whole number of Aurora readers",
      [0, "0 to 15 Aurora readers"],
      [15, "0 to 15 Aurora readers (the Aurora maximum)"],
    )
      .default(1)
      .describe("Aurora reader instances besides the writer, each in the next AZ after the previous one. Default: 1."),
    multiAz: z.boolean().optional().describe("RDS engines: a synchronous standby in another AZ. Default: protection.availability."),
    readReplicas: wholeNumber(
      "a number of read replicas",
      "a whole number of read replicas",
      [0, "0 to 15 read replicas"],
      [15, "0 to 15 read replicas (the RDS maximum for MySQL and PostgreSQL)"],
    )
      .default(0)
      .describe(
        "RDS engines: read replicas of the instance, in the data subnets behind the data group, encrypted with the data key; the first one's address is the reader endpoint (db_reader_endpoint, parameter database/reader-host). " +
          "RDS refuses replicas of an instance whose master password it manages, so with replicas the master secret is the kit's own, rotated every masterSecretRotationDays through the RDS API (docs/layers/database.md). " +
          "Aurora engines: use database.readers. Default: 0.",
      ),
    storage: z
      .strictObject({
        type: z
          .literal("gp3", { error: "gp3 (the storage type the kit uses for RDS engines)" })
          .default("gp3")
          .describe("RDS engines: storage type. Default: gp3."),
        allocatedGb: wholeNumber(
          "a storage size in GiB",
          "a whole number of GiB",
          [20, "at least 20 GiB (the gp3 minimum for MySQL and PostgreSQL)"],
          [65536, "at most 65536 GiB"],
        )
          .default(20)
          .describe("RDS engines: initial storage, GiB. Default: 20."),
        maxAllocatedGb: wholeNumber(
          "a storage size in GiB",
          "a whole number of GiB",
          [0, "0 (no storage autoscaling) or a size in GiB"],
          [65536, "at most 65536 GiB"],
        )
          .default(100)
          .describe("RDS engines: storage autoscaling limit, GiB; 0 turns autoscaling off. Default: 100."),
      })
      .prefault({})
      .describe("RDS engines: storage (Aurora storage grows by itself)."),
    backup: z
      .strictObject({
        retentionDays: wholeNumber(
          "a backup retention in days",
          "a whole number of days",
          [1, "1 to 35 days of backups (the kit never turns automated backups off)"],
          [35, "1 to 35 days of backups (the RDS maximum)"],
        ).describe("Automated backup retention, days. Tier default: dev 7, staging 7, prod 30."),
        window: dailyWindow("backup")
          .default("03:00-04:00")
          .describe("Daily backup window, UTC, at least 30 minutes. Default: 03:00-04:00."),
      })
      .describe("Automated backups (the tier preset always supplies this block)."),
    maintenanceWindow: weeklyWindow
      .default("sun:05:00-sun:06:00")
      .describe("Weekly maintenance window, UTC. Default: sun:05:00-sun:06:00."),
    deletionProtection: z
      .boolean()
      .optional()
      .describe("Refuse DeleteDBCluster / DeleteDBInstance. Default: protection.data (and it must stay true then)."),
    masterSecretRotationDays: wholeNumber(
      "a rotation period in days",
      "a whole number of days",
      [1, "a rotation period of 1 to 365 days"],
      [365, "a rotation period of 1 to 365 days"],
    )
      .default(7)
      .describe("Rotation period of the RDS-managed master user secret, days (rate(N days)). Default: 7, as RDS sets it."),
    performanceInsights: z
      .strictObject({
        enabled: z
          .boolean()
          .optional()
          .describe(
            "Default: on where RDS supports it for the engine and instance class (core/config/rds-facts.ts; not on MySQL db.t*.micro/small, nor Aurora MySQL db.t3 / db.t4g.micro/small). true on an unsupported class is refused.",
          ),
        retentionDays: z
          .number({ error: "a Performance Insights retention in days" })
          .refine((n) => PERFORMANCE_INSIGHTS_RETENTION_DAYS.includes(n), {
            error: "a Performance Insights retention of 7 days, a multiple of 31 days up to 713, or 731 days",
          })
          .meta({ enum: PERFORMANCE_INSIGHTS_RETENTION_DAYS })
          .default(7)
          .describe("Days; 7 is free. Default: 7."),
      })
      .prefault({})
      .describe("Performance Insights, encrypted with the data key."),
    monitoringIntervalSeconds: z
      .union(
        [0, 1, 5, 10, 15, 30, 60].map((n) => z.literal(n)) as unknown as [
          z.ZodLiteral<number>,
          z.ZodLiteral<number>,
          ...z.ZodLiteral<number>[],
        ],
      )
      .default(60)
      .describe("Enhanced monitoring interval, seconds (0 turns it off; 1, 5, 10, 15, 30 or 60). Default: 60."),
    iamAuthentication: z
      .boolean()
      .default(true)
      .describe(
        "IAM database authentication (rds-db:connect). Services with services.<name>.database connect with IAM tokens as their own users when it is on (their default auth). Default: true.",
      ),
    userProvisioner: z
      .strictObject({
        memoryMb: wholeNumber("a Lambda memory size in MB", "a whole number of MB", [128, "128 to 10240 MB"], [10240, "128 to 10240 MB"])
          .default(256)
          .describe("Memory of the provisioning function, MB. Default: 256."),
        timeoutSeconds: wholeNumber(
          "a Lambda timeout in seconds",
          "a whole number of seconds",
          [10, "10 to 900 seconds (connecting to a resuming Serverless v2 cluster takes seconds)"],
          [900, "at most 900 seconds (the Lambda maximum)"],
        )
          .default(120)
          .describe("Timeout of the provisioning function, seconds. Default: 120."),
      })
      .prefault({})
      .describe(
        "The function that creates each IAM-authenticated service's database user (functions/db-users). Layer 03 invokes it at apply time whenever the list of users changes; it reads the master secret at run time.",
      ),
    autoMinorVersionUpgrade: z.boolean().default(true).describe("Apply minor engine versions in the maintenance window. Default: true."),
    logExports: z
      .array(z.string({ error: "a log type name" }))
      .optional()
      .describe(
        `Log types exported to CloudWatch Logs. Default per engine: ${DATABASE_ENGINES.map((e) => `${e} ${ENGINE_FACTS[e].logExports.join(", ")}`).join("; ")}.`,
      ),
  })
  .describe("Relational database (layer 03).");

const CacheFieldsSchema = z.strictObject({
  enabled: z.boolean().default(false).describe("Create the Redis replication group. Default: false."),
  port: port.default(6379).describe("Default: 6379."),
  engineVersion: z
    .string({ error: "a Redis 7 version such as 7.1" })
    .regex(/^7\.\d+$/, { error: "a Redis 7 version such as 7.1 (IAM authentication needs Redis 7)" })
    .default("7.1")
    .describe("Redis engine version. Default: 7.1."),
  nodeType: matching(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "a cache node type such as cache.t4g.small")
    .default("cache.t4g.small")
    .describe("Node type. Default: cache.t4g.small."),
  nodes: wholeNumber(
    "a number of cache nodes",
    "a whole number of cache nodes",
    [1, "1 to 6 cache nodes (a primary and up to 5 replicas)"],
    [6, "1 to 6 cache nodes (a primary and up to 5 replicas)"],
  ).describe("Nodes: a primary and nodes - 1 replicas, spread over the AZs. Tier default: dev 1, staging 2, prod 3."),
  automaticFailover: z
    .boolean()
    .optional()
    .describe(
      "Promote a replica when the primary fails; needs 2 nodes or more (cluster mode: required). Default: true with 2 nodes or more, or with cluster mode.",
    ),
  multiAz: z
    .boolean()
    .optional()
    .describe(
      "Place replicas in other AZs and fail over across AZs; needs automatic failover and a replica. Default: automaticFailover with 2 nodes or more.",
    ),
  clusterMode: z
    .strictObject({
      enabled: z
        .boolean()
        .default(false)
        .describe("Redis cluster mode (num_node_groups / replicas_per_node_group, cluster-enabled parameter group). Default: false."),
      shards: wholeNumber(
        "a number of shards",
        "a whole number of shards",
        [1, "1 to 500 shards (node groups)"],
        [500, "1 to 500 shards (the ElastiCache maximum for Redis 5.0.6 and later)"],
      )
        .default(1)
        .describe("Shards (node groups), each of `nodes` nodes: a primary and nodes - 1 replicas. Default: 1."),
    })
    .prefault({})
    .describe(
      "Redis cluster mode: the key space in shards behind one configuration endpoint (cache/host then names it; clients must be cluster-aware). " +
        "With it, `nodes` counts the nodes of each shard. Automatic failover is required.",
    ),
  snapshotRetentionDays: wholeNumber(
    "a snapshot retention in days",
    "a whole number of days",
    [0, "0 (no snapshots) to 35 days"],
    [35, "0 (no snapshots) to 35 days"],
  ).describe("Daily snapshots kept, days; 0 takes none. Tier default: dev 0, staging 1, prod 7."),
  snapshotWindow: dailyWindow("snapshot").default("04:00-05:00").describe("Daily snapshot window, UTC. Default: 04:00-05:00."),
  maintenanceWindow: weeklyWindow.default("sun:06:00-sun:07:00").describe("Weekly maintenance window, UTC. Default: sun:06:00-sun:07:00."),
  clients: z
    .array(z.string({ error: "an application service name" }))
    .optional()
    .describe(
      "Application services that use the cache: each task role gets elasticache:Connect on the replication group and its IAM-authenticated user. " +
        "Default: the services whose secrets inject a database/cache/... parameter.",
    ),
});

type CacheFields = z.output<typeof CacheFieldsSchema>;
/** An enabled cache carries every setting; a disabled one only what other layers read (enabled, port). */
export type CacheConfig = (CacheFields & { readonly enabled: true }) | { readonly enabled: false; readonly port: number };

export const CacheSchema = CacheFieldsSchema.transform((c): CacheConfig =>
  c.enabled ? { ...c, enabled: true } : { enabled: false, port: c.port },
).describe("Optional ElastiCache Redis (layer 03): IAM-authenticated, encrypted at rest and in transit.");

export type DatabaseConfig = z.output<typeof DatabaseSchema>;

// ---------------------------------------------------------------------------------------------
// Resolution of defaults that depend on other fields

export interface ResolvedDatabase {
  readonly engine: DatabaseEngine;
  readonly facts: EngineFacts;
  readonly aurora: boolean;
  readonly version: string;
  /** Major version (`8.0`, `16`), when the version is supported. */
  readonly major?: string;
  /** Parameter group family, when the version is supported. */
  readonly family?: string;
  readonly port: number;
  readonly databaseName: string;
  readonly instanceClass: string;
  readonly serverless: boolean;
  readonly multiAz: boolean;
  readonly deletionProtection: boolean;
  readonly logExports: readonly string[];
  /** Performance Insights on: database.performanceInsights.enabled, else where the class supports it. */
  readonly performanceInsights: boolean;
}

/** The database settings with every field-dependent default applied. */
export function resolveDatabase(cfg: PlatformConfig): ResolvedDatabase {
  const db = cfg.database;
  const facts = ENGINE_FACTS[db.engine];
  const version = db.engineVersion ?? facts.defaultVersion;
  const major = facts.versions.exec(version)?.[1];
  const instanceClass = db.instanceClass ?? facts.defaultInstanceClass;
  return {
    engine: db.engine,
    facts,
    aurora: facts.aurora,
    version,
    major,
    family: major === undefined ? undefined : facts.family(major),
    port: db.port ?? facts.port,
    databaseName: db.databaseName ?? cfg.project.replace(/-/g, "_"),
    instanceClass,
    serverless: instanceClass === SERVERLESS_INSTANCE_CLASS,
    multiAz: db.multiAz ?? cfg.protection.availability,
    deletionProtection: db.deletionProtection ?? cfg.protection.data,
    logExports: db.logExports ?? facts.logExports,
    performanceInsights: db.performanceInsights.enabled ?? performanceInsightsSupported(db.engine, instanceClass),
  };
}

export interface ResolvedCache {
  readonly automaticFailover: boolean;
  readonly multiAz: boolean;
}

/** Parameter keys below database/ that describe the cache (a service injecting one uses the cache). */
const CACHE_KEY_PREFIX = "database/cache/";

/**
 * The services that use the cache (and get elasticache:Connect): cache.clients, else every service
 * whose `secrets` inject a database/cache/... parameter. Empty without an enabled cache.
 */
export function cacheClients(cfg: Pick<PlatformConfig, "cache" | "services">): string[] {
  if (!cfg.cache.enabled) return [];
  if (cfg.cache.clients) return [...cfg.cache.clients];
  return Object.entries(cfg.services)
    .filter(([, svc]) => Object.values(svc.secrets).some((key) => key.startsWith(CACHE_KEY_PREFIX)))
    .map(([name]) => name);
}

/**
 * The member cache cluster ids ElastiCache gives the nodes of replication group `group` (the
 * CacheClusterId dimension of their metrics): `<group>-00N` without cluster mode,
 * `<group>-000S-00N` (shard S, node N) with it.
 */
export function cacheMemberIds(cache: Extract<CacheConfig, { enabled: true }>, group: string): string[] {
  const node = (i: number) => String(i + 1).padStart(3, "0");
  if (!cache.clusterMode.enabled) return Array.from({ length: cache.nodes }, (_, i) => `${group}-${node(i)}`);
  return Array.from({ length: cache.clusterMode.shards }, (_, s) =>
    Array.from({ length: cache.nodes }, (_, i) => `${group}-${String(s + 1).padStart(4, "0")}-${node(i)}`),
  ).flat();
}

/** Failover and Multi-AZ of an enabled cache, defaults applied. */
export function resolveCache(cache: Extract<CacheConfig, { enabled: true }>): ResolvedCache {
  const automaticFailover = cache.automaticFailover ?? (cache.clusterMode.enabled || cache.nodes >= 2);
  return { automaticFailover, multiAz: cache.multiAz ?? (automaticFailover && cache.nodes >= 2) };
}

// ---------------------------------------------------------------------------------------------
// Cross-field rules

/** Minutes since Monday 00:00 for `ddd:hh:mm`, or since midnight for `hh:mm`. */
function minutes(text: string): number {
  const days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
  const parts = text.split(":");
  const [d, h, m] = parts.length === 3 ? parts : ["", ...parts];
  return (d ? days.indexOf(d) * 1440 : 0) + Number(h) * 60 + Number(m);
}

/** A window as [start, end) intervals on a week, wrapping midnight / the week's end. */
function weekIntervals(window: string): [number, number][] {
  const [a, b] = window.split("-");
  const week = 7 * 1440;
  const daily = !a.includes(":") || a.split(":").length === 2;
  const start = minutes(a);
  let end = minutes(b);
  const period = daily ? 1440 : week;
  if (end <= start) end += period;
  const out: [number, number][] = [];
  const repeats = daily ? 7 : 1;
  for (let i = 0; i < repeats; i++) {
    const s = start + i * period;
    const e = end + i * period;
    if (e <= week) out.push([s, e]);
    else out.push([s, week], [0, e - week]);
  }
  return out;
}

/** Length of a daily window in minutes. */
function dailyLength(window: string): number {
  const [a, b] = window.split("-");
  const len = minutes(b) - minutes(a);
  return len <= 0 ? len + 1440 : len;
}

export function windowsOverlap(daily: string, weekly: string): boolean {
  const xs = weekIntervals(daily);
  const ys = weekIntervals(weekly);
  return xs.some(([s1, e1]) => ys.some(([s2, e2]) => s1 < e2 && s2 < e1));
}

const DB: KeyPath = ["database"];
const CACHE: KeyPath = ["cache"];
const at = (...keys: (string | number)[]): KeyPath => [...DB, ...keys];

const engineRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const db = cfg.database;
  const r = resolveDatabase(cfg);
  const { facts } = r;

  if (r.major === undefined) {
    issues.push({
      path: at("engineVersion"),
      expected: `${facts.versionsText} (engine ${db.engine})`,
      found: JSON.stringify(r.version),
    });
  }

  // Instance class: db.serverless only for Aurora; otherwise a known family and size.
  const cls = r.instanceClass;
  const clsPath = at("instanceClass");
  if (cls === SERVERLESS_INSTANCE_CLASS) {
    if (!r.aurora) {
      issues.push({
        path: clsPath,
        expected: `an RDS instance class such as ${facts.defaultInstanceClass} (db.serverless is Aurora only; engine ${db.engine})`,
        found: JSON.stringify(cls),
      });
    }
  } else {
    const [, family = "", size = ""] = cls.split(".");
    const burstable = family.startsWith("t");
    const sizes = burstable
      ? r.aurora
        ? AURORA_BURSTABLE_SIZES
        : BURSTABLE_SIZES
      : SIZES.filter((s) => !["micro", "small", "medium"].includes(s));
    if (!facts.instanceFamilies.includes(family) || !sizes.includes(size)) {
      const kinds = `db.<family>.<size> with family ${facts.instanceFamilies.join(", ")}`;
      const extra = r.aurora ? `, burstable sizes ${AURORA_BURSTABLE_SIZES.join(" or ")}, or db.serverless` : "";
      issues.push({ path: clsPath, expected: `an instance class ${db.engine} offers (${kinds}${extra})`, found: JSON.stringify(cls) });
    }
  }

  // Aurora MySQL supports Serverless v2 from 3.02.
  if (r.serverless && db.engine === "aurora-mysql" && r.major !== undefined) {
    const minor = Number(r.version.split(".")[4]);
    if (minor < 2)
      issues.push({
        path: at("engineVersion"),
        expected: "Aurora MySQL 3.02 or later (Serverless v2 needs it)",
        found: JSON.stringify(r.version),
      });
  }

  // Serverless capacity range.
  if (r.aurora && r.serverless && db.serverless.minCapacity > db.serverless.maxCapacity) {
    issues.push({
      path: at("serverless", "minCapacity"),
      expected: `a minimum capacity <= the maximum (${db.serverless.maxCapacity} ACUs)`,
      found: `${db.serverless.minCapacity}`,
    });
  }

  // Log exports fitting the engine.
  (db.logExports ?? []).forEach((name, i) => {
    if (!facts.logExports.includes(name)) {
      const note = facts.logExportsNote ? `; ${facts.logExportsNote}` : "";
      issues.push({ path: at("logExports", i), expected: `a log type ${db.engine} exports (${facts.logExports.join(", ")}${note})` });
    } else if (db.logExports!.indexOf(name) !== i) {
      issues.push({ path: at("logExports", i), expected: "each log type once", found: `duplicate ${JSON.stringify(name)}` });
    }
  });

  // Performance Insights: refused by RDS on some engine x class pairs (core/config/rds-facts.ts).
  if (db.performanceInsights.enabled === true && !performanceInsightsSupported(db.engine, cls)) {
    const row = performanceInsightsRow(db.engine);
    issues.push({
      path: at("performanceInsights", "enabled"),
      expected: `false or unset (RDS does not support Performance Insights for ${db.engine} on ${row.unsupported.join(", ")}; ${row.source})`,
      found: `boolean true with instanceClass ${cls}`,
      hint: "remove performanceInsights.enabled (the default turns it on where supported) or choose a larger instance class",
    });
  }

  // Read replicas are RDS instances' (Aurora readers are database.readers).
  if (db.readReplicas > 0 && r.aurora) {
    issues.push({
      path: at("readReplicas"),
      expected: "0 (Aurora engines scale reads with database.readers)",
      found: `${db.readReplicas}`,
    });
  }

  // Storage autoscaling: the limit must leave room (AWS wants at least 10% above the allocation).
  if (!r.aurora && db.storage.maxAllocatedGb > 0 && db.storage.maxAllocatedGb < Math.ceil(db.storage.allocatedGb * 1.1)) {
    issues.push({
      path: at("storage", "maxAllocatedGb"),
      expected: `0 (no autoscaling) or at least ${Math.ceil(db.storage.allocatedGb * 1.1)} GiB (10% above storage.allocatedGb ${db.storage.allocatedGb})`,
      found: `${db.storage.maxAllocatedGb}`,
    });
  }
  return issues;
};

const protectionRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const db = cfg.database;
  const r = resolveDatabase(cfg);
  if (cfg.protection.data && db.deletionProtection === false) {
    issues.push({ path: at("deletionProtection"), expected: "true or unset (protection.data is true: the database must refuse deletion)" });
  }
  if (cfg.protection.data && db.backup.retentionDays < 7) {
    issues.push({
      path: at("backup", "retentionDays"),
      expected: "at least 7 days of backups (protection.data is true)",
      found: `${db.backup.retentionDays}`,
    });
  }
  if (cfg.protection.availability) {
    if (r.aurora && db.readers < 1) {
      issues.push({
        path: at("readers"),
        expected: "at least 1 reader in another AZ (protection.availability is true: the writer's AZ may fail)",
        found: `${db.readers}`,
      });
    }
    if (!r.aurora && db.multiAz === false) {
      issues.push({
        path: at("multiAz"),
        expected: "true or unset (protection.availability is true: the instance needs a standby in another AZ)",
      });
    }
  }
  // A DB subnet group must span two AZs (unless the AZ rules already ask for two).
  const tierNeedsTwo = TIER_RULES[cfg.tier].minAzs >= 2 || cfg.protection.availability;
  if (!tierNeedsTwo && cfg.aws.azs.length < 2) {
    issues.push({
      path: ["aws", "azs"],
      expected: "at least 2 availability zones (an RDS DB subnet group spans two AZs)",
      found: `${cfg.aws.azs.length}`,
    });
  }
  return issues;
};

const windowRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const { backup, maintenanceWindow } = cfg.database;
  if (dailyLength(backup.window) < 30) {
    issues.push({ path: at("backup", "window"), expected: "a backup window of at least 30 minutes", found: JSON.stringify(backup.window) });
  } else if (windowsOverlap(backup.window, maintenanceWindow)) {
    issues.push({
      path: at("backup", "window"),
      expected: `a backup window that does not overlap the maintenance window ${maintenanceWindow}`,
      found: JSON.stringify(backup.window),
    });
  }
  const cache = cfg.cache;
  if (cache.enabled && cache.snapshotRetentionDays > 0 && windowsOverlap(cache.snapshotWindow, cache.maintenanceWindow)) {
    issues.push({
      path: [...CACHE, "snapshotWindow"],
      expected: `a snapshot window that does not overlap the cache maintenance window ${cache.maintenanceWindow}`,
      found: JSON.stringify(cache.snapshotWindow),
    });
  }
  return issues;
};

const cacheRules: Rule = (cfg) => {
  const cache = cfg.cache;
  if (!cache.enabled) return [];
  const issues: SemanticIssue[] = [];
  const { automaticFailover, multiAz } = resolveCache(cache);
  const family = cache.nodeType.split(".")[1];
  if (!CACHE_NODE_FAMILIES.includes(family)) {
    issues.push({
      path: [...CACHE, "nodeType"],
      expected: `a node type of family ${CACHE_NODE_FAMILIES.join(", ")} (cache.<family>.<size>)`,
      found: JSON.stringify(cache.nodeType),
    });
  }
  if (cache.clusterMode.enabled && cache.automaticFailover === false) {
    issues.push({
      path: [...CACHE, "automaticFailover"],
      expected: "true or unset (ElastiCache requires automatic failover on a cluster-mode replication group)",
      found: "boolean false",
    });
  }
  if (!cache.clusterMode.enabled && cache.clusterMode.shards !== 1) {
    issues.push({
      path: [...CACHE, "clusterMode", "shards"],
      expected: "1 or unset (without clusterMode.enabled the cache has one shard)",
      found: `${cache.clusterMode.shards}`,
    });
  }
  if (cache.automaticFailover === true && cache.nodes < 2 && !cache.clusterMode.enabled) {
    issues.push({
      path: [...CACHE, "automaticFailover"],
      expected: `false or unset with ${cache.nodes} node (automatic failover promotes a replica: it needs 2 nodes or more)`,
      found: "boolean true",
    });
  }
  if (multiAz && !automaticFailover) {
    issues.push({ path: [...CACHE, "multiAz"], expected: "false or unset (Multi-AZ needs automatic failover)", found: "boolean true" });
  } else if (multiAz && cache.nodes < 2) {
    issues.push({
      path: [...CACHE, "multiAz"],
      expected: `false or unset with ${cache.nodes} node per shard (Multi-AZ needs a replica to fail over to)`,
      found: "boolean true",
    });
  }
  if (cfg.protection.availability && (cache.nodes < 2 || !multiAz)) {
    issues.push(
      cache.nodes < 2
        ? {
            path: [...CACHE, "nodes"],
            expected: "at least 2 nodes (protection.availability is true: a replica in another AZ takes over)",
            found: `${cache.nodes}`,
          }
        : { path: [...CACHE, "multiAz"], expected: "true or unset (protection.availability is true)", found: "boolean false" },
    );
  }
  if (cfg.protection.data && cache.snapshotRetentionDays < 1) {
    issues.push({
      path: [...CACHE, "snapshotRetentionDays"],
      expected: "at least 1 day of snapshots (protection.data is true)",
      found: `${cache.snapshotRetentionDays}`,
    });
  }
  const services = Object.keys(cfg.services);
  (cache.clients ?? []).forEach((name, i) => {
    if (!services.includes(name)) {
      issues.push({
        path: [...CACHE, "clients", i],
        expected: services.length
          ? `an application service named under services (${services.join(", ")})`
          : "no clients (services is empty)",
        found: JSON.stringify(name),
      });
    } else if (cache.clients!.indexOf(name) !== i) {
      issues.push({ path: [...CACHE, "clients", i], expected: "each service once", found: `duplicate ${JSON.stringify(name)}` });
    }
  });
  // A service that injects the cache's connection settings but is left out of cache.clients could
  // not sign in (its task role would hold no elasticache:Connect).
  for (const [name, svc] of Object.entries(cfg.services)) {
    if (!cache.clients || cache.clients.includes(name)) continue;
    const key = Object.entries(svc.secrets).find(([, k]) => k.startsWith(CACHE_KEY_PREFIX));
    if (key) {
      issues.push({
        path: [...CACHE, "clients"],
        expected: `a list that names ${name} (services.${name}.secrets.${key[0]} reads ${key[1]}: without elasticache:Connect its task cannot sign in)`,
        found: JSON.stringify(cache.clients),
      });
    }
  }
  return issues;
};

/**
 * The user provisioner (in the app subnets, like the kit's other functions) reads the master
 * secret from Secrets Manager: through the secretsmanager interface endpoint, or over HTTPS to
 * the internet through NAT.
 */
const provisionerRules: Rule = (cfg) => {
  if (!iamDatabaseUsers(cfg).length) return [];
  const endpoint = cfg.network.interfaceEndpoints.includes("secretsmanager");
  const nat = cfg.network.nat !== "none" && cfg.security.egress.internetHttps;
  return endpoint || nat
    ? []
    : [
        {
          path: ["network", "interfaceEndpoints"],
          expected:
            "a list with secretsmanager (services connect with IAM authentication: layer 03's user provisioner reads the master secret " +
            "from the app subnets, which have no way to Secrets Manager here), or network.nat other than none with security.egress.internetHttps: true",
        },
      ];
};

/** Cross-field rules of the database section (see ../semantic.ts). Checked when the layer is on. */
export const databaseRules: readonly Rule[] = whenLayerOn("database", [
  engineRules,
  protectionRules,
  windowRules,
  cacheRules,
  provisionerRules,
]);

/** The layer's part of the configuration (layer.ts declares it): its sections and its cross-field rules (core/config/semantic.ts). */
export const databaseConfig: LayerConfig<{ database: typeof DatabaseSchema; cache: typeof CacheSchema; kafka: typeof KafkaSchema }> = {
  sections: { database: DatabaseSchema, cache: CacheSchema, kafka: KafkaSchema },
  rules: [...databaseRules, ...kafkaRules],
};
