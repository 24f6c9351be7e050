/** Per layer: resources by type with their addresses, outputs, and what the layer reads from which layer. */
import type { EnvModel } from "./model";

export interface LayerInventory {
  readonly layer: string;
  readonly number: string;
  readonly resources: number;
  readonly byType: readonly { readonly type: string; readonly addresses: readonly string[] }[];
  readonly outputs: readonly string[];
  readonly reads: readonly { readonly name: string; readonly layer: string | undefined; readonly outputs: readonly string[] }[];
  /** True when values from the stack's offline plan were used. */
  readonly planUsed: boolean;
}

export function inventory(model: EnvModel): LayerInventory[] {
  return model.stacks.map((s) => {
    const types = new Map<string, string[]>();
    for (const r of s.resources) types.set(r.type, [...(types.get(r.type) ?? []), r.address]);
    return {
      layer: s.name,
      number: s.number,
      resources: s.resources.length,
      byType: [...types.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([type, addresses]) => ({ type, addresses: addresses.sort() })),
      outputs: Object.keys(s.tf.output ?? {}).sort(),
      reads: s.remoteReads,
      planUsed: s.planUsed,
    };
  });
}
