/**
 * The webhook function (functions/webhook) with a fake Parameter Store client and a fake fetch:
 * delivery of each SNS notification as a Slack or Teams payload, the URL read from its SecureString
 * and cached, failures that throw (non-2xx, no answer before the deadline, URL not set yet or not a
 * URL, parameter missing, malformed events) so Lambda retries and the failure destination gets
 * them, message formatting (alarm states, reason, console link, custom notifications, raw events,
 * text), settings, and the webhook URL never appearing in a log line or an error.
 */
import { GetParameterCommand, ParameterNotFound, type GetParameterCommandOutput } from "@aws-sdk/client-ssm";
import { mrkdwnToMarkdown, payloadFor, slackPayload, teamsPayload } from "../../functions/webhook/src/format";
import { createHandler, type LambdaContext } from "../../functions/webhook/src/handler";
import {
  alarmConsoleUrl,
  consoleBase,
  escapeMrkdwn,
  MalformedEventError,
  snsMessages,
  toNotification,
  truncate,
  type SnsMessage,
} from "../../functions/webhook/src/message";
import { WebhookError, WebhookUnreachableError, type FetchLike } from "../../functions/webhook/src/post";
import { ENV, loadSettings, SettingsError, WEBHOOK_URL_PLACEHOLDER, type Settings } from "../../functions/webhook/src/settings";
import { checkUrl, WebhookUrlError, type ParameterClient } from "../../functions/webhook/src/webhook-url";

const PARAMETER = "/petclinic/dev/notification/webhook-url";
const URL = "https://hooks.slack.com/services/T01PETCLINIC/B0SECRET1/xY9SeCrEtToKeN0123456789";
const SECRET = "xY9SeCrEtToKeN0123456789";
const REQUEST_ID = "5d1c7a9e-0b3f-4c2a-8e6d-9f0a1b2c3d4e";
const TOPIC = "arn:aws:sns:us-west-2:111111111111:petclinic-dev-alarms";

const SETTINGS: Settings = { parameterName: PARAMETER, format: "slack", urlCacheSeconds: 300, logLevel: "INFO" };

const ALARM = {
  AlarmName: "petclinic-dev-alb-5xx",
  AlarmDescription: "5xx answers of the load balancer",
  AWSAccountId: "111111111111",
  AlarmConfigurationUpdatedTimestamp: "2025-01-01T00:00:00.000+0000",
  NewStateValue: "ALARM",
  NewStateReason: "Threshold Crossed: 1 out of the last 1 datapoints [12.0 (01/06/25 10:00:00)] was greater than the threshold (5.0).",
  StateChangeTime: "2025-06-01T10:01:00.000+0000",
  Region: "US West (Oregon)",
  AlarmArn: "arn:aws:cloudwatch:us-west-2:111111111111:alarm:petclinic-dev-alb-5xx",
  OldStateValue: "OK",
  Trigger: { MetricName: "HTTPCode_ELB_5XX_Count", Namespace: "AWS/ApplicationELB", Statistic: "SUM", Period: 60, Threshold: 5 },
};

/** An SNS event as Lambda receives it. */
function snsEvent(message: unknown, subject?: string, messageId = "6f1e2d3c-0000-4000-8000-000000000001") {
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: `${TOPIC}:0f0e0d0c-0000-4000-8000-000000000000`,
        Sns: {
          Type: "Notification",
          MessageId: messageId,
          TopicArn: TOPIC,
          ...(subject ? { Subject: subject } : {}),
          Message: typeof message === "string" ? message : JSON.stringify(message),
          Timestamp: "2025-06-01T10:01:01.000Z",
          MessageAttributes: {},
        },
      },
    ],
  };
}

type SsmReply = string | undefined | Error;

