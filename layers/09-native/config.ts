/**
 * Configuration of layer 09 native: the AWS-native services the applications use directly.
 *
 *   native:
 *     buckets:  { <name>: {purpose, lifecycle, cors, access: {read, readWrite}} }
 *     queues:   { <name>: {visibilityTimeoutSeconds, retentionSeconds, deadLetter, trigger, access: {consume, produce}} }
 *     topics:   { <name>: {subscriptions: [{queue} | {function} | {email}], access: {publish}} }
 *     eventBus: { rules: { <name>: {pattern, targets: [{queue} | {topic}]} }, publishers }
 *     ses:      { domain, mailFromSubdomain, hostedZoneId, events, templates, senders }
 *     mailer:   the e-mail function (functions/mailer): SNS or SQS message -> SES templated e-mail
 *     cognito:  { mfa, password, client: {callbackUrls, logoutUrls}, postConfirmation }
 *
 * Every resource is keyed by a config name: the name is part of the AWS name, the Terraform
 * address, the Parameter Store path and the contract's map keys, so adding an entry renames nothing.
 * Access is granted by name to application services (their task roles from layer 02) or to the
 * GenAI function (`lambda:genai`).
 *
 * Template files (`ses.templates.<name>.html` / `.text`) are paths relative to the repository
 * root (the directory holding environments/ and templates/), never to the YAML file: the same
 * path then works from every file of an `extends` chain, and examples keep their templates under
 * examples/<system>/. They are read at synth and checked here (they must exist).
 *
 * The names the resources get (`nativeNames`) and every grant (`nativeGrants`) are computed here,
 * from the config alone, and shared by the rules, the layer and the contract's mocks.
 */
import * as path from "node:path";
import { z } from "zod";
import { Naming } from "../../core/naming";
import { didYouMean } from "../../core/config/errors";
import { functionFields, logRetention, matching, wholeNumberIn, wholeNumberOr } from "../../core/config/fields";
import type { PlatformConfig } from "../../core/config/types";
import type { KeyPath, Rule, SemanticIssue } from "../../core/config/types";
import { DNS_NAME_RE } from "../08-api-gateway/config";
import { GENAI_RUNTIMES } from "../06-lambda-genai/config";
import { TemplateLayoutError, expandTemplateFile, fileProblem } from "./template-layout";
import type { LayerConfig } from "../../core/layer-descriptor";
import { layerOn, whenLayerOn } from "../../core/config/layer-switch";

// -------------------------------------------------------------------------------------------------
// Constants

/** The repository root: template paths are relative to it. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** What a bucket holds (a tag and the description; no behaviour of its own). */
export const BUCKET_PURPOSES = ["documents", "media", "artifacts", "backups"] as const;

/** S3 storage classes a lifecycle rule may move objects to, in the order S3's lifecycle waterfall allows. */
export const STORAGE_CLASSES = ["STANDARD_IA", "INTELLIGENT_TIERING", "ONEZONE_IA", "GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"] as const;
/** Classes an object must have been stored for 30 days before entering (and 30 days in before leaving). */
const INFREQUENT_ACCESS = ["STANDARD_IA", "ONEZONE_IA"];

export const CORS_METHODS = ["GET", "PUT", "POST", "DELETE", "HEAD"] as const;

/** SES event types a configuration set can publish. */
export const SES_EVENT_TYPES = [
  "SEND",
  "REJECT",
  "BOUNCE",
  "COMPLAINT",
  "DELIVERY",
  "OPEN",
  "CLICK",
  "RENDERING_FAILURE",
  "DELIVERY_DELAY",
  "SUBSCRIPTION",
] as const;

/** Functions this layer owns that a topic or a queue can invoke. */
export const NATIVE_TRIGGER_FUNCTIONS = ["mailer"] as const;

/** The GenAI function's role (layer 02, with layer 06) as a grantee. */
export const GENAI_PRINCIPAL = "lambda:genai";

/** Lifecycle rule ids the bucket module uses itself. */
export const RESERVED_LIFECYCLE_IDS = ["expire-noncurrent-versions", "abort-incomplete-uploads", "expire-objects"];

/** Cognito refuses these words in a hosted UI domain prefix. */
const RESERVED_DOMAIN_WORDS = ["aws", "amazon", "cognito"];

/** Longest event pattern EventBridge accepts by default (2048; the quota can be raised to 4096). */
export const EVENT_PATTERN_MAX = 2048;

/** SES refuses templates larger than this (bytes, all parts together). */
export const SES_TEMPLATE_MAX_BYTES = 500 * 1024;

// -------------------------------------------------------------------------------------------------
// Fields

const NAME_RE = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
const NAME_ERROR = "a name of 2-32 lower-case letters, digits and hyphens, starting with a letter and not ending with a hyphen";
const name = matching(NAME_RE, NAME_ERROR);

const PRINCIPAL_RE = /^(lambda:genai|[a-z][a-z0-9-]{0,30}[a-z0-9])$/;
const PRINCIPAL_ERROR = `an application service name (a key of services) or ${GENAI_PRINCIPAL}`;
const principals = (what: string) =>
  z
    .array(matching(PRINCIPAL_RE, PRINCIPAL_ERROR), { error: `a list of services (or ${GENAI_PRINCIPAL})` })
    .default([])
    .describe(
      `${what} Names are keys of services (their ECS task roles, layer 02) or ${GENAI_PRINCIPAL} (the GenAI function's role). Default: none.`,
    );

