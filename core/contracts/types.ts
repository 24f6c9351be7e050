/**
 * Layer contracts: the named outputs a layer publishes, each with a description and a mock value.
 * Producers emit them as TerraformOutputs; consumers read them through terraform_remote_state;
 * the offline plan harness writes the mock values into mock state so every layer plans alone.
 */
import { createHash } from "node:crypto";
import type { PlatformConfig } from "../config/types";
import { partitionOf } from "../config/regions";

export type OutputKind = "string" | "list" | "map";

export interface OutputSpec<K extends OutputKind = OutputKind> {
  readonly kind: K;
  readonly description: string;
  /** A realistic value for offline plans and tests, derived from the configuration. */
  readonly mock: (cfg: PlatformConfig) => MockValue<K>;
}

export type MockValue<K extends OutputKind> = K extends "string" ? string : K extends "list" ? string[] : Record<string, string>;

/** What a producer passes to publish() and what read() returns for an output kind. */
export type OutputValue<K extends OutputKind> = K extends "string" ? string : K extends "list" ? string[] : Record<string, string>;

export type Contract = Readonly<Record<string, OutputSpec>>;

export const str = (description: string, mock: (cfg: PlatformConfig) => string): OutputSpec<"string"> => ({
  kind: "string",
  description,
  mock,
});
export const list = (description: string, mock: (cfg: PlatformConfig) => string[]): OutputSpec<"list"> => ({
  kind: "list",
  description,
  mock,
});
export const map = (description: string, mock: (cfg: PlatformConfig) => Record<string, string>): OutputSpec<"map"> => ({
  kind: "map",
  description,
  mock,
});

/** A deterministic, AWS-shaped resource id (`subnet-0a1b...`) for mocks. */
export function mockId(prefix: string, label: string, hexLength = 17): string {
  return `${prefix}-${createHash("sha256").update(`${prefix}/${label}`).digest("hex").slice(0, hexLength)}`;
}

/** An ARN in the environment's partition, region and account, for mocks. */
export function mockArn(cfg: PlatformConfig, service: string, resource: string, opts: { global?: boolean } = {}): string {
  const region = opts.global ? "" : cfg.aws.region;
  return `arn:${partitionOf(cfg.aws.region)}:${service}:${region}:${cfg.aws.accountId}:${resource}`;
}
