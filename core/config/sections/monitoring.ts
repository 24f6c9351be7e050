/** Configuration of layer 10 monitoring: alarms, dashboards, tracing and audit. */
import { z } from "zod";
import type { Rule } from "../semantic";

export const MonitoringSchema = z
  .strictObject({})
  .prefault({})
  .describe("Alarm topic, alarms, dashboards, X-Ray, CloudTrail, GuardDuty (layer 10).");

/** Cross-field rules of the monitoring section (see ../semantic.ts). */
export const monitoringRules: readonly Rule[] = [];
