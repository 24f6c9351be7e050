/**
 * The order `npm run deploy:all` deploys in: the bootstrap stack, then every enabled, implemented
 * layer in registry order (the same stacks buildPlatform writes), one at a time.
 */
import type { PlatformConfig } from "../../core/config/schema";
import { layerOn } from "../../core/config/layer-switch";
import type { PlatformDefinition } from "../../core/platform";
import { BOOTSTRAP_STACK, LAYERS } from "../../core/registry";

export interface DeployStep {
  readonly stack: string;
  /** argv of the command, program first. */
  readonly command: readonly string[];
}

export interface SkippedLayer {
  readonly layer: string;
  readonly reason: "disabled" | "not implemented";
}

/** Stacks to deploy, in order, and the layers left out with the reason. */
export function deployOrder(config: PlatformConfig, def: PlatformDefinition): { stacks: string[]; skipped: SkippedLayer[] } {
  const stacks = [BOOTSTRAP_STACK];
  const skipped: SkippedLayer[] = [];
  for (const l of LAYERS) {
    if (!def.layers[l.name]) skipped.push({ layer: l.name, reason: "not implemented" });
    else if (!layerOn(config, l.name)) skipped.push({ layer: l.name, reason: "disabled" });
    else stacks.push(l.name);
  }
  return { stacks, skipped };
}

/** What a run over the stacks does: each is one `npx cdktf <verb> <stack>`. */
export type StackVerb = "deploy" | "diff" | "destroy";

/**
 * One `npx cdktf <verb> <stack>` per stack, in deploy order (destroy: the reverse, so no layer goes
 * while a later layer still reads it), starting at `from` when given (resuming after a failure);
 * `extraArgs` (e.g. --auto-approve) go to every command.
 */
export function stackSteps(
  verb: StackVerb,
  stacks: readonly string[],
  opts: { from?: string; extraArgs?: readonly string[] } = {},
): DeployStep[] {
  const ordered = verb === "destroy" ? [...stacks].reverse() : [...stacks];
  let start = 0;
  if (opts.from !== undefined) {
    start = ordered.indexOf(opts.from);
    if (start === -1) {
      const layer = LAYERS.find((l) => l.name === opts.from);
      const why = layer
        ? `layer ${opts.from} has no stack in this environment (disabled or not implemented)`
        : `no stack named ${JSON.stringify(opts.from)}`;
      throw new Error(`--from ${opts.from}: ${why}; stacks in order: ${ordered.join(", ")}`);
    }
  }
  return ordered.slice(start).map((stack) => ({ stack, command: ["npx", "cdktf", verb, stack, ...(opts.extraArgs ?? [])] }));
}

/** `stackSteps("deploy", …)`. */
export function deploySteps(stacks: readonly string[], opts: { from?: string; extraArgs?: readonly string[] } = {}): DeployStep[] {
  return stackSteps("deploy", stacks, opts);
}

/** A command line for display, quoting what needs it. */
export function shellLine(argv: readonly string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(" ");
}