/** A Parameter Store client answering GetParameter with `value` (or throwing it). */
function fakeSsm(reply: SsmReply | (() => SsmReply)) {
  const calls: { input: GetParameterCommand["input"]; signal?: AbortSignal }[] = [];
  const client: ParameterClient = {
    async send(command, options) {
      expect(command).toBeInstanceOf(GetParameterCommand);
      calls.push({ input: command.input, signal: options?.abortSignal });
      const value = typeof reply === "function" ? reply() : reply;
      if (value instanceof Error) throw value;
      return {
        $metadata: {},
        Parameter: value === undefined ? undefined : { Name: PARAMETER, Type: "SecureString", Value: value, Version: 2 },
      } as GetParameterCommandOutput;
    },
  };
  return { client, calls };
}

type Reply = { status: number; body?: string; statusText?: string };
type Answer = Reply | Error | ((signal?: AbortSignal) => Promise<Reply>);

/** A fetch answering with `answer` (a status and body, an error to throw, or a function). */
function fakeFetch(answer: Answer = { status: 200, body: "ok" }) {
  const calls: { url: string; body: unknown; headers: Record<string, string>; method: string; signal?: AbortSignal }[] = [];
  const fetchFn: FetchLike = async (url, init) => {
    calls.push({ url, body: JSON.parse(init.body), headers: init.headers, method: init.method, signal: init.signal });
    if (answer instanceof Error) throw answer;
    const a: Reply = typeof answer === "function" ? await answer(init.signal) : answer;
    return { ok: a.status >= 200 && a.status < 300, status: a.status, statusText: a.statusText, text: async () => a.body ?? "" };
  };
  return { fetchFn, calls };
}

function setup(
  opts: { ssm?: SsmReply | (() => SsmReply); answer?: Answer; settings?: Partial<Settings>; now?: () => number; margin?: number } = {},
) {
  const ssm = fakeSsm(opts.ssm === undefined && !("ssm" in opts) ? URL : opts.ssm);
  const http = fakeFetch(opts.answer);
  const lines: string[] = [];
  const handler = createHandler({
    settings: () => ({ ...SETTINGS, ...opts.settings }),
    ssm: () => ssm.client,
    fetch: http.fetchFn,
    sink: (line) => lines.push(line),
    now: opts.now,
    safetyMarginMs: opts.margin,
  });
  const logs = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { handler, ssm, http, lines, logs };
}

const context = (remainingMs = 15_000): LambdaContext => ({ awsRequestId: REQUEST_ID, getRemainingTimeInMillis: () => remainingMs });

/** The error an invocation throws (fails the test when it succeeds). */
async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  throw new Error("expected the invocation to fail");
}

/** Neither the URL nor its secret path appears in any log line or error text. */
function expectNoSecret(lines: readonly string[], ...errors: Error[]) {
  for (const text of [...lines, ...errors.flatMap((e) => [e.message, String(e.stack)])]) {
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain("hooks.slack.com/services");
  }
}

// ---------------------------------------------------------------------------------------------

