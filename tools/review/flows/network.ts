/**
 * The network half of a flow: security-group rules in both directions (egress on the source group,
 * ingress on the target group naming the source group, a CIDR or a prefix list), and the route from
 * a subnet to an AWS service (an interface endpoint with private DNS, a gateway endpoint on the
 * subnet's route table, or a default route through a NAT gateway), and where the environment has
 * network ACLs, the ACLs of the subnets on the path in both directions (./nacl.ts).
 */
import type { EnvModel, Resource } from "../model";
import { block, blocks, num, str } from "../tf";
import { NetworkAcls } from "./nacl";
import { hop, type Hop } from "./types";
import type { Symbols } from "./symbols";

export interface SgRule {
  readonly group: string;
  readonly direction: "ingress" | "egress";
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly peerGroups: readonly string[];
  readonly cidrs: readonly string[];
  readonly prefixLists: readonly string[];
  readonly where: string;
}

function ipv4(c: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(c);
  if (!m) return undefined;
  const ip = ((+m[1] << 24) >>> 0) + (+m[2] << 16) + (+m[3] << 8) + +m[4];
  return [ip >>> 0, +m[5]];
}

/** True when CIDR `outer` contains CIDR `inner`. */
export function cidrContains(outer: string, inner: string): boolean {
  const a = ipv4(outer);
  const b = ipv4(inner);
  if (!a || !b || a[1] > b[1]) return false;
  if (a[1] === 0) return true;
  const mask = (~0 << (32 - a[1])) >>> 0;
  return (a[0] & mask) === (b[0] & mask);
}

export class Network {
  readonly rules: SgRule[] = [];
  readonly acls: NetworkAcls;

  constructor(
    readonly model: EnvModel,
    readonly sym: Symbols,
  ) {
    this.acls = new NetworkAcls(model);
    const groupsOf = (r: Resource, v: unknown) =>
      model
        .resolve(r.stack, v)
        .filter((x) => x.type === "aws_security_group")
        .map((x) => x.id);
    for (const sg of model.resources("aws_security_group")) {
      for (const dir of ["ingress", "egress"] as const) {
        for (const b of blocks(sg.attrs[dir])) {
          this.rules.push({
            group: sg.id,
            direction: dir,
            protocol: String(b.protocol ?? "-1"),
            from: num(b.from_port) ?? 0,
            to: num(b.to_port) ?? 65535,
            peerGroups: [...groupsOf(sg, b.security_groups), ...(b.self === true ? [sg.id] : [])],
            cidrs: (Array.isArray(b.cidr_blocks) ? b.cidr_blocks : []).map(String),
            prefixLists: this.sym.strings(sg.stack, b.prefix_list_ids ?? []),
            where: sg.id,
          });
        }
      }
    }
    for (const type of ["aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"] as const) {
      for (const r of model.resources(type)) {
        const group = groupsOf(r, r.config.security_group_id)[0];
        if (!group) continue;
        const proto = String(r.attrs.ip_protocol ?? "-1");
        this.rules.push({
          group,
          direction: type.includes("ingress") ? "ingress" : "egress",
          protocol: proto,
          from: proto === "-1" ? 0 : (num(r.attrs.from_port) ?? 0),
          to: proto === "-1" ? 65535 : (num(r.attrs.to_port) ?? 65535),
          peerGroups: groupsOf(r, r.config.referenced_security_group_id),
          cidrs: [str(r.attrs.cidr_ipv4)].filter((x): x is string => !!x),
          prefixLists: r.attrs.prefix_list_id !== undefined ? this.sym.strings(r.stack, r.attrs.prefix_list_id) : [],
          where: r.id,
        });
      }
    }
    for (const r of model.resources("aws_security_group_rule")) {
      const group = groupsOf(r, r.config.security_group_id)[0];
      if (!group) continue;
      const proto = String(r.attrs.protocol ?? "-1");
      this.rules.push({
        group,
        direction: r.attrs.type === "egress" ? "egress" : "ingress",
        protocol: proto,
        from: num(r.attrs.from_port) ?? 0,
        to: num(r.attrs.to_port) ?? 65535,
        peerGroups: [...groupsOf(r, r.config.source_security_group_id), ...(r.attrs.self === true ? [group] : [])],
        cidrs: (Array.isArray(r.attrs.cidr_blocks) ? r.attrs.cidr_blocks : []).map(String),
        prefixLists: this.sym.strings(r.stack, r.attrs.prefix_list_ids ?? []),
        where: r.id,
      });
    }
  }

