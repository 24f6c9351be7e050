/**
 * The Cognito post-confirmation trigger (functions/post-confirmation) with fake SQS and SNS
 * clients built from the SDK's real command and exception classes: settings, the message it
 * builds (user.confirmed event or mailer message), delivery to a queue or a topic, parking
 * undeliverable messages in its own queue without failing the sign-up, other trigger sources
 * passed through, and logs without personal data.
 */
import { AuthorizationErrorException, PublishCommand, type PublishCommandOutput } from "@aws-sdk/client-sns";
import { SendMessageCommand, type SendMessageCommandInput, type SendMessageCommandOutput } from "@aws-sdk/client-sqs";
import { checkEvent, InvalidEventError, messageFor, type PostConfirmationEvent } from "../../functions/post-confirmation/src/event";
import { createHandler, type LambdaContext } from "../../functions/post-confirmation/src/handler";
import { ENV, loadSettings, SettingsError, type Settings } from "../../functions/post-confirmation/src/settings";

const QUEUE = "https://sqs.us-west-2.amazonaws.com/111111111111/petclinic-dev-users";
const DLQ = "https://sqs.us-west-2.amazonaws.com/111111111111/petclinic-dev-post-confirmation-dlq";
const TOPIC = "arn:aws:sns:us-west-2:111111111111:petclinic-dev-users";
const EMAIL = "jane.doe@example.org";
const SUB = "5f1c2d3e-aaaa-4bbb-8ccc-0123456789ab";
const NOW = new Date("2026-03-01T10:00:00.000Z");

const EVENT: PostConfirmationEvent = {
  version: "1",
  triggerSource: "PostConfirmation_ConfirmSignUp",
  region: "us-west-2",
  userPoolId: "us-west-2_AbCdEf123",
  userName: SUB,
  callerContext: { clientId: "client-1" },
  request: { userAttributes: { sub: SUB, email: EMAIL, email_verified: "true", given_name: "Jane", family_name: "Doe" } },
  response: {},
};

const SQS_SETTINGS: Settings = { target: { kind: "sqs", queueUrl: QUEUE }, deadLetterQueueUrl: DLQ, logLevel: "INFO" };
const SNS_SETTINGS: Settings = { target: { kind: "sns", topicArn: TOPIC }, deadLetterQueueUrl: DLQ, template: "welcome", logLevel: "INFO" };

function setup(
  settings: Settings | (() => Settings),
  opts: { sqsFails?: (input: SendMessageCommandInput) => Error | undefined; snsFails?: Error } = {},
) {
  const sqsCalls: SendMessageCommandInput[] = [];
  const snsCalls: PublishCommand["input"][] = [];
  const lines: string[] = [];
  const handler = createHandler({
    settings: typeof settings === "function" ? settings : () => settings,
    sqs: () => ({
      async send(command: SendMessageCommand) {
        expect(command).toBeInstanceOf(SendMessageCommand);
        sqsCalls.push(command.input);
        const error = opts.sqsFails?.(command.input);
        if (error) throw error;
        return { $metadata: {}, MessageId: `sqs-${sqsCalls.length}` } as SendMessageCommandOutput;
      },
    }),
    sns: () => ({
      async send(command: PublishCommand) {
        expect(command).toBeInstanceOf(PublishCommand);
        snsCalls.push(command.input);
        if (opts.snsFails) throw opts.snsFails;
        return { $metadata: {}, MessageId: "sns-1" } as PublishCommandOutput;
      },
    }),
    sink: (l) => lines.push(l),
    now: () => NOW,
  });
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { handler, sqsCalls, snsCalls, lines, logs };
}

const context: LambdaContext = { awsRequestId: "req-1", getRemainingTimeInMillis: () => 5000 };
const ATTRIBUTES = { type: { DataType: "String", StringValue: "user.confirmed" } };

function expectNoPersonalData(lines: string[]) {
  for (const line of lines) {
    expect(line).not.toContain(EMAIL);
    expect(line).not.toContain("Jane");
  }
}

