/**
 * Layer 01 network: the VPC with public, app and data subnets per AZ, internet gateway, NAT,
 * route tables, VPC endpoints, flow logs and (network.networkAcls) one network ACL per tier.
 * Reads no other layer.
 *
 * Network ACLs: `aws_network_acl.<tier>` with `aws_network_acl_rule.<tier>_<ingress|egress>_<number>`
 * and `aws_network_acl_association.<tier>_<az>`; the rules come from core/config/network-acls.ts,
 * which derives them from the same configuration the security layer's groups come from.
 */
import type { Construct } from "constructs";
import type { PlatformConfig } from "../../core/config/types";
import { aclRules, NACL_TIERS, networkAclPlan } from "../../core/config/network-acls";
import { subnetPlan } from "../../core/config/subnets";
import { LayerStack } from "../../core/layer-stack";
import { FlowLogs } from "../../modules/flow-logs";
import { EmptyDefaultNetworkAcl, NetworkAcl } from "../../modules/network-acl";
import { Vpc } from "../../modules/vpc";
import { VpcEndpoints } from "../../modules/vpc-endpoints";

export class NetworkStack extends LayerStack<"network"> {
  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "network", config);
    const { network, aws } = config;

    const subnets = subnetPlan(config);
    const vpc = new Vpc(this, "vpc", {
      name: this.naming.prefix,
      cidr: network.cidr,
      subnets,
      nat: network.nat,
      publicSubnetsMapPublicIp: network.publicSubnetsMapPublicIp,
    });

    const endpoints = new VpcEndpoints(this, "endpoints", {
      name: this.naming.prefix,
      vpcId: vpc.vpcId,
      region: aws.region,
      gatewayServices: network.gatewayEndpoints,
      gatewayRouteTableIds: [...vpc.appRouteTableIds, ...vpc.dataRouteTableIds],
      interfaceServices: network.interfaceEndpoints,
      subnetIds: vpc.appSubnetIds,
    });

    if (network.networkAcls.enabled) {
      const plan = networkAclPlan(config);
      const subnetIds = { public: vpc.publicSubnetIds, app: vpc.appSubnetIds, data: vpc.dataSubnetIds };
      for (const tier of NACL_TIERS) {
        new NetworkAcl(this, tier, {
          vpcId: vpc.vpcId,
          name: `${this.naming.prefix}-${tier}`,
          tags: { Tier: tier },
          subnetIds: Object.fromEntries(subnets.map((s, i) => [s.az.replace(/-/g, "_"), subnetIds[tier][i]])),
          rules: [false, true].flatMap((egress) =>
            aclRules(plan, tier, egress).map((r) => ({ number: r.number, egress, fromPort: r.from, toPort: r.to, cidrBlock: r.cidr })),
          ),
        });
      }
      if (network.networkAcls.defaultNetworkAcl === "deny-all") {
        new EmptyDefaultNetworkAcl(this, "default_network_acl", {
          defaultNetworkAclId: vpc.vpc.defaultNetworkAclId,
          name: `${this.naming.prefix}-default-do-not-use`,
        });
      }
    }

    const flowLogGroup = this.naming.path("network", "flow-logs");
    if (network.flowLogs.enabled) {
      new FlowLogs(this, "flow_logs", {
        vpcId: vpc.vpcId,
        logGroupName: flowLogGroup,
        roleName: this.naming.name("iamRole", "vpc-flow-logs"),
        retentionDays: network.flowLogs.retentionDays ?? config.logging.retentionDays,
        trafficType: network.flowLogs.trafficType,
        maxAggregationInterval: network.flowLogs.maxAggregationInterval,
        region: aws.region,
        accountId: aws.accountId,
        kmsAlias: network.flowLogs.kmsEncrypted ? this.naming.name("kmsAlias", "flow-logs") : undefined,
        kmsDeletionWindowDays: config.security.kms.deletionWindowDays,
      });
    }

    this.publish({
      vpc_id: vpc.vpcId,
      vpc_cidr: network.cidr,
      azs: [...aws.azs],
      public_subnet_ids: vpc.publicSubnetIds,
      app_subnet_ids: vpc.appSubnetIds,
      data_subnet_ids: vpc.dataSubnetIds,
      app_subnet_cidrs: subnets.map((s) => s.app),
      data_subnet_cidrs: subnets.map((s) => s.data),
      app_route_table_ids: vpc.appRouteTableIds,
      data_route_table_ids: vpc.dataRouteTableIds,
      nat_public_ips: vpc.natPublicIps,
      endpoint_security_group_id: endpoints.securityGroup.id,
      gateway_endpoint_prefix_list_ids: endpoints.prefixListIds,
      interface_endpoint_services: [...network.interfaceEndpoints],
      flow_log_group_name: network.flowLogs.enabled ? flowLogGroup : "",
    });
  }
}
