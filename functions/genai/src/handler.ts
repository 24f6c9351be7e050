/**
 * The GenAI function: POST /api/genai {"question": "..."} -> {answer, model, usage, stopReason}.
 *
 * - From API Gateway (REST or HTTP API), every outcome is an HTTP response: 200, 400 (invalid
 *   input, with a message), 404/405/415 (wrong route, method or media type), 429 (Bedrock
 *   throttling, with Retry-After), 502 (any other Bedrock failure), 504 (the function gave up
 *   waiting before its own timeout), 500 (a bug). Error bodies are
 *   {"error": {"code", "message"}, "requestId"}: no stack trace, no internal detail.
 * - Invoked directly (the Lambda API, synchronously or asynchronously), the event is the request
 *   body itself; the result is the answer object, and a failure is thrown as an error whose
 *   stack is only its message, so asynchronous retries and the failure destination apply.
 *
 * Every log line is JSON with the Lambda request id (and API Gateway's, when there is one).
 * Dependencies are injected so the tests run with a fake Bedrock client.
 */
import { ask, type ConverseClient } from "./bedrock";
import { classify, HttpError } from "./errors";
import { apiRequestOf, checkRoute, corsHeaders, jsonResponse, type ProxyResult } from "./http";
import { createLogger, errorFields, type Logger } from "../../shared/log";
import { parseRequest, validateRequest, characters } from "./request";
import type { BaseHandlerDeps, LambdaContext } from "../../shared/lambda";
import type { Settings } from "./settings";

export type { LambdaContext };

export interface HandlerDeps extends BaseHandlerDeps<Settings> {
  /** The Bedrock runtime client (created once per execution environment). */
  readonly client: () => ConverseClient;
  /** Time reserved to answer before the function's own timeout. @default 1000 ms */
  readonly safetyMarginMs?: number;
}

export interface AnswerBody {
  readonly answer: string;
  readonly model: string;
  readonly usage: { readonly inputTokens: number; readonly outputTokens: number; readonly totalTokens: number };
  readonly stopReason: string;
  readonly conversationId?: string;
}

export type GenaiHandler = (event: unknown, context: LambdaContext) => Promise<ProxyResult | AnswerBody>;

/** A failure of a direct invocation: name and message only, the stack is the message. */
export class InvocationError extends Error {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(message);
    this.name = code;
    this.stack = `${code}: ${message}`;
  }
}

/** Runs `work` with an abort signal that fires `marginMs` before the function would time out. */
async function withDeadline<T>(
  context: LambdaContext,
  marginMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ value?: T; error?: unknown; timedOut: boolean }> {
  const controller = new AbortController();
  const remaining = context.getRemainingTimeInMillis?.();
  let timer: NodeJS.Timeout | undefined;
  if (remaining !== undefined) timer = setTimeout(() => controller.abort(), Math.max(0, remaining - marginMs));
  try {
    return { value: await work(controller.signal), timedOut: false };
  } catch (error) {
    return { error, timedOut: controller.signal.aborted };
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export function createHandler(deps: HandlerDeps): GenaiHandler {
  const margin = deps.safetyMarginMs ?? 1000;
  return async (event, context) => {
    const started = Date.now();
    const requestId = context.awsRequestId;
    const api = apiRequestOf(event);
    const ids = { requestId, ...(api?.apiRequestId ? { apiRequestId: api.apiRequestId } : {}) };

    let cors: Record<string, string> = {};
    const fail = (log: Logger, error: HttpError, fields: Record<string, unknown> = {}): ProxyResult => {
      const summary = { status: error.status, code: error.code, durationMs: Date.now() - started, ...fields };
      if (error.status >= 500) log.error("request failed", summary);
      else if (error.status === 429) log.warn("request throttled", summary);
      else log.info("request refused", { ...summary, reason: error.message });
      if (!api) throw new InvocationError(error.status, error.code, error.message);
      return jsonResponse(error.status, { error: { code: error.code, message: error.message }, requestId }, requestId, {
        ...cors,
        ...error.headers,
      });
    };

    let settings: Settings;
    try {
      settings = deps.settings();
    } catch (e) {
      const log = createLogger({ level: "ERROR", sink: deps.sink }, ids);
      return fail(log, new HttpError(500, "internal_error", "An internal error occurred."), { cause: "settings", ...errorFields(e) });
    }
    const log = createLogger({ level: settings.logLevel, sink: deps.sink }, ids);
    if (api) cors = corsHeaders(api.headers.origin, settings.corsAllowOrigins, settings.corsAllowCredentials);

    let request;
    try {
      request = api ? parseRequest(checkRoute(api), settings) : validateRequest(event, settings);
    } catch (e) {
      return fail(log, classify(e, false), e instanceof HttpError ? {} : errorFields(e, true));
    }
    const about = {
      model: request.modelId,
      questionLength: characters(request.question),
      contextLength: request.context ? characters(request.context) : 0,
      ...(request.conversationId ? { conversationId: request.conversationId } : {}),
      source: api ? `api-gateway/${api.payload}` : "direct",
    };
    log.debug("asking the model", about);

    const outcome = await withDeadline(context, margin, (signal) =>
      ask(
        deps.client(),
        {
          modelId: request.modelId,
          question: request.question,
          context: request.context,
          systemPrompt: settings.systemPrompt,
          maxTokens: settings.maxTokens,
        },
        signal,
      ),
    );
    if (!outcome.value) {
      const error = classify(outcome.error, outcome.timedOut);
      return fail(log, error, { ...about, ...errorFields(outcome.error, error.status === 500) });
    }

    const answer = outcome.value;
    log.info("request completed", {
      status: 200,
      durationMs: Date.now() - started,
      ...about,
      stopReason: answer.stopReason,
      ...answer.usage,
      answerLength: characters(answer.answer),
      ...(answer.latencyMs !== undefined ? { modelLatencyMs: answer.latencyMs } : {}),
    });
    const body: AnswerBody = {
      answer: answer.answer,
      model: answer.model,
      usage: answer.usage,
      stopReason: answer.stopReason,
      ...(request.conversationId ? { conversationId: request.conversationId } : {}),
    };
    return api ? jsonResponse(200, body, requestId, cors) : body;
  };
}
