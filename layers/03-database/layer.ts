/** Layer 03 database: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { databaseContract } from "./contract";
import { CacheSchema, DatabaseSchema, databaseRules } from "./config";
import { KafkaSchema, kafkaRules } from "./kafka";

export const databaseLayer = defineLayer({
  name: "database",
  description: "Aurora or RDS with subnet and parameter groups, managed master secret, optional ElastiCache Redis",
  contract: () => databaseContract,
  sections: { database: DatabaseSchema, cache: CacheSchema, kafka: KafkaSchema },
  rules: [...databaseRules, ...kafkaRules],
});
