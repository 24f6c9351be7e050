/**
 * The GenAI function (functions/genai) with a fake Bedrock client: success through the REST and
 * HTTP API payloads and direct invocation, input validation (400/404/405/415), Bedrock errors
 * (throttling 429, every other service error 502, our deadline 504, a bug 500), responses without
 * stack traces, structured logs with the request id, usage mapping and settings.
 */
import {
  AccessDeniedException,
  ConverseCommand,
  InternalServerException,
  ModelErrorException,
  ModelNotReadyException,
  ModelTimeoutException,
  ResourceNotFoundException,
  ServiceQuotaExceededException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
  type ConverseCommandInput,
  type ConverseCommandOutput,
} from "@aws-sdk/client-bedrock-runtime";
import { ask, converseInput, usageOf, type ConverseClient } from "../../functions/genai/src/bedrock";
import { classify, HttpError } from "../../functions/genai/src/errors";
import { createHandler, InvocationError, type AnswerBody, type LambdaContext } from "../../functions/genai/src/handler";
import type { ProxyResult } from "../../functions/genai/src/http";
import { createLogger, errorFields } from "../../functions/shared/log";
import { fakeSdkClient, type FakeReply } from "./fake-sdk-client";
import { characters } from "../../functions/genai/src/request";
import { DEFAULT_SYSTEM_PROMPT, loadSettings, SettingsError, type Settings } from "../../functions/genai/src/settings";

const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const OTHER_MODEL = "amazon.nova-lite-v1:0";
const REQUEST_ID = "8f5e2c4a-1d2b-4c3d-9e8f-0a1b2c3d4e5f";
const API_REQUEST_ID = "Ab1Cd2Ef3Gh4=";

const SETTINGS: Settings = {
  modelId: MODEL,
  allowedModelIds: [MODEL, OTHER_MODEL],
  maxTokens: 512,
  maxQuestionLength: 100,
  maxContextLength: 50,
  logLevel: "INFO",
  systemPrompt: "Be brief.",
  corsAllowOrigins: [],
  corsAllowCredentials: false,
};

/** A Converse client answering with `reply` (an output, an error to throw, or a function). */
function fakeClient(reply: FakeReply<ConverseCommandInput, ConverseCommandOutput>) {
  const { send, calls } = fakeSdkClient(ConverseCommand, reply);
  const client: ConverseClient = { send };
  return { client, calls };
}

const ANSWER: Partial<ConverseCommandOutput> = {
  output: { message: { role: "assistant", content: [{ text: "Cats sleep " }, { text: "a lot." }] } },
  stopReason: "end_turn",
  usage: { inputTokens: 21, outputTokens: 7, totalTokens: 28 },
  metrics: { latencyMs: 345 },
};

function setup(
  reply: Parameters<typeof fakeClient>[0] = ANSWER,
  settings: Settings | (() => Settings) = SETTINGS,
  safetyMarginMs?: number,
) {
  const { client, calls } = fakeClient(reply);
  const lines: string[] = [];
  const handler = createHandler({
    settings: typeof settings === "function" ? settings : () => settings,
    client: () => client,
    sink: (line) => lines.push(line),
    safetyMarginMs,
  });
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { handler, calls, lines, logs };
}

const context = (remainingMs = 30_000): LambdaContext => ({ awsRequestId: REQUEST_ID, getRemainingTimeInMillis: () => remainingMs });

/** An API Gateway REST API (payload 1.0) proxy event. */
function restEvent(body: unknown, over: Record<string, unknown> = {}) {
  return {
    resource: "/api/genai",
    path: "/api/genai",
    httpMethod: "POST",
    headers: { "Content-Type": "application/json" },
    requestContext: { requestId: API_REQUEST_ID, stage: "dev" },
    body: typeof body === "string" || body === null ? body : JSON.stringify(body),
    isBase64Encoded: false,
    ...over,
  };
}

/** An API Gateway HTTP API (payload 2.0) event. */
function httpEvent(body: unknown, over: Record<string, unknown> = {}) {
  return {
    version: "2.0",
    routeKey: "POST /api/genai",
    rawPath: "/dev/api/genai",
    headers: { "content-type": "application/json; charset=utf-8" },
    requestContext: { requestId: API_REQUEST_ID, http: { method: "POST", path: "/dev/api/genai" } },
    body: typeof body === "string" ? body : JSON.stringify(body),
    isBase64Encoded: false,
    ...over,
  };
}

