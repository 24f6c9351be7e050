import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Construct } from "constructs";

export interface VpcEndpointsProps {
  /** Prefix of Name tags and the security group name (`<project>-<env>`). */
  readonly name: string;
  readonly vpcId: string;
  readonly region: string;
  /** Gateway endpoint services (s3, dynamodb). @default none */
  readonly gatewayServices?: readonly string[];
  /** Route tables the gateway endpoints are attached to. @default none */
  readonly gatewayRouteTableIds?: readonly string[];
  /** Interface endpoint services by short name (ecr.api, logs, ...). @default none */
  readonly interfaceServices?: readonly string[];
  /** Subnets that get an endpoint network interface (one per AZ). Required with interfaceServices. */
  readonly subnetIds?: readonly string[];
  /** Resolve the service's public DNS name to the endpoint inside the VPC. @default true */
  readonly privateDns?: boolean;
}

/**
 * VPC endpoints: free gateway endpoints for S3 and DynamoDB on the private route tables, and
 * interface endpoints with private DNS in the given subnets, all sharing one security group.
 *
 * The security group is created here with no rules at all: the tiers that use the endpoints are
 * defined by the security layer, which adds ingress on 443 from their security groups by id
 * (peers, not CIDRs). Until then the endpoints accept nothing.
 */
export class VpcEndpoints extends Construct {
  readonly securityGroup: SecurityGroup;
  /** Prefix list id per gateway service, for security group egress rules. */
  readonly prefixListIds: Record<string, string> = {};
  readonly interfaceEndpoints: Record<string, VpcEndpoint> = {};

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const interfaces = props.interfaceServices ?? [];
    if (interfaces.length && !props.subnetIds?.length) {
      throw new Error(`VpcEndpoints ${id}: interface endpoints need subnetIds`);
    }
    this.securityGroup = new SecurityGroup(this, "security_group", {
      name: `${props.name}-endpoints`,
      description: "VPC interface endpoints; ingress rules are added by the security layer",
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-endpoints` },
    });

    for (const service of props.gatewayServices ?? []) {
      const ep = new VpcEndpoint(this, service, {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Gateway",
        routeTableIds: [...(props.gatewayRouteTableIds ?? [])],
        tags: { Name: `${props.name}-${service}` },
      });
      this.prefixListIds[service] = ep.prefixListId;
    }

    for (const service of interfaces) {
      this.interfaceEndpoints[service] = new VpcEndpoint(this, service.replace(/[.-]/g, "_"), {
        vpcId: props.vpcId,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: props.privateDns ?? true,
        subnetIds: [...(props.subnetIds ?? [])],
        securityGroupIds: [this.securityGroup.id],
        tags: { Name: `${props.name}-${service}` },
      });
    }
  }
}
