/**
 * How layer 09 packages the identity provider provisioner (Cognito federation with Google and
 * Facebook): src/ bundled at synth (modules/lambda-function.ts); the Node.js runtime provides the
 * AWS SDK v3 (@aws-sdk/client-secrets-manager, @aws-sdk/client-cognito-identity-provider).
 */
import * as path from "node:path";

export const IDP_SOURCE_DIR = path.join(__dirname, "src");
export const IDP_HANDLER = "index.handler";
export { PROVIDER_TYPES as IDP_PROVIDER_TYPES, type ProviderSpec as IdpProviderSpec } from "./src/handler";
