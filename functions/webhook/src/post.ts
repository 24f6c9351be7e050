/**
 * POSTs a JSON payload to the webhook with the global fetch of Node.js. A non-2xx answer is an
 * error, so the invocation fails and Lambda retries it, then hands it to the failure destination.
 * Errors carry the status and a short excerpt of the answer (Slack answers `invalid_payload`,
 * `no_service`, `channel_is_archived` ...), never the URL.
 */

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal?: AbortSignal },
) => Promise<{
  readonly ok: boolean;
  readonly status: number;
  readonly statusText?: string;
  text(): Promise<string>;
}>;

/** The webhook answered with a status other than 2xx. */
export class WebhookError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "WebhookError";
  }
}

/** The request did not get an answer (network error, TLS, DNS, timeout). */
export class WebhookUnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookUnreachableError";
  }
}

/** Statuses after which the cached URL is dropped: the webhook was deleted or its URL replaced. */
export const URL_GONE_STATUSES: readonly number[] = [401, 403, 404, 410];

/** A printable, single-line excerpt of an answer body. */
function excerpt(text: string, max = 200): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** The reason of a failed fetch without anything that could repeat the URL (only error codes). */
function networkReason(error: unknown, timedOut: boolean): string {
  if (timedOut) return "no answer before the function's deadline";
  const cause = error instanceof Error ? (error as { cause?: unknown }).cause : undefined;
  const code = cause && typeof cause === "object" ? (cause as { code?: unknown }).code : undefined;
  if (typeof code === "string" && /^[A-Z_0-9]+$/.test(code)) return code;
  return error instanceof Error ? error.name : "unknown error";
}

export async function postJson(fetchFn: FetchLike, url: string, payload: unknown, signal?: AbortSignal): Promise<number> {
  let response: Awaited<ReturnType<FetchLike>>;
  try {
    response = await fetchFn(url, {
      method: "POST",
      headers: { "Content-Type": "application/json; charset=utf-8" },
      body: JSON.stringify(payload),
      signal,
    });
  } catch (error) {
    throw new WebhookUnreachableError(`the webhook could not be reached: ${networkReason(error, signal?.aborted === true)}`);
  }
  if (response.ok) return response.status;
  let body: string;
  try {
    // A webhook that echoes the request would echo its URL: never let it into the error.
    body = excerpt((await response.text()).split(url).join("[webhook URL]"));
  } catch {
    body = "";
  }
  const status = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
  throw new WebhookError(response.status, `the webhook answered ${status}${body ? `: ${body}` : ""}`);
}
