/**
 * The frontend section (layer 11): defaults per tier, the values the layer resolves, and bad input
 * refused before anything is written, one line per problem: `file:line:col key.path: expected ..., found ...`.
 * Fixtures are in __tests__/fixtures/config/frontend/; each extends ../_base.yaml (a valid dev
 * environment) and changes one thing. `at()` checks that the line and column asserted really hold
 * the offending key or value in the fixture.
 */
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import { fixtureChecks, ROOT } from "./config-fixtures";
import { cspDirectives, DEFAULT_CSP, domainNames, originOf, resolveSpaRouting } from "../layers/11-frontend/config";
import { frontendContract } from "../layers/11-frontend/contract";
import { env, envWith, ENVIRONMENTS } from "./helpers";

const DIR = "__tests__/fixtures/config/frontend";

const { expectRefused, itRefuses } = fixtureChecks(DIR);

const REPO = "https://github.com/example/web-app";
const EXTERNAL_NO_URL =
  "frontend.siteUrl: expected the site's https URL, such as https://app.example.com (frontend.hosting is external: the layer cannot know it), found nothing (the key is missing)";

describe("defaults", () => {
  it("s3-cloudfront with the kit's security headers; price class, access logs and WAF from the tier", () => {
    const cfg = loadConfigFile(path.join(DIR, "../valid.yaml"), ROOT).config;
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

describe("custom domain", () => {
  itRefuses([
    [
      "without a hosted zone id",
      "domain-no-zone.yaml",
      [
        3,
        3,
        "domain:",
        "frontend.domain.hostedZoneId: expected a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ, found nothing (the key is missing)",
      ],
    ],
    [
      "an invalid domain name",
      "domain-invalid.yaml",
      [
        4,
        5,
        "name: www_example.com",
        'frontend.domain.name: expected a lower-case DNS name of two or more labels, such as www.example.com, found "www_example.com"',
      ],
    ],
    [
      "an alias repeating the name",
      "alias-duplicate.yaml",
      [5, 28, "www.example.com]", 'frontend.domain.aliases[1]: expected an alias other than domain.name, found "www.example.com"'],
    ],
    [
      "a certificate outside us-east-1",
      "certificate-region.yaml",
      [
        6,
        5,
        "certificateArn: arn:aws:acm:us-west-2:111111111111:certificate/0f6b3c2a-1d4e-4a5b-9c8d-7e6f5a4b3c2d",
        "frontend.domain.certificateArn: expected a certificate in us-east-1 (CloudFront uses certificates of us-east-1 only), found a certificate in us-west-2",
      ],
    ],
    [
      "a CloudFront domain with another hosting mode",
      "domain-with-amplify.yaml",
      [6, 3, "domain:", "frontend.domain: expected no frontend.domain with hosting amplify (use frontend.amplify.domain), found a domain"],
    ],
  ]);
});

describe("CloudFront", () => {
  itRefuses([
    [
      "an unknown price class, with a suggestion",
      "price-class.yaml",
      [
        4,
        5,
        "priceClass: PriceClass_300",
        'frontend.cloudfront.priceClass: expected one of "PriceClass_100", "PriceClass_200", "PriceClass_All", found "PriceClass_300" (did you mean PriceClass_100?)',
      ],
    ],
    [
      "a site URL where the layer makes its own",
      "site-url-with-cloudfront.yaml",
      [
        3,
        3,
        "siteUrl: https://www.example.com",
        'frontend.siteUrl: expected no siteUrl (frontend.hosting is s3-cloudfront: the layer publishes the URL it creates), found "https://www.example.com"',
      ],
    ],
    [
      "a mistyped key, with a suggestion",
      "unknown-key.yaml",
      [
        3,
        3,
        "hostng: amplify",
        'frontend.hostng: expected a known key (hosting, siteUrl, domain, securityHeaders, cloudfront, amplify), found unknown key "hostng" (did you mean hosting?)',
      ],
    ],
  ]);
});

describe("security headers", () => {
  itRefuses([
    [
      "a CSP with an unknown directive",
      "csp-unknown-directive.yaml",
      [
        4,
        5,
        "contentSecurityPolicy: \"default-src 'self'; scirpt-src 'self'\"",
        "frontend.securityHeaders.contentSecurityPolicy: expected a Content-Security-Policy of known directives separated by semicolons, such as default-src 'self'; img-src 'self' data:, " +
          'found unknown directive "scirpt-src"',
      ],
    ],
    [
      "a CSP over several lines",
      "csp-two-lines.yaml",
      [
        4,
        5,
        "contentSecurityPolicy: |",
        "frontend.securityHeaders.contentSecurityPolicy: expected a Content-Security-Policy of at most 1783 characters on one line (CloudFront's limit), " +
          "found \"default-src 'self';\\nscript-src 'self'\\n\"",
      ],
    ],
    [
      "HSTS preload with a max-age the preload list refuses",
      "hsts-preload-short.yaml",
      [
        4,
        5,
        "hsts: { maxAgeSeconds: 300 }",
        "frontend.securityHeaders.hsts.preload: expected false, or includeSubdomains true and maxAgeSeconds of at least 31536000 (what the HSTS preload list requires), " +
          "found preload with includeSubdomains true and maxAgeSeconds 300",
      ],
    ],
  ]);
});

describe("amplify", () => {
  itRefuses([
    [
      "without a repository",
      "amplify-no-repository.yaml",
      [
        4,
        3,
        "amplify:",
        "frontend.amplify.repository: expected a repository URL such as https://github.com/example/web-app (frontend.hosting is amplify: the app builds the site from it), " +
          "found nothing (the key is missing)",
      ],
    ],
    [
      "a secret among the build variables",
      "amplify-secret-variable.yaml",
      [
        7,
        7,
        "VITE_API_TOKEN: abc123",
        "frontend.amplify.environmentVariables.VITE_API_TOKEN: expected no secret (build variables are readable in the console and in Terraform state, and usually end up in the site's JavaScript), " +
          "found a variable named VITE_API_TOKEN",
      ],
    ],
    [
      "a build spec Amplify does not run",
      "amplify-build-spec.yaml",
      [
        6,
        5,
        "buildSpec: |",
        "frontend.amplify.buildSpec: expected an Amplify build spec: YAML with version: 1 and a frontend (or applications) section, found version 2",
      ],
    ],
  ]);
});

describe("external", () => {
  itRefuses([
    ["without the site URL", "external-no-url.yaml", [2, 1, "frontend:", EXTERNAL_NO_URL]],
    [
      "a site URL the API does not allow (CORS)",
      "external-cors.yaml",
      [
        3,
        11,
        'allowOrigins: ["http://localhost:3000"] }',
        "apiGateway.cors.allowOrigins: expected a list that includes https://ims.vercel.app (frontend.siteUrl: browsers on that origin call the API cross-origin), " +
          'found a list ["http://localhost:3000"]',
      ],
    ],
  ]);
});

it("reports every problem of a file at once, in file order", () => {
  expectRefused(
    "several.yaml",
    [2, 1, "frontend:", EXTERNAL_NO_URL],
    [
      4,
      3,
      "domain:",
      "frontend.domain: expected no frontend.domain with hosting external (the site's domain is configured where it is hosted), found a domain",
    ],
    [
      8,
      5,
      "contentSecurityPolicy: \"default-src 'self'; img-src 'self'; img-src data:\"",
      'frontend.securityHeaders.contentSecurityPolicy: expected each directive once (browsers ignore a repeated directive), found "img-src" twice',
    ],
  );
});
