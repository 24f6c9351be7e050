/**
 * Bad application configuration (services.<name>, application, and the security.alb keys the load
 * balancer depends on) is refused before anything is written, one line per problem:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Fixtures are in __tests__/fixtures/config/application/; each extends ../_base.yaml (a valid dev
 * environment) and changes one thing. `at()` checks that the asserted line and column hold the key.
 */
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import { fixtureChecks, ROOT } from "./config-fixtures";
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

const { itRefuses } = fixtureChecks(DIR);

const LATEST =
  "expected a release tag, not latest (application.ecr.immutableTags is true: latest could be pushed only once and would never move)";

it("the fixtures' base is valid, and so is a fixture that sets every application key", () => {
  const cfg = loadConfigFile(path.join(DIR, "valid.yaml"), ROOT).config;
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
  itRefuses([
    [
      "a CPU/memory pair Fargate refuses, with the sizes it accepts",
      "fargate-pair.yaml",
      [
        6,
        5,
        "memory: 4096",
        "services.customers.memory: expected a memory size Fargate accepts with cpu 256 (512, 1024 or 2048 MiB), found number 4096",
      ],
    ],
    [
      "CPU units Fargate does not have",
      "fargate-cpu.yaml",
      [
        5,
        5,
        "cpu: 300",
        `services.customers.cpu: expected Fargate task CPU units (one of ${FARGATE_CPU_UNITS.join(", ")}), found number 300`,
      ],
    ],
  ]);

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

describe("task counts", () => {
  itRefuses([
    ["min above max", "min-over-max.yaml", [5, 5, "minCount: 5", "services.customers.minCount: expected at most maxCount (4), found 5"]],
    [
      "desired outside min..max",
      "desired-outside.yaml",
      [5, 5, "desiredCount: 9", "services.customers.desiredCount: expected a count between minCount and maxCount (1..4), found 9"],
    ],
    [
      "a Fargate Spot share above 100 %",
      "spot-share.yaml",
      [5, 5, "spotPercent: 120", "services.customers.spotPercent: expected a Fargate Spot share of 0 to 100 percent, found number 120"],
    ],
    [
      "a non-critical Spot share above 100 %",
      "spot-non-critical-share.yaml",
      [
        4,
        5,
        "nonCriticalPercent: 101",
        "application.spot.nonCriticalPercent: expected a Fargate Spot share of 0 to 100 percent, found number 101",
      ],
    ],
  ]);

  const BLUE_GREEN_SPOT =
    "expected no Fargate Spot on a blue-green service: CodeDeploy starts each release's task set with the AppSpec's capacity provider strategy, " +
    "not the service's, so the Spot share and on-demand base would hold only until the first deployment (set critical: true and no spotPercent, or deploy it rolling)";

  itRefuses([
    [
      "a blue-green service marked non-critical (Spot from application.spot)",
      "spot-blue-green.yaml",
      [6, 5, "critical: false", `services.customers.critical: ${BLUE_GREEN_SPOT}, found false (application.spot.nonCriticalPercent 100)`],
    ],
    [
      "a blue-green service with an explicit Spot share",
      "spot-blue-green-explicit.yaml",
      [6, 5, "spotPercent: 30", `services.customers.spotPercent: ${BLUE_GREEN_SPOT}, found 30`],
    ],
  ]);
});

describe("service shape", () => {
  itRefuses([
    [
      "a service name that is not DNS-safe",
      "service-name.yaml",
      [
        3,
        3,
        "vets.v2: { port: 8080 }",
        'services.vets.v2: expected a key that is a DNS-safe service name (a-z, 0-9, -; 2-32 characters), found the key "vets.v2"',
      ],
    ],
    [
      "a service name the layer reserves",
      "reserved-name.yaml",
      [
        3,
        3,
        "nlb: { port: 8080 }",
        'services.nlb: expected a service name other than nlb (the application layer\'s own target group uses <project>-<env>-nlb), found the service name "nlb"',
      ],
    ],
    [
      "a CPU architecture ECS does not know, with did-you-mean",
      "architecture.yaml",
      [
        5,
        5,
        "architecture: arm64",
        'services.customers.architecture: expected one of "X86_64", "ARM64", found "arm64" (did you mean ARM64?)',
      ],
    ],
    [
      "a health check path that does not start with /",
      "health-path.yaml",
      [
        5,
        20,
        "path: actuator/health }",
        'services.customers.healthCheck.path: expected an HTTP path starting with / (such as /actuator/health), found "actuator/health"',
      ],
    ],
    [
      "root as the container user",
      "root-user.yaml",
      [5, 5, "user: root", 'services.customers.user: expected a non-root user (omit user to run as the image\'s own USER), found "root"'],
    ],
  ]);
});

describe("images", () => {
  itRefuses([
    [
      "latest, with immutable tags (the default)",
      "latest-tag.yaml",
      [5, 14, "tag: latest }", `services.customers.image.tag: ${LATEST}, found "latest"`],
    ],
    [
      "a tag and an external URI at once",
      "image-both.yaml",
      [
        7,
        7,
        "uri: public.ecr.aws/docker/library/nginx:1.27",
        'services.customers.image.uri: expected either image.tag (the service\'s ECR repository) or image.uri, not both, found "public.ecr.aws/docker/library/nginx:1.27"',
      ],
    ],
  ]);
});

describe("routing", () => {
  itRefuses([
    [
      "a path pattern two services route",
      "duplicate-path.yaml",
      [
        8,
        26,
        "/api/owners/*]",
        'services.vets.paths[1]: expected a path pattern no other service routes, found "/api/owners/*", also routed to customers',
      ],
    ],
    [
      "a listener rule priority two services use",
      "duplicate-priority.yaml",
      [
        8,
        5,
        "priority: 100",
        "services.vets.priority: expected a listener rule priority no other service uses, found 100, also the priority of customers",
      ],
    ],
    [
      "a general pattern evaluated before a more specific one",
      "overlapping-paths.yaml",
      [
        6,
        5,
        "priority: 200",
        'services.customers.priority: expected a priority below 100 of gateway (its path "/api/*" also matches "/api/customers/*"; the load balancer evaluates lower priorities first; set both priorities explicitly), found 200',
      ],
    ],
    [
      "more path patterns than one listener rule takes",
      "too-many-paths.yaml",
      [
        5,
        5,
        "paths: [/a, /b, /c, /d, /e, /f]",
        'services.customers.paths: expected at most 5 path patterns (one listener rule), found a list ["/a","/b","/c","/d","/e","/f"]',
      ],
    ],
  ]);
});

describe("variables and secrets", () => {
  itRefuses([
    [
      "a secret-looking variable in plain text",
      "secret-in-environment.yaml",
      [
        7,
        7,
        "DB_PASSWORD: hunter2",
        "services.customers.environment.DB_PASSWORD: expected no secret in plain text (a variable named like a secret belongs under services.customers.secrets, read from Parameter Store at task start), found the variable DB_PASSWORD",
      ],
    ],
    [
      "a parameter the parameters layer does not write",
      "unknown-parameter.yaml",
      [
        5,
        16,
        "API_KEY: customers/api-key }",
        'services.customers.secrets.API_KEY: expected a parameter the parameters layer writes below /petclinic/dev/ (customers/server/port), found "customers/api-key"',
      ],
    ],
    [
      "database access without the database layer",
      "credentials-without-database.yaml",
      [
        7,
        5,
        "database: {}",
        "services.customers.database: expected no database (layers.database.enabled is false: there is no database to connect to), found an empty mapping",
      ],
    ],
  ]);
});

describe("load balancer", () => {
  itRefuses([
    [
      "HTTP only where data is protected (prod)",
      "prod-http-only.yaml",
      [
        5,
        3,
        "alb:",
        "application.alb.certificateArn: expected an ACM certificate ARN for the HTTPS listener (protection.data is true: data is encrypted in transit too; HTTP only, application.alb.https: false, is for environments that do not protect their data), found nothing (the key is missing)",
      ],
    ],
    [
      "a certificate of another region",
      "certificate-region.yaml",
      [
        4,
        5,
        "certificateArn: arn:aws:acm:us-east-1:111111111111:certificate/5b2c4f0e-8a4d-4c1e-9f3a-2d7e6b1a0c41",
        'application.alb.certificateArn: expected a certificate of us-west-2 (a load balancer uses certificates of its own region), found "arn:aws:acm:us-east-1:111111111111:certificate/5b2c4f0e-8a4d-4c1e-9f3a-2d7e6b1a0c41"',
      ],
    ],
    [
      "the serving port closed in security.alb.ports",
      "http-port-closed.yaml",
      [4, 5, "ports: [443]", "security.alb.ports: expected a list with 80 (the load balancer serves HTTP on 80), found a list [443]"],
    ],
    [
      "an internet-facing load balancer no client may reach",
      "internet-no-clients.yaml",
      [
        4,
        5,
        "ingressCidrs: []",
        "security.alb.ingressCidrs: expected at least one client CIDR block (application.alb.internal is false: an internet-facing load balancer that no client may reach serves nothing; set application.alb.internal: true for a private one reached through the API Gateway VPC link), found a list []",
      ],
    ],
    [
      "an internal load balancer open to 0.0.0.0/0",
      "internal-open.yaml",
      [
        4,
        20,
        "0.0.0.0/0]",
        'security.alb.ingressCidrs[0]: expected private client CIDR blocks or none (application.alb.internal is true: the load balancer is private and its front door, the API Gateway VPC link, is allowed by security group; 0.0.0.0/0 contradicts the private scheme), found "0.0.0.0/0"',
      ],
    ],
    [
      "the NLB front in front of an internet-facing ALB",
      "nlb-internet-facing.yaml",
      [
        4,
        5,
        "networkLoadBalancer: true",
        "application.alb.networkLoadBalancer: expected false, or application.alb.internal: true (the NLB fronts an internal load balancer for a REST API VPC link), found boolean true",
      ],
    ],
  ]);
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
    const cfg = loadConfigFile(path.join(DIR, "valid.yaml"), ROOT).config;
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
