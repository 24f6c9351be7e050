/** Compute rules: ECS clusters, services and task definitions, ECR repositories, Lambda functions. */
import type { Resource } from "../model";
import type { Rule } from "../policy";
import { block, blocks, bool, get, num, parseJson, str } from "../tf";
import { check, isSet, pass, perResource } from "./helpers";

/** The container definitions of a task definition (undefined when they are an expression). */
function containers(t: Resource): Record<string, unknown>[] | undefined {
  const defs = parseJson(t.attrs.container_definitions);
  return Array.isArray(defs) ? (defs.filter((d) => typeof d === "object" && d !== null) as Record<string, unknown>[]) : undefined;
}

export const computeRules: Rule[] = [
  perResource({
    id: "PK-ECS-001",
    title: "Containers run with a read-only root file system",
    severity: "medium",
    fix: 'Set "readonlyRootFilesystem": true and mount writable task storage where the image writes (services.<name>.writablePaths).',
    checkov: ["CKV_AWS_336"],
    types: ["aws_ecs_task_definition"],
    each: (t) => {
      const defs = containers(t);
      if (!defs) return pass(t, "container definitions are an expression");
      const writable = defs.filter((c) => c.readonlyRootFilesystem !== true).map((c) => String(c.name));
      return check(t, writable.length === 0, `${writable.join(", ")}: root file system is writable`);
    },
  }),
  perResource({
    id: "PK-ECS-002",
    title: "ECS clusters have Container Insights",
    severity: "low",
    fix: "Set the cluster setting containerInsights = enabled (application.containerInsights).",
    checkov: ["CKV_AWS_65"],
    types: ["aws_ecs_cluster"],
    each: (c) => {
      const setting = blocks(c.attrs.setting).find((s) => s.name === "containerInsights");
      return check(c, setting !== undefined && ["enabled", "enhanced"].includes(String(setting.value)), "containerInsights is not enabled");
    },
  }),
  perResource({
    id: "PK-ECS-003",
    title: "ECS tasks get no public IP",
    severity: "high",
    fix: "Set network_configuration.assign_public_ip = false and run tasks in the app subnets behind NAT or endpoints.",
    checkov: ["CKV_AWS_333"],
    types: ["aws_ecs_service"],
    each: (s) => check(s, bool(get(s.attrs, "network_configuration.assign_public_ip")) !== true, "assign_public_ip = true"),
  }),
  perResource({
    id: "PK-ECS-004",
    title: "Containers are not privileged",
    severity: "high",
    fix: 'Remove "privileged": true; grant the specific Linux capability instead, if any.',
    checkov: [],
    types: ["aws_ecs_task_definition"],
    each: (t) => {
      const privileged = (containers(t) ?? []).filter((c) => c.privileged === true).map((c) => String(c.name));
      return check(t, privileged.length === 0, `${privileged.join(", ")} runs privileged`);
    },
  }),
  perResource({
    id: "PK-ECS-005",
    title: "Deployments stop and roll back on failure",
    severity: "low",
    fix: "Set deployment_circuit_breaker { enable = true, rollback = true }.",
    checkov: [],
    types: ["aws_ecs_service"],
    where: (s) => (str(get(s.attrs, "deployment_controller.type")) ?? "ECS") === "ECS",
    each: (s) => {
      const cb = block(s.attrs.deployment_circuit_breaker);
      return check(s, bool(cb?.enable) === true && bool(cb?.rollback) === true, "no deployment circuit breaker with rollback");
    },
  }),
  perResource({
    id: "PK-ECS-006",
    title: "EFS volumes of tasks use TLS",
    severity: "medium",
    fix: 'Set efs_volume_configuration.transit_encryption = "ENABLED".',
    checkov: ["CKV_AWS_97"],
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
  perResource({
    id: "PK-ECR-001",
    title: "ECR scans images on push",
    severity: "low",
    fix: "Set image_scanning_configuration { scan_on_push = true } (application.ecr.scanOnPush).",
    checkov: ["CKV_AWS_163"],
    types: ["aws_ecr_repository"],
    each: (r) => check(r, bool(get(r.attrs, "image_scanning_configuration.scan_on_push")) === true, "scan_on_push is not true"),
  }),
  perResource({
    id: "PK-ECR-002",
    title: "ECR tags are immutable",
    severity: "low",
    fix: "Set image_tag_mutability = IMMUTABLE (application.ecr.immutableTags).",
    checkov: ["CKV_AWS_51"],
    types: ["aws_ecr_repository"],
    each: (r) => check(r, String(r.attrs.image_tag_mutability ?? "MUTABLE").startsWith("IMMUTABLE"), "tags are mutable"),
  }),
  perResource({
    id: "PK-ECR-003",
    title: "ECR repositories are encrypted with a customer key",
    severity: "low",
    fix: "Set encryption_configuration { encryption_type = KMS, kms_key = <data key> }.",
    checkov: ["CKV_AWS_136"],
    types: ["aws_ecr_repository"],
    each: (r) => check(r, get(r.attrs, "encryption_configuration.encryption_type") === "KMS", "encrypted with AES256 (AWS owned key)"),
  }),
  perResource({
    id: "PK-LAMBDA-001",
    title: "Lambda functions are traced",
    severity: "low",
    fix: "Set tracing_config { mode = Active }.",
    checkov: ["CKV_AWS_50"],
    types: ["aws_lambda_function"],
    each: (f) => check(f, get(f.attrs, "tracing_config.mode") === "Active", "X-Ray tracing is not Active"),
  }),
  perResource({
    id: "PK-LAMBDA-002",
    title: "Failed asynchronous invocations are kept",
    severity: "low",
    fix: "Set dead_letter_config, or an aws_lambda_function_event_invoke_config with destination_config.on_failure.",
    checkov: ["CKV_AWS_116"],
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
  perResource({
    id: "PK-LAMBDA-003",
    title: "Lambda concurrency is capped",
    severity: "low",
    fix: "Set reserved_concurrent_executions (genai.reservedConcurrency).",
    checkov: ["CKV_AWS_115"],
    types: ["aws_lambda_function"],
    each: (f) => {
      const n = num(f.attrs.reserved_concurrent_executions);
      return check(f, n !== undefined && n >= 0, "no reserved concurrency: the function may take the account's whole pool");
    },
  }),
  perResource({
    id: "PK-LAMBDA-004",
    title: "Lambda functions run in the VPC",
    severity: "low",
    fix: "Set vpc_config with the app subnets and the lambda security group.",
    checkov: ["CKV_AWS_117"],
    types: ["aws_lambda_function"],
    each: (f) => check(f, isSet(get(f.attrs, "vpc_config.subnet_ids")), "not attached to the VPC"),
  }),
  perResource({
    id: "PK-LAMBDA-005",
    title: "Lambda permissions for AWS services name the source",
    severity: "medium",
    fix: "Set source_arn (or source_account) on the aws_lambda_permission.",
    checkov: ["CKV_AWS_364"],
    types: ["aws_lambda_permission"],
    where: (p) => String(p.attrs.principal ?? "").endsWith(".amazonaws.com"),
    each: (p) =>
      check(
        p,
        isSet(p.attrs.source_arn) || isSet(p.attrs.source_account),
        `${String(p.attrs.principal)} may invoke from any account or resource`,
      ),
  }),
  perResource({
    id: "PK-LAMBDA-006",
    title: "Lambda environment variables are encrypted with a customer key",
    severity: "low",
    fix: "Set kms_key_arn on the function (and keep secrets out of variables).",
    checkov: ["CKV_AWS_173"],
    types: ["aws_lambda_function"],
    where: (f) => Object.keys(block(block(f.attrs.environment)?.variables) ?? {}).length > 0,
    each: (f) => check(f, isSet(f.attrs.kms_key_arn), "variables are encrypted with the AWS managed key"),
  }),
];