export const EMAIL_RE = /^[A-Za-z0-9._%+-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
const EMAIL_ERROR = "an e-mail address such as ops@example.com (lower-case domain)";
const email = matching(EMAIL_RE, EMAIL_ERROR);

/** https://host[:port] or http://localhost[:port]: an origin browsers upload from. */
const BUCKET_ORIGIN_RE =
  /^(https:\/\/[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*|http:\/\/localhost)(?::\d{1,5})?$/;
const BUCKET_ORIGIN_ERROR = "an origin such as https://app.example.com (https, no path or trailing slash; http only for http://localhost)";

/** Cognito callback and sign-out URLs: https, or http on localhost only (Cognito's own rule); no fragment. */
export function isAppUrl(text: string): boolean {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return false;
  }
  if (url.hash || text.includes("#") || /\s/.test(text)) return false;
  if (url.protocol === "https:") return url.hostname.length > 0;
  return url.protocol === "http:" && url.hostname === "localhost";
}
const APP_URL_ERROR = "an https URL such as https://app.example.com/callback (http only for http://localhost; no fragment)";
const appUrl = z
  .string({ error: APP_URL_ERROR })
  .max(1024, { error: "a URL of at most 1024 characters" })
  .refine(isAppUrl, { error: APP_URL_ERROR });

/** A path relative to the repository root, inside it. */
const REPO_PATH_ERROR = "a file path relative to the repository root, such as templates/email/otp.html";
const repoPath = matching(/^(?!\/)(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9_./-]+$/, REPO_PATH_ERROR);

const jsonObject = (what: string) => z.record(z.string(), z.unknown(), { error: `${what} as a mapping (it is sent as JSON)` });

// -------------------------------------------------------------------------------------------------
// Buckets

const TransitionSchema = z.strictObject({
  days: wholeNumberIn(0, 36500, "days after creation").describe("Days after an object's creation (current version) before it moves."),
  storageClass: z.enum(STORAGE_CLASSES).describe("Storage class it moves to."),
});

const LifecycleRuleSchema = z
  .strictObject({
    prefix: z
      .string({ error: "a key prefix such as uploads/" })
      .max(1024, { error: "a key prefix of at most 1024 characters" })
      .optional()
      .describe("Objects the rule applies to. Default: the whole bucket."),
    transitions: z
      .array(TransitionSchema, { error: "a list of transitions" })
      .default([])
      .describe("Moves of current versions to cheaper storage classes, in order (days increasing). Default: none."),
    expirationDays: wholeNumberIn(1, 36500, "days after creation")
      .optional()
      .describe(
        "Days after creation before current versions expire (a delete marker replaces them; versions are kept as noncurrent). Default: never.",
      ),
    noncurrentExpirationDays: wholeNumberIn(1, 36500, "days after becoming noncurrent")
      .optional()
      .describe(
        "Days before noncurrent versions under the prefix are deleted. Default: the bucket's noncurrentVersionExpirationDays only.",
      ),
  })
  .describe("One lifecycle rule; its key is the rule id.");

const CorsSchema = z
  .strictObject({
    allowedOrigins: z
      .array(matching(BUCKET_ORIGIN_RE, BUCKET_ORIGIN_ERROR), { error: "a list of origins" })
      .min(1, { error: "at least one origin" })
      .max(20, { error: "at most 20 origins" })
      .describe("Browser origins that may upload and download with presigned URLs. Wildcards are not accepted."),
    allowedMethods: z
      .array(z.enum(CORS_METHODS))
      .min(1, { error: "at least one method" })
      .default(["GET", "PUT", "HEAD"])
      .describe("Methods allowed cross-origin. Default: GET, PUT, HEAD (presigned download and upload)."),
    allowedHeaders: z
      .array(
        z.string().regex(/^[A-Za-z0-9*-]{1,128}$/, { error: "a header name (letters, digits, hyphens; * as a wildcard within the name)" }),
      )
      .default(["Content-Type", "Content-MD5", "x-amz-*"])
      .describe("Request headers allowed cross-origin. Default: Content-Type, Content-MD5, x-amz-* (what presigned PUTs send)."),
    exposeHeaders: z
      .array(z.string().regex(/^[A-Za-z0-9-]{1,128}$/, { error: "a header name" }))
      .default(["ETag"])
      .describe("Response headers browsers may read. Default: ETag (multipart uploads need it)."),
    maxAgeSeconds: wholeNumberOr(0, 86400, "a preflight cache time in seconds", 3000).describe(
      "Seconds browsers cache a preflight answer. Default: 3000.",
    ),
  })
  .describe("CORS for browser uploads and downloads with presigned URLs. Omitted: no CORS (same-origin and server-side use only).");

const BucketSchema = z
  .strictObject({
    purpose: z
      .enum(BUCKET_PURPOSES)
      .default("documents")
      .describe("What the bucket holds: documents, media, artifacts or backups (tag Purpose). Default: documents."),
    bucketName: z
      .string({ error: "an S3 bucket name" })
      .optional()
      .describe("Explicit, globally unique bucket name. Default: <project>-<environment>-<name>-<account id> (fitted to 63 characters)."),
    versioned: z.boolean().default(true).describe("Keep object versions (recover overwritten and deleted objects). Default: true."),
    noncurrentVersionExpirationDays: wholeNumberIn(1, 36500, "days")
      .optional()
      .describe("Days noncurrent versions are kept. Default: native.versionRetentionDays."),
    lifecycle: z
      .record(
        z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, { error: "a rule id of 1-63 lower-case letters, digits and hyphens" }),
        LifecycleRuleSchema,
      )
      .default({})
      .describe(
        "Lifecycle rules by id (transitions, expiration, noncurrent expiration), added to the two every bucket has (noncurrent versions, stale multipart uploads). Default: none.",
      ),
    cors: CorsSchema.optional(),
    access: z
      .strictObject({
        read: principals("Who may list the bucket and read objects (s3:ListBucket, s3:GetObject; kms:Decrypt through S3)."),
        readWrite: principals("Who may also write and delete objects (s3:PutObject, s3:DeleteObject; kms:GenerateDataKey through S3)."),
      })
      .prefault({})
      .describe("Grants by name. Presigned URLs carry the permissions of whoever signs them: grant the service that signs."),
  })
  .describe("A private bucket: KMS (data key), versioned, TLS only, ACLs disabled, public access blocked.");

// -------------------------------------------------------------------------------------------------
// Queues

const QueueSchema = z
  .strictObject({
    fifo: z
      .boolean()
      .default(false)
      .describe(
        "A FIFO queue (exactly-once, ordered per message group); its name and its dead-letter queue's end in .fifo. Default: false.",
      ),
    contentBasedDeduplication: z.boolean().default(false).describe("FIFO only: deduplicate by a hash of the body. Default: false."),
    visibilityTimeoutSeconds: wholeNumberOr(0, 43200, "a visibility timeout in seconds", 30).describe(
      "Seconds a received message stays hidden from other consumers. At least the consuming function's timeout (AWS advises six times it). Default: 30.",
    ),
    retentionSeconds: wholeNumberOr(60, 1209600, "a retention in seconds", 345600).describe(
      "Seconds a message is kept (60 s to 14 days). Default: 345600 (4 days).",
    ),
    delaySeconds: wholeNumberOr(0, 900, "a delay in seconds", 0).describe("Seconds new messages stay invisible. Default: 0."),
    receiveWaitSeconds: wholeNumberOr(0, 20, "a long-polling wait in seconds", 20).describe(
      "Long polling: seconds ReceiveMessage waits for a message. Default: 20.",
    ),
    deadLetter: z
      .strictObject({
        maxReceiveCount: wholeNumberOr(1, 1000, "a receive count", 5).describe(
          "Receives before a message moves to the dead-letter queue. Default: 5.",
        ),
        retentionSeconds: wholeNumberOr(60, 1209600, "a retention in seconds", 1209600).describe(
          "Seconds the dead-letter queue keeps a message; at least the queue's own retention. Default: 1209600 (14 days, the maximum).",
        ),
      })
      .prefault({})
      .describe("The queue's dead-letter queue <queue>-dlq (same encryption, redrive allowed from this queue only)."),
    trigger: z
      .strictObject({
        function: z.enum(NATIVE_TRIGGER_FUNCTIONS).describe("Function of this layer that consumes the queue (mailer)."),
        batchSize: wholeNumberOr(1, 10000, "a batch size", 10).describe("Messages per invocation (FIFO: at most 10). Default: 10."),
        maxBatchingWindowSeconds: wholeNumberOr(0, 300, "a batching window in seconds", 0).describe(
          "Seconds to gather a batch (required above 10 messages). Default: 0.",
        ),
      })
      .optional()
      .describe(
        "A function of this layer consuming the queue (event source mapping with partial batch failures). Omitted: the applications consume it.",
      ),
    access: z
      .strictObject({
        consume: principals("Who may receive and delete messages (and decrypt them)."),
        produce: principals("Who may send messages (and encrypt them)."),
      })
      .prefault({})
      .describe("Grants by name."),
  })
  .describe("An encrypted queue (messaging key) with its dead-letter queue and a TLS-only policy.");

// -------------------------------------------------------------------------------------------------
// Topics

const SubscriptionSchema = z
  .strictObject({
    queue: name.optional().describe("A queue of native.queues (the queue policy lets this topic send)."),
    function: z.enum(NATIVE_TRIGGER_FUNCTIONS).optional().describe("A function of this layer (mailer), invoked through its live alias."),
    email: email.optional().describe("An e-mail address (the recipient must confirm the subscription)."),
    rawMessageDelivery: z.boolean().default(false).describe("SQS only: deliver the message body without the SNS envelope. Default: false."),
    filterPolicy: jsonObject("a filter policy")
      .optional()
      .describe("SNS filter policy: only matching messages are delivered. Default: all."),
    filterPolicyScope: z
      .enum(["MessageAttributes", "MessageBody"])
      .default("MessageAttributes")
      .describe("What the filter policy matches. Default: MessageAttributes."),
  })
  .describe("One subscription: exactly one of queue, function, email.");

const TopicSchema = z
  .strictObject({
    displayName: z
      .string()
      .max(100, { error: "a display name of at most 100 characters" })
      .optional()
      .describe("Sender name of e-mail notifications. Default: none."),
    subscriptions: z
      .array(SubscriptionSchema, { error: "a list of subscriptions" })
      .default([])
      .describe("Subscriptions, each named after its target (never its position). Default: none."),
    access: z
      .strictObject({ publish: principals("Who may publish (sns:Publish, and encrypt with the messaging key).") })
      .prefault({})
      .describe("Grants by name."),
  })
  .describe("An encrypted topic (messaging key) with a TLS-only policy.");

// -------------------------------------------------------------------------------------------------
// EventBridge

const TargetSchema = z
  .strictObject({
    queue: name.optional().describe("A queue of native.queues."),
    topic: name.optional().describe("A topic of native.topics."),
  })
  .describe("One target: exactly one of queue, topic.");

const EventRuleSchema = z
  .strictObject({
    description: z.string().max(512, { error: "a description of at most 512 characters" }).optional(),
    pattern: jsonObject("an event pattern").describe("EventBridge event pattern, e.g. {source: [ims.orders], detail-type: [OrderPlaced]}."),
    enabled: z.boolean().default(true).describe("Default: true."),
    targets: z
      .array(TargetSchema, { error: "a list of targets" })
      .min(1, { error: "at least one target" })
      .max(5, { error: "at most 5 targets (the EventBridge limit)" }),
  })
  .describe("A rule on the custom bus.");

const EventBusSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^(?!default$)(?!aws\.)[A-Za-z0-9._-]{1,256}$/, {
        error: "an event bus name of 1-256 letters, digits, . _ - (not default, not starting with aws.)",
      })
      .optional()
      .describe("Bus name. Default: <project>-<environment>."),
    publishers: principals("Who may put events on the bus (events:PutEvents)."),
    rules: z.record(name, EventRuleSchema).default({}).describe("Rules by name. Default: none."),
  })
  .describe("A custom EventBridge bus for the applications' events, with rules to queues and topics. Omitted: no bus.");

// -------------------------------------------------------------------------------------------------
// SES

const SesEventsSchema = z
  .strictObject({
    topic: name.optional().describe("A topic of native.topics receiving the events."),
    cloudwatch: z.boolean().default(false).describe("Publish counts as CloudWatch metrics, by the message tag `template`. Default: false."),
    types: z
      .array(z.enum(SES_EVENT_TYPES))
      .min(1, { error: "at least one event type" })
      .default(["BOUNCE", "COMPLAINT", "REJECT", "RENDERING_FAILURE", "DELIVERY_DELAY"])
      .describe("Events published. Default: BOUNCE, COMPLAINT, REJECT, RENDERING_FAILURE, DELIVERY_DELAY."),
  })
  .describe("An event destination of the configuration set: exactly one of topic, cloudwatch: true.");

const TemplateSchema = z
  .strictObject({
    subject: z
      .string({ error: "a subject line" })
      .min(1, { error: "a non-empty subject line" })
      .max(998, { error: "a subject of at most 998 characters" })
      .describe("Subject, with {{placeholders}}."),
    html: repoPath.describe("HTML part, relative to the repository root (templates/email/<name>.html)."),
    text: repoPath.optional().describe("Plain-text part, relative to the repository root. Default: none (HTML only)."),
  })
  .describe("An SES template loaded from files at synth. {{name}} placeholders outside blocks are required data.");

const SesSchema = z
  .strictObject({
    domain: z
      .string({ error: "a domain name such as example.com" })
      .regex(DNS_NAME_RE, { error: "a lower-case domain name of two or more labels, such as example.com" })
      .describe("Domain identity the applications send from (Easy DKIM, 2048-bit)."),
    mailFromSubdomain: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: "one DNS label, such as mail" })
      .default("mail")
      .describe("Custom MAIL FROM domain <label>.<domain> (SPF alignment). Default: mail."),
    hostedZoneId: z
      .string()
      .regex(/^Z[A-Z0-9]{1,31}$/, { error: "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
      .optional()
      .describe(
        "Public hosted zone of the domain: the layer then writes the DKIM CNAMEs and the MAIL FROM MX and SPF records. Default: none (add the records shown in the SES console yourself).",
      ),
    fromAddress: email.optional().describe("Sender of the mailer and of Cognito e-mails. Default: no-reply@<domain>."),
    configurationSet: z
      .strictObject({
        tlsRequired: z.boolean().default(true).describe("Deliver only over TLS (REQUIRE). Default: true."),
        reputationMetrics: z.boolean().default(true).describe("Bounce and complaint rates in CloudWatch. Default: true."),
        suppressedReasons: z
          .array(z.enum(["BOUNCE", "COMPLAINT"]))
          .default(["BOUNCE", "COMPLAINT"])
          .describe("Addresses added to the suppression list. Default: BOUNCE and COMPLAINT."),
      })
      .prefault({})
      .describe("The configuration set <project>-<environment> every message is sent with."),
    events: z.record(name, SesEventsSchema).default({}).describe("Event destinations of the configuration set, by name. Default: none."),
    templates: z
      .record(name, TemplateSchema)
      .default({})
      .describe("E-mail templates by name (SES name <project>-<environment>-<name>). Default: none."),
    senders: principals("Who may send through the identity and configuration set (ses:SendEmail, ses:SendTemplatedEmail)."),
  })
  .describe("SES: domain identity with Easy DKIM and custom MAIL FROM, configuration set, event destinations, templates. Omitted: no SES.");

const FunctionSettings = {
  runtime: z
    .enum(GENAI_RUNTIMES)
    .default("nodejs22.x")
    .describe("Lambda runtime (the function is TypeScript transpiled to JavaScript). Default: nodejs22.x."),
  architecture: functionFields.architecture.describe("Default: arm64."),
  memoryMb: functionFields.memoryMb(10240, 256).describe("Default: 256."),
  reservedConcurrency: wholeNumberIn(1, 10000, "a reserved concurrency")
    .optional()
    .describe("Reserved (and capped) concurrency. Default: none (the unreserved pool)."),
  logLevel: functionFields.logLevel.describe("Default: INFO."),
  logRetentionDays: logRetention.optional().describe("Default: logging.retentionDays."),
};

const MailerSchema = z
  .strictObject({
    ...FunctionSettings,
    timeoutSeconds: functionFields.timeoutSeconds(1, 900, 30).describe("Default: 30."),
    maxRecipients: wholeNumberOr(1, 50, "a recipient count", 10).describe("Most recipients per message (SES allows 50). Default: 10."),
  })
  .describe(
    "The mailer function (functions/mailer): {template, to, data} messages from a topic subscription or a queue trigger, sent as SES templated e-mail. Omitted: no mailer.",
  );

// -------------------------------------------------------------------------------------------------
// Cognito

const PostConfirmationSchema = z
  .strictObject({
    ...FunctionSettings,
    timeoutSeconds: wholeNumberIn(1, 5, "a timeout in seconds (Cognito waits at most 5 s for a trigger)")
      .default(5)
      .describe("Default: 5 (Cognito's own limit)."),
    queue: name.optional().describe("Queue of native.queues the confirmation event is sent to."),
    topic: name.optional().describe("Topic of native.topics the confirmation event is published to."),
    template: name
      .optional()
      .describe(
        "Send a mailer message {template, to: [email], data} for this template of ses.templates instead of the user.confirmed event (the target must feed the mailer). Default: the event.",
      ),
  })
  .describe("Post-confirmation trigger (functions/post-confirmation): exactly one of queue, topic.");

/** A Secrets Manager secret name (the console's and the CLI's character set). */
const SECRET_NAME_RE = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_NAME_ERROR = "a Secrets Manager secret name such as bsuite-prod/cognito/google (letters, digits and /_+=.@-)";

/** User pool attributes a provider attribute can be mapped to: the standard ones, username, or custom:<name>. */
export const STANDARD_USER_ATTRIBUTES = [
  "address",
  "birthdate",
  "email",
  "email_verified",
  "family_name",
  "gender",
  "given_name",
  "locale",
  "middle_name",
  "name",
  "nickname",
  "phone_number",
  "picture",
  "preferred_username",
  "profile",
  "updated_at",
  "website",
  "zoneinfo",
  "username",
] as const;
const ATTRIBUTE_KEY_ERROR = `a user pool attribute: ${STANDARD_USER_ATTRIBUTES.join(", ")}, or custom:<name> of customAttributes`;
const attributeMapping = (defaults: Record<string, string>) =>
  z
    .record(
      z
        .string()
        .refine((k) => (STANDARD_USER_ATTRIBUTES as readonly string[]).includes(k) || /^custom:[a-zA-Z][a-zA-Z0-9_]{0,19}$/.test(k), {
          error: ATTRIBUTE_KEY_ERROR,
        }),
      z
        .string({ error: "a provider attribute name" })
        .regex(/^[A-Za-z0-9_:.-]{1,128}$/, { error: "a provider attribute name such as email or sub" }),
    )
    .default(defaults)
    .describe(`User pool attribute -> the provider's attribute, written on every federated sign-in. Default: ${JSON.stringify(defaults)}.`);

const socialProvider = (provider: "google" | "facebook", scopes: readonly string[], mapping: Record<string, string>) => ({
  secretName: matching(SECRET_NAME_RE, SECRET_NAME_ERROR)
    .optional()
    .describe(
      `Secrets Manager secret holding {"client_id": "...", "client_secret": "..."} of the ${provider === "google" ? "Google OAuth client" : "Facebook app (app id, app secret)"}; ` +
        `created by operators, read at apply time by the identity provider function (never by Terraform). Default: <project>-<environment>/cognito/${provider}.`,
    ),
  scopes: z
    .array(z.string().regex(/^[a-z_.:/]{1,64}$/, { error: "an OAuth scope such as email" }), { error: "a list of scopes" })
    .min(1, { error: "at least one scope" })
    .default([...scopes])
    .describe(`Scopes Cognito asks the provider for. Default: ${scopes.join(", ")}.`),
  attributeMapping: attributeMapping(mapping),
});

