/**
 * Least privilege: Allow statements of the platform's workload roles (ECS task and execution roles,
 * Lambda roles) whose every action belongs to a service no flow of the role uses. Informational
 * (never gating): the flow model does not cover every use an application makes of its role, so
 * only whole services are reported, and only for roles the model sees using something.
 */
import type { FlowContext } from "./context";
import type { Flow, UnusedGrant } from "./types";

/** Services every workload role uses without a modelled flow (telemetry, logs, image pulls). */
const AMBIENT = new Set(["xray", "cloudwatch", "logs", "ecr", "ssmmessages", "ec2"]);

export function unusedGrants(c: FlowContext, flows: readonly Flow[]): UnusedGrant[] {
  const out: UnusedGrant[] = [];
  const used = new Map<string, Set<string>>();
  for (const f of flows)
    for (const h of f.hops) {
      const m = /^(\S+) ([a-z0-9-]+):[A-Za-z*]+ /.exec(h.name);
      // roleToArn / roleToResource hops are named `<role> <service>:<Action> <target>`.
      if (m) used.set(m[1], (used.get(m[1]) ?? new Set()).add(m[2]));
    }
  for (const role of c.model.resources("aws_iam_role")) {
    const services = used.get(role.name);
    if (!services) continue;
    for (const s of c.policies.role(role).statements) {
      if (s.stmt.Effect !== "Allow" || s.stmt.Action === undefined) continue;
      const actions = (Array.isArray(s.stmt.Action) ? s.stmt.Action : [s.stmt.Action]).map(String);
      const prefixes = new Set(actions.map((a) => a.split(":")[0].toLowerCase()));
      if ([...prefixes].some((p) => services.has(p) || AMBIENT.has(p) || p === "kms")) continue;
      out.push({
        layer: s.where.split("/")[0],
        address: s.where.split("/").slice(1).join("/"),
        sid: s.stmt.Sid ?? "",
        actions,
        severity: "low",
        message: `role ${role.name}: no modelled flow uses ${[...prefixes].join(", ")} (${actions.join(", ")})`,
      });
    }
  }
  return out;
}
