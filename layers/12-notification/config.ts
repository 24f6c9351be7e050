/**
 * Configuration of layer 12 notification: delivery of the monitoring layer's alarm topic to Slack
 * and e-mail, and platform events (ECS deployment failures, stopped tasks, RDS events) published to
 * the same topic.
 *
 * - `slack.mode: chatbot` (default): AWS Chatbot (Amazon Q Developer in chat applications)
 *   subscribes the Slack channel `slack.channelId` of the workspace `slack.workspaceId` to the
 *   topic. The workspace must have been authorized once in the Chatbot console.
 * - `slack.mode: webhook`: a small function (functions/webhook) subscribed to the topic posts each
 *   message to an incoming webhook whose URL operators keep in the SecureString parameter
 *   `/<project>/<env>/notification/webhook-url` (Slack, or a Teams workflow with `format: teams`).
 * - `email.addresses`: one SNS e-mail subscription per address (each confirms once by mail).
 * - `sms.numbers`: SNS SMS subscriptions, E.164 phone numbers (personal data: layers/12-notification/README.md).
 * - `page.endpoints`: SNS https subscriptions to a paging service's integration URL (PagerDuty,
 *   Opsgenie ...), confirmed by the service itself.
 * - `routing`: with monitoring.severityTopics, the channels each severity's topic is delivered to
 *   (default WARNING -> slack, ERROR -> slack + sms, CRITICAL -> sms + page); without it, every
 *   configured channel subscribes to the one alarm topic, and sms and page are refused.
 * - `events`: EventBridge rules on the default bus, each only while the layer it watches is enabled.
 *
 * The layer needs the monitoring layer (its alarm topic): the loader refuses an environment that
 * disables monitoring and keeps notification enabled. See layers/12-notification/README.md.
 */
import { z } from "zod";
import { functionFields, logRetention, matching, wholeNumberOr } from "../../core/config/fields";
import type { PlatformConfig } from "../../core/config/types";
import type { Rule, SemanticIssue } from "../../core/config/types";
import { SEVERITIES, type Severity } from "../10-monitoring/config";
import { blueGreenServices } from "../07-application/config";
import type { LayerConfig } from "../../core/layer-descriptor";
import { layerOn, whenLayerOn } from "../../core/config/layer-switch";

const SECTION = ["notification"] as const;

