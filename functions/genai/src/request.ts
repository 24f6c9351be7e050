/**
 * The request body of POST /api/genai:
 *
 *   { "question": "...", "conversationId": "...", "context": "...", "model": "..." }
 *
 * `question` is required; `conversationId` (echoed back and logged, to correlate turns),
 * `context` (extra text the answer should rely on) and `model` (one of the allowed models) are
 * optional. Unknown keys are refused, so a typo never silently drops a field.
 */
import { checkJsonObject, type JsonInputWords, parseJsonText } from "../../shared/json-object";
import { badRequest } from "./errors";
import type { Settings } from "./settings";

export interface GenaiRequest {
  readonly question: string;
  readonly conversationId?: string;
  readonly context?: string;
  /** The model to ask: the request's `model`, else the configured default. */
  readonly modelId: string;
}

export const REQUEST_KEYS = ["question", "conversationId", "context", "model"] as const;

/** Letters, digits and . _ : - (1-128 characters, starting with a letter or digit). */
export const CONVERSATION_ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** Length in characters (code points), so an emoji counts once. */
export function characters(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw badRequest(`${key} must be a string`);
  return value;
}

/** How a refused body is worded for the caller. */
const WORDS: JsonInputWords = {
  empty: 'The request body is empty: send a JSON object such as {"question": "..."}',
  notJson: "The request body is not valid JSON",
  notObject: 'The request body must be a JSON object such as {"question": "..."}',
  unknownField: "Unknown field",
};

/** Parses and checks a JSON body; throws HttpError 400 with a message for the caller. */
export function parseRequest(text: string | undefined, settings: Settings): GenaiRequest {
  return validateRequest(parseJsonText(text, WORDS, badRequest), settings);
}

/** Checks an already parsed body (API requests after JSON.parse, direct invocations as is). */
export function validateRequest(body: unknown, settings: Settings): GenaiRequest {
  const record = checkJsonObject(body, REQUEST_KEYS, WORDS, badRequest);

  if (record.question === undefined || record.question === null) throw badRequest("question is required");
  if (typeof record.question !== "string") throw badRequest("question must be a string");
  const question = record.question.trim();
  if (question === "") throw badRequest("question must not be empty");
  const length = characters(question);
  if (length > settings.maxQuestionLength) {
    throw badRequest(`question is too long: ${length} characters, at most ${settings.maxQuestionLength} are accepted`);
  }

  const conversationId = optionalString(record, "conversationId");
  if (conversationId !== undefined && !CONVERSATION_ID_RE.test(conversationId)) {
    throw badRequest("conversationId must be 1-128 characters of letters, digits and . _ : - (starting with a letter or digit)");
  }

  const rawContext = optionalString(record, "context");
  const context = rawContext?.trim() || undefined;
  if (context !== undefined) {
    if (settings.maxContextLength === 0) throw badRequest("context is not accepted by this function");
    const contextLength = characters(context);
    if (contextLength > settings.maxContextLength) {
      throw badRequest(`context is too long: ${contextLength} characters, at most ${settings.maxContextLength} are accepted`);
    }
  }

  const model = optionalString(record, "model");
  if (model !== undefined && !settings.allowedModelIds.includes(model)) {
    throw badRequest(`model ${JSON.stringify(model)} is not available; use one of ${settings.allowedModelIds.join(", ")}`);
  }

  return {
    question,
    ...(conversationId !== undefined ? { conversationId } : {}),
    ...(context !== undefined ? { context } : {}),
    modelId: model ?? settings.modelId,
  };
}
