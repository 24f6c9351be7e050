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
const { load, expectRefused, itRefusesFixtures } = fixtureChecks(DIR);

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

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
});

describe("cross-field rules (only while the layer is enabled)", () => {
  it("the bedrock-runtime endpoint is a way to Bedrock without NAT", () => {
    expect(load("endpoint-route.yaml").network.nat).toBe("none");
  });

  it("without the GenAI layer, the same network is valid", () => {
    expect(load("no-route-layer-off.yaml").layers["lambda-genai"]).toEqual({ enabled: false });
  });
});
