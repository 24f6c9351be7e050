/**
 * THE layer registry: every layer's descriptor (layers/NN-<layer>/layer.ts), in deploy order. The
 * position is the layer's number: its folder name, its state key, the order it deploys in; a layer
 * reads only layers before it. Everything else is derived from this list (core/layer-descriptor.ts):
 * the names and the `LayerName` type, the layer table (core/registry.ts), the contract map and its
 * types (core/contracts/index.ts), the config sections in the schema (core/config/schema.ts), the
 * cross-field rules (core/config/semantic.ts) and the stack classes (layers/index.ts loads
 * layers/NN-<layer>/stack.ts). Adding a layer: its folder, then one entry here (README "Adding a layer").
 *
 * Stack-free on purpose: core/ imports this file, and every stack imports core/layer-stack.ts.
 */
import { networkLayer } from "./01-network/layer";
import { securityLayer } from "./02-security/layer";
import { databaseLayer } from "./03-database/layer";
import { parametersLayer } from "./04-parameters/layer";
import { cloudMapLayer } from "./05-cloud-map/layer";
import { lambdaGenaiLayer } from "./06-lambda-genai/layer";
import { applicationLayer } from "./07-application/layer";
import { apiGatewayLayer } from "./08-api-gateway/layer";
import { nativeLayer } from "./09-native/layer";
import { monitoringLayer } from "./10-monitoring/layer";
import { frontendLayer } from "./11-frontend/layer";
import { notificationLayer } from "./12-notification/layer";

export const LAYER_DESCRIPTORS = [
  networkLayer,
  securityLayer,
  databaseLayer,
  parametersLayer,
  cloudMapLayer,
  lambdaGenaiLayer,
  applicationLayer,
  apiGatewayLayer,
  nativeLayer,
  monitoringLayer,
  frontendLayer,
  notificationLayer,
] as const;

declare module "../core/config/types" {
  interface RegisteredLayers {
    layerName: (typeof LAYER_DESCRIPTORS)[number]["name"];
  }
}
