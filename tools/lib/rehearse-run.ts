/**
 * Running Terraform for the rehearsal (tools/rehearse.ts): init, apply, re-plan and destroy of the
 * synthesized stacks in their own directories, against the emulator.
 */
import * as fs from "node:fs";
import type { LoadedConfig } from "../../core/config/loader";
import { deploySteps } from "./deploy";
import type { Emulator } from "./emulator";
import {
  aggregateReplans,
  applyErrors,
  classifyErrors,
  classifyReplan,
  configAddresses,
  mapLimit,
  notApplied,
  preventDestroyAddresses,
  protectedAddresses,
  resourceTimes,
  stackStatus,
  type ClassifiedError,
  type Phase,
  type PlanJson,
  type ReplanResult,
  type ReplanVerdict,
  type ResourceTime,
  type StackOutcome,
  type StepRecord,
} from "./rehearse";
import { canReattach, ProviderPool, providerBinary } from "./rehearse-providers";
import { formatDuration, type Reporter } from "./report";
import type { SynthesizedStack, TerraformJson } from "./synth";
import { cleanTerraformText, run, type RunResult, type TerraformSetup } from "./terraform";

/** What one rehearsal needs to run Terraform in a stack. */
export interface RehearsalContext {
  readonly tf: TerraformSetup;
  readonly env: NodeJS.ProcessEnv;
  readonly emulator: Emulator;
  readonly loaded: LoadedConfig;
  readonly stacks: readonly SynthesizedStack[];
  readonly reporter: Reporter;
  /** Where the time goes: every Terraform run, and every resource's own time in an apply or destroy. */
  readonly timing: { phase: Phase; readonly steps: StepRecord[]; readonly resources: ResourceTime[] };
  /** One `terraform init` per stack, started ahead of its apply (see deploy). */
  readonly inits: Map<string, Promise<RunResult>>;
  /** Shared provider processes (rehearse-providers.ts), started after the first init; off when `enabled` is false. */
  readonly providers: { enabled: boolean; pool?: ProviderPool; starting?: Promise<void>; note?: string };
}

/** A new context's timing, init and provider bookkeeping. */
export function freshTiming(opts: { reattach?: boolean } = {}): Pick<RehearsalContext, "timing" | "inits" | "providers"> {
  return { timing: { phase: "deploy", steps: [], resources: [] }, inits: new Map(), providers: { enabled: opts.reattach !== false } };
}

const reattachable = new Map<string, boolean>();

/**
 * The shared providers' environment: the rehearsal's, except that the emulator's certificate is
 * trusted through SSL_CERT_FILE (Go's root store for the whole process) instead of AWS_CA_BUNDLE.
 * With AWS_CA_BUNDLE the provider wraps its HTTP client at ConfigureProvider, and a second
 * configuration in the same process fails ("unable to add custom RootCAs HTTPClient"). Either way
 * only the throwaway certificate is trusted.
 */
export function providerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AWS_CA_BUNDLE: ca, ...rest } = env;
  return ca ? { ...rest, SSL_CERT_FILE: ca } : rest;
}

/** Starts the shared providers from the binary the stack's init installed; on failure the rehearsal goes on without them. */
async function ensureProviders(ctx: RehearsalContext, stack: SynthesizedStack): Promise<void> {
  const p = ctx.providers;
  if (!p.enabled || p.pool) return;
  if (!p.starting) {
    const binary = providerBinary(stack.dir);
    if (!binary) return;
    p.starting = ProviderPool.start(binary, REPLAN_CONCURRENCY, providerEnv(ctx.env)).then(
      (pool) => {
        p.pool = pool;
        p.note = `${REPLAN_CONCURRENCY} shared aws provider processes (TF_REATTACH_PROVIDERS)`;
      },
      (e: unknown) => {
        p.enabled = false;
        p.note = `shared providers not used: ${e instanceof Error ? e.message : String(e)}`;
      },
    );
  }
  await p.starting;
}

/**
 * Terraform's `-parallelism` for applies, plans and destroys: the default 10 leaves resources
 * queued behind others that only sleep in a provider waiter (KMS keys, S3 lifecycle, SQS
 * attributes); the emulator answers each call in milliseconds, so more at once costs no more CPU.
 */
export const PARALLELISM = 32;

/** Re-plans at once (they are independent reads; the emulator is one Python process). */
export const REPLAN_CONCURRENCY = 4;

/** Inits started ahead of the applies at once. */
export const INIT_CONCURRENCY = 3;

export async function terraform(ctx: RehearsalContext, stack: SynthesizedStack, args: readonly string[]): Promise<RunResult> {
  const phase = ctx.timing.phase;
  if (!reattachable.has(stack.file))
    reattachable.set(stack.file, canReattach(JSON.parse(fs.readFileSync(stack.file, "utf8")) as TerraformJson));
  // init installs providers and never configures one: it runs as always. So does a stack with an aliased provider.
  const pool = args[0] !== "init" && reattachable.get(stack.file) ? ctx.providers.pool : undefined;
  const r = pool
    ? await pool.with((reattach) => run(ctx.tf.bin, args, { cwd: stack.dir, env: { ...ctx.env, TF_REATTACH_PROVIDERS: reattach } }))
    : await run(ctx.tf.bin, args, { cwd: stack.dir, env: ctx.env });
  ctx.timing.steps.push({ phase, stack: stack.name, step: args[0], ms: r.ms });
  return r;
}

