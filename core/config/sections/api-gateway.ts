/** Configuration of layer 08 api-gateway: the API front door. */
import { z } from "zod";
import type { Rule } from "../semantic";

export const ApiGatewaySchema = z
  .strictObject({})
  .prefault({})
  .describe("The API front door: REST or HTTP API (layer 08).");

/** Cross-field rules of the apiGateway section (see ../semantic.ts). */
export const apiGatewayRules: readonly Rule[] = [];
