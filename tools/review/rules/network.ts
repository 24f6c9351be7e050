/** Network rules: flow logs, the default security group, public IPs, data-tier routes, security group rules. */
import type { RuleChecks, RuleCode } from "../policy";
import { blocks, bool, get, str } from "../tf";
import { allPorts, check, coversPort, describeRule, fail, isWorld, pass, sgRules, type SgRule, perResource } from "./helpers";

/** Ports of databases and caches that must never be open to the internet. */
export const DATA_PORTS: Readonly<Record<number, string>> = {
  1433: "SQL Server",
  1521: "Oracle",
  2483: "Oracle",
  2484: "Oracle",
  3306: "MySQL",
  5432: "PostgreSQL",
  5439: "Redshift",
  6379: "Redis",
  6380: "Redis",
  8182: "Neptune",
  9042: "Cassandra",
  9200: "OpenSearch",
  9300: "OpenSearch",
  11211: "Memcached",
  27017: "MongoDB",
};

const worldIngress = (rules: SgRule[]) => rules.filter((r) => r.direction === "ingress" && isWorld(r));

/**
 * A rule on ingress from the internet: one check per world-open ingress rule, failing when `matches`,
 * passing otherwise; every group gets a pass when it has none.
 */
function worldIngressRule(matches: (r: SgRule) => string | undefined): RuleCode {
  return {
    types: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
    check: ({ model }) => {
      const rules = sgRules(model);
      const out = [];
      const seen = new Set<string>();
      for (const r of worldIngress(rules)) {
        const why = matches(r);
        seen.add(r.resource.id);
        out.push(why ? fail(r.resource, `${describeRule(r)}: ${why}`) : pass(r.resource));
      }
      for (const r of rules) if (!seen.has(r.resource.id) && r.direction === "ingress") out.push(pass(r.resource));
      for (const g of model.resources("aws_security_group")) if (!out.some((c) => c.resource.id === g.id)) out.push(pass(g));
      return out;
    },
  };
}

export const networkChecks: RuleChecks = {
  "PK-VPC-001": perResource({
    types: ["aws_vpc", "aws_flow_log"],
    of: "aws_vpc",
    each: (vpc, { model }) =>
      check(vpc, model.referrers(vpc, "aws_flow_log", "vpc_id").length > 0, "no aws_flow_log records this VPC's traffic"),
  }),
  "PK-VPC-002": perResource({
    types: ["aws_vpc", "aws_default_security_group"],
    of: "aws_vpc",
    each: (vpc, { model }) => {
      const groups = model.referrers(vpc, "aws_default_security_group", "vpc_id");
      if (!groups.length) return fail(vpc, "the default security group is not managed, so it keeps AWS's allow-within-group rules");
      const open = groups.filter((g) => blocks(g.attrs.ingress).length || blocks(g.attrs.egress).length);
      return check(vpc, open.length === 0, `${open.map((g) => g.address).join(", ")} has rules`);
    },
  }),
  "PK-VPC-003": perResource({
    types: ["aws_subnet"],
    each: (s) =>
      check(s, bool(s.attrs.map_public_ip_on_launch) !== true, "map_public_ip_on_launch = true: every ENI in it gets a public address"),
  }),
  "PK-VPC-004": {
    types: ["aws_route_table", "aws_route"],
    check: ({ model }) => {
      const tables = model.resources("aws_route_table").filter((t) => get(t.attrs, "tags.Tier") === "data");
      return tables.map((t) => {
        const inline = blocks(t.attrs.route).filter((r) => r.cidr_block === "0.0.0.0/0" || r.ipv6_cidr_block === "::/0");
        const routes = model
          .referrers(t, "aws_route", "route_table_id")
          .filter((r) => r.attrs.destination_cidr_block === "0.0.0.0/0" || r.attrs.destination_ipv6_cidr_block === "::/0");
        return check(
          t,
          !inline.length && !routes.length,
          `a default route (${[...routes.map((r) => r.address), ...(inline.length ? ["inline route"] : [])].join(", ")}) leaves the data tier`,
        );
      });
    },
  },
  "PK-SG-001": worldIngressRule((r) => (coversPort(r, 22) ? "SSH (22) is open to the internet" : undefined)),
  "PK-SG-002": worldIngressRule((r) => (coversPort(r, 3389) ? "RDP (3389) is open to the internet" : undefined)),
  "PK-SG-003": worldIngressRule((r) => {
    const hit = Object.entries(DATA_PORTS).filter(([p]) => coversPort(r, Number(p)));
    return hit.length && !allPorts(r) ? `${[...new Set(hit.map(([p, n]) => `${n} (${p})`))].join(", ")} open to the internet` : undefined;
  }),
  "PK-SG-004": worldIngressRule((r) => (allPorts(r) ? "every port is open to the internet" : undefined)),
  "PK-SG-005": worldIngressRule((r) => {
    if (allPorts(r) || coversPort(r, 22) || coversPort(r, 3389) || Object.keys(DATA_PORTS).some((p) => coversPort(r, Number(p))))
      return undefined;
    return "open to the internet";
  }),
  "PK-SG-006": {
    types: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"],
    check: ({ model }) => {
      const out = sgRules(model)
        .filter((r) => r.resource.type !== "aws_default_security_group")
        .map((r) => check(r.resource, Boolean(r.description?.trim()), `${describeRule(r)} has no description`));
      for (const g of model.resources("aws_security_group")) {
        out.push(
          check(
            g,
            Boolean(str(g.attrs.description)?.trim()) && g.attrs.description !== "Managed by Terraform",
            "the group has no description of its own",
          ),
        );
      }
      return out;
    },
  },
  "PK-SG-007": {
    types: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_egress_rule"],
    check: ({ model }) =>
      sgRules(model)
        .filter((r) => r.direction === "egress" && r.resource.type !== "aws_default_security_group")
        .map((r) => check(r.resource, !isWorld(r), `${describeRule(r)}${allPorts(r) ? ": every port" : ""}`)),
  },
  "PK-EC2-001": {
    types: ["aws_instance", "aws_launch_template"],
    check: ({ model }) => [
      ...model
        .resources("aws_instance")
        .map((i) => check(i, bool(i.attrs.associate_public_ip_address) !== true, "associate_public_ip_address = true")),
      ...model
        .resources("aws_launch_template")
        .map((t) =>
          check(
            t,
            !blocks(t.attrs.network_interfaces).some((n) => bool(n.associate_public_ip_address) === true),
            "a network interface has associate_public_ip_address = true",
          ),
        ),
    ],
  },
};
