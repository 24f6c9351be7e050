/**
 * Configuration of the log archive (logging.archive): CloudWatch Logs groups streamed through
 * Amazon Data Firehose into an encrypted S3 bucket whose lifecycle moves them to S3 Glacier
 * Flexible Retrieval and later expires them (modules/log-archive.ts). The layer that owns it is
 * the monitoring layer (layers/10-monitoring/README.md, "Log archive"): it reads every earlier layer and
 * already owns the log metric filters.
 */
import { z } from "zod";
import type { Rule, SemanticIssue } from "../../core/config/types";
import { wholeNumber } from "../../core/config/fields";

/** S3 Glacier Flexible Retrieval bills 90 days at least for every object stored there. */
export const GLACIER_MINIMUM_DAYS = 90;

export const LogArchiveSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe("Archive every log group of the platform to S3 (Firehose, KMS), then Glacier. Default: false."),
    glacierAfterDays: wholeNumber(
      "a number of days",
      "a whole number of days",
      [0, "0 (at once) or more days"],
      [3650, "at most 3650 days"],
    )
      .default(30)
      .describe("Days after which archived logs move to S3 Glacier Flexible Retrieval. Default: 30."),
    expireAfterDays: wholeNumber(
      "a number of days",
      "a whole number of days",
      [0, "0 (never) or a number of days"],
      [36500, "at most 36500 days"],
    )
      .default(3650)
      .describe("Days after which archived logs are deleted; 0 keeps them. Default: 3650 (10 years)."),
  })
  .prefault({})
  .describe("Log archive (CloudWatch Logs subscription -> Firehose -> S3 with KMS -> Glacier).");

export type LogArchiveConfig = z.output<typeof LogArchiveSchema>;

/** Expiry must come after the move to Glacier, and after Glacier's 90-day minimum. */
const archiveRules: Rule = (cfg) => {
  const a = cfg.logging.archive;
  const issues: SemanticIssue[] = [];
  if (a.expireAfterDays !== 0 && a.expireAfterDays < a.glacierAfterDays + GLACIER_MINIMUM_DAYS) {
    issues.push({
      path: ["logging", "archive", "expireAfterDays"],
      expected: `0 (keep) or at least ${a.glacierAfterDays + GLACIER_MINIMUM_DAYS} days (glacierAfterDays ${a.glacierAfterDays} + the ${GLACIER_MINIMUM_DAYS} days S3 Glacier Flexible Retrieval bills at least)`,
      found: `${a.expireAfterDays}`,
    });
  }
  return issues;
};

export const loggingRules: readonly Rule[] = [archiveRules];
