/** Layer 12 notification: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { notificationConfig } from "./config";
import { notificationContract } from "./contract";

export const notificationLayer = defineLayer({
  name: "notification",
  description: "delivery of the alarm topic to Slack and e-mail, deployment events",
  contract: () => notificationContract,
  config: notificationConfig,
});
