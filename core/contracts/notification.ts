import { map, type Contract } from "./types";

/** Outputs of layer 12 notification. */
export const notificationContract = {
  channels: map("What delivers the alarm topic, keyed by channel (slack, email, webhook): an ARN or the subscribed addresses.", () => ({})),
  event_rule_arns: map("EventBridge rule ARN by event kind (ecs-deployment-failed, ecs-task-stopped, rds-event).", () => ({})),
} satisfies Contract;
