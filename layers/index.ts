/**
 * The implemented layers, by name. core/registry.ts holds the order; this file holds the classes.
 * Add a layer: write layers/NN-<name>.ts, declare its contract in core/contracts/, register it here.
 */
import type { PlatformDefinition } from "../core/platform";
import { BootstrapStack } from "./bootstrap";
import { NetworkStack } from "./01-network";
import { SecurityStack } from "./02-security";

export const PLATFORM: PlatformDefinition = {
  bootstrap: BootstrapStack,
  layers: {
    network: NetworkStack,
    security: SecurityStack,
  },
};