async function call(handler: ReturnType<typeof setup>["handler"], event: unknown, ctx = context()) {
  const res = (await handler(event, ctx)) as ProxyResult;
  return { ...res, json: JSON.parse(res.body) as Record<string, unknown> };
}

/** The error body a refused request gets, and that it carries no stack trace. */
function expectError(res: Awaited<ReturnType<typeof call>>, status: number, code: string, message?: string | RegExp) {
  expect(res.statusCode).toBe(status);
  expect(res.json).toEqual({ error: { code, message: expect.any(String) }, requestId: REQUEST_ID });
  const text = (res.json.error as { message: string }).message;
  if (typeof message === "string") expect(text).toBe(message);
  else if (message) expect(text).toMatch(message);
  expect(res.body).not.toMatch(/\bat \S+ \(|\.ts:\d+|\.js:\d+|node_modules|Exception/);
  expect(res.headers["X-Request-Id"]).toBe(REQUEST_ID);
  expect(res.headers["Content-Type"]).toBe("application/json; charset=utf-8");
}

// ---------------------------------------------------------------------------------------------

describe("answers", () => {
  it("POST /api/genai (REST API) returns {answer, model, usage, stopReason} and asks Converse with the configured model", async () => {
    const { handler, calls } = setup();
    const res = await call(handler, restEvent({ question: "  How long do cats sleep?  " }));
    expect(res.statusCode).toBe(200);
    expect(res.json).toEqual({
      answer: "Cats sleep a lot.",
      model: MODEL,
      usage: { inputTokens: 21, outputTokens: 7, totalTokens: 28 },
      stopReason: "end_turn",
    });
    expect(res.headers).toEqual({
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "X-Request-Id": REQUEST_ID,
    });
    expect(calls).toHaveLength(1);
    expect(calls[0].input).toEqual({
      modelId: MODEL,
      system: [{ text: "Be brief." }],
      messages: [{ role: "user", content: [{ text: "How long do cats sleep?" }] }],
      inferenceConfig: { maxTokens: 512 },
    });
    expect(calls[0].signal).toBeInstanceOf(AbortSignal);
  });

  it("the HTTP API payload (2.0), with a stage prefix and a base64 body", async () => {
    const { handler, calls } = setup();
    const body = Buffer.from(JSON.stringify({ question: "Hello?" })).toString("base64");
    const res = await call(handler, httpEvent(body, { isBase64Encoded: true }));
    expect(res.statusCode).toBe(200);
    expect(res.json.answer).toBe("Cats sleep a lot.");
    expect(calls[0].input.messages).toEqual([{ role: "user", content: [{ text: "Hello?" }] }]);
  });

  it("context goes first in its own block; conversationId is echoed back; a request may pick an allowed model", async () => {
    const { handler, calls } = setup();
    const res = await call(
      handler,
      restEvent({ question: "Is it ok?", context: "Rex is 3 years old.", conversationId: "conv-42", model: OTHER_MODEL }),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json).toMatchObject({ model: OTHER_MODEL, conversationId: "conv-42" });
    expect(calls[0].input.modelId).toBe(OTHER_MODEL);
    expect(calls[0].input.messages![0].content).toEqual([
      { text: "Use the following context to answer.\n<context>\nRex is 3 years old.\n</context>" },
      { text: "Is it ok?" },
    ]);
  });

  it("a direct invocation: the event is the body, the result is the answer object", async () => {
    const { handler } = setup();
    const result = (await handler({ question: "Hi" }, context())) as AnswerBody;
    expect(result).toEqual({
      answer: "Cats sleep a lot.",
      model: MODEL,
      usage: { inputTokens: 21, outputTokens: 7, totalTokens: 28 },
      stopReason: "end_turn",
    });
  });

  it("accepts a question of exactly the maximum length, counted in characters (an emoji counts once)", async () => {
    const { handler } = setup();
    expect((await call(handler, restEvent({ question: "a".repeat(100) }))).statusCode).toBe(200);
    expect((await call(handler, restEvent({ question: "🐈".repeat(100) }))).statusCode).toBe(200);
    expect(characters("🐈🐕")).toBe(2);
  });

  it("reports max_tokens as the stop reason when the answer is cut", async () => {
    const { handler } = setup({ ...ANSWER, stopReason: "max_tokens" });
    expect((await call(handler, restEvent({ question: "Tell me everything" }))).json.stopReason).toBe("max_tokens");
  });
});

describe("invalid input: 400 with a message, Bedrock never called", () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ["invalid JSON", '{"question": "hi"', /^The request body is not valid JSON$/],
    ["an empty body", "", /request body is empty/],
    ["a body of spaces", "   ", /request body is empty/],
    ["a JSON array", "[1,2]", /must be a JSON object/],
    ["a JSON string", '"hello"', /must be a JSON object/],
    ["JSON null", "null", /must be a JSON object/],
    ["no question", { context: "x" }, /^question is required$/],
    ["a null question", { question: null }, /^question is required$/],
    ["a number as question", { question: 42 }, /^question must be a string$/],
    ["an empty question", { question: "" }, /^question must not be empty$/],
    ["a question of white space", { question: " \n\t " }, /^question must not be empty$/],
    [
      "a question one character too long",
      { question: "a".repeat(101) },
      /^question is too long: 101 characters, at most 100 are accepted$/,
    ],
    ["an unknown field (a typo)", { questoin: "hi" }, /^Unknown field "questoin" \(accepted: question, conversationId, context, model\)$/],
    ["a context too long", { question: "hi", context: "c".repeat(51) }, /^context is too long: 51 characters, at most 50 are accepted$/],
    ["a context that is not a string", { question: "hi", context: ["a"] }, /^context must be a string$/],
    ["an invalid conversationId", { question: "hi", conversationId: "../etc/passwd" }, /^conversationId must be 1-128 characters/],
    [
      "a model that is not allowed",
      { question: "hi", model: "anthropic.claude-3-opus-20240229-v1:0" },
      /^model "anthropic.claude-3-opus-20240229-v1:0" is not available; use one of /,
    ],
  ];

  it.each(cases)("%s", async (_name, body, message) => {
    const { handler, calls } = setup();
    const res = await call(handler, restEvent(body));
    expectError(res, 400, "bad_request", message);
    expect(calls).toHaveLength(0);
  });

  it("a missing body (null in the event)", async () => {
    const { handler, calls } = setup();
    expectError(await call(handler, restEvent(null)), 400, "bad_request", /request body is empty/);
    expect(calls).toHaveLength(0);
  });

  it("context when the function accepts none (maxContextLength 0)", async () => {
    const { handler } = setup(ANSWER, { ...SETTINGS, maxContextLength: 0 });
    expectError(
      await call(handler, restEvent({ question: "hi", context: "x" })),
      400,
      "bad_request",
      "context is not accepted by this function",
    );
  });

  it("a direct invocation with bad input throws a short error: no stack trace, status in the error", async () => {
    const { handler, calls } = setup();
    const error = await handler({ question: "" }, context()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvocationError);
    expect(error).toMatchObject({ name: "bad_request", message: "question must not be empty", status: 400 });
    expect((error as Error).stack).toBe("bad_request: question must not be empty");
    expect(calls).toHaveLength(0);
  });
});

