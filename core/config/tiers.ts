/**
 * Tier presets: the defaults an environment gets from its `tier` before its own YAML applies.
 * This is the only place tiers differ in code; layers read the resulting config fields and never
 * ask which environment they are in (DESIGN rule 4). Order of precedence, lowest first:
 * schema defaults < tier preset < extends parents < the environment file.
 */
import type { PlatformConfigInput, Tier } from "./types";
import type { AmplifyStage, PriceClass } from "../../layers/11-frontend/config";

type Preset = Pick<PlatformConfigInput, "protection" | "logging"> & {
  network: Pick<NonNullable<PlatformConfigInput["network"]>, "nat" | "interfaceEndpoints">;
  security: { kms: { deletionWindowDays: number } };
  /** Reserved concurrency of the GenAI function (also caps its Bedrock spend). */
  genai: { reservedConcurrency: number };
  /** Backup retention (days) and the Aurora Serverless v2 maximum (ACUs). */
  database: { backup: { retentionDays: number }; serverless: { maxCapacity: number } };
  /** Redis nodes and snapshot retention (days); used only when cache.enabled. */
  cache: { nodes: number; snapshotRetentionDays: number };
  /** X-Ray sampling rate (0-1) and days CloudTrail log files are kept (layer 10 monitoring). */
  monitoring: { xray: { samplingRate: number }; cloudTrail: { retentionDays: number } };
  /** CloudFront price class, access logs and WAF; Amplify branch stage (layer 11 frontend). */
  frontend: {
    cloudfront: { priceClass: PriceClass; accessLogs: { enabled: boolean }; waf: { enabled: boolean } };
    amplify: { stage: AmplifyStage };
  };
  /** Report stopped ECS tasks (layer 12 notification); crash loops while developing are expected. */
  notification: { events: { ecsTaskStopped: { enabled: boolean } } };
  /** Days noncurrent object versions are kept in the native layer's buckets (layer 09). */
  native: { versionRetentionDays: number };
  /** Fargate Spot share of services with critical: false, above their on-demand base (layer 07). */
  application: { spot: { nonCriticalPercent: number } };
};

/** Interface endpoints a Fargate platform needs to run with no NAT traffic for AWS APIs. */
const FULL_ENDPOINTS: Preset["network"]["interfaceEndpoints"] = [
  "ecr.api",
  "ecr.dkr",
  "logs",
  "ssm",
  "secretsmanager",
  "kms",
  "xray",
  "monitoring",
  "sts",
];

export const TIER_PRESETS: Readonly<Record<Tier, Preset>> = {
  dev: {
    protection: { data: false, availability: false },
    logging: { retentionDays: 30 },
    genai: { reservedConcurrency: 2 },
    network: { nat: "single", interfaceEndpoints: ["ecr.api", "ecr.dkr", "logs"] },
    security: { kms: { deletionWindowDays: 7 } },
    database: { backup: { retentionDays: 7 }, serverless: { maxCapacity: 1 } },
    cache: { nodes: 1, snapshotRetentionDays: 0 },
    monitoring: { xray: { samplingRate: 0.2 }, cloudTrail: { retentionDays: 90 } },
    frontend: {
      cloudfront: { priceClass: "PriceClass_100", accessLogs: { enabled: false }, waf: { enabled: false } },
      amplify: { stage: "DEVELOPMENT" },
    },
    notification: { events: { ecsTaskStopped: { enabled: false } } },
    native: { versionRetentionDays: 30 },
    application: { spot: { nonCriticalPercent: 100 } },
  },
  staging: {
    protection: { data: false, availability: true },
    logging: { retentionDays: 90 },
    genai: { reservedConcurrency: 5 },
    network: { nat: "per-az", interfaceEndpoints: FULL_ENDPOINTS },
    security: { kms: { deletionWindowDays: 30 } },
    database: { backup: { retentionDays: 7 }, serverless: { maxCapacity: 2 } },
    cache: { nodes: 2, snapshotRetentionDays: 1 },
    monitoring: { xray: { samplingRate: 0.1 }, cloudTrail: { retentionDays: 365 } },
    frontend: {
      cloudfront: { priceClass: "PriceClass_100", accessLogs: { enabled: true }, waf: { enabled: true } },
      amplify: { stage: "BETA" },
    },
    notification: { events: { ecsTaskStopped: { enabled: true } } },
    native: { versionRetentionDays: 90 },
    application: { spot: { nonCriticalPercent: 100 } },
  },
  prod: {
    protection: { data: true, availability: true },
    logging: { retentionDays: 365 },
    genai: { reservedConcurrency: 20 },
    network: { nat: "per-az", interfaceEndpoints: FULL_ENDPOINTS },
    security: { kms: { deletionWindowDays: 30 } },
    database: { backup: { retentionDays: 30 }, serverless: { maxCapacity: 4 } },
    cache: { nodes: 3, snapshotRetentionDays: 7 },
    monitoring: { xray: { samplingRate: 0.05 }, cloudTrail: { retentionDays: 2557 } },
    frontend: {
      cloudfront: { priceClass: "PriceClass_All", accessLogs: { enabled: true }, waf: { enabled: true } },
      amplify: { stage: "PRODUCTION" },
    },
    notification: { events: { ecsTaskStopped: { enabled: true } } },
    native: { versionRetentionDays: 365 },
    application: { spot: { nonCriticalPercent: 50 } },
  },
};

/**
 * Rules an environment of a tier must meet, checked by ./semantic.ts. They refuse a config
 * rather than silently changing it.
 */
export interface TierRules {
  /** Fewest availability zones. */
  readonly minAzs: number;
  /** protection.data must be true. */
  readonly requireDataProtection: boolean;
  /** protection.availability must be true. */
  readonly requireAvailability: boolean;
}

export const TIER_RULES: Readonly<Record<Tier, TierRules>> = {
  dev: { minAzs: 1, requireDataProtection: false, requireAvailability: false },
  staging: { minAzs: 2, requireDataProtection: false, requireAvailability: false },
  prod: { minAzs: 2, requireDataProtection: true, requireAvailability: true },
};
