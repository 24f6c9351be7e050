/**
 * Layer 06 lambda-genai, for every environment: the function (package, runtime, memory, timeout,
 * concurrency, tracing, environment), its VPC placement and role from the earlier layers' remote
 * state, the Bedrock grant scoped to the configured model ARNs, version and `live` alias, the
 * encrypted dead-letter queue as the alias's on-failure destination, the encrypted log group with
 * retention, the state key and the contract. Then config options, the package itself (staged
 * TypeScript, deterministic archive, code change -> new hash) and the LambdaFunction module.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaAlias } from "@cdktf/provider-aws/lib/lambda-alias";
import { LambdaFunction as AwsLambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Testing, TerraformStack } from "cdktf";
import { lambdaGenaiContract } from "../layers/06-lambda-genai/contract";
import { buildPlatform } from "../core/platform";
import { isWildcardAction } from "../core/policy";
import { GENAI_SOURCE_DIR } from "../functions/genai/build";
import { BootstrapStack } from "../layers/bootstrap/stack";
import { genaiDatabaseUser } from "../layers/06-lambda-genai/config";
import { LambdaGenaiStack } from "../layers/06-lambda-genai/stack";
import { LambdaCode, LambdaFunction } from "../modules/lambda-function";
import { addresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";
import { denyInsecureTransport, LAMBDA_VPC_CONFIG, PACKAGED_NODE_FUNCTION } from "./fixtures/expected";
import { lambdaFunctionProps } from "./fixtures/module-props";

const REMOTE = (layer: string, output: string) => `\${data.terraform_remote_state.${layer}.outputs.${output}}`;
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";

type Statement = Record<string, unknown>;

/** Every policy document in the stack, by address. */
function policies(tf: TerraformJson): Array<[string, Statement[]]> {
  const out: Array<[string, Statement[]]> = [];
  for (const [type, byName] of Object.entries(tf.resource ?? {})) {
    for (const [name, r] of Object.entries(byName)) if ("policy" in r) out.push([`${type}.${name}`, policy(r.policy).Statement]);
  }
  return out;
}

const bedrockPolicy = (tf: TerraformJson) => policy(resource(tf, "aws_iam_role_policy", "genai_bedrock").policy).Statement;

/** File names in a zip archive (read from its central directory). */
function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const nameLength = buf.readUInt16LE(offset + 28);
    names.push(buf.toString("utf8", offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + buf.readUInt16LE(offset + 30) + buf.readUInt16LE(offset + 32);
  }
  return names.sort();
}