const FederationSchema = z
  .strictObject({
    google: z
      .strictObject(
        socialProvider("google", ["openid", "email", "profile"], {
          email: "email",
          email_verified: "email_verified",
          name: "name",
          username: "sub",
        }),
      )
      .optional(),
    facebook: z
      .strictObject({
        ...socialProvider("facebook", ["public_profile", "email"], { email: "email", name: "name", username: "id" }),
        apiVersion: z
          .string()
          .regex(/^v[0-9]{1,2}\.[0-9]$/, { error: "a Graph API version such as v19.0" })
          .optional()
          .describe("Facebook Graph API version. Default: Cognito's."),
      })
      .optional(),
    secretsVersion: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: "a version label of 1-64 letters, digits and ._- such as 2026-01" })
      .optional()
      .describe(
        "Change it after replacing a client secret: the next apply of layer 09 invokes the function again and Cognito gets the new secret. Default: none.",
      ),
    memoryMb: functionFields.memoryMb(1024, 256).describe("Memory of the identity provider function. Default: 256."),
    timeoutSeconds: functionFields.timeoutSeconds(5, 300, 60).describe("Timeout of the identity provider function. Default: 60."),
  })
  .describe(
    "Sign-in with Google and Facebook through the hosted UI. The client secrets stay out of Terraform: a function (functions/identity-providers) that Terraform invokes " +
      "at apply time reads them from Secrets Manager and creates the identity providers (docs/layers/native.md). Omitted: e-mail sign-in only.",
  );

const IdentityPoolSchema = z
  .strictObject({
    allowUnauthenticated: z
      .boolean()
      .default(false)
      .describe("Give guests (not signed in) AWS credentials of the unauthenticated role. Default: false (no unauthenticated role)."),
    authenticated: z
      .strictObject({
        buckets: z
          .record(name, z.enum(["read", "readWrite"], { error: "read or readWrite" }))
          .default({})
          .describe(
            "Buckets of native.buckets signed-in users reach directly, each only below private/<their identity id>/. Default: none.",
          ),
      })
      .prefault({})
      .describe("What the authenticated role may do."),
  })
  .describe(
    "A Cognito identity pool trusting the user pool's SPA client: AWS credentials for signed-in users (the seed's AWS-scoped permissions). Omitted: none.",
  );

const CognitoSchema = z
  .strictObject({
    domainPrefix: z
      .string()
      .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, { error: "a domain prefix of 1-63 lower-case letters, digits and hyphens" })
      .optional()
      .describe(
        "Hosted UI domain <prefix>.auth.<region>.amazoncognito.com (globally unique in the region). Default: <project>-<environment>.",
      ),
    mfa: z
      .enum(["optional", "required"])
      .default("optional")
      .describe("Multi-factor authentication with an authenticator app (TOTP). Default: optional."),
    password: z
      .strictObject({
        minLength: wholeNumberOr(8, 99, "a length", 12).describe("Default: 12."),
        requireLowercase: z.boolean().default(true),
        requireUppercase: z.boolean().default(true),
        requireNumbers: z.boolean().default(true),
        requireSymbols: z.boolean().default(true),
        temporaryPasswordValidityDays: wholeNumberOr(1, 365, "days", 7).describe("Default: 7."),
      })
      .prefault({})
      .describe("Password policy."),
    advancedSecurity: z
      .enum(["OFF", "AUDIT", "ENFORCED"])
      .default("OFF")
      .describe(
        "Threat protection (compromised credentials, adaptive authentication); AUDIT or ENFORCED puts the pool on the Plus feature plan (charged per user). Default: OFF (Essentials).",
      ),
    customAttributes: z
      .record(
        z
          .string()
          .regex(/^[a-zA-Z][a-zA-Z0-9_]{0,19}$/, { error: "an attribute name of 1-20 letters, digits and _ (used as custom:<name>)" }),
        z.strictObject({
          type: z.enum(["String", "Number"]).default("String"),
          mutable: z.boolean().default(true),
        }),
      )
      .default({})
      .describe("Custom attributes (custom:<name>). Cannot be removed or changed once created. Default: none."),
    client: z
      .strictObject({
        callbackUrls: z
          .array(appUrl, { error: "a list of URLs" })
          .min(1, { error: "at least one callback URL" })
          .max(100)
          .describe("Where the hosted UI returns after sign-in."),
        logoutUrls: z
          .array(appUrl, { error: "a list of URLs" })
          .max(100)
          .default([])
          .describe("Where the hosted UI returns after sign-out. Default: none."),
        scopes: z
          .array(z.enum(["openid", "email", "profile", "phone", "aws.cognito.signin.user.admin"]))
          .default(["openid", "email", "profile"])
          .describe("OAuth scopes. Default: openid, email, profile."),
        accessTokenMinutes: wholeNumberOr(5, 1440, "minutes", 60).describe("Default: 60."),
        idTokenMinutes: wholeNumberOr(5, 1440, "minutes", 60).describe("Default: 60."),
        refreshTokenDays: wholeNumberOr(1, 3650, "days", 30).describe("Default: 30."),
        refreshTokenRotation: z
          .boolean()
          .default(false)
          .describe("Issue a new refresh token on every refresh and invalidate the old one. Default: false."),
      })
      .describe("The SPA app client: no secret, authorization code flow with PKCE."),
    emailFromSes: z
      .boolean()
      .default(false)
      .describe(
        "Send Cognito's e-mails through the SES identity (ses.fromAddress) instead of Cognito's limited default sender. Default: false.",
      ),
    postConfirmation: PostConfirmationSchema.optional(),
    federation: FederationSchema.optional(),
    identityPool: IdentityPoolSchema.optional(),
  })
  .describe("Cognito user pool (e-mail sign-in), SPA client and hosted UI domain. Omitted: no user pool.");

// -------------------------------------------------------------------------------------------------
// Section

export const NativeSchema = z
  .strictObject({
    versionRetentionDays: wholeNumberIn(1, 36500, "days").describe(
      "Days noncurrent object versions are kept in every native bucket that does not set its own. Tier default: dev 30, staging 90, prod 365.",
    ),
    buckets: z.record(name, BucketSchema).default({}).describe("S3 buckets by name. Default: none."),
    queues: z.record(name, QueueSchema).default({}).describe("SQS queues by name, each with a dead-letter queue. Default: none."),
    topics: z.record(name, TopicSchema).default({}).describe("SNS topics by name. Default: none."),
    eventBus: EventBusSchema.optional(),
    ses: SesSchema.optional(),
    mailer: MailerSchema.optional(),
    cognito: CognitoSchema.optional(),
    parameterReaders: principals(
      "Services that read the native/ identifiers in Parameter Store without any other grant here (every grantee reads them).",
    ),
  })
  // No prefault: the tier preset always supplies this block (versionRetentionDays), so the inner defaults apply.
  .describe(
    "S3 buckets, SQS queues, SNS topics, SES, EventBridge, Cognito (layer 09). Everything is optional; an empty section gives an empty layer.",
  );

export type NativeConfig = z.output<typeof NativeSchema>;
export type BucketConfig = NativeConfig["buckets"][string];
export type QueueConfig = NativeConfig["queues"][string];
export type TopicConfig = NativeConfig["topics"][string];
export type SubscriptionConfig = TopicConfig["subscriptions"][number];
export type EventBusConfig = NonNullable<NativeConfig["eventBus"]>;
export type SesConfig = NonNullable<NativeConfig["ses"]>;
export type MailerConfig = NonNullable<NativeConfig["mailer"]>;
export type CognitoConfig = NonNullable<NativeConfig["cognito"]>;
export type PostConfirmationConfig = NonNullable<CognitoConfig["postConfirmation"]>;
export type FederationConfig = NonNullable<CognitoConfig["federation"]>;
export type IdentityPoolConfig = NonNullable<CognitoConfig["identityPool"]>;
export type LifecycleRuleConfig = BucketConfig["lifecycle"][string];

