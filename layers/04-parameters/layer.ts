/** Layer 04 parameters: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { parametersConfig } from "./config";
import { parametersContract } from "./contract";

export const parametersLayer = defineLayer({
  name: "parameters",
  description: "SSM Parameter Store hierarchy /<project>/<env>/... for application configuration",
  contract: () => parametersContract,
  config: parametersConfig,
});
