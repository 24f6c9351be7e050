/**
 * A layer's descriptor: everything core/ needs to know about a layer, in one value per folder
 * (layers/NN-<layer>/layer.ts, `defineLayer({...})`), listed once in layers/registry.ts. The layer
 * names and their order, the descriptions, the contract map and its types, the config sections
 * composed into the schema and the cross-field rules are all derived from that one list by the
 * functions below; the stack classes are found next to each descriptor (layers/index.ts).
 *
 * A descriptor holds no stack: stack.ts imports core/layer-stack.ts, which reads the contract map
 * derived from the registry, so a descriptor that imported its stack would close an import circle.
 * This file is a leaf (types and pure functions); it never imports the registry.
 */
import type { z } from "zod";
import type { Rule } from "./config/types";
import type { Contract } from "./contracts/types";

/** The config sections a layer adds to the top level of an environment file, by key. */
export type Sections = Readonly<Record<string, z.ZodType>>;

/*
 * Why the contract is a function (`contract: () => networkContract`) and the type parameters are
 * loosely constrained: PlatformConfig is computed from the descriptors' types (names and sections),
 * and a contract's type mentions PlatformConfig (its mocks take the config). Holding the contract
 * behind a function leaves its type unresolved until the contract map is used, so computing a
 * descriptor's type never needs PlatformConfig; a plain `contract: networkContract` (or a constraint
 * that compares it with Contract) would make that type depend on itself, and tsc overflows its stack.
 * The shapes are checked where the registry is used (layerTable, contractMap and sectionShape take
 * `Descriptors`).
 */

/** A contract behind a function (see above); `any` so that checking it does not resolve the contract's type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ContractThunk = () => any;

export interface LayerDescriptor<N = string, F = ContractThunk | undefined, S = Sections> {
  /** The layer's name: stack id, `Layer` tag, state key part, `config.layers.<name>` switch. */
  readonly name: N;
  /** What the layer creates (one line; the CLI, the pipelines and docs show it). */
  readonly description: string;
  /** The outputs it publishes for later layers, behind a function; none: it publishes nothing and cannot be read. */
  readonly contract: F;
  /** Its top-level config sections, in the order they appear in the schema. */
  readonly sections: S;
  /** Its cross-field rules, run on every schema-valid configuration in registry order. */
  readonly rules: readonly Rule[];
}

/** A layer's part of the configuration: its top-level sections and its cross-field rules (exported by its config.ts). */
export interface LayerConfig<S = Sections> {
  /** Its top-level config sections, in the order they appear in the schema. */
  readonly sections: S;
  /** Its cross-field rules, run on every schema-valid configuration in registry order. */
  readonly rules: readonly Rule[];
}

/**
 * Declares a layer (layers/NN-<layer>/layer.ts). Keeps the literal name and the contract's and sections' types.
 * `config` is the layer's part of the configuration, declared next to its schema in config.ts; none: the
 * layer adds no section and no rule.
 */
export function defineLayer<const N extends string, F extends ContractThunk | undefined = undefined, S = Record<never, never>>(def: {
  name: N;
  description: string;
  contract?: F;
  config?: LayerConfig<S>;
}): LayerDescriptor<N, F, S> {
  return {
    name: def.name,
    description: def.description,
    contract: def.contract as F,
    sections: (def.config?.sections ?? {}) as S,
    rules: def.config?.rules ?? [],
  };
}

/** The registry's shape: descriptors in deploy order. */
export type Descriptors = readonly LayerDescriptor<string, (() => Contract) | undefined, Sections>[];

/** The layer names of a registry, as a tuple in order. */
export type NamesOf<D> = { readonly [I in keyof D]: D[I] extends { name: infer N } ? N : never };

/** The contract map of a registry: layer name -> contract type, for the layers that publish one. */
export type ContractsOf<D extends readonly unknown[]> = {
  readonly [X in D[number] as X extends { name: infer N extends string; contract: () => object } ? N : never]: X extends {
    contract: () => infer C;
  }
    ? C
    : never;
};

/** Every section of a registry, merged (registry order). */
export type SectionsOf<D> = D extends readonly [{ sections: infer S }, ...infer R] ? S & SectionsOf<R> : unknown;

/** One row of the layer table: a layer's place in the deploy order and its description. */
export interface LayerDefinition<N extends string = string> {
  readonly name: N;
  /** 1-based position in the deploy order. */
  readonly order: number;
  /** Two-digit order, as used in state keys and folder names (`01`). */
  readonly number: string;
  /** What the layer creates. */
  readonly description: string;
}

/** The layer table: order and number from the registry position; names must be unique and well-formed. */
export function layerTable<D extends Descriptors>(registry: D): LayerDefinition<D[number]["name"]>[] {
  const seen = new Set<string>();
  return registry.map((d, i) => {
    if (!/^[a-z][a-z0-9-]*[a-z0-9]$/.test(d.name)) {
      throw new Error(`layer name ${JSON.stringify(d.name)} (registry position ${i + 1}) is not lower-case letters, digits and hyphens`);
    }
    if (seen.has(d.name)) throw new Error(`layer ${JSON.stringify(d.name)} is registered twice (registry position ${i + 1})`);
    seen.add(d.name);
    return { name: d.name, order: i + 1, number: String(i + 1).padStart(2, "0"), description: d.description };
  });
}

/** The folder of a layer below layers/: `01-network`. */
export const layerFolder = (def: Pick<LayerDefinition, "name" | "number">): string => `${def.number}-${def.name}`;

/** The contract map: the layers that publish, by name, in registry order. */
export function contractMap<D extends Descriptors>(registry: D): ContractsOf<D> {
  const out: Record<string, Contract> = {};
  for (const d of registry) if (d.contract) out[d.name] = d.contract();
  return out as ContractsOf<D>;
}

/**
 * The layers' sections merged in registry order (each layer's own order kept). A key claimed twice,
 * by two layers or by a layer and `reserved` (the keys core/config/schema.ts composes itself), is refused.
 */
export function sectionShape<D extends Descriptors>(registry: D, reserved: readonly string[] = []): SectionsOf<D> {
  const owner = new Map<string, string>(reserved.map((k) => [k, "core/config/schema.ts"]));
  const out: Record<string, z.ZodType> = {};
  for (const d of registry) {
    for (const [key, schema] of Object.entries(d.sections)) {
      const other = owner.get(key);
      if (other) throw new Error(`config section ${JSON.stringify(key)} of layer ${d.name} is already declared by ${other}`);
      owner.set(key, `layer ${d.name}`);
      out[key] = schema;
    }
  }
  return out as SectionsOf<D>;
}

/** Every layer's rules, in registry order. */
export const layerRules = (registry: Descriptors): Rule[] => registry.flatMap((d) => d.rules);
