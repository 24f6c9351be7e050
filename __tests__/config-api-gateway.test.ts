/**
 * The apiGateway section (layer 08): defaults, and bad input refused before anything is written,
 * one line per problem: `file:line:col key.path: expected ..., found ...`.
 * Fixtures are in __tests__/fixtures/config/api-gateway/; each extends ../_base.yaml (a valid dev
 * environment: internet-facing HTTP-only load balancer) and changes one thing. `at()` checks that
 * the line and column asserted really hold the offending key or value in the fixture.
 */
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import { fixtureChecks, ROOT } from "./config-fixtures";
import { apiStageName, resolveApiBackend } from "../layers/08-api-gateway/config";
import { env, envWith } from "./helpers";

const DIR = "__tests__/fixtures/config/api-gateway";

const { expectRefused, itRefuses } = fixtureChecks(DIR);

const ORIGIN = 'an origin such as https://app.example.com (scheme, lower-case host, optional port; no path or trailing slash) or "*"';
const CERT = "an ACM certificate ARN (arn:aws:acm:<region>:<12-digit account>:certificate/<uuid>)";
const STAGE = "a stage name of 1-128 letters, digits, hyphens and underscores (or $default for an HTTP API)";
const BURST = (rate: number) =>
  `a burst of at least throttle.rateLimit (${rate}): a smaller bucket cannot absorb even one second at the steady rate`;
const STAR_CREDENTIALS = 'listed origins, not "*", when cors.allowCredentials is true (browsers refuse credentials for a wildcard origin)';
const HTTP_USAGE_PLAN =
  "no usage plan with type http (HTTP APIs have no usage plans or API keys; use type rest, or remove apiGateway.usagePlan)";