const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe.each(ENVIRONMENTS)("lambda-genai layer (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synth(LambdaGenaiStack, cfg);
  const prefix = `${cfg.project}-${cfg.environment}`;
  const fnName = `${prefix}-genai`;
  const { region, accountId } = cfg.aws;
  const fn = resource(tf, "aws_lambda_function", "genai");
  const dbUser = genaiDatabaseUser(cfg);

  it("creates exactly the function and what surrounds it, at readable addresses", () => {
    expect(addresses(tf)).toEqual([
      "aws_cloudwatch_log_group.genai_logs",
      "aws_iam_role_policy.genai_bedrock",
      "aws_lambda_alias.genai_live",
      "aws_lambda_function.genai",
      "aws_lambda_function_event_invoke_config.genai_async",
      "aws_sqs_queue.genai_dlq",
      "aws_sqs_queue_policy.genai_dlq_policy",
      // genai.database (PetClinic): the connection settings come from the database layer.
      ...(dbUser ? ["data.terraform_remote_state.database"] : []),
      "data.terraform_remote_state.network",
      "data.terraform_remote_state.security",
    ]);
  });

  describe("function", () => {
    it("runs the packaged TypeScript handler on Node.js 22 (arm64) with explicit memory, timeout and reserved concurrency", () => {
      expect(fn).toMatchObject({
        function_name: fnName,
        ...PACKAGED_NODE_FUNCTION,
        memory_size: 256,
        timeout: 30,
        reserved_concurrent_executions: cfg.genai.reservedConcurrency,
        publish: true,
      });
      expect(fn.reserved_concurrent_executions).toBe({ dev: 2, staging: 5, prod: 20 }[cfg.tier]);
      expect(fn.description).toContain("POST /api/genai");
      expect(raw).toHaveResourceWithProperties(AwsLambdaFunction, { function_name: fnName, tracing_config: { mode: "Active" } });
    });

    it("is packaged from functions/genai as a content-hashed asset; the hash is the source_code_hash", () => {
      expect(fn.filename).toMatch(/^assets\/genai_code\/[0-9a-f]{32}\/archive\.zip$/);
      expect(fn.source_code_hash).toBe(String(fn.filename).split("/")[2]);
      // The code does not depend on the environment.
      expect(fn.source_code_hash).toBe(resource(synth(LambdaGenaiStack, env("dev")).tf, "aws_lambda_function", "genai").source_code_hash);
    });

    it("runs in the app subnets with the lambda security group, both read from remote state", () => {
      expect(fn.vpc_config).toEqual(LAMBDA_VPC_CONFIG);
    });

    it("assumes the GenAI role from the security layer", () => {
      expect(fn.role).toBe(REMOTE("security", "lambda_role_arns.genai"));
    });

    it("has X-Ray active tracing", () => {
      expect(fn.tracing_config).toEqual({ mode: "Active" });
    });

    it("gets its settings from the environment (CORS origins from the API layer), and no secrets", () => {
      const vars = (fn.environment as { variables: Record<string, string> }).variables;
      const origins = cfg.apiGateway.cors.allowOrigins;
      expect(vars).toEqual({
        MODEL_ID: HAIKU,
        MAX_TOKENS: "1024",
        MAX_QUESTION_LENGTH: "4000",
        MAX_CONTEXT_LENGTH: "8000",
        LOG_LEVEL: "INFO",
        ...(origins.length ? { CORS_ALLOW_ORIGINS: origins.join(",") } : {}),
        // genai.database: where and as whom, never a password (the user signs an IAM token).
        ...(dbUser
          ? {
              DB_HOST: "${data.terraform_remote_state.database.outputs.db_writer_endpoint}",
              DB_PORT: "${data.terraform_remote_state.database.outputs.db_port}",
              DB_NAME: "${data.terraform_remote_state.database.outputs.db_name}",
              DB_USER: dbUser.user,
              DB_SSL_MODE: "VERIFY_IDENTITY",
              DB_REGION: region,
            }
          : {}),
      });
      // PetClinic: dev answers a local front-end dev server; staging and prod are same-origin.
      expect(vars.CORS_ALLOW_ORIGINS).toBe(name === "dev" ? "http://localhost:4200" : undefined);
      for (const key of Object.keys(vars)) expect(key).not.toMatch(/SECRET|PASSWORD|TOKEN_VALUE|KEY_ID|ACCESS/i);
    });

    it("logs into its own log group (created first, with retention)", () => {
      expect(fn.logging_config).toEqual({ log_format: "Text", log_group: "${aws_cloudwatch_log_group.genai_logs.name}" });
    });

    it("sends failed async events to the destination only (no second copy through dead_letter_config)", () => {
      expect(fn).not.toHaveProperty("dead_letter_config");
    });
  });

  describe("Bedrock grant", () => {
    it("allows bedrock:InvokeModel (what Converse needs) on exactly the configured model's ARN, on the GenAI role", () => {
      const grant = resource(tf, "aws_iam_role_policy", "genai_bedrock");
      expect(grant.role).toBe(REMOTE("security", "lambda_role_names.genai"));
      expect(bedrockPolicy(tf)).toEqual([
        {
          Effect: "Allow",
          Sid: "InvokeConfiguredModels",
          Action: ["bedrock:InvokeModel"],
          Resource: [`arn:aws:bedrock:${region}::foundation-model/${HAIKU}`],
        },
      ]);
    });

    it("no Allow statement in the stack has a wildcard action or resource", () => {
      for (const [where, statements] of policies(tf)) {
        for (const s of statements.filter((st) => st.Effect === "Allow")) {
          const actions = [s.Action].flat() as string[];
          expect([where, actions.filter(isWildcardAction)]).toEqual([where, []]);
          expect([where, [s.Resource].flat()]).not.toEqual([where, ["*"]]);
        }
      }
    });

    it("grants no streaming: the function does not stream", () => {
      expect(JSON.stringify(bedrockPolicy(tf))).not.toContain("InvokeModelWithResponseStream");
    });
  });

  describe("version, alias and asynchronous failures", () => {
    it("publishes a version and points the live alias at it", () => {
      expect(resource(tf, "aws_lambda_alias", "genai_live")).toMatchObject({
        name: "live",
        function_name: "${aws_lambda_function.genai.function_name}",
        function_version: "${aws_lambda_function.genai.version}",
      });
      expect(raw).toHaveResourceWithProperties(LambdaAlias, { name: "live" });
    });

    it("keeps failed events 14 days in an SQS queue encrypted with the messaging key, named inside the role's grant", () => {
      const queue = resource(tf, "aws_sqs_queue", "genai_dlq");
      expect(queue).toEqual({
        name: `${prefix}-genai-dlq`,
        kms_master_key_id: REMOTE("security", "kms_key_arns.messaging"),
        kms_data_key_reuse_period_seconds: 300,
        message_retention_seconds: 1209600,
      });
      // The security layer grants sqs:SendMessage on <project>-<env>-genai-*.
      expect(String(queue.name).startsWith(`${prefix}-genai-`)).toBe(true);
      expect(raw).toHaveResourceWithProperties(SqsQueue, { name: `${prefix}-genai-dlq` });
    });

    it("refuses the queue to anyone not using TLS", () => {
      const qp = resource(tf, "aws_sqs_queue_policy", "genai_dlq_policy");
      expect(qp.queue_url).toBe("${aws_sqs_queue.genai_dlq.url}");
      expect(policy(qp.policy).Statement).toEqual([denyInsecureTransport("sqs:*", "${aws_sqs_queue.genai_dlq.arn}")]);
    });

    it("makes the queue the live alias's on-failure destination, with retries and a maximum event age", () => {
      expect(resource(tf, "aws_lambda_function_event_invoke_config", "genai_async")).toEqual({
        function_name: "${aws_lambda_function.genai.function_name}",
        qualifier: "${aws_lambda_alias.genai_live.name}",
        maximum_retry_attempts: 2,
        maximum_event_age_in_seconds: 21600,
        destination_config: { on_failure: { destination: "${aws_sqs_queue.genai_dlq.arn}" } },
      });
      expect(raw).toHaveResourceWithProperties(LambdaFunctionEventInvokeConfig, { qualifier: "${aws_lambda_alias.genai_live.name}" });
    });
  });

  describe("log group", () => {
    it("is /aws/lambda/<function>, encrypted with the logs key, with the environment's retention", () => {
      expect(resource(tf, "aws_cloudwatch_log_group", "genai_logs")).toEqual({
        name: `/aws/lambda/${fnName}`,
        retention_in_days: cfg.logging.retentionDays,
        kms_key_id: REMOTE("security", "kms_key_arns.logs"),
      });
      expect(cfg.logging.retentionDays).toBe({ dev: 30, staging: 90, prod: 365 }[cfg.tier]);
      expect(raw).toHaveResourceWithProperties(CloudwatchLogGroup, { name: `/aws/lambda/${fnName}` });
    });
  });

  describe("state and contract", () => {
    it(`stores its state at platform/petclinic/${name}/06-lambda-genai.tfstate`, () => {
      expect(tf.terraform?.backend?.s3).toMatchObject({
        bucket: cfg.backend.bucket,
        key: `platform/petclinic/${name}/06-lambda-genai.tfstate`,
        region,
        encrypt: true,
        dynamodb_table: cfg.backend.lockTable,
      });
    });

    it("reads only the network and security layers' remote state (and the database's with genai.database), without the lock table", () => {
      expect(Object.keys(tf.data ?? {})).toEqual(["terraform_remote_state"]);
      const remotes = tf.data!.terraform_remote_state as Record<string, { backend: string; config: Record<string, unknown> }>;
      expect(Object.keys(remotes).sort()).toEqual([...(dbUser ? ["database"] : []), "network", "security"]);
      expect(remotes.network.config).toEqual({ bucket: cfg.backend.bucket, key: `platform/petclinic/${name}/01-network.tfstate`, region });
      expect(remotes.security.config).toEqual({
        bucket: cfg.backend.bucket,
        key: `platform/petclinic/${name}/02-security.tfstate`,
        region,
      });
    });

    it("publishes exactly the contract's outputs, with their descriptions", () => {
      expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(lambdaGenaiContract).sort());
      expect(Object.fromEntries(Object.entries(tf.output!).map(([k, o]) => [k, o.value]))).toEqual({
        function_name: "${aws_lambda_function.genai.function_name}",
        function_arn: "${aws_lambda_function.genai.arn}",
        alias_name: "${aws_lambda_alias.genai_live.name}",
        alias_arn: "${aws_lambda_alias.genai_live.arn}",
        alias_invoke_arn: "${aws_lambda_alias.genai_live.invoke_arn}",
        dead_letter_queue_arn: "${aws_sqs_queue.genai_dlq.arn}",
        log_group_name: "${aws_cloudwatch_log_group.genai_logs.name}",
      });
      for (const [k, o] of Object.entries(tf.output!))
        expect([k, o.description]).toEqual([k, lambdaGenaiContract[k as keyof typeof lambdaGenaiContract].description]);
    });

    it("the contract's mocks match what the layer names", () => {
      expect(lambdaGenaiContract.function_name.mock(cfg)).toBe(fnName);
      expect(lambdaGenaiContract.log_group_name.mock(cfg)).toBe(`/aws/lambda/${fnName}`);
      expect(lambdaGenaiContract.alias_name.mock(cfg)).toBe("live");
      expect(lambdaGenaiContract.dead_letter_queue_arn.mock(cfg)).toBe(`arn:aws:sqs:${region}:${accountId}:${prefix}-genai-dlq`);
    });
  });
});