describe("settings", () => {
  it("reads a queue or a topic target", () => {
    expect(loadSettings({ [ENV.targetQueueUrl]: QUEUE, [ENV.deadLetterQueueUrl]: DLQ })).toEqual(SQS_SETTINGS);
    expect(
      loadSettings({ [ENV.targetTopicArn]: TOPIC, [ENV.deadLetterQueueUrl]: DLQ, [ENV.template]: "welcome", [ENV.logLevel]: "info" }),
    ).toEqual(SNS_SETTINGS);
  });

  it.each([
    ["no target", { [ENV.deadLetterQueueUrl]: DLQ }, "exactly one of TARGET_QUEUE_URL and TARGET_TOPIC_ARN must be set"],
    [
      "two targets",
      { [ENV.targetQueueUrl]: QUEUE, [ENV.targetTopicArn]: TOPIC, [ENV.deadLetterQueueUrl]: DLQ },
      "exactly one of TARGET_QUEUE_URL and TARGET_TOPIC_ARN must be set",
    ],
    [
      "a queue name for a URL",
      { [ENV.targetQueueUrl]: "petclinic-dev-users", [ENV.deadLetterQueueUrl]: DLQ },
      "TARGET_QUEUE_URL is not an SQS queue URL",
    ],
    [
      "a topic name for an ARN",
      { [ENV.targetTopicArn]: "users", [ENV.deadLetterQueueUrl]: DLQ },
      "TARGET_TOPIC_ARN is not an SNS topic ARN",
    ],
    ["no dead-letter queue", { [ENV.targetQueueUrl]: QUEUE }, "DEAD_LETTER_QUEUE_URL is not set"],
    [
      "a bad log level",
      { [ENV.targetQueueUrl]: QUEUE, [ENV.deadLetterQueueUrl]: DLQ, [ENV.logLevel]: "chatty" },
      'LOG_LEVEL must be DEBUG, INFO, WARN or ERROR, found "chatty"',
    ],
  ])("refuses %s", (_why, env, message) => {
    expect(() => loadSettings(env)).toThrow(new SettingsError(message));
  });
});

describe("messages", () => {
  it("the user.confirmed event carries the user's ids and e-mail", () => {
    expect(messageFor(EVENT, undefined, NOW)).toEqual({
      type: "user.confirmed",
      userPoolId: "us-west-2_AbCdEf123",
      userName: SUB,
      sub: SUB,
      email: EMAIL,
      emailVerified: true,
      clientId: "client-1",
      confirmedAt: "2026-03-01T10:00:00.000Z",
    });
  });

  it("with a template, the mailer's own message to the user", () => {
    expect(messageFor(EVENT, "welcome", NOW)).toEqual({
      template: "welcome",
      to: [EMAIL],
      data: { email: EMAIL, userName: SUB, name: "Jane Doe" },
    });
    expect(() => messageFor({ ...EVENT, request: { userAttributes: { sub: SUB } } }, "welcome", NOW)).toThrow(
      new InvalidEventError("the user has no email attribute to send the template to"),
    );
  });

  it("checks the trigger event's shape", () => {
    expect(checkEvent(EVENT)).toBe(EVENT);
    expect(() => checkEvent(null)).toThrow("the event is not an object");
    expect(() => checkEvent({ ...EVENT, triggerSource: undefined })).toThrow("the event has no triggerSource");
    expect(() => checkEvent({ ...EVENT, request: {} })).toThrow("the event has no request.userAttributes");
  });
});

