/**
 * Every layer's contract, keyed by layer name. A layer without an entry publishes nothing and
 * cannot be read. Add a layer's contract here when the layer is added.
 */
import type { LayerName } from "../config/types";
import { apiGatewayContract } from "../../layers/08-api-gateway/contract";
import { applicationContract } from "../../layers/07-application/contract";
import { cloudMapContract } from "../../layers/05-cloud-map/contract";
import { databaseContract } from "../../layers/03-database/contract";
import { frontendContract } from "../../layers/11-frontend/contract";
import { lambdaGenaiContract } from "../../layers/06-lambda-genai/contract";
import { monitoringContract } from "../../layers/10-monitoring/contract";
import { nativeContract } from "../../layers/09-native/contract";
import { networkContract } from "../../layers/01-network/contract";
import { notificationContract } from "../../layers/12-notification/contract";
import { parametersContract } from "../../layers/04-parameters/contract";
import { securityContract } from "../../layers/02-security/contract";
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
export { KMS_KEY_PURPOSES, type KmsKeyPurpose } from "../../layers/02-security/contract";
