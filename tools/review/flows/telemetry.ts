/**
 * Flows of the telemetry collector sidecar (modules/otel-collector.ts): for every ECS task with an
 * OpenTelemetry collector container (a container started with `--config=env:<VAR>` whose variable
 * holds the collector's configuration):
 * - `service:<s>->image:<collector>`: an image outside the account's private ECR (ECR Public has no
 *   VPC endpoint) is pulled through NAT: default route and HTTPS egress (and network ACLs);
 * - `service:<s>->xray`: a traces pipeline exporting to X-Ray: the application container is told a
 *   receiver of that pipeline (OTLP or the X-Ray daemon address), the task role may put segments
 *   and read sampling rules, and the tasks reach X-Ray (endpoint or NAT);
 * - `service:<s>->prometheus:<workspace>`: a metrics pipeline remote-writing to a workspace of the
 *   environment: the scrape target is the application container's port on loopback, the exporter
 *   signs with SigV4 for `aps` in the environment's region, the task role may aps:RemoteWrite on
 *   that workspace, and the tasks reach aps-workspaces (endpoint or NAT).
 */
import type { Resource } from "../model";
import { isObj, parseJson } from "../tf";
import type { FlowContext } from "./context";
import { tasksOf } from "./services";
import { hop, makeFlow, type Flow, type Hop } from "./types";

type Obj = Record<string, unknown>;

interface Container {
  readonly name: string;
  readonly image: string;
  readonly env: Record<string, string>;
  readonly ports: number[];
  readonly command: string[];
}

/** A private ECR image of some account and region (pulled through the ecr.api / ecr.dkr / s3 endpoints). */
const PRIVATE_ECR = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

