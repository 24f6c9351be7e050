/**
 * Field schemas shared by the configuration sections (CIDRs, ports, names, ARNs, retention).
 * Custom error texts are phrased as what is expected; the loader adds what it found.
 */
import { z } from "zod";
import { LOG_RETENTION_DAYS } from "./constants";

export const NAME_RE = /^[a-z][a-z0-9-]*[a-z0-9]$/;

export const cidr = z
  .string({ error: "an IPv4 CIDR block such as 10.0.0.0/16" })
  .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, { error: "an IPv4 CIDR block such as 10.0.0.0/16" });

export const logRetention = z
  .number({ error: "a CloudWatch Logs retention in days" })
  .refine((n) => (LOG_RETENTION_DAYS as readonly number[]).includes(n), {
    error: `one of the retention periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`,
  })
  // The refine is invisible to JSON Schema; the enum lets editors check the value too.
  .meta({ enum: [...LOG_RETENTION_DAYS] });

export const port = z
  .number({ error: "a TCP port number" })
  .int({ error: "a whole port number" })
  .min(1, { error: "a port between 1 and 65535" })
  .max(65535, { error: "a port between 1 and 65535" });

export const iamRoleArn = z
  .string({ error: "an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)" })
  .regex(/^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,64}$/, {
    error: "an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
  });

/** An AWS managed WAF rule group, with the rules of it switched to count mode (security.waf and frontend.cloudFront.waf). */
export const WafRuleGroupSchema = z.strictObject({
  name: z.string().regex(/^AWSManagedRules[A-Za-z0-9]+$/, { error: "an AWS managed rule group name (AWSManagedRules...)" }),
  excludedRules: z.array(z.string()).default([]).describe("Rules of the group switched to count mode."),
});

export const s3BucketName = z
  .string({ error: "an S3 bucket name" })
  .min(3, { error: "an S3 bucket name of 3 to 63 characters" })
  .max(63, { error: "an S3 bucket name of 3 to 63 characters" })
  .regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, {
    error: "an S3 bucket name: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit",
  });

/** A bound of a whole number with the text that refuses a value beyond it. */
export type IntBound = readonly [limit: number, error: string];

/**
 * A whole number: `type` refuses a value that is no number, `whole` one with a fraction, and each
 * bound carries its own text (no bound: unlimited on that side).
 */
export function wholeNumber(type: string, whole: string, min?: IntBound, max?: IntBound): z.ZodNumber {
  let schema = z.number({ error: type }).int({ error: whole });
  if (min) schema = schema.min(min[0], { error: min[1] });
  if (max) schema = schema.max(max[0], { error: max[1] });
  return schema;
}

/** A whole number from `min` to `max` (no max: unlimited) refused with the one text `error`. */
export function wholeRange(error: string, min: number, max?: number): z.ZodNumber {
  return wholeNumber(error, error, [min, error], max === undefined ? undefined : [max, error]);
}

/** A whole number from `min` to `max`, refused as "<what>: a whole number from <min> to <max>". */
export function wholeNumberIn(min: number, max: number, what: string): z.ZodNumber {
  return wholeRange(`${what}: a whole number from ${min} to ${max}`, min, max);
}

/** wholeNumberIn(min, max, what) that defaults to `fallback` when the key is left out. */
export function wholeNumberOr(min: number, max: number, what: string, fallback: number): z.ZodDefault<z.ZodNumber> {
  return wholeNumberIn(min, max, what).default(fallback);
}

/** The settings every function the kit packages takes alike (layers 06, 09, 12), each to be described by its layer. */
export const functionFields = {
  /** Instruction set (plain JavaScript runs on either). Default: arm64 (Graviton). */
  architecture: z.enum(["arm64", "x86_64"]).default("arm64"),
  /** Lowest level the function logs (functions/shared). Default: INFO. */
  logLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]).default("INFO"),
  /** Memory in MB, from Lambda's 128 to `max`, defaulting to `fallback`. */
  memoryMb: (max: number, fallback: number): z.ZodDefault<z.ZodNumber> => wholeNumberOr(128, max, "a memory size in MB", fallback),
  /** Timeout in seconds, from `min` to `max`, defaulting to `fallback`. */
  timeoutSeconds: (min: number, max: number, fallback: number): z.ZodDefault<z.ZodNumber> =>
    wholeNumberOr(min, max, "a timeout in seconds", fallback),
};

/** A string matching `re`, refused with the one text `error` (no string, or no match). */
export function matching(re: RegExp, error: string): z.ZodString {
  return z.string({ error }).regex(re, { error });
}
