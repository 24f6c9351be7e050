/** Configuration of layer 07 application: the services map and the cluster / load balancer settings. */
import { z } from "zod";
import { port } from "../fields";
import type { Rule } from "../semantic";

/** One application service (config.services.<name>). */
export const ServiceSchema = z.strictObject({
  port: port.describe("Container port the service listens on."),
});

export const ApplicationSchema = z
  .strictObject({})
  .prefault({})
  .describe("ECS cluster, load balancer and autoscaling settings (layer 07).");

/** Cross-field rules of the application section (see ../semantic.ts). */
export const applicationRules: readonly Rule[] = [];
