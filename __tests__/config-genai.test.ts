/**
 * The `genai` section (layer 06): defaults per tier, accepted model ids, and bad input refused in
 * the kit's format, one line per problem:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Fixtures are in __tests__/fixtures/config/genai/ and extend ../_base.yaml (a valid dev
 * environment), each changing one thing.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import { fixtureChecks, ROOT } from "./config-fixtures";
import {
  DEFAULT_MODEL_ID,
  foundationModelOf,
  GENAI_RUNTIMES,
  genaiModelIds,
  inferenceProfileGeography,
  MODEL_ID_RE,
} from "../layers/06-lambda-genai/config";
import { env, ENVIRONMENTS } from "./helpers";

/** Fixture directory as the loader displays it (relative to the working directory). */
const DIR = "__tests__/fixtures/config/genai";
const { load, expectRefused, itRefuses } = fixtureChecks(DIR);

const MODEL_ID_EXPECTED =
  "a Bedrock model id of the form provider.model-name-version, such as anthropic.claude-3-haiku-20240307-v1:0 (optionally with a cross-region inference profile prefix such as us.)";
const RUNTIME_EXPECTED =
  'a Node.js Lambda runtime the kit supports: "nodejs22.x" (the GenAI function is TypeScript transpiled to JavaScript, so Python runtimes cannot run it; nodejs20.x is past its Lambda deprecation)';