/** A Slack workspace (team) id: `T` and upper-case letters or digits, e.g. T01ABCDEF2G. */
export const SLACK_WORKSPACE_ID_RE = /^T[A-Z0-9]{6,20}$/;
/** A Slack channel id: `C` (channels) or `G` (older private channels) and upper-case letters or digits. */
export const SLACK_CHANNEL_ID_RE = /^[CG][A-Z0-9]{6,20}$/;
/** A pragmatic e-mail address: local part, `@`, a domain of two or more DNS labels. */
export const EMAIL_RE =
  /^(?=.{3,254}$)[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
/** An AWS managed policy name, optionally with its path (`service-role/...`). */
export const MANAGED_POLICY_NAME_RE = /^(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}$/;

export const SLACK_MODES = ["chatbot", "webhook"] as const;
export const WEBHOOK_FORMATS = ["slack", "teams"] as const;
export const CHATBOT_LOGGING_LEVELS = ["ERROR", "INFO", "NONE"] as const;

/** How a task stops (`stopCode` of "ECS Task State Change" events). */
export const ECS_STOP_CODES = [
  "TaskFailedToStart",
  "EssentialContainerExited",
  "UserInitiated",
  "ServiceSchedulerInitiated",
  "SpotInterruption",
  "TerminationNotice",
] as const;

/** RDS event categories (`detail.EventCategories` of RDS events). */
export const RDS_EVENT_CATEGORIES = [
  "availability",
  "backtrack",
  "backup",
  "configuration change",
  "creation",
  "deletion",
  "failover",
  "failure",
  "global-failover",
  "low storage",
  "maintenance",
  "notification",
  "read replica",
  "recovery",
  "restoration",
  "security",
  "security patching",
  "serverless",
] as const;

/** The event kinds the layer may route to the alarm topic; keys of the contract's event_rule_arns. */
export const NOTIFICATION_EVENT_KINDS = [
  "ecs-deployment-failed",
  "ecs-task-stopped",
  "rds-event",
  "ecs-deployment-completed",
  "codedeploy-deployment",
] as const;

/** States of "CodeDeploy Deployment State-change Notification" events (`detail.state`). */
export const CODEDEPLOY_STATES = ["START", "SUCCESS", "FAILURE", "STOP", "READY"] as const;
export type NotificationEventKind = (typeof NOTIFICATION_EVENT_KINDS)[number];

/**
 * AWS managed policies that let a chat channel change things; the kit's channel only reads alarms,
 * so its guardrails must not be one of these (or any `...FullAccess`).
 */
const WRITE_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AWSSupportAccess"];

const WORKSPACE_ERROR =
  "a Slack workspace (team) id such as T01ABCDEF2G (T, then upper-case letters and digits; the Chatbot console shows it once the workspace is authorized)";
const CHANNEL_ERROR =
  "a Slack channel id such as C01ABCDEF2G (C or G, then upper-case letters and digits; in Slack: channel details, at the bottom; not the channel name)";
const EMAIL_ERROR = "an e-mail address such as ops@example.com";

/** An E.164 phone number: +, a country code not starting with 0, at most 15 digits in all, no spaces. */
export const E164_RE = /^\+[1-9][0-9]{6,14}$/;
const E164_ERROR = "a phone number in E.164 format: +, country code and number, digits only, such as +12065550100";
/** An https URL SNS can deliver to: a host name, no credentials in the authority part. */
export const HTTPS_ENDPOINT_RE = /^https:\/\/[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:\/[^\s]*)?$/;
const HTTPS_ERROR = "an https URL of a paging service's SNS integration, such as https://events.pagerduty.com/integration/<key>/enqueue";

/** Where a severity's alarms can go. */
export const NOTIFICATION_CHANNELS = ["slack", "email", "sms", "page"] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** The default routing: WARNING to chat, ERROR also to the on-call phones, CRITICAL to the phones and the pager. */
export const DEFAULT_ROUTING: Readonly<Record<Severity, readonly NotificationChannel[]>> = {
  WARNING: ["slack"],
  ERROR: ["slack", "sms"],
  CRITICAL: ["sms", "page"],
};

const route = (severity: Severity) =>
  z
    .array(z.enum(NOTIFICATION_CHANNELS, { error: `a notification channel: one of ${NOTIFICATION_CHANNELS.join(", ")}` }), {
      error: "a list of channels",
    })
    .min(1, { error: "at least one channel (an alarm nobody hears is no alarm)" })
    .default([...DEFAULT_ROUTING[severity]])
    .describe(`Channels the ${severity} topic is delivered to. Default: [${DEFAULT_ROUTING[severity].join(", ")}].`);

const ChatbotSchema = z
  .strictObject({
    guardrailPolicies: z
      .array(
        z
          .string({ error: "an AWS managed policy name such as CloudWatchReadOnlyAccess" })
          .regex(MANAGED_POLICY_NAME_RE, { error: "an AWS managed policy name such as CloudWatchReadOnlyAccess (a name, not an ARN)" }),
        { error: "a list of AWS managed policy names" },
      )
      .min(1, { error: "at least one guardrail policy (without one, Chatbot applies AdministratorAccess)" })
      .max(5, { error: "at most 5 guardrail policies" })
      .default(["CloudWatchReadOnlyAccess"])
      .describe(
        "AWS managed policies capping what anyone may do through the channel (Chatbot's guardrails), by name. " +
          "Without guardrails Chatbot applies AdministratorAccess, so the kit always sets them; write access is refused. Default: [CloudWatchReadOnlyAccess].",
      ),
    loggingLevel: z
      .enum(CHATBOT_LOGGING_LEVELS)
      .default("ERROR")
      .describe("What Chatbot logs to CloudWatch Logs (/aws/chatbot/<configuration> in us-east-1): ERROR, INFO or NONE. Default: ERROR."),
  })
  .prefault({})
  .describe("Options of slack.mode chatbot.");

const WebhookSchema = z
  .strictObject({
    format: z
      .enum(WEBHOOK_FORMATS)
      .default("slack")
      .describe(
        "Payload posted to the webhook: slack (Slack incoming webhook, Block Kit) or teams (a Microsoft Teams workflow webhook, Adaptive Card). Default: slack.",
      ),
    memoryMb: functionFields.memoryMb(1024, 128).describe("Memory of the webhook function in MB (128-1024). Default: 128."),
    timeoutSeconds: functionFields
      .timeoutSeconds(3, 60, 15)
      .describe(
        "Timeout of the webhook function in seconds (3-60); the parameter read and the POST give up one second before it. Default: 15.",
      ),
    urlCacheSeconds: wholeNumberOr(0, 3600, "a cache time in seconds", 300).describe(
      "How long a running function keeps the webhook URL before reading the parameter again (0: every message). A new URL takes effect within this time. Default: 300.",
    ),
    logLevel: functionFields.logLevel.describe("Lowest level the function logs (JSON lines; never the webhook URL). Default: INFO."),
    logRetentionDays: logRetention.optional().describe("Retention of the function's log group. Default: logging.retentionDays."),
  })
  .prefault({})
  .describe("Options of slack.mode webhook (the function in functions/webhook).");

const SlackSchema = z
  .strictObject({
    mode: z
      .enum(SLACK_MODES)
      .default("chatbot")
      .describe(
        "chatbot: AWS Chatbot posts the alarm topic to the channel (authorize the workspace once in the Chatbot console). webhook: a function posts it to an incoming webhook URL kept in Parameter Store. Default: chatbot.",
      ),
    workspaceId: matching(SLACK_WORKSPACE_ID_RE, WORKSPACE_ERROR)
      .optional()
      .describe("Slack workspace (team) id, T... (mode chatbot; required there)."),
    channelId: matching(SLACK_CHANNEL_ID_RE, CHANNEL_ERROR)
      .optional()
      .describe("Slack channel id, C... (mode chatbot; required there). Invite the Chatbot app to a private channel."),
    chatbot: ChatbotSchema,
    webhook: WebhookSchema,
  })
  .describe("Alarms to a Slack channel (AWS Chatbot or a webhook function). Omitted: no Slack delivery.");

const EventsSchema = z
  .strictObject({
    ecsDeploymentFailed: z
      .boolean()
      .default(true)
      .describe(
        "ECS deployments of the cluster that fail (SERVICE_DEPLOYMENT_FAILED: the circuit breaker rolled back). Only with the application layer. Default: true.",
      ),
    ecsTaskStopped: z
      .strictObject({
        enabled: z
          .boolean()
          .describe(
            "Tasks of the cluster that stop unexpectedly (not scale-in or deployment replacement). Only with the application layer. Tier default: dev false (crash loops while developing are expected), staging and prod true.",
          ),
        ignoredStopCodes: z
          .array(z.enum(ECS_STOP_CODES))
          .default(["UserInitiated"])
          .describe(
            "Stop codes that are not reported (tasks stopped by scale-in or by a deployment are never reported). Default: [UserInitiated].",
          ),
      })
      .describe("Stopped ECS tasks (the tier preset always supplies enabled)."),
    ecsDeploymentCompleted: z
      .boolean()
      .default(false)
      .describe(
        "ECS deployments of the cluster's rolling services that complete (SERVICE_DEPLOYMENT_COMPLETED: the service reached a steady state): deployment outcomes, not only failures. Only with the application layer. Default: false.",
      ),
    codeDeploy: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "Blue/green deployments of the application's CodeDeploy application that reach one of `states`. Needs a service with deployment: blue-green. Default: false.",
          ),
        states: z
          .array(z.enum(CODEDEPLOY_STATES, { error: `a CodeDeploy deployment state: one of ${CODEDEPLOY_STATES.join(", ")}` }), {
            error: "a list of deployment states",
          })
          .min(1, { error: "at least one deployment state" })
          .default(["SUCCESS", "FAILURE", "STOP"])
          .describe("Deployment states reported (detail.state). Default: SUCCESS, FAILURE, STOP (every outcome, no progress noise)."),
      })
      .prefault({})
      .describe("CodeDeploy blue/green deployment outcomes (CodeDeploy Deployment State-change Notification) to the alarm topic."),
    rds: z
      .strictObject({
        enabled: z
          .boolean()
          .default(true)
          .describe("RDS cluster and instance events of the database. Only with the database layer. Default: true."),
        categories: z
          .array(z.enum(RDS_EVENT_CATEGORIES))
          .min(1, { error: "at least one RDS event category" })
          .default(["availability", "failover", "failure", "low storage", "maintenance", "recovery"])
          .describe("RDS event categories reported. Default: availability, failover, failure, low storage, maintenance, recovery."),
      })
      .prefault({})
      .describe("RDS events of the database's cluster and instances."),
  })
  .describe("Platform events sent to the alarm topic by EventBridge rules, as readable messages.");

