/**
 * The mailer: messages {template, to, data} in, SES templated e-mails out.
 *
 * It is invoked three ways, told apart by the event's shape:
 * - by an SNS subscription (asynchronously): one record; a failure is thrown, so Lambda retries
 *   the event twice and then hands it to the alias's failure destination (the mailer's queue);
 * - by an SQS queue (event source mapping): a batch; the records that fail are returned as
 *   `batchItemFailures`, so only they return to the queue and, after maxReceiveCount receives,
 *   move to the queue's dead-letter queue. A body that is an SNS envelope (a topic delivering to
 *   the queue without raw delivery) is unwrapped;
 * - directly (the Lambda API): the event is the message; the result is {messageId}.
 *
 * Invalid messages (bad JSON, unknown template, missing data, bad addresses) fail like SES errors:
 * they must end where someone can see them, never be dropped. Logs are JSON lines with the
 * template, recipient count and SES message id; never addresses, data or bodies.
 */
import { errorFields, type Logger } from "../../shared/log";
import { parseMessage, validateMessage, InvalidMessageError, type MailMessage } from "./message";
import { sendEmail, type SendEmailClient } from "./ses";
import { settingsAndLogger } from "../../shared/handler";
import type { BaseHandlerDeps, LambdaContext } from "../../shared/lambda";
import type { Settings } from "./settings";
import { isObject } from "../../shared/json-object";

export type { LambdaContext };

export interface HandlerDeps extends BaseHandlerDeps<Settings> {
  /** The SESv2 client (created once per execution environment). */
  readonly client: () => SendEmailClient;
  /** Time kept back before the function's own timeout: the SES call is aborted then. @default 1000 ms */
  readonly safetyMarginMs?: number;
}

export interface SqsBatchResponse {
  readonly batchItemFailures: { readonly itemIdentifier: string }[];
}

export type MailerResult = SqsBatchResponse | { readonly messageId: string } | { readonly sent: number };

/** A failed delivery as Lambda reports it: the error's name and message, no stack trace. */
export class DeliveryError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
    this.stack = `${name}: ${message}`;
  }
}

interface Item {
  /** SNS MessageId or SQS messageId. */
  readonly id: string;
  readonly source: "sns" | "sqs";
  /** The message text, unwrapped from an SNS envelope when needed. */
  readonly text: string | undefined;
}

/** The items of an SNS or SQS event, or undefined when the event is a direct invocation. */
export function itemsOf(event: unknown): Item[] | undefined {
  if (!isObject(event) || !Array.isArray(event.Records)) return undefined;
  return event.Records.map((r: unknown, i: number): Item => {
    if (isObject(r) && r.EventSource === "aws:sns" && isObject(r.Sns)) {
      return {
        id: String(r.Sns.MessageId ?? `record-${i}`),
        source: "sns",
        text: typeof r.Sns.Message === "string" ? r.Sns.Message : undefined,
      };
    }
    if (isObject(r) && r.eventSource === "aws:sqs") {
      const body = typeof r.body === "string" ? r.body : undefined;
      return { id: String(r.messageId ?? `record-${i}`), source: "sqs", text: unwrapSnsEnvelope(body) };
    }
    throw new DeliveryError("UnsupportedEvent", `record ${i} is neither an SNS nor an SQS record`);
  });
}

/** The message inside an SNS envelope (a topic delivering to a queue without raw delivery), else the body itself. */
export function unwrapSnsEnvelope(body: string | undefined): string | undefined {
  if (!body) return body;
  try {
    const parsed: unknown = JSON.parse(body);
    if (isObject(parsed) && parsed.Type === "Notification" && typeof parsed.Message === "string" && typeof parsed.TopicArn === "string")
      return parsed.Message;
  } catch {
    // Not JSON: parseMessage reports it.
  }
  return body;
}

/** Runs `work` with a signal that aborts `marginMs` before the function would time out. */
async function withDeadline<T>(context: LambdaContext, marginMs: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const remaining = context.getRemainingTimeInMillis?.();
  const timer = remaining !== undefined ? setTimeout(() => controller.abort(), Math.max(0, remaining - marginMs)) : undefined;
  try {
    return await work(controller.signal);
  } finally {
    if (timer) clearTimeout(timer);
  }
}

export function createHandler(deps: HandlerDeps) {
  const margin = deps.safetyMarginMs ?? 1000;

  /** Validates and sends one message; logs the outcome; throws DeliveryError on failure. */
  const deliver = async (log: Logger, settings: Settings, context: LambdaContext, parse: () => MailMessage): Promise<string> => {
    const started = Date.now();
    let message: MailMessage;
    try {
      message = parse();
    } catch (e) {
      if (!(e instanceof InvalidMessageError)) {
        log.error("message check failed", { ...errorFields(e, true), durationMs: Date.now() - started });
        throw new DeliveryError("InternalError", "the mailer failed to check the message; see its logs");
      }
      log.warn("message refused", { reason: e.message, durationMs: Date.now() - started });
      throw new DeliveryError(e.name, e.message);
    }
    const about = { template: message.template, recipients: message.to.length };
    try {
      const messageId = await withDeadline(context, margin, (signal) => sendEmail(deps.client(), message, settings, signal));
      log.info("email sent", { ...about, sesMessageId: messageId, durationMs: Date.now() - started });
      return messageId;
    } catch (e) {
      const fields = errorFields(e);
      log.error("email failed", { ...about, ...fields, durationMs: Date.now() - started });
      throw new DeliveryError(String(fields.errorName), String(fields.errorMessage));
    }
  };

  return async (event: unknown, context: LambdaContext): Promise<MailerResult> => {
    const { settings, log } = settingsAndLogger(
      deps,
      context.awsRequestId,
      () => new DeliveryError("SettingsError", "the mailer is misconfigured; see its logs"),
    );

    let items: Item[] | undefined;
    try {
      items = itemsOf(event);
    } catch (e) {
      log.error("event refused", errorFields(e));
      throw e;
    }

    if (!items) {
      const messageId = await deliver(log.child({ source: "direct" }), settings, context, () => validateMessage(event, settings));
      return { messageId };
    }

    if (items.every((i) => i.source === "sqs")) {
      const batchItemFailures: { itemIdentifier: string }[] = [];
      for (const item of items) {
        try {
          await deliver(log.child({ source: "sqs", sqsMessageId: item.id }), settings, context, () => parseMessage(item.text, settings));
        } catch {
          batchItemFailures.push({ itemIdentifier: item.id });
        }
      }
      if (batchItemFailures.length) log.warn("batch completed with failures", { records: items.length, failed: batchItemFailures.length });
      return { batchItemFailures };
    }

    // SNS delivers one record per invocation; should there be more, every one must succeed.
    for (const item of items) {
      await deliver(log.child({ source: item.source, snsMessageId: item.id }), settings, context, () => parseMessage(item.text, settings));
    }
    return { sent: items.length };
  };
}
