/**
 * Flows a workload's own grants declare: an ECS task role or Lambda role allowed to use a queue,
 * topic, bucket, table or secret of the environment uses it. The grant itself is the intent; the
 * proof checks what else the request meets: the target's resource policy (a Deny), the KMS key
 * policy for the encrypted target (through the service: kms:ViaService), and the network route
 * from the caller's subnets to the service. Also SQS -> Lambda event source mappings (the
 * function's role polls the queue) and S3 bucket notifications (s3.amazonaws.com delivers).
 */
import type { Resource } from "../model";
import { block, blocks } from "../tf";
import type { FlowContext } from "./context";
import { networkOfFunction, ROUTABLE } from "./delivery";
import { wildcard } from "./iam";
import { tasksOf } from "./services";
import { hop, makeFlow, notApplicable, type Flow, type Hop } from "./types";

const TARGETS: Record<string, string> = {
  aws_sqs_queue: "sqs",
  aws_sns_topic: "sns",
  aws_s3_bucket: "s3",
  aws_dynamodb_table: "dynamodb",
  aws_secretsmanager_secret: "secretsmanager",
};
const WRITES = /^(sqs:SendMessage|sns:Publish|s3:PutObject|dynamodb:(PutItem|UpdateItem|BatchWriteItem))$/i;

interface Caller {
  readonly role: Resource;
  readonly label: string;
  readonly network: (service: string) => Hop[];
}

function callers(c: FlowContext): Caller[] {
  const out: Caller[] = [];
  for (const t of tasksOf(c))
    if (t.taskRole)
      out.push({ role: t.taskRole, label: `service ${t.name}`, network: (s) => c.network.toAwsService(s, t.groups, t.subnets) });
  for (const fn of c.model.resources("aws_lambda_function")) {
    const role = c.policies.roleOf(fn.stack, fn.config.role);
    if (role) out.push({ role, label: `function ${c.sym.nameOf(fn)}`, network: (s) => networkOfFunction(c, fn, s) });
  }
  return out;
}

export function grantFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const targets = c.model.resources(Object.keys(TARGETS));
  for (const caller of callers(c)) {
    const byTarget = new Map<string, { target: Resource; actions: Set<string> }>();
    for (const s of c.policies.role(caller.role).statements) {
      if (s.stmt.Effect !== "Allow" || s.stmt.Action === undefined) continue;
      const resources = (Array.isArray(s.stmt.Resource) ? s.stmt.Resource : [s.stmt.Resource]).filter(
        (r): r is string => typeof r === "string" && r !== "*",
      );
      const actions = (Array.isArray(s.stmt.Action) ? s.stmt.Action : [s.stmt.Action]).map(String);
      for (const target of targets) {
        const arn = c.sym.arn(target);
        if (!resources.some((p) => wildcard(p, arn) || (target.type === "aws_s3_bucket" && wildcard(p, `${arn}/object`)))) continue;
        const prefix = TARGETS[target.type];
        const mine = actions.filter((a) => a.toLowerCase().startsWith(`${prefix}:`));
        if (!mine.length) continue;
        const e = byTarget.get(target.id) ?? { target, actions: new Set<string>() };
        mine.forEach((a) => e.actions.add(a));
        byTarget.set(target.id, e);
      }
    }
    for (const { target, actions } of byTarget.values()) {
      const service = TARGETS[target.type];
      const hops: Hop[] = [];
      for (const action of [...actions].sort()) {
        const objectLevel =
          target.type === "aws_s3_bucket" &&
          !/^s3:(ListBucket|ListBucketMultipartUploads|ListBucketVersions|GetBucket\w*|PutBucket\w*|GetEncryptionConfiguration|GetLifecycleConfiguration)$/i.test(
            action,
          );
        hops.push(c.roleToResource(caller.role, action, target, objectLevel ? `${c.sym.arn(target)}/object` : c.sym.arn(target)));
      }
      const writes = [...actions].some((a) => WRITES.test(a));
      if (service !== "dynamodb") hops.push(...c.roleToKey(caller.role, target, service, writes ? "kms:GenerateDataKey" : "kms:Decrypt"));
      hops.push(...caller.network(service));
      out.push(
        makeFlow(`grant:${caller.role.name}->${target.stack}/${target.name}`, "workload-grant", caller.label, c.label(target), hops),
      );
    }
  }
  out.push(...parameterPathFlows(c));
  for (const m of c.model.resources("aws_lambda_event_source_mapping")) {
    const queue = c.model.resolve(m.stack, m.config.event_source_arn).find((r) => r.type === "aws_sqs_queue");
    const fn = c.invoked(m.stack, m.config.function_name);
    const fnResource = fn && c.functionOf(fn);
    const role = fnResource ? c.policies.roleOf(fnResource.stack, fnResource.config.role) : undefined;
    if (!queue || !fnResource) continue;
    const hops: Hop[] = role
      ? [
          ...["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"].map((a) => c.roleToResource(role, a, queue)),
          ...c.roleToKey(role, queue, "sqs", "kms:Decrypt"),
        ]
      : [hop("identity", "function role", false, "the function names no role of the environment", "")];
    out.push(makeFlow(`event-source:${m.stack}/${m.name}`, "queue-lambda", c.label(queue), c.label(fnResource), hops));
  }
  for (const n of c.model.resources("aws_s3_bucket_notification")) {
    const bucket = c.model.resolve(n.stack, n.config.bucket).find((r) => r.type === "aws_s3_bucket");
    if (!bucket) continue;
    const facts = { "aws:SourceArn": c.sym.arn(bucket), "aws:SourceAccount": c.env.accountId };
    for (const [key, attr, target] of [
      ["lambda_function", "lambda_function_arn", "lambda:InvokeFunction"],
      ["queue", "queue_arn", "sqs:SendMessage"],
      ["topic", "topic_arn", "sns:Publish"],
    ] as const) {
      for (const b of blocks(n.config[key])) {
        const t = c.model.resolve(n.stack, b[attr]).find((r) => ROUTABLE.includes(r.type));
        if (!t) continue;
        const fn = c.functionOf(t);
        const hops = [
          ...c.serviceToResource("s3.amazonaws.com", target, fn ?? t, facts, c.sym.arn(t)),
          ...(t.type === "aws_lambda_function" || t.type === "aws_lambda_alias"
            ? []
            : c.serviceToKey(
                "s3.amazonaws.com",
                t.type === "aws_sqs_queue" ? "kms (queue encryption)" : "kms (topic encryption)",
                t,
                facts,
              )),
        ];
        out.push(makeFlow(`s3-notification:${n.stack}/${n.name}->${t.name}`, "bucket-notification", c.label(bucket), c.label(t), hops));
      }
    }
  }
  return out;
}