describe("route, method and media type", () => {
  it("GET is 405 with Allow: POST", async () => {
    const { handler, calls } = setup();
    const res = await call(handler, restEvent({ question: "hi" }, { httpMethod: "GET" }));
    expectError(res, 405, "method_not_allowed", "Method GET is not allowed: use POST");
    expect(res.headers.Allow).toBe("POST");
    expect(calls).toHaveLength(0);
  });

  it("another path is 404", async () => {
    const { handler } = setup();
    expectError(
      await call(handler, restEvent({ question: "hi" }, { path: "/api/vets" })),
      404,
      "not_found",
      "Not found: this function serves POST /api/genai",
    );
    expectError(await call(handler, httpEvent({ question: "hi" }, { rawPath: "/dev/api/genai-admin" })), 404, "not_found");
  });

  it("a trailing slash and a stage or base-path prefix are the same route", async () => {
    const { handler } = setup();
    expect((await call(handler, restEvent({ question: "hi" }, { path: "/api/genai/" }))).statusCode).toBe(200);
    expect((await call(handler, restEvent({ question: "hi" }, { path: "/v1/api/genai" }))).statusCode).toBe(200);
  });

  it("a non-JSON Content-Type is 415; no Content-Type is accepted", async () => {
    const { handler } = setup();
    expectError(
      await call(handler, restEvent({ question: "hi" }, { headers: { "Content-Type": "text/plain" } })),
      415,
      "unsupported_media_type",
      "Content-Type must be application/json",
    );
    expect((await call(handler, restEvent({ question: "hi" }, { headers: null }))).statusCode).toBe(200);
    expect(
      (await call(handler, restEvent({ question: "hi" }, { headers: { "content-type": "application/vnd.api+json" } }))).statusCode,
    ).toBe(200);
  });
});

