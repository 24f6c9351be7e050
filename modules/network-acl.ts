/**
 * Network ACLs: a subnet-level, stateless firewall in front of the security groups.
 *
 * `NetworkAcl` creates an `aws_network_acl` with no inline rules, one `aws_network_acl_rule` per
 * rule, named by direction and number (`app` -> `aws_network_acl_rule.app_ingress_100`), and one
 * `aws_network_acl_association` per subnet, named by the caller's key
 * (`aws_network_acl_association.app_us_west_2a`). Rules are allow rules; what no rule allows is
 * denied by the ACL's fixed final rule (`*`). The caller supplies both directions of every flow:
 * the ACL keeps no connection state, so a reply needs its own rule on the ephemeral ports.
 *
 * `EmptyDefaultNetworkAcl` adopts the VPC's default ACL and removes its rules (deny all), so a
 * subnet created outside the kit, which AWS associates with the default ACL, carries no traffic.
 */
import { DefaultNetworkAcl } from "@cdktf/provider-aws/lib/default-network-acl";
import { NetworkAcl as AwsNetworkAcl } from "@cdktf/provider-aws/lib/network-acl";
import { NetworkAclAssociation } from "@cdktf/provider-aws/lib/network-acl-association";
import { NetworkAclRule } from "@cdktf/provider-aws/lib/network-acl-rule";
import { Construct } from "constructs";

const CIDR_RE = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** One allow rule. */
export interface NetworkAclRuleProps {
  /** Rule number, 1-32766, unique per direction; rules are evaluated lowest first. */
  readonly number: number;
  /** Outbound (true) or inbound (false). */
  readonly egress: boolean;
  /** First port of the TCP range. */
  readonly fromPort: number;
  /** Last port of the TCP range. */
  readonly toPort: number;
  /** The peer: source of an inbound rule, destination of an outbound one. */
  readonly cidrBlock: string;
}

export interface NetworkAclProps {
  /** VPC of the ACL. */
  readonly vpcId: string;
  /** The `Name` tag. */
  readonly name: string;
  /** Subnets to associate, by a stable key used in the association's address (the AZ). At least one. */
  readonly subnetIds: Readonly<Record<string, string>>;
  /** Allow rules (TCP). @default none: the ACL denies everything */
  readonly rules?: readonly NetworkAclRuleProps[];
  /** Tags besides `Name`. @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

/** A custom network ACL with its rules and subnet associations. */
export class NetworkAcl extends Construct {
  readonly acl: AwsNetworkAcl;
  readonly networkAclId: string;

  constructor(scope: Construct, id: string, props: NetworkAclProps) {
    super(scope, id);
    const keys = Object.keys(props.subnetIds);
    if (keys.length === 0) throw new Error(`${this.node.path}: a network ACL needs at least one subnet`);
    this.acl = new AwsNetworkAcl(this, "Resource", { vpcId: props.vpcId, tags: { ...props.tags, Name: props.name } });
    this.networkAclId = this.acl.id;

    const seen = new Set<string>();
    for (const r of props.rules ?? []) {
      const dir = r.egress ? "egress" : "ingress";
      const owner = `${this.node.path} ${dir} rule ${r.number}`;
      if (!Number.isInteger(r.number) || r.number < 1 || r.number > 32766)
        throw new Error(`${owner}: rule number must be a whole number 1-32766`);
      if (seen.has(`${dir}${r.number}`)) throw new Error(`${owner}: rule number used twice in the same direction`);
      seen.add(`${dir}${r.number}`);
      for (const p of [r.fromPort, r.toPort]) {
        if (!Number.isInteger(p) || p < 0 || p > 65535) throw new Error(`${owner}: port ${p} must be a whole number 0-65535`);
      }
      if (r.toPort < r.fromPort) throw new Error(`${owner}: toPort ${r.toPort} is below fromPort ${r.fromPort}`);
      if (!r.cidrBlock.includes("${") && !CIDR_RE.test(r.cidrBlock))
        throw new Error(`${owner}: ${JSON.stringify(r.cidrBlock)} is not an IPv4 CIDR block`);
      new NetworkAclRule(this, `${dir}_${r.number}`, {
        networkAclId: this.acl.id,
        ruleNumber: r.number,
        egress: r.egress,
        protocol: "tcp",
        ruleAction: "allow",
        cidrBlock: r.cidrBlock,
        fromPort: r.fromPort,
        toPort: r.toPort,
      });
    }
    for (const key of keys) {
      new NetworkAclAssociation(this, key, { networkAclId: this.acl.id, subnetId: props.subnetIds[key] });
    }
  }
}

export interface EmptyDefaultNetworkAclProps {
  /** The VPC's `default_network_acl_id`. */
  readonly defaultNetworkAclId: string;
  /** The `Name` tag. */
  readonly name: string;
}

/**
 * The VPC's default network ACL, adopted with no rules: it then denies all traffic. Its subnet
 * list is left to AWS (ignore_changes): subnets leave it when they are associated with a custom ACL.
 */
export class EmptyDefaultNetworkAcl extends Construct {
  readonly acl: DefaultNetworkAcl;

  constructor(scope: Construct, id: string, props: EmptyDefaultNetworkAclProps) {
    super(scope, id);
    this.acl = new DefaultNetworkAcl(this, "Resource", {
      defaultNetworkAclId: props.defaultNetworkAclId,
      ingress: [],
      egress: [],
      tags: { Name: props.name },
      lifecycle: { ignoreChanges: ["subnet_ids"] },
    });
  }
}