// -------------------------------------------------------------------------------------------------
// Names: what every resource is called, from the config alone

export interface NativeNames {
  /** Bucket name by config name. */
  readonly buckets: Record<string, string>;
  /** Queue name and its dead-letter queue's, by config name. */
  readonly queues: Record<string, { readonly queue: string; readonly deadLetter: string }>;
  readonly topics: Record<string, string>;
  readonly eventBus?: string;
  readonly eventRules: Record<string, string>;
  readonly ses?: {
    readonly configurationSet: string;
    readonly mailFromDomain: string;
    readonly fromAddress: string;
    readonly templates: Record<string, string>;
  };
  readonly userPool?: { readonly pool: string; readonly client: string; readonly domainPrefix: string; readonly domain: string };
  /** Cognito federation: the providers (Cognito names), their secrets and the provisioner function. */
  readonly federation?: {
    readonly providers: Record<"Google" | "Facebook", string | undefined>;
    readonly function: string;
    readonly role: string;
  };
  /** The identity pool and its roles (unauthenticated only when allowed). */
  readonly identityPool?: { readonly pool: string; readonly authenticatedRole: string; readonly unauthenticatedRole?: string };
  /** Functions of this layer by name (mailer, post-confirmation). */
  readonly functions: Record<string, string>;
  /** /<project>/<environment>/native */
  readonly parameterRoot: string;
}

/** Names of the layer's resources. Queue names fit SQS's 80 characters with room for -dlq and .fifo. */
export function nativeNames(cfg: PlatformConfig): NativeNames {
  const naming = new Naming(cfg.project, cfg.environment);
  const n = cfg.native;
  const queue = (key: string, fifo: boolean, suffix = "") => {
    // The .fifo suffix (5) is appended after fitting, so the whole name stays within 80.
    const base = naming.name("sqs", key + suffix).slice(0, fifo ? 75 : 80);
    return fifo ? `${base}.fifo` : base;
  };
  const functions: Record<string, string> = {};
  if (n.mailer) functions.mailer = naming.name("lambda", "mailer");
  if (n.cognito?.postConfirmation) functions["post-confirmation"] = naming.name("lambda", "post-confirmation");
  return {
    buckets: Object.fromEntries(Object.entries(n.buckets).map(([k, b]) => [k, b.bucketName ?? naming.bucket(k, cfg.aws.accountId)])),
    queues: Object.fromEntries(
      Object.entries(n.queues).map(([k, q]) => [k, { queue: queue(k, q.fifo), deadLetter: queue(k, q.fifo, "-dlq") }]),
    ),
    topics: Object.fromEntries(Object.keys(n.topics).map((k) => [k, naming.name("sns", k)])),
    eventBus: n.eventBus ? (n.eventBus.name ?? naming.name("generic")) : undefined,
    eventRules: Object.fromEntries(Object.keys(n.eventBus?.rules ?? {}).map((k) => [k, naming.name("generic", k).slice(0, 64)])),
    ses: n.ses
      ? {
          configurationSet: naming.name("generic").slice(0, 64),
          mailFromDomain: `${n.ses.mailFromSubdomain}.${n.ses.domain}`,
          fromAddress: n.ses.fromAddress ?? `no-reply@${n.ses.domain}`,
          templates: Object.fromEntries(Object.keys(n.ses.templates).map((k) => [k, naming.name("generic", k).slice(0, 64)])),
        }
      : undefined,
    userPool: n.cognito
      ? (() => {
          const domainPrefix = n.cognito.domainPrefix ?? naming.prefix;
          return {
            pool: naming.name("generic"),
            client: naming.name("generic", "spa"),
            domainPrefix,
            domain: `${domainPrefix}.auth.${cfg.aws.region}.amazoncognito.com`,
          };
        })()
      : undefined,
    federation: n.cognito?.federation
      ? {
          providers: {
            Google: n.cognito.federation.google ? (n.cognito.federation.google.secretName ?? `${naming.prefix}/cognito/google`) : undefined,
            Facebook: n.cognito.federation.facebook
              ? (n.cognito.federation.facebook.secretName ?? `${naming.prefix}/cognito/facebook`)
              : undefined,
          },
          function: naming.name("lambda", "identity-providers"),
          role: naming.name("iamRole", "identity-providers", "lambda"),
        }
      : undefined,
    identityPool: n.cognito?.identityPool
      ? {
          pool: naming.name("generic"),
          authenticatedRole: naming.name("iamRole", "identity-authenticated"),
          unauthenticatedRole: n.cognito.identityPool.allowUnauthenticated ? naming.name("iamRole", "identity-unauthenticated") : undefined,
        }
      : undefined,
    functions,
    parameterRoot: naming.path("native"),
  };
}

/** The identity providers the SPA client offers besides the user pool itself: Google, Facebook (Cognito's names). */
export function federatedProviders(cfg: PlatformConfig): ("Google" | "Facebook")[] {
  const f = cfg.native.cognito?.federation;
  return f ? (["Google", "Facebook"] as const).filter((p) => (p === "Google" ? !!f.google : !!f.facebook)) : [];
}

// -------------------------------------------------------------------------------------------------
// Grants: who may do what, as one list

export type GrantKind = "bucket" | "queue" | "topic" | "eventBus" | "ses" | "parameters";
export type GrantMode = "read" | "readWrite" | "consume" | "produce" | "publish" | "putEvents" | "send";

export interface Grant {
  /** A service name or GENAI_PRINCIPAL. */
  readonly principal: string;
  readonly kind: GrantKind;
  /** Config name of the resource (empty for the bus, SES and parameters). */
  readonly resource: string;
  readonly mode: GrantMode;
  /** Where the grant is written in the config. */
  readonly path: KeyPath;
}

/** Every grant of the section, in config order. */
export function nativeGrants(cfg: PlatformConfig): Grant[] {
  const n = cfg.native;
  const out: Grant[] = [];
  const add = (list: readonly string[], kind: GrantKind, resource: string, mode: GrantMode, path: KeyPath) =>
    list.forEach((principal, i) => out.push({ principal, kind, resource, mode, path: [...path, i] }));
  for (const [k, b] of Object.entries(n.buckets)) {
    add(b.access.read, "bucket", k, "read", ["native", "buckets", k, "access", "read"]);
    add(b.access.readWrite, "bucket", k, "readWrite", ["native", "buckets", k, "access", "readWrite"]);
  }
  for (const [k, q] of Object.entries(n.queues)) {
    add(q.access.consume, "queue", k, "consume", ["native", "queues", k, "access", "consume"]);
    add(q.access.produce, "queue", k, "produce", ["native", "queues", k, "access", "produce"]);
  }
  for (const [k, t] of Object.entries(n.topics)) add(t.access.publish, "topic", k, "publish", ["native", "topics", k, "access", "publish"]);
  if (n.eventBus) add(n.eventBus.publishers, "eventBus", "", "putEvents", ["native", "eventBus", "publishers"]);
  if (n.ses) add(n.ses.senders, "ses", "", "send", ["native", "ses", "senders"]);
  add(n.parameterReaders, "parameters", "", "read", ["native", "parameterReaders"]);
  return out;
}

/** Grantees in order of first appearance: services, then the GenAI function if granted. */
export function nativePrincipals(cfg: PlatformConfig): string[] {
  return [...new Set(nativeGrants(cfg).map((g) => g.principal))];
}

