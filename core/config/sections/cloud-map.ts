/** Configuration of layer 05 cloud-map: service discovery. */
import { z } from "zod";
import type { Rule } from "../semantic";

export const CloudMapSchema = z
  .strictObject({})
  .prefault({})
  .describe("Private DNS namespace and discovery services (layer 05).");

/** Cross-field rules of the cloud-map section (see ../semantic.ts). */
export const cloudMapRules: readonly Rule[] = [];
