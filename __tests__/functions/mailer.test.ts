/**
 * The mailer (functions/mailer) with a fake SES client built from the SDK's real command and
 * exception classes: settings, message validation (template, recipients, required data),
 * the SendEmail request, the three ways it is invoked (SNS: throw on failure; SQS: partial batch
 * failures, SNS envelopes unwrapped; direct), the deadline, and logs that never hold addresses,
 * data or codes.
 */
import {
  MessageRejected,
  NotFoundException,
  SendEmailCommand,
  TooManyRequestsException,
  type SendEmailCommandInput,
  type SendEmailCommandOutput,
} from "@aws-sdk/client-sesv2";
import {
  createHandler,
  DeliveryError,
  itemsOf,
  unwrapSnsEnvelope,
  type LambdaContext,
  type SqsBatchResponse,
} from "../../functions/mailer/src/handler";
import { InvalidMessageError, MAX_TEMPLATE_DATA_BYTES, parseMessage, validateMessage } from "../../functions/mailer/src/message";
import { sendEmailInput, type SendEmailClient } from "../../functions/mailer/src/ses";
import { ENV, loadSettings, SettingsError, type Settings } from "../../functions/mailer/src/settings";
import { fakeSdkClient, type FakeReply } from "./fake-sdk-client";

const SETTINGS: Settings = {
  fromAddress: "no-reply@example.com",
  configurationSet: "petclinic-dev",
  templates: {
    otp: { name: "petclinic-dev-otp", required: ["code"] },
    welcome: { name: "petclinic-dev-welcome", required: ["email"] },
  },
  maxRecipients: 3,
  logLevel: "INFO",
};
const CODE = "493027";
const USER = "jane.doe@example.org";
const OTP = { template: "otp", to: [USER], data: { code: CODE, name: "Jane" } };
const REQUEST_ID = "2b1c7f0e-0000-4000-8000-000000000001";

/** An SES client answering SendEmail with `reply` (an output, an error to throw, or a function of the call and its number). */
function fakeSes(reply: FakeReply<SendEmailCommandInput, SendEmailCommandOutput> = { MessageId: "ses-0001" }) {
  const { send, calls } = fakeSdkClient(SendEmailCommand, reply);
  const client: SendEmailClient = { send };
  return { client, calls };
}

function setup(reply?: Parameters<typeof fakeSes>[0], settings: () => Settings = () => SETTINGS, safetyMarginMs?: number) {
  const { client, calls } = fakeSes(reply);
  const lines: string[] = [];
  const handler = createHandler({ settings, client: () => client, sink: (l) => lines.push(l), safetyMarginMs });
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { handler, calls, lines, logs };
}

const context = (remainingMs = 30_000): LambdaContext => ({ awsRequestId: REQUEST_ID, getRemainingTimeInMillis: () => remainingMs });

/** The handler refuses the event with `error` before it calls SES, and logs only `log`. */
async function expectRefusedBeforeSes(
  run: ReturnType<typeof setup>,
  event: Parameters<ReturnType<typeof setup>["handler"]>[0],
  error: { name: string; message: string },
  log: Record<string, unknown>,
) {
  await expect(run.handler(event, context())).rejects.toMatchObject(error);
  expect(run.calls).toHaveLength(0);
  expect(run.logs()).toEqual([expect.objectContaining(log)]);
}

const snsEvent = (message: unknown, id = "sns-1") => ({
  Records: [
    {
      EventSource: "aws:sns",
      EventVersion: "1.0",
      Sns: {
        Type: "Notification",
        MessageId: id,
        TopicArn: "arn:aws:sns:us-west-2:111111111111:petclinic-dev-mail",
        Message: typeof message === "string" ? message : JSON.stringify(message),
      },
    },
  ],
});
const sqsRecord = (body: unknown, id: string) => ({
  eventSource: "aws:sqs",
  messageId: id,
  body: typeof body === "string" ? body : JSON.stringify(body),
});

/** No log line may hold a recipient, the code, or the data. */
function expectNoPersonalData(lines: string[]) {
  for (const line of lines) {
    expect(line).not.toContain(USER);
    expect(line).not.toContain(CODE);
    expect(line).not.toContain("Jane");
  }
}