describe("CORS (REST API proxy integrations pass the function's headers through)", () => {
  const LOCAL = "http://localhost:4200";
  const withOrigin = (origin: string, body: unknown = { question: "hi" }) =>
    restEvent(body, { headers: { "Content-Type": "application/json", Origin: origin } });

  it("a listed origin is echoed with Vary: Origin, on answers and on errors", async () => {
    const { handler } = setup(ANSWER, { ...SETTINGS, corsAllowOrigins: [LOCAL, "https://app.example.com"] });
    const ok = await call(handler, withOrigin(LOCAL));
    expect(ok.headers).toMatchObject({ "Access-Control-Allow-Origin": LOCAL, Vary: "Origin" });
    expect(ok.headers).not.toHaveProperty("Access-Control-Allow-Credentials");
    const bad = await call(handler, withOrigin(LOCAL, { question: "" }));
    expect(bad.statusCode).toBe(400);
    expect(bad.headers).toMatchObject({ "Access-Control-Allow-Origin": LOCAL, Vary: "Origin" });
  });

  it("credentials when configured; * for any origin; nothing for an unlisted origin or without configuration", async () => {
    const creds = setup(ANSWER, { ...SETTINGS, corsAllowOrigins: [LOCAL], corsAllowCredentials: true });
    expect((await call(creds.handler, withOrigin(LOCAL))).headers["Access-Control-Allow-Credentials"]).toBe("true");
    const any = setup(ANSWER, { ...SETTINGS, corsAllowOrigins: ["*"] });
    expect((await call(any.handler, withOrigin("https://x.example"))).headers["Access-Control-Allow-Origin"]).toBe("*");
    const listed = setup(ANSWER, { ...SETTINGS, corsAllowOrigins: [LOCAL] });
    expect((await call(listed.handler, withOrigin("https://evil.example"))).headers).not.toHaveProperty("Access-Control-Allow-Origin");
    expect((await call(listed.handler, restEvent({ question: "hi" }))).headers).not.toHaveProperty("Access-Control-Allow-Origin");
    expect((await call(setup().handler, withOrigin(LOCAL))).headers).not.toHaveProperty("Access-Control-Allow-Origin");
  });
});

