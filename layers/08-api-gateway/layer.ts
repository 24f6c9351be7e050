/** Layer 08 api-gateway: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { apiGatewayConfig } from "./config";
import { apiGatewayContract } from "./contract";

export const apiGatewayLayer = defineLayer({
  name: "api-gateway",
  description: "the API front door: routes to the ALB and /api/genai to the Lambda, stage, throttling, access logs, WAF",
  contract: () => apiGatewayContract,
  config: apiGatewayConfig,
});
