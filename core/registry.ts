/**
 * The layer registry: the twelve layers in deploy order (DESIGN.md). The number is the order and
 * part of the state key; a layer may read only layers with a smaller number.
 */
import { LAYER_NAMES, type LayerName } from "./config/schema";

export type { LayerName } from "./config/schema";

export interface LayerDefinition {
  readonly name: LayerName;
  /** 1-based position in the deploy order. */
  readonly order: number;
  /** Two-digit order, as used in state keys and file names (`01`). */
  readonly number: string;
  /** What the layer creates. */
  readonly description: string;
}

const DESCRIPTIONS: Record<LayerName, string> = {
  network: "VPC, public / app / data subnets per AZ, internet gateway, NAT, routes, VPC endpoints, flow logs",
  security: "security groups per tier, IAM roles (ECS execution, per-service task roles, Lambda), KMS keys, WAF web ACL",
  database: "Aurora or RDS with subnet and parameter groups, managed master secret, optional ElastiCache Redis",
  parameters: "SSM Parameter Store hierarchy /<project>/<env>/... for application configuration",
  "cloud-map": "private DNS namespace and one discovery service per application service",
  "lambda-genai": "the GenAI function, its log group, alias and Bedrock permissions",
  application: "ECR repositories, ECS cluster, task definitions, services, ALB, autoscaling",
  "api-gateway": "the API front door: routes to the ALB and /api/genai to the Lambda, stage, throttling, access logs, WAF",
  native: "S3 document buckets, SQS queues with DLQs, SNS topics, SES, EventBridge, Cognito",
  monitoring: "alarm topic, alarms per layer, dashboards, X-Ray, CloudTrail, log metric filters",
  frontend: "private S3 bucket + CloudFront (OAC, SPA routing, security headers, API origin), optional ACM + Route 53",
  notification: "delivery of the alarm topic to Slack and e-mail, deployment events",
};

export const LAYERS: readonly LayerDefinition[] = LAYER_NAMES.map((name, i) => ({
  name,
  order: i + 1,
  number: String(i + 1).padStart(2, "0"),
  description: DESCRIPTIONS[name],
}));

export function layer(name: LayerName): LayerDefinition {
  const found = LAYERS.find((l) => l.name === name);
  if (!found) throw new Error(`unknown layer ${JSON.stringify(name)}; layers are ${LAYER_NAMES.join(", ")}`);
  return found;
}

/** The stack that creates the state bucket and lock table; deployed once, before every layer. */
export const BOOTSTRAP_STACK = "bootstrap";
