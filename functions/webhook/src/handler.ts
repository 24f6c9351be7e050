/**
 * The webhook function: each SNS notification of the alarm topic becomes one chat message POSTed
 * to the webhook whose URL is kept in a SecureString parameter.
 *
 * - Success: every notification of the event was posted (2xx); the result says how many.
 * - Failure: the invocation throws, so Lambda retries it (twice, asynchronous invocation from SNS)
 *   and then sends the event with the error to the function's failure destination (an SQS queue,
 *   kept 14 days): a non-2xx answer (`WebhookError`), no answer before the deadline
 *   (`WebhookUnreachableError`), the URL not set yet or not a URL (`WebhookUrlError`), an event that
 *   is not an SNS notification (`MalformedEventError`), Parameter Store errors.
 * - The SSM read and the POST share one deadline, one second before the function's own timeout,
 *   so a slow webhook ends in a logged error rather than a bare timeout.
 * - The webhook URL is never logged and never part of an error.
 *
 * Dependencies are injected so the tests run with a fake Parameter Store and a fake fetch.
 */
import { payloadFor } from "./format";
import { createLogger, errorFields, type Logger } from "../../shared/log";
import { snsMessages, toNotification } from "./message";
import { postJson, URL_GONE_STATUSES, WebhookError, type FetchLike } from "./post";
import type { BaseHandlerDeps, LambdaContext } from "../../shared/lambda";
import type { Settings } from "./settings";

export type { LambdaContext };

import { WebhookUrlSource, type ParameterClient } from "./webhook-url";

export interface HandlerDeps extends BaseHandlerDeps<Settings> {
  /** The Parameter Store client (created once per execution environment). */
  readonly ssm: () => ParameterClient;
  /** fetch. @default globalThis.fetch */
  readonly fetch?: FetchLike;
  /** Time kept back before the function's own timeout. @default 1000 ms */
  readonly safetyMarginMs?: number;
  /** Clock for the URL cache. @default Date.now */
  readonly now?: () => number;
}

export interface WebhookResult {
  readonly delivered: number;
}

export type WebhookHandler = (event: unknown, context: LambdaContext) => Promise<WebhookResult>;

/** An abort signal firing `marginMs` before the function would time out (none without a context clock). */
function deadline(context: LambdaContext, marginMs: number): { signal?: AbortSignal; clear: () => void } {
  const remaining = context.getRemainingTimeInMillis?.();
  if (remaining === undefined) return { clear: () => undefined };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), Math.max(0, remaining - marginMs));
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

export function createHandler(deps: HandlerDeps): WebhookHandler {
  const margin = deps.safetyMarginMs ?? 1000;
  const fetchFn: FetchLike = deps.fetch ?? ((url, init) => fetch(url, init));
  let source: WebhookUrlSource | undefined;

  return async (event, context) => {
    const started = Date.now();
    const ids = { requestId: context.awsRequestId };
    let settings: Settings;
    try {
      settings = deps.settings();
    } catch (e) {
      createLogger({ level: "ERROR", sink: deps.sink }, ids).error("invalid settings", errorFields(e));
      throw e;
    }
    const log: Logger = createLogger({ level: settings.logLevel, sink: deps.sink }, ids);
    source ??= new WebhookUrlSource(deps.ssm, settings.parameterName, settings.urlCacheSeconds, deps.now);

    let messages;
    try {
      messages = snsMessages(event);
    } catch (e) {
      log.error("notification failed", { ...errorFields(e), durationMs: Date.now() - started });
      throw e;
    }

    const { signal, clear } = deadline(context, margin);
    try {
      for (const sns of messages) {
        const msgLog = log.child({ messageId: sns.messageId });
        const notification = toNotification(sns);
        const about = { kind: notification.kind, severity: notification.severity, title: notification.title, format: settings.format };
        try {
          const { url, cached } = await source.get(signal);
          const status = await postJson(fetchFn, url, payloadFor(settings.format, notification), signal);
          msgLog.info("notification delivered", { ...about, status, urlCached: cached, durationMs: Date.now() - started });
        } catch (e) {
          // A deleted or replaced webhook: read the parameter again on the retry.
          if (e instanceof WebhookError && URL_GONE_STATUSES.includes(e.status)) source.invalidate();
          msgLog.error("notification failed", { ...about, ...errorFields(e), durationMs: Date.now() - started });
          throw e;
        }
      }
    } finally {
      clear();
    }
    return { delivered: messages.length };
  };
}