  /** Security groups a value names (`security_groups`, `vpc_security_group_ids`, ...). */
  groups(stack: string, v: unknown): Resource[] {
    return this.model.resolve(stack, v).filter((r) => r.type === "aws_security_group");
  }

  private portOk(r: SgRule, port: number): boolean {
    const p = r.protocol.toLowerCase();
    if (p === "-1" || p === "all") return true;
    if (p !== "tcp" && p !== "6") return false;
    return r.from <= port && port <= r.to;
  }

  /** A rule of `groups` in `direction` covering `port` towards a peer (groups, CIDRs or a prefix list). */
  find(
    direction: "ingress" | "egress",
    groups: readonly string[],
    port: number,
    peer: { groups?: readonly string[]; cidrs?: readonly string[]; prefixList?: string },
  ): SgRule | undefined {
    return this.rules.find(
      (r) =>
        r.direction === direction &&
        groups.includes(r.group) &&
        this.portOk(r, port) &&
        ((peer.groups ?? []).some((g) => r.peerGroups.includes(g)) ||
          (peer.cidrs ?? []).some((c) => r.cidrs.some((rc) => cidrContains(rc, c))) ||
          (peer.prefixList !== undefined && r.prefixLists.includes(peer.prefixList))),
    );
  }

  /**
   * The subnets a resource sits in: a load balancer's, an endpoint's or VPC link's subnets, a
   * function's or service's network configuration, a database's or cache's subnet group.
   */
  subnetsOf(r: Resource): Resource[] {
    const subnets = (v: unknown) => this.model.resolve(r.stack, v).filter((x) => x.type === "aws_subnet");
    const group = (v: unknown, type: string) =>
      this.model
        .resolve(r.stack, v)
        .filter((x) => x.type === type)
        .flatMap((g) => this.model.resolve(g.stack, g.config.subnet_ids).filter((x) => x.type === "aws_subnet"));
    switch (r.type) {
      case "aws_lb":
        return subnets(r.config.subnets);
      case "aws_vpc_endpoint":
      case "aws_apigatewayv2_vpc_link":
        return subnets(r.config.subnet_ids);
      case "aws_lambda_function":
        return subnets(block(r.config.vpc_config)?.subnet_ids);
      case "aws_ecs_service":
        return subnets(block(r.config.network_configuration)?.subnets);
      case "aws_db_instance":
      case "aws_rds_cluster":
        return group(r.config.db_subnet_group_name, "aws_db_subnet_group");
      case "aws_elasticache_replication_group":
        return group(r.config.subnet_group_name, "aws_elasticache_subnet_group");
      default:
        return [];
    }
  }

  /** A subnet's CIDR block, when it is a literal. */
  readonly cidrOf = (s: Resource): string | undefined => {
    const c = str(s.attrs.cidr_block);
    return c && !c.includes("${") ? c : undefined;
  };

  /** The CIDRs of the subnets a value names (empty when unknown). */
  subnetCidrs(subnets: readonly Resource[]): string[] {
    return subnets.map((s) => str(s.attrs.cidr_block)).filter((x): x is string => !!x && !x.includes("${"));
  }

