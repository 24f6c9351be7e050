/** Configuration of layer 12 notification: delivery of alarms. */
import { z } from "zod";
import type { Rule } from "../semantic";

export const NotificationSchema = z
  .strictObject({})
  .prefault({})
  .describe("Alarm delivery to Slack and e-mail, deployment events (layer 12).");

/** Cross-field rules of the notification section (see ../semantic.ts). */
export const notificationRules: readonly Rule[] = [];