describe("settings", () => {
  const ENV_OK = {
    [ENV.fromAddress]: "no-reply@example.com",
    [ENV.configurationSet]: "petclinic-dev",
    [ENV.templates]: JSON.stringify(SETTINGS.templates),
    [ENV.maxRecipients]: "3",
    [ENV.logLevel]: "debug",
  };

  it("reads the environment the layer sets", () => {
    expect(loadSettings(ENV_OK)).toEqual({ ...SETTINGS, logLevel: "DEBUG" });
    expect(loadSettings({ ...ENV_OK, [ENV.maxRecipients]: undefined, [ENV.logLevel]: undefined })).toMatchObject({
      maxRecipients: 10,
      logLevel: "INFO",
    });
  });

  it.each([
    ["no sender", { [ENV.fromAddress]: undefined }, "FROM_ADDRESS is not set"],
    ["a blank configuration set", { [ENV.configurationSet]: " " }, "CONFIGURATION_SET is not set"],
    ["templates that are not JSON", { [ENV.templates]: "{otp" }, "TEMPLATES is not JSON"],
    ["templates as a list", { [ENV.templates]: "[]" }, "TEMPLATES must be a JSON object"],
    [
      "a template without required fields",
      { [ENV.templates]: '{"otp":{"name":"x"}}' },
      'TEMPLATES.otp must be {"name": string, "required": string[]}',
    ],
    ["more recipients than SES allows", { [ENV.maxRecipients]: "51" }, 'MAX_RECIPIENTS must be an integer from 1 to 50, found "51"'],
    ["a bad log level", { [ENV.logLevel]: "loud" }, 'LOG_LEVEL must be DEBUG, INFO, WARN or ERROR, found "loud"'],
  ])("refuses %s", (_why, over, message) => {
    expect(() => loadSettings({ ...ENV_OK, ...over })).toThrow(new SettingsError(message));
  });
});

describe("messages", () => {
  it("accepts a message; one address or a list, duplicates (any case) removed", () => {
    expect(validateMessage(OTP, SETTINGS)).toEqual({ ...OTP, replyTo: [] });
    expect(
      validateMessage(
        { template: "welcome", to: "a@example.com", data: { email: "a@example.com" }, replyTo: "help@example.com" },
        SETTINGS,
      ),
    ).toEqual({
      template: "welcome",
      to: ["a@example.com"],
      data: { email: "a@example.com" },
      replyTo: ["help@example.com"],
    });
    expect(validateMessage({ ...OTP, to: [USER, USER.toUpperCase(), " b@example.com "] }, SETTINGS).to).toEqual([USER, "b@example.com"]);
  });

  it.each([
    ["not JSON", "{template", "the message is not valid JSON"],
    ["empty", "  ", "the message is empty"],
    ["not an object", "[1]", 'the message must be a JSON object such as {"template": "...", "to": [...], "data": {...}}'],
    ["an unknown field", JSON.stringify({ ...OTP, cc: [USER] }), 'unknown field "cc" (accepted: template, to, data, replyTo)'],
    ["no template", JSON.stringify({ to: [USER] }), "template is required (a template name)"],
    ["an unknown template", JSON.stringify({ ...OTP, template: "invoice" }), 'unknown template "invoice" (known: otp, welcome)'],
    [
      "an inherited property as template",
      JSON.stringify({ ...OTP, template: "constructor" }),
      'unknown template "constructor" (known: otp, welcome)',
    ],
    ["no recipient", JSON.stringify({ template: "otp", data: { code: "1" } }), "to is required"],
    ["an empty recipient list", JSON.stringify({ ...OTP, to: [] }), "to must name at least one recipient"],
    ["a bad address", JSON.stringify({ ...OTP, to: [USER, "jane at example"] }), "to[1] is not an e-mail address"],
    [
      "too many recipients",
      JSON.stringify({ ...OTP, to: ["a@x.io", "b@x.io", "c@x.io", "d@x.io"] }),
      "to has 4 addresses; at most 3 are allowed",
    ],
    ["data that is not an object", JSON.stringify({ ...OTP, data: "493027" }), "data must be an object of template values"],
    ["missing required data", JSON.stringify({ ...OTP, data: { name: "Jane" } }), 'data lacks "code", required by the template otp'],
    ["empty required data", JSON.stringify({ ...OTP, data: { code: "" } }), 'data lacks "code", required by the template otp'],
    [
      "data too large",
      JSON.stringify({ ...OTP, data: { code: "1", blob: "x".repeat(MAX_TEMPLATE_DATA_BYTES) } }),
      `data is larger than ${MAX_TEMPLATE_DATA_BYTES} bytes as JSON`,
    ],
  ])("refuses %s", (_why, text, message) => {
    expect(() => parseMessage(text, SETTINGS)).toThrow(new InvalidMessageError(message));
  });

  it("builds the SendEmail request: stored template, data as JSON, configuration set, template tag", () => {
    expect(sendEmailInput(validateMessage({ ...OTP, replyTo: ["help@example.com"] }, SETTINGS), SETTINGS)).toEqual({
      FromEmailAddress: "no-reply@example.com",
      Destination: { ToAddresses: [USER] },
      ReplyToAddresses: ["help@example.com"],
      Content: { Template: { TemplateName: "petclinic-dev-otp", TemplateData: JSON.stringify({ code: CODE, name: "Jane" }) } },
      ConfigurationSetName: "petclinic-dev",
      EmailTags: [{ Name: "template", Value: "otp" }],
    });
  });
});

