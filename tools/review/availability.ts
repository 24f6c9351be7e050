/**
 * Does the environment survive the loss of any one availability zone? Checked from the synthesized
 * resources: subnets of each tier in two AZs or more; every private route table's NAT path in its
 * own AZ; interface endpoints, load balancers, ECS services, Lambda functions, DB and cache subnet
 * groups spread over two AZs or more; ECS services with two tasks or more; a database that fails
 * over (an Aurora reader in another AZ, or RDS Multi-AZ); a cache with automatic failover and
 * Multi-AZ. Each break names the resource and the AZ whose loss causes it.
 */
import { minTasks } from "./cost";
import type { EnvModel, Resource } from "./model";
import { blocks, bool, get, num, str } from "./tf";

export interface AzCheck {
  /** subnets, egress, endpoints, load balancer, service, function, database, cache. */
  readonly area: string;
  readonly layer: string;
  readonly address: string;
  readonly ok: boolean;
  readonly message: string;
  /** AZs whose loss breaks this (empty when ok, or when any single loss does). */
  readonly breaksOn: readonly string[];
}

export interface AvailabilityReport {
  readonly azs: readonly string[];
  readonly survivesAzLoss: boolean;
  readonly checks: readonly AzCheck[];
  /** Per AZ, what its loss breaks. */
  readonly perAz: Readonly<Record<string, readonly string[]>>;
}

const azOf = (r: Resource) => str(r.attrs.availability_zone);
const short = (r: Resource) => `${r.address}`;

function subnetsOf(model: EnvModel, r: Resource, value: unknown): Resource[] {
  return model.resolve(r.stack, value).filter((s) => s.type === "aws_subnet");
}

function azsOf(subnets: readonly Resource[]): string[] {
  return [...new Set(subnets.map(azOf).filter((a): a is string => Boolean(a)))].sort();
}

/** A spread check: resources whose subnets span fewer than two AZs break when that AZ goes. */
function spread(area: string, r: Resource, subnets: Resource[], what: string): AzCheck {
  const azs = azsOf(subnets);
  if (!subnets.length)
    return {
      area,
      layer: r.stack,
      address: r.address,
      ok: true,
      message: `${what}: subnets not known from the configuration`,
      breaksOn: [],
    };
  if (azs.length >= 2) return { area, layer: r.stack, address: r.address, ok: true, message: `${what} in ${azs.join(", ")}`, breaksOn: [] };
  return {
    area,
    layer: r.stack,
    address: r.address,
    ok: false,
    message: `${short(r)} ${what} only in ${azs[0] ?? "one AZ"}: losing ${azs[0] ?? "it"} takes it down`,
    breaksOn: azs,
  };
}