export const NotificationSchema = z
  .strictObject({
    slack: SlackSchema.optional(),
    email: z
      .strictObject({
        addresses: z
          .array(matching(EMAIL_RE, EMAIL_ERROR), { error: "a list of e-mail addresses" })
          .max(50, { error: "at most 50 e-mail addresses (use a distribution list)" })
          .default([])
          .describe("One SNS e-mail subscription per address; each must be confirmed from the mail SNS sends. Default: none."),
      })
      .prefault({})
      .describe("E-mail delivery of the alarm topic."),
    sms: z
      .strictObject({
        numbers: z
          .array(z.string({ error: E164_ERROR }).regex(E164_RE, { error: E164_ERROR }), { error: "a list of phone numbers" })
          .max(20, { error: "at most 20 phone numbers (SMS is billed per message and recipient)" })
          .default([])
          .describe(
            "On-call phone numbers (E.164) subscribed with the SNS sms protocol to the topics notification.routing sends to sms. Personal data: kept in the " +
              "environment file, the Terraform state and the SNS subscription; see docs/layers/notification.md. Needs monitoring.severityTopics. Default: none.",
          ),
      })
      .prefault({})
      .describe(
        "SMS delivery (Amazon SNS text messages; the account must be out of the SMS sandbox, with an origination identity where the country requires one).",
      ),
    page: z
      .strictObject({
        endpoints: z
          .array(matching(HTTPS_ENDPOINT_RE, HTTPS_ERROR), { error: "a list of https URLs" })
          .max(5, { error: "at most 5 paging endpoints" })
          .default([])
          .describe(
            "Integration URLs of a paging service (PagerDuty's Amazon CloudWatch integration, Opsgenie, ...), subscribed with the SNS https protocol to the topics " +
              "notification.routing sends to page. The URL carries the integration key: keep the file access-controlled. Needs monitoring.severityTopics. Default: none.",
          ),
        autoConfirms: z
          .boolean()
          .default(true)
          .describe(
            "The endpoint confirms the subscription itself (PagerDuty and Opsgenie do); false: Terraform leaves it pending until someone visits the SubscribeURL. Default: true.",
          ),
      })
      .prefault({})
      .describe("Paging: SNS https subscriptions to a paging service."),
    routing: z
      .strictObject({ WARNING: route("WARNING"), ERROR: route("ERROR"), CRITICAL: route("CRITICAL") })
      .prefault({})
      .describe(
        "Channels per alarm severity, used with monitoring.severityTopics (one topic per severity): each topic is delivered to the channels of its severity; " +
          "every channel named must be configured and every configured channel named somewhere.",
      ),
    events: EventsSchema,
  })
  // No prefault: the tier preset always supplies notification.events.ecsTaskStopped.enabled.
  .describe(
    "Alarm delivery to Slack and e-mail, deployment events (layer 12). Switch the layer off with layers: { notification: { enabled: false } }.",
  );

