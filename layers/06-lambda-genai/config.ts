/**
 * Configuration of layer 06 lambda-genai: the GenAI function (functions/genai) on Amazon Bedrock.
 *
 * The function is TypeScript, transpiled to JavaScript at synth time, so only Node.js runtimes
 * can run it (layers/06-lambda-genai/README.md says why it is not the seed's Python 3.11). It asks the
 * configured model through the Converse API; the execution role may invoke exactly `modelId` and
 * `additionalModelIds`, nothing else.
 */
import { z } from "zod";
import {
  PRIVILEGES as DB_USER_PRIVILEGES,
  RESERVED_USERS as DB_RESERVED_USERS,
  USER_NAME_RE as DB_USER_NAME_RE,
} from "../../functions/db-users/src/statements";
import { functionFields, logRetention, matching, wholeNumberIn, wholeNumberOr } from "../../core/config/fields";
import type { PlatformConfig } from "../../core/config/types";
import type { Rule, SemanticIssue } from "../../core/config/types";
import type { LayerConfig } from "../../core/layer-descriptor";
import { layerOn, whenLayerOn } from "../../core/config/layer-switch";

/**
 * Lambda runtimes that can run the function, newest last. nodejs20.x is not offered: Lambda
 * blocked creating (31 Aug 2026) and updating (30 Sep 2026) functions on it. nodejs24.x is not
 * offered yet: hashicorp/aws 5.100.0 (the pinned provider) refuses the identifier.
 */
export const GENAI_RUNTIMES = ["nodejs22.x"] as const;
export type GenaiRuntime = (typeof GENAI_RUNTIMES)[number];

/** Prefixes of Bedrock's system-defined cross-region inference profiles (`us.anthropic.claude-...`). */
export const INFERENCE_PROFILE_GEOGRAPHIES = ["us", "us-gov", "eu", "apac", "jp", "au", "ca", "global"] as const;

/**
 * A Bedrock model id, `provider.model-name-version`, optionally behind a cross-region inference
 * profile (`us.`, `eu.`, `apac.`, ...):
 *   anthropic.claude-3-haiku-20240307-v1:0     amazon.nova-lite-v1:0     meta.llama3-8b-instruct-v1:0
 *   mistral.mistral-large-2402-v1:0            amazon.titan-text-express-v1
 *   us.anthropic.claude-3-5-haiku-20241022-v1:0 (inference profile)
 * The version is `v<major>` with an optional `:<minor>` (or `<major>:<minor>`, as openai.gpt-oss-120b-1:0).
 * Provisioned-throughput variants (`...-v1:0:200k`) and ARNs are refused: the function calls on demand.
 */
export const MODEL_ID_RE = new RegExp(
  `^(?:(?:${INFERENCE_PROFILE_GEOGRAPHIES.join("|")})\\.)?[a-z][a-z0-9]*\\.[a-z0-9][a-z0-9-]*-(?:v\\d+(?::\\d+)?|\\d+:\\d+)$`,
);

export const DEFAULT_MODEL_ID = "anthropic.claude-3-haiku-20240307-v1:0";

const MODEL_ID_ERROR =
  "a Bedrock model id of the form provider.model-name-version, such as anthropic.claude-3-haiku-20240307-v1:0 " +
  "(optionally with a cross-region inference profile prefix such as us.)";

const modelId = matching(MODEL_ID_RE, MODEL_ID_ERROR);
/** A length limit in characters from `min` to `max`, defaulting to `fallback`. */
const characters = (min: number, max: number, fallback: number) => wholeNumberOr(min, max, "a length in characters", fallback);

