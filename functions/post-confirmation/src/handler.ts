/**
 * The post-confirmation trigger: when a user confirms their sign-up, send a message (the
 * user.confirmed event, or a mailer message) to the configured queue or topic.
 *
 * Cognito calls the function synchronously and waits at most 5 seconds; the user is confirmed
 * whatever the function does, and an error is shown to them. So a delivery failure must neither
 * lose the message nor fail the sign-up: the message is parked in the function's own queue (the
 * dead-letter queue, with the error), and the event is returned. Only when parking fails too is
 * the error thrown. Other trigger sources (a confirmed password reset) are passed through.
 */
import { PublishCommand, type PublishCommandOutput } from "@aws-sdk/client-sns";
import { SendMessageCommand, type SendMessageCommandOutput } from "@aws-sdk/client-sqs";
import { checkEvent, CONFIRM_SIGN_UP, EVENT_TYPE, messageFor, type PostConfirmationEvent } from "./event";
import { errorFields } from "../../shared/log";
import { settingsAndLogger } from "../../shared/handler";
import type { BaseHandlerDeps, LambdaContext } from "../../shared/lambda";
import type { Settings } from "./settings";

export type { LambdaContext };

/** The parts of the SQS and SNS clients the function uses (fakes in the tests). */
export interface SqsSender {
  send(command: SendMessageCommand, options?: { abortSignal?: AbortSignal }): Promise<SendMessageCommandOutput>;
}
export interface SnsPublisher {
  send(command: PublishCommand, options?: { abortSignal?: AbortSignal }): Promise<PublishCommandOutput>;
}

export interface HandlerDeps extends BaseHandlerDeps<Settings> {
  readonly sqs: () => SqsSender;
  readonly sns: () => SnsPublisher;
  readonly now?: () => Date;
  /** Time kept back before the function's timeout for parking a failed message. @default 1500 ms */
  readonly safetyMarginMs?: number;
}

/** A failure the function throws: name and message only. */
export class TriggerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
    this.stack = `${name}: ${message}`;
  }
}

const ATTRIBUTES = { type: { DataType: "String", StringValue: EVENT_TYPE } };

export function createHandler(deps: HandlerDeps) {
  const margin = deps.safetyMarginMs ?? 1500;
  const now = deps.now ?? (() => new Date());

  return async (raw: unknown, context: LambdaContext): Promise<PostConfirmationEvent> => {
    const started = Date.now();
    const { settings, log: base } = settingsAndLogger(
      deps,
      context.awsRequestId,
      () => new TriggerError("SettingsError", "the post-confirmation function is misconfigured; see its logs"),
    );

    let event: PostConfirmationEvent;
    try {
      event = checkEvent(raw);
    } catch (e) {
      base.error("event refused", errorFields(e));
      throw new TriggerError("InvalidEvent", (e as Error).message);
    }
    const log = base.child({
      triggerSource: event.triggerSource,
      ...(event.request.userAttributes.sub ? { sub: event.request.userAttributes.sub } : {}),
    });
    if (event.triggerSource !== CONFIRM_SIGN_UP) {
      log.debug("trigger ignored");
      return event;
    }

    const target = settings.target.kind === "sqs" ? "queue" : "topic";
    let body: string;
    try {
      body = JSON.stringify(messageFor(event, settings.template, now()));
    } catch (e) {
      // No message can be built (no e-mail to send to): park the event itself.
      return park(event, JSON.stringify({ event: { userPoolId: event.userPoolId, userName: event.userName } }), e, "message");
    }

    // Leave time to park the message if the target does not answer.
    const controller = new AbortController();
    const remaining = context.getRemainingTimeInMillis?.();
    const timer = remaining !== undefined ? setTimeout(() => controller.abort(), Math.max(0, remaining - margin)) : undefined;
    try {
      const id =
        settings.target.kind === "sqs"
          ? (
              await deps
                .sqs()
                .send(new SendMessageCommand({ QueueUrl: settings.target.queueUrl, MessageBody: body, MessageAttributes: ATTRIBUTES }), {
                  abortSignal: controller.signal,
                })
            ).MessageId
          : (
              await deps
                .sns()
                .send(new PublishCommand({ TopicArn: settings.target.topicArn, Message: body, MessageAttributes: ATTRIBUTES }), {
                  abortSignal: controller.signal,
                })
            ).MessageId;
      log.info("confirmation sent", { target, messageId: id, mailerTemplate: settings.template, durationMs: Date.now() - started });
      return event;
    } catch (e) {
      return park(event, body, e, target);
    } finally {
      if (timer) clearTimeout(timer);
    }

    /** Puts the undeliverable message in the function's own queue; throws only when that fails too. */
    async function park(evt: PostConfirmationEvent, message: string, cause: unknown, failed: string): Promise<PostConfirmationEvent> {
      const why = errorFields(cause);
      log.error("confirmation not delivered", { failed, ...why, durationMs: Date.now() - started });
      const record = JSON.stringify({
        message,
        target: failed,
        error: why,
        requestId: context.awsRequestId,
        failedAt: now().toISOString(),
      });
      try {
        await deps
          .sqs()
          .send(new SendMessageCommand({ QueueUrl: settings.deadLetterQueueUrl, MessageBody: record, MessageAttributes: ATTRIBUTES }));
        log.warn("confirmation parked in the dead-letter queue", { failed });
        return evt;
      } catch (e) {
        log.error("dead-letter queue failed too", errorFields(e));
        throw new TriggerError("DeliveryFailed", "the confirmation could not be delivered or parked; see the function's logs");
      }
    }
  };
}
