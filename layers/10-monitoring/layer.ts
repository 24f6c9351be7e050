/** Layer 10 monitoring: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { monitoringConfig } from "./config";
import { monitoringContract } from "./contract";

export const monitoringLayer = defineLayer({
  name: "monitoring",
  description: "alarm topic, alarms per layer, dashboards, X-Ray, CloudTrail, log metric filters",
  contract: () => monitoringContract,
  config: monitoringConfig,
});
