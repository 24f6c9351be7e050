import { notificationChannels, notificationEventKinds, notificationRouting } from "./config";
import { map, mockArn, type Contract } from "../../core/contracts/types";

/** Outputs of layer 12 notification. */
export const notificationContract = {
  channels: map(
    "What delivers the alarm topics, keyed by channel: slack (the AWS Chatbot channel configuration ARN, or the webhook function ARN), email (the subscribed addresses, comma-separated), " +
      "sms and page (how many numbers / endpoints: the numbers are personal data and the URLs carry integration keys, so outputs do not repeat them); a channel not configured is absent.",
    (cfg) => {
      const prefix = `${cfg.project}-${cfg.environment}`;
      const slack = cfg.notification.slack;
      const values: Record<string, string> = {
        slack:
          slack?.mode === "webhook"
            ? mockArn(cfg, "lambda", `function:${prefix}-notification-webhook`)
            : mockArn(cfg, "chatbot", `chat-configuration/slack-channel/${prefix}-alarms`, { global: true }),
        email: cfg.notification.email.addresses.join(","),
        sms: `${cfg.notification.sms.numbers.length} number(s)`,
        page: `${cfg.notification.page.endpoints.length} endpoint(s)`,
      };
      return Object.fromEntries(notificationChannels(cfg).map((channel) => [channel, values[channel]]));
    },
  ),
  routing: map(
    "Channels each severity's alarms reach (WARNING, ERROR, CRITICAL), comma-separated: notification.routing with monitoring.severityTopics, else every configured channel.",
    (cfg) => Object.fromEntries(Object.entries(notificationRouting(cfg)).map(([severity, channels]) => [severity, channels.join(",")])),
  ),
  event_rule_arns: map(
    "EventBridge rule ARN by event kind (ecs-deployment-failed, ecs-task-stopped, rds-event); a kind that is switched off, or whose layer is disabled, is absent.",
    (cfg) =>
      Object.fromEntries(
        notificationEventKinds(cfg).map((kind) => [kind, mockArn(cfg, "events", `rule/${cfg.project}-${cfg.environment}-${kind}`)]),
      ),
  ),
} satisfies Contract;