describe("Bedrock errors", () => {
  const meta = (status: number) => ({ $metadata: { httpStatusCode: status, requestId: "bedrock-req-1" } });

  it.each([
    ["ThrottlingException", new ThrottlingException({ message: "Too many requests, please wait before trying again.", ...meta(429) })],
    ["ServiceQuotaExceededException", new ServiceQuotaExceededException({ message: "Quota exceeded", ...meta(400) })],
  ])("%s is 429 with Retry-After", async (_name, error) => {
    const { handler, logs } = setup(error);
    const res = await call(handler, restEvent({ question: "hi" }));
    expectError(res, 429, "throttled", "Too many requests to the model right now. Retry in a few seconds.");
    expect(res.headers["Retry-After"]).toBe("2");
    expect(logs().find((l) => l.message === "request throttled")).toMatchObject({
      level: "WARN",
      status: 429,
      errorName: error.name,
      upstreamStatus: error.$metadata.httpStatusCode,
    });
  });

  it.each([
    ["ValidationException", new ValidationException({ message: "The provided model identifier is invalid.", ...meta(400) })],
    ["ModelErrorException", new ModelErrorException({ message: "model failed", ...meta(424) })],
    ["ModelTimeoutException", new ModelTimeoutException({ message: "model timed out", ...meta(408) })],
    ["ModelNotReadyException", new ModelNotReadyException({ message: "not ready", ...meta(429) })],
    [
      "AccessDeniedException",
      new AccessDeniedException({ message: "You don't have access to the model with the specified model ID.", ...meta(403) }),
    ],
    ["ResourceNotFoundException", new ResourceNotFoundException({ message: "not found", ...meta(404) })],
    ["InternalServerException", new InternalServerException({ message: "internal", ...meta(500) })],
    ["ServiceUnavailableException", new ServiceUnavailableException({ message: "unavailable", ...meta(503) })],
  ])("%s is 502, and Bedrock's message stays in the logs", async (name, error) => {
    const { handler, logs } = setup(error);
    const res = await call(handler, restEvent({ question: "hi" }));
    expectError(res, 502, "upstream_error", "The model service could not answer this request.");
    expect(res.body).not.toContain(error.message);
    const failed = logs().find((l) => l.message === "request failed");
    expect(failed).toMatchObject({ level: "ERROR", status: 502, errorName: name, errorMessage: error.message, requestId: REQUEST_ID });
    expect(failed).not.toHaveProperty("stack");
  });

  it("an answer without text (e.g. a content filter) is 502", async () => {
    const { handler } = setup({
      output: { message: { role: "assistant", content: [] } },
      stopReason: "content_filtered",
      usage: { inputTokens: 3, outputTokens: 0, totalTokens: 3 },
    });
    expectError(await call(handler, restEvent({ question: "hi" })), 502, "upstream_error", "The model returned no answer to this request.");
  });

  it("an unexpected error (a bug) is 500 with a generic message; the stack goes to the logs only", async () => {
    const { handler, logs } = setup(new TypeError("Cannot read properties of undefined (reading 'content')"));
    const res = await call(handler, restEvent({ question: "hi" }));
    expectError(res, 500, "internal_error", "An internal error occurred.");
    expect(res.body).not.toContain("Cannot read");
    const failed = logs().find((l) => l.message === "request failed")!;
    expect(failed).toMatchObject({ level: "ERROR", status: 500, errorName: "TypeError" });
    expect(String(failed.stack)).toContain("TypeError");
  });

  it("the function gives up before its own timeout: the call is aborted and the answer is 504", async () => {
    const { handler, calls } = setup(
      ({ signal }) =>
        new Promise((_resolve, reject) => {
          signal!.addEventListener("abort", () => reject(Object.assign(new Error("Request aborted"), { name: "AbortError" })));
        }),
      SETTINGS,
      1000,
    );
    const started = Date.now();
    const res = await call(handler, restEvent({ question: "hi" }), context(1050));
    expectError(res, 504, "upstream_timeout", /did not answer in time/);
    expect(calls[0].signal!.aborted).toBe(true);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("a direct invocation rethrows a Bedrock failure as a short error, so async retries and the failure destination apply", async () => {
    const { handler } = setup(new ThrottlingException({ message: "slow down", ...meta(429) }));
    await expect(handler({ question: "hi" }, context())).rejects.toMatchObject({
      name: "throttled",
      status: 429,
      stack: "throttled: Too many requests to the model right now. Retry in a few seconds.",
    });
  });

  it("classify: HttpErrors pass through; SDK errors are recognised by their $metadata", () => {
    const own = new HttpError(404, "not_found", "x");
    expect(classify(own, false)).toBe(own);
    expect(classify(new Error("plain"), false).status).toBe(500);
    expect(classify(Object.assign(new Error("x"), { name: "ThrottlingException", $metadata: {} }), false).status).toBe(429);
    expect(classify(new Error("aborted"), true).status).toBe(504);
  });
});

describe("settings", () => {
  const env = {
    MODEL_ID: MODEL,
    ADDITIONAL_MODEL_IDS: `${OTHER_MODEL}, ${MODEL},`,
    MAX_TOKENS: "2048",
    MAX_QUESTION_LENGTH: "500",
    MAX_CONTEXT_LENGTH: "0",
    LOG_LEVEL: "debug",
  };

  it("are read from the environment the layer sets", () => {
    expect(loadSettings(env)).toEqual({
      modelId: MODEL,
      allowedModelIds: [MODEL, OTHER_MODEL],
      maxTokens: 2048,
      maxQuestionLength: 500,
      maxContextLength: 0,
      logLevel: "DEBUG",
      systemPrompt: DEFAULT_SYSTEM_PROMPT,
      corsAllowOrigins: [],
      corsAllowCredentials: false,
    });
    expect(
      loadSettings({
        MODEL_ID: MODEL,
        CORS_ALLOW_ORIGINS: "http://localhost:4200, https://app.example.com",
        CORS_ALLOW_CREDENTIALS: "true",
      }),
    ).toMatchObject({
      corsAllowOrigins: ["http://localhost:4200", "https://app.example.com"],
      corsAllowCredentials: true,
    });
    expect(loadSettings({ MODEL_ID: MODEL, SYSTEM_PROMPT: "You help vets." })).toMatchObject({
      maxTokens: 1024,
      maxQuestionLength: 4000,
      maxContextLength: 8000,
      logLevel: "INFO",
      systemPrompt: "You help vets.",
    });
  });

  it.each([
    ["no MODEL_ID", {}, "MODEL_ID is not set"],
    ["MAX_TOKENS not a number", { ...env, MAX_TOKENS: "lots" }, 'MAX_TOKENS must be an integer >= 1, found "lots"'],
    ["MAX_QUESTION_LENGTH 0", { ...env, MAX_QUESTION_LENGTH: "0" }, 'MAX_QUESTION_LENGTH must be an integer >= 1, found "0"'],
    ["an unknown LOG_LEVEL", { ...env, LOG_LEVEL: "chatty" }, 'LOG_LEVEL must be DEBUG, INFO, WARN or ERROR, found "chatty"'],
  ])("a malformed environment is refused: %s", (_name, vars, message) => {
    expect(() => loadSettings(vars)).toThrow(new SettingsError(message));
  });

  it("a function deployed with broken settings answers 500 and logs why, without calling Bedrock", async () => {
    const { handler, calls, logs } = setup(ANSWER, () => loadSettings({}));
    expectError(await call(handler, restEvent({ question: "hi" })), 500, "internal_error", "An internal error occurred.");
    expect(calls).toHaveLength(0);
    expect(logs()).toEqual([
      expect.objectContaining({
        level: "ERROR",
        message: "request failed",
        cause: "settings",
        errorName: "SettingsError",
        errorMessage: "MODEL_ID is not set",
        requestId: REQUEST_ID,
      }),
    ]);
  });

  it("the Lambda entry point wires settings from process.env (no MODEL_ID here: 500, no AWS call)", async () => {
    const saved = process.env.MODEL_ID;
    delete process.env.MODEL_ID;
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const { handler } = await import("../../functions/genai/src/index");
      const res = (await handler(restEvent({ question: "hi" }), context())) as ProxyResult;
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(String(write.mock.calls[0][0]))).toMatchObject({
        level: "ERROR",
        errorMessage: "MODEL_ID is not set",
        requestId: REQUEST_ID,
      });
    } finally {
      write.mockRestore();
      if (saved !== undefined) process.env.MODEL_ID = saved;
    }
  });
});