export const GenaiSchema = z
  .strictObject({
    runtime: z
      .enum(GENAI_RUNTIMES, {
        error: `a Node.js Lambda runtime the kit supports: ${GENAI_RUNTIMES.map((r) => JSON.stringify(r)).join(", ")} (the GenAI function is TypeScript transpiled to JavaScript, so Python runtimes cannot run it; nodejs20.x is past its Lambda deprecation)`,
      })
      .default("nodejs22.x")
      .describe("Lambda runtime of the function. Default: nodejs22.x."),
    architecture: functionFields.architecture.describe(
      "Instruction set. The package is plain JavaScript, so Graviton (arm64, cheaper per GB-second) is the default. Default: arm64.",
    ),
    modelId: modelId
      .default(DEFAULT_MODEL_ID)
      .describe(
        "Bedrock model (or cross-region inference profile) asked when a request names none. Model access must be granted in the account's Bedrock console. " +
          `Default: ${DEFAULT_MODEL_ID} (Claude 3 Haiku).`,
      ),
    additionalModelIds: z
      .array(modelId, { error: "a list of Bedrock model ids" })
      .max(10, { error: "at most 10 additional models (they are passed in an environment variable)" })
      .default([])
      .describe(
        "Other models a request may pick with its `model` field. The execution role may invoke exactly modelId and these. Default: none.",
      ),
    memoryMb: functionFields
      .memoryMb(10240, 256)
      .describe(
        "Memory of the function in MB (128-10240; CPU scales with it). The function mostly waits for Bedrock, so little is needed. Default: 256.",
      ),
    timeoutSeconds: functionFields
      .timeoutSeconds(1, 900, 30)
      .describe(
        "Function timeout in seconds (1-900). The function gives up on Bedrock one second before it and answers 504. " +
          "API Gateway stops waiting after its own integration timeout (29 s by default), so keep this close to it. Default: 30.",
      ),
    reservedConcurrency: wholeNumberIn(1, 10000, "a reserved concurrency").describe(
      "Concurrent executions reserved for (and capping) the function, which also caps Bedrock spend. " +
        "The account must keep 100 unreserved executions (10 on new accounts with the default quota). Tier default: dev 2, staging 5, prod 20.",
    ),
    maxTokens: wholeNumberOr(1, 65536, "a token count", 1024).describe(
      "Most tokens the model may generate per answer (the model's own limit also applies; Claude 3 Haiku: 4096). Default: 1024.",
    ),
    maxQuestionLength: characters(1, 100000, 4000).describe(
      "Longest question accepted, in characters; longer ones get a 400. Default: 4000.",
    ),
    maxContextLength: characters(0, 200000, 8000).describe(
      "Longest optional `context` accepted with a question, in characters; 0 refuses any context. Default: 8000.",
    ),
    systemPrompt: z
      .string({ error: "a system prompt (text)" })
      .min(1, { error: "a non-empty system prompt" })
      .max(2000, { error: "a system prompt of at most 2000 characters (Lambda environment variables total 4 KB)" })
      .optional()
      .describe(
        "Instructions given to the model before every question. Default: a generic helpful, concise assistant prompt (functions/genai/src/settings.ts).",
      ),
    logLevel: functionFields.logLevel.describe(
      "Lowest level the function logs (JSON lines; questions and answers are never logged, only their lengths). Default: INFO.",
    ),
    logRetentionDays: logRetention.optional().describe("Retention of the function's log group. Default: logging.retentionDays."),
    database: z
      .strictObject({
        user: z
          .string({ error: "a database user name" })
          .regex(DB_USER_NAME_RE, {
            error: "a database user name: a lower-case letter, then up to 31 lower-case letters, digits or underscores",
          })
          .default("genai")
          .describe(
            "The function's own database user, created by layer 03's provisioning function; the function signs in with an IAM token for it. Default: genai.",
          ),
        privileges: z
          .enum(DB_USER_PRIVILEGES)
          .default("read-only")
          .describe("What the user may do on the application database: read-only (SELECT), read-write or owner. Default: read-only."),
      })
      .optional()
      .describe(
        "Let the function read the application database (layer 03) as its own IAM-authenticated user: rds-db:connect on exactly that user in its role, " +
          "the lambda tier's security group rules to the database, and DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_SSL_MODE, DB_REGION in its environment, never a password. " +
          'Needs database.iamAuthentication and "lambda" in security.databaseClients. Default: none (the function does not reach the database).',
      ),
  })
  // No prefault: the tier preset always supplies this block (reservedConcurrency), so the inner defaults apply.
  .describe("The GenAI function on Amazon Bedrock (layer 06). Switch the layer off with layers: { lambda-genai: { enabled: false } }.");