  /**
   * sgPath from resource `src` to resource `dst` on `port`: their security groups are the
   * references `srcGroups` and `dstGroups` of their own stacks, their subnets their own.
   */
  sgPathBetween(src: Resource, srcGroups: unknown, dst: Resource, dstGroups: unknown, port: number): Hop[] {
    return this.sgPath(
      `${src.name} -> ${dst.name}`,
      this.groups(src.stack, srcGroups),
      this.groups(dst.stack, dstGroups),
      port,
      this.subnetsOf(src),
      this.subnetsOf(dst),
    );
  }

  /**
   * Both halves of a security-group path from groups `src` (in `srcSubnets`) to groups `dst` (in
   * `dstSubnets`) on `port`, then, when the environment has network ACLs and both sides' subnets
   * are known, the ACL hops (request and ephemeral-port reply, both ways).
   */
  sgPath(
    label: string,
    src: readonly Resource[],
    dst: readonly Resource[],
    port: number,
    srcSubnets: readonly Resource[] = [],
    dstSubnets: readonly Resource[] = [],
  ): Hop[] {
    const s = src.map((g) => g.id);
    const d = dst.map((g) => g.id);
    const names = (gs: readonly Resource[]) => gs.map((g) => g.name).join(",") || "none";
    if (!s.length || !d.length)
      return [
        hop(
          "network",
          `${label}: security groups`,
          false,
          `no security group on the ${!s.length ? "source" : "target"} side`,
          "attach the tier's security group",
        ),
      ];
    const egress = this.find("egress", s, port, { groups: d, cidrs: this.subnetCidrs(dstSubnets) });
    const ingress = this.find("ingress", d, port, { groups: s, cidrs: this.subnetCidrs(srcSubnets) });
    return [
      hop(
        "network",
        `sg egress ${names(src)} -> ${names(dst)} :${port}`,
        !!egress,
        egress ? `rule ${egress.where}` : `no egress rule on ${names(src)} to ${names(dst)} on port ${port}`,
        `add an egress rule on ${names(src)} to security group ${names(dst)}, tcp ${port}`,
      ),
      hop(
        "network",
        `sg ingress ${names(dst)} <- ${names(src)} :${port}`,
        !!ingress,
        ingress ? `rule ${ingress.where}` : `no ingress rule on ${names(dst)} from ${names(src)} on port ${port}`,
        `add an ingress rule on ${names(dst)} from security group ${names(src)}, tcp ${port}`,
      ),
      ...this.acls.path(srcSubnets, dstSubnets, port, this.cidrOf),
    ];
  }

  /** Route tables of subnets. */
  private routeTables(subnets: readonly Resource[]): Resource[] {
    const out = new Map<string, Resource>();
    for (const assoc of this.model.resources("aws_route_table_association")) {
      if (!subnets.some((s) => this.model.refersTo(assoc, s, "subnet_id"))) continue;
      for (const rt of this.model.resolve(assoc.stack, assoc.config.route_table_id)) if (rt.type === "aws_route_table") out.set(rt.id, rt);
    }
    return [...out.values()];
  }

  /** The NAT gateways a route table's default route leads to (empty: no default route through NAT). */
  private natGateways(rt: Resource): Resource[] {
    const nats = (stack: string, v: unknown) => this.model.resolve(stack, v).filter((n) => n.type === "aws_nat_gateway");
    const inline = blocks(rt.attrs.route)
      .filter((r) => r.cidr_block === "0.0.0.0/0")
      .flatMap((r) => nats(rt.stack, r.nat_gateway_id));
    const routes = this.model
      .resources("aws_route")
      .filter((r) => this.model.refersTo(r, rt, "route_table_id") && r.attrs.destination_cidr_block === "0.0.0.0/0")
      .flatMap((r) => nats(r.stack, r.config.nat_gateway_id));
    return [...inline, ...routes];
  }

  private hasNatDefault(rt: Resource): boolean {
    return this.natGateways(rt).length > 0;
  }

