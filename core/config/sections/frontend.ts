/** Configuration of layer 11 frontend: the web front end. */
import { z } from "zod";
import type { Rule } from "../semantic";

export const FrontendSchema = z
  .strictObject({})
  .prefault({})
  .describe("Static site hosting: S3 + CloudFront, Amplify, or external (layer 11).");

/** Cross-field rules of the frontend section (see ../semantic.ts). */
export const frontendRules: readonly Rule[] = [];
