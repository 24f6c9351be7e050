/** Configuration of layer 09 native: AWS-native application services. */
import { z } from "zod";
import type { Rule } from "../semantic";

export const NativeSchema = z
  .strictObject({})
  .prefault({})
  .describe("S3 buckets, SQS queues, SNS topics, SES, EventBridge, Cognito (layer 09).");

/** Cross-field rules of the native section (see ../semantic.ts). */
export const nativeRules: readonly Rule[] = [];