export type NotificationConfig = z.output<typeof NotificationSchema>;

/** The event kinds that get a rule: enabled in config and their source layer enabled. */
export function notificationEventKinds(cfg: PlatformConfig): NotificationEventKind[] {
  const { events } = cfg.notification;
  const kinds: NotificationEventKind[] = [];
  if (layerOn(cfg, "application") && events.ecsDeploymentFailed) kinds.push("ecs-deployment-failed");
  if (layerOn(cfg, "application") && events.ecsTaskStopped.enabled) kinds.push("ecs-task-stopped");
  if (layerOn(cfg, "database") && events.rds.enabled) kinds.push("rds-event");
  if (layerOn(cfg, "application") && events.ecsDeploymentCompleted) kinds.push("ecs-deployment-completed");
  if (layerOn(cfg, "application") && events.codeDeploy.enabled) kinds.push("codedeploy-deployment");
  return kinds;
}

/** The channels that deliver alarms (configured ones); keys of the contract's channels. */
export function notificationChannels(cfg: PlatformConfig): NotificationChannel[] {
  const { slack, email, sms, page } = cfg.notification;
  return NOTIFICATION_CHANNELS.filter((c) =>
    c === "slack" ? !!slack : c === "email" ? email.addresses.length > 0 : c === "sms" ? sms.numbers.length > 0 : page.endpoints.length > 0,
  );
}

/**
 * The channels each severity's topic is delivered to: notification.routing with
 * monitoring.severityTopics (only configured channels: the rules refuse others), else every
 * configured channel for every severity (they share the one topic).
 */
