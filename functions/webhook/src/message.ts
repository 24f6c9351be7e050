/**
 * From an SNS event to what a chat message says.
 *
 * The alarm topic carries four kinds of messages, told apart by their shape:
 * - CloudWatch alarm state changes (JSON with AlarmName and NewStateValue): ALARM / OK /
 *   INSUFFICIENT_DATA, the reason, the change, and a link to the alarm in the console;
 * - custom notifications in AWS Chatbot's format (`{"version": "1.0", "source": "custom", "content":
 *   {...}}`), which the notification layer's EventBridge rules produce for ECS and RDS events;
 * - raw EventBridge events (a rule without an input transformer): the detail type and the event;
 * - anything else: the SNS subject and the message as text.
 *
 * Text for the chat is Slack mrkdwn: values from the message are escaped (`&`, `<`, `>`), links
 * are `<url|label>`; the Teams format converts it (./format.ts).
 */
import { isObject } from "../../shared/json-object";

/** One SNS notification as Lambda receives it. */
export interface SnsMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  readonly timestamp?: string;
}

export type Severity = "alarm" | "ok" | "warning" | "info";
export type MessageKind = "alarm" | "custom" | "event" | "text";

export interface Notification {
  readonly kind: MessageKind;
  readonly severity: Severity;
  /** Plain text, one line. */
  readonly title: string;
  /** Slack mrkdwn (values escaped, links as <url|label>); may be empty. */
  readonly text: string;
  /** Label and plain-text value pairs. */
  readonly facts: ReadonlyArray<readonly [string, string]>;
  /** Slack mrkdwn lines. */
  readonly nextSteps: readonly string[];
  readonly link?: { readonly url: string; readonly label: string };
}

/** The event is not what SNS delivers to Lambda: retrying will not help, the dead-letter queue keeps it. */
export class MalformedEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MalformedEventError";
  }
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);

/** The SNS notifications of a Lambda event; throws MalformedEventError for anything else. */
export function snsMessages(event: unknown): SnsMessage[] {
  if (!isObject(event) || !Array.isArray(event.Records) || event.Records.length === 0) {
    throw new MalformedEventError("the event is not an SNS notification (no Records)");
  }
  return event.Records.map((record: unknown, i: number) => {
    if (!isObject(record) || record.EventSource !== "aws:sns" || !isObject(record.Sns)) {
      throw new MalformedEventError(
        `record ${i} is not an SNS notification (EventSource ${JSON.stringify(isObject(record) ? record.EventSource : undefined)})`,
      );
    }
    const sns = record.Sns;
    if (typeof sns.Message !== "string") throw new MalformedEventError(`record ${i} has no Sns.Message`);
    return {
      messageId: typeof sns.MessageId === "string" ? sns.MessageId : "",
      topicArn: typeof sns.TopicArn === "string" ? sns.TopicArn : "",
      subject: str(sns.Subject),
      message: sns.Message,
      timestamp: str(sns.Timestamp),
    };
  });
}

/** Escapes text for Slack mrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** At most `max` characters (code points), with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

/** The AWS console of a partition and region. */
export function consoleBase(partition: string, region: string): string {
  if (partition === "aws-cn") return "https://console.amazonaws.cn";
  if (partition === "aws-us-gov") return "https://console.amazonaws-us-gov.com";
  return `https://${region}.console.aws.amazon.com`;
}

