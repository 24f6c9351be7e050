/** Layer 07 application: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { applicationContract } from "./contract";
import { ApplicationSchema, applicationRules } from "./config";
import { deliveryRules } from "./delivery";
import { collectorRules } from "./telemetry";

export const applicationLayer = defineLayer({
  name: "application",
  description: "ECR repositories, ECS cluster, task definitions, services, ALB, autoscaling",
  contract: () => applicationContract,
  sections: { application: ApplicationSchema },
  rules: [...applicationRules, ...deliveryRules, ...collectorRules],
});
