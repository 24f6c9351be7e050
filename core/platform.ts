/**
 * Builds the platform: the bootstrap stack and one stack per enabled, implemented layer, in
 * registry order. Used by main.ts (cdktf), the synth tool, the harnesses and the tests.
 */
import { App } from "cdktf";
import type { Construct } from "constructs";
import type { LayerName, PlatformConfig } from "./config/types";
import { repairHclOutput } from "./hcl";
import { layerOn } from "./config/layer-switch";
import type { LayerStack, LayerStackClass, PlatformStack } from "./layer-stack";
import { LAYERS } from "./registry";

export interface PlatformStacks {
  readonly bootstrap: PlatformStack;
  /** Layer stacks in deploy order. */
  readonly layers: readonly LayerStack<LayerName>[];
}

export interface PlatformDefinition {
  /** The bootstrap stack's class. */
  readonly bootstrap: new (scope: Construct, config: PlatformConfig) => PlatformStack;
  /** The implemented layer stack classes, by layer name. */
  readonly layers: Partial<Record<LayerName, LayerStackClass>>;
}

/** Instantiates the stacks of one environment in `scope`. Disabled layers get no stack. */
export function buildPlatform(scope: Construct, config: PlatformConfig, def: PlatformDefinition): PlatformStacks {
  const bootstrap = new def.bootstrap(scope, config);
  const layers: LayerStack<LayerName>[] = [];
  for (const l of LAYERS) {
    const Stack = def.layers[l.name];
    if (!Stack || !layerOn(config, l.name)) continue;
    const stack = new Stack(scope, config);
    if (stack.layer.name !== l.name) {
      throw new Error(
        `the stack class registered for layer ${l.name} builds layer ${stack.layer.name}; check layers/${l.number}-${l.name}/stack.ts`,
      );
    }
    layers.push(stack);
  }
  return { bootstrap, layers };
}

/**
 * Synthesizes one environment into `outdir` (cdktf layout: stacks/<name>/cdk.tf.json, or cdk.tf
 * with `hcl`). cdktf 0.21 names the file after the App's `hclOutput` but renders the content
 * after SYNTH_HCL_OUTPUT, so the variable is set to match for the duration of the synthesis.
 */
export function synthesizePlatform(
  config: PlatformConfig,
  def: PlatformDefinition,
  outdir: string,
  opts: { hcl?: boolean } = {},
): PlatformStacks {
  const hcl = opts.hcl ?? false;
  const before = process.env.SYNTH_HCL_OUTPUT;
  process.env.SYNTH_HCL_OUTPUT = hcl ? "true" : "false";
  try {
    const app = new App({ outdir, hclOutput: hcl, skipValidation: false });
    const stacks = buildPlatform(app, config, def);
    validatePlatform(stacks);
    app.synth();
    if (hcl) repairHclOutput(outdir);
    return stacks;
  } finally {
    if (before === undefined) delete process.env.SYNTH_HCL_OUTPUT;
    else process.env.SYNTH_HCL_OUTPUT = before;
  }
}

/**
 * Runs every stack's validations before anything is written: cdktf validates and writes stack by
 * stack, which would leave the earlier stacks on disk when a later one fails.
 */
export function validatePlatform(stacks: PlatformStacks): void {
  for (const stack of [stacks.bootstrap, ...stacks.layers]) stack.runAllValidations();
}
