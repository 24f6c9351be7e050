/**
 * The function's settings, read once from its environment (set by layer 06 from the `genai`
 * config section). No secrets live here: the model is reached with the execution role.
 */
import type { LogLevel } from "../../shared/log";
import { list, logLevel as readLogLevel, required, SettingsError } from "../../shared/settings";

export { SettingsError };

export interface Settings {
  /** Model or inference profile used when a request names none. */
  readonly modelId: string;
  /** Every model a request may name: modelId first, then ADDITIONAL_MODEL_IDS. */
  readonly allowedModelIds: readonly string[];
  /** Most tokens the model may generate per answer. */
  readonly maxTokens: number;
  /** Longest question accepted, in characters. */
  readonly maxQuestionLength: number;
  /** Longest optional context accepted, in characters; 0 refuses any context. */
  readonly maxContextLength: number;
  readonly logLevel: LogLevel;
  /** Instructions given to the model before every question. */
  readonly systemPrompt: string;
  /** Browser origins answered with CORS headers (`*` for any); empty: none. */
  readonly corsAllowOrigins: readonly string[];
  /** Send Access-Control-Allow-Credentials: true to a listed origin. */
  readonly corsAllowCredentials: boolean;
}

/** The variables the function reads; layer 06 sets each of them. */
export const ENV = {
  modelId: "MODEL_ID",
  additionalModelIds: "ADDITIONAL_MODEL_IDS",
  maxTokens: "MAX_TOKENS",
  maxQuestionLength: "MAX_QUESTION_LENGTH",
  maxContextLength: "MAX_CONTEXT_LENGTH",
  logLevel: "LOG_LEVEL",
  systemPrompt: "SYSTEM_PROMPT",
  corsAllowOrigins: "CORS_ALLOW_ORIGINS",
  corsAllowCredentials: "CORS_ALLOW_CREDENTIALS",
} as const;

export const DEFAULT_SYSTEM_PROMPT =
  "You are a helpful assistant. Answer the user's question accurately and concisely. " +
  "If you do not know the answer, say so instead of guessing.";

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new SettingsError(`${name} must be an integer >= ${min}, found ${JSON.stringify(raw)}`);
  return value;
}

/** Reads and checks the settings; throws SettingsError on a missing or malformed variable. */
export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const modelId = required(env, ENV.modelId);
  const additional = list(env[ENV.additionalModelIds]);
  const logLevel = readLogLevel(env, ENV.logLevel);
  return {
    modelId,
    allowedModelIds: [...new Set([modelId, ...additional])],
    maxTokens: integer(env, ENV.maxTokens, 1024, 1),
    maxQuestionLength: integer(env, ENV.maxQuestionLength, 4000, 1),
    maxContextLength: integer(env, ENV.maxContextLength, 8000, 0),
    logLevel,
    systemPrompt: env[ENV.systemPrompt]?.trim() || DEFAULT_SYSTEM_PROMPT,
    corsAllowOrigins: list(env[ENV.corsAllowOrigins]),
    corsAllowCredentials: env[ENV.corsAllowCredentials] === "true",
  };
}