describe("logs", () => {
  it("one JSON line per request with the Lambda and API Gateway request ids, usage and durations, never the question or answer", async () => {
    const { handler, lines, logs } = setup();
    await call(handler, restEvent({ question: "My secret question about Rex", conversationId: "c-1" }));
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith("\n")).toBe(true);
    expect(logs()[0]).toEqual({
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      level: "INFO",
      message: "request completed",
      requestId: REQUEST_ID,
      apiRequestId: API_REQUEST_ID,
      status: 200,
      durationMs: expect.any(Number),
      model: MODEL,
      questionLength: 28,
      contextLength: 0,
      conversationId: "c-1",
      source: "api-gateway/1.0",
      stopReason: "end_turn",
      inputTokens: 21,
      outputTokens: 7,
      totalTokens: 28,
      answerLength: 17,
      modelLatencyMs: 345,
    });
    expect(lines.join("")).not.toContain("secret");
    expect(lines.join("")).not.toContain("Cats sleep");
  });

  it("refused requests are logged at INFO with the reason; DEBUG lines appear only at DEBUG", async () => {
    const quiet = setup();
    await call(quiet.handler, restEvent({ question: "" }));
    expect(quiet.logs()).toEqual([
      expect.objectContaining({
        level: "INFO",
        message: "request refused",
        status: 400,
        reason: "question must not be empty",
        requestId: REQUEST_ID,
      }),
    ]);

    const verbose = setup(ANSWER, { ...SETTINGS, logLevel: "DEBUG" });
    await call(verbose.handler, httpEvent({ question: "hi" }));
    expect(verbose.logs().map((l) => [l.level, l.message, l.apiRequestId])).toEqual([
      ["DEBUG", "asking the model", API_REQUEST_ID],
      ["INFO", "request completed", API_REQUEST_ID],
    ]);

    const errorsOnly = setup(ANSWER, { ...SETTINGS, logLevel: "ERROR" });
    await call(errorsOnly.handler, restEvent({ question: "hi" }));
    expect(errorsOnly.lines).toEqual([]);
  });

  it("a direct invocation logs its source and no API request id", async () => {
    const { handler, logs } = setup();
    await handler({ question: "hi" }, context());
    expect(logs()[0]).toMatchObject({ source: "direct", requestId: REQUEST_ID });
    expect(logs()[0]).not.toHaveProperty("apiRequestId");
  });

  it("the logger survives cycles and BigInts, binds fields, and writes to stdout by default", () => {
    const lines: string[] = [];
    const log = createLogger({ sink: (l) => lines.push(l), now: () => new Date(0) }).child({ a: 1 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    log.warn("odd", { cyclic, big: BigInt(7) });
    expect(JSON.parse(lines[0])).toEqual({
      timestamp: "1970-01-01T00:00:00.000Z",
      level: "WARN",
      message: "odd",
      a: 1,
      cyclic: { self: "[circular]" },
      big: "7",
    });
    expect(errorFields("boom")).toEqual({ errorName: "string", errorMessage: "boom" });
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      createLogger().info("to stdout");
      expect(JSON.parse(String(write.mock.calls[0][0]))).toMatchObject({ level: "INFO", message: "to stdout" });
    } finally {
      write.mockRestore();
    }
  });
});

