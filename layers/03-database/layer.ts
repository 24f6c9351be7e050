/** Layer 03 database: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { databaseConfig } from "./config";
import { databaseContract } from "./contract";

export const databaseLayer = defineLayer({
  name: "database",
  description: "Aurora or RDS with subnet and parameter groups, managed master secret, optional ElastiCache Redis",
  contract: () => databaseContract,
  config: databaseConfig,
});
