/**
 * Which stacks a change affects: each stack's synthesized Terraform JSON compared with the same
 * stack synthesized from the base commit, after normalising (cdktf's `//` metadata — construct
 * paths, cdktf version — removed, keys sorted). A path filter cannot tell: a change to a module, to
 * base.yaml or to a tier preset changes some stacks of some environments and not others.
 *
 * On the deploy branch the set is closed over readers: a layer that reads an affected layer is
 * planned again after it, because the outputs it reads may have changed.
 */
import { BOOTSTRAP_STACK, type LayerDefinition } from "../../core/registry";
import type { CiTarget } from "../../layers/bootstrap/config";
import type { StackInfo } from "./environments";

/** A stack's JSON without cdktf's `//` metadata, with sorted keys: equal text means an equal configuration. */
export function normaliseStack(json: unknown): string {
  return JSON.stringify(strip(json));
}

function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      if (key === "//") continue;
      out[key] = strip((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return value;
}

export type AffectedReason = "changed" | "added" | "reads" | "forced" | "no-base";

export interface AffectedStack {
  readonly env: string;
  readonly stack: string;
  readonly layer: LayerDefinition;
  readonly reason: AffectedReason;
  /** For `reads`: the affected layers it reads. */
  readonly via?: readonly string[];
}

export interface EnvironmentComparison {
  readonly env: string;
  /** Layer stacks to plan, in registry order. */
  readonly affected: readonly AffectedStack[];
  /** Layer stacks whose configuration is unchanged (and that read nothing affected, with readers on). */
  readonly unchanged: readonly string[];
  /** Stacks of the base that the head no longer has (a layer switched off): CI does not destroy them. */
  readonly removed: readonly string[];
  /** True when the bootstrap stack changed: people apply it, never CI. */
  readonly bootstrapChanged: boolean;
  /** Readers of affected stacks that were left out (readers off): planned after the merge. */
  readonly readersLater: readonly AffectedStack[];
}

export interface CompareOptions {
  /** Close the set over readers (deploy branch). @default false */
  readonly readers?: boolean;
  /** `env/stack` or `env/*` entries planned whatever changed. @default none */
  readonly force?: readonly string[];
}

/**
 * Compares the stacks of one environment. `base` undefined: there is nothing to compare with (the
 * first deploy, or the base could not be synthesized), so every stack is affected.
 */
export function compareEnvironment(
  env: string,
  base: readonly StackInfo[] | undefined,
  head: readonly StackInfo[],
  opts: CompareOptions = {},
): EnvironmentComparison {
  const baseByName = new Map((base ?? []).map((s) => [s.stack, normaliseStack(s.json)]));
  const layers = head.filter((s) => s.layer);
  const direct = new Map<string, AffectedStack>();
  const forced = (stack: string) =>
    (opts.force ?? []).some((f) => f === `${env}/${stack}` || f === `${env}/*` || f === `*/${stack}` || f === "*" || f === "all");
  for (const s of layers) {
    const before = baseByName.get(s.stack);
    let reason: AffectedReason | undefined;
    if (!base) reason = "no-base";
    else if (before === undefined) reason = "added";
    else if (before !== normaliseStack(s.json)) reason = "changed";
    else if (forced(s.stack)) reason = "forced";
    if (reason) direct.set(s.stack, { env, stack: s.stack, layer: s.layer!, reason });
  }
  // Readers, in registry order so that a reader of a reader is found in one pass.
  const readers: AffectedStack[] = [];
  const all = new Map(direct);
  for (const s of layers) {
    if (all.has(s.stack)) continue;
    const via = s.reads.filter((r) => all.has(r));
    if (!via.length) continue;
    const entry: AffectedStack = { env, stack: s.stack, layer: s.layer!, reason: "reads", via };
    readers.push(entry);
    all.set(s.stack, entry);
  }
  const affected = layers.filter((s) => (opts.readers ? all : direct).has(s.stack)).map((s) => (opts.readers ? all : direct).get(s.stack)!);
  const headBootstrap = head.find((s) => s.stack === BOOTSTRAP_STACK);
  const baseBootstrap = baseByName.get(BOOTSTRAP_STACK);
  return {
    env,
    affected,
    unchanged: layers.filter((s) => !all.has(s.stack)).map((s) => s.stack),
    removed: base ? base.filter((s) => s.stack !== BOOTSTRAP_STACK && !head.some((h) => h.stack === s.stack)).map((s) => s.stack) : [],
    bootstrapChanged: !!headBootstrap && (!base || baseBootstrap !== normaliseStack(headBootstrap.json)),
    readersLater: opts.readers ? [] : readers,
  };
}

/** One entry of the plan matrix: what a plan job needs to know. */
export interface MatrixEntry {
  readonly env: string;
  readonly stack: string;
  readonly layer: string;
  /** `01`. */
  readonly number: string;
  readonly reason: AffectedReason;
  readonly region: string;
  readonly planRole: string;
  readonly applyRole: string;
  readonly githubEnvironment: string;
}

/** The `strategy.matrix` of the plan jobs (`fromJSON`), environments in promotion order, layers in registry order. */
export function planMatrix(
  comparisons: readonly EnvironmentComparison[],
  targets: ReadonlyMap<string, CiTarget>,
): { include: MatrixEntry[] } {
  const include: MatrixEntry[] = [];
  for (const c of comparisons) {
    const t = targets.get(c.env);
    if (!t) throw new Error(`no CI identity for environment ${c.env}`);
    for (const a of c.affected) {
      include.push({
        env: a.env,
        stack: a.stack,
        layer: a.layer.name,
        number: a.layer.number,
        reason: a.reason,
        region: t.region,
        planRole: t.planRoleArn,
        applyRole: t.applyRoleArn,
        githubEnvironment: t.githubEnvironment,
      });
    }
  }
  return { include };
}

/** `env/stack` of every affected stack (what the deploy pipeline's jobs test with contains()). */
export function affectedKeys(comparisons: readonly EnvironmentComparison[]): string[] {
  return comparisons.flatMap((c) => c.affected.map((a) => `${c.env}/${a.stack}`));
}

/** A Markdown summary of the comparison for the job summary. */
export function comparisonMarkdown(comparisons: readonly EnvironmentComparison[], baseLabel: string): string {
  const lines = [`### Affected stacks (compared with ${baseLabel})`, "", "| environment | stack | why |", "|---|---|---|"];
  let rows = 0;
  for (const c of comparisons) {
    for (const a of c.affected) {
      rows++;
      lines.push(`| ${c.env} | ${a.layer.number} ${a.stack} | ${describeReason(a)} |`);
    }
  }
  if (!rows) lines.push("| – | – | no stack changes its Terraform |");
  const notes: string[] = [];
  for (const c of comparisons) {
    if (c.bootstrapChanged)
      notes.push(
        `- ${c.env}: the bootstrap stack changed. CI never applies it: run \`PLATFORM_ENV=${c.env} npx cdktf deploy bootstrap\` with administrator credentials.`,
      );
    if (c.removed.length)
      notes.push(
        `- ${c.env}: ${c.removed.join(", ")} no longer synthesized (switched off?). CI does not destroy; see docs/operations.md, "Destroy".`,
      );
    if (c.readersLater.length)
      notes.push(
        `- ${c.env}: ${c.readersLater.map((r) => r.stack).join(", ")} read a changed layer and are planned again after the merge.`,
      );
  }
  return [...lines, ...(notes.length ? ["", ...notes] : []), ""].join("\n");
}

export function describeReason(a: AffectedStack): string {
  switch (a.reason) {
    case "changed":
      return "configuration changed";
    case "added":
      return "new stack";
    case "reads":
      return `reads ${a.via?.join(", ")}`;
    case "forced":
      return "requested";
    case "no-base":
      return "nothing to compare with";
  }
}
