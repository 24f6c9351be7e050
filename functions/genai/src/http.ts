/**
 * API Gateway proxy events in and out: the REST API (payload 1.0) and the HTTP API (payload 2.0)
 * both reach the function, so both shapes are read. The response shape is the same for both.
 */
import { badRequest, HttpError } from "./errors";
import { isObject as isRecord } from "../../shared/json-object";

/** The function's one route. Any stage or base-path prefix before it is accepted. */
export const ROUTE = "/api/genai";
export const METHOD = "POST";

export interface ApiRequest {
  readonly payload: "1.0" | "2.0";
  readonly method: string;
  readonly path: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** API Gateway's own request id. */
  readonly apiRequestId?: string;
}

export interface ProxyResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);

function lowerCaseHeaders(raw: unknown): Record<string, string> {
  if (!isRecord(raw)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === "string") out[k.toLowerCase()] = v;
  return out;
}

/** The API request in an event, or undefined when the event is not from API Gateway (a direct invocation). */
export function apiRequestOf(event: unknown): ApiRequest | undefined {
  if (!isRecord(event) || !isRecord(event.requestContext)) return undefined;
  const ctx = event.requestContext;
  let body = str(event.body);
  if (body !== undefined && event.isBase64Encoded === true) body = Buffer.from(body, "base64").toString("utf8");
  const common = {
    headers: lowerCaseHeaders(event.headers),
    ...(body !== undefined ? { body } : {}),
    ...(str(ctx.requestId) ? { apiRequestId: str(ctx.requestId) } : {}),
  };
  if (event.version === "2.0" && isRecord(ctx.http) && typeof ctx.http.method === "string") {
    return { payload: "2.0", method: ctx.http.method, path: str(event.rawPath) ?? str(ctx.http.path) ?? "", ...common };
  }
  if (typeof event.httpMethod === "string") {
    return { payload: "1.0", method: event.httpMethod, path: str(event.path) ?? "", ...common };
  }
  return undefined;
}

/** `application/json`, with or without parameters, and `application/<x>+json`. */
const JSON_MEDIA_TYPE = /^application\/(?:[\w.-]+\+)?json\s*(?:;|$)/i;

/** Refuses the wrong route (404), method (405) or media type (415); returns the body text. */
export function checkRoute(req: ApiRequest): string | undefined {
  const path = req.path.replace(/\/+$/, "");
  if (!(path === ROUTE || path.endsWith(ROUTE)))
    throw new HttpError(404, "not_found", `Not found: this function serves ${METHOD} ${ROUTE}`);
  if (req.method.toUpperCase() !== METHOD)
    throw new HttpError(405, "method_not_allowed", `Method ${req.method.toUpperCase()} is not allowed: use ${METHOD}`, { Allow: METHOD });
  const type = req.headers["content-type"];
  if (type !== undefined && !JSON_MEDIA_TYPE.test(type))
    throw new HttpError(415, "unsupported_media_type", "Content-Type must be application/json");
  if (req.body === undefined) throw badRequest('The request body is empty: send a JSON object such as {"question": "..."}');
  return req.body;
}

/**
 * CORS headers for a browser origin: REST API proxy integrations pass the function's response
 * through unchanged, so the function answers cross-origin callers itself (an HTTP API sets its own).
 * A listed origin is echoed (with Vary: Origin); `*` allows any origin; otherwise nothing is added.
 */
export function corsHeaders(
  origin: string | undefined,
  allowOrigins: readonly string[],
  allowCredentials: boolean,
): Record<string, string> {
  if (!origin || !allowOrigins.length) return {};
  if (allowOrigins.includes("*")) return { "Access-Control-Allow-Origin": "*" };
  if (!allowOrigins.includes(origin)) return {};
  return {
    "Access-Control-Allow-Origin": origin,
    Vary: "Origin",
    ...(allowCredentials ? { "Access-Control-Allow-Credentials": "true" } : {}),
  };
}

/** A JSON response that is never cached and names the request it answers. */
export function jsonResponse(
  statusCode: number,
  body: unknown,
  requestId: string,
  headers: Readonly<Record<string, string>> = {},
): ProxyResult {
  return {
    statusCode,
    headers: {
      "Content-Type": "application/json; charset=utf-8",
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
      "X-Request-Id": requestId,
      ...headers,
    },
    body: JSON.stringify(body),
  };
}
