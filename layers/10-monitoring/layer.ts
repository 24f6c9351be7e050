/** Layer 10 monitoring: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { monitoringContract } from "./contract";
import { MonitoringSchema, monitoringRules } from "./config";
import { loggingRules } from "./logging";

export const monitoringLayer = defineLayer({
  name: "monitoring",
  description: "alarm topic, alarms per layer, dashboards, X-Ray, CloudTrail, log metric filters",
  contract: () => monitoringContract,
  sections: { monitoring: MonitoringSchema },
  rules: [...monitoringRules, ...loggingRules],
});
