/**
 * The layer table: the layers of layers/registry.ts in deploy order (DESIGN.md). The number is the
 * order and part of the state key; a layer may read only layers with a smaller number. Nothing here
 * is listed by hand: names, order, numbers and descriptions come from the registry's descriptors.
 */
import { LAYER_DESCRIPTORS } from "../layers/registry";
import type { LayerName } from "./config/types";
import { layerTable, type LayerDefinition as Row, type NamesOf } from "./layer-descriptor";

export type { LayerName } from "./config/types";

/** One layer: its name, 1-based order, two-digit number (`01`) and description. */
export type LayerDefinition = Row<LayerName>;

export const LAYERS: readonly LayerDefinition[] = layerTable(LAYER_DESCRIPTORS);

/** The layer names in deploy order (a tuple of literals, for `z.enum`). */
export const LAYER_NAMES = LAYERS.map((l) => l.name) as unknown as NamesOf<typeof LAYER_DESCRIPTORS>;

export function layer(name: LayerName): LayerDefinition {
  const found = LAYERS.find((l) => l.name === name);
  if (!found) throw new Error(`unknown layer ${JSON.stringify(name)}; layers are ${LAYER_NAMES.join(", ")}`);
  return found;
}

/** The stack that creates the state bucket and lock table; deployed once, before every layer. */
export const BOOTSTRAP_STACK = "bootstrap";