describe("events", () => {
  it("tells SNS, SQS and direct invocations apart, and unwraps SNS envelopes in SQS bodies", () => {
    expect(itemsOf(OTP)).toBeUndefined();
    expect(itemsOf(snsEvent(OTP))).toEqual([{ id: "sns-1", source: "sns", text: JSON.stringify(OTP) }]);
    const envelope = JSON.stringify({
      Type: "Notification",
      MessageId: "m",
      TopicArn: "arn:aws:sns:us-west-2:111111111111:t",
      Message: JSON.stringify(OTP),
    });
    expect(itemsOf({ Records: [sqsRecord(envelope, "q-1"), sqsRecord(OTP, "q-2")] })).toEqual([
      { id: "q-1", source: "sqs", text: JSON.stringify(OTP) },
      { id: "q-2", source: "sqs", text: JSON.stringify(OTP) },
    ]);
    expect(unwrapSnsEnvelope("not json")).toBe("not json");
    expect(() => itemsOf({ Records: [{ eventSource: "aws:s3" }] })).toThrow(
      new DeliveryError("UnsupportedEvent", "record 0 is neither an SNS nor an SQS record"),
    );
  });
});

describe("from SNS (asynchronous: failures are thrown)", () => {
  it("sends the e-mail and logs the template, recipient count and SES id, never the address or the code", async () => {
    const { handler, calls, lines, logs } = setup();
    await expect(handler(snsEvent(OTP), context())).resolves.toEqual({ sent: 1 });
    expect(calls).toHaveLength(1);
    expect(calls[0].input.Content?.Template?.TemplateName).toBe("petclinic-dev-otp");
    expect(logs()).toEqual([
      expect.objectContaining({
        level: "INFO",
        message: "email sent",
        requestId: REQUEST_ID,
        source: "sns",
        snsMessageId: "sns-1",
        template: "otp",
        recipients: 1,
        sesMessageId: "ses-0001",
      }),
    ]);
    expectNoPersonalData(lines);
  });

  it("throws SES's error (name and message, no stack) so Lambda retries and then hands the event to the failure destination", async () => {
    const { handler, lines, logs } = setup(
      new MessageRejected({ message: "Email address is not verified.", $metadata: { httpStatusCode: 400 } }),
    );
    const error = await handler(snsEvent(OTP), context()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({
      name: "MessageRejected",
      message: "Email address is not verified.",
      stack: "MessageRejected: Email address is not verified.",
    });
    expect(logs()).toEqual([
      expect.objectContaining({
        level: "ERROR",
        message: "email failed",
        errorName: "MessageRejected",
        upstreamStatus: 400,
        template: "otp",
      }),
    ]);
    expectNoPersonalData(lines);
  });

  it("throws an invalid message without calling SES (it must end in the failure queue, not vanish)", async () => {
    await expectRefusedBeforeSes(
      setup(),
      snsEvent({ ...OTP, data: {} }),
      { name: "InvalidMessage", message: 'data lacks "code", required by the template otp' },
      { level: "WARN", message: "message refused", reason: 'data lacks "code", required by the template otp' },
    );
  });

  it("a template missing in SES is an SES error like any other", async () => {
    const { handler } = setup(new NotFoundException({ message: "Template petclinic-dev-otp does not exist.", $metadata: {} }));
    await expect(handler(snsEvent(OTP), context())).rejects.toMatchObject({ name: "NotFoundException" });
  });
});

describe("from SQS (partial batch failures)", () => {
  it("returns only the records that failed; the others are deleted from the queue", async () => {
    const { handler, calls, lines } = setup(async (_call, n) => {
      if (n === 2) throw new TooManyRequestsException({ message: "Maximum sending rate exceeded.", $metadata: { httpStatusCode: 429 } });
      return { MessageId: `ses-${n}` };
    });
    const envelope = JSON.stringify({
      Type: "Notification",
      MessageId: "m",
      TopicArn: "arn:aws:sns:us-west-2:111111111111:t",
      Message: JSON.stringify(OTP),
    });
    const result = (await handler(
      { Records: [sqsRecord(OTP, "q-1"), sqsRecord(OTP, "q-2"), sqsRecord("{bad", "q-3"), sqsRecord(envelope, "q-4")] },
      context(),
    )) as SqsBatchResponse;
    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: "q-2" }, { itemIdentifier: "q-3" }] });
    expect(calls).toHaveLength(3);
    const messages = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .map((l) => `${l.level} ${l.message} ${l.sqsMessageId ?? ""}`.trim());
    expect(messages).toEqual([
      "INFO email sent q-1",
      "ERROR email failed q-2",
      "WARN message refused q-3",
      "INFO email sent q-4",
      "WARN batch completed with failures",
    ]);
    expectNoPersonalData(lines);
  });

  it("an all-good batch reports no failure", async () => {
    const { handler } = setup();
    await expect(handler({ Records: [sqsRecord(OTP, "q-1")] }, context())).resolves.toEqual({ batchItemFailures: [] });
  });
});

