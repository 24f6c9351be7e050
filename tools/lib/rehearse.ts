/**
 * The deploy rehearsal's pure parts (no emulator, no Terraform): the override file that points a
 * synthesized stack at the emulator, the reviewed lists of emulator gaps, classifying a re-plan
 * against them, reading apply errors, and the summary rows. tools/rehearse.ts runs them.
 */
import type { TerraformJson } from "./synth";

/** The file the rehearsal writes next to cdk.tf.json; Terraform merges `*_override.tf.json` last. */
export const OVERRIDE_FILE = "rehearsal_override.tf.json";

/** The emulator the gap lists were reviewed against. */
export const EMULATOR = "moto 5.2.1";

/** Retries for the rehearsal: an API the emulator lacks fails in seconds instead of minutes. */
export const REHEARSAL_MAX_RETRIES = 2;

/** What the rehearsal changes in the S3 backend and in every terraform_remote_state config. */
export function s3Endpoints(endpoint: string): Record<string, unknown> {
  return { endpoints: { s3: endpoint, dynamodb: endpoint, sts: endpoint, iam: endpoint }, use_path_style: true };
}

/**
 * The override that points one synthesized stack at the emulator, changing only endpoints,
 * retries and path-style addressing:
 * - provider "aws": `max_retries` and `s3_use_path_style` (the service endpoints come from
 *   AWS_ENDPOINT_URL in Terraform's environment, which the provider's SDK reads for every service);
 * - the S3 backend: Terraform replaces a backend block of an override file wholesale, so it is the
 *   stack's own backend (bucket, key, region, encrypt, lock table) plus the endpoints;
 * - every terraform_remote_state: its own config plus the endpoints (its `config` is replaced as a
 *   whole, like the backend).
 * Credentials are not written here: they come from the environment (AWS_ACCESS_KEY_ID ...).
 */
export function rehearsalOverride(tf: TerraformJson, endpoint: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const providers = tf.provider?.aws;
  if (providers) {
    const list = Array.isArray(providers) ? providers : [providers];
    // One override block per provider block (an alias keeps its alias so the blocks match).
    out.provider = {
      aws: list.map((p) => ({ ...(p.alias ? { alias: p.alias } : {}), max_retries: REHEARSAL_MAX_RETRIES, s3_use_path_style: true })),
    };
  }
  const s3 = tf.terraform?.backend?.s3;
  if (s3) out.terraform = { backend: { s3: { ...s3, ...s3Endpoints(endpoint) } } };
  const remotes = (tf.data?.terraform_remote_state ?? {}) as Record<string, { backend?: string; config?: Record<string, unknown> }>;
  const names = Object.keys(remotes).sort();
  if (names.length) {
    const data: Record<string, unknown> = {};
    for (const name of names) {
      const r = remotes[name];
      if (r.backend !== "s3")
        throw new Error(`terraform_remote_state.${name} uses backend ${JSON.stringify(r.backend)}; the rehearsal knows only s3`);
      data[name] = { backend: "s3", config: { ...(r.config ?? {}), ...s3Endpoints(endpoint) } };
    }
    out.data = { terraform_remote_state: data };
  }
  return out;
}

/**
 * Environment of every Terraform the rehearsal runs, on top of tools/lib/terraform.ts's sanitized
 * one (which drops the caller's AWS_*): the emulator's endpoint, its CA bundle, throwaway keys.
 */
