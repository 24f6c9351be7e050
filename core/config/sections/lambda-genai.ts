/** Configuration of layer 06 lambda-genai: the GenAI function. */
import { z } from "zod";
import type { Rule } from "../semantic";

export const GenaiSchema = z
  .strictObject({})
  .prefault({})
  .describe("The GenAI function on Amazon Bedrock (layer 06).");

/** Cross-field rules of the genai section (see ../semantic.ts). */
export const genaiRules: readonly Rule[] = [];
