/**
 * Layer 06 lambda-genai: the GenAI function (functions/genai) answering POST /api/genai with
 * Amazon Bedrock, and what surrounds it.
 *
 * - The function (modules/lambda-function.ts): packaged from functions/genai at synth, in the
 *   app subnets with the lambda security group (layers 01, 02), the GenAI execution role from the
 *   security layer, X-Ray active tracing, memory / timeout / reserved concurrency from config,
 *   environment without secrets (model, limits, log level).
 * - Its log group /aws/lambda/<project>-<env>-genai, encrypted with the logs key, with retention.
 * - A published version and the `live` alias that API Gateway (layer 08) invokes.
 * - The SQS queue <project>-<env>-genai-dlq (messaging key, 14 days) receiving failed
 *   asynchronous invocations of the alias.
 * - The role's Bedrock grant: bedrock:InvokeModel (the Converse API's action) on exactly the
 *   configured models, and for a cross-region inference profile on the profile and on its model in
 *   the regions the profile routes to, only through that profile.
 *
 * - genai.database: the connection settings of the function's own IAM-authenticated database user
 *   (layer 03 creates the user and grants rds-db:connect on it to the role); never a password.
 *
 * The security layer names the role's other grants after this layer's conventions (log group
 * /aws/lambda/<project>-<env>-genai*, queues <project>-<env>-genai-*).
 */
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../../core/config/types";
import { foundationModelOf, GENAI_DB_ENV, genaiDatabaseUser, genaiModelIds, inferenceProfileGeography, type GenaiConfig } from "./config";
import { LayerStack } from "../../core/layer-stack";
import { Arns, policyJson, type PolicyStatement } from "../../core/policy";
import { GENAI_ENV, GENAI_HANDLER, GENAI_SOURCE_DIR } from "../../functions/genai/build";
import { LambdaCode, LambdaFunction } from "../../modules/lambda-function";

/** The IAM action behind Converse (and InvokeModel). The function does not stream. */
export const BEDROCK_INVOKE_ACTIONS = ["bedrock:InvokeModel"];

/**
 * The function's environment: settings only, never secrets. `cors` is the API Gateway layer's
 * CORS configuration when that layer is enabled: a REST API passes the function's responses
 * through unchanged, so the function itself answers listed browser origins.
 */
export function genaiEnvironment(
  genai: GenaiConfig,
  cors?: { allowOrigins: readonly string[]; allowCredentials: boolean },
): Record<string, string> {
  const origins = cors?.allowOrigins ?? [];
  return {
    [GENAI_ENV.modelId]: genai.modelId,
    ...(genai.additionalModelIds.length ? { [GENAI_ENV.additionalModelIds]: genai.additionalModelIds.join(",") } : {}),
    [GENAI_ENV.maxTokens]: String(genai.maxTokens),
    [GENAI_ENV.maxQuestionLength]: String(genai.maxQuestionLength),
    [GENAI_ENV.maxContextLength]: String(genai.maxContextLength),
    [GENAI_ENV.logLevel]: genai.logLevel,
    ...(genai.systemPrompt ? { [GENAI_ENV.systemPrompt]: genai.systemPrompt } : {}),
    ...(origins.length ? { [GENAI_ENV.corsAllowOrigins]: origins.join(",") } : {}),
    ...(origins.length && cors?.allowCredentials ? { [GENAI_ENV.corsAllowCredentials]: "true" } : {}),
  };
}

