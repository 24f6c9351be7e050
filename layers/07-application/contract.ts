import { deliveryTarget } from "./delivery";
import { albHttpOnly, blueGreenServices, hasNetworkFront } from "./config";
import { map, mockArn, mockId, str, type Contract } from "../../core/contracts/types";

const prefix = (cfg: { project: string; environment: string }) => `${cfg.project}-${cfg.environment}`;
const perService = (cfg: { services: Record<string, unknown> }, f: (s: string) => string) =>
  Object.fromEntries(Object.keys(cfg.services).map((s) => [s, f(s)]));

/** Outputs of layer 07 application. */
export const applicationContract = {
  cluster_name: str("ECS cluster name.", (cfg) => prefix(cfg)),
  cluster_arn: str("ECS cluster ARN.", (cfg) => mockArn(cfg, "ecs", `cluster/${prefix(cfg)}`)),
  service_names: map("ECS service name by application service.", (cfg) => perService(cfg, (s) => s)),
  alb_arn: str("Application load balancer ARN.", (cfg) =>
    mockArn(cfg, "elasticloadbalancing", `loadbalancer/app/${prefix(cfg)}/${mockId("x", "alb", 16).slice(2)}`),
  ),
  alb_arn_suffix: str(
    "ALB ARN suffix, the CloudWatch LoadBalancer dimension.",
    (cfg) => `app/${prefix(cfg)}/${mockId("x", "alb", 16).slice(2)}`,
  ),
  alb_dns_name: str("ALB DNS name.", (cfg) => `${prefix(cfg)}-1234567890.${cfg.aws.region}.elb.amazonaws.com`),
  alb_zone_id: str("Route 53 hosted zone id of the ALB (for alias records).", () => "Z1H1FL5HABSF5"),
  https_listener_arn: str("HTTPS listener ARN (empty when the ALB serves HTTP only).", (cfg) =>
    albHttpOnly(cfg)
      ? ""
      : mockArn(
          cfg,
          "elasticloadbalancing",
          `listener/app/${prefix(cfg)}/${mockId("x", "alb", 16).slice(2)}/${mockId("x", "https", 16).slice(2)}`,
        ),
  ),
  http_listener_arn: str("HTTP listener ARN (redirects to HTTPS unless HTTP-only).", (cfg) =>
    mockArn(
      cfg,
      "elasticloadbalancing",
      `listener/app/${prefix(cfg)}/${mockId("x", "alb", 16).slice(2)}/${mockId("x", "http", 16).slice(2)}`,
    ),
  ),
  target_group_arns: map("Target group ARN by application service.", (cfg) =>
    perService(cfg, (s) => mockArn(cfg, "elasticloadbalancing", `targetgroup/${prefix(cfg)}-${s}/${mockId("x", `tg-${s}`, 16).slice(2)}`)),
  ),
  target_group_arn_suffixes: map("Target group ARN suffix (CloudWatch TargetGroup dimension) by application service.", (cfg) =>
    perService(cfg, (s) => `targetgroup/${prefix(cfg)}-${s}/${mockId("x", `tg-${s}`, 16).slice(2)}`),
  ),
  ecr_repository_urls: map("ECR repository URL by application service.", (cfg) =>
    perService(cfg, (s) => `${cfg.aws.accountId}.dkr.ecr.${cfg.aws.region}.amazonaws.com/${prefix(cfg)}/${s}`),
  ),
  log_group_names: map("Log group name by application service.", (cfg) =>
    perService(cfg, (s) => `/ecs/${cfg.project}/${cfg.environment}/${s}`),
  ),
  green_target_group_arn_suffixes: map(
    "Second (green) target group ARN suffix by blue-green service (CodeDeploy moves the service between its two groups; rolling services are absent).",
    (cfg) =>
      Object.fromEntries(
        blueGreenServices(cfg).map((s) => [s, `targetgroup/${prefix(cfg)}-${s}-green/${mockId("x", `tg-${s}-green`, 16).slice(2)}`]),
      ),
  ),
  codedeploy_app_name: str(
    "CodeDeploy application of the blue-green services (deployment group: the service's name); empty without blue-green services.",
    (cfg) => (blueGreenServices(cfg).length ? prefix(cfg) : ""),
  ),
  nlb_arn: str("ARN of the network load balancer in front of an internal ALB for a REST API VPC link (empty when none).", (cfg) =>
    hasNetworkFront(cfg)
      ? mockArn(cfg, "elasticloadbalancing", `loadbalancer/net/${prefix(cfg)}-nlb/${mockId("x", "nlb", 16).slice(2)}`)
      : "",
  ),
  delivery_role_arn: str(
    "ARN of the application repository's delivery role (GitHub OIDC; empty unless delivery.github.repository is set).",
    (cfg) => deliveryTarget(cfg)?.roleArn ?? "",
  ),
  delivery_role_name: str(
    "Name of the delivery role (the frontend layer adds the site's permissions to it; empty unless delivery is on).",
    (cfg) => deliveryTarget(cfg)?.roleName ?? "",
  ),
} satisfies Contract;
