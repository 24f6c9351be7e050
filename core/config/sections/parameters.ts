/** Configuration of layer 04 parameters: the SSM Parameter Store hierarchy. */
import { z } from "zod";
import type { Rule } from "../semantic";

export const ParametersSchema = z
  .strictObject({})
  .prefault({})
  .describe("SSM Parameter Store hierarchy /<project>/<environment>/... (layer 04).");

/** Cross-field rules of the parameters section (see ../semantic.ts). */
export const parametersRules: readonly Rule[] = [];
