/** Compute rules: ECS clusters, services and task definitions, ECR repositories, Lambda functions. */
import type { Resource } from "../model";
import type { RuleChecks } from "../policy";
import { block, blocks, bool, get, num, parseJson, str } from "../tf";
import { check, isSet, pass, perResource } from "./helpers";

/** The container definitions of a task definition (undefined when they are an expression). */
function containers(t: Resource): Record<string, unknown>[] | undefined {
  const defs = parseJson(t.attrs.container_definitions);
  return Array.isArray(defs) ? (defs.filter((d) => typeof d === "object" && d !== null) as Record<string, unknown>[]) : undefined;
}

export const computeChecks: RuleChecks = {
  "PK-ECS-001": perResource({
    types: ["aws_ecs_task_definition"],
    each: (t) => {
      const defs = containers(t);
      if (!defs) return pass(t, "container definitions are an expression");
      const writable = defs.filter((c) => c.readonlyRootFilesystem !== true).map((c) => String(c.name));
      return check(t, writable.length === 0, `${writable.join(", ")}: root file system is writable`);
    },
  }),
  "PK-ECS-002": perResource({
    types: ["aws_ecs_cluster"],
    each: (c) => {
      const setting = blocks(c.attrs.setting).find((s) => s.name === "containerInsights");
      return check(c, setting !== undefined && ["enabled", "enhanced"].includes(String(setting.value)), "containerInsights is not enabled");
    },
  }),
  "PK-ECS-003": perResource({
    types: ["aws_ecs_service"],
    each: (s) => check(s, bool(get(s.attrs, "network_configuration.assign_public_ip")) !== true, "assign_public_ip = true"),
  }),
  "PK-ECS-004": perResource({
    types: ["aws_ecs_task_definition"],
    each: (t) => {
      const privileged = (containers(t) ?? []).filter((c) => c.privileged === true).map((c) => String(c.name));
      return check(t, privileged.length === 0, `${privileged.join(", ")} runs privileged`);
    },
  }),
  "PK-ECS-005": perResource({
    types: ["aws_ecs_service"],
    where: (s) => (str(get(s.attrs, "deployment_controller.type")) ?? "ECS") === "ECS",
    each: (s) => {
      const cb = block(s.attrs.deployment_circuit_breaker);
      return check(s, bool(cb?.enable) === true && bool(cb?.rollback) === true, "no deployment circuit breaker with rollback");
    },
  }),
  "PK-ECS-006": perResource({
    types: ["aws_ecs_task_definition"],
    where: (t) => blocks(t.attrs.volume).some((v) => block(v.efs_volume_configuration)),
    each: (t) => {
      const plain = blocks(t.attrs.volume).filter((v) => {
        const efs = block(v.efs_volume_configuration);
        return efs !== undefined && efs.transit_encryption !== "ENABLED";
      });
      return check(t, plain.length === 0, `volume ${plain.map((v) => String(v.name)).join(", ")} mounts EFS without TLS`);
    },
  }),
  "PK-ECR-001": perResource({
    types: ["aws_ecr_repository"],
    each: (r) => check(r, bool(get(r.attrs, "image_scanning_configuration.scan_on_push")) === true, "scan_on_push is not true"),
  }),
  "PK-ECR-002": perResource({
    types: ["aws_ecr_repository"],
    each: (r) => check(r, String(r.attrs.image_tag_mutability ?? "MUTABLE").startsWith("IMMUTABLE"), "tags are mutable"),
  }),
  "PK-ECR-003": perResource({
    types: ["aws_ecr_repository"],
    each: (r) => check(r, get(r.attrs, "encryption_configuration.encryption_type") === "KMS", "encrypted with AES256 (AWS owned key)"),
  }),
  "PK-LAMBDA-001": perResource({
    types: ["aws_lambda_function"],
    each: (f) => check(f, get(f.attrs, "tracing_config.mode") === "Active", "X-Ray tracing is not Active"),
  }),
  "PK-LAMBDA-002": perResource({
    types: ["aws_lambda_function", "aws_lambda_function_event_invoke_config"],
    of: "aws_lambda_function",
    each: (f, { model }) => {
      const dlq = isSet(get(f.attrs, "dead_letter_config.target_arn"));
      const destination = model
        .referrers(f, "aws_lambda_function_event_invoke_config", "function_name")
        .some((c) => isSet(get(c.attrs, "destination_config.on_failure.destination")));
      return check(
        f,
        dlq || destination,
        "no dead-letter queue and no on-failure destination",
        dlq ? "dead_letter_config" : "on-failure destination",
      );
    },
  }),
  "PK-LAMBDA-003": perResource({
    types: ["aws_lambda_function"],
    each: (f) => {
      const n = num(f.attrs.reserved_concurrent_executions);
      return check(f, n !== undefined && n >= 0, "no reserved concurrency: the function may take the account's whole pool");
    },
  }),
  "PK-LAMBDA-004": perResource({
    types: ["aws_lambda_function"],
    each: (f) => check(f, isSet(get(f.attrs, "vpc_config.subnet_ids")), "not attached to the VPC"),
  }),
  "PK-LAMBDA-005": perResource({
    types: ["aws_lambda_permission"],
    where: (p) => String(p.attrs.principal ?? "").endsWith(".amazonaws.com"),
    each: (p) =>
      check(
        p,
        isSet(p.attrs.source_arn) || isSet(p.attrs.source_account),
        `${String(p.attrs.principal)} may invoke from any account or resource`,
      ),
  }),
  "PK-LAMBDA-006": perResource({
    types: ["aws_lambda_function"],
    where: (f) => Object.keys(block(block(f.attrs.environment)?.variables) ?? {}).length > 0,
    each: (f) => check(f, isSet(f.attrs.kms_key_arn), "variables are encrypted with the AWS managed key"),
  }),
};
