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
const { load, expectRefused, itRefuses } = fixtureChecks(DIR);

const BUCKET_EXPECTED =
  "an S3 bucket name AWS accepts: 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit";
const URL_EXPECTED = "an https URL such as https://app.example.com/callback (http only for http://localhost; no fragment)";

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

describe("bad input is refused in the kit's format", () => {
  itRefuses([
    [
      "an SQS visibility timeout shorter than the consuming function's timeout",
      "visibility-timeout.yaml",
      [
        5,
        7,
        "visibilityTimeoutSeconds: 30",
        "native.queues.emails.visibilityTimeoutSeconds: expected at least the consuming function's timeout (native.mailer.timeoutSeconds: 60 s; AWS advises six times it, 360 s), found number 30",
      ],
    ],
    [
      "bucket names AWS refuses (or that break TLS)",
      "bucket-name.yaml",
      [
        5,
        7,
        "bucketName: Petclinic_Documents",
        `native.buckets.documents.bucketName: expected ${BUCKET_EXPECTED}, found "Petclinic_Documents": upper-case letters`,
      ],
      [
        8,
        7,
        "bucketName: xn--petclinic-backups",
        `native.buckets.backups.bucketName: expected ${BUCKET_EXPECTED}, found "xn--petclinic-backups": a prefix AWS reserves (xn--, sthree-, amzn-s3-demo-)`,
      ],
      [
        10,
        7,
        "bucketName: reports.petclinic.example.com",
        `native.buckets.reports.bucketName: expected ${BUCKET_EXPECTED}, found "reports.petclinic.example.com": dots (they break TLS for virtual-hosted and presigned URLs)`,
      ],
    ],
    [
      "a Cognito callback URL that is not https outside localhost, a sign-out URL with a fragment",
      "callback-http.yaml",
      [
        7,
        11,
        "http://app.example.com/callback",
        `native.cognito.client.callbackUrls[1]: expected ${URL_EXPECTED}, found "http://app.example.com/callback"`,
      ],
      [
        8,
        46,
        '"https://app.example.com/#signed-out"]',
        `native.cognito.client.logoutUrls[1]: expected ${URL_EXPECTED}, found "https://app.example.com/#signed-out"`,
      ],
    ],
    [
      "an SES domain that is not a domain name",
      "ses-domain.yaml",
      [
        4,
        5,
        "domain: Example",
        'native.ses.domain: expected a lower-case domain name of two or more labels, such as example.com, found "Example"',
      ],
    ],
    [
      "an unknown service in a grant, with did-you-mean",
      "unknown-service.yaml",
      [
        6,
        21,
        "custmers]",
        'native.buckets.documents.access.readWrite[0]: expected an application service (customers, lambda:genai), found unknown service "custmers" (did you mean customers?)',
      ],
      [
        9,
        41,
        "billing] }",
        'native.queues.jobs.access.produce[1]: expected an application service (customers, lambda:genai), found unknown service "billing"',
      ],
    ],
    [
      "the GenAI function as a grantee while its layer is disabled",
      "genai-disabled.yaml",
      [
        7,
        24,
        "lambda:genai] }",
        'native.buckets.media.access.read[0]: expected an application service (layers.lambda-genai is disabled, so there is no GenAI function role), found "lambda:genai"',
      ],
    ],
    [
      "a template file that does not exist",
      "template-missing.yaml",
      [
        8,
        9,
        "html: templates/email/one-time-code.html",
        'native.ses.templates.otp.html: expected an existing, non-empty template file relative to the repository root, found "templates/email/one-time-code.html": no such file',
      ],
    ],
    [
      "a mistyped key, with did-you-mean",
      "unknown-key.yaml",
      [
        3,
        3,
        "bucket:",
        'native.bucket: expected a known key (versionRetentionDays, buckets, queues, topics, eventBus, ses, mailer, cognito, parameterReaders), found unknown key "bucket" (did you mean buckets?)',
      ],
    ],
    [
      "lifecycle transitions S3 refuses, an expiration before the last transition, a reserved rule id",
      "lifecycle.yaml",
      [
        8,
        17,
        "days: 7, storageClass: STANDARD_IA }",
        "native.buckets.documents.lifecycle.archive.transitions[0].days: expected at least 30 days before STANDARD_IA (S3's minimum for infrequent-access classes), found number 7",
      ],
      [
        9,
        17,
        "days: 20, storageClass: GLACIER }",
        "native.buckets.documents.lifecycle.archive.transitions[1].days: expected at least 37 days (objects stay 30 days in STANDARD_IA before moving on), found number 20",
      ],
      [
        10,
        28,
        "storageClass: GLACIER_IR }",
        'native.buckets.documents.lifecycle.archive.transitions[2].storageClass: expected a storage class after GLACIER in S3\'s lifecycle order (STANDARD_IA, INTELLIGENT_TIERING, ONEZONE_IA, GLACIER_IR, GLACIER, DEEP_ARCHIVE), found "GLACIER_IR"',
      ],
      [
        11,
        11,
        "expirationDays: 200",
        "native.buckets.documents.lifecycle.archive.expirationDays: expected more than 400 days (after the last transition), found number 200",
      ],
      [
        12,
        9,
        "abort-incomplete-uploads:",
        'native.buckets.documents.lifecycle.abort-incomplete-uploads: expected a rule id other than expire-noncurrent-versions, abort-incomplete-uploads, expire-objects (the bucket module uses them), found the id "abort-incomplete-uploads"',
      ],
    ],
    [
      "subscriptions: two targets at once, an unknown queue, a function not configured, raw delivery to e-mail",
      "subscriptions.yaml",
      [
        8,
        11,
        "{ queue: jobs, email: ops@example.com }",
        "native.topics.alerts.subscriptions[0]: expected exactly one of queue, function, email, found queue and email",
      ],
      [
        9,
        13,
        "queue: job }",
        'native.topics.alerts.subscriptions[1].queue: expected a queue of native.queues (jobs), found unknown queue "job" (did you mean jobs?)',
      ],
      [
        10,
        13,
        "function: mailer }",
        'native.topics.alerts.subscriptions[2].function: expected a configured function (native.mailer is not configured), found "mailer"',
      ],
      [
        11,
        37,
        "rawMessageDelivery: true }",
        "native.topics.alerts.subscriptions[3].rawMessageDelivery: expected false (raw delivery applies to queue subscriptions), found boolean true",
      ],
    ],
    [
      "queues: a dead-letter queue keeping messages shorter than its source, a name ending in -dlq, deduplication without FIFO",
      "queues.yaml",
      [
        6,
        21,
        "retentionSeconds: 86400 }",
        "native.queues.jobs.deadLetter.retentionSeconds: expected at least the queue's retention (1209600 s): a message keeps its original enqueue time in the dead-letter queue, found number 86400",
      ],
      [
        7,
        5,
        "jobs-dlq: {}",
        `native.queues.jobs-dlq: expected a queue name not ending in -dlq (each queue's dead-letter queue is <name>-dlq), found the queue "jobs-dlq"`,
      ],
      [
        9,
        7,
        "contentBasedDeduplication: true",
        "native.queues.orders.contentBasedDeduplication: expected false (content-based deduplication is for FIFO queues; set fifo: true), found boolean true",
      ],
    ],
    [
      "event rules: an empty pattern, an unknown topic, a target twice",
      "event-rule.yaml",
      [
        8,
        9,
        "pattern: {}",
        "native.eventBus.rules.order-placed.pattern: expected an event pattern with at least one field, such as {source: [my.app]}, found an empty mapping",
      ],
      [
        9,
        38,
        "topic: alerts }, { queue: jobs }]",
        'native.eventBus.rules.order-placed.targets[1].topic: expected a topic of native.topics (none configured), found unknown topic "alerts"',
      ],
      [
        9,
        55,
        "{ queue: jobs }]",
        "native.eventBus.rules.order-placed.targets[2]: expected each target once per rule, found duplicate queue-jobs",
      ],
    ],
    [
      "a post-confirmation timeout above Cognito's 5 seconds",
      "post-confirmation.yaml",
      [
        9,
        7,
        "timeoutSeconds: 10",
        "native.cognito.postConfirmation.timeoutSeconds: expected a timeout in seconds (Cognito waits at most 5 s for a trigger): a whole number from 1 to 5, found number 10",
      ],
    ],
    [
      "a post-confirmation target and template that do not exist",
      "post-confirmation-target.yaml",
      [
        8,
        7,
        "topic: user",
        'native.cognito.postConfirmation.topic: expected a topic of native.topics (users), found unknown topic "user" (did you mean users?)',
      ],
      [
        9,
        7,
        "template: welcome",
        'native.cognito.postConfirmation.template: expected a template of native.ses.templates (none configured), found unknown template "welcome"',
      ],
    ],
    [
      "a mailer without SES, and that nothing invokes",
      "mailer-alone.yaml",
      [
        3,
        3,
        "mailer: {}",
        "native.mailer: expected native.ses to be configured too (the mailer sends through the SES identity), found a mailer without ses",
      ],
      [
        3,
        3,
        "mailer: {}",
        "native.mailer: expected a mailer that something invokes: a topic subscription {function: mailer} or a queue trigger {function: mailer}, found a mailer nothing invokes",
      ],
    ],
    [
      "a service named native (its parameter subtree would be the layer's)",
      "service-native.yaml",
      [
        4,
        3,
        "native: { port: 8081 }",
        'services.native: expected a service name other than native (the native layer publishes /<project>/<environment>/native/...), found the service "native"',
      ],
    ],
    [
      "several problems: one line each, in file order",
      "several.yaml",
      [
        5,
        7,
        "visibilityTimeoutSeconds: 50000",
        "native.queues.jobs.visibilityTimeoutSeconds: expected a visibility timeout in seconds: a whole number from 0 to 43200, found number 50000",
      ],
      [7, 5, "mfa: off", 'native.cognito.mfa: expected one of "optional", "required", found "off"'],
      [8, 30, "ftp://example.com] }", `native.cognito.client.callbackUrls[0]: expected ${URL_EXPECTED}, found "ftp://example.com"`],
    ],
  ]);

  it("template paths outside the repository", () => {
    const expected = "expected a file path relative to the repository root, such as templates/email/otp.html";
    expectRefused(
      "template-outside.yaml",
      [8, 9, "html: /etc/passwd", `native.ses.templates.otp.html: ${expected}, found "/etc/passwd"`],
      [9, 9, "text: ../outside.txt", `native.ses.templates.otp.text: ${expected}, found "../outside.txt"`],
    );
  });

  it("the valid fixture loads, and the rules are off while the layer is disabled", () => {
    expect(Object.keys(load("valid.yaml").native.buckets)).toEqual(["documents", "media"]);
    const off = envWith("dev", { layers: { native: { enabled: false } }, native: { buckets: { docs: { bucketName: "Not_Valid" } } } });
    expect(off.native.buckets.docs.bucketName).toBe("Not_Valid");
  });
});

