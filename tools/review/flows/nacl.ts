/**
 * Network ACLs on a flow's path. A NACL filters traffic crossing a subnet's boundary, statelessly:
 * a TCP flow from subnet A to subnet B on port P needs A's ACL to let P out to B, B's ACL to let P
 * in from A, and the reply on the client's ephemeral port (1024-65535) out of B and into A. Traffic
 * inside one subnet crosses no ACL.
 *
 * The ACL of a subnet: the custom ACL an `aws_network_acl_association` (or an ACL's `subnet_ids`)
 * gives it; else the VPC's default ACL when the environment adopts it (`aws_default_network_acl`,
 * evaluated with its rules); else AWS's default ACL, which allows everything (no hop).
 *
 * Rules are evaluated lowest number first and the first rule matching the packet decides; what
 * none matches is denied. A rule applies to a peer when its CIDR contains the peer's whole block;
 * a deny whose CIDR only overlaps the peer is taken to deny it (some of its addresses are refused),
 * an allow that only overlaps proves nothing.
 */
import type { EnvModel, Resource } from "../model";
import { blocks, num, str } from "../tf";
import { cidrContains } from "./network";
import { hop, type Hop } from "./types";

/** The ephemeral ports clients (NAT gateways, load balancers, Lambda, Linux tasks) connect from. */
export const EPHEMERAL = { from: 1024, to: 65535 } as const;
const INTERNET = "0.0.0.0/0";

interface AclEntry {
  readonly number: number;
  readonly egress: boolean;
  readonly allow: boolean;
  readonly protocol: string;
  readonly from: number;
  readonly to: number;
  readonly cidr: string;
  readonly where: string;
}

export interface Acl {
  readonly id: string;
  /** Short name for hop labels: the resource name (`app`), or `default`. */
  readonly name: string;
  readonly entries: readonly AclEntry[];
}

/** The result of one direction's check. */
interface Verdict {
  readonly ok: boolean;
  readonly detail: string;
}

function overlapsCidr(a: string, b: string): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

export class NetworkAcls {
  private readonly byResource = new Map<string, Acl>();
  /** Whether the environment has any ACL of its own (custom or an adopted default). */
  readonly present: boolean;

  constructor(readonly model: EnvModel) {
    for (const acl of model.resources(["aws_network_acl", "aws_default_network_acl"])) {
      const entries: AclEntry[] = [];
      for (const egress of [false, true]) {
        for (const b of blocks(acl.attrs[egress ? "egress" : "ingress"])) {
          entries.push(this.entry(b, egress, num(b.rule_no) ?? 0, str(b.action), acl.id));
        }
      }
      this.byResource.set(acl.id, { id: acl.id, name: acl.type === "aws_default_network_acl" ? "default" : acl.name, entries });
    }
    for (const r of model.resources("aws_network_acl_rule")) {
      const acl = model
        .resolve(r.stack, r.config.network_acl_id)
        .find((x) => x.type === "aws_network_acl" || x.type === "aws_default_network_acl");
      const holder = acl && this.byResource.get(acl.id);
      if (!holder) continue;
      const egress = r.attrs.egress === true || r.attrs.egress === "true";
      (holder.entries as AclEntry[]).push(this.entry(r.attrs, egress, num(r.attrs.rule_number) ?? 0, str(r.attrs.rule_action), r.id));
    }
    this.present = this.byResource.size > 0;
  }

  private entry(b: Record<string, unknown>, egress: boolean, number: number, action: string | undefined, where: string): AclEntry {
    const protocol = String(b.protocol ?? "-1").toLowerCase();
    const all = protocol === "-1" || protocol === "all";
    return {
      number,
      egress,
      allow: (action ?? "allow").toLowerCase() === "allow",
      protocol,
      from: all ? 0 : (num(b.from_port) ?? 0),
      to: all ? 65535 : (num(b.to_port) ?? 65535),
      cidr: str(b.cidr_block) ?? "",
      where: where.includes("aws_network_acl_rule.") ? where : `${where} rule ${number}`,
    };
  }