/** terraform init in the stack's own directory (its backend, the override merged in); once per stack. */
export function init(ctx: RehearsalContext, stack: SynthesizedStack): Promise<RunResult> {
  let p = ctx.inits.get(stack.name);
  if (!p) {
    p = terraform(ctx, stack, ["init", "-input=false", "-no-color", "-reconfigure"]);
    ctx.inits.set(stack.name, p);
    // A failed init is retried by the next caller (it may have run before its backend existed).
    void p.then((r) => r.code !== 0 && ctx.inits.get(stack.name) === p && ctx.inits.delete(stack.name));
  }
  return p;
}

/**
 * Starts the inits of `stacks` in the background, a few at a time, so each layer's init is done
 * by the time its turn to apply comes. Only once the state bucket exists (after bootstrap): an
 * S3 backend's init reads the bucket.
 */
function initAhead(ctx: RehearsalContext, stacks: readonly SynthesizedStack[]): void {
  void mapLimit(stacks, INIT_CONCURRENCY, (s) => init(ctx, s));
}

/** Resource addresses in the stack's state. */
export async function stateList(ctx: RehearsalContext, stack: SynthesizedStack): Promise<string[]> {
  const r = await terraform(ctx, stack, ["state", "list"]);
  return r.code === 0 ? r.stdout.split("\n").filter((l) => l && !l.startsWith("data.")) : [];
}

export interface ApplyOutcome {
  readonly code: number;
  readonly errors: readonly ClassifiedError[];
  readonly ms: number;
  readonly text: string;
}

/** terraform apply -auto-approve with the JSON UI; errors classified against the reviewed list. */
export async function apply(ctx: RehearsalContext, stack: SynthesizedStack, extra: readonly string[] = []): Promise<ApplyOutcome> {
  const r = await terraform(ctx, stack, ["apply", "-auto-approve", "-input=false", "-json", `-parallelism=${PARALLELISM}`, ...extra]);
  ctx.timing.resources.push(...resourceTimes(stack.name, r.stdout));
  const errors = classifyErrors(applyErrors(r.stdout));
  const text = errors.length
    ? errors.map((e) => `${e.address ?? "-"}: ${e.summary}: ${e.detail}`).join("\n")
    : cleanTerraformText(r.stderr);
  return { code: r.code, errors, ms: r.ms, text };
}

/**
 * A plan of the stack, judged against the reviewed fidelity gaps. `-detailed-exitcode` tells a
 * plan without any change (exit 0) from one with changes (2): only the latter is shown as JSON
 * and classified, which saves a provider start per clean stack.
 */
export async function replan(
  ctx: RehearsalContext,
  stack: SynthesizedStack,
  expectedMissing: readonly string[],
): Promise<{ verdict?: ReplanVerdict; error?: string }> {
  const plan = await terraform(ctx, stack, [
    "plan",
    "-input=false",
    "-no-color",
    "-detailed-exitcode",
    `-parallelism=${PARALLELISM}`,
    "-out=rehearsal-replan.bin",
  ]);
  if (plan.code === 0) return { verdict: { clean: true, tolerated: [], unexpected: [], outputs: [] } };
  if (plan.code !== 2) return { error: cleanTerraformText(plan.stderr || plan.stdout) };
  const show = await terraform(ctx, stack, ["show", "-json", "rehearsal-replan.bin"]);
  if (show.code !== 0) return { error: cleanTerraformText(show.stderr) };
  return { verdict: classifyReplan(JSON.parse(show.stdout) as PlanJson, undefined, expectedMissing) };
}

/**
 * Re-plans every stack at once (a few at a time): after the deploy they only read (their own
 * resources and the other layers' state), so their order does not matter. Results in stack order.
 */
export async function replanAll(
  ctx: RehearsalContext,
  expectedMissing: (stack: string) => readonly string[],
): Promise<{ clean: boolean; byStack: Map<string, ReplanVerdict>; results: ReplanResult[] }> {
  const results = await mapLimit(ctx.stacks, REPLAN_CONCURRENCY, async (s): Promise<ReplanResult> => ({
    stack: s.name,
    ...(await replan(ctx, s, expectedMissing(s.name))),
  }));
  return {
    ...aggregateReplans(
      ctx.stacks.map((s) => s.name),
      results,
    ),
    results,
  };
}