export function rehearsalEnv(base: NodeJS.ProcessEnv, opts: { endpoint: string; caBundle?: string; region: string }): NodeJS.ProcessEnv {
  return {
    ...base,
    AWS_ENDPOINT_URL: opts.endpoint,
    AWS_ACCESS_KEY_ID: "rehearsal",
    AWS_SECRET_ACCESS_KEY: "rehearsal",
    AWS_REGION: opts.region,
    AWS_EC2_METADATA_DISABLED: "true",
    ...(opts.caBundle ? { AWS_CA_BUNDLE: opts.caBundle } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Reviewed gap lists

/** An attribute the emulator reports differently from what Terraform wrote: a re-plan diff that is tolerated. */
export interface FidelityGap {
  /** Resource type (`aws_ecs_service`). */
  readonly type: string;
  /** Top-level attributes whose diff is the emulator's (never a whole resource). */
  readonly attributes: readonly string[];
  readonly reason: string;
  readonly emulator: string;
}

/** A resource type the emulator cannot create: its apply error is expected and listed, never hidden. */
export interface UnsupportedResource {
  readonly type: string;
  /** Matched against the apply error's text, so a different failure of the same type is not excused. */
  readonly error: RegExp;
  readonly reason: string;
  readonly emulator: string;
}

/** Performance Insights and Enhanced Monitoring settings of an RDS instance (moto keeps none of them). */
const MONITORING_ATTRIBUTES = [
  "performance_insights_enabled",
  "performance_insights_kms_key_id",
  "performance_insights_retention_period",
  "monitoring_interval",
  "monitoring_role_arn",
] as const;

export const FIDELITY_GAPS: readonly FidelityGap[] = [
  {
    type: "aws_rds_cluster",
    attributes: ["scaling_configuration"],
    reason:
      "moto returns an empty ScalingConfigurationInfo (Serverless v1) for every cluster; AWS returns none for a provisioned or Serverless v2 cluster",
    emulator: EMULATOR,
  },
  {
    type: "aws_rds_cluster_instance",
    attributes: MONITORING_ATTRIBUTES,
    reason: "moto does not keep Performance Insights or Enhanced Monitoring settings of cluster instances and reads them back off",
    emulator: EMULATOR,
  },
  {
    type: "aws_db_instance",
    attributes: MONITORING_ATTRIBUTES,
    reason:
      "moto does not keep Performance Insights or Enhanced Monitoring settings of DB instances (DescribeDBInstances answers none; checked against moto in-process)",
    emulator: EMULATOR,
  },
  {
    type: "aws_sesv2_email_identity",
    attributes: ["tags_all"],
    reason: "moto's SESv2 ListTagsForResource answers no tags for an email identity created with tags (checked against moto in-process)",
    emulator: EMULATOR,
  },
  {
    type: "aws_secretsmanager_secret_rotation",
    attributes: ["rotation_rules"],
    reason: "moto keeps AutomaticallyAfterDays only and drops a ScheduleExpression rotation rule (rate(30 days))",
    emulator: EMULATOR,
  },
  {
    type: "aws_lb",
    attributes: ["enforce_security_group_inbound_rules_on_private_link_traffic"],
    reason: "moto does not return this network load balancer attribute (AWS defaults it to on); the kit sets it off for the VPC link",
    emulator: EMULATOR,
  },
];

export const UNSUPPORTED: readonly UnsupportedResource[] = [
  {
    type: "aws_cloudwatch_composite_alarm",
    error: /PutCompositeAlarm[\s\S]*StatusCode: 500/,
    reason: "moto has no PutCompositeAlarm (CloudWatch answers 500)",
    emulator: EMULATOR,
  },
  {
    type: "aws_xray_group",
    error: /CreateGroup[\s\S]*StatusCode: 404/,
    reason: "moto's X-Ray has no groups (CreateGroup answers 404)",
    emulator: EMULATOR,
  },
  {
    type: "aws_xray_sampling_rule",
    error: /CreateSamplingRule[\s\S]*StatusCode: 404/,
    reason: "moto's X-Ray has no sampling rules (CreateSamplingRule answers 404)",
    emulator: EMULATOR,
  },
  {
    type: "aws_cloudfront_function",
    error: /CreateFunction[\s\S]*StatusCode: 404/,
    reason: "moto's CloudFront has no functions (CreateFunction answers 404)",
    emulator: EMULATOR,
  },
  {
    type: "aws_cloudfront_response_headers_policy",
    error: /CreateResponseHeadersPolicy[\s\S]*StatusCode: 404/,
    reason: "moto's CloudFront has no response headers policies (CreateResponseHeadersPolicy answers 404)",
    emulator: EMULATOR,
  },
  {
    type: "aws_elasticache_parameter_group",
    error: /CreateCacheParameterGroup[\s\S]*StatusCode: 500/,
    reason: "moto has no ElastiCache parameter groups (CreateCacheParameterGroup answers 500)",
    emulator: EMULATOR,
  },
  {
    type: "aws_elasticache_user_group",
    error: /CreateUserGroup[\s\S]*StatusCode: 500/,
    reason: "moto has no ElastiCache user groups (CreateUserGroup answers 500)",
    emulator: EMULATOR,
  },
  {
    type: "aws_sesv2_configuration_set_event_destination",
    error: /CreateConfigurationSetEventDestination[\s\S]*StatusCode: 404/,
    reason: "moto's SESv2 has no configuration set event destinations (CreateConfigurationSetEventDestination answers 404)",
    emulator: EMULATOR,
  },
  {
    type: "aws_sesv2_email_identity_mail_from_attributes",
    error: /PutEmailIdentityMailFromAttributes[\s\S]*StatusCode: 404/,
    reason: "moto's SESv2 has no custom MAIL FROM domain (PutEmailIdentityMailFromAttributes answers 404)",
    emulator: EMULATOR,
  },
  {
    type: "aws_chatbot_slack_channel_configuration",
    error: /CreateSlackChannelConfiguration[\s\S]*StatusCode: 500/,
    reason: "moto has no AWS Chatbot (CreateSlackChannelConfiguration answers 500)",
    emulator: EMULATOR,
  },
];

// ---------------------------------------------------------------------------------------------
// Re-plan classification

export interface PlanResourceChange {
  readonly address: string;
  readonly type: string;
  readonly mode?: string;
  readonly change: {
    readonly actions: readonly string[];
    readonly before?: unknown;
    readonly after?: unknown;
    readonly after_unknown?: unknown;
    readonly replace_paths?: unknown;
  };
}

export interface PlanJson {
  readonly resource_changes?: readonly PlanResourceChange[];
  readonly output_changes?: Record<string, { actions: readonly string[] }>;
}

export interface ReplanDiff {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
  /** Top-level attributes that differ. */
  readonly attributes: readonly string[];
  /** The gap that explains every attribute, when one does. */
  readonly gap?: FidelityGap;
}

export interface ReplanVerdict {
  readonly clean: boolean;
  /** Diffs explained by a reviewed fidelity gap. */
  readonly tolerated: readonly ReplanDiff[];
  /** Diffs nothing explains: the rehearsal fails. */
  readonly unexpected: readonly ReplanDiff[];
  /** Outputs the plan would change. */
  readonly outputs: readonly string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Top-level attributes that differ between before and after (or become unknown). */
export function changedAttributes(change: PlanResourceChange["change"]): string[] {
  const before = isObject(change.before) ? change.before : {};
  const after = isObject(change.after) ? change.after : {};
  const unknown = isObject(change.after_unknown) ? change.after_unknown : {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  const out: string[] = [];
  for (const k of keys) {
    const u = unknown[k];
    const becomesUnknown = u === true || (u !== undefined && u !== false && JSON.stringify(u).includes("true"));
    if (becomesUnknown || JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)) out.push(k);
  }
  return out.sort();
}

/**
 * A re-plan after a deploy, judged: every managed resource must be a no-op, except diffs whose
 * every attribute a reviewed fidelity gap of that resource type names. A create, delete or
 * replace is never tolerated (the emulator lost or refused something: that is listed elsewhere).
 */
export function classifyReplan(
  plan: PlanJson,
  gaps: readonly FidelityGap[] = FIDELITY_GAPS,
  expectedMissing: readonly string[] = [],
): ReplanVerdict {
  const tolerated: ReplanDiff[] = [];
  const unexpected: ReplanDiff[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === "data") continue;
    const actions = rc.change.actions;
    if (actions.length === 1 && (actions[0] === "no-op" || actions[0] === "read")) continue;
    // A resource the emulator could not create is planned for creation again: already listed as unsupported.
    if (actions.length === 1 && actions[0] === "create" && expectedMissing.includes(rc.address)) continue;
    const attributes = actions.length === 1 && actions[0] === "update" ? changedAttributes(rc.change) : [];
    const gap =
      actions.length === 1 && actions[0] === "update" && attributes.length
        ? gaps.find((g) => g.type === rc.type && attributes.every((a) => g.attributes.includes(a)))
        : undefined;
    const diff: ReplanDiff = { address: rc.address, type: rc.type, actions, attributes, gap };
    (gap ? tolerated : unexpected).push(diff);
  }
  const outputs = Object.entries(plan.output_changes ?? {})
    .filter(([, c]) => !(c.actions.length === 1 && c.actions[0] === "no-op"))
    .map(([name]) => name)
    .sort();
  return { clean: unexpected.length === 0, tolerated, unexpected, outputs };
}

// ---------------------------------------------------------------------------------------------
// Apply errors

export interface ApplyError {
  /** `aws_cloudwatch_composite_alarm.service` when Terraform named the block. */
  readonly address?: string;
  readonly type?: string;
  readonly summary: string;
  readonly detail: string;
}

export interface ClassifiedError extends ApplyError {
  /** The reviewed reason when the emulator is known not to support this resource this way. */
  readonly unsupported?: UnsupportedResource;
}

/** Terraform's JSON-lines UI (`-json`): the error diagnostics with their resource address. */
export function applyErrors(jsonLines: string): ApplyError[] {
  const out: ApplyError[] = [];
  for (const line of jsonLines.split("\n")) {
    if (!line.startsWith("{")) continue;
    let msg: {
      type?: string;
      diagnostic?: { severity?: string; summary?: string; detail?: string; address?: string; snippet?: { context?: string } };
    };
    try {
      msg = JSON.parse(line);
    } catch {
      continue;
    }
    const d = msg.type === "diagnostic" ? msg.diagnostic : undefined;
    if (!d || d.severity !== "error") continue;
    const ctx = d.snippet?.context ?? "";
    const fromCtx = /^resource\.([\w-]+)\.([\w-]+)/.exec(ctx);
    const address = d.address ?? (fromCtx ? `${fromCtx[1]}.${fromCtx[2]}` : undefined);
    const type = address ? /^(?:module\.[\w-]+\.)*([\w-]+)\./.exec(address.replace(/\[[^\]]*\]/g, ""))?.[1] : undefined;
    out.push({ address, type, summary: d.summary ?? "", detail: d.detail ?? "" });
  }
  return out;
}

/** Each apply error with the reviewed reason when the emulator is known not to support it. */
export function classifyErrors(
  errors: readonly ApplyError[],
  unsupported: readonly UnsupportedResource[] = UNSUPPORTED,
): ClassifiedError[] {
  return errors.map((e) => {
    const text = `${e.summary}\n${e.detail}`;
    const u = unsupported.find((x) => x.type === e.type && x.error.test(text));
    return u ? { ...e, unsupported: u } : { ...e };
  });
}

// ---------------------------------------------------------------------------------------------
// Summary

export type StackStatus = "applied" | "partial" | "failed" | "not run";

export interface StackOutcome {
  readonly stack: string;
  readonly resources: number;
  /** Resources in state after the apply. */
  readonly applied?: number;
  readonly status: StackStatus;
  /** Resources the emulator could not create (reviewed). */
  readonly unsupported: readonly ClassifiedError[];
  /** Failures nothing explains. */
  readonly errors: readonly ClassifiedError[];
  /** Declared resources missing from state after the apply, with the reason. */
  readonly notApplied?: readonly NotApplied[];
  readonly replan?: ReplanVerdict;
  readonly destroy?: "destroyed" | "protected" | "failed" | "not run";
  readonly protectedAddresses?: readonly string[];
  readonly applyMs?: number;
}

/** The status of a stack's apply from its errors: unsupported resources alone make it `partial`. */
export function stackStatus(exitCode: number, errors: readonly ClassifiedError[], missing: readonly NotApplied[] = []): StackStatus {
  if (exitCode === 0 && missing.length === 0) return "applied";
  if (exitCode !== 0 && errors.length && errors.every((e) => e.unsupported) && missing.every((m) => m.explained)) return "partial";
  return "failed";
}

/** True when the rehearsal passed: every stack applied (or only unsupported parts missing), every re-plan clean. */
export function rehearsalPassed(outcomes: readonly StackOutcome[], opts: { replan: boolean }): boolean {
  return outcomes.every(
    (o) => (o.status === "applied" || o.status === "partial") && (!opts.replan || o.replan?.clean === true) && o.destroy !== "failed",
  );
}

/** Addresses Terraform refuses to destroy because of `lifecycle.prevent_destroy`, from its error text. */
export function preventDestroyAddresses(text: string): string[] {
  const out = new Set<string>();
  const re = /Resource ([\w.[\]"-]+) has lifecycle\.prevent_destroy set/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out.add(m[1]);
  return [...out].sort();
}

/** Addresses of a synthesized stack whose `lifecycle.prevent_destroy` is set: what a destroy must refuse. */
export function protectedAddresses(tf: TerraformJson): string[] {
  const out: string[] = [];
  for (const [type, byName] of Object.entries(tf.resource ?? {})) {
    for (const [name, body] of Object.entries(byName)) {
      const lifecycle = (body as { lifecycle?: { prevent_destroy?: unknown } }).lifecycle;
      if (lifecycle?.prevent_destroy === true) out.push(`${type}.${name}`);
    }
  }
  return out.sort();
}

/** Managed resource addresses a synthesized stack declares. */
export function configAddresses(tf: TerraformJson): string[] {
  return Object.entries(tf.resource ?? {})
    .flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`))
    .sort();
}

export interface NotApplied {
  readonly address: string;
  readonly reason: string;
  /** True when the emulator's reviewed gap explains it (itself, or a resource of the stack it waits for). */
  readonly explained: boolean;
}

/**
 * Every declared resource missing from state after an apply, with why: its own reviewed
 * unsupported error, or (when the stack's only failures are reviewed ones) waiting for one of
 * them, since Terraform creates nothing that depends on a failed resource. Anything else is unexplained.
 */
export function notApplied(declared: readonly string[], inState: readonly string[], errors: readonly ClassifiedError[]): NotApplied[] {
  const present = new Set(inState.map((a) => a.replace(/\[[^\]]*\]$/, "")));
  const byAddress = new Map(errors.filter((e) => e.address).map((e) => [e.address!.replace(/\[[^\]]*\]$/, ""), e]));
  const onlyReviewed = errors.length > 0 && errors.every((e) => e.unsupported);
  const failed = errors.filter((e) => e.unsupported).map((e) => e.address);
  return declared
    .filter((a) => !present.has(a))
    .map((address) => {
      const own = byAddress.get(address);
      if (own?.unsupported) return { address, reason: own.unsupported.reason, explained: true };
      if (own) return { address, reason: `${own.summary}: ${own.detail.split("\n")[0]}`, explained: false };
      if (onlyReviewed)
        return { address, reason: `not created: depends on ${failed.join(", ")}, which the emulator cannot create`, explained: true };
      return { address, reason: "missing from state after the apply", explained: false };
    });
}

// ---------------------------------------------------------------------------------------------
// Hosted zones that exist before the kit

/** A Route 53 hosted zone the configuration names by id (it exists before the kit), to seed into the emulator. */
export interface PreexistingZone {
  /** The id the configuration names (`Z0444DEVIMSEXAMPLE01`). */
  readonly id: string;
  /** The zone's name: the longest DNS suffix every name served from it shares. */
  readonly name: string;
  /** The domain names the configuration puts in the zone. */
  readonly names: readonly string[];
  /** Config key paths that name the zone (`frontend.domain.hostedZoneId`). */
  readonly paths: readonly string[];
}

/** Keys beside a `hostedZoneId` that carry the domain names served from that zone. */
const ZONE_NAME_KEYS = ["domainName", "domain", "name", "names", "aliases"] as const;

/** The longest common DNS suffix (whole labels) of the names; at least two labels, else the first name. */
export function commonDnsSuffix(names: readonly string[]): string {
  const split = names.map((n) => n.toLowerCase().replace(/\.$/, "").split(".").reverse());
  const common: string[] = [];
  for (let i = 0; split.every((s) => i < s.length && s[i] === split[0][i]); i++) common.push(split[0][i]);
  return common.length >= 2 ? common.reverse().join(".") : names[0].toLowerCase().replace(/\.$/, "");
}

/**
 * Every hosted zone the resolved configuration names by id (a `hostedZoneId` anywhere in it), with
 * the names it serves (the `domainName` / `domain` / `name` / `names` / `aliases` beside each id). These zones
 * exist before the kit in a real account; the rehearsal creates them in the emulator first, under
 * the same ids. Derived from the configuration, so a new config key with a zone id is covered.
 */
export function preexistingZones(config: unknown): PreexistingZone[] {
  const byId = new Map<string, { names: Set<string>; paths: string[] }>();
  const walk = (node: unknown, at: string): void => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => walk(v, `${at}[${i}]`));
      return;
    }
    if (!isObject(node)) return;
    const id = node.hostedZoneId;
    if (typeof id === "string" && id) {
      const entry = byId.get(id) ?? { names: new Set<string>(), paths: [] };
      entry.paths.push(at ? `${at}.hostedZoneId` : "hostedZoneId");
      for (const k of ZONE_NAME_KEYS) {
        const v = node[k];
        for (const n of Array.isArray(v) ? v : [v])
          if (typeof n === "string" && n.includes(".")) entry.names.add(n.toLowerCase().replace(/\.$/, ""));
      }
      byId.set(id, entry);
    }
    for (const [k, v] of Object.entries(node)) walk(v, at ? `${at}.${k}` : k);
  };
  walk(config, "");
  return [...byId.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, e]) => {
      const names = [...e.names].sort();
      if (!names.length)
        throw new Error(`hosted zone ${id} (${e.paths.join(", ")}): no domain name beside it, so its zone name is unknown`);
      return { id, name: commonDnsSuffix(names), names, paths: e.paths };
    });
}

/** The Route 53 CreateHostedZone body that seeds one zone; the launcher's shim keeps the requested id. */
export function seedZoneRequest(zone: PreexistingZone): string {
  const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">` +
    `<Name>${esc(zone.name)}.</Name><CallerReference>${SEED_REFERENCE}${esc(zone.id)}</CallerReference>` +
    `<HostedZoneConfig><Comment>exists before the kit (seeded by the rehearsal)</Comment></HostedZoneConfig></CreateHostedZoneRequest>`
  );
}

/** The caller reference the launcher's route53 shim reads the wanted zone id from (tools/rehearse/emulator.py). */
export const SEED_REFERENCE = "rehearsal-seed:";

// ---------------------------------------------------------------------------------------------
// Where the time goes

export type Phase = "deploy" | "replan" | "destroy";

/** One Terraform run of the rehearsal: which phase, which stack, which command, how long. */
export interface StepRecord {
  readonly phase: Phase;
  readonly stack: string;
  /** Terraform's subcommand (init, apply, plan, show, state, destroy, force-unlock). */
  readonly step: string;
  readonly ms: number;
}

/** CPU (user + sys) and wall time of one phase: Terraform and its providers, the emulator, the tool itself. */
export interface PhaseCost {
  readonly phase: Phase;
  readonly wallMs: number;
  readonly terraformCpuMs?: number;
  readonly emulatorCpuMs?: number;
  readonly toolCpuMs?: number;
}

/** Per stack: wall time of its steps in each phase (init counted apart from apply), in stack order. */
export interface StackBreakdown {
  readonly stack: string;
  readonly init: number;
  readonly apply: number;
  readonly replan: number;
  readonly destroy: number;
  /** Terraform runs (each starts the provider at least once, init aside). */
  readonly runs: number;
}

/** The per-step breakdown printed by the rehearsal and npm run bench:rehearse. */
export function stepBreakdown(steps: readonly StepRecord[], order: readonly string[]): StackBreakdown[] {
  const rows = new Map<string, { init: number; apply: number; replan: number; destroy: number; runs: number }>();
  for (const name of order) rows.set(name, { init: 0, apply: 0, replan: 0, destroy: 0, runs: 0 });
  for (const s of steps) {
    const row = rows.get(s.stack) ?? { init: 0, apply: 0, replan: 0, destroy: 0, runs: 0 };
    rows.set(s.stack, row);
    row.runs++;
    if (s.step === "init") row.init += s.ms;
    else if (s.phase === "deploy") row.apply += s.ms;
    else if (s.phase === "replan") row.replan += s.ms;
    else row.destroy += s.ms;
  }
  return [...rows.entries()].map(([stack, r]) => ({ stack, ...r }));
}

/** A resource's own time in an apply (or destroy), from Terraform's JSON UI. */
export interface ResourceTime {
  readonly stack: string;
  readonly address: string;
  readonly action: string;
  readonly seconds: number;
}

/** Every resource operation's elapsed time from `terraform apply -json` output (apply_complete / apply_errored). */
export function resourceTimes(stack: string, jsonLines: string): ResourceTime[] {
  const out: ResourceTime[] = [];
  for (const line of jsonLines.split("\n")) {
    if (!line.startsWith("{")) continue;
    let msg: { type?: string; hook?: { resource?: { addr?: string }; action?: string; elapsed_seconds?: number } };
    try {
      msg = JSON.parse(line);
    } catch {
      continue;
    }
    if ((msg.type === "apply_complete" || msg.type === "apply_errored") && msg.hook?.resource?.addr)
      out.push({ stack, address: msg.hook.resource.addr, action: msg.hook.action ?? "", seconds: msg.hook.elapsed_seconds ?? 0 });
  }
  return out;
}

/** The `n` slowest resource operations, slowest first (ties by stack, then address, so the list is stable). */
export function slowest(times: readonly ResourceTime[], n: number): ResourceTime[] {
  return [...times]
    .sort((a, b) => b.seconds - a.seconds || a.stack.localeCompare(b.stack) || a.address.localeCompare(b.address))
    .slice(0, n);
}

/** One stack's re-plan: its verdict, or why the plan could not be made. */
export interface ReplanResult {
  readonly stack: string;
  readonly verdict?: ReplanVerdict;
  readonly error?: string;
}

/**
 * The re-plans of all stacks (run in parallel, finishing in any order), in stack order, each with
 * a verdict: a failed plan counts as an unexpected diff, so it can never pass as clean. Clean only
 * when every stack in `order` has a clean verdict.
 */
export function aggregateReplans(
  order: readonly string[],
  results: readonly ReplanResult[],
): { clean: boolean; byStack: Map<string, ReplanVerdict> } {
  const byStack = new Map<string, ReplanVerdict>();
  for (const name of order) {
    const r = results.find((x) => x.stack === name);
    const failed: ReplanVerdict = {
      clean: false,
      tolerated: [],
      unexpected: [
        { address: r?.error ? `(plan failed: ${r.error.split("\n")[0]})` : "(not re-planned)", type: "", actions: [], attributes: [] },
      ],
      outputs: [],
    };
    byStack.set(name, r?.verdict && !r.error ? r.verdict : failed);
  }
  return { clean: [...byStack.values()].every((v) => v.clean), byStack };
}

/** Runs `fn` over `items` with at most `limit` at a time; results in the items' order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}
