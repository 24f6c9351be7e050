import { parameterPlan } from "./config";
import { map, mockArn, str, type Contract } from "../../core/contracts/types";

/** Outputs of layer 04 parameters. */
export const parametersContract = {
  parameter_prefix: str("Root of the hierarchy: /<project>/<environment>.", (cfg) => `/${cfg.project}/${cfg.environment}`),
  parameter_arns: map(
    "Parameter ARN by key path below the prefix (common/..., database/..., <service>/...): every parameter the layer writes, generated or from the YAML.",
    (cfg) =>
      Object.fromEntries(
        parameterPlan(cfg).map((p) => [p.key, mockArn(cfg, "ssm", `parameter/${cfg.project}/${cfg.environment}/${p.key}`)]),
      ),
  ),
  read_policy_arns: map("ARN of the IAM policy that reads a service's subtree plus common (and database), by service name.", (cfg) =>
    Object.fromEntries(
      Object.keys(cfg.services).map((s) => [
        s,
        mockArn(cfg, "iam", `policy/${cfg.project}-${cfg.environment}-${s}-parameters`, { global: true }),
      ]),
    ),
  ),
} satisfies Contract;