describe("defaults", () => {
  it("a REST API named after the environment's stage, throttled at 1000 / 2000, no CORS, ERROR logging, the account role managed", () => {
    const cfg = loadConfigFile(path.join(DIR, "../valid.yaml"), ROOT).config;
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

describe("throttling", () => {
  it("a burst below the rate", () => {
    expectRefused("burst-below-rate.yaml", [5, 5, "burstLimit: 100", `apiGateway.throttle.burstLimit: expected ${BURST(500)}, found 100`]);
  });
});

describe("CORS", () => {
  itRefuses([
    [
      "an origin with a trailing slash (a path) is not an origin",
      "cors-origin-path.yaml",
      [4, 45, "https://admin.example.com/]", `apiGateway.cors.allowOrigins[1]: expected ${ORIGIN}, found "https://admin.example.com/"`],
    ],
    [
      "an origin without a scheme",
      "cors-origin-bare-host.yaml",
      [4, 20, "app.example.com]", `apiGateway.cors.allowOrigins[0]: expected ${ORIGIN}, found "app.example.com"`],
    ],
    [
      '"*" with credentials',
      "cors-star-credentials.yaml",
      [4, 20, '"*"]', `apiGateway.cors.allowOrigins[0]: expected ${STAR_CREDENTIALS}, found "*"`],
    ],
  ]);
});

describe("custom domain", () => {
  itRefuses([
    [
      "without a certificate ARN",
      "custom-domain-no-certificate.yaml",
      [3, 3, "customDomain:", `apiGateway.customDomain.certificateArn: expected ${CERT}, found nothing (the key is missing)`],
    ],
    [
      "a certificate ARN of another service (format)",
      "certificate-format.yaml",
      [
        5,
        5,
        "certificateArn: arn:aws:iam::111111111111:server-certificate/petclinic",
        `apiGateway.customDomain.certificateArn: expected ${CERT}, found "arn:aws:iam::111111111111:server-certificate/petclinic"`,
      ],
    ],
    [
      "a certificate in another region (us-east-1 is CloudFront's)",
      "certificate-other-region.yaml",
      [
        5,
        5,
        "certificateArn: arn:aws:acm:us-east-1:111111111111:certificate/0f6b3c2a-1d4e-4a5b-9c8d-7e6f5a4b3c2d",
        "apiGateway.customDomain.certificateArn: expected a certificate in us-west-2 (a regional API endpoint uses a certificate of its own region; us-east-1 certificates are for CloudFront), found a certificate in us-east-1",
      ],
    ],
    [
      "a certificate of another account",
      "certificate-other-account.yaml",
      [
        5,
        5,
        "certificateArn: arn:aws:acm:us-west-2:999999999999:certificate/0f6b3c2a-1d4e-4a5b-9c8d-7e6f5a4b3c2d",
        "apiGateway.customDomain.certificateArn: expected a certificate of the environment's account 111111111111, found a certificate of account 999999999999",
      ],
    ],
  ]);
});

describe("stage and type", () => {
  itRefuses([
    [
      "a stage name with characters AWS refuses",
      "stage-name.yaml",
      [3, 3, "stageName: dev.v1", `apiGateway.stageName: expected ${STAGE}, found "dev.v1"`],
    ],
    [
      "$default on a REST API",
      "rest-default-stage.yaml",
      [
        3,
        3,
        "stageName: $default",
        'apiGateway.stageName: expected a stage name of letters, digits, hyphens and underscores ($default exists for HTTP APIs only), found "$default"',
      ],
    ],
    [
      "a usage plan on an HTTP API",
      "http-usage-plan.yaml",
      [4, 3, "usagePlan:", `apiGateway.usagePlan: expected ${HTTP_USAGE_PLAN}, found a usage plan`],
    ],
    [
      "an unknown type, with the known ones",
      "bad-type.yaml",
      [3, 3, "type: graphql", 'apiGateway.type: expected one of "rest", "http", found "graphql"'],
    ],
    [
      "a mistyped key, with a suggestion",
      "unknown-key.yaml",
      [
        3,
        3,
        "throtle:",
        "apiGateway.throtle: expected a known key (type, stageName, throttle, cors, logging, customDomain, usagePlan, backendHost, backendProtocol, backendBasePath, manageAccountLoggingRole), " +
          'found unknown key "throtle" (did you mean throttle?)',
      ],
    ],
    [
      "an API with no route: both the application and lambda-genai layers disabled",
      "no-routes.yaml",
      [
        2,
        1,
        "layers:",
        "layers.api-gateway.enabled: expected false when both the application and lambda-genai layers are disabled (the API would have no route to deploy), found the api-gateway layer enabled",
      ],
    ],
  ]);
});

describe("the backend (application.alb)", () => {
  itRefuses([
    [
      "https to a load balancer with a certificate needs the name on the certificate",
      "https-without-host.yaml",
      [
        1,
        1,
        "extends: ../_base",
        "apiGateway.backendHost: expected a host name on the load balancer's certificate, such as alb.internal.example.com (the gateway calls the ALB over https and checks the certificate's name; " +
          "the ALB's own DNS name is on no certificate), found nothing (the key is missing)",
      ],
    ],
    [
      "https to an HTTP-only load balancer",
      "https-to-http-only.yaml",
      [
        3,
        3,
        "backendProtocol: https",
        'apiGateway.backendProtocol: expected http or no key (the load balancer serves HTTP only: application.alb has no certificate or httpOnly is true), found "https"',
      ],
    ],
    [
      "a REST API in front of an internal load balancer without the NLB its VPC link needs",
      "rest-internal-without-nlb.yaml",
      [
        6,
        3,
        "alb:",
        "application.alb.networkLoadBalancer: expected true (apiGateway.type is rest and the load balancer is internal: a REST API's VPC link targets a network load balancer), " +
          "found nothing (the key is missing) (or apiGateway.type: http, whose VPC link reaches the ALB listener directly)",
      ],
    ],
  ]);
});

it("several problems, one line each, in file order", () => {
  expectRefused(
    "several.yaml",
    [4, 30, "burstLimit: 10 }", `apiGateway.throttle.burstLimit: expected ${BURST(50)}, found 10`],
    [5, 26, '"*"], allowCredentials: true }', `apiGateway.cors.allowOrigins[0]: expected ${STAR_CREDENTIALS}, found "*"`],
    [6, 3, "usagePlan: { apiKeys: [partner] }", `apiGateway.usagePlan: expected ${HTTP_USAGE_PLAN}, found a usage plan`],
  );
});
