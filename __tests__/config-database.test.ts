/**
 * Bad database and cache configuration is refused before anything is written, one line per
 * problem in the kit's format:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Fixtures are in __tests__/fixtures/config/database/; each extends ../_base.yaml (a valid dev
 * environment) and changes one thing, and its header (`# refused: <test name>`, then one
 * `# line:col `text` problem` line each) says what it must be refused with; the checks
 * (config-fixtures.ts) make sure the line and column asserted really hold the offending key.
 *
 * Fixtures that turn on protection.availability or the prod tier also wake rules of other layers'
 * sections (service task counts, HTTPS on the load balancer) that are not this suite's subject and
 * change as those layers grow. So each test asserts the exact list of problems on the keys this
 * section owns (database.*, cache.*, aws.azs where the database needs two AZs, a service's
 * database credentials services.<name>.database, and network.interfaceEndpoints where the user
 * provisioner needs them), and that the configuration is refused.
 */
import { ConfigSchema } from "../core/config/schema";
import { cacheMemberIds, resolveCache, resolveDatabase, windowsOverlap } from "../layers/03-database/config";
import { iamDatabaseUsers, serviceDatabaseAccess } from "../layers/07-application/config";
import { fixtureChecks } from "./config-fixtures";
import { DEFAULT_DB_VARIABLES, envWith } from "./helpers";

const DIR = "__tests__/fixtures/config/database";
const OWNED = /^(database|cache)(\.|\[|$)|^aws\.azs$|^services\.[^.]+\.database(Credentials)?(\.|$)|^network\.interfaceEndpoints$/;
const { refused, expectRefused, itRefusesFixtures } = fixtureChecks(DIR, { owned: OWNED });

describe("engine, version and instance class combinations", () => {
  it("read replicas of an RDS instance are accepted (the kit keeps and rotates the master secret)", () => {
    expect(envWith("prod", { database: { engine: "postgres", readReplicas: 2 } }).database.readReplicas).toBe(2);
  });
});

describe("values AWS refuses", () => {
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

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
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
