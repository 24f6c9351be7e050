/** Layer 07 application: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { applicationConfig } from "./config";
import { applicationContract } from "./contract";

export const applicationLayer = defineLayer({
  name: "application",
  description: "ECR repositories, ECS cluster, task definitions, services, ALB, autoscaling",
  contract: () => applicationContract,
  config: applicationConfig,
});
