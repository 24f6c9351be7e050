/**
 * Bad database and cache configuration is refused before anything is written, one line per
 * problem in the kit's format:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Fixtures are in __tests__/fixtures/config/database/; each extends ../_base.yaml (a valid dev
 * environment) and changes one thing. `at()` checks that the line and column asserted really hold
 * the offending key.
 *
 * Fixtures that turn on protection.availability or the prod tier also wake rules of other layers'
 * sections (service task counts, HTTPS on the load balancer) that are not this suite's subject and
 * change as those layers grow. So each test asserts the exact list of problems on the keys this
 * section owns (database.*, cache.*, and aws.azs where the database needs two AZs), and that the
 * configuration is refused.
 */
import { ConfigSchema } from "../core/config/schema";
import { cacheMemberIds, resolveCache, resolveDatabase, windowsOverlap } from "../layers/03-database/config";
import { iamDatabaseUsers, serviceDatabaseAccess } from "../layers/07-application/config";
import { fixtureChecks } from "./config-fixtures";
import { DEFAULT_DB_VARIABLES, envWith } from "./helpers";

const DIR = "__tests__/fixtures/config/database";
const OWNED = /^(database|cache)(\.|\[|$)|^aws\.azs$/;
const { refused, expectRefused, itRefuses } = fixtureChecks(DIR, { owned: OWNED });

describe("Aurora Serverless v2 capacity", () => {
  itRefuses([
    [
      "a capacity not in steps of 0.5 ACU",
      "acu-step.yaml",
      [4, 5, "maxCapacity: 1.25", "database.serverless.maxCapacity: expected a maximum capacity in steps of 0.5 ACU, found number 1.25"],
    ],
    [
      "a maximum above the Serverless v2 limit",
      "acu-too-big.yaml",
      [
        4,
        5,
        "maxCapacity: 512",
        "database.serverless.maxCapacity: expected a maximum capacity of at most 256 ACUs (the Aurora Serverless v2 maximum), found number 512",
      ],
    ],
    [
      "a minimum of 0 ACU (auto-pause is not used)",
      "acu-zero.yaml",
      [
        4,
        5,
        "minCapacity: 0",
        "database.serverless.minCapacity: expected a minimum capacity of at least 0.5 ACU (the kit does not use auto-pause at 0 ACU), found number 0",
      ],
    ],
    [
      "a minimum above the maximum",
      "acu-min-above-max.yaml",
      [4, 5, "minCapacity: 4", "database.serverless.minCapacity: expected a minimum capacity <= the maximum (2 ACUs), found 4"],
    ],
    [
      "an Aurora MySQL version older than Serverless v2",
      "mysql-old-serverless.yaml",
      [
        3,
        3,
        "engineVersion: 8.0.mysql_aurora.3.01.1",
        'database.engineVersion: expected Aurora MySQL 3.02 or later (Serverless v2 needs it), found "8.0.mysql_aurora.3.01.1"',
      ],
    ],
  ]);
});

describe("engine, version and instance class combinations", () => {
  itRefuses([
    [
      "another engine's version",
      "version-other-engine.yaml",
      [
        4,
        3,
        "engineVersion: 8.0.mysql_aurora.3.08.2",
        'database.engineVersion: expected an Aurora PostgreSQL 15, 16 or 17 version with its minor, such as 16.6 (engine aurora-postgresql), found "8.0.mysql_aurora.3.08.2"',
      ],
    ],
    [
      "a version the kit does not support",
      "version-unsupported.yaml",
      [
        4,
        3,
        'engineVersion: "14.12"',
        'database.engineVersion: expected PostgreSQL 15, 16 or 17 (a major such as 16, or major.minor such as 16.8) (engine postgres), found "14.12"',
      ],
    ],
    [
      "db.serverless with an RDS engine",
      "serverless-rds.yaml",
      [
        4,
        3,
        "instanceClass: db.serverless",
        'database.instanceClass: expected an RDS instance class such as db.t4g.medium (db.serverless is Aurora only; engine postgres), found "db.serverless"',
      ],
    ],
    [
      "a burstable size Aurora does not offer",
      "aurora-micro.yaml",
      [
        4,
        3,
        "instanceClass: db.t4g.micro",
        'database.instanceClass: expected an instance class aurora-mysql offers (db.<family>.<size> with family t3, t4g, r5, r6g, r6i, r7g, r7i, r8g, x2g, burstable sizes medium or large, or db.serverless), found "db.t4g.micro"',
      ],
    ],
    [
      "a log type the engine cannot export without an option group",
      "log-export-audit.yaml",
      [
        4,
        23,
        "audit]",
        'database.logExports[1]: expected a log type mysql exports (error, general, slowquery; audit needs the MARIADB_AUDIT_PLUGIN option group, which the kit does not create), found "audit"',
      ],
    ],
    [
      "read replicas on an Aurora engine (Aurora's readable copies are database.readers)",
      "read-replica.yaml",
      [4, 3, "readReplicas: 1", "database.readReplicas: expected 0 (Aurora engines scale reads with database.readers), found 1"],
    ],
    [
      "more read replicas than RDS allows",
      "read-replicas-too-many.yaml",
      [
        4,
        3,
        "readReplicas: 16",
        "database.readReplicas: expected 0 to 15 read replicas (the RDS maximum for MySQL and PostgreSQL), found number 16",
      ],
    ],
    [
      "a storage autoscaling limit too close to the allocation",
      "storage-limit.yaml",
      [
        6,
        5,
        "maxAllocatedGb: 105",
        "database.storage.maxAllocatedGb: expected 0 (no autoscaling) or at least 111 GiB (10% above storage.allocatedGb 100), found 105",
      ],
    ],
  ]);

  it("read replicas of an RDS instance are accepted (the kit keeps and rotates the master secret)", () => {
    expect(envWith("prod", { database: { engine: "postgres", readReplicas: 2 } }).database.readReplicas).toBe(2);
  });
});

describe("what protection requires", () => {
  itRefuses([
    [
      "prod (protection.data) without deletion protection",
      "prod-no-deletion-protection.yaml",
      [
        7,
        3,
        "deletionProtection: false",
        "database.deletionProtection: expected true or unset (protection.data is true: the database must refuse deletion), found boolean false",
      ],
    ],
    [
      "prod (protection.data) with less than a week of backups",
      "prod-short-backups.yaml",
      [8, 5, "retentionDays: 3", "database.backup.retentionDays: expected at least 7 days of backups (protection.data is true), found 3"],
    ],
    [
      "protection.availability with an Aurora cluster without a reader",
      "availability-no-reader.yaml",
      [
        7,
        3,
        "readers: 0",
        "database.readers: expected at least 1 reader in another AZ (protection.availability is true: the writer's AZ may fail), found 0",
      ],
    ],
    [
      "protection.availability with a single-AZ RDS instance",
      "availability-single-az-instance.yaml",
      [
        8,
        3,
        "multiAz: false",
        "database.multiAz: expected true or unset (protection.availability is true: the instance needs a standby in another AZ), found boolean false",
      ],
    ],
    [
      "one AZ: a DB subnet group needs two",
      "one-az.yaml",
      [3, 3, "azs: [us-west-2a]", "aws.azs: expected at least 2 availability zones (an RDS DB subnet group spans two AZs), found 1"],
    ],
  ]);
});

describe("values AWS refuses", () => {
  itRefuses([
    [
      "a backup window overlapping the maintenance window",
      "backup-overlaps-maintenance.yaml",
      [
        4,
        5,
        'window: "04:30-05:30"',
        'database.backup.window: expected a backup window that does not overlap the maintenance window sun:05:00-sun:06:00, found "04:30-05:30"',
      ],
    ],
    [
      "a master secret rotation period longer than a year",
      "rotation-too-long.yaml",
      [
        3,
        3,
        "masterSecretRotationDays: 400",
        "database.masterSecretRotationDays: expected a rotation period of 1 to 365 days, found number 400",
      ],
    ],
    [
      "a Performance Insights retention AWS does not offer",
      "insights-retention.yaml",
      [
        4,
        5,
        "retentionDays: 30",
        "database.performanceInsights.retentionDays: expected a Performance Insights retention of 7 days, a multiple of 31 days up to 713, or 731 days, found number 30",
      ],
    ],
    [
      "Performance Insights switched on for an RDS MySQL class RDS refuses it on (db.t4g.micro)",
      "insights-unsupported-class.yaml",
      [
        6,
        5,
        "enabled: true",
        "database.performanceInsights.enabled: expected false or unset (RDS does not support Performance Insights for mysql on db.t2.micro, db.t2.small, " +
          "db.t3.micro, db.t3.small, db.t4g.micro, db.t4g.small; https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DatabaseInsights.Engines.html), " +
          "found boolean true with instanceClass db.t4g.micro (remove performanceInsights.enabled (the default turns it on where supported) or choose a larger instance class)",
      ],
    ],
    [
      "an enhanced monitoring interval RDS does not offer",
      "monitoring-interval.yaml",
      [
        3,
        3,
        "monitoringIntervalSeconds: 45",
        "database.monitoringIntervalSeconds: expected one of 0, 1, 5, 10, 15, 30, 60, found number 45",
      ],
    ],
  ]);

  it("Performance Insights switched on for Aurora MySQL on a db.t3 class (the whole family is unsupported)", () => {
    const lines = refused("insights-aurora-t3.yaml");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /insights-aurora-t3\.yaml:5:\d+ database\.performanceInsights\.enabled: expected false or unset \(RDS does not support Performance Insights for aurora-mysql on db\.t2, db\.t3,/,
    );
  });

  it("defaults Performance Insights on where supported and off where RDS refuses it", () => {
    const pi = (database: object) => resolveDatabase(envWith("dev", { database })).performanceInsights;
    expect(pi({ engine: "mysql", instanceClass: "db.t4g.micro" })).toBe(false);
    expect(pi({ engine: "mysql", instanceClass: "db.t4g.small" })).toBe(false);
    expect(pi({ engine: "mysql", instanceClass: "db.t4g.medium" })).toBe(true);
    expect(pi({ engine: "postgres", instanceClass: "db.t4g.micro" })).toBe(true);
    expect(pi({ engine: "aurora-mysql", instanceClass: "db.t3.medium" })).toBe(false);
    expect(pi({ engine: "aurora-mysql", instanceClass: "db.t4g.medium" })).toBe(true);
    expect(pi({ engine: "aurora-mysql" })).toBe(true);
    expect(pi({ engine: "mysql", instanceClass: "db.t4g.medium", performanceInsights: { enabled: false } })).toBe(false);
  });

  it("a mistyped key, with did-you-mean", () => {
    const known = Object.keys(ConfigSchema.shape.database.shape).join(", ");
    expectRefused("unknown-key.yaml", [
      3,
      3,
      "readerz: 2",
      `database.readerz: expected a known key (${known}), found unknown key "readerz" (did you mean readers?)`,
    ]);
  });
});

describe("Redis", () => {
  itRefuses([
    [
      "automatic failover with one node",
      "redis-failover-one-node.yaml",
      [
        5,
        3,
        "automaticFailover: true",
        "cache.automaticFailover: expected false or unset with 1 node (automatic failover promotes a replica: it needs 2 nodes or more), found boolean true",
      ],
    ],
    [
      "Multi-AZ without automatic failover",
      "redis-multiaz-no-failover.yaml",
      [6, 3, "multiAz: true", "cache.multiAz: expected false or unset (Multi-AZ needs automatic failover), found boolean true"],
    ],
    [
      "protection.availability with one node",
      "redis-availability-one-node.yaml",
      [
        8,
        3,
        "nodes: 1",
        "cache.nodes: expected at least 2 nodes (protection.availability is true: a replica in another AZ takes over), found 1",
      ],
    ],
    [
      "a Redis version without IAM authentication",
      "redis-version.yaml",
      [
        4,
        3,
        'engineVersion: "6.2"',
        'cache.engineVersion: expected a Redis 7 version such as 7.1 (IAM authentication needs Redis 7), found "6.2"',
      ],
    ],
    [
      "cluster mode with automatic failover off (ElastiCache requires it)",
      "redis-cluster-no-failover.yaml",
      [
        5,
        3,
        "automaticFailover: false",
        "cache.automaticFailover: expected true or unset (ElastiCache requires automatic failover on a cluster-mode replication group), found boolean false",
      ],
    ],
    [
      "shards without cluster mode",
      "redis-shards-without-cluster.yaml",
      [5, 5, "shards: 3", "cache.clusterMode.shards: expected 1 or unset (without clusterMode.enabled the cache has one shard), found 3"],
    ],
    [
      "a shard count out of range",
      "redis-cluster-bad.yaml",
      [6, 5, "shards: 0", "cache.clusterMode.shards: expected 1 to 500 shards (node groups), found number 0"],
    ],
    [
      "Multi-AZ in cluster mode with no replica to fail over to",
      "redis-cluster-multiaz-one-node.yaml",
      [
        5,
        3,
        "multiAz: true",
        "cache.multiAz: expected false or unset with 1 node per shard (Multi-AZ needs a replica to fail over to), found boolean true",
      ],
    ],
    [
      "settings of a disabled cache are still checked",
      "redis-disabled-still-checked.yaml",
      [3, 3, "nodes: 9", "cache.nodes: expected 1 to 6 cache nodes (a primary and up to 5 replicas), found number 9"],
    ],
  ]);

  it("cluster mode turns automatic failover on; Multi-AZ follows when shards have replicas", () => {
    const one = envWith("dev", { cache: { enabled: true, nodes: 1, clusterMode: { enabled: true } } }).cache;
    const three = envWith("prod", { cache: { enabled: true, nodes: 3, clusterMode: { enabled: true } } }).cache;
    if (!one.enabled || !three.enabled) throw new Error("cache should be enabled");
    expect(resolveCache(one)).toEqual({ automaticFailover: true, multiAz: false });
    expect(resolveCache(three)).toEqual({ automaticFailover: true, multiAz: true });
    // Member cluster ids (the CacheClusterId of node metrics): shard and node numbers in cluster mode.
    expect(cacheMemberIds(three, "ims2-prod")).toEqual(["ims2-prod-0001-001", "ims2-prod-0001-002", "ims2-prod-0001-003"]);
    const two = envWith("prod", { cache: { enabled: true, nodes: 2 } }).cache;
    if (!two.enabled) throw new Error("cache should be enabled");
    expect(cacheMemberIds(two, "x-prod")).toEqual(["x-prod-001", "x-prod-002"]);
  });
});

it("reports every problem of a file at once, in file order", () => {
  expectRefused(
    "several.yaml",
    [
      4,
      3,
      'engineVersion: "13"',
      'database.engineVersion: expected PostgreSQL 15, 16 or 17 (a major such as 16, or major.minor such as 16.8) (engine postgres), found "13"',
    ],
    [
      5,
      3,
      "instanceClass: db.serverless",
      'database.instanceClass: expected an RDS instance class such as db.t4g.medium (db.serverless is Aurora only; engine postgres), found "db.serverless"',
    ],
    [6, 3, "readReplicas: -1", "database.readReplicas: expected 0 to 15 read replicas, found number -1"],
    [
      9,
      3,
      "nodeType: cache.t2.micro",
      'cache.nodeType: expected a node type of family t3, t4g, m5, m6g, m7g, r5, r6g, r7g (cache.<family>.<size>), found "cache.t2.micro"',
    ],
  );
});

describe("valid configurations and resolved defaults", () => {
  it("defaults follow the engine, the tier and protection", () => {
    const dev = resolveDatabase(envWith("dev", {}));
    expect(dev).toMatchObject({
      engine: "aurora-mysql",
      version: "8.0.mysql_aurora.3.08.2",
      family: "aurora-mysql8.0",
      port: 3306,
      instanceClass: "db.serverless",
      serverless: true,
      deletionProtection: false,
    });
    const pg = resolveDatabase(envWith("staging", { database: { engine: "postgres" } }));
    expect(pg).toMatchObject({
      version: "16",
      family: "postgres16",
      port: 5432,
      instanceClass: "db.t4g.medium",
      multiAz: true,
      logExports: ["postgresql", "upgrade"],
    });
    const prod = resolveDatabase(
      envWith("prod", { database: { engine: "aurora-postgresql", engineVersion: "17.4", instanceClass: "db.r7g.large" } }),
    );
    expect(prod).toMatchObject({ family: "aurora-postgresql17", serverless: false, deletionProtection: true });
  });

  it("a disabled cache carries only what other layers read; an enabled one gets the tier's nodes", () => {
    expect(envWith("prod", {}).cache).toEqual({ enabled: false, port: 6379 });
    const cache = envWith("prod", { cache: { enabled: true } }).cache;
    if (!cache.enabled) throw new Error("cache should be enabled");
    expect(cache).toMatchObject({ nodes: 3, snapshotRetentionDays: 7, engineVersion: "7.1" });
    expect(resolveCache(cache)).toEqual({ automaticFailover: true, multiAz: true });
  });

  it("windows overlap across midnight and the week's end", () => {
    expect(windowsOverlap("23:30-00:30", "mon:00:00-mon:01:00")).toBe(true);
    expect(windowsOverlap("23:30-00:30", "sun:23:50-mon:00:10")).toBe(true);
    expect(windowsOverlap("03:00-04:00", "sun:05:00-sun:06:00")).toBe(false);
    expect(windowsOverlap("05:00-06:00", "wed:05:59-wed:07:00")).toBe(true);
  });
});

describe("service credentials (services.<name>.database) and the user provisioner", () => {
  const { itRefuses } = fixtureChecks(DIR);
  const RESERVED = "root, admin, rdsadmin, rdsrepladmin, rds_superuser, rds_iam, rds_replication, postgres, mysql, public";

  itRefuses([
    [
      "the removed databaseCredentials (the master password injected at task start) is refused with what replaces it",
      "service-master-password.yaml",
      [
        5,
        5,
        "databaseCredentials: { username: DB_USERNAME, password: DB_PASSWORD }",
        "services.customers.databaseCredentials: expected services.customers.database instead (databaseCredentials injected the master password once at task start; it rotates and the tasks kept the old one. database gives the service its own IAM-authenticated user, or with auth: secret the secret's ARN to read at run time; see docs/layers/application.md), found a mapping with keys username, password",
      ],
    ],
    [
      "IAM authentication asked for while the database has it switched off",
      "service-iam-auth-off.yaml",
      [
        7,
        17,
        "auth: iam }",
        'services.customers.database.auth: expected secret, or database.iamAuthentication: true (IAM authentication is switched off on the database), found "iam"',
      ],
    ],
    [
      "the master user's name or an engine's own user as a service user",
      "service-user-reserved.yaml",
      [
        5,
        17,
        "user: platform_admin }",
        `services.customers.database.user: expected a user name other than the master user's and the engine's own (${RESERVED}), found "platform_admin"`,
      ],
      [
        8,
        17,
        "user: rdsadmin }",
        `services.vets.database.user: expected a user name other than the master user's and the engine's own (${RESERVED}), found "rdsadmin"`,
      ],
    ],
    [
      "two services sharing one database user (each task role may connect as its own user only)",
      "service-user-twice.yaml",
      [
        8,
        17,
        "user: petclinic }",
        'services.vets.database.user: expected a database user no other service uses, found "petclinic", also the user of customers',
      ],
    ],
    [
      "a user name the engines would need quoting for",
      "service-user-name.yaml",
      [
        5,
        17,
        "user: Customers-App }",
        'services.customers.database.user: expected a database user name: a lower-case letter, then up to 31 lower-case letters, digits or underscores, found "Customers-App"',
      ],
    ],
    [
      "a connection variable that another variable or the environment already sets",
      "service-variable-clash.yaml",
      [
        7,
        7,
        "variables: { port: DB_HOST }",
        "services.customers.database.variables.host: expected a variable name not also used by environment, found DB_HOST",
      ],
      [
        7,
        20,
        "port: DB_HOST }",
        "services.customers.database.variables.port: expected a variable name not also used by database.variables.host, found DB_HOST",
      ],
    ],
    [
      "a user with auth secret (the application signs in as the secret's user)",
      "service-secret-with-user.yaml",
      [
        5,
        31,
        "user: customers }",
        'services.customers.database.user: expected no user with auth: secret (the application signs in with the secret\'s user), found "customers"',
      ],
    ],
    [
      "IAM users whose provisioner could not reach Secrets Manager (no endpoint, no NAT)",
      "provisioner-no-way-to-secrets.yaml",
      [
        6,
        3,
        "interfaceEndpoints: [ecr.api, ecr.dkr, logs]",
        'network.interfaceEndpoints: expected a list with secretsmanager (services connect with IAM authentication: layer 03\'s user provisioner reads the master secret from the app subnets, which have no way to Secrets Manager here), or network.nat other than none with security.egress.internetHttps: true, found a list ["ecr.api","ecr.dkr","logs"]',
      ],
    ],
    [
      "a provisioner timeout too short to wait for the database",
      "provisioner-timeout.yaml",
      [
        4,
        5,
        "timeoutSeconds: 5",
        "database.userProvisioner.timeoutSeconds: expected 10 to 900 seconds (connecting to a resuming Serverless v2 cluster takes seconds), found number 5",
      ],
    ],
  ]);

  it("defaults: IAM auth when iamAuthentication is on, the service name as user (- as _), owner privileges, DB_* variables; secret auth otherwise", () => {
    const cfg = envWith("dev", { services: { "admin-server": { database: {} } } });
    expect(serviceDatabaseAccess(cfg, "admin-server", cfg.services["admin-server"])).toEqual({
      auth: "iam",
      user: "admin_server",
      privileges: "owner",
      variables: DEFAULT_DB_VARIABLES,
    });
    // The GenAI function's user needs IAM authentication too (genai.database): without it, no function user.
    const off = envWith("dev", { database: { iamAuthentication: false }, genai: { database: null } });
    expect(serviceDatabaseAccess(off, "customers", off.services.customers)).toMatchObject({ auth: "secret", user: undefined });
    expect(iamDatabaseUsers(off)).toEqual([]);
    expect(off.database.userProvisioner).toEqual({ memoryMb: 256, timeoutSeconds: 120 });
  });
});