export type GenaiConfig = z.output<typeof GenaiSchema>;

/** The variables that tell the function how to reach the database (genai.database). */
export const GENAI_DB_ENV = {
  host: "DB_HOST",
  port: "DB_PORT",
  name: "DB_NAME",
  user: "DB_USER",
  sslMode: "DB_SSL_MODE",
  region: "DB_REGION",
} as const;

/**
 * The GenAI function's database user (genai.database), or undefined when the function does not use
 * the database (no genai.database, or layer 06 or 03 switched off).
 */
export function genaiDatabaseUser(
  cfg: Pick<PlatformConfig, "genai" | "layers">,
): { user: string; privileges: (typeof DB_USER_PRIVILEGES)[number] } | undefined {
  const db = cfg.genai.database;
  if (!db || !layerOn(cfg, "lambda-genai") || !layerOn(cfg, "database")) return undefined;
  return { user: db.user, privileges: db.privileges };
}

/** The geography prefix of a cross-region inference profile id, or undefined for a plain model id. */
export function inferenceProfileGeography(id: string): string | undefined {
  const first = id.split(".")[0];
  // A profile id has three dot-separated parts (geo.provider.model); a model id has two.
  return id.split(".").length === 3 && (INFERENCE_PROFILE_GEOGRAPHIES as readonly string[]).includes(first) ? first : undefined;
}

/** The foundation model behind an id: the id itself, or the profile id without its geography. */
export function foundationModelOf(id: string): string {
  return inferenceProfileGeography(id) ? id.slice(id.indexOf(".") + 1) : id;
}

/** Every model the function may invoke: modelId first, then additionalModelIds. */
export function genaiModelIds(genai: Pick<GenaiConfig, "modelId" | "additionalModelIds">): string[] {
  return [genai.modelId, ...genai.additionalModelIds];
}

/** Source-region prefixes from which a geography's inference profiles may be called. */
const GEOGRAPHY_REGIONS: Readonly<Record<string, readonly string[]>> = {
  us: ["us-east-", "us-west-"],
  "us-gov": ["us-gov-"],
  eu: ["eu-"],
  apac: ["ap-"],
  jp: ["ap-northeast-"],
  au: ["ap-southeast-"],
  ca: ["ca-"],
  global: [""],
};

/** The function runs in the app subnets: it needs the bedrock-runtime endpoint, or NAT with HTTPS egress. */
const bedrockReachableRule: Rule = (cfg) => {
  if (cfg.network.interfaceEndpoints.includes("bedrock-runtime")) return [];
  if (cfg.network.nat !== "none" && cfg.security.egress.internetHttps) return [];
  const why = cfg.network.nat === "none" ? "network.nat is none" : "security.egress.internetHttps is false";
  return [
    {
      path: ["network", "interfaceEndpoints"],
      expected: `a list with "bedrock-runtime" (the GenAI function runs in the app subnets and ${why}, so it cannot reach Amazon Bedrock otherwise)`,
    },
  ];
};

/** Each model once. */
const uniqueModelsRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const seen = [cfg.genai.modelId];
  cfg.genai.additionalModelIds.forEach((id, i) => {
    if (seen.includes(id)) {
      issues.push({
        path: ["genai", "additionalModelIds", i],
        expected: "each model once (modelId is always allowed)",
        found: `duplicate ${JSON.stringify(id)}`,
      });
    }
    seen.push(id);
  });
  return issues;
};

/** A cross-region inference profile can be called only from a region of its geography. */
const profileGeographyRule: Rule = (cfg) => {
  const region = cfg.aws.region;
  const check = (id: string, path: SemanticIssue["path"]): SemanticIssue[] => {
    const geo = inferenceProfileGeography(id);
    if (!geo || (GEOGRAPHY_REGIONS[geo] ?? []).some((prefix) => region.startsWith(prefix))) return [];
    return [{ path, expected: `a model or an inference profile callable from ${region} (the ${geo}. profiles serve other regions)` }];
  };
  return [
    ...check(cfg.genai.modelId, ["genai", "modelId"]),
    ...cfg.genai.additionalModelIds.flatMap((id, i) => check(id, ["genai", "additionalModelIds", i])),
  ];
};

