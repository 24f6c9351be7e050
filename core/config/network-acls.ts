/**
 * The network ACL plan: one ACL per subnet tier (public, app, data), its numbered rules derived
 * from the flows the configuration means the platform to carry, the same flows the security layer
 * opens with security groups (layer 02). The network layer (01) cannot read layer 02, so both read
 * this configuration: service ports, the database, cache and Kafka ports, the load balancer's scheme,
 * listener ports and clients, NAT and internet HTTPS, the endpoints.
 *
 * NACLs are stateless: every flow needs its request rule on the way out of the source subnet and
 * into the target subnet, and its return rule on the ephemeral ports (1024-65535, what NAT
 * gateways, load balancers and Lambda use) the other way. Where the compute sits: ECS tasks,
 * VPC Lambda functions, interface endpoints, the NLB and the VPC link in the app subnets, an
 * internal ALB in the app subnets and an internet-facing one in the public subnets, NAT gateways in
 * the public subnets, the database and cache in the data subnets.
 *
 * Peers: the data and public ACLs name the app subnets one CIDR per AZ; the app ACL names
 * in-VPC peers by the VPC CIDR (its many flows would otherwise need ports x AZs rules, past AWS's
 * 20-rule quota), the internet as 0.0.0.0/0 and outside clients by their CIDR blocks.
 *
 * Rule numbers are `band(port) + slot(peer)`, never list positions, so adding a service, a port or
 * an AZ never renumbers an existing rule (every attribute of a NACL rule forces replacement):
 * - bands: ephemeral 1024-65535 -> 100, 443 -> 200, 80 -> 300, the database port -> 400, the
 *   cache port -> 500, Kafka's 9098 -> 1500, the k-th other load-balancer port (security.alb.ports order) -> 600 + 100k,
 *   any other port p below 1024 -> 2000 + 10p; a service port at or above 1024 that no ephemeral
 *   rule covers (only in a direction that carries no return traffic) -> 10000 + 100 x its position
 *   among the distinct service ports;
 * - slots: 0.0.0.0/0 -> 0, the VPC CIDR -> 1, the subnet of AZ i -> 10 + i, the j-th client CIDR
 *   (security.alb.ingressCidrs) -> 20 + j.
 * A port at or above 1024 towards a peer the ephemeral rule of that direction already admits gets no
 * rule of its own (a service port such as 8080 from the VPC is covered by the app ACL's ephemeral
 * rule); the tables in layers/01-network/README.md show which.
 */
import { contains, parseCidr } from "./cidr";
import { KAFKA_IAM_PORT } from "./constants";
import type { PlatformConfig } from "./types";
import { subnetPlan } from "./subnets";
import { layerOn } from "./layer-switch";

export const NACL_TIERS = ["public", "app", "data"] as const;
export type NaclTier = (typeof NACL_TIERS)[number];

/** The ports NAT gateways, load balancers and Lambda use as the source of their connections (AWS docs, see docs/decisions.md). */
export const EPHEMERAL_PORTS = { from: 1024, to: 65535 } as const;

/** Highest rule number AWS accepts. */
export const MAX_RULE_NUMBER = 32766;

export interface NaclRule {
  readonly tier: NaclTier;
  readonly egress: boolean;
  readonly number: number;
  /** TCP port range (inclusive). */
  readonly from: number;
  readonly to: number;
  readonly cidr: string;
  /** Why the rule exists, in a few words (kept in the docs and the review). */
  readonly purpose: string;
}

/** A flow end: a subnet tier of the VPC, or addresses outside it. */
type End = { readonly tier: NaclTier } | { readonly cidr: string; readonly label: string };

interface Flow {
  readonly src: End;
  readonly dst: End;
  readonly port: number;
  readonly purpose: string;
  /** Through a NAT gateway in the public tier (the packet keeps its internet destination). */
  readonly viaNat?: boolean;
}

const INTERNET = "0.0.0.0/0";
const isTier = (e: End): e is { readonly tier: NaclTier } => "tier" in e;

/** database.port, else the engine's default port (the same rule as the security layer's). */
export function databasePort(cfg: Pick<PlatformConfig, "database">): number {
  return cfg.database.port ?? (cfg.database.engine.includes("postgres") ? 5432 : 3306);
}

