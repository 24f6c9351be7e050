/**
 * What can go wrong, as the HTTP status and message a caller sees. Messages are written for the
 * caller and never contain a stack trace, an AWS request id of Bedrock, or internal names.
 */

import { EmptyAnswerError } from "./bedrock";

export type ErrorCode =
  | "bad_request"
  | "unsupported_media_type"
  | "not_found"
  | "method_not_allowed"
  | "throttled"
  | "upstream_error"
  | "upstream_timeout"
  | "internal_error";

/** An error with the response it maps to. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

export const badRequest = (message: string) => new HttpError(400, "bad_request", message);

/** Bedrock exceptions that mean "too many requests now": the caller may retry later. */
const THROTTLED = new Set(["ThrottlingException", "ServiceQuotaExceededException"]);

/** Seconds a throttled caller is asked to wait (Retry-After). */
export const RETRY_AFTER_SECONDS = 2;

/** True for errors raised by the AWS SDK for a service response (they carry $metadata). */
export function isServiceError(error: unknown): error is Error & { $metadata: { httpStatusCode?: number }; $fault?: string } {
  return error instanceof Error && typeof (error as { $metadata?: unknown }).$metadata === "object";
}

/**
 * The response for an error raised while asking the model:
 * - throttling or an exhausted quota: 429 with Retry-After;
 * - our own deadline (the function is about to time out): 504;
 * - any other Bedrock error (validation, model error or timeout, model not ready, access
 *   denied, not found, service unavailable) or an empty answer: 502, the model service failed us;
 * - anything else is a bug of the function: 500.
 */
export function classify(error: unknown, deadlineExceeded: boolean): HttpError {
  if (error instanceof HttpError) return error;
  if (deadlineExceeded)
    return new HttpError(504, "upstream_timeout", "The model did not answer in time. Try again with a shorter question.");
  // The model answered with no text (e.g. a content filter stopped it): the upstream failed us.
  if (error instanceof EmptyAnswerError) return new HttpError(502, "upstream_error", "The model returned no answer to this request.");
  if (isServiceError(error)) {
    if (THROTTLED.has(error.name)) {
      return new HttpError(429, "throttled", "Too many requests to the model right now. Retry in a few seconds.", {
        "Retry-After": String(RETRY_AFTER_SECONDS),
      });
    }
    return new HttpError(502, "upstream_error", "The model service could not answer this request.");
  }
  return new HttpError(500, "internal_error", "An internal error occurred.");
}
