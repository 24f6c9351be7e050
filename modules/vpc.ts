import { DefaultRouteTable } from "@cdktf/provider-aws/lib/default-route-table";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Route } from "@cdktf/provider-aws/lib/route";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc as AwsVpc } from "@cdktf/provider-aws/lib/vpc";
import { Construct } from "constructs";

/** One availability zone's subnets. */
export interface VpcAzSubnets {
  readonly az: string;
  readonly public: string;
  readonly app: string;
  readonly data: string;
}

export type NatMode = "per-az" | "single" | "none";

export interface VpcProps {
  /** Prefix of every Name tag (`<project>-<env>`). */
  readonly name: string;
  /** VPC CIDR block. */
  readonly cidr: string;
  /** Subnets per AZ; order is the AZ order. At least one entry. */
  readonly subnets: readonly VpcAzSubnets[];
  /**
   * NAT gateways: one per AZ (an AZ loss keeps egress in the others), a single one in the first AZ,
   * or none (app subnets then have no default route).
   * @default "per-az"
   */
  readonly nat?: NatMode;
  /** Auto-assign public IPs in public subnets. Load balancers and NAT gateways do not need it. @default false */
  readonly publicSubnetsMapPublicIp?: boolean;
}

/**
 * A three-tier VPC: public, app and data subnets in every AZ, an internet gateway, NAT per mode,
 * one public route table, app and data route tables per AZ (the data tier has no default route),
 * and the default security group and main route table adopted and emptied so nothing uses them.
 *
 * Addresses are keyed by tier and AZ name (`app_us_west_2a`), never by index: adding an AZ at the
 * end, or switching NAT from single to per-az, renames nothing that exists.
 */
export class Vpc extends Construct {
  readonly vpc: AwsVpc;
  readonly vpcId: string;
  readonly publicSubnetIds: string[] = [];
  readonly appSubnetIds: string[] = [];
  readonly dataSubnetIds: string[] = [];
  readonly appRouteTableIds: string[] = [];
  readonly dataRouteTableIds: string[] = [];
  readonly natPublicIps: string[] = [];

  constructor(scope: Construct, id: string, props: VpcProps) {
    super(scope, id);
    if (props.subnets.length === 0) throw new Error(`Vpc ${id}: at least one availability zone is required`);
    const nat = props.nat ?? "per-az";
    const name = (suffix: string) => ({ Name: `${props.name}-${suffix}` });

    this.vpc = new AwsVpc(this, "Resource", {
      cidrBlock: props.cidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: name("vpc"),
    });
    this.vpcId = this.vpc.id;

    // The default security group allows all traffic between its members; adopt it with no rules.
    new DefaultSecurityGroup(this, "default_security_group", {
      vpcId: this.vpc.id,
      ingress: [],
      egress: [],
      tags: name("default-do-not-use"),
    });
    // The main route table is used by subnets without an association; adopt it with no routes.
    new DefaultRouteTable(this, "default_route_table", {
      defaultRouteTableId: this.vpc.defaultRouteTableId,
      route: [],
      tags: name("main-do-not-use"),
    });

    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: name("igw") });
    const publicRt = new RouteTable(this, "public", { vpcId: this.vpc.id, tags: { ...name("public"), Tier: "public" } });
    new Route(this, "public_internet", { routeTableId: publicRt.id, destinationCidrBlock: "0.0.0.0/0", gatewayId: igw.id });

    const natByAz = new Map<string, NatGateway>();
    for (const s of props.subnets) {
      const az = s.az;
      /** The subnet of a tier in this AZ (`<tier>_<az>`, tagged Tier = tier). */
      const subnet = (tier: "public" | "app" | "data", mapPublicIpOnLaunch: boolean) =>
        new Subnet(this, `${tier}_${az}`, {
          vpcId: this.vpc.id,
          cidrBlock: s[tier],
          availabilityZone: az,
          mapPublicIpOnLaunch,
          tags: { ...name(`${tier}-${az}`), Tier: tier },
        });
      const pub = subnet("public", props.publicSubnetsMapPublicIp ?? false);
      const app = subnet("app", false);
      const data = subnet("data", false);
      this.publicSubnetIds.push(pub.id);
      this.appSubnetIds.push(app.id);
      this.dataSubnetIds.push(data.id);
      new RouteTableAssociation(this, `public_${az}_association`, { subnetId: pub.id, routeTableId: publicRt.id });

      if (nat === "per-az" || (nat === "single" && natByAz.size === 0)) {
        const eip = new Eip(this, `nat_${az}_eip`, { domain: "vpc", tags: name(`nat-${az}`) });
        const gw = new NatGateway(this, `nat_${az}`, {
          allocationId: eip.allocationId,
          subnetId: pub.id,
          connectivityType: "public",
          tags: name(`nat-${az}`),
          dependsOn: [igw],
        });
        natByAz.set(az, gw);
        this.natPublicIps.push(eip.publicIp);
      }

      const appRt = new RouteTable(this, `app_${az}_routes`, { vpcId: this.vpc.id, tags: { ...name(`app-${az}`), Tier: "app" } });
      const natGw = natByAz.get(az) ?? natByAz.values().next().value;
      if (natGw) {
        new Route(this, `app_${az}_nat`, { routeTableId: appRt.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: natGw.id });
      }
      new RouteTableAssociation(this, `app_${az}_association`, { subnetId: app.id, routeTableId: appRt.id });
      this.appRouteTableIds.push(appRt.id);

      // Data tier: local routes only (plus gateway endpoints added by VpcEndpoints). No way out.
      const dataRt = new RouteTable(this, `data_${az}_routes`, { vpcId: this.vpc.id, tags: { ...name(`data-${az}`), Tier: "data" } });
      new RouteTableAssociation(this, `data_${az}_association`, { subnetId: data.id, routeTableId: dataRt.id });
      this.dataRouteTableIds.push(dataRt.id);
    }
  }
}