/** Bytes of a GenAI request beyond the question and context themselves: the JSON envelope, model id and headroom. */
export const GENAI_BODY_ENVELOPE_BYTES = 1024;
/**
 * The largest body AWS WAF inspects for API Gateway and CloudFront by default (16 KB); a body rule
 * cannot see past it without a costlier inspection limit.
 * https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-setting-body-inspection-limit.html
 */
export const WAF_DEFAULT_BODY_INSPECTION_BYTES = 16_384;

/** The largest request body the GenAI route accepts, in bytes: question + context + envelope (one byte a character, plain text). */
export function genaiMaxBodyBytes(cfg: Pick<PlatformConfig, "genai">): number {
  return cfg.genai.maxQuestionLength + cfg.genai.maxContextLength + GENAI_BODY_ENVELOPE_BYTES;
}

/** A WAF in front of the function bounds the body at what it can inspect: the function may not accept more. */
const bodyInspectableRule: Rule = (cfg) => {
  if (!cfg.security.waf.enabled || !layerOn(cfg, "api-gateway")) return [];
  const bytes = genaiMaxBodyBytes(cfg);
  if (bytes <= WAF_DEFAULT_BODY_INSPECTION_BYTES) return [];
  return [
    {
      path: ["genai", "maxContextLength"],
      expected:
        `maxQuestionLength + maxContextLength at most ${WAF_DEFAULT_BODY_INSPECTION_BYTES - GENAI_BODY_ENVELOPE_BYTES} characters together ` +
        `(the API's web ACL bounds request bodies at the ${WAF_DEFAULT_BODY_INSPECTION_BYTES / 1024} KB AWS WAF inspects)`,
      found: `${cfg.genai.maxQuestionLength} + ${cfg.genai.maxContextLength} = ${cfg.genai.maxQuestionLength + cfg.genai.maxContextLength}`,
    },
  ];
};

/**
 * genai.database: a database to read, IAM authentication on it, the lambda tier allowed to reach it,
 * and a user of its own (not the master user, not the engine's, not a service's).
 */
const databaseRule: Rule = (cfg) => {
  const db = cfg.genai.database;
  if (!db) return [];
  const at = (...keys: string[]) => ["genai", "database", ...keys];
  if (!layerOn(cfg, "database"))
    return [{ path: at(), expected: "no database (layers.database.enabled is false: there is no database to connect to)" }];
  const issues: SemanticIssue[] = [];
  if (!cfg.database.iamAuthentication) {
    issues.push({
      path: ["database", "iamAuthentication"],
      expected: "true (genai.database signs in with an IAM token; the function never holds a password)",
      found: "false",
    });
  }
  if (!cfg.security.databaseClients.includes("lambda")) {
    issues.push({
      path: ["security", "databaseClients"],
      expected: `a list with "lambda" (genai.database: the function connects from the lambda tier's security group)`,
      found: JSON.stringify(cfg.security.databaseClients),
    });
  }
  if ((DB_RESERVED_USERS as readonly string[]).includes(db.user) || db.user === cfg.database.masterUsername.toLowerCase()) {
    issues.push({
      path: at("user"),
      expected: `a user name other than the master user's and the engine's own (${DB_RESERVED_USERS.join(", ")})`,
      found: JSON.stringify(db.user),
    });
  }
  for (const [name, svc] of Object.entries(cfg.services)) {
    const user = svc.database?.user ?? (svc.database ? name.replace(/-/g, "_") : undefined);
    if (user === db.user)
      issues.push({
        path: at("user"),
        expected: "a database user no service uses",
        found: `${JSON.stringify(db.user)}, also the user of services.${name}`,
      });
  }
  return issues;
};

/**
 * The layer's part of the configuration (layer.ts declares it): its top-level sections and its
 * cross-field rules (see core/config/semantic.ts), checked where the layer is on.
 */
export const lambdaGenaiConfig: LayerConfig<{ genai: typeof GenaiSchema }> = {
  sections: { genai: GenaiSchema },
  rules: whenLayerOn("lambda-genai", [bedrockReachableRule, uniqueModelsRule, profileGeographyRule, bodyInspectableRule, databaseRule]),
};