export function notificationRouting(cfg: PlatformConfig): Record<Severity, NotificationChannel[]> {
  const configured = notificationChannels(cfg);
  const of = (severity: Severity) =>
    cfg.monitoring.severityTopics
      ? NOTIFICATION_CHANNELS.filter((c) => cfg.notification.routing[severity].includes(c) && configured.includes(c))
      : configured;
  return { WARNING: of("WARNING"), ERROR: of("ERROR"), CRITICAL: of("CRITICAL") };
}

/** Where a channel is configured (for refusals). */
const CHANNEL_KEY: Record<NotificationChannel, { path: string[]; what: string }> = {
  slack: { path: ["slack"], what: "notification.slack" },
  email: { path: ["email", "addresses"], what: "notification.email.addresses" },
  sms: { path: ["sms", "numbers"], what: "notification.sms.numbers" },
  page: { path: ["page", "endpoints"], what: "notification.page.endpoints" },
};

/**
 * Severity routing: with one topic per severity, every routed channel is configured and every
 * configured channel is routed; without, no SMS or paging (every WARNING would reach the phones).
 */
const routingRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const configured = notificationChannels(cfg);
  if (!cfg.monitoring.severityTopics) {
    for (const c of ["sms", "page"] as const) {
      if (configured.includes(c)) {
        issues.push({
          path: [...SECTION, ...CHANNEL_KEY[c].path],
          expected: `no ${c === "sms" ? "SMS numbers" : "paging endpoints"} unless monitoring.severityTopics is true (with one alarm topic every WARNING would reach them)`,
          hint: "set monitoring.severityTopics: true and route the channel in notification.routing",
        });
      }
    }
    return issues;
  }
  for (const severity of SEVERITIES) {
    cfg.notification.routing[severity].forEach((c, i) => {
      if (!configured.includes(c)) {
        issues.push({
          path: [...SECTION, "routing", severity, i],
          expected: `a configured channel (${c} needs ${CHANNEL_KEY[c].what}); configured: ${configured.join(", ") || "none"}`,
          found: JSON.stringify(c),
        });
      }
      if (cfg.notification.routing[severity].indexOf(c) !== i) {
        issues.push({ path: [...SECTION, "routing", severity, i], expected: "each channel once", found: `duplicate ${JSON.stringify(c)}` });
      }
    });
  }
  for (const c of configured) {
    if (!SEVERITIES.some((severity) => cfg.notification.routing[severity].includes(c))) {
      issues.push({
        path: [...SECTION, ...CHANNEL_KEY[c].path],
        expected: `a channel notification.routing sends at least one severity to (${c} is configured but routed nowhere)`,
        hint: `add ${c} to notification.routing.WARNING, ERROR or CRITICAL, or remove it`,
      });
    }
  }
  return issues;
};

/** The whole layer delivers monitoring's alarm topic. */
const monitoringRule: Rule = (cfg) =>
  layerOn(cfg, "monitoring")
    ? []
    : [
        {
          path: ["layers", "notification", "enabled"],
          expected: "false when the monitoring layer is disabled (notification delivers the monitoring layer's alarm topic)",
          found: "the notification layer enabled",
        },
      ];

/** Chatbot needs the workspace and the channel; the webhook mode must not name ids it never uses. */
const slackRule: Rule = (cfg) => {
  const slack = cfg.notification.slack;
  if (!slack) return [];
  const path = [...SECTION, "slack"];
  const issues: SemanticIssue[] = [];
  if (slack.mode === "chatbot") {
    if (!slack.workspaceId) issues.push({ path: [...path, "workspaceId"], expected: `${WORKSPACE_ERROR} (slack.mode is chatbot)` });
    if (!slack.channelId) issues.push({ path: [...path, "channelId"], expected: `${CHANNEL_ERROR} (slack.mode is chatbot)` });
  } else {
    for (const key of ["workspaceId", "channelId"] as const) {
      if (slack[key] !== undefined) {
        issues.push({
          path: [...path, key],
          expected: "no Slack ids with slack.mode webhook (the channel is the one the webhook URL posts to)",
          hint: "remove the key, or set slack.mode: chatbot",
        });
      }
    }
  }
  return issues;
};

/** The webhook function runs in the app subnets and posts to the internet: NAT and HTTPS egress. */
const webhookEgressRule: Rule = (cfg) => {
  if (cfg.notification.slack?.mode !== "webhook") return [];
  if (cfg.network.nat === "none") {
    return [
      {
        path: ["network", "nat"],
        expected: "per-az or single (notification.slack.mode is webhook: the function posts to the webhook on the internet through NAT)",
      },
    ];
  }
  if (!cfg.security.egress.internetHttps) {
    return [
      {
        path: ["security", "egress", "internetHttps"],
        expected: "true (notification.slack.mode is webhook: the function posts to the webhook over HTTPS on the internet)",
      },
    ];
  }
  return [];
};

