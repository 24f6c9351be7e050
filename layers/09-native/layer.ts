/** Layer 09 native: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { nativeConfig } from "./config";
import { nativeContract } from "./contract";

export const nativeLayer = defineLayer({
  name: "native",
  description: "S3 document buckets, SQS queues with DLQs, SNS topics, SES, EventBridge, Cognito",
  contract: () => nativeContract,
  config: nativeConfig,
});
