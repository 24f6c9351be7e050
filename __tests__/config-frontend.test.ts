/**
 * The frontend section (layer 11): defaults per tier, the values the layer resolves, and bad input
 * refused before anything is written, one line per problem: `file:line:col key.path: expected ..., found ...`.
 * Fixtures are in __tests__/fixtures/config/frontend/; each extends ../_base.yaml (a valid dev
 * environment) and changes one thing. `at()` checks that the line and column asserted really hold
 * the offending key or value in the fixture.
 */
import { fixtureChecks } from "./config-fixtures";
import { cspDirectives, DEFAULT_CSP, domainNames, originOf, resolveSpaRouting } from "../layers/11-frontend/config";
import { frontendContract } from "../layers/11-frontend/contract";
import { env, envWith, ENVIRONMENTS } from "./helpers";

const DIR = "__tests__/fixtures/config/frontend";

const { load, itRefusesFixtures } = fixtureChecks(DIR);

const REPO = "https://github.com/example/web-app";

describe("defaults", () => {
  it("s3-cloudfront with the kit's security headers; price class, access logs and WAF from the tier", () => {
    const cfg = load("../valid.yaml");
    expect(cfg.frontend).toEqual({
      hosting: "s3-cloudfront",
      securityHeaders: {
        contentSecurityPolicy: DEFAULT_CSP,
        hsts: { maxAgeSeconds: 63072000, includeSubdomains: true, preload: true },
        frameOptions: "DENY",
        referrerPolicy: "strict-origin-when-cross-origin",
      },
      cloudfront: {
        priceClass: "PriceClass_100",
        defaultRootObject: "index.html",
        errorCachingMinTtl: 10,
        bucketEncryption: "s3",
        accessLogs: { enabled: false, prefix: "cloudfront/", includeCookies: false },
        waf: { enabled: false },
      },
      amplify: { branch: "main", stage: "DEVELOPMENT", platform: "WEB", environmentVariables: {}, autoBuild: true },
    });
  });

  it.each([
    ["dev", "PriceClass_100", false, false, "DEVELOPMENT"],
    ["staging", "PriceClass_100", true, true, "BETA"],
    ["prod", "PriceClass_All", true, true, "PRODUCTION"],
  ] as const)("tier %s: %s, access logs %s, WAF %s, Amplify stage %s", (name, priceClass, logs, waf, stage) => {
    const { frontend } = env(name);
    expect(frontend.cloudfront.priceClass).toBe(priceClass);
    expect(frontend.cloudfront.accessLogs.enabled).toBe(logs);
    expect(frontend.cloudfront.waf.enabled).toBe(waf);
    expect(frontend.amplify.stage).toBe(stage);
  });

  it("the default CSP has only known directives, once each, and fits CloudFront's quota", () => {
    const names = cspDirectives(DEFAULT_CSP).map(([n]) => n);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain("frame-ancestors");
    expect(DEFAULT_CSP.length).toBeLessThanOrEqual(1783);
  });

  it("SPA routing: a viewer-request function with the API origin, error responses without it, or as configured", () => {
    for (const name of ENVIRONMENTS) expect(resolveSpaRouting(env(name))).toBe("viewer-request-function");
    expect(resolveSpaRouting(envWith("dev", { layers: { "api-gateway": { enabled: false } } }))).toBe("error-responses");
    expect(resolveSpaRouting(envWith("dev", { frontend: { cloudfront: { spaRouting: "error-responses" } } }))).toBe("error-responses");
  });

  it("PetClinic: S3 + CloudFront everywhere, prod under its own names", () => {
    for (const name of ENVIRONMENTS) expect(env(name).frontend.hosting).toBe("s3-cloudfront");
    expect(domainNames(env("dev"))).toEqual([]);
    expect(domainNames(env("prod"))).toEqual(["www.petclinic.example.com", "petclinic.example.com"]);
  });

  it("accepts amplify with a repository, and external with a URL the API allows", () => {
    const amplify = envWith("dev", {
      frontend: { hosting: "amplify", amplify: { repository: REPO, domain: { name: "example.com", prefix: "app" } } },
      apiGateway: { cors: { allowOrigins: ["https://app.example.com"] } },
    });
    expect(amplify.frontend.amplify).toMatchObject({ repository: REPO, branch: "main", domain: { name: "example.com", prefix: "app" } });
    const external = envWith("dev", {
      frontend: { hosting: "external", siteUrl: "https://ims.vercel.app/app" },
      apiGateway: { cors: { allowOrigins: ["https://ims.vercel.app"] } },
    });
    expect(external.frontend.siteUrl).toBe("https://ims.vercel.app/app");
    expect(originOf("https://ims.vercel.app/app")).toBe("https://ims.vercel.app");
    // Without the api-gateway layer there is no API to allow the site.
    expect(() =>
      envWith("dev", {
        layers: { "api-gateway": { enabled: false } },
        frontend: { hosting: "external", siteUrl: "https://ims.vercel.app" },
      }),
    ).not.toThrow();
  });

  it("a disabled frontend layer is not checked", () => {
    expect(() => envWith("dev", { layers: { frontend: { enabled: false } }, frontend: { hosting: "external" } })).not.toThrow();
  });

  it("the contract's mocks follow the hosting mode", () => {
    const mocks = (cfg: ReturnType<typeof env>) =>
      Object.fromEntries(Object.entries(frontendContract).map(([k, spec]) => [k, spec.mock(cfg)]));
    expect(mocks(env("prod"))).toMatchObject({
      hosting: "s3-cloudfront",
      bucket_name: "petclinic-prod-site-333333333333",
      site_url: "https://www.petclinic.example.com",
    });
    expect(mocks(env("dev")).site_url).toMatch(/^https:\/\/d[0-9a-f]{13}\.cloudfront\.net$/);
    const external = envWith("dev", {
      frontend: { hosting: "external", siteUrl: "https://ims.vercel.app" },
      apiGateway: { cors: { allowOrigins: ["https://ims.vercel.app"] } },
    });
    expect(mocks(external)).toEqual({
      hosting: "external",
      bucket_name: "",
      distribution_id: "",
      distribution_domain_name: "",
      site_url: "https://ims.vercel.app",
    });
  });
});

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
});
