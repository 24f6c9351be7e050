/**
 * Bad application configuration (services.<name>, application, and the security.alb keys the load
 * balancer depends on) is refused before anything is written, one line per problem:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Fixtures are in __tests__/fixtures/config/application/; each extends ../_base.yaml (a valid dev
 * environment) and changes one thing; its header (`# refused: <test name>`, then one
 * `# line:col `text` problem` line each) says what it must be refused with, and the checks
 * (config-fixtures.ts) make sure the line and column hold the key.
 */
import { fixtureChecks } from "./config-fixtures";
import {
  albHttpOnly,
  DERIVED_PRIORITY_MIN,
  derivedPriority,
  hasNetworkFront,
  PRIORITY_MAX,
  serviceDesiredCount,
  serviceImageTag,
  servicePaths,
  servicePriority,
  serviceCapacity,
} from "../layers/07-application/config";
import { FARGATE_CPU_UNITS, fargateMemoryText, isFargateSize } from "../modules/fargate-sizes";
import { DEFAULT_DB_VARIABLES, env, ENVIRONMENTS } from "./helpers";

const DIR = "__tests__/fixtures/config/application";

const { load, itRefusesFixtures } = fixtureChecks(DIR);

it("the fixtures' base is valid, and so is a fixture that sets every application key", () => {
  const cfg = load("valid.yaml");
  const customers = cfg.services.customers;
  expect(customers).toMatchObject({
    cpu: 512,
    memory: 2048,
    architecture: "ARM64",
    spotPercent: 50,
    minCount: 1,
    desiredCount: 2,
    maxCount: 6,
  });
  expect(customers.autoscaling).toEqual({
    cpuPercent: 60,
    memoryPercent: 75,
    requestsPerTarget: 500,
    scaleInCooldownSeconds: 300,
    scaleOutCooldownSeconds: 60,
  });
  expect(customers.database).toEqual({
    privileges: "owner",
    variables: DEFAULT_DB_VARIABLES,
  });
  expect(cfg.services.vets).toMatchObject({
    cpu: 256,
    memory: 512,
    architecture: "X86_64",
    minCount: 1,
    maxCount: 4,
    critical: true,
    writablePaths: ["/tmp"],
  });
  expect(cfg.services.vets.spotPercent).toBeUndefined();
  expect(cfg.application.alb).toMatchObject({ internal: false, https: true, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
});

describe("Fargate task sizes", () => {
  it("the table of pairs AWS accepts", () => {
    expect(FARGATE_CPU_UNITS).toEqual([256, 512, 1024, 2048, 4096, 8192, 16384]);
    const ok: [number, number][] = [
      [256, 512],
      [256, 2048],
      [512, 1024],
      [512, 4096],
      [1024, 2048],
      [1024, 8192],
      [2048, 16384],
      [4096, 30720],
      [8192, 16384],
      [8192, 61440],
      [16384, 122880],
    ];
    const bad: [number, number][] = [
      [256, 4096],
      [512, 512],
      [512, 1536],
      [1024, 9216],
      [4096, 31744],
      [8192, 18432],
      [16384, 36864],
      [300, 512],
    ];
    for (const [cpu, memory] of ok) expect([cpu, memory, isFargateSize(cpu, memory)]).toEqual([cpu, memory, true]);
    for (const [cpu, memory] of bad) expect([cpu, memory, isFargateSize(cpu, memory)]).toEqual([cpu, memory, false]);
    expect(fargateMemoryText(8192)).toBe("16384 to 61440 MiB in steps of 4096");
  });
});

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
});

describe("derived settings", () => {
  it("a derived priority depends on the name alone, in the derived range", () => {
    for (const name of ["customers", "vets", "visits", "admin-server", "x"]) {
      const p = derivedPriority(name);
      expect(p).toBeGreaterThanOrEqual(DERIVED_PRIORITY_MIN);
      expect(p).toBeLessThan(PRIORITY_MAX);
      expect(derivedPriority(name)).toBe(p);
    }
    expect(derivedPriority("customers")).not.toBe(derivedPriority("vets"));
  });

  it("defaults: /api/<service> paths, the application's image tag, desired = min", () => {
    const cfg = load("valid.yaml");
    const vets = cfg.services.vets;
    expect(servicePaths("vets", vets)).toEqual(["/api/vets", "/api/vets/*"]);
    expect(servicePriority("vets", vets)).toBe(derivedPriority("vets"));
    expect(serviceImageTag(cfg, vets)).toBe("1.0.0");
    expect(serviceImageTag(cfg, cfg.services.customers)).toBe("2.1.0");
    expect(serviceDesiredCount(vets)).toBe(1);
    expect(serviceDesiredCount(cfg.services.customers)).toBe(2);
  });

  it.each(ENVIRONMENTS)("the default system in %s: internal ALB behind the NLB, HTTPS unless dev", (name) => {
    const cfg = env(name);
    expect(cfg.application.alb.internal).toBe(true);
    expect(hasNetworkFront(cfg)).toBe(true);
    expect(cfg.security.alb.ingressCidrs).toEqual([]);
    expect(albHttpOnly(cfg)).toBe(!cfg.protection.data && !cfg.application.alb.certificateArn);
    expect(Object.keys(cfg.services)).toEqual(["customers", "vets", "visits", "admin-server"]);
    for (const svc of Object.values(cfg.services))
      expect(svc).toMatchObject({ cpu: 256, memory: 512, maxCount: 4, autoscaling: { cpuPercent: 70 } });
  });
});

describe("Fargate Spot by criticality (serviceCapacity)", () => {
  const svc = (cfg: ReturnType<typeof env>, over: Partial<ReturnType<typeof env>["services"][string]>) => ({
    ...Object.values(cfg.services)[0],
    ...over,
  });

  it("critical services (the default) stay on FARGATE in every tier", () => {
    for (const name of ENVIRONMENTS) {
      const cfg = env(name);
      for (const s of Object.values(cfg.services)) {
        expect(s.critical).toBe(true);
        expect(serviceCapacity(cfg, s)).toEqual({ spotPercent: 0, onDemandBase: 0, source: "critical" });
      }
    }
  });

  it("non-critical services: the tier's share, with minCount on FARGATE where availability is protected", () => {
    const dev = env("dev");
    expect(serviceCapacity(dev, svc(dev, { critical: false, minCount: 2 }))).toEqual({
      spotPercent: 100,
      onDemandBase: 0,
      source: "application.spot",
    });
    const staging = env("staging");
    expect(staging.protection.availability).toBe(true);
    expect(serviceCapacity(staging, svc(staging, { critical: false, minCount: 2 }))).toEqual({
      spotPercent: 100,
      onDemandBase: 2,
      source: "application.spot",
    });
    const prod = env("prod");
    expect(serviceCapacity(prod, svc(prod, { critical: false, minCount: 3 }))).toEqual({
      spotPercent: 50,
      onDemandBase: 3,
      source: "application.spot",
    });
    // An explicit share wins over critical; a critical service with minCount 0 still gets one on-demand task below 100 %.
    expect(serviceCapacity(dev, svc(dev, { critical: true, spotPercent: 40, minCount: 0 }))).toEqual({
      spotPercent: 40,
      onDemandBase: 1,
      source: "spotPercent",
    });
  });
});