describe("Cognito federation and the identity pool", () => {
  const ATTRIBUTE_KEY =
    "a user pool attribute: address, birthdate, email, email_verified, family_name, gender, given_name, locale, middle_name, name, nickname, phone_number, picture, preferred_username, profile, updated_at, website, zoneinfo, username, or custom:<name> of customAttributes";

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

  itRefuses([
    [
      "a secret name with a space, an attribute that is not a user pool attribute, a Graph API version without v",
      "federation-bad.yaml",
      [
        8,
        9,
        'secretName: "google secret"',
        'native.cognito.federation.google.secretName: expected a Secrets Manager secret name such as bsuite-prod/cognito/google (letters, digits and /_+=.@-), found "google secret"',
      ],
      [
        9,
        43,
        "nick: nickname }",
        `native.cognito.federation.google.attributeMapping.nick: expected a key that is ${ATTRIBUTE_KEY}, found the key "nick"`,
      ],
      [11, 9, 'apiVersion: "19"', 'native.cognito.federation.facebook.apiVersion: expected a Graph API version such as v19.0, found "19"'],
    ],
    [
      "no e-mail mapping, an immutable custom attribute, an unknown one (did-you-mean)",
      "federation-mapping.yaml",
      [
        10,
        9,
        `attributeMapping: { username: sub, "custom:tenantId": hd, "custom:tenant": hd }`,
        "native.cognito.federation.google.attributeMapping: expected a mapping of email (users sign in with their e-mail address), found no email mapping",
      ],
      [
        10,
        44,
        '"custom:tenantId": hd, "custom:tenant": hd }',
        "native.cognito.federation.google.attributeMapping.custom:tenantId: expected a mutable attribute (Cognito writes mapped attributes on every federated sign-in), found custom:tenantId, which is immutable",
      ],
      [
        10,
        67,
        '"custom:tenant": hd }',
        'native.cognito.federation.google.attributeMapping.custom:tenant: expected a custom attribute of native.cognito.customAttributes (tenantId), found "custom:tenant" (did you mean custom:tenantId?)',
      ],
    ],
    [
      "federation without a provider; an identity pool granting a bucket that does not exist",
      "federation-empty.yaml",
      [6, 5, "federation: {}", "native.cognito.federation: expected at least one provider: google or facebook, found no provider"],
      [
        9,
        20,
        "doc: readWrite }",
        'native.cognito.identityPool.authenticated.buckets.doc: expected a bucket of native.buckets (none configured), found unknown bucket "doc"',
      ],
    ],
    [
      "federation without NAT: the function cannot reach the Cognito API",
      "federation-no-nat.yaml",
      [
        5,
        3,
        "nat: none",
        'network.nat: expected a NAT gateway with security.egress.internetHttps (the identity provider function runs in the app subnets and calls the Cognito API), found "none"',
      ],
    ],
  ]);
});