interface ParsedArn {
  readonly partition: string;
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

export function parseArn(arn: unknown): ParsedArn | undefined {
  if (typeof arn !== "string") return undefined;
  const m = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/.exec(arn);
  return m ? { partition: m[1], service: m[2], region: m[3], account: m[4] ?? "", resource: m[5] } : undefined;
}

/** The console page of a CloudWatch alarm, from its ARN. */
export function alarmConsoleUrl(alarmArn: unknown, alarmName: string): string | undefined {
  const arn = parseArn(alarmArn);
  if (!arn || arn.service !== "cloudwatch" || !arn.region) return undefined;
  return `${consoleBase(arn.partition, arn.region)}/cloudwatch/home?region=${arn.region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

const STATE_SEVERITY: Record<string, Severity> = { ALARM: "alarm", OK: "ok", INSUFFICIENT_DATA: "warning" };

/** A CloudWatch alarm state change (metric or composite alarm). */
function alarmNotification(a: Record<string, unknown>): Notification {
  const name = String(a.AlarmName);
  const state = String(a.NewStateValue);
  const arn = parseArn(a.AlarmArn);
  const url = alarmConsoleUrl(a.AlarmArn, name);
  const facts: [string, string][] = [];
  if (str(a.OldStateValue)) facts.push(["State", `${String(a.OldStateValue)} → ${state}`]);
  if (str(a.AlarmDescription)) facts.push(["Description", String(a.AlarmDescription)]);
  if (str(a.StateChangeTime)) facts.push(["Changed", String(a.StateChangeTime)]);
  const account = str(a.AWSAccountId) ?? arn?.account;
  if (account) facts.push(["Account", account]);
  const region = arn?.region || str(a.Region);
  if (region) facts.push(["Region", region]);
  return {
    kind: "alarm",
    severity: STATE_SEVERITY[state] ?? "info",
    title: `${state}: ${name}`,
    text: escapeMrkdwn(str(a.NewStateReason) ?? ""),
    facts,
    nextSteps: [],
    ...(url ? { link: { url, label: "Open the alarm in CloudWatch" } } : {}),
  };
}

const SEVERITIES: readonly string[] = ["alarm", "ok", "warning", "info"];

/**
 * An AWS Chatbot custom notification: its content is already chat markdown. The severity comes
 * from `metadata.additionalContext.severity` (the kit's rules set it), the other string entries of
 * `additionalContext` become facts.
 */
function customNotification(c: Record<string, unknown>, subject?: string): Notification {
  const content = c.content as Record<string, unknown>;
  const metadata = isObject(c.metadata) ? c.metadata : {};
  const context = isObject(metadata.additionalContext) ? metadata.additionalContext : {};
  const severity = typeof context.severity === "string" && SEVERITIES.includes(context.severity) ? (context.severity as Severity) : "info";
  const facts: [string, string][] = Object.entries(context)
    .filter(([k, v]) => k !== "severity" && typeof v === "string" && v !== "")
    .map(([k, v]) => [k, String(v)]);
  return {
    kind: "custom",
    severity,
    title: str(content.title) ?? str(metadata.summary) ?? subject ?? "Notification",
    text: String(content.description),
    facts,
    nextSteps: Array.isArray(content.nextSteps) ? content.nextSteps.filter((s): s is string => typeof s === "string") : [],
  };
}

/** A raw EventBridge event. */
function eventNotification(e: Record<string, unknown>): Notification {
  const facts: [string, string][] = [];
  if (str(e.source)) facts.push(["Source", String(e.source)]);
  if (str(e.time)) facts.push(["Time", String(e.time)]);
  if (str(e.account)) facts.push(["Account", String(e.account)]);
  if (str(e.region)) facts.push(["Region", String(e.region)]);
  if (Array.isArray(e.resources) && e.resources.length) facts.push(["Resources", e.resources.map(String).join(", ")]);
  const detail = truncate(JSON.stringify(e.detail ?? {}, null, 2), 2000);
  return {
    kind: "event",
    severity: "info",
    title: String(e["detail-type"]),
    text: `\`\`\`${escapeMrkdwn(detail)}\`\`\``,
    facts,
    nextSteps: [],
  };
}

/** What the chat message says, for any message of the topic. */
export function toNotification(sns: SnsMessage): Notification {
  let body: unknown;
  try {
    body = JSON.parse(sns.message);
  } catch {
    body = undefined;
  }
  if (isObject(body)) {
    if (str(body.AlarmName) && str(body.NewStateValue)) return alarmNotification(body);
    if (body.version === "1.0" && body.source === "custom" && isObject(body.content) && str(body.content.description))
      return customNotification(body, sns.subject);
    if (str(body["detail-type"]) && str(body.source)) return eventNotification(body);
  }
  return {
    kind: "text",
    severity: "info",
    title: sns.subject ?? "Notification",
    text: escapeMrkdwn(truncate(sns.message, 2900)),
    facts: [],
    nextSteps: [],
  };
}
