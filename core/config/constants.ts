/** Fixed vocabularies of the configuration: tiers and values AWS accepts (layer names: core/registry.ts). */

export const TIERS = ["dev", "staging", "prod"] as const;

/** The port MSK brokers serve SASL/IAM clients on, over TLS. */
export const KAFKA_IAM_PORT = 9098;
export type Tier = (typeof TIERS)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Interface endpoint service short names the kit knows (com.amazonaws.<region>.<name>). */
export const INTERFACE_ENDPOINT_SERVICES = [
  "application-autoscaling",
  "aps-workspaces",
  "bedrock",
  "bedrock-runtime",
  "cloudformation",
  "ec2",
  "ec2messages",
  "ecr.api",
  "ecr.dkr",
  "ecs",
  "ecs-agent",
  "ecs-telemetry",
  "elasticloadbalancing",
  "email-smtp",
  "events",
  "execute-api",
  "kinesis-streams",
  "kms",
  "lambda",
  "logs",
  "monitoring",
  "rds",
  "rds-data",
  "secretsmanager",
  "servicediscovery",
  "sns",
  "sqs",
  "ssm",
  "ssmmessages",
  "states",
  "sts",
  "xray",
] as const;

export const GATEWAY_ENDPOINT_SERVICES = ["s3", "dynamodb"] as const;
