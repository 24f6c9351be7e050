/** Layer 04 parameters: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { parametersContract } from "./contract";
import { ParametersSchema, parametersRules } from "./config";

export const parametersLayer = defineLayer({
  name: "parameters",
  description: "SSM Parameter Store hierarchy /<project>/<env>/... for application configuration",
  contract: () => parametersContract,
  sections: { parameters: ParametersSchema },
  rules: parametersRules,
});
