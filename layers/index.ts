/**
 * The platform's stack classes: the bootstrap stack, and for every layer of the registry
 * (layers/registry.ts) the class its folder's stack.ts exports, loaded by the folder's name
 * (layers/NN-<layer>/stack.ts). Nothing to add here for a new layer: register its descriptor.
 *
 * The stacks are loaded by path, not imported, because the registry must stay stack-free (core/
 * derives its contract map and schema from it, and every stack imports core/layer-stack.ts). A
 * stack.ts must export exactly one LayerStack subclass; core/platform.ts checks the layer name the
 * instance takes against the one it is registered under.
 */
import { join } from "node:path";
import type { PlatformDefinition } from "../core/platform";
import { LayerStack, type LayerStackClass } from "../core/layer-stack";
import { layerFolder } from "../core/layer-descriptor";
import { LAYERS, type LayerName } from "../core/registry";
import { BootstrapStack } from "./bootstrap/stack";

/** The one LayerStack subclass a stack module exports; an error naming the file otherwise. */
export function stackClassOf(exports: Record<string, unknown>, file: string): LayerStackClass {
  const classes = Object.entries(exports).filter(
    ([, v]) => typeof v === "function" && (v as { prototype?: unknown }).prototype instanceof LayerStack,
  );
  if (classes.length !== 1) {
    const found = classes.length ? classes.map(([k]) => k).join(", ") : "none";
    throw new Error(`${file} must export exactly one LayerStack subclass (found: ${found})`);
  }
  return classes[0][1] as LayerStackClass;
}

function loadStacks(): Record<LayerName, LayerStackClass> {
  const out = {} as Record<LayerName, LayerStackClass>;
  for (const l of LAYERS) {
    const file = `layers/${layerFolder(l)}/stack.ts`;
    out[l.name] = stackClassOf(require(join(__dirname, layerFolder(l), "stack")) as Record<string, unknown>, file);
  }
  return out;
}

export const PLATFORM: PlatformDefinition = {
  bootstrap: BootstrapStack,
  layers: loadStacks(),
};
