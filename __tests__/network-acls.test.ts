/**
 * Network ACLs (network.networkAcls): one ACL per subnet tier, associated with every subnet of the
 * tier, with rules derived from the flows the configuration opens and their ephemeral-port replies.
 * Asserted on every shipped configuration that switches them on, and on configuration changes that
 * must not renumber a rule.
 */
import { NetworkStack } from "../layers/01-network/stack";
import { databasePort, EPHEMERAL_PORTS, networkAclPlan } from "../core/config/network-acls";
import { subnetPlan } from "../core/config/subnets";
import type { PlatformConfig } from "../core/config/schema";
import { proveFlows } from "../tools/review/flows/index";
import { flowFacts, environmentInfo } from "../tools/review/index";
import { EnvModel } from "../tools/review/model";
import {
  addresses,
  ALL_CONFIGS,
  anyConfig,
  envWith,
  prodWithThirdAz,
  resource,
  resources,
  synth,
  synthAll,
  type TerraformJson,
} from "./helpers";

const TIERS = ["public", "app", "data"] as const;
const ANY = "0.0.0.0/0";
const E = EPHEMERAL_PORTS;

interface Rule {
  readonly address: string;
  readonly acl: string;
  readonly egress: boolean;
  readonly number: number;
  readonly from: number;
  readonly to: number;
  readonly cidr: string;
  readonly protocol: string;
  readonly action: string;
}

function rulesOf(tf: TerraformJson): Rule[] {
  return Object.entries(resources(tf, "aws_network_acl_rule")).map(([address, r]) => ({
    address,
    acl: /^\$\{aws_network_acl\.([a-z]+)\.id\}$/.exec(String(r.network_acl_id))?.[1] ?? "?",
    egress: r.egress === true,
    number: Number(r.rule_number),
    from: Number(r.from_port),
    to: Number(r.to_port),
    cidr: String(r.cidr_block),
    protocol: String(r.protocol),
    action: String(r.rule_action),
  }));
}
const pick = (rules: Rule[], acl: string, egress: boolean) => rules.filter((r) => r.acl === acl && r.egress === egress);
const shape = (rules: Rule[]) => rules.map((r) => `${r.from}-${r.to} ${r.cidr}`).sort();

const WITH_ACLS = ALL_CONFIGS.filter((name) => anyConfig(name).network.networkAcls.enabled);

it("network ACLs are on in every PetClinic environment and both regenzet environments", () => {
  expect(WITH_ACLS).toEqual(
    expect.arrayContaining(["dev", "staging", "prod", "examples/regenzet/dev.yaml", "examples/regenzet/prod.yaml"]),
  );
});