  /**
   * The path from groups `src` in `subnets` to the regional endpoint of an AWS service (`ssm`,
   * `secretsmanager`, `sqs`, `s3`, ...): interface endpoint, gateway endpoint or NAT, each with
   * the security-group rules it needs on 443.
   */
  toAwsService(service: string, src: readonly Resource[], subnets: readonly Resource[]): Hop[] {
    const label = `route to ${service}`;
    const endpoints = this.model.resources("aws_vpc_endpoint").filter((e) => {
      const name = this.sym.render(e.stack, String(e.attrs.service_name ?? ""));
      return name.endsWith(`.${service}`);
    });
    const s = src.map((g) => g.id);
    const iface = endpoints.find((e) => String(e.attrs.vpc_endpoint_type ?? "Gateway") === "Interface");
    if (iface) {
      const epGroups = this.groups(iface.stack, iface.config.security_group_ids);
      const dns = iface.attrs.private_dns_enabled === true || iface.attrs.private_dns_enabled === "true";
      return [
        hop(
          "network",
          `${label}: interface endpoint`,
          dns,
          dns ? `${iface.id} (private DNS)` : `${iface.id} has private DNS off: the service name resolves to public addresses`,
          "enable private_dns_enabled",
        ),
        ...this.sgPath(label, src, epGroups, 443, subnets, this.subnetsOf(iface)),
      ];
    }
    const gateway = endpoints.find((e) => String(e.attrs.vpc_endpoint_type ?? "Gateway") === "Gateway");
    const rts = this.routeTables(subnets);
    if (gateway) {
      const onRoutes = rts.length > 0 && rts.every((rt) => this.model.refersTo(gateway, rt, "route_table_ids"));
      const pl = this.sym.attr(gateway, ["prefix_list_id"]);
      const egress = this.find("egress", s, 443, { prefixList: pl, cidrs: ["0.0.0.0/0"] });
      return [
        hop(
          "network",
          `${label}: gateway endpoint`,
          onRoutes,
          onRoutes ? `${gateway.id} on the subnets' route tables` : `${gateway.id} is not on every route table of the subnets`,
          "add the subnets' route tables to the gateway endpoint",
        ),
        hop(
          "network",
          `${label}: sg egress 443 to the prefix list`,
          !!egress,
          egress ? `rule ${egress.where}` : `no egress rule on 443 to ${service}'s prefix list`,
          `add an egress rule to the ${service} prefix list on 443`,
        ),
        // A NACL cannot name the prefix list: the service's public ranges are reached as 0.0.0.0/0.
        ...this.acls.toInternet(label, subnets, 443, this.cidrOf),
      ];
    }
    const natOk = rts.length > 0 && rts.every((rt) => this.hasNatDefault(rt));
    const egress = this.find("egress", s, 443, { cidrs: ["0.0.0.0/0"] });
    return [
      hop(
        "network",
        `${label}: NAT`,
        natOk,
        natOk
          ? "default route through a NAT gateway"
          : `no ${service} endpoint and no default route through a NAT gateway on the subnets' route tables`,
        `add a ${service} interface endpoint or a NAT gateway route`,
      ),
      hop(
        "network",
        `${label}: sg egress 443 to the internet`,
        !!egress,
        egress ? `rule ${egress.where}` : `no egress on 443 to 0.0.0.0/0 (needed to reach ${service} through NAT)`,
        `add a ${service} interface endpoint, or an egress rule on 443`,
      ),
      ...(natOk ? this.acls.toInternet(label, subnets, 443, this.cidrOf, this.natSubnets(rts)) : []),
    ];
  }

  /** The subnets of the NAT gateways the route tables' default routes lead to. */
  private natSubnets(rts: readonly Resource[]): Resource[] {
    const out = new Map<string, Resource>();
    for (const nat of rts.flatMap((rt) => this.natGateways(rt))) {
      for (const s of this.model.resolve(nat.stack, nat.config.subnet_id)) if (s.type === "aws_subnet") out.set(s.id, s);
    }
    return [...out.values()];
  }
}
