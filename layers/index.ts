/**
 * The implemented layers, by name. core/registry.ts holds the order; this file holds the classes.
 * Add a layer: write layers/NN-<name>.ts, declare its contract in core/contracts/, register it here.
 */
import type { PlatformDefinition } from "../core/platform";
import { BootstrapStack } from "./bootstrap";
import { NetworkStack } from "./01-network";
import { SecurityStack } from "./02-security";
import { DatabaseStack } from "./03-database";
import { ParametersStack } from "./04-parameters";
import { CloudMapStack } from "./05-cloud-map";
import { LambdaGenaiStack } from "./06-lambda-genai";
import { ApplicationStack } from "./07-application";
import { ApiGatewayStack } from "./08-api-gateway";
import { NativeStack } from "./09-native";
import { MonitoringStack } from "./10-monitoring";
import { FrontendStack } from "./11-frontend";
import { NotificationStack } from "./12-notification";

export const PLATFORM: PlatformDefinition = {
  bootstrap: BootstrapStack,
  layers: {
    network: NetworkStack,
    security: SecurityStack,
    database: DatabaseStack,
    parameters: ParametersStack,
    "cloud-map": CloudMapStack,
    "lambda-genai": LambdaGenaiStack,
    application: ApplicationStack,
    "api-gateway": ApiGatewayStack,
    native: NativeStack,
    monitoring: MonitoringStack,
    frontend: FrontendStack,
    notification: NotificationStack,
  },
};