/** The construct id of a subscription, from its target: `queue-jobs`, `mailer`, `email-ops-example-com`. */
export function subscriptionId(s: SubscriptionConfig): string {
  if (s.queue) return `queue-${s.queue}`;
  if (s.function) return s.function;
  return `email-${(s.email ?? "").toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

/** The construct id (and EventBridge target id) of a rule target: `queue-jobs`, `topic-alerts`. */
export function targetId(t: { queue?: string; topic?: string }): string {
  return t.queue ? `queue-${t.queue}` : `topic-${t.topic}`;
}

/** True when the section configures anything at all. */
export function nativeHasResources(n: NativeConfig): boolean {
  return (
    Object.keys(n.buckets).length + Object.keys(n.queues).length + Object.keys(n.topics).length > 0 ||
    !!(n.eventBus || n.ses || n.mailer || n.cognito)
  );
}

// -------------------------------------------------------------------------------------------------
// Templates

export interface LoadedTemplate {
  readonly subject: string;
  readonly html: string;
  readonly text?: string;
  /** Placeholders outside blocks: the data a message must carry. */
  readonly required: readonly string[];
}

/** Why a template file cannot be used, or undefined when it can. */
export function templateFileProblem(rel: string): string | undefined {
  return fileProblem(REPO_ROOT, rel);
}

/** A template file's text as SES gets it (its layout expanded: see template-layout.ts). */
export function readTemplateFile(rel: string): string {
  return expandTemplateFile(REPO_ROOT, rel);
}

const BLOCK_KEYWORDS = new Set(["else", "this"]);

/**
 * The variables a Handlebars template needs: `{{name}}` and `{{{name}}}` (and `{{name.field}}`,
 * as `name`) outside `{{#...}}...{{/...}}` blocks. Variables inside blocks and helpers are optional.
 */
export function requiredVariables(...parts: readonly string[]): string[] {
  const out = new Set<string>();
  for (const text of parts) {
    let depth = 0;
    for (const m of text.matchAll(/\{\{\{?\s*([#/^!>]?)\s*([A-Za-z_][\w.-]*)?[^}]*\}?\}\}/g)) {
      const [, sigil, ident] = m;
      if (sigil === "#" || sigil === "^") depth++;
      else if (sigil === "/") depth = Math.max(0, depth - 1);
      else if (!sigil && ident && depth === 0 && !BLOCK_KEYWORDS.has(ident)) out.add(ident.split(".")[0]);
    }
  }
  return [...out].sort();
}

/** Reads a configured template's files (relative to the repository root), layouts expanded. */
export function loadTemplate(t: SesConfig["templates"][string]): LoadedTemplate {
  const html = readTemplateFile(t.html);
  const text = t.text ? readTemplateFile(t.text) : undefined;
  return { subject: t.subject, html, text, required: requiredVariables(t.subject, html, text ?? "") };
}

// -------------------------------------------------------------------------------------------------
// Bucket names

/** Why AWS (or TLS) refuses a bucket name, or undefined when it is fine. */
export function bucketNameProblem(text: string): string | undefined {
  if (text.length < 3 || text.length > 63) return `${text.length} characters (3 to 63 allowed)`;
  if (/[A-Z]/.test(text)) return "upper-case letters";
  if (/[^a-z0-9.-]/.test(text)) return `the character ${JSON.stringify(text.match(/[^a-z0-9.-]/)?.[0])}`;
  if (!/^[a-z0-9]/.test(text) || !/[a-z0-9]$/.test(text)) return "a first or last character that is not a letter or digit";
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) return "the form of an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(text)) return "a prefix AWS reserves (xn--, sthree-, amzn-s3-demo-)";
  if (/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(text))
    return "a suffix AWS reserves (-s3alias, --ol-s3, .mrap, --x-s3, --table-s3)";
  if (text.includes(".")) return "dots (they break TLS for virtual-hosted and presigned URLs)";
  return undefined;
}

// -------------------------------------------------------------------------------------------------
// Rules

const N = ["native"] as const;

/** Every grantee names a service that exists, or the GenAI function while its layer is enabled. */
const principalRule: Rule = (cfg) => {
  const services = Object.keys(cfg.services);
  const genai = layerOn(cfg, "lambda-genai");
  const known = [...services, ...(genai ? [GENAI_PRINCIPAL] : [])];
  const issues: SemanticIssue[] = [];
  for (const g of nativeGrants(cfg)) {
    if (known.includes(g.principal)) continue;
    if (g.principal === GENAI_PRINCIPAL) {
      issues.push({
        path: g.path,
        expected: "an application service (layers.lambda-genai is disabled, so there is no GenAI function role)",
      });
      continue;
    }
    const guess = didYouMean(g.principal, known);
    issues.push({
      path: g.path,
      expected: `an application service (${known.join(", ") || "none configured"})`,
      found: `unknown service ${JSON.stringify(g.principal)}`,
      hint: guess ? `did you mean ${guess}?` : undefined,
    });
  }
  // The same principal twice in one list grants nothing more.
  const seen = new Set<string>();
  for (const g of nativeGrants(cfg)) {
    const key = `${g.path.slice(0, -1).join(".")}|${g.principal}`;
    if (seen.has(key))
      issues.push({ path: g.path, expected: "each grantee once per list", found: `duplicate ${JSON.stringify(g.principal)}` });
    seen.add(key);
  }
  return issues;
};

/** A service named native would share /<project>/<environment>/native with this layer's identifiers. */
const serviceNameRule: Rule = (cfg) =>
  "native" in cfg.services
    ? [
        {
          path: ["services", "native"],
          expected: "a service name other than native (the native layer publishes /<project>/<environment>/native/...)",
          found: 'the service "native"',
        },
      ]
    : [];

const bucketRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const names = nativeNames(cfg).buckets;
  const owners = new Map<string, string>();
  for (const [k, b] of Object.entries(cfg.native.buckets)) {
    const base: KeyPath = [...N, "buckets", k];
    if (b.bucketName !== undefined) {
      const why = bucketNameProblem(b.bucketName);
      if (why) {
        issues.push({
          path: [...base, "bucketName"],
          expected:
            "an S3 bucket name AWS accepts: 3-63 lower-case letters, digits and hyphens, starting and ending with a letter or digit",
          found: `${JSON.stringify(b.bucketName)}: ${why}`,
        });
      }
    }
    const other = owners.get(names[k]);
    if (other)
      issues.push({
        path: [...base, "bucketName"],
        expected: "a bucket name no other bucket uses",
        found: `${JSON.stringify(names[k])}, also the name of native.buckets.${other}`,
      });
    owners.set(names[k], k);

    for (const [id, rule] of Object.entries(b.lifecycle)) {
      const rp: KeyPath = [...base, "lifecycle", id];
      if (RESERVED_LIFECYCLE_IDS.includes(id))
        issues.push({
          path: rp,
          expected: `a rule id other than ${RESERVED_LIFECYCLE_IDS.join(", ")} (the bucket module uses them)`,
          found: `the id ${JSON.stringify(id)}`,
        });
      if (!rule.transitions.length && rule.expirationDays === undefined && rule.noncurrentExpirationDays === undefined) {
        issues.push({
          path: rp,
          expected: "a rule with transitions, expirationDays or noncurrentExpirationDays",
          found: "a rule that does nothing",
        });
      }
      let previous: { days: number; storageClass: string } | undefined;
      rule.transitions.forEach((t, i) => {
        const tp: KeyPath = [...rp, "transitions", i];
        if (INFREQUENT_ACCESS.includes(t.storageClass) && t.days < 30) {
          issues.push({
            path: [...tp, "days"],
            expected: `at least 30 days before ${t.storageClass} (S3's minimum for infrequent-access classes)`,
          });
        }
        if (previous) {
          const order = (c: string) => STORAGE_CLASSES.indexOf(c as (typeof STORAGE_CLASSES)[number]);
          if (order(t.storageClass) <= order(previous.storageClass)) {
            issues.push({
              path: [...tp, "storageClass"],
              expected: `a storage class after ${previous.storageClass} in S3's lifecycle order (${STORAGE_CLASSES.join(", ")})`,
            });
          }
          const gap = INFREQUENT_ACCESS.includes(previous.storageClass) ? 30 : 1;
          if (t.days < previous.days + gap) {
            issues.push({
              path: [...tp, "days"],
              expected: `at least ${previous.days + gap} days (${gap === 30 ? `objects stay 30 days in ${previous.storageClass} before moving on` : "later than the previous transition"})`,
            });
          }
        }
        previous = t;
      });
      const last = rule.transitions[rule.transitions.length - 1];
      if (last && rule.expirationDays !== undefined && rule.expirationDays <= last.days) {
        issues.push({ path: [...rp, "expirationDays"], expected: `more than ${last.days} days (after the last transition)` });
      }
    }
    b.cors?.allowedOrigins.forEach((o, i) => {
      if (b.cors!.allowedOrigins.indexOf(o) !== i)
        issues.push({
          path: [...base, "cors", "allowedOrigins", i],
          expected: "each origin once",
          found: `duplicate ${JSON.stringify(o)}`,
        });
    });
  }
  return issues;
};

const queueRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const mailer = cfg.native.mailer;
  for (const [k, q] of Object.entries(cfg.native.queues)) {
    const base: KeyPath = [...N, "queues", k];
    if (k.endsWith("-dlq"))
      issues.push({
        path: base,
        expected: "a queue name not ending in -dlq (each queue's dead-letter queue is <name>-dlq)",
        found: `the queue ${JSON.stringify(k)}`,
      });
    if (q.contentBasedDeduplication && !q.fifo)
      issues.push({
        path: [...base, "contentBasedDeduplication"],
        expected: "false (content-based deduplication is for FIFO queues; set fifo: true)",
      });
    if (q.deadLetter.retentionSeconds < q.retentionSeconds) {
      issues.push({
        path: [...base, "deadLetter", "retentionSeconds"],
        expected: `at least the queue's retention (${q.retentionSeconds} s): a message keeps its original enqueue time in the dead-letter queue`,
      });
    }
    if (q.trigger) {
      const tp: KeyPath = [...base, "trigger"];
      if (q.trigger.function === "mailer" && !mailer) {
        issues.push({ path: [...tp, "function"], expected: "a configured function (native.mailer is not configured)" });
      }
      if (q.trigger.function === "mailer" && mailer && q.visibilityTimeoutSeconds < mailer.timeoutSeconds) {
        issues.push({
          path: [...base, "visibilityTimeoutSeconds"],
          expected: `at least the consuming function's timeout (native.mailer.timeoutSeconds: ${mailer.timeoutSeconds} s; AWS advises six times it, ${mailer.timeoutSeconds * 6} s)`,
        });
      }
      if (q.fifo && q.trigger.batchSize > 10)
        issues.push({ path: [...tp, "batchSize"], expected: "at most 10 messages (the limit for FIFO queues)" });
      if (q.trigger.batchSize > 10 && q.trigger.maxBatchingWindowSeconds < 1) {
        issues.push({
          path: [...tp, "maxBatchingWindowSeconds"],
          expected: "at least 1 second (Lambda requires a batching window for batches above 10 messages)",
        });
      }
    }
  }
  return issues;
};

/** `kind` names an existing entry of native.<section>; with did-you-mean. */
function reference(cfg: PlatformConfig, section: "queues" | "topics", value: string | undefined, path: KeyPath): SemanticIssue[] {
  if (value === undefined) return [];
  const known = Object.keys(cfg.native[section]);
  if (known.includes(value)) return [];
  const guess = didYouMean(value, known);
  const what = section === "queues" ? "queue" : "topic";
  return [
    {
      path,
      expected: `a ${what} of native.${section} (${known.join(", ") || "none configured"})`,
      found: `unknown ${what} ${JSON.stringify(value)}`,
      hint: guess ? `did you mean ${guess}?` : undefined,
    },
  ];
}

/** Exactly one of `keys` is set on `obj`. */
function exactlyOne(obj: Record<string, unknown>, keys: readonly string[], path: KeyPath): SemanticIssue[] {
  const set = keys.filter((k) => obj[k] !== undefined && obj[k] !== false);
  if (set.length === 1) return [];
  return [{ path, expected: `exactly one of ${keys.join(", ")}`, found: set.length ? `${set.join(" and ")}` : "none of them" }];
}

const topicRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  for (const [k, t] of Object.entries(cfg.native.topics)) {
    const ids = new Map<string, number>();
    t.subscriptions.forEach((s, i) => {
      const sp: KeyPath = [...N, "topics", k, "subscriptions", i];
      const one = exactlyOne(s, ["queue", "function", "email"], sp);
      issues.push(...one);
      if (one.length) return;
      issues.push(...reference(cfg, "queues", s.queue, [...sp, "queue"]));
      if (s.function === "mailer" && !cfg.native.mailer)
        issues.push({ path: [...sp, "function"], expected: "a configured function (native.mailer is not configured)" });
      if (s.rawMessageDelivery && !s.queue)
        issues.push({ path: [...sp, "rawMessageDelivery"], expected: "false (raw delivery applies to queue subscriptions)" });
      if (s.queue && cfg.native.queues[s.queue]?.fifo)
        issues.push({ path: [...sp, "queue"], expected: "a standard queue (a standard topic cannot deliver to a FIFO queue)" });
      const id = subscriptionId(s);
      if (ids.has(id))
        issues.push({
          path: sp,
          expected: "each subscription target once per topic",
          found: `the same target as subscriptions[${ids.get(id)}]`,
        });
      ids.set(id, i);
    });
  }
  return issues;
};

const eventBusRules: Rule = (cfg) => {
  const bus = cfg.native.eventBus;
  if (!bus) return [];
  const issues: SemanticIssue[] = [];
  for (const [k, r] of Object.entries(bus.rules)) {
    const rp: KeyPath = [...N, "eventBus", "rules", k];
    const json = JSON.stringify(r.pattern);
    if (!Object.keys(r.pattern).length)
      issues.push({ path: [...rp, "pattern"], expected: "an event pattern with at least one field, such as {source: [my.app]}" });
    else if (json.length > EVENT_PATTERN_MAX)
      issues.push({
        path: [...rp, "pattern"],
        expected: `an event pattern of at most ${EVENT_PATTERN_MAX} characters as JSON (EventBridge's default quota)`,
        found: `${json.length} characters`,
      });
    const ids = new Set<string>();
    r.targets.forEach((t, i) => {
      const tp: KeyPath = [...rp, "targets", i];
      const one = exactlyOne(t, ["queue", "topic"], tp);
      issues.push(...one);
      if (one.length) return;
      issues.push(...reference(cfg, "queues", t.queue, [...tp, "queue"]), ...reference(cfg, "topics", t.topic, [...tp, "topic"]));
      if (t.queue && cfg.native.queues[t.queue]?.fifo)
        issues.push({ path: [...tp, "queue"], expected: "a standard queue (FIFO targets need a message group; not supported here)" });
      const id = targetId(t);
      if (ids.has(id)) issues.push({ path: tp, expected: "each target once per rule", found: `duplicate ${id}` });
      ids.add(id);
    });
  }
  return issues;
};

const sesRules: Rule = (cfg) => {
  const ses = cfg.native.ses;
  const issues: SemanticIssue[] = [];
  if (!ses) {
    if (cfg.native.mailer)
      issues.push({
        path: [...N, "mailer"],
        expected: "native.ses to be configured too (the mailer sends through the SES identity)",
        found: "a mailer without ses",
      });
    if (cfg.native.cognito?.emailFromSes)
      issues.push({
        path: [...N, "cognito", "emailFromSes"],
        expected: "false, or native.ses configured (there is no SES identity to send from)",
      });
    return issues;
  }
  const sp: KeyPath = [...N, "ses"];
  const from = nativeNames(cfg).ses!.fromAddress;
  const fromDomain = from.slice(from.indexOf("@") + 1);
  if (fromDomain !== ses.domain && !fromDomain.endsWith(`.${ses.domain}`)) {
    issues.push({
      path: [...sp, "fromAddress"],
      expected: `an address at ${ses.domain} (the verified identity)`,
      found: JSON.stringify(from),
    });
  }
  for (const [k, e] of Object.entries(ses.events)) {
    const ep: KeyPath = [...sp, "events", k];
    issues.push(...exactlyOne(e, ["topic", "cloudwatch"], ep), ...reference(cfg, "topics", e.topic, [...ep, "topic"]));
  }
  for (const [k, t] of Object.entries(ses.templates)) {
    const tp: KeyPath = [...sp, "templates", k];
    let bytes = Buffer.byteLength(t.subject);
    for (const part of ["html", "text"] as const) {
      const rel = t[part];
      if (rel === undefined) continue;
      const why = templateFileProblem(rel);
      if (why) {
        issues.push({
          path: [...tp, part],
          expected: "an existing, non-empty template file relative to the repository root",
          found: `${JSON.stringify(rel)}: ${why}`,
        });
        continue;
      }
      try {
        bytes += Buffer.byteLength(readTemplateFile(rel));
      } catch (e) {
        if (!(e instanceof TemplateLayoutError)) throw e;
        issues.push({ path: [...tp, part], expected: "a template whose layout expands (see templates/email/README.md)", found: e.message });
      }
    }
    if (bytes > SES_TEMPLATE_MAX_BYTES)
      issues.push({
        path: tp,
        expected: `a template of at most ${SES_TEMPLATE_MAX_BYTES / 1024} KB in all (SES's limit)`,
        found: `${Math.ceil(bytes / 1024)} KB`,
      });
  }
  return issues;
};

/** Lambda functions of this layer run in the app subnets: they need a route to the services they call. */
function reachable(cfg: PlatformConfig, endpoints: readonly string[]): boolean {
  if (cfg.network.nat !== "none" && cfg.security.egress.internetHttps) return true;
  return endpoints.length > 0 && endpoints.every((e) => (cfg.network.interfaceEndpoints as readonly string[]).includes(e));
}

const functionRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const n = cfg.native;
  if (n.mailer) {
    const triggered =
      Object.values(n.topics).some((t) => t.subscriptions.some((s) => s.function === "mailer")) ||
      Object.values(n.queues).some((q) => q.trigger?.function === "mailer");
    if (!triggered) {
      issues.push({
        path: [...N, "mailer"],
        expected: "a mailer that something invokes: a topic subscription {function: mailer} or a queue trigger {function: mailer}",
        found: "a mailer nothing invokes",
      });
    }
    if (!reachable(cfg, [])) {
      issues.push({
        path: ["network", "nat"],
        expected:
          "a NAT gateway with security.egress.internetHttps (the mailer runs in the app subnets and reaches the SES API through NAT)",
      });
    }
  }
  const pc = n.cognito?.postConfirmation;
  if (pc) {
    const pp: KeyPath = [...N, "cognito", "postConfirmation"];
    const one = exactlyOne(pc, ["queue", "topic"], pp);
    issues.push(...one);
    if (!one.length) {
      const refs = [...reference(cfg, "queues", pc.queue, [...pp, "queue"]), ...reference(cfg, "topics", pc.topic, [...pp, "topic"])];
      issues.push(...refs);
      if (pc.queue && n.queues[pc.queue]?.fifo)
        issues.push({ path: [...pp, "queue"], expected: "a standard queue (the function sends without a message group)" });
      const endpoint = pc.queue ? "sqs" : "sns";
      if (!reachable(cfg, [endpoint])) {
        issues.push({
          path: ["network", "interfaceEndpoints"],
          expected: `a list with "${endpoint}", or a NAT gateway with security.egress.internetHttps (the post-confirmation function runs in the app subnets)`,
        });
      }
      if (pc.template !== undefined) {
        const templates = Object.keys(n.ses?.templates ?? {});
        if (!templates.includes(pc.template)) {
          const guess = didYouMean(pc.template, templates);
          issues.push({
            path: [...pp, "template"],
            expected: `a template of native.ses.templates (${templates.join(", ") || "none configured"})`,
            found: `unknown template ${JSON.stringify(pc.template)}`,
            hint: guess ? `did you mean ${guess}?` : undefined,
          });
        }
        const feedsMailer = pc.queue
          ? n.queues[pc.queue]?.trigger?.function === "mailer"
          : (n.topics[pc.topic!]?.subscriptions ?? []).some(
              (s) => s.function === "mailer" || (s.queue && n.queues[s.queue]?.trigger?.function === "mailer"),
            );
        if (!feedsMailer && !refs.length)
          issues.push({
            path: [...pp, pc.queue ? "queue" : "topic"],
            expected: "a queue or topic that feeds the mailer (postConfirmation.template sends a mailer message)",
          });
      }
    }
  }
  return issues;
};

const cognitoRules: Rule = (cfg) => {
  const c = cfg.native.cognito;
  if (!c) return [];
  const issues: SemanticIssue[] = [];
  const cp: KeyPath = [...N, "cognito"];
  const prefix = nativeNames(cfg).userPool!.domainPrefix;
  const word = RESERVED_DOMAIN_WORDS.find((w) => prefix.includes(w));
  if (word) {
    issues.push({
      path: c.domainPrefix === undefined ? ["project"] : [...cp, "domainPrefix"],
      expected: `a hosted UI domain prefix without "${word}" (Cognito reserves aws, amazon and cognito)${c.domainPrefix === undefined ? "; set native.cognito.domainPrefix" : ""}`,
      found: JSON.stringify(prefix),
    });
  }
  for (const list of ["callbackUrls", "logoutUrls"] as const) {
    c.client[list].forEach((u, i) => {
      if (c.client[list].indexOf(u) !== i)
        issues.push({ path: [...cp, "client", list, i], expected: "each URL once", found: `duplicate ${JSON.stringify(u)}` });
    });
  }
  if (c.client.scopes.includes("email") && !c.client.scopes.includes("openid"))
    issues.push({ path: [...cp, "client", "scopes"], expected: "a list with openid (email and profile need it)" });
  if (c.client.idTokenMinutes > c.client.refreshTokenDays * 1440 || c.client.accessTokenMinutes > c.client.refreshTokenDays * 1440) {
    issues.push({ path: [...cp, "client", "refreshTokenDays"], expected: "a refresh token that outlives the access and id tokens" });
  }
  issues.push(...federationIssues(cfg, c, cp), ...identityPoolIssues(cfg, c, cp));
  return issues;
};

function federationIssues(cfg: PlatformConfig, c: CognitoConfig, cp: KeyPath): SemanticIssue[] {
  const f = c.federation;
  if (!f) return [];
  const issues: SemanticIssue[] = [];
  const fp: KeyPath = [...cp, "federation"];
  if (!f.google && !f.facebook) issues.push({ path: fp, expected: "at least one provider: google or facebook", found: "no provider" });
  for (const provider of ["google", "facebook"] as const) {
    const p = f[provider];
    if (!p) continue;
    const mp: KeyPath = [...fp, provider, "attributeMapping"];
    if (!("email" in p.attributeMapping))
      issues.push({ path: mp, expected: "a mapping of email (users sign in with their e-mail address)", found: "no email mapping" });
    for (const key of Object.keys(p.attributeMapping)) {
      if (!key.startsWith("custom:")) continue;
      const attr = key.slice("custom:".length);
      const defined = c.customAttributes[attr];
      if (!defined) {
        const guess = didYouMean(attr, Object.keys(c.customAttributes));
        issues.push({
          path: [...mp, key],
          expected: `a custom attribute of native.cognito.customAttributes (${Object.keys(c.customAttributes).join(", ") || "none defined"})`,
          found: JSON.stringify(key),
          hint: guess ? `did you mean custom:${guess}?` : undefined,
        });
      } else if (!defined.mutable) {
        issues.push({
          path: [...mp, key],
          expected: "a mutable attribute (Cognito writes mapped attributes on every federated sign-in)",
          found: `custom:${attr}, which is immutable`,
        });
      }
    }
  }
  if (!reachable(cfg, ["secretsmanager", "cognito-idp"])) {
    issues.push({
      path: ["network", "nat"],
      expected:
        "a NAT gateway with security.egress.internetHttps (the identity provider function runs in the app subnets and calls the Cognito API)",
    });
  }
  return issues;
}

function identityPoolIssues(cfg: PlatformConfig, c: CognitoConfig, cp: KeyPath): SemanticIssue[] {
  const ip = c.identityPool;
  if (!ip) return [];
  const issues: SemanticIssue[] = [];
  const known = Object.keys(cfg.native.buckets);
  for (const b of Object.keys(ip.authenticated.buckets)) {
    if (known.includes(b)) continue;
    const guess = didYouMean(b, known);
    issues.push({
      path: [...cp, "identityPool", "authenticated", "buckets", b],
      expected: `a bucket of native.buckets (${known.join(", ") || "none configured"})`,
      found: `unknown bucket ${JSON.stringify(b)}`,
      hint: guess ? `did you mean ${guess}?` : undefined,
    });
  }
  return issues;
}

/** The layer's resources are encrypted with layer 02's keys and granted to its roles. */
const dependencyRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  if (nativeHasResources(cfg.native) && !layerOn(cfg, "security")) {
    issues.push({
      path: ["layers", "security", "enabled"],
      expected: "true (the native layer encrypts with its KMS keys and grants to its roles)",
    });
  }
  if ((cfg.native.mailer || cfg.native.cognito?.postConfirmation) && !layerOn(cfg, "network")) {
    issues.push({ path: ["layers", "network", "enabled"], expected: "true (the native layer's functions run in its app subnets)" });
  }
  return issues;
};

/**
 * The layer's part of the configuration (layer.ts declares it): its top-level sections and its
 * cross-field rules (see core/config/semantic.ts), checked where the layer is on.
 */
export const nativeConfig: LayerConfig<{ native: typeof NativeSchema }> = {
  sections: { native: NativeSchema },
  rules: whenLayerOn("native", [
    principalRule,
    serviceNameRule,
    bucketRules,
    queueRules,
    topicRules,
    eventBusRules,
    sesRules,
    functionRules,
    cognitoRules,
    dependencyRule,
  ]),
};
