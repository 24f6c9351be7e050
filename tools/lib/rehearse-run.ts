/**
 * Running Terraform for the rehearsal (tools/rehearse.ts): init, apply, re-plan and destroy of the
 * synthesized stacks in their own directories, against the emulator.
 */
import * as fs from "node:fs";
import type { LoadedConfig } from "../../core/config/loader";
import { deploySteps } from "./deploy";
import type { Emulator } from "./emulator";
import {
  applyErrors,
  classifyErrors,
  classifyReplan,
  configAddresses,
  notApplied,
  preventDestroyAddresses,
  protectedAddresses,
  stackStatus,
  type ClassifiedError,
  type PlanJson,
  type ReplanVerdict,
  type StackOutcome,
} from "./rehearse";
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
}

export function terraform(ctx: RehearsalContext, stack: SynthesizedStack, args: readonly string[]): Promise<RunResult> {
  return run(ctx.tf.bin, args, { cwd: stack.dir, env: ctx.env });
}

/** terraform init in the stack's own directory (its backend, the override merged in). */
export async function init(ctx: RehearsalContext, stack: SynthesizedStack): Promise<RunResult> {
  return terraform(ctx, stack, ["init", "-input=false", "-no-color", "-reconfigure"]);
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
  const r = await terraform(ctx, stack, ["apply", "-auto-approve", "-input=false", "-json", ...extra]);
  const errors = classifyErrors(applyErrors(r.stdout));
  const text = errors.length ? errors.map((e) => `${e.address ?? "-"}: ${e.summary}: ${e.detail}`).join("\n") : cleanTerraformText(r.stderr);
  return { code: r.code, errors, ms: r.ms, text };
}

/** A plan of the stack, judged against the reviewed fidelity gaps. */
export async function replan(
  ctx: RehearsalContext,
  stack: SynthesizedStack,
  expectedMissing: readonly string[],
): Promise<{ verdict?: ReplanVerdict; error?: string }> {
  const plan = await terraform(ctx, stack, ["plan", "-input=false", "-no-color", "-out=rehearsal-replan.bin"]);
  if (plan.code !== 0) return { error: cleanTerraformText(plan.stderr || plan.stdout) };
  const show = await terraform(ctx, stack, ["show", "-json", "rehearsal-replan.bin"]);
  if (show.code !== 0) return { error: cleanTerraformText(show.stderr) };
  return { verdict: classifyReplan(JSON.parse(show.stdout) as PlanJson, undefined, expectedMissing) };
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
    const i0 = await init(ctx, stack);
    if (i0.code !== 0) {
      const errors: ClassifiedError[] = [{ summary: "terraform init failed", detail: cleanTerraformText(i0.stderr || i0.stdout) }];
      outcomes.set(stack.name, { stack: stack.name, resources: stack.resources, status: "failed", unsupported: [], errors });
      ctx.reporter.line(`${label}  init FAILED\n${errors[0].detail}`);
      stopped = true;
      continue;
    }
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
    const r = await terraform(ctx, stack, ["destroy", "-auto-approve", "-input=false", "-no-color"]);
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
