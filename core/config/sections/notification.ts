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
 * - `events`: EventBridge rules on the default bus, each only while the layer it watches is enabled.
 *
 * The layer needs the monitoring layer (its alarm topic): the loader refuses an environment that
 * disables monitoring and keeps notification enabled. See docs/layers/notification.md.
 */
import { z } from "zod";
import { logRetention } from "../fields";
import type { PlatformConfig } from "../schema";
import type { Rule, SemanticIssue } from "../semantic";

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
export const NOTIFICATION_EVENT_KINDS = ["ecs-deployment-failed", "ecs-task-stopped", "rds-event"] as const;
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

/** A whole number in [min, max], with a message naming the range and the unit. */
const intIn = (min: number, max: number, what: string) => {
  const error = `${what}: a whole number from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
};

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
      .describe("Payload posted to the webhook: slack (Slack incoming webhook, Block Kit) or teams (a Microsoft Teams workflow webhook, Adaptive Card). Default: slack."),
    memoryMb: intIn(128, 1024, "a memory size in MB").default(128).describe("Memory of the webhook function in MB (128-1024). Default: 128."),
    timeoutSeconds: intIn(3, 60, "a timeout in seconds")
      .default(15)
      .describe("Timeout of the webhook function in seconds (3-60); the parameter read and the POST give up one second before it. Default: 15."),
    urlCacheSeconds: intIn(0, 3600, "a cache time in seconds")
      .default(300)
      .describe("How long a running function keeps the webhook URL before reading the parameter again (0: every message). A new URL takes effect within this time. Default: 300."),
    logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO").describe("Lowest level the function logs (JSON lines; never the webhook URL). Default: INFO."),
    logRetentionDays: logRetention.optional().describe("Retention of the function's log group. Default: logging.retentionDays."),
  })
  .prefault({})
  .describe("Options of slack.mode webhook (the function in functions/webhook).");

const SlackSchema = z
  .strictObject({
    mode: z
      .enum(SLACK_MODES)
      .default("chatbot")
      .describe("chatbot: AWS Chatbot posts the alarm topic to the channel (authorize the workspace once in the Chatbot console). webhook: a function posts it to an incoming webhook URL kept in Parameter Store. Default: chatbot."),
    workspaceId: z
      .string({ error: WORKSPACE_ERROR })
      .regex(SLACK_WORKSPACE_ID_RE, { error: WORKSPACE_ERROR })
      .optional()
      .describe("Slack workspace (team) id, T... (mode chatbot; required there)."),
    channelId: z
      .string({ error: CHANNEL_ERROR })
      .regex(SLACK_CHANNEL_ID_RE, { error: CHANNEL_ERROR })
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
      .describe("ECS deployments of the cluster that fail (SERVICE_DEPLOYMENT_FAILED: the circuit breaker rolled back). Only with the application layer. Default: true."),
    ecsTaskStopped: z
      .strictObject({
        enabled: z
          .boolean()
          .describe("Tasks of the cluster that stop unexpectedly (not scale-in or deployment replacement). Only with the application layer. Tier default: dev false (crash loops while developing are expected), staging and prod true."),
        ignoredStopCodes: z
          .array(z.enum(ECS_STOP_CODES))
          .default(["UserInitiated"])
          .describe("Stop codes that are not reported (tasks stopped by scale-in or by a deployment are never reported). Default: [UserInitiated]."),
      })
      .describe("Stopped ECS tasks (the tier preset always supplies enabled)."),
    rds: z
      .strictObject({
        enabled: z.boolean().default(true).describe("RDS cluster and instance events of the database. Only with the database layer. Default: true."),
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
          .array(z.string({ error: EMAIL_ERROR }).regex(EMAIL_RE, { error: EMAIL_ERROR }), { error: "a list of e-mail addresses" })
          .max(50, { error: "at most 50 e-mail addresses (use a distribution list)" })
          .default([])
          .describe("One SNS e-mail subscription per address; each must be confirmed from the mail SNS sends. Default: none."),
      })
      .prefault({})
      .describe("E-mail delivery of the alarm topic."),
    events: EventsSchema,
  })
  // No prefault: the tier preset always supplies notification.events.ecsTaskStopped.enabled.
  .describe("Alarm delivery to Slack and e-mail, deployment events (layer 12). Switch the layer off with layers: { notification: { enabled: false } }.");

export type NotificationConfig = z.output<typeof NotificationSchema>;

const on = (cfg: PlatformConfig, layer: "application" | "database" | "monitoring" | "notification") => cfg.layers[layer]?.enabled !== false;

/** The event kinds that get a rule: enabled in config and their source layer enabled. */
export function notificationEventKinds(cfg: PlatformConfig): NotificationEventKind[] {
  const { events } = cfg.notification;
  const kinds: NotificationEventKind[] = [];
  if (on(cfg, "application") && events.ecsDeploymentFailed) kinds.push("ecs-deployment-failed");
  if (on(cfg, "application") && events.ecsTaskStopped.enabled) kinds.push("ecs-task-stopped");
  if (on(cfg, "database") && events.rds.enabled) kinds.push("rds-event");
  return kinds;
}

/** The channels that deliver the alarm topic; keys of the contract's channels. */
export function notificationChannels(cfg: PlatformConfig): ("slack" | "email")[] {
  const { slack, email } = cfg.notification;
  return [...(slack ? (["slack"] as const) : []), ...(email.addresses.length ? (["email"] as const) : [])];
}

/** The whole layer delivers monitoring's alarm topic. */
const monitoringRule: Rule = (cfg) =>
  on(cfg, "monitoring")
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
    return [{ path: ["network", "nat"], expected: "per-az or single (notification.slack.mode is webhook: the function posts to the webhook on the internet through NAT)" }];
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
        expected: "a read-only AWS managed policy such as CloudWatchReadOnlyAccess or ReadOnlyAccess (guardrails cap what anyone may do through the channel, which only shows alarms)",
      });
    }
    if (slack.chatbot.guardrailPolicies.indexOf(name) !== i) {
      issues.push({ path: [...SECTION, "slack", "chatbot", "guardrailPolicies", i], expected: "each policy once", found: `duplicate ${JSON.stringify(name)}` });
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
      issues.push({ path: [...SECTION, "email", "addresses", i], expected: "each e-mail address once", found: `duplicate ${JSON.stringify(address)}` });
    }
    seen.push(address.toLowerCase());
  });
  const lists: [readonly (string | number)[], readonly string[]][] = [
    [[...SECTION, "events", "rds", "categories"], cfg.notification.events.rds.categories],
    [[...SECTION, "events", "ecsTaskStopped", "ignoredStopCodes"], cfg.notification.events.ecsTaskStopped.ignoredStopCodes],
  ];
  for (const [path, list] of lists) {
    list.forEach((v, i) => {
      if (list.indexOf(v) !== i) issues.push({ path: [...path, i], expected: "each entry once", found: `duplicate ${JSON.stringify(v)}` });
    });
  }
  return issues;
};

/** Cross-field rules of the notification section (see ../semantic.ts). Checked when the layer is enabled. */
export const notificationRules: readonly Rule[] = [monitoringRule, slackRule, webhookEgressRule, guardrailRule, uniqueListsRule].map(
  (rule): Rule =>
    (cfg) =>
      on(cfg, "notification") ? rule(cfg) : [],
);