  /** The ACL a subnet is associated with; undefined when AWS's default (allow-all) ACL applies. */
  aclOf(subnet: Resource): Acl | undefined {
    for (const assoc of this.model.resources("aws_network_acl_association")) {
      if (!this.model.refersTo(assoc, subnet, "subnet_id")) continue;
      const acl = this.model.resolve(assoc.stack, assoc.config.network_acl_id).find((x) => x.type === "aws_network_acl");
      if (acl) return this.byResource.get(acl.id);
    }
    for (const acl of this.model.resources("aws_network_acl")) {
      if (this.model.refersTo(acl, subnet, "subnet_ids")) return this.byResource.get(acl.id);
    }
    const vpc = this.model.resolve(subnet.stack, subnet.config.vpc_id).find((x) => x.type === "aws_vpc");
    const adopted = this.model
      .resources("aws_default_network_acl")
      .find((d) => this.model.refersTo(d, subnet, "subnet_ids") || (!!vpc && this.model.refersTo(d, vpc, "default_network_acl_id")));
    return adopted ? this.byResource.get(adopted.id) : undefined;
  }

  /** Does `acl` let TCP ports [from, to] in (or out) from (or to) `peer`? First matching rule wins. */
  allows(acl: Acl, egress: boolean, peer: string, from: number, to: number): Verdict {
    const rules = acl.entries.filter((e) => e.egress === egress).sort((a, b) => a.number - b.number);
    let open: [number, number][] = [[from, to]];
    const used: string[] = [];
    for (const r of rules) {
      if (!open.length) break;
      if (!(r.protocol === "-1" || r.protocol === "all" || r.protocol === "tcp" || r.protocol === "6")) continue;
      const applies = cidrContains(r.cidr, peer) || (!r.allow && overlapsCidr(r.cidr, peer));
      if (!applies) continue;
      const next: [number, number][] = [];
      for (const [a, b] of open) {
        const lo = Math.max(a, r.from);
        const hi = Math.min(b, r.to);
        if (lo > hi) {
          next.push([a, b]);
          continue;
        }
        if (!r.allow) return { ok: false, detail: `${r.where} denies ${lo === hi ? lo : `${lo}-${hi}`} ${egress ? "to" : "from"} ${peer}` };
        used.push(r.where);
        if (a < lo) next.push([a, lo - 1]);
        if (hi < b) next.push([hi + 1, b]);
      }
      open = next;
    }
    if (open.length) {
      const gap = open.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(", ");
      return {
        ok: false,
        detail: `no rule of ${acl.name} allows tcp ${gap} ${egress ? "out to" : "in from"} ${peer} (denied by the final * rule)`,
      };
    }
    return { ok: true, detail: [...new Set(used)].join(", ") };
  }

  /**
   * The four ACL hops of a TCP flow from `src` subnets to `dst` subnets on `port`: request out and
   * in, reply out and in on the ephemeral ports. Every pair of distinct subnets is checked (a task
   * in one AZ may reach a database in another); the hop names the first pair that fails.
   */
  path(src: readonly Resource[], dst: readonly Resource[], port: number, cidrOf: (s: Resource) => string | undefined): Hop[] {
    if (!this.present || !src.length || !dst.length) return [];
    const pairs: { s: Resource; d: Resource; sc: string; dc: string }[] = [];
    for (const s of src) {
      for (const d of dst) {
        const sc = cidrOf(s);
        const dc = cidrOf(d);
        if (s.id !== d.id && sc && dc) pairs.push({ s, d, sc, dc });
      }
    }
    if (!pairs.length) return [];
    const names = (subnets: readonly Resource[]) => [...new Set(subnets.map((s) => this.aclOf(s)?.name ?? "aws-default"))].join(",");
    const srcName = names(src);
    const dstName = names(dst);
    const E = `${EPHEMERAL.from}-${EPHEMERAL.to}`;
    const checks: { name: string; fix: string; run: (p: (typeof pairs)[number]) => Verdict | undefined }[] = [
      {
        name: `nacl egress ${srcName} -> ${dstName} :${port}`,
        fix: `add an outbound allow rule on the source subnets' ACL for tcp ${port} to the target subnets`,
        run: (p) => this.check(p.s, true, p.dc, port, port),
      },
      {
        name: `nacl ingress ${dstName} <- ${srcName} :${port}`,
        fix: `add an inbound allow rule on the target subnets' ACL for tcp ${port} from the source subnets`,
        run: (p) => this.check(p.d, false, p.sc, port, port),
      },
      {
        name: `nacl return egress ${dstName} -> ${srcName} :${E}`,
        fix: `add an outbound allow rule on the target subnets' ACL for tcp ${E} (the reply) to the source subnets`,
        run: (p) => this.check(p.d, true, p.sc, EPHEMERAL.from, EPHEMERAL.to),
      },
      {
        name: `nacl return ingress ${srcName} <- ${dstName} :${E}`,
        fix: `add an inbound allow rule on the source subnets' ACL for tcp ${E} (the reply) from the target subnets`,
        run: (p) => this.check(p.s, false, p.dc, EPHEMERAL.from, EPHEMERAL.to),
      },
    ];
    return checks.map((c) => {
      const found: string[] = [];
      for (const p of pairs) {
        const v = c.run(p);
        if (!v) continue;
        if (!v.ok) return hop("network", c.name, false, `${p.s.name} (${p.sc}) -> ${p.d.name} (${p.dc}): ${v.detail}`, c.fix);
        found.push(v.detail);
      }
      return hop(
        "network",
        c.name,
        true,
        [...new Set(found)].join(", ") || "no ACL of the environment on these subnets (AWS default: allow all)",
      );
    });
  }