/** Statements allowing Converse on exactly the configured models and inference profiles. */
export function bedrockStatements(config: PlatformConfig): PolicyStatement[] {
  const arns = new Arns(config.aws.region, config.aws.accountId);
  const ids = genaiModelIds(config.genai);
  const models = ids.filter((id) => !inferenceProfileGeography(id));
  const profiles = ids.filter((id) => inferenceProfileGeography(id));
  const statements: PolicyStatement[] = [];
  if (models.length) {
    statements.push({
      Sid: "InvokeConfiguredModels",
      Action: BEDROCK_INVOKE_ACTIONS,
      Resource: models.map((id) => arns.arn("bedrock", `foundation-model/${id}`, { noAccount: true })),
    });
  }
  if (profiles.length) {
    const profileArns = profiles.map((id) => arns.arn("bedrock", `inference-profile/${id}`));
    statements.push({ Sid: "InvokeConfiguredInferenceProfiles", Action: BEDROCK_INVOKE_ACTIONS, Resource: profileArns });
    // A profile routes each request to its model in one of the geography's regions; the model
    // may be invoked there only through the configured profiles.
    statements.push({
      Sid: "InvokeProfileModelsThroughProfiles",
      Action: BEDROCK_INVOKE_ACTIONS,
      Resource: [...new Set(profiles.map(foundationModelOf))].map((id) => `arn:${arns.partition}:bedrock:*::foundation-model/${id}`),
      Condition: { StringEquals: { "bedrock:InferenceProfileArn": profileArns } },
    });
  }
  return statements;
}

export class LambdaGenaiStack extends LayerStack<"lambda-genai"> {
  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "lambda-genai", config);
    const { genai } = config;
    const name = this.naming.name("lambda", "genai");

    const fn = new LambdaFunction(this, "genai", {
      functionName: name,
      description: `GenAI assistant of ${this.naming.prefix}: POST /api/genai answered by Amazon Bedrock (${genai.modelId})`,
      code: LambdaCode.fromTypeScript(GENAI_SOURCE_DIR),
      handler: GENAI_HANDLER,
      runtime: genai.runtime,
      architecture: genai.architecture,
      memoryMb: genai.memoryMb,
      timeoutSeconds: genai.timeoutSeconds,
      reservedConcurrency: genai.reservedConcurrency,
      roleArn: this.readEntry("security", "lambda_role_arns", "genai"),
      vpc: {
        subnetIds: this.read("network", "app_subnet_ids"),
        securityGroupIds: [this.read("security", "lambda_security_group_id")],
      },
      environment: {
        ...genaiEnvironment(genai, this.isEnabled("api-gateway") ? config.apiGateway.cors : undefined),
        ...this.databaseEnvironment(),
      },
      tracing: "Active",
      logs: {
        retentionDays: genai.logRetentionDays ?? config.logging.retentionDays,
        kmsKeyArn: this.readEntry("security", "kms_key_arns", "logs"),
      },
      aliasName: "live",
      deadLetterQueue: {
        name: this.naming.name("sqs", "genai", "dlq"),
        kmsKeyArn: this.readEntry("security", "kms_key_arns", "messaging"),
        retentionSeconds: 14 * 24 * 3600,
      },
    });

    // The execution role belongs to the security layer; its Bedrock grant follows this layer's config.
    new IamRolePolicy(this, "genai-bedrock", {
      name: "bedrock-invoke",
      role: this.readEntry("security", "lambda_role_names", "genai"),
      policy: policyJson(bedrockStatements(config)),
    });

    this.publish({
      function_name: fn.functionName,
      function_arn: fn.functionArn,
      alias_name: fn.aliasName,
      alias_arn: fn.aliasArn,
      alias_invoke_arn: fn.aliasInvokeArn,
      dead_letter_queue_arn: fn.deadLetterQueueArn,
      log_group_name: fn.logGroupName,
    });
  }

  /**
   * genai.database: where the function connects and as whom. It signs an IAM token for its own user
   * per connection (rds-db:connect on exactly that user, granted by layer 03 with the user), over
   * TLS; no password and no secret reach it.
   */
  private databaseEnvironment(): Record<string, string> {
    const access = genaiDatabaseUser(this.config);
    if (!access) return {};
    const mysql = this.config.database.engine.includes("mysql");
    return {
      [GENAI_DB_ENV.host]: this.read("database", "db_writer_endpoint"),
      [GENAI_DB_ENV.port]: this.read("database", "db_port"),
      [GENAI_DB_ENV.name]: this.read("database", "db_name"),
      [GENAI_DB_ENV.user]: access.user,
      [GENAI_DB_ENV.sslMode]: mysql ? "VERIFY_IDENTITY" : "verify-full",
      [GENAI_DB_ENV.region]: this.config.aws.region,
    };
  }
}
