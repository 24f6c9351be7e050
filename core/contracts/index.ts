/**
 * Every layer's contract, keyed by layer name. A layer without an entry publishes nothing and
 * cannot be read. Add a layer's contract here when the layer is added.
 */
import type { LayerName } from "../config/schema";
import { apiGatewayContract } from "./api-gateway";
import { applicationContract } from "./application";
import { cloudMapContract } from "./cloud-map";
import { databaseContract } from "./database";
import { frontendContract } from "./frontend";
import { lambdaGenaiContract } from "./lambda-genai";
import { monitoringContract } from "./monitoring";
import { nativeContract } from "./native";
import { networkContract } from "./network";
import { notificationContract } from "./notification";
import { parametersContract } from "./parameters";
import { securityContract } from "./security";
import type { Contract } from "./types";

export const CONTRACTS = {
  network: networkContract,
  security: securityContract,
  database: databaseContract,
  parameters: parametersContract,
  "cloud-map": cloudMapContract,
  "lambda-genai": lambdaGenaiContract,
  application: applicationContract,
  "api-gateway": apiGatewayContract,
  native: nativeContract,
  monitoring: monitoringContract,
  frontend: frontendContract,
  notification: notificationContract,
} satisfies Partial<Record<LayerName, Contract>>;

export type Contracts = typeof CONTRACTS;
export type ContractLayer = keyof Contracts;

export function contractOf(layer: LayerName): Contract | undefined {
  return (CONTRACTS as Partial<Record<LayerName, Contract>>)[layer];
}

export * from "./types";
export { KMS_KEY_PURPOSES, type KmsKeyPurpose } from "./security";
