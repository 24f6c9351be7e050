import { mockArn, mockId, str, type Contract } from "./types";

/** Outputs of layer 08 api-gateway. */
export const apiGatewayContract = {
  api_id: str("ID of the REST or HTTP API.", () => mockId("a", "api", 10).slice(2)),
  api_type: str("API type: rest or http.", () => "rest"),
  invoke_url: str("Invoke URL of the stage.", (cfg) => `https://${mockId("a", "api", 10).slice(2)}.execute-api.${cfg.aws.region}.amazonaws.com/${cfg.environment}`),
  stage_name: str("Name of the deployed stage.", (cfg) => cfg.environment),
  execution_arn: str("Execution ARN (for Lambda permissions).", (cfg) => mockArn(cfg, "execute-api", mockId("a", "api", 10).slice(2))),
  custom_domain_target: str("Regional domain name to alias a custom domain to (empty without a custom domain).", () => ""),
  custom_domain_zone_id: str("Hosted zone id of the regional domain name (empty without a custom domain).", () => ""),
} satisfies Contract;
