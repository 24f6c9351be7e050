/**
 * The `native` section (layer 09): defaults per tier, names and grants computed from the config,
 * the helpers the rules use, and bad input refused in the kit's format, one line per problem:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Fixtures are in __tests__/fixtures/config/native/ and extend ../_base.yaml (a valid dev
 * environment with the service customers), each changing one thing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fixtureChecks, ROOT } from "./config-fixtures";
import {
  federatedProviders,
  bucketNameProblem,
  isAppUrl,
  nativeGrants,
  nativeHasResources,
  nativeNames,
  requiredVariables,
  subscriptionId,
  templateFileProblem,
} from "../layers/09-native/config";
import { env, envWith, ENVIRONMENTS } from "./helpers";
import { expandTemplateFile } from "../layers/09-native/template-layout";

const DIR = "__tests__/fixtures/config/native";
const { load, itRefusesFixtures } = fixtureChecks(DIR);

describe("defaults", () => {
  it.each(ENVIRONMENTS)("%s: the default system configures no native resource; versions kept by tier", (name) => {
    const cfg = env(name);
    expect(cfg.native).toEqual({
      versionRetentionDays: { dev: 30, staging: 90, prod: 365 }[cfg.tier],
      buckets: {},
      queues: {},
      topics: {},
      parameterReaders: [],
    });
    expect(nativeHasResources(cfg.native)).toBe(false);
    expect(nativeGrants(cfg)).toEqual([]);
  });

  it("fills every default of a configured resource", () => {
    const cfg = load("valid.yaml");
    expect(cfg.native.queues.jobs).toEqual({
      fifo: false,
      contentBasedDeduplication: false,
      visibilityTimeoutSeconds: 120,
      retentionSeconds: 345600,
      delaySeconds: 0,
      receiveWaitSeconds: 20,
      deadLetter: { maxReceiveCount: 5, retentionSeconds: 1209600 },
      trigger: { function: "mailer", batchSize: 10, maxBatchingWindowSeconds: 0 },
      access: { consume: [], produce: [] },
    });
    expect(cfg.native.buckets.media).toMatchObject({
      purpose: "media",
      versioned: true,
      cors: {
        allowedMethods: ["GET", "PUT", "HEAD"],
        allowedHeaders: ["Content-Type", "Content-MD5", "x-amz-*"],
        exposeHeaders: ["ETag"],
        maxAgeSeconds: 3000,
      },
    });
    expect(cfg.native.ses).toMatchObject({
      mailFromSubdomain: "mail",
      configurationSet: { tlsRequired: true, reputationMetrics: true, suppressedReasons: ["BOUNCE", "COMPLAINT"] },
      senders: [],
    });
    expect(cfg.native.cognito).toMatchObject({
      mfa: "optional",
      advancedSecurity: "OFF",
      password: { minLength: 12, requireSymbols: true, temporaryPasswordValidityDays: 7 },
      client: {
        scopes: ["openid", "email", "profile"],
        accessTokenMinutes: 60,
        idTokenMinutes: 60,
        refreshTokenDays: 30,
        refreshTokenRotation: false,
        logoutUrls: [],
      },
      postConfirmation: { queue: "jobs", timeoutSeconds: 5, memoryMb: 256, runtime: "nodejs22.x" },
    });
  });

  it("a file overrides the tier's version retention, and a bucket overrides the section", () => {
    const cfg = envWith("prod", { native: { versionRetentionDays: 730, buckets: { docs: { noncurrentVersionExpirationDays: 7 } } } });
    expect(cfg.native.versionRetentionDays).toBe(730);
    expect(cfg.native.buckets.docs.noncurrentVersionExpirationDays).toBe(7);
  });
});

describe("names", () => {
  it("follow <project>-<environment>-<name>, buckets with the account, from the config alone", () => {
    const names = nativeNames(load("valid.yaml"));
    expect(names.buckets).toEqual({ documents: "petclinic-dev-documents-111111111111", media: "petclinic-dev-media-111111111111" });
    expect(names.queues).toEqual({ jobs: { queue: "petclinic-dev-jobs", deadLetter: "petclinic-dev-jobs-dlq" } });
    expect(names.topics).toEqual({ mail: "petclinic-dev-mail" });
    expect(names.ses).toEqual({
      configurationSet: "petclinic-dev",
      mailFromDomain: "mail.example.com",
      fromAddress: "no-reply@example.com",
      templates: { otp: "petclinic-dev-otp" },
    });
    expect(names.userPool).toEqual({
      pool: "petclinic-dev",
      client: "petclinic-dev-spa",
      domainPrefix: "petclinic-dev",
      domain: "petclinic-dev.auth.us-west-2.amazoncognito.com",
    });
    expect(names.functions).toEqual({ mailer: "petclinic-dev-mailer", "post-confirmation": "petclinic-dev-post-confirmation" });
    expect(names.parameterRoot).toBe("/petclinic/dev/native");
  });

  it("FIFO queues and their dead-letter queues end in .fifo and fit 80 characters", () => {
    const cfg = envWith("dev", { native: { queues: { orders: { fifo: true }, ["x".repeat(32)]: { fifo: true } } } });
    const names = nativeNames(cfg).queues;
    expect(names.orders).toEqual({ queue: "petclinic-dev-orders.fifo", deadLetter: "petclinic-dev-orders-dlq.fifo" });
    for (const q of Object.values(names)) for (const n of [q.queue, q.deadLetter]) expect(n.length).toBeLessThanOrEqual(80);
  });

  it("an explicit bucket name wins; a computed one is fitted to 63 characters", () => {
    const cfg = envWith("dev", { native: { buckets: { docs: { bucketName: "acme-docs-eu" }, ["a".repeat(32)]: {} } } });
    const names = nativeNames(cfg).buckets;
    expect(names.docs).toBe("acme-docs-eu");
    expect(names["a".repeat(32)].length).toBeLessThanOrEqual(63);
    expect(bucketNameProblem(names["a".repeat(32)])).toBeUndefined();
  });

  it("subscriptions are named after their targets, never their positions", () => {
    expect(subscriptionId({ queue: "jobs", rawMessageDelivery: true, filterPolicyScope: "MessageAttributes" })).toBe("queue-jobs");
    expect(subscriptionId({ function: "mailer", rawMessageDelivery: false, filterPolicyScope: "MessageAttributes" })).toBe("mailer");
    expect(subscriptionId({ email: "Ops.Team@example.com", rawMessageDelivery: false, filterPolicyScope: "MessageAttributes" })).toBe(
      "email-ops-team-example-com",
    );
  });
});

describe("grants", () => {
  it("lists every grant with where it is written", () => {
    const cfg = envWith("dev", {
      native: {
        buckets: { docs: { access: { read: ["vets"], readWrite: ["customers"] } } },
        queues: { jobs: { access: { consume: ["visits"], produce: ["customers", "lambda:genai"] } } },
        parameterReaders: ["admin-server"],
      },
    });
    expect(nativeGrants(cfg).map((g) => `${g.principal} ${g.kind}:${g.resource} ${g.mode} @${g.path.join(".")}`)).toEqual([
      "vets bucket:docs read @native.buckets.docs.access.read.0",
      "customers bucket:docs readWrite @native.buckets.docs.access.readWrite.0",
      "visits queue:jobs consume @native.queues.jobs.access.consume.0",
      "customers queue:jobs produce @native.queues.jobs.access.produce.0",
      "lambda:genai queue:jobs produce @native.queues.jobs.access.produce.1",
      "admin-server parameters: read @native.parameterReaders.0",
    ]);
  });
});

describe("helpers", () => {
  it.each([
    ["petclinic-dev-documents-111111111111", undefined],
    ["ab", "2 characters (3 to 63 allowed)"],
    ["a".repeat(64), "64 characters (3 to 63 allowed)"],
    ["Docs", "upper-case letters"],
    ["docs_2024", 'the character "_"'],
    ["-docs", "a first or last character that is not a letter or digit"],
    ["192.168.1.10", "the form of an IP address"],
    ["xn--docs", "a prefix AWS reserves (xn--, sthree-, amzn-s3-demo-)"],
    ["docs-s3alias", "a suffix AWS reserves (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)"],
    ["docs.example.com", "dots (they break TLS for virtual-hosted and presigned URLs)"],
  ])("bucket name %j: %s", (name, why) => {
    expect(bucketNameProblem(name)).toBe(why);
  });

  it.each([
    ["https://app.example.com/callback", true],
    ["https://app.example.com", true],
    ["http://localhost:4200/callback", true],
    ["http://localhost", true],
    ["http://app.example.com/callback", false],
    ["http://127.0.0.1:4200/callback", false],
    ["https://app.example.com/#done", false],
    ["ftp://example.com", false],
    ["app.example.com/callback", false],
  ])("app URL %s: %s", (url, ok) => {
    expect(isAppUrl(url)).toBe(ok);
  });

  it("finds the data a template requires: placeholders outside blocks, first path segment", () => {
    expect(
      requiredVariables("Code {{code}}", "{{#if name}}Hi {{name}}{{else}}Hi{{/if}} {{{link}}} {{user.email}} {{! a comment }}"),
    ).toEqual(["code", "link", "user"]);
    expect(requiredVariables("{{#each items}}{{title}}{{/each}}{{total}}")).toEqual(["total"]);
    const otp = [expandTemplateFile(ROOT, "templates/email/otp.html"), fs.readFileSync(path.join(ROOT, "templates/email/otp.txt"), "utf8")];
    expect(requiredVariables("Your code: {{code}}", ...otp)).toEqual(["code"]);
  });

  it("checks template files relative to the repository root", () => {
    expect(templateFileProblem("templates/email/otp.html")).toBeUndefined();
    expect(templateFileProblem("templates/email/nope.html")).toBe("no such file");
    expect(templateFileProblem("templates/email")).toBe("templates/email is not a file");
  });
});

describe("valid input", () => {
  it("the valid fixture loads, and the rules are off while the layer is disabled", () => {
    expect(Object.keys(load("valid.yaml").native.buckets)).toEqual(["documents", "media"]);
    const off = envWith("dev", { layers: { native: { enabled: false } }, native: { buckets: { docs: { bucketName: "Not_Valid" } } } });
    expect(off.native.buckets.docs.bucketName).toBe("Not_Valid");
  });
});

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
});

describe("Cognito federation and the identity pool", () => {
  it("defaults: each provider's secret name, scopes and attribute mapping; no guests", () => {
    const cfg = load("federation-valid.yaml");
    expect(cfg.native.cognito!.federation).toEqual({
      google: { scopes: ["openid", "email", "profile"], attributeMapping: { email: "email", username: "sub", "custom:tenantId": "hd" } },
      facebook: {
        secretName: "shared/facebook-app",
        scopes: ["public_profile", "email"],
        attributeMapping: { email: "email", name: "name", username: "id" },
        apiVersion: "v19.0",
      },
      secretsVersion: "2026-01",
      memoryMb: 256,
      timeoutSeconds: 60,
    });
    expect(nativeNames(cfg).federation).toEqual({
      providers: { Google: "petclinic-dev/cognito/google", Facebook: "shared/facebook-app" },
      function: "petclinic-dev-identity-providers",
      role: "petclinic-dev-identity-providers-lambda",
    });
    expect(federatedProviders(cfg)).toEqual(["Google", "Facebook"]);
    expect(nativeNames(cfg).identityPool).toEqual({
      pool: "petclinic-dev",
      authenticatedRole: "petclinic-dev-identity-authenticated",
      unauthenticatedRole: "petclinic-dev-identity-unauthenticated",
    });
  });
});