/** Services registered in Cloud Map: their peers (the other services) reach them on their port. */
export function cloudMapFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const tasks = tasksOf(c);
  for (const t of tasks) {
    const reg = block(t.service.config.service_registries);
    if (!reg) continue;
    const port = (() => {
      const lb = block(t.service.config.load_balancer);
      return typeof lb?.container_port === "number" ? lb.container_port : Number(reg.port ?? reg.container_port ?? 0);
    })();
    const others = tasks.filter((x) => x !== t);
    const peers = others.flatMap((x) => x.groups);
    const peerSubnets = [...new Map(others.flatMap((x) => x.subnets).map((s) => [s.id, s])).values()];
    const unique = [...new Map(peers.map((g) => [g.id, g])).values()];
    if (!unique.length || !port) continue;
    out.push(
      makeFlow(
        `cloudmap:${t.name}`,
        "service-peer",
        "peer services",
        `service ${t.name}:${port} (Cloud Map)`,
        c.network.sgPath(`peers -> ${t.name}`, unique, t.groups, port, peerSubnets, t.subnets),
      ),
    );
  }
  return out;
}

/**
 * Workloads calling AWS services that have no resource in the environment: a function or service
 * with a model (MODEL_ID) calls Bedrock; one with a sender (FROM_ADDRESS) sends through SES, with
 * its configuration set (CONFIGURATION_SET). Checked: the role's permission on the model /
 * identity / configuration set (with ses:FromAddress), and the route to the service's endpoint.
 */
