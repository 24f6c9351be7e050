/**
 * Cross-field rules the schema cannot express: CIDRs valid, inside the VPC and not overlapping;
 * AZs in the region; what the tier requires; then every layer's own rules, from the registry
 * (layers/registry.ts). Each rule returns issues with the key path of the
 * offending value; the loader turns them into located problems.
 */
import { contains, explainCidr, overlaps, parseCidr } from "./cidr";
import { knownAzs } from "./regions";
import type { KeyPath, PlatformConfig, Rule, SemanticIssue } from "./types";
import { SUBNET_TIERS, subnetPlan } from "./subnets";
import { aclRules, NACL_TIERS, networkAclPlan } from "./network-acls";
import { layerRules } from "../layer-descriptor";
import { LAYER_DESCRIPTORS } from "../../layers/registry";
import { TIER_RULES } from "./tiers";

export type { KeyPath, Rule, SemanticIssue } from "./types";

const azRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const { region, azs } = cfg.aws;
  const known = knownAzs(region);
  const seen = new Set<string>();
  azs.forEach((az, i) => {
    if (seen.has(az))
      issues.push({ path: ["aws", "azs", i], expected: "each availability zone once", found: `duplicate ${JSON.stringify(az)}` });
    seen.add(az);
    const shapeOk = az.startsWith(region) && /^[a-z]$/.test(az.slice(region.length));
    if (!shapeOk || (known && !known.includes(az))) {
      issues.push({
        path: ["aws", "azs", i],
        expected: `an availability zone of ${region} (${known ? known.join(", ") : `${region}a, ${region}b, ...`})`,
      });
    }
  });
  const rules = TIER_RULES[cfg.tier];
  const needed = Math.max(rules.minAzs, cfg.protection.availability ? 2 : 1);
  if (azs.length < needed) {
    const why = cfg.protection.availability ? "protection.availability is true" : `tier ${cfg.tier} requires it`;
    issues.push({
      path: ["aws", "azs"],
      expected: `at least ${needed} availability zones (${why})`,
      found: `${azs.length}`,
    });
  }
  return issues;
};

const networkRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const vpcWhy = explainCidr(cfg.network.cidr);
  if (vpcWhy)
    return [{ path: ["network", "cidr"], expected: "a valid IPv4 CIDR block", found: `${JSON.stringify(cfg.network.cidr)}: ${vpcWhy}` }];
  const vpc = parseCidr(cfg.network.cidr)!;
  if (vpc.prefix < 16 || vpc.prefix > 28) {
    issues.push({ path: ["network", "cidr"], expected: "a VPC block between /16 and /28 (the sizes AWS accepts)" });
  }

  const explicit = cfg.network.subnets;
  if (explicit) {
    let shapeOk = true;
    for (const tier of SUBNET_TIERS) {
      const list = explicit[tier];
      if (list.length !== cfg.aws.azs.length) {
        shapeOk = false;
        issues.push({
          path: ["network", "subnets", tier],
          expected: `one CIDR per availability zone (${cfg.aws.azs.length})`,
          found: `${list.length}`,
        });
      }
      list.forEach((text, i) => {
        const why = explainCidr(text);
        if (why) {
          shapeOk = false;
          issues.push({
            path: ["network", "subnets", tier, i],
            expected: "a valid IPv4 CIDR block",
            found: `${JSON.stringify(text)}: ${why}`,
          });
        }
      });
    }
    if (!shapeOk) return issues;
  } else {
    const { newbits, offsets } = cfg.network.subnetLayout;
    if (vpc.prefix + newbits > 28) {
      issues.push({
        path: ["network", "subnetLayout", "newbits"],
        expected: `at most ${28 - vpc.prefix} new bits (subnets no smaller than /28)`,
      });
      return issues;
    }
    for (const tier of SUBNET_TIERS) {
      const last = offsets[tier] + cfg.aws.azs.length - 1;
      if (last >= 2 ** newbits) {
        issues.push({
          path: ["network", "subnetLayout", "offsets", tier],
          expected: `an offset that leaves room for ${cfg.aws.azs.length} subnets below ${2 ** newbits}`,
        });
      }
    }
    if (issues.length) return issues;
  }

  // Every subnet inside the VPC, no two overlapping.
  const plan = subnetPlan(cfg);
  const placed: { path: KeyPath; text: string }[] = [];
  plan.forEach((az, i) => {
    for (const tier of SUBNET_TIERS) {
      const path: KeyPath = explicit ? ["network", "subnets", tier, i] : ["network", "subnetLayout", "offsets", tier];
      const text = az[tier];
      const block = parseCidr(text)!;
      if (!contains(vpc, block)) {
        issues.push({ path, expected: `a subnet inside the VPC ${cfg.network.cidr}`, found: JSON.stringify(text) });
      } else if (block.prefix > 28) {
        issues.push({ path, expected: "a subnet of /28 or larger (the smallest AWS accepts)", found: JSON.stringify(text) });
      }
      const clash = placed.find((p) => overlaps(parseCidr(p.text)!, block));
      if (clash) {
        issues.push({
          path,
          expected: "a subnet that overlaps no other subnet",
          found: `${JSON.stringify(text)}, which overlaps ${JSON.stringify(clash.text)} (${formatKeyPath(clash.path)})`,
        });
      }
      placed.push({ path, text });
    }
  });
  return issues;
};

const securityRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  cfg.security.alb.ingressCidrs.forEach((text, i) => {
    const why = explainCidr(text);
    if (why)
      issues.push({
        path: ["security", "alb", "ingressCidrs", i],
        expected: "a valid IPv4 CIDR block",
        found: `${JSON.stringify(text)}: ${why}`,
      });
  });
  const ports = cfg.security.alb.ports;
  ports.forEach((p, i) => {
    if (ports.indexOf(p) !== i) issues.push({ path: ["security", "alb", "ports", i], expected: "each port once", found: `duplicate ${p}` });
  });
  return issues;
};

/** Network ACLs: every tier's rules fit the account's quota per ACL and direction. */
const networkAclRules: Rule = (cfg) => {
  const acls = cfg.network.networkAcls;
  if (!acls.enabled || networkRules(cfg).length || securityRules(cfg).length) return [];
  let plan: ReturnType<typeof networkAclPlan>;
  try {
    plan = networkAclPlan(cfg);
  } catch (e) {
    return [
      {
        path: ["network", "networkAcls", "enabled"],
        expected: "false, or ports and CIDRs the network ACL rule numbering can place",
        found: (e as Error).message,
      },
    ];
  }
  const issues: SemanticIssue[] = [];
  for (const tier of NACL_TIERS) {
    for (const egress of [false, true]) {
      const n = aclRules(plan, tier, egress).length;
      if (n > acls.ruleQuota) {
        issues.push({
          path: ["network", "networkAcls", "ruleQuota"],
          expected: `at least ${n}: the ${tier} ACL needs ${n} ${egress ? "outbound" : "inbound"} rules (fewer client CIDRs or load-balancer ports, or a raised AWS quota, up to 40)`,
        });
      }
    }
  }
  return issues;
};

const backendRules: Rule = (cfg) => {
  if (cfg.backend.lockMode !== "s3" && !cfg.backend.lockTable) {
    return [{ path: ["backend", "lockTable"], expected: `a DynamoDB lock table name (backend.lockMode is ${cfg.backend.lockMode})` }];
  }
  return [];
};

const uniqueListRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const lists: [KeyPath, readonly string[]][] = [
    [["network", "interfaceEndpoints"], cfg.network.interfaceEndpoints],
    [["network", "gatewayEndpoints"], cfg.network.gatewayEndpoints],
  ];
  for (const [path, list] of lists) {
    list.forEach((v, i) => {
      if (list.indexOf(v) !== i) issues.push({ path: [...path, i], expected: "each entry once", found: `duplicate ${JSON.stringify(v)}` });
    });
  }
  return issues;
};

const tierRules: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const rules = TIER_RULES[cfg.tier];
  if (rules.requireDataProtection && !cfg.protection.data) {
    issues.push({ path: ["protection", "data"], expected: `true (tier ${cfg.tier} protects its data)` });
  }
  if (rules.requireAvailability && !cfg.protection.availability) {
    issues.push({ path: ["protection", "availability"], expected: `true (tier ${cfg.tier} must survive the loss of one AZ)` });
  }
  if (cfg.protection.availability && cfg.network.nat === "single") {
    issues.push({
      path: ["network", "nat"],
      expected: "per-az or none (protection.availability is true; a single NAT gateway fails with its AZ)",
    });
  }
  return issues;
};

/** `network.subnets.public[1]`: the loader's key path format, for paths named inside a message. */
function formatKeyPath(path: KeyPath): string {
  return path.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${k}` : String(k)), "");
}

const RULES: readonly Rule[] = [
  azRules,
  networkRules,
  securityRules,
  networkAclRules,
  backendRules,
  uniqueListRules,
  tierRules,
  // Every layer's own rules, in registry order (`rules` of layers/NN-<layer>/layer.ts).
  ...layerRules(LAYER_DESCRIPTORS),
];

/** All cross-field problems of a schema-valid configuration. */
export function semanticIssues(cfg: PlatformConfig): SemanticIssue[] {
  return RULES.flatMap((rule) => rule(cfg));
}
