/**
 * The apiGateway section (layer 08): defaults, and bad input refused before anything is written,
 * one line per problem: `file:line:col key.path: expected ..., found ...`.
 * Fixtures are in __tests__/fixtures/config/api-gateway/; each extends ../_base.yaml (a valid dev
 * environment: internet-facing HTTP-only load balancer) and changes one thing, and says in its
 * header (`# refused: <test name>`, then one `# line:col `text` problem` line each) what it must be
 * refused with; the checks (config-fixtures.ts) also make sure the line and column really hold the
 * offending key or value in the fixture.
 */
import { fixtureChecks } from "./config-fixtures";
import { apiStageName, resolveApiBackend } from "../layers/08-api-gateway/config";
import { env, envWith } from "./helpers";

const DIR = "__tests__/fixtures/config/api-gateway";

const { load, itRefusesFixtures } = fixtureChecks(DIR);

describe("defaults", () => {
  it("a REST API named after the environment's stage, throttled at 1000 / 2000, no CORS, ERROR logging, the account role managed", () => {
    const cfg = load("../valid.yaml");
    expect(cfg.apiGateway).toEqual({
      type: "rest",
      throttle: { rateLimit: 1000, burstLimit: 2000 },
      cors: {
        allowOrigins: [],
        allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        allowHeaders: ["Content-Type", "Authorization", "X-Api-Key", "X-Amz-Date", "X-Amz-Security-Token"],
        maxAgeSeconds: 600,
        allowCredentials: false,
      },
      logging: { level: "ERROR", dataTrace: false },
      backendBasePath: "/api",
      manageAccountLoggingRole: true,
    });
    expect(apiStageName(cfg)).toBe("dev");
  });

  it("the backend follows application.alb: internal through the VPC link, http when HTTP-only, https by backendHost with a certificate", () => {
    expect(resolveApiBackend(env("dev"))).toEqual({ path: "vpc-link", protocol: "http", host: undefined, basePath: "/api" });
    expect(resolveApiBackend(env("prod"))).toEqual({
      path: "vpc-link",
      protocol: "https",
      host: "alb.prod.petclinic.example.com",
      basePath: "/api",
    });
    const internet = envWith("dev", {
      application: { alb: { internal: false, networkLoadBalancer: false } },
      security: { alb: { ingressCidrs: ["0.0.0.0/0"] } },
    });
    expect(resolveApiBackend(internet).path).toBe("internet");
  });

  it("accepts an HTTP API on the $default stage, several origins, and a usage plan on REST", () => {
    expect(apiStageName(envWith("dev", { apiGateway: { type: "http", stageName: "$default" } }))).toBe("$default");
    const cors = envWith("dev", {
      apiGateway: { cors: { allowOrigins: ["https://app.example.com", "http://localhost:4200"], allowCredentials: true } },
    });
    expect(cors.apiGateway.cors.allowOrigins).toHaveLength(2);
    const plan = envWith("dev", { apiGateway: { usagePlan: { apiKeys: ["partner"] } } });
    expect(plan.apiGateway.usagePlan).toEqual({ enabled: true, apiKeys: ["partner"] });
  });

  it("a disabled api-gateway layer is not checked", () => {
    expect(() =>
      envWith("dev", { layers: { "api-gateway": { enabled: false } }, apiGateway: { throttle: { rateLimit: 500, burstLimit: 1 } } }),
    ).not.toThrow();
  });
});

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
});
