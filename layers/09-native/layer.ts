/** Layer 09 native: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { nativeContract } from "./contract";
import { NativeSchema, nativeRules } from "./config";

export const nativeLayer = defineLayer({
  name: "native",
  description: "S3 document buckets, SQS queues with DLQs, SNS topics, SES, EventBridge, Cognito",
  contract: () => nativeContract,
  sections: { native: NativeSchema },
  rules: nativeRules,
});