export function externalServiceFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const workloads: { role?: Resource; label: string; env: Record<string, string>; network: (s: string) => Hop[]; id: string }[] = [];
  for (const fn of c.model.resources("aws_lambda_function")) {
    const vars = block(fn.attrs.environment)?.variables;
    const env = Object.fromEntries(
      Object.entries(typeof vars === "object" && vars ? (vars as Record<string, unknown>) : {}).map(([k, v]) => [
        k,
        c.sym.render(fn.stack, String(v)),
      ]),
    );
    workloads.push({
      role: c.policies.roleOf(fn.stack, fn.config.role),
      label: `function ${c.sym.nameOf(fn)}`,
      env,
      network: (s) => networkOfFunction(c, fn, s),
      id: fn.name,
    });
  }
  for (const t of tasksOf(c))
    workloads.push({
      role: t.taskRole,
      label: `service ${t.name}`,
      env: t.env,
      network: (s) => c.network.toAwsService(s, t.groups, t.subnets),
      id: t.name,
    });
  for (const w of workloads) {
    const model = w.env.MODEL_ID;
    if (model) {
      const arn = /^(us|eu|apac|global)\./.test(model)
        ? c.sym.arnOf("bedrock", `inference-profile/${model}`)
        : `arn:${c.env.partition}:bedrock:${c.env.region}::foundation-model/${model}`;
      const hops: Hop[] = [
        w.role
          ? c.roleToArn(w.role, "bedrock:InvokeModel", arn, `model ${model}`)
          : hop("identity", "role", false, `${w.label} has no role`, "give it a role"),
        ...w.network("bedrock-runtime"),
      ];
      out.push(makeFlow(`bedrock:${w.id}`, "workload-bedrock", w.label, `Bedrock ${model}`, hops));
    }
    const from = w.env.FROM_ADDRESS;
    if (from) {
      const domain = from.split("@")[1] ?? from;
      const identity = c.model.resources(["aws_sesv2_email_identity", "aws_ses_domain_identity", "aws_ses_email_identity"]).find((r) => {
        const name = c.sym.literal(
          r,
          r.type === "aws_sesv2_email_identity" ? "email_identity" : r.type === "aws_ses_domain_identity" ? "domain" : "email",
        );
        return name === domain || name === from;
      });
      const hops: Hop[] = [
        hop(
          "credentials",
          "sender identity exists",
          !!identity,
          identity ? `${identity.id}` : `no SES identity of the environment verifies ${from}`,
          `create an SES identity for ${domain}`,
        ),
      ];
      if (identity && w.role) {
        const name = c.sym.literal(
          identity,
          identity.type === "aws_sesv2_email_identity"
            ? "email_identity"
            : identity.type === "aws_ses_domain_identity"
              ? "domain"
              : "email",
        );
        const ctx = { "ses:fromaddress": [from] };
        hops.push(c.roleToArn(w.role, "ses:SendEmail", c.sym.arnOf("ses", `identity/${name}`), `identity ${name}`, ctx));
        const cs = w.env.CONFIGURATION_SET;
        if (cs)
          hops.push(c.roleToArn(w.role, "ses:SendEmail", c.sym.arnOf("ses", `configuration-set/${cs}`), `configuration set ${cs}`, ctx));
      }
      hops.push(...w.network("email"));
      out.push(makeFlow(`ses:${w.id}`, "workload-ses", w.label, `SES ${from}`, hops));
    }
  }
  return out;
}

/**
 * Parameter hierarchies a workload reads at runtime (ssm:GetParametersByPath on a path): the
 * parameters under the path, the key of each SecureString among them through SSM, and the route.
 */
function parameterPathFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const params = c.model.resources("aws_ssm_parameter");
  const prefix = c.sym.arnOf("ssm", "parameter");
  for (const caller of callers(c)) {
    const paths = new Set<string>();
    for (const s of c.policies.role(caller.role).statements) {
      if (s.stmt.Effect !== "Allow" || s.stmt.Action === undefined) continue;
      const actions = (Array.isArray(s.stmt.Action) ? s.stmt.Action : [s.stmt.Action]).map(String);
      if (!actions.some((a) => wildcard(a, "ssm:GetParametersByPath", true))) continue;
      for (const r of Array.isArray(s.stmt.Resource) ? s.stmt.Resource : [s.stmt.Resource])
        if (typeof r === "string" && r.startsWith(prefix) && !r.includes("*")) paths.add(r.slice(prefix.length));
    }
    for (const path of paths) {
      const under = params.filter((p) => `/${c.sym.nameOf(p).replace(/^\//, "")}`.startsWith(`${path}/`));
      const id = `parameters:${caller.role.name}->${path}`;
      if (!under.length) {
        out.push(
          notApplicable(id, "workload-parameters", caller.label, `parameters ${path}/`, "no parameter of the environment under this path"),
        );
        continue;
      }
      const hops: Hop[] = [c.roleToArn(caller.role, "ssm:GetParametersByPath", `${prefix}${path}`, `path ${path}`)];
      const keys = new Map<string, Resource>();
      for (const p of under.filter((x) => x.attrs.type === "SecureString")) {
        const key = c.policies.keyOf(p);
        if (key && !keys.has(key.id)) keys.set(key.id, p);
      }
      for (const p of keys.values()) hops.push(...c.roleToKey(caller.role, p, "ssm"));
      hops.push(...caller.network("ssm"));
      out.push(makeFlow(id, "workload-parameters", caller.label, `${under.length} parameters under ${path}/`, hops));
    }
  }
  return out;
}