  /**
   * A flow from `src` subnets to the internet on `port` (an AWS service's public endpoint through a
   * gateway endpoint or NAT): out to 0.0.0.0/0 and the reply in from it. With `nat`, the NAT
   * gateways' subnets too: the request in from the sources and out, the reply in and back.
   */
  toInternet(
    label: string,
    src: readonly Resource[],
    port: number,
    cidrOf: (s: Resource) => string | undefined,
    natSubnets: readonly Resource[] = [],
  ): Hop[] {
    if (!this.present || !src.length) return [];
    const E = `${EPHEMERAL.from}-${EPHEMERAL.to}`;
    const out: Hop[] = [];
    const run = (name: string, fix: string, items: { subnet: Resource; egress: boolean; peer: string; from: number; to: number }[]) => {
      const found: string[] = [];
      for (const i of items) {
        const v = this.check(i.subnet, i.egress, i.peer, i.from, i.to);
        if (v && !v.ok) {
          out.push(hop("network", name, false, `${i.subnet.name}: ${v.detail}`, fix));
          return;
        }
        if (v) found.push(v.detail);
      }
      out.push(hop("network", name, true, [...new Set(found)].join(", ") || "AWS default ACL (allow all)"));
    };
    const srcName = [...new Set(src.map((s) => this.aclOf(s)?.name ?? "aws-default"))].join(",");
    run(
      `${label}: nacl egress ${srcName} -> ${INTERNET} :${port}`,
      `allow tcp ${port} out to 0.0.0.0/0 on the source subnets' ACL`,
      src.map((s) => ({ subnet: s, egress: true, peer: INTERNET, from: port, to: port })),
    );
    run(
      `${label}: nacl return ingress ${srcName} <- ${INTERNET} :${E}`,
      `allow tcp ${E} in from 0.0.0.0/0 on the source subnets' ACL (replies from the service)`,
      src.map((s) => ({ subnet: s, egress: false, peer: INTERNET, from: EPHEMERAL.from, to: EPHEMERAL.to })),
    );
    if (natSubnets.length) {
      const natName = [...new Set(natSubnets.map((s) => this.aclOf(s)?.name ?? "aws-default"))].join(",");
      const srcCidrs = src.map(cidrOf).filter((c): c is string => !!c);
      const each = (egress: boolean, peers: string[], from: number, to: number) =>
        natSubnets.flatMap((subnet) => peers.map((peer) => ({ subnet, egress, peer, from, to })));
      run(
        `${label}: nacl ingress ${natName} (NAT) <- ${srcName} :${port}`,
        `allow tcp ${port} in from the source subnets on the NAT gateway's subnet ACL`,
        each(false, srcCidrs, port, port),
      );
      run(
        `${label}: nacl egress ${natName} (NAT) -> ${INTERNET} :${port}`,
        `allow tcp ${port} out to 0.0.0.0/0 on the NAT gateway's subnet ACL`,
        each(true, [INTERNET], port, port),
      );
      run(
        `${label}: nacl return ingress ${natName} (NAT) <- ${INTERNET} :${E}`,
        `allow tcp ${E} in from 0.0.0.0/0 on the NAT gateway's subnet ACL (replies to the NAT gateway)`,
        each(false, [INTERNET], EPHEMERAL.from, EPHEMERAL.to),
      );
      run(
        `${label}: nacl return egress ${natName} (NAT) -> ${srcName} :${E}`,
        `allow tcp ${E} out to the source subnets on the NAT gateway's subnet ACL (replies forwarded to the clients)`,
        each(true, srcCidrs, EPHEMERAL.from, EPHEMERAL.to),
      );
    }
    return out;
  }

  /** One direction through a subnet's ACL; undefined when AWS's default ACL (allow all) applies. */
  private check(subnet: Resource, egress: boolean, peer: string, from: number, to: number): Verdict | undefined {
    const acl = this.aclOf(subnet);
    return acl ? this.allows(acl, egress, peer, from, to) : undefined;
  }
}