describe("direct invocation and failures of the function itself", () => {
  it("sends the event as the message and returns SES's id", async () => {
    const { handler, calls } = setup();
    await expect(handler(OTP, context())).resolves.toEqual({ messageId: "ses-0001" });
    expect(calls[0].input.Destination).toEqual({ ToAddresses: [USER] });
  });

  it("gives up on SES before its own timeout (the call is aborted)", async () => {
    const { handler, calls } = setup(
      (call) =>
        new Promise((_resolve, reject) => {
          call.signal?.addEventListener("abort", () => reject(Object.assign(new Error("Request aborted"), { name: "AbortError" })));
        }),
      () => SETTINGS,
      20,
    );
    await expect(handler(OTP, context(60))).rejects.toMatchObject({ name: "AbortError" });
    expect(calls[0].signal?.aborted).toBe(true);
  });

  it("refuses to run with broken settings, logging why", async () => {
    const run = setup(undefined, () => {
      throw new SettingsError("FROM_ADDRESS is not set");
    });
    await expectRefusedBeforeSes(
      run,
      snsEvent(OTP),
      { name: "SettingsError", message: "the mailer is misconfigured; see its logs" },
      { level: "ERROR", message: "settings refused", errorMessage: "FROM_ADDRESS is not set" },
    );
  });

  it("refuses events of other sources", async () => {
    const { handler } = setup();
    await expect(handler({ Records: [{ eventSource: "aws:kinesis" }] }, context())).rejects.toMatchObject({ name: "UnsupportedEvent" });
  });
});