describe("delivery", () => {
  it("posts an alarm to the webhook URL read from the SecureString (with decryption) and logs one line", async () => {
    const { handler, ssm, http, logs, lines } = setup();
    await expect(handler(snsEvent(ALARM), context())).resolves.toEqual({ delivered: 1 });
    expect(ssm.calls).toHaveLength(1);
    expect(ssm.calls[0].input).toEqual({ Name: PARAMETER, WithDecryption: true });
    expect(ssm.calls[0].signal).toBeInstanceOf(AbortSignal);
    expect(http.calls).toHaveLength(1);
    expect(http.calls[0]).toMatchObject({ url: URL, method: "POST", headers: { "Content-Type": "application/json; charset=utf-8" } });
    expect(http.calls[0].signal).toBeInstanceOf(AbortSignal);
    expect((http.calls[0].body as { text: string }).text).toBe(":red_circle: ALARM: petclinic-dev-alb-5xx");
    expect(logs()).toEqual([
      expect.objectContaining({
        level: "INFO",
        message: "notification delivered",
        requestId: REQUEST_ID,
        messageId: "6f1e2d3c-0000-4000-8000-000000000001",
        kind: "alarm",
        severity: "alarm",
        title: "ALARM: petclinic-dev-alb-5xx",
        format: "slack",
        status: 200,
        urlCached: false,
        durationMs: expect.any(Number),
      }),
    ]);
    expectNoSecret(lines);
  });

  it("keeps the URL for urlCacheSeconds, then reads the parameter again", async () => {
    let clock = 1_000_000;
    const { handler, ssm, http, logs } = setup({ now: () => clock });
    await handler(snsEvent(ALARM), context());
    clock += 299_000;
    await handler(snsEvent(ALARM), context());
    expect(ssm.calls).toHaveLength(1);
    expect(logs()[1]).toMatchObject({ urlCached: true });
    clock += 2_000;
    await handler(snsEvent(ALARM), context());
    expect(ssm.calls).toHaveLength(2);
    expect(http.calls).toHaveLength(3);
  });

  it("urlCacheSeconds 0 reads the parameter for every message", async () => {
    const { handler, ssm } = setup({ settings: { urlCacheSeconds: 0 } });
    await handler(snsEvent(ALARM), context());
    await handler(snsEvent(ALARM), context());
    expect(ssm.calls).toHaveLength(2);
  });

  it("posts the Teams format (an Adaptive Card message) when configured", async () => {
    const { handler, http } = setup({ settings: { format: "teams" } });
    await handler(snsEvent(ALARM), context());
    const body = http.calls[0].body as {
      type: string;
      attachments: {
        contentType: string;
        content: { type: string; body: { type: string; text?: string; color?: string }[]; actions: unknown[] };
      }[];
    };
    expect(body.type).toBe("message");
    expect(body.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(body.attachments[0].content.type).toBe("AdaptiveCard");
    expect(body.attachments[0].content.body[0]).toMatchObject({
      type: "TextBlock",
      text: "ALARM: petclinic-dev-alb-5xx",
      color: "Attention",
    });
    expect(body.attachments[0].content.actions).toEqual([
      {
        type: "Action.OpenUrl",
        title: "Open the alarm in CloudWatch",
        url: "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#alarmsV2:alarm/petclinic-dev-alb-5xx",
      },
    ]);
  });
});

describe("failures throw, so Lambda retries and the failure destination gets the event", () => {
  it.each([
    [404, "no_service", "HTTP 404 Not Found: no_service"],
    [400, "invalid_payload", "HTTP 400 Bad Request: invalid_payload"],
    [500, "", "HTTP 500 Internal Server Error"],
    [429, "rate limited", "HTTP 429 Too Many Requests: rate limited"],
  ])("a non-2xx answer (%d) is a WebhookError with the status and the answer, without the URL", async (status, body, text) => {
    const statusText = { 404: "Not Found", 400: "Bad Request", 500: "Internal Server Error", 429: "Too Many Requests" }[status];
    const { handler, logs, lines } = setup({ answer: { status, body, statusText } });
    const error = await failure(handler(snsEvent(ALARM), context()));
    expect(error).toBeInstanceOf(WebhookError);
    expect((error as WebhookError).status).toBe(status);
    expect(error.message).toBe(`the webhook answered ${text}`);
    expect(logs()).toEqual([
      expect.objectContaining({
        level: "ERROR",
        message: "notification failed",
        errorName: "WebhookError",
        errorMessage: error.message,
        status,
        kind: "alarm",
        requestId: REQUEST_ID,
      }),
    ]);
    expectNoSecret(lines, error);
  });

  it("a webhook that echoes its URL in the answer does not get it into the error", async () => {
    const { handler, lines } = setup({ answer: { status: 403, body: `forbidden: ${URL}` } });
    const error = await failure(handler(snsEvent(ALARM), context()));
    expect(error.message).toBe("the webhook answered HTTP 403: forbidden: [webhook URL]");
    expectNoSecret(lines, error);
  });

  it("after 404 (a deleted or replaced webhook) the cached URL is dropped: the retry reads the parameter again", async () => {
    const { handler, ssm } = setup({ answer: { status: 404, body: "no_service" } });
    await failure(handler(snsEvent(ALARM), context()));
    await failure(handler(snsEvent(ALARM), context()));
    expect(ssm.calls).toHaveLength(2);
  });

  it("a 5xx keeps the cached URL", async () => {
    const { handler, ssm } = setup({ answer: { status: 503 } });
    await failure(handler(snsEvent(ALARM), context()));
    await failure(handler(snsEvent(ALARM), context()));
    expect(ssm.calls).toHaveLength(1);
  });

  it("a network error names its code only (never the URL the runtime may put in its message)", async () => {
    const cause = Object.assign(new Error(`connect ECONNREFUSED for ${URL}`), { code: "ECONNREFUSED" });
    const { handler, lines } = setup({ answer: new TypeError(`fetch failed: ${URL}`, { cause }) });
    const error = await failure(handler(snsEvent(ALARM), context()));
    expect(error).toBeInstanceOf(WebhookUnreachableError);
    expect(error.message).toBe("the webhook could not be reached: ECONNREFUSED");
    expectNoSecret(lines, error);
  });

  it("gives up one second before the function's own timeout", async () => {
    const never = (signal?: AbortSignal) =>
      new Promise<{ status: number }>((_resolve, reject) =>
        signal?.addEventListener("abort", () => reject(Object.assign(new Error("This operation was aborted"), { name: "AbortError" }))),
      );
    const { handler, logs } = setup({ answer: never });
    const started = Date.now();
    const error = await failure(handler(snsEvent(ALARM), context(1_050)));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(error).toBeInstanceOf(WebhookUnreachableError);
    expect(error.message).toBe("the webhook could not be reached: no answer before the function's deadline");
    expect(logs()[0]).toMatchObject({ level: "ERROR", errorName: "WebhookUnreachableError" });
  });

  it("a malformed event (not an SNS notification) fails before reading the parameter", async () => {
    for (const event of [
      {},
      { Records: [] },
      { Records: [{ EventSource: "aws:sqs", body: "{}" }] },
      { Records: [{ EventSource: "aws:sns", Sns: { MessageId: "x" } }] },
      null,
      "text",
    ]) {
      const { handler, ssm, http, logs } = setup();
      const error = await failure(handler(event, context()));
      expect(error).toBeInstanceOf(MalformedEventError);
      expect(ssm.calls).toHaveLength(0);
      expect(http.calls).toHaveLength(0);
      expect(logs()).toEqual([
        expect.objectContaining({
          level: "ERROR",
          message: "notification failed",
          errorName: "MalformedEventError",
          requestId: REQUEST_ID,
        }),
      ]);
    }
    expect(() => snsMessages({ Records: [{ EventSource: "aws:sqs" }] })).toThrow(
      'record 0 is not an SNS notification (EventSource "aws:sqs")',
    );
    expect(() => snsMessages({ Records: [{ EventSource: "aws:sns", Sns: {} }] })).toThrow("record 0 has no Sns.Message");
  });

  it("invalid settings fail with a logged reason", async () => {
    const lines: string[] = [];
    const handler = createHandler({
      settings: () => loadSettings({}),
      ssm: () => fakeSsm(URL).client,
      fetch: fakeFetch().fetchFn,
      sink: (l) => lines.push(l),
    });
    const error = await failure(handler(snsEvent(ALARM), context()));
    expect(error).toBeInstanceOf(SettingsError);
    expect(JSON.parse(lines[0])).toMatchObject({
      level: "ERROR",
      message: "invalid settings",
      errorMessage: "WEBHOOK_URL_PARAMETER is not set",
    });
  });
});

describe("the webhook URL parameter", () => {
  it("still holding its placeholder: a clear error naming the parameter and how to set it; nothing posted", async () => {
    const { handler, http, logs, lines } = setup({ ssm: WEBHOOK_URL_PLACEHOLDER });
    const error = await failure(handler(snsEvent(ALARM), context()));
    expect(error).toBeInstanceOf(WebhookUrlError);
    expect(error.message).toMatch(
      /^the webhook URL is not set yet: parameter \/petclinic\/dev\/notification\/webhook-url still holds its placeholder; set it with: aws ssm put-parameter --overwrite --type SecureString/,
    );
    expect(http.calls).toHaveLength(0);
    expect(logs()).toEqual([expect.objectContaining({ level: "ERROR", errorName: "WebhookUrlError", errorMessage: error.message })]);
    expectNoSecret(lines, error);
  });

  it("a placeholder is not cached: once an operator sets the URL, the next attempt delivers", async () => {
    let value: string = WEBHOOK_URL_PLACEHOLDER;
    const { handler, http } = setup({ ssm: () => value });
    await failure(handler(snsEvent(ALARM), context()));
    value = URL;
    await expect(handler(snsEvent(ALARM), context())).resolves.toEqual({ delivered: 1 });
    expect(http.calls).toHaveLength(1);
  });

  it.each([
    ["empty", "  "],
    ["no value", undefined],
  ])("%s: not set yet", async (_why, value) => {
    const { handler } = setup({ ssm: value });
    expect((await failure(handler(snsEvent(ALARM), context()))).message).toMatch(/^the webhook URL is not set yet/);
  });

  it.each([
    ["not a URL", `hooks.slack.com/services/T01PETCLINIC/B0SECRET1/${SECRET}`, "does not hold a URL (the value is not shown)"],
    [
      "plain http",
      `http://hooks.slack.com/services/T01PETCLINIC/B0SECRET1/${SECRET}`,
      "holds a URL that is not https (the value is not shown)",
    ],
  ])("%s: refused without showing the value", async (_why, value, text) => {
    const { handler, http, lines } = setup({ ssm: value });
    const error = await failure(handler(snsEvent(ALARM), context()));
    expect(error).toBeInstanceOf(WebhookUrlError);
    expect(error.message).toContain(`parameter ${PARAMETER} ${text}`);
    expect(http.calls).toHaveLength(0);
    expectNoSecret(lines, error);
  });

  it("missing parameter: says so (ParameterNotFound from Parameter Store)", async () => {
    const { handler } = setup({ ssm: new ParameterNotFound({ message: "", $metadata: { httpStatusCode: 400 } }) });
    const error = await failure(handler(snsEvent(ALARM), context()));
    expect(error).toBeInstanceOf(WebhookUrlError);
    expect(error.message).toMatch(/^parameter \/petclinic\/dev\/notification\/webhook-url does not exist/);
  });

  it("other Parameter Store errors (access denied) pass through, logged with their status", async () => {
    const denied = Object.assign(new Error("User is not authorized to perform ssm:GetParameter"), {
      name: "AccessDeniedException",
      $metadata: { httpStatusCode: 400 },
    });
    const { handler, logs } = setup({ ssm: denied });
    expect(await failure(handler(snsEvent(ALARM), context()))).toBe(denied);
    expect(logs()[0]).toMatchObject({ errorName: "AccessDeniedException", upstreamStatus: 400 });
  });

  it("checkUrl accepts an https URL, trimmed", () => {
    expect(checkUrl(PARAMETER, ` ${URL}\n`)).toBe(URL);
  });
});

describe("message formatting", () => {
  const sns = (message: unknown, subject?: string): SnsMessage => ({
    messageId: "m",
    topicArn: TOPIC,
    subject,
    message: typeof message === "string" ? message : JSON.stringify(message),
  });

  it("ALARM: red, the state change, the reason, the facts and a link to the alarm in the console", () => {
    const n = toNotification(sns(ALARM, 'ALARM: "petclinic-dev-alb-5xx" in US West (Oregon)'));
    expect(n).toEqual({
      kind: "alarm",
      severity: "alarm",
      title: "ALARM: petclinic-dev-alb-5xx",
      text: ALARM.NewStateReason,
      facts: [
        ["State", "OK → ALARM"],
        ["Description", "5xx answers of the load balancer"],
        ["Changed", "2025-06-01T10:01:00.000+0000"],
        ["Account", "111111111111"],
        ["Region", "us-west-2"],
      ],
      nextSteps: [],
      link: {
        url: "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#alarmsV2:alarm/petclinic-dev-alb-5xx",
        label: "Open the alarm in CloudWatch",
      },
    });
    const payload = slackPayload(n) as { text: string; blocks: Record<string, unknown>[] };
    expect(payload.text).toBe(":red_circle: ALARM: petclinic-dev-alb-5xx");
    expect(payload.blocks).toEqual([
      { type: "header", text: { type: "plain_text", text: ":red_circle: ALARM: petclinic-dev-alb-5xx", emoji: true } },
      { type: "section", text: { type: "mrkdwn", text: ALARM.NewStateReason } },
      {
        type: "section",
        fields: [
          { type: "mrkdwn", text: "*State*\nOK → ALARM" },
          { type: "mrkdwn", text: "*Description*\n5xx answers of the load balancer" },
          { type: "mrkdwn", text: "*Changed*\n2025-06-01T10:01:00.000+0000" },
          { type: "mrkdwn", text: "*Account*\n111111111111" },
          { type: "mrkdwn", text: "*Region*\nus-west-2" },
        ],
      },
      {
        type: "context",
        elements: [
          {
            type: "mrkdwn",
            text: "<https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#alarmsV2:alarm/petclinic-dev-alb-5xx|Open the alarm in CloudWatch>",
          },
        ],
      },
    ]);
  });

  it("OK: green; INSUFFICIENT_DATA: a warning", () => {
    const ok = toNotification(
      sns({ ...ALARM, NewStateValue: "OK", OldStateValue: "ALARM", NewStateReason: "Threshold Crossed: back below 5.0" }),
    );
    expect(ok).toMatchObject({
      severity: "ok",
      title: "OK: petclinic-dev-alb-5xx",
      facts: expect.arrayContaining([["State", "ALARM → OK"]]),
    });
    expect((slackPayload(ok) as { text: string }).text).toBe(":large_green_circle: OK: petclinic-dev-alb-5xx");
    expect((teamsPayload(ok) as { attachments: { content: { body: { color?: string }[] } }[] }).attachments[0].content.body[0].color).toBe(
      "Good",
    );
    const insufficient = toNotification(sns({ ...ALARM, NewStateValue: "INSUFFICIENT_DATA" }));
    expect(insufficient).toMatchObject({ severity: "warning", title: "INSUFFICIENT_DATA: petclinic-dev-alb-5xx" });
    expect((slackPayload(insufficient) as { text: string }).text).toBe(":warning: INSUFFICIENT_DATA: petclinic-dev-alb-5xx");
  });

  it("alarm names are URL-encoded in the link; other partitions get their console", () => {
    expect(alarmConsoleUrl("arn:aws:cloudwatch:us-west-2:111111111111:alarm:api p99 > 2s", "api p99 > 2s")).toBe(
      "https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#alarmsV2:alarm/api%20p99%20%3E%202s",
    );
    expect(alarmConsoleUrl("arn:aws-us-gov:cloudwatch:us-gov-west-1:111111111111:alarm:x", "x")).toBe(
      "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:alarm/x",
    );
    expect(consoleBase("aws-cn", "cn-north-1")).toBe("https://console.amazonaws.cn");
    expect(alarmConsoleUrl("not an arn", "x")).toBeUndefined();
    // Without a usable ARN the message has no link, and the region falls back to the alarm's own field.
    expect(toNotification(sns({ ...ALARM, AlarmArn: undefined }))).toMatchObject({
      facts: expect.arrayContaining([["Region", "US West (Oregon)"]]),
    });
    expect(toNotification(sns({ ...ALARM, AlarmArn: undefined })).link).toBeUndefined();
  });

  it("values are escaped for Slack (& < >), and long texts are cut", () => {
    const n = toNotification(sns({ ...ALARM, AlarmName: "a<b>&c", NewStateReason: "x > 5 & y < 2" }));
    expect(n.text).toBe("x &gt; 5 &amp; y &lt; 2");
    expect((slackPayload(n) as { text: string }).text).toBe(":red_circle: ALARM: a&lt;b&gt;&amp;c");
    expect(escapeMrkdwn("<@channel>")).toBe("&lt;@channel&gt;");
    const long = toNotification(sns("y".repeat(5000), "Big"));
    expect(Array.from(long.text)).toHaveLength(2900);
    expect(truncate("abcdef", 4)).toBe("abc…");
    expect(truncate("🐈🐈🐈", 3)).toBe("🐈🐈🐈");
  });

  it("a custom notification (the layer's EventBridge rules) keeps its markdown, next steps and severity", () => {
    const n = toNotification(
      sns({
        version: "1.0",
        source: "custom",
        content: {
          textType: "client-markdown",
          title: "ECS deployment failed (petclinic-dev)",
          description:
            "Deployment ecs-svc/123 of arn:aws:ecs:us-west-2:111111111111:service/petclinic-dev/customers failed: tasks failed to start",
          nextSteps: [
            "Service events and stopped tasks: https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/petclinic-dev/services?region=us-west-2",
          ],
          keywords: ["petclinic-dev", "ecs"],
        },
        metadata: { eventType: "ecs-deployment-failed", additionalContext: { severity: "alarm", cluster: "petclinic-dev" } },
      }),
    );
    expect(n).toEqual({
      kind: "custom",
      severity: "alarm",
      title: "ECS deployment failed (petclinic-dev)",
      text: "Deployment ecs-svc/123 of arn:aws:ecs:us-west-2:111111111111:service/petclinic-dev/customers failed: tasks failed to start",
      facts: [["cluster", "petclinic-dev"]],
      nextSteps: [
        "Service events and stopped tasks: https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/petclinic-dev/services?region=us-west-2",
      ],
    });
    const blocks = (slackPayload(n) as { blocks: { type: string; text?: { text: string } }[] }).blocks;
    expect(blocks.at(-1)).toEqual({ type: "section", text: { type: "mrkdwn", text: `• ${n.nextSteps[0]}` } });
    // Teams: bare URLs become links.
    const teams = teamsPayload(n) as { attachments: { content: { body: { text?: string }[] } }[] };
    expect(teams.attachments[0].content.body.at(-1)?.text).toBe(
      "- Service events and stopped tasks: [https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/petclinic-dev/services?region=us-west-2](https://us-west-2.console.aws.amazon.com/ecs/v2/clusters/petclinic-dev/services?region=us-west-2)",
    );
  });

  it("a custom notification without a title uses the summary, then the subject; an unknown severity is info", () => {
    const base = { version: "1.0", source: "custom", content: { description: "d" } };
    expect(toNotification(sns({ ...base, metadata: { summary: "S", additionalContext: { severity: "panic" } } }))).toMatchObject({
      title: "S",
      severity: "info",
    });
    expect(toNotification(sns(base, "Subj")).title).toBe("Subj");
  });

  it("a raw EventBridge event: its detail type, the facts and the detail as code", () => {
    const n = toNotification(
      sns({
        version: "0",
        id: "e",
        "detail-type": "ECS Service Action",
        source: "aws.ecs",
        account: "111111111111",
        time: "2025-06-01T10:00:00Z",
        region: "us-west-2",
        resources: ["arn:r"],
        detail: { eventName: "SERVICE_TASK_START_IMPAIRED" },
      }),
    );
    expect(n).toMatchObject({
      kind: "event",
      severity: "info",
      title: "ECS Service Action",
      facts: [
        ["Source", "aws.ecs"],
        ["Time", "2025-06-01T10:00:00Z"],
        ["Account", "111111111111"],
        ["Region", "us-west-2"],
        ["Resources", "arn:r"],
      ],
    });
    expect(n.text).toBe('```{\n  "eventName": "SERVICE_TASK_START_IMPAIRED"\n}```');
  });

  it("anything else: the subject and the text (JSON that is neither an alarm nor an event too)", () => {
    expect(toNotification(sns("Budget exceeded: 120 %", "AWS Budgets"))).toEqual({
      kind: "text",
      severity: "info",
      title: "AWS Budgets",
      text: "Budget exceeded: 120 %",
      facts: [],
      nextSteps: [],
    });
    expect(toNotification(sns({ hello: "world" }))).toMatchObject({ kind: "text", title: "Notification", text: '{"hello":"world"}' });
  });

  it("Slack mrkdwn becomes Teams markdown", () => {
    expect(mrkdwnToMarkdown("see <https://a.example/x?y=1|the page> or <https://b.example> &lt;ok&gt; &amp; https://c.example/z")).toBe(
      "see [the page](https://a.example/x?y=1) or [https://b.example](https://b.example) <ok> & [https://c.example/z](https://c.example/z)",
    );
  });

  it("payloadFor picks the format; Slack caps fields at 10 and the header at 150 characters", () => {
    const n = {
      ...toNotification(sns(ALARM)),
      title: "t".repeat(300),
      facts: Array.from({ length: 12 }, (_, i) => [`k${i}`, "v"] as const),
    };
    const slack = payloadFor("slack", n) as { blocks: { type: string; text?: { text: string }; fields?: unknown[] }[] };
    expect(Array.from(slack.blocks[0].text!.text)).toHaveLength(150);
    expect(slack.blocks.find((b) => b.fields)?.fields).toHaveLength(10);
    expect((payloadFor("teams", n) as { type: string }).type).toBe("message");
  });
});

describe("settings", () => {
  it("reads the variables the layer sets, with defaults", () => {
    expect(loadSettings({ [ENV.parameterName]: PARAMETER })).toEqual({
      parameterName: PARAMETER,
      format: "slack",
      urlCacheSeconds: 300,
      logLevel: "INFO",
    });
    expect(
      loadSettings({ [ENV.parameterName]: PARAMETER, [ENV.format]: "teams", [ENV.urlCacheSeconds]: "0", [ENV.logLevel]: "debug" }),
    ).toEqual({
      parameterName: PARAMETER,
      format: "teams",
      urlCacheSeconds: 0,
      logLevel: "DEBUG",
    });
  });

  it.each([
    [{}, "WEBHOOK_URL_PARAMETER is not set"],
    [{ [ENV.parameterName]: "petclinic/x" }, 'WEBHOOK_URL_PARAMETER must be a parameter path starting with /, found "petclinic/x"'],
    [{ [ENV.parameterName]: PARAMETER, [ENV.format]: "discord" }, 'MESSAGE_FORMAT must be slack or teams, found "discord"'],
    [
      { [ENV.parameterName]: PARAMETER, [ENV.urlCacheSeconds]: "-1" },
      'URL_CACHE_SECONDS must be a whole number of seconds >= 0, found "-1"',
    ],
    [{ [ENV.parameterName]: PARAMETER, [ENV.logLevel]: "loud" }, 'LOG_LEVEL must be DEBUG, INFO, WARN or ERROR, found "loud"'],
  ])("refuses %j", (vars, message) => {
    expect(() => loadSettings(vars)).toThrow(new SettingsError(message));
  });

  it("the placeholder says how to replace it, and is what the layer creates the parameter with", () => {
    expect(WEBHOOK_URL_PLACEHOLDER).toMatch(/^UNSET: .*aws ssm put-parameter --overwrite/);
  });
});