export function analyseAvailability(model: EnvModel, configuredAzs: readonly string[] = []): AvailabilityReport {
  const checks: AzCheck[] = [];
  const subnets = model.resources("aws_subnet");
  const allAzs = [...new Set([...configuredAzs, ...azsOf(subnets)])].sort();

  // Subnets per tier.
  const byTier = new Map<string, Resource[]>();
  for (const s of subnets) {
    const tier = String(get(s.attrs, "tags.Tier") ?? "untiered");
    byTier.set(tier, [...(byTier.get(tier) ?? []), s]);
  }
  for (const [tier, list] of [...byTier.entries()].sort()) {
    const azs = azsOf(list);
    checks.push({
      area: "subnets",
      layer: list[0].stack,
      address: `${tier} subnets`,
      ok: azs.length >= 2,
      message:
        azs.length >= 2
          ? `${tier} tier in ${azs.join(", ")}`
          : `the ${tier} tier has subnets in ${azs[0] ?? "no known AZ"} only: losing it removes the tier`,
      breaksOn: azs.length >= 2 ? [] : azs,
    });
  }

  // NAT path per AZ: which NAT each private route table uses, and the AZ of that NAT.
  const associations = model.resources("aws_route_table_association");
  const nats = model.resources("aws_nat_gateway");
  const natAz = new Map(nats.map((n) => [n.id, azsOf(subnetsOf(model, n, n.config.subnet_id))[0]]));
  const served = new Map<string, { table: Resource; azs: string[] }[]>();
  for (const table of model.resources("aws_route_table")) {
    const natIds = new Set<string>();
    for (const route of model.referrers(table, "aws_route", "route_table_id")) {
      if (route.attrs.destination_cidr_block !== "0.0.0.0/0") continue;
      for (const n of model.resolve(route.stack, route.config.nat_gateway_id)) if (n.type === "aws_nat_gateway") natIds.add(n.id);
    }
    for (const inline of blocks(table.attrs.route)) {
      if (inline.cidr_block !== "0.0.0.0/0") continue;
      for (const n of model.resolve(table.stack, inline.nat_gateway_id)) if (n.type === "aws_nat_gateway") natIds.add(n.id);
    }
    if (!natIds.size) continue;
    const tableSubnets = associations
      .filter((a) => model.refersTo(a, table, "route_table_id"))
      .flatMap((a) => subnetsOf(model, a, a.config.subnet_id));
    const tableAzs = azsOf(tableSubnets);
    for (const id of natIds) served.set(id, [...(served.get(id) ?? []), { table, azs: tableAzs }]);
  }
  const privateTables = [...served.values()].flat().length;
  for (const nat of nats) {
    const az = natAz.get(nat.id);
    const tables = served.get(nat.id) ?? [];
    const foreign = tables.filter((t) => t.azs.some((a) => a !== az));
    if (!foreign.length) {
      checks.push({
        area: "egress",
        layer: nat.stack,
        address: nat.address,
        ok: true,
        message: `serves route tables of ${az ?? "its AZ"} only`,
        breaksOn: [],
      });
      continue;
    }
    const every = tables.length === privateTables && privateTables > 1;
    const tierNames = [...new Set(tables.map((t) => String(get(t.table.attrs, "tags.Tier") ?? "private")))].join("/");
    const lost = [...new Set(foreign.flatMap((t) => t.azs.filter((a) => a !== az)))].sort();
    checks.push({
      area: "egress",
      layer: nat.stack,
      address: nat.address,
      ok: false,
      message: every
        ? `${nat.address} serves every ${tierNames} route table: losing ${az ?? "its AZ"} cuts egress`
        : `${nat.address} also serves the ${tierNames} route tables of ${lost.join(", ")}: losing ${az ?? "its AZ"} cuts their egress`,
      breaksOn: az ? [az] : [],
    });
  }

  // Interface endpoints, load balancers, Lambda functions.
  for (const e of model.resources("aws_vpc_endpoint").filter((x) => x.attrs.vpc_endpoint_type === "Interface")) {
    checks.push(
      spread(
        "endpoints",
        e,
        subnetsOf(model, e, e.config.subnet_ids),
        `endpoint ${String(e.attrs.service_name ?? e.name)
          .split(".")
          .slice(3)
          .join(".")}`,
      ),
    );
  }
  for (const lb of model.resources(["aws_lb", "aws_alb"])) {
    const ids = [
      ...subnetsOf(model, lb, lb.config.subnets),
      ...blocks(lb.config.subnet_mapping).flatMap((m) => subnetsOf(model, lb, m.subnet_id)),
    ];
    checks.push(spread("load balancer", lb, ids, "nodes"));
  }
  for (const f of model.resources("aws_lambda_function").filter((x) => get(x.config, "vpc_config.subnet_ids") !== undefined)) {
    checks.push(spread("function", f, subnetsOf(model, f, get(f.config, "vpc_config.subnet_ids")), "ENIs"));
  }

  // ECS services: spread and task count.
  for (const svc of model.resources("aws_ecs_service")) {
    const ids = subnetsOf(model, svc, get(svc.config, "network_configuration.subnets"));
    const azs = azsOf(ids);
    const tasks = minTasks(model, svc);
    const problems: string[] = [];
    if (ids.length && azs.length < 2) problems.push(`its subnets are all in ${azs[0]}`);
    if (tasks < 2)
      problems.push(`it runs ${tasks} task at minimum, so losing that task's AZ stops it until ECS starts a replacement elsewhere`);
    checks.push({
      area: "service",
      layer: svc.stack,
      address: svc.address,
      ok: problems.length === 0,
      message: problems.length ? `${svc.address}: ${problems.join("; ")}` : `${tasks} tasks over ${azs.join(", ") || "the app subnets"}`,
      breaksOn: azs.length < 2 ? azs : [],
    });
  }

  // Databases.
  for (const c of model.resources("aws_rds_cluster")) {
    const instances = model.referrers(c, "aws_rds_cluster_instance", "cluster_identifier");
    const writer = instances.find((i) => (num(i.attrs.promotion_tier) ?? 1) === 0) ?? instances[0];
    const writerAz = writer ? azOf(writer) : undefined;
    const others = instances.filter((i) => i !== writer);
    const elsewhere = others.filter((i) => azOf(i) === undefined || azOf(i) !== writerAz);
    let message: string;
    let ok = true;
    if (c.attrs.engine_mode === "serverless") message = "Aurora Serverless v1 fails over across AZs by itself";
    else if (!instances.length) {
      ok = false;
      message = `${c.address} has no instances in this configuration`;
    } else if (!elsewhere.length) {
      ok = false;
      message = `${c.address} has ${others.length ? `its readers in ${writerAz}` : "no reader"}: losing ${writerAz ?? "the writer's AZ"} stops the database until a new instance is created`;
    } else {
      message = `writer ${writer.address} in ${writerAz ?? "an AZ RDS picks"}, failover to ${elsewhere.map((i) => `${i.address} (${azOf(i) ?? "AZ picked by RDS"})`).join(", ")}`;
    }
    checks.push({ area: "database", layer: c.stack, address: c.address, ok, message, breaksOn: ok || !writerAz ? [] : [writerAz] });
  }
  for (const d of model.resources("aws_db_instance").filter((x) => !x.attrs.replicate_source_db)) {
    const multi = bool(d.attrs.multi_az) === true;
    const az = azOf(d);
    checks.push({
      area: "database",
      layer: d.stack,
      address: d.address,
      ok: multi,
      message: multi
        ? "Multi-AZ: a standby in another AZ takes over"
        : `${d.address} is Single-AZ: losing ${az ?? "its AZ"} stops the database until it is restored`,
      breaksOn: multi || !az ? [] : [az],
    });
  }
  for (const g of model.resources(["aws_db_subnet_group", "aws_elasticache_subnet_group"])) {
    checks.push(spread("database", g, subnetsOf(model, g, g.config.subnet_ids), "subnet group"));
  }

  // Caches.
  for (const g of model.resources("aws_elasticache_replication_group")) {
    const nodes =
      num(g.attrs.num_cache_clusters) ?? (num(g.attrs.num_node_groups) ?? 1) * ((num(g.attrs.replicas_per_node_group) ?? 0) + 1);
    const failover = bool(g.attrs.automatic_failover_enabled) === true;
    const multiAz = bool(g.attrs.multi_az_enabled) === true;
    const primaryAz = str(get(g.attrs, "preferred_cache_cluster_azs.0"));
    const problems = [nodes < 2 ? `${nodes} node` : "", failover ? "" : "no automatic failover", multiAz ? "" : "Multi-AZ off"].filter(
      Boolean,
    );
    checks.push({
      area: "cache",
      layer: g.stack,
      address: g.address,
      ok: problems.length === 0,
      message: problems.length
        ? `${g.address}: ${problems.join(", ")}: losing ${primaryAz ?? "the primary's AZ"} stops the cache`
        : `${nodes} nodes, automatic failover, Multi-AZ`,
      breaksOn: problems.length && primaryAz ? [primaryAz] : [],
    });
  }

  const perAz: Record<string, string[]> = {};
  for (const az of allAzs)
    perAz[az] = checks.filter((c) => !c.ok && (c.breaksOn.length === 0 || c.breaksOn.includes(az))).map((c) => c.message);
  return { azs: allAzs, survivesAzLoss: checks.every((c) => c.ok), checks, perAz };
}