describe("lambda-genai options", () => {
  it("additional models: each ARN in the grant, the list in the environment", () => {
    const cfg = envWith("dev", { genai: { additionalModelIds: ["amazon.nova-lite-v1:0", "meta.llama3-8b-instruct-v1:0"] } });
    const { tf } = synth(LambdaGenaiStack, cfg);
    expect(bedrockPolicy(tf)).toEqual([
      {
        Effect: "Allow",
        Sid: "InvokeConfiguredModels",
        Action: ["bedrock:InvokeModel"],
        Resource: [
          `arn:aws:bedrock:us-west-2::foundation-model/${HAIKU}`,
          "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-lite-v1:0",
          "arn:aws:bedrock:us-west-2::foundation-model/meta.llama3-8b-instruct-v1:0",
        ],
      },
    ]);
    const vars = (resource(tf, "aws_lambda_function", "genai").environment as { variables: Record<string, string> }).variables;
    expect(vars.ADDITIONAL_MODEL_IDS).toBe("amazon.nova-lite-v1:0,meta.llama3-8b-instruct-v1:0");
  });

  it("CORS follows the API layer: credentials when it allows them, nothing when that layer is off", () => {
    const vars = (cfg: ReturnType<typeof env>) =>
      (resource(synth(LambdaGenaiStack, cfg).tf, "aws_lambda_function", "genai").environment as { variables: Record<string, string> })
        .variables;
    const withCreds = vars(
      envWith("dev", {
        apiGateway: { cors: { allowOrigins: ["https://a.example.com", "https://b.example.com"], allowCredentials: true } },
      }),
    );
    expect(withCreds).toMatchObject({ CORS_ALLOW_ORIGINS: "https://a.example.com,https://b.example.com", CORS_ALLOW_CREDENTIALS: "true" });
    const noApi = vars(envWith("dev", { layers: { "api-gateway": { enabled: false } } }));
    expect(noApi).not.toHaveProperty("CORS_ALLOW_ORIGINS");
    expect(noApi).not.toHaveProperty("CORS_ALLOW_CREDENTIALS");
  });

  it("a cross-region inference profile: the profile ARN, and its model in any region only through that profile", () => {
    const profile = "us.anthropic.claude-3-5-haiku-20241022-v1:0";
    const { tf } = synth(LambdaGenaiStack, envWith("dev", { genai: { modelId: profile, additionalModelIds: [HAIKU] } }));
    const profileArn = `arn:aws:bedrock:us-west-2:111111111111:inference-profile/${profile}`;
    expect(bedrockPolicy(tf)).toEqual([
      {
        Effect: "Allow",
        Sid: "InvokeConfiguredModels",
        Action: ["bedrock:InvokeModel"],
        Resource: [`arn:aws:bedrock:us-west-2::foundation-model/${HAIKU}`],
      },
      { Effect: "Allow", Sid: "InvokeConfiguredInferenceProfiles", Action: ["bedrock:InvokeModel"], Resource: [profileArn] },
      {
        Effect: "Allow",
        Sid: "InvokeProfileModelsThroughProfiles",
        Action: ["bedrock:InvokeModel"],
        Resource: ["arn:aws:bedrock:*::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0"],
        Condition: { StringEquals: { "bedrock:InferenceProfileArn": [profileArn] } },
      },
    ]);
  });

  it("model ARNs follow the region's partition", () => {
    const cfg = envWith("dev", { aws: { region: "us-gov-west-1", azs: ["us-gov-west-1a", "us-gov-west-1b"] } });
    expect(bedrockPolicy(synth(LambdaGenaiStack, cfg).tf)[0].Resource).toEqual([
      `arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/${HAIKU}`,
    ]);
  });

  it("memory, timeout, concurrency, architecture, limits, log level, system prompt and retention come from config", () => {
    const cfg = envWith("prod", {
      genai: {
        memoryMb: 512,
        timeoutSeconds: 25,
        reservedConcurrency: 50,
        architecture: "x86_64",
        maxTokens: 300,
        maxQuestionLength: 1000,
        maxContextLength: 0,
        logLevel: "DEBUG",
        systemPrompt: "You answer questions about pets and vets.",
        logRetentionDays: 14,
      },
    });
    const { tf } = synth(LambdaGenaiStack, cfg);
    expect(resource(tf, "aws_lambda_function", "genai")).toMatchObject({
      memory_size: 512,
      timeout: 25,
      reserved_concurrent_executions: 50,
      architectures: ["x86_64"],
      environment: {
        variables: {
          MODEL_ID: HAIKU,
          MAX_TOKENS: "300",
          MAX_QUESTION_LENGTH: "1000",
          MAX_CONTEXT_LENGTH: "0",
          LOG_LEVEL: "DEBUG",
          SYSTEM_PROMPT: "You answer questions about pets and vets.",
        },
      },
    });
    expect(resource(tf, "aws_cloudwatch_log_group", "genai_logs").retention_in_days).toBe(14);
  });

  it("switched off: no stack is built, and the other layers still are", () => {
    const def = { bootstrap: BootstrapStack, layers: { "lambda-genai": LambdaGenaiStack } };
    const on = buildPlatform(Testing.app(), env("dev"), def);
    expect(on.layers.map((s) => s.layer.name)).toEqual(["lambda-genai"]);
    const off = buildPlatform(Testing.app(), envWith("dev", { layers: { "lambda-genai": { enabled: false } } }), def);
    expect(off.layers).toEqual([]);
    expect(off.bootstrap).toBeDefined();
  });
});

