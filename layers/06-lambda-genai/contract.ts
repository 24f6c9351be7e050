import { mockArn, str, type Contract } from "../../core/contracts/types";

const fn = (cfg: { project: string; environment: string }) => `${cfg.project}-${cfg.environment}-genai`;

/** Outputs of layer 06 lambda-genai. */
export const lambdaGenaiContract = {
  function_name: str("Name of the GenAI function.", (cfg) => fn(cfg)),
  function_arn: str("ARN of the GenAI function (unqualified).", (cfg) => mockArn(cfg, "lambda", `function:${fn(cfg)}`)),
  alias_name: str("Alias that API integrations invoke.", () => "live"),
  alias_arn: str("ARN of the live alias.", (cfg) => mockArn(cfg, "lambda", `function:${fn(cfg)}:live`)),
  alias_invoke_arn: str(
    "API Gateway invoke ARN of the live alias.",
    (cfg) =>
      `arn:aws:apigateway:${cfg.aws.region}:lambda:path/2015-03-31/functions/${mockArn(cfg, "lambda", `function:${fn(cfg)}:live`)}/invocations`,
  ),
  dead_letter_queue_arn: str("SQS queue receiving failed asynchronous invocations.", (cfg) => mockArn(cfg, "sqs", `${fn(cfg)}-dlq`)),
  log_group_name: str("Log group of the function.", (cfg) => `/aws/lambda/${fn(cfg)}`),
} satisfies Contract;