/** Deploys `stacks` in order from `from`; stops at the first failure. */
export async function deploy(
  ctx: RehearsalContext,
  from?: string,
  hooks: { before?: (s: SynthesizedStack) => Promise<void> } = {},
): Promise<Map<string, StackOutcome>> {
  const order = ctx.stacks.map((s) => s.name);
  const steps = deploySteps(order, { from });
  const outcomes = new Map<string, StackOutcome>();
  let stopped = false;
  for (const [i, step] of steps.entries()) {
    const stack = ctx.stacks.find((s) => s.name === step.stack)!;
    if (stopped) {
      outcomes.set(stack.name, { stack: stack.name, resources: stack.resources, status: "not run", unsupported: [], errors: [] });
      continue;
    }
    const label = `[${i + 1}/${steps.length}] ${stack.name}`;
    // Once the state bucket exists, the later layers' inits run ahead while this one applies.
    if (stack.name !== "bootstrap")
      initAhead(
        ctx,
        steps.slice(i + 1).map((st) => ctx.stacks.find((s) => s.name === st.stack)!),
      );
    const i0 = await init(ctx, stack);
    if (i0.code !== 0) {
      const errors: ClassifiedError[] = [{ summary: "terraform init failed", detail: cleanTerraformText(i0.stderr || i0.stdout) }];
      outcomes.set(stack.name, { stack: stack.name, resources: stack.resources, status: "failed", unsupported: [], errors });
      ctx.reporter.line(`${label}  init FAILED\n${errors[0].detail}`);
      stopped = true;
      continue;
    }
    await ensureProviders(ctx, stack);
    await hooks.before?.(stack);
    const a = await apply(ctx, stack);
    const inState = await stateList(ctx, stack);
    const applied = inState.length;
    const missing = notApplied(configAddresses(JSON.parse(fs.readFileSync(stack.file, "utf8")) as TerraformJson), inState, a.errors);
    const status = stackStatus(a.code, a.errors, missing);
    const outcome: StackOutcome = {
      stack: stack.name,
      resources: stack.resources,
      applied,
      status,
      unsupported: a.errors.filter((e) => e.unsupported),
      errors:
        a.code === 0
          ? []
          : a.errors.filter((e) => !e.unsupported).concat(a.errors.length ? [] : [{ summary: "terraform apply failed", detail: a.text }]),
      notApplied: missing,
      applyMs: a.ms,
    };
    outcomes.set(stack.name, outcome);
    const gaps = missing.length ? `, ${missing.length} not applied` : "";
    ctx.reporter.line(`${label}  ${status}  ${applied}/${stack.resources} resources${gaps}  ${formatDuration(a.ms)}`);
    if (status === "failed" && applied === 0)
      ctx.reporter.line(`      nothing applied (${missing.length} resources): the apply failed before creating any`);
    else for (const m of missing) ctx.reporter.line(`      not applied: ${m.address}: ${m.reason}${m.explained ? "" : " (UNEXPLAINED)"}`);
    if (status === "failed") {
      for (const e of outcome.errors)
        ctx.reporter.line(`      ERROR ${e.address ?? ""}: ${e.summary}${e.detail ? `: ${e.detail.split("\n")[0]}` : ""}`);
      stopped = true;
    }
  }
  return outcomes;
}

/** Destroys the stacks in reverse order; a stack refused by prevent_destroy (or failing) keeps every stack before it. */
export async function destroyAll(
  ctx: RehearsalContext,
  deployed: (stack: string) => boolean = () => true,
): Promise<Map<string, Pick<StackOutcome, "destroy" | "protectedAddresses"> & { message?: string; expectedProtected: string[] }>> {
  const out = new Map<string, Pick<StackOutcome, "destroy" | "protectedAddresses"> & { message?: string; expectedProtected: string[] }>();
  let keptBy: string | undefined;
  const reversed = [...ctx.stacks].reverse();
  for (const [i, stack] of reversed.entries()) {
    const expectedProtected = protectedAddresses(JSON.parse(fs.readFileSync(stack.file, "utf8")) as TerraformJson);
    if (!deployed(stack.name)) {
      out.set(stack.name, { destroy: "not run", expectedProtected, message: "never deployed" });
      continue;
    }
    if (keptBy) {
      out.set(stack.name, { destroy: "not run", expectedProtected, message: `kept: ${keptBy} was not destroyed and reads it` });
      continue;
    }
    // -refresh=false: the re-plan has just refreshed every stack and found it matching its state,
    // so the destroy plans from state alone (what prevent_destroy checks is the configuration).
    const r = await terraform(ctx, stack, [
      "destroy",
      "-auto-approve",
      "-input=false",
      "-no-color",
      "-refresh=false",
      `-parallelism=${PARALLELISM}`,
    ]);
    const text = cleanTerraformText(`${r.stderr}\n${r.stdout}`);
    const refused = preventDestroyAddresses(text);
    const status = r.code === 0 ? "destroyed" : refused.length ? "protected" : "failed";
    out.set(stack.name, {
      destroy: status,
      protectedAddresses: refused,
      expectedProtected,
      message:
        status === "failed"
          ? text
              .split("\n")
              .filter((l) => /error/i.test(l))
              .slice(0, 5)
              .join("\n")
          : undefined,
    });
    ctx.reporter.line(
      `[${i + 1}/${reversed.length}] destroy ${stack.name}  ${status}${refused.length ? ` (prevent_destroy: ${refused.join(", ")})` : ""}  ${formatDuration(r.ms)}`,
    );
    if (status !== "destroyed") keptBy = stack.name;
  }
  return out;
}
