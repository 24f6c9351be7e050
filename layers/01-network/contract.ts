import { subnetPlan } from "../../core/config/subnets";
import { list, map, mockId, str, type Contract } from "../../core/contracts/types";

/** Outputs of layer 01 network. */
export const networkContract = {
  vpc_id: str("ID of the VPC.", () => mockId("vpc", "main")),
  vpc_cidr: str("CIDR block of the VPC.", (cfg) => cfg.network.cidr),
  azs: list("Availability zones, in config order; subnet lists follow this order.", (cfg) => [...cfg.aws.azs]),
  public_subnet_ids: list("Public subnet IDs, one per AZ.", (cfg) => cfg.aws.azs.map((az) => mockId("subnet", `public-${az}`))),
  app_subnet_ids: list("Private application subnet IDs, one per AZ.", (cfg) => cfg.aws.azs.map((az) => mockId("subnet", `app-${az}`))),
  data_subnet_ids: list("Private data subnet IDs (no default route), one per AZ.", (cfg) =>
    cfg.aws.azs.map((az) => mockId("subnet", `data-${az}`)),
  ),
  app_subnet_cidrs: list("Application subnet CIDR blocks, one per AZ.", (cfg) => subnetPlan(cfg).map((s) => s.app)),
  data_subnet_cidrs: list("Data subnet CIDR blocks, one per AZ.", (cfg) => subnetPlan(cfg).map((s) => s.data)),
  app_route_table_ids: list("Route table IDs of the app tier, one per AZ.", (cfg) => cfg.aws.azs.map((az) => mockId("rtb", `app-${az}`))),
  data_route_table_ids: list("Route table IDs of the data tier, one per AZ.", (cfg) =>
    cfg.aws.azs.map((az) => mockId("rtb", `data-${az}`)),
  ),
  nat_public_ips: list("Elastic IPs of the NAT gateways (egress addresses to allow-list at partners).", (cfg) =>
    cfg.network.nat === "none"
      ? []
      : (cfg.network.nat === "single" ? cfg.aws.azs.slice(0, 1) : cfg.aws.azs).map((_, i) => `198.51.100.${10 + i}`),
  ),
  endpoint_security_group_id: str(
    "Security group of the interface endpoints; the security layer adds its ingress rules from the tiers that use them.",
    () => mockId("sg", "endpoints"),
  ),
  gateway_endpoint_prefix_list_ids: map("Prefix list ID per gateway endpoint (s3, dynamodb), for security group egress rules.", (cfg) =>
    Object.fromEntries(cfg.network.gatewayEndpoints.map((s) => [s, mockId("pl", s, 8)])),
  ),
  interface_endpoint_services: list("Services reachable through interface endpoints (short names).", (cfg) => [
    ...cfg.network.interfaceEndpoints,
  ]),
  flow_log_group_name: str("CloudWatch Logs group receiving the VPC flow logs (empty when flow logs are off).", (cfg) =>
    cfg.network.flowLogs.enabled ? `/${cfg.project}/${cfg.environment}/network/flow-logs` : "",
  ),
} satisfies Contract;
