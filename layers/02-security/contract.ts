import { mockArn, mockId, map, str, type Contract } from "../../core/contracts/types";
import { layerOn } from "../../core/config/layer-switch";

/** KMS keys the security layer creates, by purpose. */
export const KMS_KEY_PURPOSES = ["logs", "data", "messaging"] as const;
export type KmsKeyPurpose = (typeof KMS_KEY_PURPOSES)[number];

/** Outputs of layer 02 security. */
export const securityContract = {
  alb_security_group_id: str("Security group of the application load balancer.", () => mockId("sg", "alb")),
  app_security_group_id: str("Security group of the ECS tasks.", () => mockId("sg", "app")),
  data_security_group_id: str("Security group of the database.", () => mockId("sg", "data")),
  cache_security_group_id: str("Security group of the cache.", () => mockId("sg", "cache")),
  lambda_security_group_id: str("Security group of VPC-attached Lambda functions.", () => mockId("sg", "lambda")),
  api_link_security_group_id: str(
    "Security group of the private path from API Gateway to the ALB: the network load balancer of a REST API VPC link, or the ENIs of an HTTP API VPC link.",
    () => mockId("sg", "api-link"),
  ),
  db_admin_security_group_id: str("Security group of layer 03's database user provisioner (database port, Secrets Manager).", () =>
    mockId("sg", "db-admin"),
  ),
  ecs_execution_role_arn: str("ECS task execution role (image pulls, logs, secrets injection).", (cfg) =>
    mockArn(cfg, "iam", `role/${cfg.project}-${cfg.environment}-ecs-execution`, { global: true }),
  ),
  ecs_execution_role_name: str("Name of the ECS task execution role.", (cfg) => `${cfg.project}-${cfg.environment}-ecs-execution`),
  task_role_arns: map("Task role ARN per application service.", (cfg) =>
    Object.fromEntries(
      Object.keys(cfg.services).map((s) => [s, mockArn(cfg, "iam", `role/${cfg.project}-${cfg.environment}-${s}-task`, { global: true })]),
    ),
  ),
  task_role_names: map("Task role name per application service.", (cfg) =>
    Object.fromEntries(Object.keys(cfg.services).map((s) => [s, `${cfg.project}-${cfg.environment}-${s}-task`])),
  ),
  lambda_role_arns: map(
    "Execution role ARN per Lambda function (genai when the lambda-genai layer is enabled).",
    (cfg): Record<string, string> =>
      !layerOn(cfg, "lambda-genai")
        ? {}
        : { genai: mockArn(cfg, "iam", `role/${cfg.project}-${cfg.environment}-genai-lambda`, { global: true }) },
  ),
  lambda_role_names: map("Execution role name per Lambda function.", (cfg): Record<string, string> =>
    !layerOn(cfg, "lambda-genai") ? {} : { genai: `${cfg.project}-${cfg.environment}-genai-lambda` },
  ),
  kms_key_arns: map("Customer-managed KMS key ARN per purpose: logs, data (RDS, secrets, SSM, S3), messaging (SNS, SQS).", (cfg) =>
    Object.fromEntries(["logs", "data", "messaging"].map((p) => [p, mockArn(cfg, "kms", `key/${mockId("mrk", p, 32).slice(4)}`)])),
  ),
  waf_web_acl_arn: str("Regional WAF web ACL ARN (empty when security.waf.enabled is false).", (cfg) =>
    cfg.security.waf.enabled
      ? mockArn(cfg, "wafv2", `regional/webacl/${cfg.project}-${cfg.environment}/${mockId("acl", "regional", 32).slice(4)}`)
      : "",
  ),
} satisfies Contract;
