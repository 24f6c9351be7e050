/** Layer 06 lambda-genai: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { lambdaGenaiConfig } from "./config";
import { lambdaGenaiContract } from "./contract";

export const lambdaGenaiLayer = defineLayer({
  name: "lambda-genai",
  description: "the GenAI function, its log group, alias and Bedrock permissions",
  contract: () => lambdaGenaiContract,
  config: lambdaGenaiConfig,
});
