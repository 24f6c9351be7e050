/**
 * The configuration's types as a leaf module: layer folders (config.ts, contract.ts) and tiers.ts
 * import their types from here, not from ./schema, so schema.ts (which composes the layers' sections)
 * and the sections form no import circle. schema.ts fills `ConfigTypes` in by module augmentation,
 * and layers/registry.ts fills `RegisteredLayers` (the layer names) the same way.
 */
export type { Tier } from "./constants";

/** Filled in by ./schema.ts (`declare module "./types"`): the output and input types of ConfigSchema. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ConfigTypes {}

type Get<K extends string> = ConfigTypes extends Record<K, infer T> ? T : never;

/** Filled in by layers/registry.ts (`declare module`): `layerName`, the registered layers' names. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface RegisteredLayers {}

/** The name of a registered layer (layers/registry.ts): "network" | "security" | ... */
export type LayerName = RegisteredLayers extends Record<"layerName", infer T> ? T : never;

/** A validated environment configuration (defaults applied). */
export type PlatformConfig = Get<"output">;
/** An environment configuration as written in YAML (before defaults). */
export type PlatformConfigInput = Get<"input">;

export type KeyPath = readonly (string | number)[];

export interface SemanticIssue {
  readonly path: KeyPath;
  readonly expected: string;
  /** Overrides the default description of the value found at `path`. */
  readonly found?: string;
  readonly hint?: string;
}

/** A cross-field rule: every problem it finds in a schema-valid config. */
export type Rule = (cfg: PlatformConfig) => SemanticIssue[];