describe("the trigger", () => {
  it("sends user.confirmed to the queue and returns the event to Cognito", async () => {
    const { handler, sqsCalls, snsCalls, lines, logs } = setup(SQS_SETTINGS);
    await expect(handler(EVENT, context)).resolves.toBe(EVENT);
    expect(snsCalls).toHaveLength(0);
    expect(sqsCalls).toEqual([
      { QueueUrl: QUEUE, MessageBody: JSON.stringify(messageFor(EVENT, undefined, NOW)), MessageAttributes: ATTRIBUTES },
    ]);
    expect(logs()).toEqual([
      expect.objectContaining({
        level: "INFO",
        message: "confirmation sent",
        target: "queue",
        messageId: "sqs-1",
        sub: SUB,
        triggerSource: "PostConfirmation_ConfirmSignUp",
      }),
    ]);
    expectNoPersonalData(lines);
  });

  it("publishes the mailer message to the topic (filterable by the type attribute)", async () => {
    const { handler, snsCalls } = setup(SNS_SETTINGS);
    await expect(handler(EVENT, context)).resolves.toBe(EVENT);
    expect(snsCalls).toEqual([
      { TopicArn: TOPIC, Message: JSON.stringify(messageFor(EVENT, "welcome", NOW)), MessageAttributes: ATTRIBUTES },
    ]);
  });

  it("passes other trigger sources (a confirmed password reset) through untouched", async () => {
    const { handler, sqsCalls } = setup(SQS_SETTINGS);
    const reset = { ...EVENT, triggerSource: "PostConfirmation_ConfirmForgotPassword" };
    await expect(handler(reset, context)).resolves.toBe(reset);
    expect(sqsCalls).toHaveLength(0);
  });

  it("parks an undeliverable message in its own queue, with the error, and does not fail the sign-up", async () => {
    const denied = new AuthorizationErrorException({
      message: "User is not authorized to perform SNS:Publish",
      $metadata: { httpStatusCode: 403 },
    });
    const { handler, sqsCalls, lines, logs } = setup(SNS_SETTINGS, { snsFails: denied });
    await expect(handler(EVENT, context)).resolves.toBe(EVENT);
    expect(sqsCalls).toHaveLength(1);
    expect(sqsCalls[0].QueueUrl).toBe(DLQ);
    expect(JSON.parse(sqsCalls[0].MessageBody!)).toEqual({
      message: JSON.stringify(messageFor(EVENT, "welcome", NOW)),
      target: "topic",
      error: {
        errorName: "AuthorizationErrorException",
        errorMessage: "User is not authorized to perform SNS:Publish",
        upstreamStatus: 403,
      },
      requestId: "req-1",
      failedAt: NOW.toISOString(),
    });
    expect(logs().map((l) => `${l.level} ${l.message}`)).toEqual([
      "ERROR confirmation not delivered",
      "WARN confirmation parked in the dead-letter queue",
    ]);
    expectNoPersonalData(lines);
  });

  it("parks the event when no message can be built (a template but no e-mail address)", async () => {
    const { handler, snsCalls, sqsCalls } = setup(SNS_SETTINGS);
    const noEmail = { ...EVENT, request: { userAttributes: { sub: SUB } } };
    await expect(handler(noEmail, context)).resolves.toBe(noEmail);
    expect(snsCalls).toHaveLength(0);
    expect(sqsCalls.map((c) => c.QueueUrl)).toEqual([DLQ]);
  });

  it("throws only when parking fails too (Cognito then shows an error; the user stays confirmed)", async () => {
    const { handler } = setup(SQS_SETTINGS, { sqsFails: () => new Error("network down") });
    await expect(handler(EVENT, context)).rejects.toMatchObject({
      name: "DeliveryFailed",
      message: "the confirmation could not be delivered or parked; see the function's logs",
      stack: "DeliveryFailed: the confirmation could not be delivered or parked; see the function's logs",
    });
  });

  it("refuses malformed events and broken settings", async () => {
    await expect(setup(SQS_SETTINGS).handler({ triggerSource: "PostConfirmation_ConfirmSignUp" }, context)).rejects.toMatchObject({
      name: "InvalidEvent",
    });
    const broken = setup(() => {
      throw new SettingsError("DEAD_LETTER_QUEUE_URL is not set");
    });
    await expect(broken.handler(EVENT, context)).rejects.toMatchObject({ name: "SettingsError" });
    expect(broken.logs()).toEqual([
      expect.objectContaining({ level: "ERROR", message: "settings refused", errorMessage: "DEAD_LETTER_QUEUE_URL is not set" }),
    ]);
  });
});