const obj = (v: unknown): Obj => (isObj(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function containersOf(c: FlowContext, def: Resource): Container[] {
  const raw = (parseJson(def.attrs.container_definitions) as unknown[] | undefined) ?? [];
  return raw.filter(isObj).map((ct) => {
    const o = ct as Obj;
    const env: Record<string, string> = {};
    for (const e of list(o.environment)) if (isObj(e)) env[String(e.name)] = c.sym.render(def.stack, String(e.value ?? ""));
    return {
      name: String(o.name),
      image: c.sym.render(def.stack, String(o.image ?? "")),
      env,
      ports: list(o.portMappings).flatMap((p) => (isObj(p) && typeof p.containerPort === "number" ? [p.containerPort] : [])),
      command: list(o.command).map(String),
    };
  });
}

/** The collector's configuration, when the container reads it from an environment variable. */
function collectorConfig(ct: Container): Obj | undefined {
  const arg = ct.command.find((a) => a.startsWith("--config=env:"));
  if (!arg) return undefined;
  const cfg = parseJson(ct.env[arg.slice("--config=env:".length)] ?? "");
  return isObj(cfg) && isObj(cfg.service) ? (cfg as Obj) : undefined;
}

/** The pipelines of a configuration that export to `exporter` (a type, with or without a `/name`). */
function pipelinesTo(cfg: Obj, exporter: string): Obj[] {
  return Object.values(obj(obj(cfg.service).pipelines))
    .map(obj)
    .filter((p) => list(p.exporters).some((e) => String(e).split("/")[0] === exporter));
}

export function collectorFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const workspaces = c.model.resources("aws_prometheus_workspace");
  for (const t of tasksOf(c)) {
    if (!t.def) continue;
    const containers = containersOf(c, t.def);
    for (const collector of containers) {
      const cfg = collectorConfig(collector);
      if (!cfg) continue;
      const app = containers.find((x) => x.name !== collector.name && !collectorConfig(x));
      const who = `service ${t.name}`;

      if (!PRIVATE_ECR.test(collector.image)) {
        out.push(
          makeFlow(`service:${t.name}->image:${collector.name}`, "service-start", who, `image ${collector.image}`, [
            hop(
              "credentials",
              "public image",
              true,
              `${collector.image}: pulled anonymously from outside the VPC (ECR Public has no VPC endpoint)`,
            ),
            ...c.network.toAwsService("ecr-public", t.groups, t.subnets),
          ]),
        );
      }

      const receivers = obj(cfg.receivers);
      for (const pipeline of pipelinesTo(cfg, "awsxray")) {
        const told = appToldReceiver(app, receivers, list(pipeline.receivers).map(String));
        const hops: Hop[] = [
          hop(
            "route",
            "application sends to the collector",
            !!told,
            told ??
              `the application container is told no receiver of the traces pipeline (OTEL_EXPORTER_OTLP_ENDPOINT / AWS_XRAY_DAEMON_ADDRESS)`,
            "set OTEL_EXPORTER_OTLP_ENDPOINT (or AWS_XRAY_DAEMON_ADDRESS) on the application container to a receiver of the collector",
          ),
        ];
        if (!t.taskRole)
          hops.push(
            hop("identity", "task role", false, "the task definition names no task role to sign X-Ray calls with", "set task_role_arn"),
          );
        else for (const a of ["xray:PutTraceSegments", "xray:GetSamplingRules"]) hops.push(c.roleToArn(t.taskRole, a, "*", "X-Ray"));
        hops.push(...c.network.toAwsService("xray", t.groups, t.subnets));
        out.push(makeFlow(`service:${t.name}->xray`, "service-telemetry", who, "AWS X-Ray", hops));
      }

      const exporters = obj(cfg.exporters);
      for (const [key, exp] of Object.entries(exporters).filter(([k]) => k.split("/")[0] === "prometheusremotewrite")) {
        if (!pipelinesTo(cfg, key).length) continue;
        const endpoint = String(obj(exp).endpoint ?? "");
        const ws = workspaces.find(
          (w) => endpoint.includes(`⟦${w.id}.prometheus_endpoint⟧`) || endpoint.startsWith(c.sym.attr(w, ["prometheus_endpoint"])),
        );
        const hops: Hop[] = [
          hop(
            "credentials",
            "workspace exists",
            !!ws,
            ws ? ws.id : `no stack creates the workspace ${endpoint} writes to`,
            "remote-write to a workspace of the environment",
          ),
          scrapeHop(cfg, app),
          sigv4Hop(cfg, obj(exp), c.env.region),
        ];
        if (!t.taskRole)
          hops.push(
            hop("identity", "task role", false, "the task definition names no task role to sign remote writes with", "set task_role_arn"),
          );
        else if (ws) hops.push(c.roleToResource(t.taskRole, "aps:RemoteWrite", ws));
        hops.push(...c.network.toAwsService("aps-workspaces", t.groups, t.subnets));
        out.push(makeFlow(`service:${t.name}->prometheus:${ws?.name ?? key}`, "service-telemetry", who, ws ? c.label(ws) : endpoint, hops));
      }
    }
  }
  return out;
}

/** Which variable of the application container names a receiver of the pipeline, if one does. */
function appToldReceiver(app: Container | undefined, receivers: Obj, names: string[]): string | undefined {
  if (!app) return undefined;
  const endpoints: string[] = [];
  for (const n of names) {
    const r = obj(receivers[n]);
    if (n.split("/")[0] === "otlp")
      for (const p of Object.values(obj(r.protocols))) if (isObj(p) && typeof p.endpoint === "string") endpoints.push(p.endpoint);
    if (n.split("/")[0] === "awsxray" && typeof r.endpoint === "string") endpoints.push(r.endpoint);
  }
  const hostPort = (v: string) =>
    v
      .replace(/^https?:\/\//, "")
      .replace(/\/.*$/, "")
      .replace(/^localhost:/, "127.0.0.1:");
  const hit = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT", "AWS_XRAY_DAEMON_ADDRESS"].find(
    (k) => app.env[k] && endpoints.map(hostPort).includes(hostPort(app.env[k])),
  );
  return hit ? `${hit}=${app.env[hit]}` : undefined;
}

/** The prometheus receiver scrapes the application container's port on loopback. */
function scrapeHop(cfg: Obj, app: Container | undefined): Hop {
  const targets = Object.entries(obj(cfg.receivers))
    .filter(([k]) => k.split("/")[0] === "prometheus")
    .flatMap(([, r]) => list(obj(obj(r).config).scrape_configs))
    .flatMap((sc) => list(obj(sc).static_configs).flatMap((st) => list(obj(st).targets).map(String)));
  const ports = app?.ports ?? [];
  const ok = targets.some((x) => /^(127\.0\.0\.1|localhost):\d+$/.test(x) && ports.includes(Number(x.split(":")[1])));
  return hop(
    "route",
    "scrape target is the application",
    ok,
    ok
      ? `scrapes ${targets.join(", ")}`
      : `scrape targets ${targets.join(", ") || "none"} are not the application container's port on loopback (${ports.join(", ") || "no port"})`,
    "scrape 127.0.0.1:<the application container's port>",
  );
}

/** The exporter signs with SigV4 for aps in the environment's region. */
function sigv4Hop(cfg: Obj, exp: Obj, region: string): Hop {
  const name = String(obj(exp.auth).authenticator ?? "");
  const ext = obj(obj(cfg.extensions)[name]);
  const enabled = list(obj(cfg.service).extensions).map(String).includes(name);
  const ok = name.split("/")[0] === "sigv4auth" && enabled && (ext.service ?? "aps") === "aps" && (ext.region ?? region) === region;
  return hop(
    "credentials",
    "SigV4 for aps",
    ok,
    ok
      ? `${name} (service aps, ${region})`
      : `remote write is not signed with an enabled sigv4auth extension for aps in ${region} (authenticator ${name || "none"})`,
    "authenticate the exporter with a sigv4auth extension (service aps, the workspace's region) listed in service.extensions",
  );
}
