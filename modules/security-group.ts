/**
 * Security groups whose every rule is its own resource with a description.
 *
 * `SecurityGroup` creates an `aws_security_group` with no inline rules: the AWS provider then
 * removes the default allow-all egress rule, so the group allows nothing until rules are added.
 * Rules are `aws_vpc_security_group_ingress_rule` / `aws_vpc_security_group_egress_rule`
 * resources, one per port range and peer, named by the caller (`alb.ingressFromCidr("https_from_internet", ...)`
 * -> `aws_vpc_security_group_ingress_rule.alb_https_from_internet`), so addresses stay stable when
 * rules are added or removed around them.
 *
 * Peers are, in order of preference: another security group (`...FromGroup` / `...ToGroup`), a
 * managed prefix list (`egressToPrefixList`, gateway endpoints), and a CIDR block only where no
 * peer exists (`...FromCidr` / `...ToCidr`, e.g. the internet in front of a load balancer); the
 * description of a CIDR rule must then say why.
 *
 * `SecurityGroup.fromId` adds rules to a group created elsewhere (another layer's group).
 */
import { SecurityGroup as AwsSecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { Construct } from "constructs";

/** Characters EC2 accepts in group and rule descriptions. */
const DESCRIPTION_RE = /^[a-zA-Z0-9 ._\-:/()#,@[\]+=&;{}!$*]{1,255}$/;
const CIDR_RE = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;

/** Port(s) and protocol of one rule. */
export interface RuleOptions {
  /** First (or only) port of the range, 1-65535. */
  readonly port: number;
  /** Last port of the range. @default port (a single port) */
  readonly toPort?: number;
  /** @default "tcp" */
  readonly protocol?: "tcp" | "udp";
  /**
   * Why the rule exists, shown in the console and in plans. 1-255 characters of
   * a-z A-Z 0-9 space and ._-:/()#,@[]+=&;{}!$* (no apostrophes).
   */
  readonly description: string;
}

type Peer = { readonly referencedSecurityGroupId: string } | { readonly prefixListId: string } | { readonly cidrIpv4: string };

function checkDescription(owner: string, description: string): void {
  if (!DESCRIPTION_RE.test(description)) {
    throw new Error(
      `${owner}: description ${JSON.stringify(description)} must be 1-255 characters of a-z A-Z 0-9 space and ._-:/()#,@[]+=&;{}!$*`,
    );
  }
}

/** Rule methods shared by groups created here and groups referenced by id. */
export abstract class SecurityGroupRules extends Construct {
  /** ID of the security group the rules are added to. */
  abstract readonly securityGroupId: string;

  /** Ingress from members of another security group. */
  ingressFromGroup(id: string, peerSecurityGroupId: string, rule: RuleOptions): VpcSecurityGroupIngressRule {
    return this.ingress(id, { referencedSecurityGroupId: peerSecurityGroupId }, rule);
  }

  /** Ingress from a CIDR block. Only where no peer group exists; the description says why. */
  ingressFromCidr(id: string, cidr: string, rule: RuleOptions): VpcSecurityGroupIngressRule {
    return this.ingress(id, { cidrIpv4: this.checkCidr(id, cidr) }, rule);
  }

  /** Egress to members of another security group. */
  egressToGroup(id: string, peerSecurityGroupId: string, rule: RuleOptions): VpcSecurityGroupEgressRule {
    return this.egress(id, { referencedSecurityGroupId: peerSecurityGroupId }, rule);
  }

  /** Egress to a managed prefix list (gateway endpoints). */
  egressToPrefixList(id: string, prefixListId: string, rule: RuleOptions): VpcSecurityGroupEgressRule {
    return this.egress(id, { prefixListId }, rule);
  }

  /** Egress to a CIDR block. Only where no peer group or prefix list exists; the description says why. */
  egressToCidr(id: string, cidr: string, rule: RuleOptions): VpcSecurityGroupEgressRule {
    return this.egress(id, { cidrIpv4: this.checkCidr(id, cidr) }, rule);
  }

  private ingress(id: string, peer: Peer, rule: RuleOptions): VpcSecurityGroupIngressRule {
    return new VpcSecurityGroupIngressRule(this, id, { securityGroupId: this.securityGroupId, ...peer, ...this.ports(id, rule) });
  }

  private egress(id: string, peer: Peer, rule: RuleOptions): VpcSecurityGroupEgressRule {
    return new VpcSecurityGroupEgressRule(this, id, { securityGroupId: this.securityGroupId, ...peer, ...this.ports(id, rule) });
  }

  private ports(id: string, rule: RuleOptions) {
    const owner = `${this.node.path}/${id}`;
    const toPort = rule.toPort ?? rule.port;
    for (const p of [rule.port, toPort]) {
      if (!Number.isInteger(p) || p < 1 || p > 65535) throw new Error(`${owner}: port ${p} must be a whole number 1-65535`);
    }
    if (toPort < rule.port) throw new Error(`${owner}: toPort ${toPort} is below port ${rule.port}`);
    checkDescription(owner, rule.description);
    return { ipProtocol: rule.protocol ?? "tcp", fromPort: rule.port, toPort, description: rule.description };
  }

  private checkCidr(id: string, cidr: string): string {
    // A token (`${...}`) resolves at plan time and is not checked here.
    if (!cidr.includes("${") && !CIDR_RE.test(cidr))
      throw new Error(`${this.node.path}/${id}: ${JSON.stringify(cidr)} is not an IPv4 CIDR block`);
    return cidr;
  }
}

/** A security group created elsewhere (another layer), to which this stack adds rules. */
export class ReferencedSecurityGroup extends SecurityGroupRules {
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, securityGroupId: string) {
    super(scope, id);
    this.securityGroupId = securityGroupId;
  }
}

export interface SecurityGroupProps {
  /** Group name (changing it replaces the group). */
  readonly name: string;
  /** What the group is for (changing it replaces the group). Same character set as rule descriptions. */
  readonly description: string;
  /** VPC of the group. */
  readonly vpcId: string;
  /** Tags besides `Name` (which is the group name). @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * A security group with no inline rules and so no default egress: it allows exactly the rules
 * added with its methods. The group resource is the construct's `Resource`, so its address is the
 * construct id (`alb` -> `aws_security_group.alb`).
 */
export class SecurityGroup extends SecurityGroupRules {
  /** Adds rules to a group created elsewhere, under this construct id. */
  static fromId(scope: Construct, id: string, securityGroupId: string): ReferencedSecurityGroup {
    return new ReferencedSecurityGroup(scope, id, securityGroupId);
  }

  readonly group: AwsSecurityGroup;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: SecurityGroupProps) {
    super(scope, id);
    checkDescription(`${this.node.path} (group)`, props.description);
    if (props.name.length > 255 || /^sg-/i.test(props.name)) {
      throw new Error(`${this.node.path}: name ${props.name} must be at most 255 characters and not start with sg-`);
    }
    this.group = new AwsSecurityGroup(this, "Resource", {
      name: props.name,
      description: props.description,
      vpcId: props.vpcId,
      // No ingress/egress blocks: every rule is a separate resource, and the provider removes
      // the default allow-all egress rule from the new group.
      tags: { ...props.tags, Name: props.name },
    });
    this.securityGroupId = this.group.id;
  }
}
