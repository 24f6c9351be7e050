import { map, mockArn, str, type Contract } from "./types";

/** Outputs of layer 04 parameters. */
export const parametersContract = {
  parameter_prefix: str("Root of the hierarchy: /<project>/<environment>.", (cfg) => `/${cfg.project}/${cfg.environment}`),
  parameter_arns: map("Parameter ARN by key path below the prefix (common/..., <service>/..., database/...).", (cfg) => ({
    "database/url": mockArn(cfg, "ssm", `parameter/${cfg.project}/${cfg.environment}/database/url`),
  })),
  read_policy_arns: map("ARN of the IAM policy that reads a service's subtree plus common, by service name.", (cfg) =>
    Object.fromEntries(Object.keys(cfg.services).map((s) => [s, mockArn(cfg, "iam", `policy/${cfg.project}-${cfg.environment}-${s}-parameters`, { global: true })])),
  ),
} satisfies Contract;