/** Every flow between tiers (and to and from outside the VPC) the configuration opens. */
function flows(cfg: PlatformConfig): Flow[] {
  const { network, security, cache } = cfg;
  const out: Flow[] = [];
  const internet: End = { cidr: INTERNET, label: "the internet" };
  const app: End = { tier: "app" };

  // Calls to AWS APIs: interface endpoints in the app subnets; gateway endpoints (S3, DynamoDB),
  // whose public address ranges a NACL cannot name by prefix list; the internet through NAT.
  if (network.interfaceEndpoints.length) out.push({ src: app, dst: app, port: 443, purpose: "HTTPS to the interface endpoints" });
  if (network.gatewayEndpoints.length)
    out.push({
      src: app,
      dst: internet,
      port: 443,
      purpose: `HTTPS to the ${network.gatewayEndpoints.join(", ")} gateway endpoint ranges`,
    });
  if (network.nat !== "none" && security.egress.internetHttps) {
    out.push({ src: app, dst: internet, port: 443, purpose: "HTTPS to the internet through NAT", viaNat: true });
  }

  // Database and cache clients (ECS tasks, VPC functions, the user provisioner: all in the app subnets).
  if (layerOn(cfg, "database")) {
    out.push({ src: app, dst: { tier: "data" }, port: databasePort(cfg), purpose: "database port" });
    if (cache.enabled) out.push({ src: app, dst: { tier: "data" }, port: cache.port, purpose: "cache port" });
    // Kafka clients (kafka.clients' tasks) to the brokers in the data subnets: SASL/IAM over TLS.
    if (cfg.kafka.enabled)
      out.push({ src: app, dst: { tier: "data" }, port: KAFKA_IAM_PORT, purpose: "Kafka brokers (SASL/IAM over TLS)" });
  }

  // The load balancer, its clients and its targets.
  const services = Object.values(cfg.services);
  if (layerOn(cfg, "application") && services.length) {
    const internal = cfg.application.alb.internal;
    const albTier: End = { tier: internal ? "app" : "public" };
    for (const port of security.alb.ports) {
      // In-VPC clients of an internal ALB: the NLB of the REST API's VPC link, the HTTP API's VPC link.
      if (internal) out.push({ src: app, dst: albTier, port, purpose: `load balancer port ${port} from the VPC link` });
      security.alb.ingressCidrs.forEach((cidr, j) =>
        out.push({
          src: { cidr, label: cidr === INTERNET ? "the internet" : `client ${j}` },
          dst: albTier,
          port,
          purpose: `load balancer port ${port} from its clients`,
        }),
      );
    }
    const ports = [...new Set(services.map((s) => s.port))].sort((a, b) => a - b);
    for (const port of ports) {
      out.push({ src: albTier, dst: app, port, purpose: `service port ${port} from the load balancer` });
      if (security.serviceToService) out.push({ src: app, dst: app, port, purpose: `service port ${port} between services` });
    }
  }
  return out;
}

/** Rule-number band of a port (range), or undefined when it needs a list position. */
function band(cfg: PlatformConfig, from: number, to: number): number {
  if (from === EPHEMERAL_PORTS.from && to === EPHEMERAL_PORTS.to) return 100;
  if (from !== to) throw new Error(`network ACLs: no rule-number band for port range ${from}-${to}`);
  if (from === 443) return 200;
  if (from === 80) return 300;
  if (from === databasePort(cfg)) return 400;
  if (cfg.cache.enabled && from === cfg.cache.port) return 500;
  if (cfg.kafka.enabled && from === KAFKA_IAM_PORT) return 1500;
  const others = cfg.security.alb.ports.filter((p) => p !== 443 && p !== 80);
  const k = others.indexOf(from);
  if (k >= 0 && k < 9) return 600 + 100 * k;
  if (from < 1024) return 2000 + 10 * from;
  // A service port the ephemeral rule does not cover (a direction with no return traffic to carry):
  // its position among the distinct service ports. The only numbers a new service can move.
  const servicePorts = [...new Set(Object.values(cfg.services).map((s) => s.port))].sort((a, b) => a - b);
  const i = servicePorts.indexOf(from);
  if (i >= 0 && i < 220) return 10000 + 100 * i;
  throw new Error(
    `network ACLs: port ${from} needs its own rule but has no rule-number band (ports below 1024, 443, 80, the database, cache and load-balancer ports have one)`,
  );
}

