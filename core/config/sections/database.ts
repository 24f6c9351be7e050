/** Configuration of layer 03 database: the relational database and the optional Redis cache. */
import { z } from "zod";
import { port } from "../fields";
import type { Rule } from "../semantic";

export const DatabaseSchema = z
  .strictObject({
    engine: z.enum(["aurora-mysql", "aurora-postgresql", "mysql", "postgres"]).default("aurora-mysql"),
    port: port.optional().describe("Default: 3306 for MySQL engines, 5432 for PostgreSQL engines."),
  })
  .prefault({})
  .describe("Relational database (layer 03).");

export const CacheSchema = z
  .strictObject({
    enabled: z.boolean().default(false),
    port: port.default(6379),
  })
  .prefault({})
  .describe("Optional Redis cache (layer 03).");


/** Cross-field rules of the database section (see ../semantic.ts). */
export const databaseRules: readonly Rule[] = [];
