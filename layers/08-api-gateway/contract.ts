import { apiStageName } from "./config";
import { mockArn, mockId, str, type Contract } from "../../core/contracts/types";

const apiId = () => mockId("a", "api", 10).slice(2);

/** Outputs of layer 08 api-gateway. */
export const apiGatewayContract = {
  api_id: str("ID of the REST or HTTP API.", () => apiId()),
  api_type: str("API type: rest or http.", (cfg) => cfg.apiGateway.type),
  invoke_url: str("Invoke URL of the stage.", (cfg) => {
    const stage = apiStageName(cfg);
    return `https://${apiId()}.execute-api.${cfg.aws.region}.amazonaws.com/${stage === "$default" ? "" : stage}`;
  }),
  stage_name: str("Name of the deployed stage.", (cfg) => apiStageName(cfg)),
  execution_arn: str("Execution ARN (for Lambda permissions).", (cfg) => mockArn(cfg, "execute-api", apiId())),
  custom_domain_target: str("Regional domain name to alias a custom domain to (empty without a custom domain).", (cfg) =>
    cfg.apiGateway.customDomain ? `d-${mockId("d", "domain", 10).slice(2)}.execute-api.${cfg.aws.region}.amazonaws.com` : "",
  ),
  custom_domain_zone_id: str("Hosted zone id of the regional domain name (empty without a custom domain).", (cfg) =>
    cfg.apiGateway.customDomain ? `Z${mockId("z", "zone", 12).slice(2).toUpperCase()}` : "",
  ),
  api_name: str(
    "Name of the REST or HTTP API (<project>-<env>-api): the ApiName dimension of REST API metrics.",
    (cfg) => `${cfg.project}-${cfg.environment}-api`,
  ),
} satisfies Contract;
