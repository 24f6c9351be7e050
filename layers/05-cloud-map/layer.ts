/** Layer 05 cloud-map: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { cloudMapConfig } from "./config";
import { cloudMapContract } from "./contract";

export const cloudMapLayer = defineLayer({
  name: "cloud-map",
  description: "private DNS namespace and one discovery service per application service",
  contract: () => cloudMapContract,
  config: cloudMapConfig,
});
