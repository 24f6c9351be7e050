/**
 * The layer switch (`layers.<name>.enabled`), read one way everywhere: a layer is on unless the
 * configuration switches it off, and a layer's cross-field rules are checked only where it is on
 * (a switched-off layer writes nothing, so there is nothing of it to refuse).
 */
import type { LayerName, PlatformConfig, Rule } from "./types";

/** True unless `layers.<name>.enabled: false` switches the layer off. */
export function layerOn(cfg: Pick<PlatformConfig, "layers">, name: LayerName): boolean {
  return cfg.layers[name]?.enabled !== false;
}

/** The rules, each checked only where the layer is on. */
export function whenLayerOn(name: LayerName, rules: readonly Rule[]): readonly Rule[] {
  return rules.map(
    (rule): Rule =>
      (cfg) =>
        layerOn(cfg, name) ? rule(cfg) : [],
  );
}