describe("defaults", () => {
  it.each(ENVIRONMENTS)("%s: Claude 3 Haiku on nodejs22.x arm64, 256 MB, 30 s, tier reserved concurrency", (name) => {
    const { genai, tier } = env(name);
    expect(genai).toEqual({
      runtime: "nodejs22.x",
      architecture: "arm64",
      modelId: "anthropic.claude-3-haiku-20240307-v1:0",
      additionalModelIds: [],
      memoryMb: 256,
      timeoutSeconds: 30,
      reservedConcurrency: { dev: 2, staging: 5, prod: 20 }[tier],
      maxTokens: 1024,
      maxQuestionLength: 4000,
      maxContextLength: 8000,
      logLevel: "INFO",
      // PetClinic: the function reads the database as its own read-only IAM user (environments/base.yaml).
      database: { user: "genai", privileges: "read-only" },
    });
  });

  it("a file overrides the tier's reserved concurrency", () => {
    expect(load("profile-same-geography.yaml").genai.reservedConcurrency).toBe(2);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "genai-cfg-"));
    try {
      fs.writeFileSync(
        path.join(dir, "x.yaml"),
        `extends: ${path.join(ROOT, DIR, "..", "_base.yaml")}\ngenai:\n  reservedConcurrency: 7\n`,
      );
      expect(loadConfigFile(path.join(dir, "x.yaml")).config.genai.reservedConcurrency).toBe(7);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("offers only runtimes that can run the TypeScript function and the pinned provider accepts", () => {
    expect(GENAI_RUNTIMES).toEqual(["nodejs22.x"]);
  });
});

describe("model ids", () => {
  it.each([
    DEFAULT_MODEL_ID,
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "anthropic.claude-instant-v1",
    "amazon.nova-lite-v1:0",
    "amazon.titan-text-express-v1",
    "meta.llama3-1-70b-instruct-v1:0",
    "mistral.mistral-7b-instruct-v0:2",
    "cohere.command-r-plus-v1:0",
    "ai21.jamba-1-5-mini-v1:0",
    "deepseek.r1-v1:0",
    "openai.gpt-oss-120b-1:0",
    "us.anthropic.claude-3-5-haiku-20241022-v1:0",
    "eu.amazon.nova-pro-v1:0",
    "apac.anthropic.claude-3-haiku-20240307-v1:0",
    "us-gov.anthropic.claude-3-haiku-20240307-v1:0",
    "global.anthropic.claude-sonnet-4-20250514-v1:0",
  ])("accepts %s", (id) => {
    expect(id).toMatch(MODEL_ID_RE);
  });

  it.each([
    ["no provider", "claude-3-haiku"],
    ["a slash instead of a dot", "anthropic/claude-3-haiku-20240307-v1:0"],
    ["no version", "anthropic.claude-3-haiku"],
    ["upper case", "Anthropic.Claude-3-Haiku-20240307-v1:0"],
    ["a provisioned-throughput variant", "anthropic.claude-3-haiku-20240307-v1:0:200k"],
    ["an ARN", "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"],
    ["an unknown profile geography", "mars.anthropic.claude-3-haiku-20240307-v1:0"],
    ["white space", " anthropic.claude-3-haiku-20240307-v1:0"],
    ["empty", ""],
  ])("refuses %s: %j", (_why, id) => {
    expect(id).not.toMatch(MODEL_ID_RE);
  });

  it("tells inference profiles from models, and finds the model behind a profile", () => {
    expect(inferenceProfileGeography("us.anthropic.claude-3-5-haiku-20241022-v1:0")).toBe("us");
    expect(inferenceProfileGeography("us-gov.anthropic.claude-3-haiku-20240307-v1:0")).toBe("us-gov");
    expect(inferenceProfileGeography(DEFAULT_MODEL_ID)).toBeUndefined();
    expect(foundationModelOf("us.anthropic.claude-3-5-haiku-20241022-v1:0")).toBe("anthropic.claude-3-5-haiku-20241022-v1:0");
    expect(foundationModelOf(DEFAULT_MODEL_ID)).toBe(DEFAULT_MODEL_ID);
    expect(genaiModelIds(load("profile-same-geography.yaml").genai)).toEqual([
      "us.anthropic.claude-3-5-haiku-20241022-v1:0",
      DEFAULT_MODEL_ID,
    ]);
  });

  it("a profile of the environment's geography is accepted", () => {
    expect(load("profile-same-geography.yaml").genai.modelId).toBe("us.anthropic.claude-3-5-haiku-20241022-v1:0");
  });
});

describe("bad input is refused in the kit's format", () => {
  itRefuses([
    [
      "an unknown model id format",
      "model-id-format.yaml",
      [3, 3, "modelId: claude-3-haiku", `genai.modelId: expected ${MODEL_ID_EXPECTED}, found "claude-3-haiku"`],
    ],
    [
      "a question and context longer together than the 16 KB of a body the API's web ACL can inspect",
      "body-over-waf-inspection.yaml",
      [
        4,
        3,
        "maxContextLength: 12000",
        "genai.maxContextLength: expected maxQuestionLength + maxContextLength at most 15360 characters together (the API's web ACL bounds request bodies at the 16 KB AWS WAF inspects), found 4000 + 12000 = 16000",
      ],
    ],
    [
      "a provisioned-throughput model variant (the function calls on demand)",
      "model-id-provisioned.yaml",
      [
        3,
        3,
        "modelId: anthropic.claude-3-haiku-20240307-v1:0:200k",
        `genai.modelId: expected ${MODEL_ID_EXPECTED}, found "anthropic.claude-3-haiku-20240307-v1:0:200k"`,
      ],
    ],
    [
      "an additional model given as an ARN: located at its list item",
      "additional-model-format.yaml",
      [
        5,
        7,
        "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0",
        `genai.additionalModelIds[1]: expected ${MODEL_ID_EXPECTED}, found "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0"`,
      ],
    ],
    [
      "a model listed twice, or repeating modelId",
      "additional-model-duplicate.yaml",
      [
        5,
        7,
        "anthropic.claude-3-haiku-20240307-v1:0",
        'genai.additionalModelIds[1]: expected each model once (modelId is always allowed), found duplicate "anthropic.claude-3-haiku-20240307-v1:0"',
      ],
      [
        6,
        7,
        "amazon.nova-lite-v1:0",
        'genai.additionalModelIds[2]: expected each model once (modelId is always allowed), found duplicate "amazon.nova-lite-v1:0"',
      ],
    ],
    [
      "runtime not supported: the seed's Python 3.11",
      "runtime-python.yaml",
      [4, 3, "runtime: python3.11", `genai.runtime: expected ${RUNTIME_EXPECTED}, found "python3.11"`],
    ],
    [
      "runtime not supported: nodejs20.x (deprecated by Lambda), with did-you-mean",
      "runtime-node20.yaml",
      [3, 3, "runtime: nodejs20.x", `genai.runtime: expected ${RUNTIME_EXPECTED}, found "nodejs20.x" (did you mean nodejs22.x?)`],
    ],
    [
      "a reserved concurrency of 0 (it would switch the function off)",
      "reserved-zero.yaml",
      [
        3,
        3,
        "reservedConcurrency: 0",
        "genai.reservedConcurrency: expected a reserved concurrency: a whole number from 1 to 10000, found number 0",
      ],
    ],
    [
      "a quoted number",
      "max-tokens-string.yaml",
      [3, 3, 'maxTokens: "1024"', 'genai.maxTokens: expected a token count: a whole number from 1 to 65536, found "1024"'],
    ],
    [
      "a log level in the wrong case, with did-you-mean",
      "log-level.yaml",
      [3, 3, "logLevel: info", 'genai.logLevel: expected one of "DEBUG", "INFO", "WARN", "ERROR", found "info" (did you mean INFO?)'],
    ],
    [
      "a mistyped key, with did-you-mean",
      "unknown-key.yaml",
      [
        3,
        3,
        "modelID: anthropic.claude-3-haiku-20240307-v1:0",
        'genai.modelID: expected a known key (runtime, architecture, modelId, additionalModelIds, memoryMb, timeoutSeconds, reservedConcurrency, maxTokens, maxQuestionLength, maxContextLength, systemPrompt, logLevel, logRetentionDays, database), found unknown key "modelID" (did you mean modelId?)',
      ],
    ],
    [
      "several problems: one line each, in file order",
      "several.yaml",
      [3, 3, "runtime: python3.11", `genai.runtime: expected ${RUNTIME_EXPECTED}, found "python3.11"`],
      [4, 3, "modelId: anthropic/claude-3-haiku", `genai.modelId: expected ${MODEL_ID_EXPECTED}, found "anthropic/claude-3-haiku"`],
      [5, 3, "memoryMb: 100", "genai.memoryMb: expected a memory size in MB: a whole number from 128 to 10240, found number 100"],
      [
        6,
        3,
        "timeoutSeconds: 1000",
        "genai.timeoutSeconds: expected a timeout in seconds: a whole number from 1 to 900, found number 1000",
      ],
    ],
  ]);

  it.each([
    ["memory-too-small.yaml", "memoryMb: 64", "number 64"],
    ["memory-too-large.yaml", "memoryMb: 16384", "number 16384"],
    ["memory-fraction.yaml", "memoryMb: 256.5", "number 256.5"],
  ])("memory out of range: %s", (fixture, source, found) => {
    expectRefused(fixture, [
      3,
      3,
      source,
      `genai.memoryMb: expected a memory size in MB: a whole number from 128 to 10240, found ${found}`,
    ]);
  });

  it.each([
    ["timeout-too-long.yaml", "timeoutSeconds: 901", "number 901"],
    ["timeout-zero.yaml", "timeoutSeconds: 0", "number 0"],
  ])("timeout out of range: %s", (fixture, source, found) => {
    expectRefused(fixture, [
      3,
      3,
      source,
      `genai.timeoutSeconds: expected a timeout in seconds: a whole number from 1 to 900, found ${found}`,
    ]);
  });

  it("a system prompt too long for the function's environment", () => {
    const prompt = "x".repeat(2001);
    expectRefused("system-prompt-long.yaml", [
      3,
      3,
      `systemPrompt: "${prompt}"`,
      `genai.systemPrompt: expected a system prompt of at most 2000 characters (Lambda environment variables total 4 KB), found "${prompt}"`,
    ]);
  });
});

describe("cross-field rules (only while the layer is enabled)", () => {
  itRefuses([
    [
      "no way to Bedrock: no NAT and no bedrock-runtime endpoint",
      "no-route-to-bedrock.yaml",
      [
        4,
        3,
        "interfaceEndpoints: [ecr.api, ecr.dkr, logs]",
        'network.interfaceEndpoints: expected a list with "bedrock-runtime" (the GenAI function runs in the app subnets and network.nat is none, so it cannot reach Amazon Bedrock otherwise), found a list ["ecr.api","ecr.dkr","logs"]',
      ],
    ],
    [
      "no way to Bedrock: HTTPS egress to the internet switched off (located at the nearest key written)",
      "no-https-egress.yaml",
      [
        12,
        1,
        "network:",
        'network.interfaceEndpoints: expected a list with "bedrock-runtime" (the GenAI function runs in the app subnets and security.egress.internetHttps is false, so it cannot reach Amazon Bedrock otherwise), found a list ["ecr.api","ecr.dkr","logs"]',
        "__tests__/fixtures/config/_base.yaml",
      ],
    ],
    [
      "an inference profile of another geography than the region",
      "profile-other-geography.yaml",
      [
        3,
        3,
        "modelId: eu.anthropic.claude-3-haiku-20240307-v1:0",
        'genai.modelId: expected a model or an inference profile callable from us-west-2 (the eu. profiles serve other regions), found "eu.anthropic.claude-3-haiku-20240307-v1:0"',
      ],
    ],
  ]);

  it("the bedrock-runtime endpoint is a way to Bedrock without NAT", () => {
    expect(load("endpoint-route.yaml").network.nat).toBe("none");
  });

  it("without the GenAI layer, the same network is valid", () => {
    expect(load("no-route-layer-off.yaml").layers["lambda-genai"]).toEqual({ enabled: false });
  });
});
