/**
 * Chat payloads for a Notification (./message.ts).
 *
 * - slack: an incoming-webhook message, `text` (what notifications and old clients show) plus
 *   Block Kit blocks: a header, the text, up to 10 facts, the next steps, and the console link.
 * - teams: a Microsoft Teams workflow webhook message ("Post to a channel when a webhook request is
 *   received"): one Adaptive Card with the same parts; Slack links become markdown links.
 *
 * Slack limits: header 150 characters, a section text 3000, a field 2000, 10 fields per section.
 */
import { escapeMrkdwn, truncate, type Notification, type Severity } from "./message";
import type { MessageFormat } from "./settings";

const SLACK_EMOJI: Record<Severity, string> = {
  alarm: ":red_circle:",
  ok: ":large_green_circle:",
  warning: ":warning:",
  info: ":information_source:",
};
const TEAMS_COLOR: Record<Severity, string> = { alarm: "Attention", ok: "Good", warning: "Warning", info: "Default" };

export type Payload = Record<string, unknown>;

export function slackPayload(n: Notification): Payload {
  const emoji = SLACK_EMOJI[n.severity];
  const blocks: Payload[] = [{ type: "header", text: { type: "plain_text", text: truncate(`${emoji} ${n.title}`, 150), emoji: true } }];
  if (n.text) blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(n.text, 3000) } });
  if (n.facts.length) {
    blocks.push({
      type: "section",
      fields: n.facts
        .slice(0, 10)
        .map(([label, value]) => ({ type: "mrkdwn", text: truncate(`*${escapeMrkdwn(label)}*\n${escapeMrkdwn(value)}`, 2000) })),
    });
  }
  if (n.nextSteps.length)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: truncate(n.nextSteps.map((s) => `• ${s}`).join("\n"), 3000) } });
  if (n.link) blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: `<${n.link.url}|${escapeMrkdwn(n.link.label)}>` }] });
  return { text: `${emoji} ${escapeMrkdwn(n.title)}`, blocks };
}

/** Slack mrkdwn to the markdown of Adaptive Cards: `<url|label>` -> `[label](url)`, bare URLs linked, entities decoded. */
export function mrkdwnToMarkdown(text: string): string {
  return text
    .replace(/<(https?:\/\/[^|>]+)\|([^>]+)>/g, "[$2]($1)")
    .replace(/<(https?:\/\/[^>]+)>/g, "[$1]($1)")
    .replace(/(?<![[(])https?:\/\/[^\s)\]]+/g, "[$&]($&)")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");
}

export function teamsPayload(n: Notification): Payload {
  const body: Payload[] = [
    { type: "TextBlock", text: n.title, weight: "Bolder", size: "Medium", wrap: true, color: TEAMS_COLOR[n.severity] },
  ];
  if (n.text) body.push({ type: "TextBlock", text: truncate(mrkdwnToMarkdown(n.text), 3000), wrap: true });
  if (n.facts.length)
    body.push({ type: "FactSet", facts: n.facts.slice(0, 10).map(([title, value]) => ({ title, value: truncate(value, 2000) })) });
  if (n.nextSteps.length) body.push({ type: "TextBlock", text: n.nextSteps.map((s) => `- ${mrkdwnToMarkdown(s)}`).join("\n"), wrap: true });
  const card: Payload = {
    $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
    type: "AdaptiveCard",
    version: "1.4",
    body,
    ...(n.link ? { actions: [{ type: "Action.OpenUrl", title: n.link.label, url: n.link.url }] } : {}),
  };
  return { type: "message", attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }] };
}

export function payloadFor(format: MessageFormat, n: Notification): Payload {
  return format === "teams" ? teamsPayload(n) : slackPayload(n);
}