/** Guardrails cap the channel; the kit's channel only reads, so no policy that writes. */
const guardrailRule: Rule = (cfg) => {
  const slack = cfg.notification.slack;
  if (!slack || slack.mode !== "chatbot") return [];
  const issues: SemanticIssue[] = [];
  slack.chatbot.guardrailPolicies.forEach((name, i) => {
    const base = name.split("/").pop() ?? name;
    if (WRITE_POLICIES.includes(base) || /FullAccess$/.test(base)) {
      issues.push({
        path: [...SECTION, "slack", "chatbot", "guardrailPolicies", i],
        expected:
          "a read-only AWS managed policy such as CloudWatchReadOnlyAccess or ReadOnlyAccess (guardrails cap what anyone may do through the channel, which only shows alarms)",
      });
    }
    if (slack.chatbot.guardrailPolicies.indexOf(name) !== i) {
      issues.push({
        path: [...SECTION, "slack", "chatbot", "guardrailPolicies", i],
        expected: "each policy once",
        found: `duplicate ${JSON.stringify(name)}`,
      });
    }
  });
  return issues;
};

/** Each address once (case-insensitive: SNS would subscribe the same mailbox twice). */
const uniqueListsRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const seen: string[] = [];
  cfg.notification.email.addresses.forEach((address, i) => {
    if (seen.includes(address.toLowerCase())) {
      issues.push({
        path: [...SECTION, "email", "addresses", i],
        expected: "each e-mail address once",
        found: `duplicate ${JSON.stringify(address)}`,
      });
    }
    seen.push(address.toLowerCase());
  });
  const lists: [readonly (string | number)[], readonly string[]][] = [
    [[...SECTION, "sms", "numbers"], cfg.notification.sms.numbers],
    [[...SECTION, "page", "endpoints"], cfg.notification.page.endpoints],
    [[...SECTION, "events", "rds", "categories"], cfg.notification.events.rds.categories],
    [[...SECTION, "events", "ecsTaskStopped", "ignoredStopCodes"], cfg.notification.events.ecsTaskStopped.ignoredStopCodes],
    [[...SECTION, "events", "codeDeploy", "states"], cfg.notification.events.codeDeploy.states],
  ];
  for (const [path, list] of lists) {
    list.forEach((v, i) => {
      if (list.indexOf(v) !== i) issues.push({ path: [...path, i], expected: "each entry once", found: `duplicate ${JSON.stringify(v)}` });
    });
  }
  return issues;
};

/** CodeDeploy events come only from blue/green services' deployments: refuse a rule that can never fire. */
const codeDeployEventsRule: Rule = (cfg) => {
  if (!layerOn(cfg, "application")) return [];
  const { events } = cfg.notification;
  const blueGreen = blueGreenServices(cfg).length;
  const issues: SemanticIssue[] = [];
  if (events.codeDeploy.enabled && !blueGreen) {
    issues.push({
      path: [...SECTION, "events", "codeDeploy", "enabled"],
      expected: "false, or a service with deployment: blue-green (only blue/green services deploy through CodeDeploy)",
      found: "true without a blue-green service",
    });
  }
  // Services on the CODE_DEPLOY controller send no ECS deployment state changes: their outcomes are CodeDeploy's.
  if (events.ecsDeploymentCompleted && Object.keys(cfg.services).length === blueGreen) {
    issues.push({
      path: [...SECTION, "events", "ecsDeploymentCompleted"],
      expected: "false when every service deploys blue/green (their outcomes come from CodeDeploy: set events.codeDeploy.enabled)",
      found: "true without a rolling service",
    });
  }
  return issues;
};

/**
 * The layer's part of the configuration (layer.ts declares it): its top-level sections and its
 * cross-field rules (see core/config/semantic.ts), checked where the layer is on.
 */
export const notificationConfig: LayerConfig<{ notification: typeof NotificationSchema }> = {
  sections: { notification: NotificationSchema },
  rules: whenLayerOn("notification", [
    monitoringRule,
    slackRule,
    webhookEgressRule,
    guardrailRule,
    uniqueListsRule,
    routingRule,
    codeDeployEventsRule,
  ]),
};
