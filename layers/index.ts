/**
 * The implemented layers, by name. core/registry.ts holds the order; this file holds the classes.
 * Add a layer: its folder layers/NN-<name>/ (stack.ts, config.ts, contract.ts, README.md), then register
 * it here and in the lists README.md "Adding a layer" names.
 */
import type { PlatformDefinition } from "../core/platform";
import { BootstrapStack } from "./bootstrap/stack";
import { NetworkStack } from "./01-network/stack";
import { SecurityStack } from "./02-security/stack";
import { DatabaseStack } from "./03-database/stack";
import { ParametersStack } from "./04-parameters/stack";
import { CloudMapStack } from "./05-cloud-map/stack";
import { LambdaGenaiStack } from "./06-lambda-genai/stack";
import { ApplicationStack } from "./07-application/stack";
import { ApiGatewayStack } from "./08-api-gateway/stack";
import { NativeStack } from "./09-native/stack";
import { MonitoringStack } from "./10-monitoring/stack";
import { FrontendStack } from "./11-frontend/stack";
import { NotificationStack } from "./12-notification/stack";

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