describe("the package", () => {
  const stageGenai = () => {
    const app = Testing.app();
    tempDirs.push(app.outdir);
    return LambdaCode.fromTypeScript(GENAI_SOURCE_DIR).stage(new TerraformStack(app, "s"));
  };

  it("is one CommonJS bundle of the function and the shared library: no TypeScript, no tests, only the runtime's AWS SDK required", () => {
    const staged = stageGenai();
    expect(fs.readdirSync(staged.directory)).toEqual(["index.js"]);
    const code = fs.readFileSync(path.join(staged.directory, "index.js"), "utf8");
    expect(code).not.toMatch(/^\s*import\s|:\s*(string|number)\b[,)]/m); // no TypeScript left
    const required = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    expect(required).toEqual(["@aws-sdk/client-bedrock-runtime"]);
    // The shared logger is in the bundle, under paths relative to the project (no machine paths).
    expect(code).toContain("// functions/shared/log.ts");
    expect(code).not.toContain(path.resolve(__dirname, ".."));
  });

  it("works once bundled: the packaged handler answers through the runtime's (here a fake) Bedrock client", async () => {
    const staged = stageGenai();
    // Resolve @aws-sdk/client-bedrock-runtime the way the Lambda runtime would, here to a fake.
    const fake = path.join(path.dirname(staged.directory), "node_modules", "@aws-sdk", "client-bedrock-runtime");
    fs.mkdirSync(fake, { recursive: true });
    fs.writeFileSync(
      path.join(fake, "index.js"),
      "class ConverseCommand { constructor(input) { this.input = input; } }\n" +
        "class BedrockRuntimeClient { async send() { return { $metadata: {}, output: { message: { role: 'assistant', content: [{ text: 'Woof.' }] } }, stopReason: 'end_turn', usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 }, metrics: { latencyMs: 1 } }; } }\n" +
        "module.exports = { BedrockRuntimeClient, ConverseCommand };\n",
    );
    const saved = { MODEL_ID: process.env.MODEL_ID, LOG_LEVEL: process.env.LOG_LEVEL };
    process.env.MODEL_ID = HAIKU;
    process.env.LOG_LEVEL = "ERROR";
    try {
      const { handler } = require(path.join(staged.directory, "index.js")) as typeof import("../functions/genai/src/index");
      const res = await handler(
        { httpMethod: "POST", path: "/api/genai", headers: {}, requestContext: { requestId: "r" }, body: '{"question":"Hi"}' },
        { awsRequestId: "l" },
      );
      expect(res).toMatchObject({
        statusCode: 200,
        body: JSON.stringify({
          answer: "Woof.",
          model: HAIKU,
          usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
          stopReason: "end_turn",
        }),
      });
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });

  it("is deterministic: the same sources give the same hash and a byte-identical archive", () => {
    const archive = () => {
      const app = Testing.app();
      tempDirs.push(app.outdir);
      const stack = new LambdaGenaiStack(app, env("dev"));
      const outdir = Testing.fullSynth(stack);
      tempDirs.push(outdir);
      const fn = resource(
        JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "lambda-genai", "cdk.tf.json"), "utf8")) as TerraformJson,
        "aws_lambda_function",
        "genai",
      );
      return { hash: fn.source_code_hash, zip: fs.readFileSync(path.join(outdir, "stacks", "lambda-genai", String(fn.filename))) };
    };
    const a = archive();
    const b = archive();
    expect(b.hash).toBe(a.hash);
    expect(b.zip.equals(a.zip)).toBe(true);
    const file = path.join(tempDir("genai-zip-"), "a.zip");
    fs.writeFileSync(file, a.zip);
    expect(zipEntries(file)).toEqual(["index.js"]);
  });

  it("a code change gives a new hash (and so a new source_code_hash, version and deployment); tests do not count", () => {
    // A copy laid out like functions/: <base>/genai/src beside <base>/shared (the library it imports).
    const base = tempDir("genai-src-");
    const src = path.join(base, "genai", "src");
    fs.mkdirSync(src, { recursive: true });
    for (const f of fs.readdirSync(GENAI_SOURCE_DIR)) fs.copyFileSync(path.join(GENAI_SOURCE_DIR, f), path.join(src, f));
    fs.symlinkSync(path.resolve(GENAI_SOURCE_DIR, "..", "..", "shared"), path.join(base, "shared"), "dir");
    const hashOf = () => {
      const app = Testing.app();
      tempDirs.push(app.outdir);
      return LambdaCode.fromTypeScript(src).stage(new TerraformStack(app, "s")).hash;
    };
    const before = hashOf();
    expect(hashOf()).toBe(before);
    fs.writeFileSync(path.join(src, "extra.test.ts"), "it('x', () => undefined);\n");
    fs.mkdirSync(path.join(src, "__tests__"));
    fs.writeFileSync(path.join(src, "__tests__", "a.ts"), "export const a = 1;\n");
    expect(hashOf()).toBe(before);
    fs.writeFileSync(
      path.join(src, "settings.ts"),
      fs.readFileSync(path.join(src, "settings.ts"), "utf8").replace("Answer the user's question", "Answer the question"),
    );
    const changed = hashOf();
    expect(changed).not.toBe(before);
    // A change of the same length, made right after a build in this process: rebuilt, not reused.
    fs.writeFileSync(
      path.join(src, "settings.ts"),
      fs.readFileSync(path.join(src, "settings.ts"), "utf8").replace("Answer the question", "Answer our question"),
    );
    expect(hashOf()).not.toBe(changed);
  });
});