describe.each(WITH_ACLS)("network ACLs (%s)", (name) => {
  const cfg = anyConfig(name);
  const { tf } = synth(NetworkStack, cfg);
  const rules = rulesOf(tf);
  const plan = subnetPlan(cfg);
  const cidrs = (tier: (typeof TIERS)[number]) => plan.map((s) => s[tier]);
  const suffix = (az: string) => az.replace(/-/g, "_");

  it("has one ACL per tier in the VPC, tagged with its tier", () => {
    const acls = resources(tf, "aws_network_acl");
    expect(Object.keys(acls).sort()).toEqual(["app", "data", "public"]);
    for (const t of TIERS) {
      expect(acls[t]).toMatchObject({ vpc_id: "${aws_vpc.vpc.id}", tags: expect.objectContaining({ Tier: t }) });
      // No inline rules: every rule is its own resource (mixing both makes the provider fight itself).
      expect(acls[t].ingress).toBeUndefined();
      expect(acls[t].egress).toBeUndefined();
    }
  });

  it("associates every subnet of a tier with that tier's ACL, and every subnet exactly once", () => {
    const assoc = resources(tf, "aws_network_acl_association");
    const subnetsSeen: string[] = [];
    for (const t of TIERS) {
      for (const { az } of plan) {
        const a = assoc[`${t}_${suffix(az)}`];
        expect(a).toEqual({ network_acl_id: `\${aws_network_acl.${t}.id}`, subnet_id: `\${aws_subnet.vpc_${t}_${suffix(az)}.id}` });
      }
    }
    for (const a of Object.values(assoc)) subnetsSeen.push(String(a.subnet_id));
    const allSubnets = Object.keys(resources(tf, "aws_subnet")).map((s) => `\${aws_subnet.${s}.id}`);
    expect(subnetsSeen.sort()).toEqual(allSubnets.sort());
  });

  it("has only TCP allow rules, numbered uniquely per ACL and direction, addressed by their number", () => {
    const seen = new Set<string>();
    for (const r of rules) {
      expect({ protocol: r.protocol, action: r.action }).toEqual({ protocol: "tcp", action: "allow" });
      expect(r.address).toBe(`${r.acl}_${r.egress ? "egress" : "ingress"}_${r.number}`);
      const key = `${r.acl}/${r.egress}/${r.number}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      expect(r.number).toBeGreaterThanOrEqual(1);
      expect(r.number).toBeLessThanOrEqual(32766);
    }
    // Within the default AWS quota of rules per ACL and direction.
    for (const t of TIERS)
      for (const eg of [false, true]) expect(pick(rules, t, eg).length).toBeLessThanOrEqual(cfg.network.networkAcls.ruleQuota);
  });

  it("lets only the app subnets into the data tier, on the database (and cache) port, and replies only to them", () => {
    const ports = [databasePort(cfg), ...(cfg.cache.enabled ? [cfg.cache.port] : [])];
    expect(shape(pick(rules, "data", false))).toEqual(ports.flatMap((p) => cidrs("app").map((c) => `${p}-${p} ${c}`)).sort());
    expect(shape(pick(rules, "data", true))).toEqual(
      cidrs("app")
        .map((c) => `${E.from}-${E.to} ${c}`)
        .sort(),
    );
  });

  it("admits the internet into the app tier only on the ephemeral ports (replies through NAT and from the gateway endpoints' ranges)", () => {
    const fromInternet = pick(rules, "app", false).filter((r) => r.cidr === ANY);
    const internetReplies = cfg.network.gatewayEndpoints.length > 0 || (cfg.network.nat !== "none" && cfg.security.egress.internetHttps);
    expect(shape(fromInternet)).toEqual(internetReplies ? [`${E.from}-${E.to} ${ANY}`] : []);
    // Nothing below the ephemeral range (SSH, RDP, HTTP...) from outside the VPC.
    for (const r of pick(rules, "app", false)) if (r.cidr !== cfg.network.cidr) expect(r.from).toBeGreaterThanOrEqual(E.from);
  });

  it("opens the public tier only to NAT traffic from the app subnets and its replies (the load balancer is internal)", () => {
    expect(cfg.application.alb.internal).toBe(true);
    expect(shape(pick(rules, "public", false))).toEqual([`${E.from}-${E.to} ${ANY}`, ...cidrs("app").map((c) => `443-443 ${c}`)].sort());
    expect(shape(pick(rules, "public", true))).toEqual([`443-443 ${ANY}`, ...cidrs("app").map((c) => `${E.from}-${E.to} ${c}`)].sort());
  });

  it("lets the app tier reach the data tier, AWS over HTTPS, and answer its in-VPC callers", () => {
    const out = shape(pick(rules, "app", true));
    expect(out).toContain(`${E.from}-${E.to} ${cfg.network.cidr}`); // replies to the load balancer, NLB, VPC link, other services; the database port
    expect(out).toContain(`443-443 ${ANY}`);
    expect(shape(pick(rules, "app", false))).toContain(`443-443 ${cfg.network.cidr}`); // the interface endpoints and the internal ALB
  });

  it("adopts the default ACL with no rules, leaving its subnet list to AWS", () => {
    expect(resource(tf, "aws_default_network_acl", "default_network_acl")).toMatchObject({
      default_network_acl_id: "${aws_vpc.vpc.default_network_acl_id}",
      ingress: [],
      egress: [],
      lifecycle: { ignore_changes: ["subnet_ids"] },
    });
  });

  it("synthesizes exactly the derived plan", () => {
    const expected = Object.values(networkAclPlan(cfg))
      .flat()
      .map((r) => `${r.tier}_${r.egress ? "egress" : "ingress"}_${r.number} ${r.from}-${r.to} ${r.cidr}`)
      .sort();
    expect(rules.map((r) => `${r.address} ${r.from}-${r.to} ${r.cidr}`).sort()).toEqual(expected);
  });
});

describe("network ACL options", () => {
  const naclAddresses = (tf: TerraformJson) => addresses(tf).filter((a) => a.includes("network_acl"));
  const numbered = (tf: TerraformJson) => rulesOf(tf).map((r) => `${r.address} ${r.from}-${r.to} ${r.cidr}`);

  it("is off by default: every subnet stays on the VPC's default ACL, which is left alone", () => {
    const { tf } = synth(NetworkStack, envWith("dev", { network: { networkAcls: null } }));
    expect(naclAddresses(tf)).toEqual([]);
  });

  it("leaves the default ACL as AWS has it with defaultNetworkAcl aws-default", () => {
    const { tf } = synth(NetworkStack, envWith("dev", { network: { networkAcls: { defaultNetworkAcl: "aws-default" } } }));
    expect(resources(tf, "aws_default_network_acl")).toEqual({});
    expect(Object.keys(resources(tf, "aws_network_acl")).sort()).toEqual(["app", "data", "public"]);
  });

  it("adding a service, on a port of its own or a shared one, neither renumbers nor changes an existing rule", () => {
    const before = numbered(synth(NetworkStack, envWith("prod", {})).tf);
    for (const port of [8080, 8081, 7000, 443]) {
      const after = numbered(
        synth(NetworkStack, envWith("prod", { services: { billing: { port, paths: ["/api/billing/*"], priority: 900 } } })).tf,
      );
      expect(before.filter((r) => !after.includes(r))).toEqual([]);
    }
  });

  it("adding an AZ only adds rules and associations", () => {
    const two = synth(NetworkStack, envWith("prod", {})).tf;
    const three = synth(NetworkStack, prodWithThirdAz()).tf;
    expect(numbered(two).filter((r) => !numbered(three).includes(r))).toEqual([]);
    expect(naclAddresses(three)).toEqual(
      expect.arrayContaining(["aws_network_acl_association.data_us_west_2c", "aws_network_acl_rule.data_ingress_412"]),
    );
  });

  it("adds the cache port to the data tier when the cache is on", () => {
    const cfg = envWith("prod", { cache: { enabled: true } });
    const data = pick(rulesOf(synth(NetworkStack, cfg).tf), "data", false);
    expect(shape(data)).toEqual(
      expect.arrayContaining([`${cfg.cache.port}-${cfg.cache.port} 10.0.3.0/24`, `${cfg.cache.port}-${cfg.cache.port} 10.0.4.0/24`]),
    );
  });

  it("opens the listener ports to the load balancer's clients in the public tier when it is internet-facing", () => {
    const cfg: PlatformConfig = envWith("dev", {
      application: { alb: { internal: false, networkLoadBalancer: false } },
      security: { alb: { ingressCidrs: ["0.0.0.0/0"] } },
      apiGateway: { type: "http" },
    });
    const rules = rulesOf(synth(NetworkStack, cfg).tf);
    expect(shape(pick(rules, "public", false))).toEqual(expect.arrayContaining([`443-443 ${ANY}`, `80-80 ${ANY}`]));
    expect(shape(pick(rules, "public", true))).toEqual(expect.arrayContaining([`${E.from}-${E.to} ${ANY}`]));
    // The targets: service ports from the public subnets, i.e. inside the app tier's ephemeral rule from the VPC.
    expect(shape(pick(rules, "app", false))).not.toContain(`443-443 ${ANY}`);
  });

  it("has no internet rule in the app tier with no NAT, no internet HTTPS and no gateway endpoints", () => {
    const cfg = envWith("dev", {
      network: { nat: "none", gatewayEndpoints: [] },
      security: { egress: { internetHttps: false } },
      layers: { "lambda-genai": { enabled: false } },
      // The collector's ECR Public image needs NAT (a config rule): off here.
      application: { collector: { enabled: false } },
    });
    const rules = rulesOf(synth(NetworkStack, cfg).tf);
    expect(rules.filter((r) => r.acl === "app" && r.cidr === ANY)).toEqual([]);
    expect(pick(rules, "public", false)).toEqual([]);
  });
});

describe("network ACLs in the flow proof of a shipped environment (PetClinic prod)", () => {
  const cfg = anyConfig("prod");
  const stacks = synthAll(cfg);
  const facts = flowFacts(environmentInfo(cfg, { name: "prod", key: "prod" }));
  /** The proof with some network ACL rules removed from the synthesized network stack. */
  const proveWithout = (...rules: string[]) => {
    const network = JSON.parse(JSON.stringify(stacks.network)) as TerraformJson;
    for (const r of rules) delete network.resource!.aws_network_acl_rule[r];
    return proveFlows(new EnvModel(Object.entries({ ...stacks, network }).map(([name, tf]) => ({ name, tf }))), facts);
  };
  const brokenAt = (report: ReturnType<typeof proveWithout>) =>
    [...new Set(report.flows.filter((f) => f.status === "broken").map((f) => `${f.kind} @ ${f.broken!.hop}`))].sort();

  it("holds every flow with the derived rules", () => {
    expect(brokenAt(proveWithout())).toEqual([]);
  });

  it("breaks every database flow at the data tier when its database rule from one AZ's app subnet goes", () => {
    expect(brokenAt(proveWithout("data_ingress_411"))).toEqual([
      "function-database @ nacl ingress data <- app :3306",
      "service-database @ nacl ingress data <- app :3306",
    ]);
  });

  it("breaks the database flows on the reply when the data tier's ephemeral rule goes (statelessness)", () => {
    expect(brokenAt(proveWithout("data_egress_110"))).toEqual([
      "function-database @ nacl return egress data -> app :1024-65535",
      "service-database @ nacl return egress data -> app :1024-65535",
    ]);
  });

  it("breaks the NAT path when the public tier stops forwarding replies to the app subnets", () => {
    const hops = brokenAt(proveWithout("public_egress_110"));
    expect(hops.length).toBeGreaterThan(0);
    for (const h of hops) expect(h).toMatch(/nacl return egress public \(NAT\) -> app :1024-65535$/);
  });
});
