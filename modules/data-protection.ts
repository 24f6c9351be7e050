/**
 * Data protection: the one prop every stateful construct of the kit takes (required, so a new caller
 * cannot forget it), and the list of the Terraform resource types that hold data.
 *
 * A construct given `{ protect: true }` applies every guard its resource type offers, itself:
 *
 * | guard | what it stops | where |
 * |---|---|---|
 * | `lifecycle.prevent_destroy` | a `terraform destroy` or a replacing plan | every stateful resource (not read replicas, Aurora instances: they hold no data of their own) |
 * | no `force_destroy` / `force_delete` | deleting a bucket / repository that still holds objects / images | S3 buckets, ECR repositories |
 * | deletion protection | a delete through any client (console, CLI, another tool) | RDS / Aurora, Cognito user pools, DynamoDB tables |
 * | final snapshot | losing the data with the resource | RDS / Aurora (and the automated backups of an RDS instance), ElastiCache |
 *
 * `{ protect: false }` turns all of that off: the resource goes with its stack, emptied first.
 * Layers pass `{ protect: config.protection.data }`; the state bucket always protects.
 * See docs/decisions.md, "Data protection is a prop of the stateful constructs".
 */
import type { TerraformResource } from "cdktf";

export interface DataProtection {
  /** Guard the data: prevent_destroy, no force-destroy, deletion protection and final snapshots where offered. */
  readonly protect: boolean;
  /**
   * Service-side deletion protection alone (RDS / Aurora `deletion_protection`), for an environment
   * that wants it without the rest. It cannot be false while `protect` is true. @default protect
   */
  readonly deletionProtection?: boolean;
}

/** Protection on: what an environment with `protection.data` passes, and the state bucket always. */
export const PROTECTED: DataProtection = { protect: true };

/**
 * Service-side deletion protection of a resource, checked against `protect`.
 * @throws when deletion protection is switched off while the data is protected
 */
export function deletionProtectionOf(where: string, p: DataProtection): boolean {
  if (p.protect && p.deletionProtection === false)
    throw new Error(`${where}: dataProtection.deletionProtection cannot be false while dataProtection.protect is true`);
  return p.deletionProtection ?? p.protect;
}

/** Sets `lifecycle.prevent_destroy` on a resource when the data is protected (the one way every module writes it). */
export function preventDestroy(resource: TerraformResource, p: DataProtection): void {
  if (p.protect) resource.addOverride("lifecycle.prevent_destroy", true);
}

/**
 * Resource types that hold data: where `protection.data` is true, every resource of these types must
 * refuse destruction (`lifecycle.prevent_destroy`, or the service-side guard of SERVICE_GUARDED), or
 * carry a review exception for PK-DATA-001 that says why it holds no data of its own (read replicas).
 * The review rule PK-DATA-001 (tools/review/rules/data.ts) and __tests__/data-protection.test.ts read it.
 */
export const STATEFUL_RESOURCE_TYPES: readonly string[] = [
  "aws_rds_cluster",
  "aws_db_instance",
  "aws_s3_bucket",
  "aws_dynamodb_table",
  "aws_elasticache_replication_group",
  "aws_ecr_repository",
  "aws_efs_file_system",
  "aws_cognito_user_pool",
  "aws_msk_cluster",
  "aws_msk_serverless_cluster",
  "aws_prometheus_workspace",
];

/** Types whose own deletion protection stands in for prevent_destroy: the attribute that must be true. */
export const SERVICE_GUARDED: Readonly<Record<string, string>> = { aws_dynamodb_table: "deletion_protection_enabled" };

/** The review rule a stateful resource without protection may name, with its reason, when it holds no data of its own. */
export const DATA_PROTECTION_RULE = "PK-DATA-001";

type Json = Record<string, unknown>;

/** True when a synthesized resource body of `type` refuses destruction (prevent_destroy or its service-side guard). */
export function guardsDestruction(type: string, body: Json): boolean {
  const lifecycle = body.lifecycle as Json | undefined;
  if (lifecycle?.prevent_destroy === true) return true;
  const attr = SERVICE_GUARDED[type];
  return attr !== undefined && body[attr] === true;
}

/**
 * Addresses (`type.name`) of a synthesized stack's stateful resources that neither refuse
 * destruction nor carry a PK-DATA-001 review exception: what must be empty where data is protected.
 */
export function unprotectedStateful(tf: { resource?: Record<string, Record<string, Json>> }): string[] {
  const out: string[] = [];
  for (const type of STATEFUL_RESOURCE_TYPES) {
    for (const [name, body] of Object.entries(tf.resource?.[type] ?? {})) {
      const exceptions = ((body["//"] as Json | undefined)?.review_exceptions ?? {}) as Json;
      if (!guardsDestruction(type, body) && !exceptions[DATA_PROTECTION_RULE]) out.push(`${type}.${name}`);
    }
  }
  return out.sort();
}