/** Every rule of every tier's ACL, sorted by tier, direction and number. Throws on a rule-number clash. */
export function networkAclPlan(cfg: PlatformConfig): Record<NaclTier, NaclRule[]> {
  const plan = subnetPlan(cfg);
  const vpc = cfg.network.cidr;
  const tierCidrs = (t: NaclTier) => plan.map((s) => s[t]);
  const slot = (cidr: string): number => {
    if (cidr === INTERNET) return 0;
    if (cidr === vpc) return 1;
    for (const t of NACL_TIERS) {
      const i = tierCidrs(t).indexOf(cidr);
      if (i >= 0) return 10 + i;
    }
    const j = cfg.security.alb.ingressCidrs.indexOf(cidr);
    if (j >= 0 && j < 80) return 20 + j;
    throw new Error(`network ACLs: no rule-number slot for CIDR ${cidr}`);
  };
  /** How the ACL of tier `viewer` names a flow end. */
  const peers = (viewer: NaclTier, e: End): string[] => {
    if ("cidr" in e) return [e.cidr];
    return viewer === "app" ? [vpc] : tierCidrs(e.tier);
  };

  type Wanted = Omit<NaclRule, "number">;
  const wanted: Wanted[] = [];
  const add = (tier: NaclTier, egress: boolean, from: number, to: number, cidrs: string[], purpose: string) => {
    for (const cidr of cidrs) wanted.push({ tier, egress, from, to, cidr, purpose });
  };
  const E = EPHEMERAL_PORTS;
  for (const f of flows(cfg)) {
    if (isTier(f.src)) {
      add(f.src.tier, true, f.port, f.port, peers(f.src.tier, f.dst), f.purpose);
      add(f.src.tier, false, E.from, E.to, peers(f.src.tier, f.dst), `return of ${f.purpose}`);
    }
    if (f.viaNat) {
      // The NAT gateway's subnet: the request in from the app subnets and out to the internet,
      // the reply in from the internet and back to the app subnets on their ephemeral ports.
      add("public", false, f.port, f.port, tierCidrs("app"), `${f.purpose} (NAT gateway, from the app subnets)`);
      add("public", true, f.port, f.port, [INTERNET], `${f.purpose} (NAT gateway, to the internet)`);
      add("public", false, E.from, E.to, [INTERNET], `return of ${f.purpose} (NAT gateway)`);
      add("public", true, E.from, E.to, tierCidrs("app"), `return of ${f.purpose} (NAT gateway, to the app subnets)`);
    }
    if (isTier(f.dst)) {
      add(f.dst.tier, false, f.port, f.port, peers(f.dst.tier, f.src), f.purpose);
      add(f.dst.tier, true, E.from, E.to, peers(f.dst.tier, f.src), `return of ${f.purpose}`);
    }
  }

  // Merge duplicates, then drop what a broader rule of the same direction already admits.
  const key = (r: Wanted) => `${r.tier}|${r.egress}|${r.from}|${r.to}|${r.cidr}`;
  const merged = new Map<string, Wanted>();
  for (const r of wanted) {
    const had = merged.get(key(r));
    merged.set(
      key(r),
      had ? { ...had, purpose: had.purpose.split("; ").includes(r.purpose) ? had.purpose : `${had.purpose}; ${r.purpose}` } : r,
    );
  }
  const all = [...merged.values()];
  const covers = (a: Wanted, b: Wanted) => {
    const ac = parseCidr(a.cidr);
    const bc = parseCidr(b.cidr);
    return a !== b && a.tier === b.tier && a.egress === b.egress && a.from <= b.from && b.to <= a.to && !!ac && !!bc && contains(ac, bc);
  };
  const kept = all.filter((r) => !all.some((o) => covers(o, r) && !(covers(r, o) && all.indexOf(o) > all.indexOf(r))));

  const out: Record<NaclTier, NaclRule[]> = { public: [], app: [], data: [] };
  for (const r of kept) out[r.tier].push({ ...r, number: band(cfg, r.from, r.to) + slot(r.cidr) });
  for (const t of NACL_TIERS) {
    out[t].sort((a, b) => Number(a.egress) - Number(b.egress) || a.number - b.number);
    const seen = new Map<string, NaclRule>();
    for (const r of out[t]) {
      const k = `${r.egress}|${r.number}`;
      const clash = seen.get(k);
      if (clash)
        throw new Error(
          `network ACLs: rule ${r.number} of the ${t} ACL (${r.egress ? "egress" : "ingress"}) is both ${clash.purpose} and ${r.purpose}`,
        );
      if (r.number > MAX_RULE_NUMBER) throw new Error(`network ACLs: rule number ${r.number} is above ${MAX_RULE_NUMBER}`);
      seen.set(k, r);
    }
  }
  return out;
}

/** Rules of one direction of one tier's ACL. */
export const aclRules = (plan: Record<NaclTier, NaclRule[]>, tier: NaclTier, egress: boolean) =>
  plan[tier].filter((r) => r.egress === egress);