describe("LambdaFunction module", () => {
  const codeDir = () => {
    const dir = tempDir("lambda-code-");
    fs.writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 'ok';\n");
    return dir;
  };
  const build = (props: Partial<ConstructorParameters<typeof LambdaFunction>[2]> = {}) => {
    const app = Testing.app();
    tempDirs.push(app.outdir);
    const stack = new TerraformStack(app, "demo");
    new LambdaFunction(stack, "demo", { ...lambdaFunctionProps("demo-fn", LambdaCode.fromDirectory(codeDir())), ...props });
    return JSON.parse(Testing.synth(stack)) as TerraformJson;
  };

  it("defaults: arm64, Active tracing, live alias, SSE-SQS queue without KMS, no reserved concurrency, no dead_letter_config", () => {
    const tf = build();
    const fn = Object.values(resources(tf, "aws_lambda_function"))[0];
    expect(fn).toMatchObject({ architectures: ["arm64"], tracing_config: { mode: "Active" }, publish: true });
    expect(fn).not.toHaveProperty("reserved_concurrent_executions");
    expect(fn).not.toHaveProperty("dead_letter_config");
    expect(fn).not.toHaveProperty("environment");
    expect(Object.values(resources(tf, "aws_lambda_alias"))[0]).toMatchObject({ name: "live" });
    expect(Object.values(resources(tf, "aws_sqs_queue"))[0]).toEqual({
      name: "demo-fn-dlq",
      message_retention_seconds: 1209600,
      sqs_managed_sse_enabled: true,
    });
    expect(Object.values(resources(tf, "aws_cloudwatch_log_group"))[0]).toEqual({ name: "/aws/lambda/demo-fn", retention_in_days: 7 });
  });

  it("the legacy dead_letter_config, another alias, retries and event age on request", () => {
    const tf = build({
      legacyDeadLetterConfig: true,
      aliasName: "prod",
      maxRetryAttempts: 0,
      maxEventAgeSeconds: 60,
      reservedConcurrency: 3,
    });
    const fn = Object.values(resources(tf, "aws_lambda_function"))[0];
    expect(fn.dead_letter_config).toEqual({ target_arn: expect.stringMatching(/^\$\{aws_sqs_queue\.\w+\.arn\}$/) });
    expect(fn.reserved_concurrent_executions).toBe(3);
    expect(Object.values(resources(tf, "aws_lambda_alias"))[0]).toMatchObject({ name: "prod" });
    expect(Object.values(resources(tf, "aws_lambda_function_event_invoke_config"))[0]).toMatchObject({
      maximum_retry_attempts: 0,
      maximum_event_age_in_seconds: 60,
    });
  });

  it.each([
    [{ memoryMb: 64 }, "LambdaFunction demo: memoryMb must be a whole number from 128 to 10240, got 64"],
    [{ timeoutSeconds: 901 }, "LambdaFunction demo: timeoutSeconds must be a whole number from 1 to 900, got 901"],
    [{ maxRetryAttempts: 3 }, "LambdaFunction demo: maxRetryAttempts must be a whole number from 0 to 2, got 3"],
    [{ functionName: "has space" }, 'LambdaFunction demo: invalid function name "has space" (1-64 of a-z A-Z 0-9 _ -)'],
    [{ logs: { retentionDays: 45 } }, "LambdaFunction demo: logs.retentionDays must be one of"],
    [{ aliasName: "123" }, 'LambdaFunction demo: invalid alias name "123"'],
  ])("refuses %j early, naming the value", (props, message) => {
    expect(() => build(props as Partial<ConstructorParameters<typeof LambdaFunction>[2]>)).toThrow(message);
  });

  it("refuses code that is missing or empty", () => {
    expect(() => build({ code: LambdaCode.fromDirectory(path.join(os.tmpdir(), "does-not-exist-lambda")) })).toThrow("is not a directory");
    expect(() => build({ code: LambdaCode.fromDirectory(tempDir("lambda-empty-")) })).toThrow("is empty");
    expect(() => build({ code: LambdaCode.fromTypeScript(tempDir("lambda-empty-")) })).toThrow("no entry (index.ts or index.js)");
  });
});
