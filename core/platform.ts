/**
 * Builds the platform: the bootstrap stack and one stack per enabled, implemented layer, in
 * registry order. Used by main.ts (cdktf), the synth tool, the harnesses and the tests.
 */
import { App } from "cdktf";
import type { Construct } from "constructs";
import type { LayerName, PlatformConfig } from "./config/schema";
import { isLayerEnabled, type LayerStack, type LayerStackClass, type PlatformStack } from "./layer-stack";
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
    if (Stack && isLayerEnabled(config, l.name)) layers.push(new Stack(scope, config));
  }
  return { bootstrap, layers };
}

/** Synthesizes one environment into `outdir` (cdktf layout: stacks/<name>/cdk.tf.json). */
export function synthesizePlatform(config: PlatformConfig, def: PlatformDefinition, outdir: string, opts: { hcl?: boolean } = {}): PlatformStacks {
  const app = new App({ outdir, hclOutput: opts.hcl ?? false, skipValidation: false });
  const stacks = buildPlatform(app, config, def);
  validatePlatform(stacks);
  app.synth();
  return stacks;
}

/**
 * Runs every stack's validations before anything is written: cdktf validates and writes stack by
 * stack, which would leave the earlier stacks on disk when a later one fails.
 */
export function validatePlatform(stacks: PlatformStacks): void {
  for (const stack of [stacks.bootstrap, ...stacks.layers]) stack.runAllValidations();
}
