/** Layer 11 frontend: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { frontendConfig } from "./config";
import { frontendContract } from "./contract";

export const frontendLayer = defineLayer({
  name: "frontend",
  description: "private S3 bucket + CloudFront (OAC, SPA routing, security headers, API origin), optional ACM + Route 53",
  contract: () => frontendContract,
  config: frontendConfig,
});
