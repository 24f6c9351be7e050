/**
 * Deterministic resource names within AWS length and character limits.
 * A name is `<project>-<environment>-<parts...>`; when it is too long for the resource kind it is
 * cut and suffixed with 6 hex characters of its SHA-256, so the same input always gives the same
 * name and two long names that share a prefix still differ.
 */
import { createHash } from "node:crypto";

export interface NameRule {
  /** Maximum length AWS accepts. */
  readonly max: number;
  /** Lower-case only (S3 buckets, ECR repositories). */
  readonly lowercase?: boolean;
  /** Characters allowed besides letters, digits and hyphens. */
  readonly extra?: string;
}

/** Limits per resource kind, from the AWS documentation of each service. */
export const NAME_RULES = {
  alb: { max: 32 },
  targetGroup: { max: 32 },
  iamRole: { max: 64, extra: "_+=,.@" },
  iamPolicy: { max: 128, extra: "_+=,.@" },
  s3Bucket: { max: 63, lowercase: true },
  securityGroup: { max: 255, extra: "_." },
  kmsAlias: { max: 250, extra: "_/" },
  logGroup: { max: 512, extra: "_/.#" },
  lambda: { max: 64, extra: "_" },
  sqs: { max: 80, extra: "_" },
  sns: { max: 256, extra: "_" },
  ecsCluster: { max: 255, extra: "_" },
  ecr: { max: 256, lowercase: true, extra: "_./" },
  dynamodbTable: { max: 255, extra: "_." },
  wafAcl: { max: 128, extra: "_" },
  flowLog: { max: 255, extra: "_" },
  generic: { max: 255, extra: "_" },
} as const satisfies Record<string, NameRule>;

export type NameKind = keyof typeof NAME_RULES;

const HASH_LEN = 6;

/** Makes `text` fit `rule`: strips refused characters, lower-cases where required, cuts with a hash. */
export function fitName(text: string, rule: NameRule): string {
  const extra = (rule.extra ?? "").replace(/[\\\]^-]/g, "\\$&");
  const refused = new RegExp(`[^a-zA-Z0-9${extra}-]+`, "g");
  let name = text
    .replace(refused, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
  if (rule.lowercase) name = name.toLowerCase();
  if (name.length <= rule.max) return name;
  const hash = createHash("sha256").update(text).digest("hex").slice(0, HASH_LEN);
  const head = name.slice(0, rule.max - HASH_LEN - 1).replace(/[-_.]+$/, "");
  return `${head}-${hash}`;
}

/** Names for one environment of one project. */
export class Naming {
  /** `<project>-<environment>`. */
  readonly prefix: string;

  constructor(
    readonly project: string,
    readonly environment: string,
  ) {
    this.prefix = `${project}-${environment}`;
  }

  /** `<project>-<environment>-<parts...>` fitted to the rules of `kind`. */
  name(kind: NameKind, ...parts: string[]): string {
    return fitName([this.prefix, ...parts].filter(Boolean).join("-"), NAME_RULES[kind]);
  }

  /** A globally unique S3 bucket name: `<project>-<environment>-<purpose>-<account>`. */
  bucket(purpose: string, accountId: string): string {
    return this.name("s3Bucket", purpose, accountId);
  }

  /** Parameter Store / log group style path: `/<project>/<environment>/<parts...>`. */
  path(...parts: string[]): string {
    return ["", this.project, this.environment, ...parts].join("/");
  }
}

/** snake_case of one construct id: `appUs-west-2a` -> `app_us_west_2a`. */
export function snakeCase(id: string): string {
  const s = id
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return /^[0-9]/.test(s) ? `_${s}` : s;
}
