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
    attributes: [
      "performance_insights_enabled",
      "performance_insights_kms_key_id",
      "performance_insights_retention_period",
      "monitoring_interval",
      "monitoring_role_arn",
    ],
    reason: "moto does not keep Performance Insights or Enhanced Monitoring settings of cluster instances and reads them back off",
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
export function classifyReplan(plan: PlanJson, gaps: readonly FidelityGap[] = FIDELITY_GAPS, expectedMissing: readonly string[] = []): ReplanVerdict {
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
export function classifyErrors(errors: readonly ApplyError[], unsupported: readonly UnsupportedResource[] = UNSUPPORTED): ClassifiedError[] {
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
      if (onlyReviewed) return { address, reason: `not created: depends on ${failed.join(", ")}, which the emulator cannot create`, explained: true };
      return { address, reason: "missing from state after the apply", explained: false };
    });
}
