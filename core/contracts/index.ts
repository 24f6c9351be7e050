/**
 * Every layer's contract, keyed by layer name, derived from the registry (layers/registry.ts): a
 * layer whose descriptor has no contract publishes nothing and cannot be read. `Contracts` keeps
 * each contract's own type, so `this.read("network", "vpc_id")` is checked against its keys.
 */
import type { LayerName } from "../config/types";
import { contractMap, type ContractsOf } from "../layer-descriptor";
import { LAYER_DESCRIPTORS } from "../../layers/registry";
import type { Contract } from "./types";

export const CONTRACTS: ContractsOf<typeof LAYER_DESCRIPTORS> = contractMap(LAYER_DESCRIPTORS);

export type Contracts = typeof CONTRACTS;
export type ContractLayer = keyof Contracts;

export function contractOf(layer: LayerName): Contract | undefined {
  return (CONTRACTS as Partial<Record<LayerName, Contract>>)[layer];
}

export * from "./types";
export { KMS_KEY_PURPOSES, type KmsKeyPurpose } from "../../layers/02-security/contract";