describe("usage mapping and the Converse request", () => {
  it("maps the API's token counts; a missing total is the sum; missing usage is zeros", () => {
    expect(usageOf({ usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 } })).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
    });
    expect(usageOf({ usage: { inputTokens: 10, outputTokens: 5, totalTokens: undefined } })).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 15,
    });
    expect(usageOf({ usage: undefined })).toEqual({ inputTokens: 0, outputTokens: 0, totalTokens: 0 });
    expect(usageOf({ usage: { inputTokens: -1, outputTokens: Number.NaN, totalTokens: undefined } })).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      totalTokens: 0,
    });
  });

  it("builds one user message with the system prompt and the token limit", () => {
    expect(converseInput({ modelId: MODEL, question: "Q", systemPrompt: "S", maxTokens: 9 })).toEqual({
      modelId: MODEL,
      system: [{ text: "S" }],
      messages: [{ role: "user", content: [{ text: "Q" }] }],
      inferenceConfig: { maxTokens: 9 },
    });
  });

  it("ask() without an abort signal passes no options, and reports usage and latency", async () => {
    const { client, calls } = fakeClient(ANSWER);
    const answer = await ask(client, { modelId: MODEL, question: "Q", systemPrompt: "S", maxTokens: 9 });
    expect(answer).toEqual({
      answer: "Cats sleep a lot.",
      model: MODEL,
      usage: { inputTokens: 21, outputTokens: 7, totalTokens: 28 },
      stopReason: "end_turn",
      latencyMs: 345,
    });
    expect(calls[0].signal).toBeUndefined();
  });
});
