/**
 * The message the mailer sends, as JSON:
 *
 *   {"template": "otp", "to": ["user@example.com"], "data": {"code": "123456"}, "replyTo": "help@example.com"}
 *
 * `template` is a config name of native.ses.templates; `to` one address or a list (at most
 * MAX_RECIPIENTS, duplicates removed); `data` the template's values, which must include every
 * placeholder the template uses outside blocks; `replyTo` is optional. Unknown fields are refused,
 * so a typo never sends an e-mail with an empty placeholder.
 */
import { checkJsonObject, type JsonInputWords, parseJsonText } from "../../shared/json-object";
import type { Settings } from "./settings";

export interface MailMessage {
  /** Config name of the template. */
  readonly template: string;
  readonly to: readonly string[];
  readonly data: Readonly<Record<string, unknown>>;
  readonly replyTo: readonly string[];
}

export const MESSAGE_KEYS = ["template", "to", "data", "replyTo"] as const;

/** SES refuses TemplateData above this many bytes. */
export const MAX_TEMPLATE_DATA_BYTES = 262144;

/** A pragmatic address check: local part, @, a domain of two or more labels. */
export const ADDRESS_RE =
  /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A message that can never be sent as it is (retrying does not help). */
export class InvalidMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidMessage";
    this.stack = `InvalidMessage: ${message}`;
  }
}

const invalid = (message: string) => new InvalidMessageError(message);

function addresses(value: unknown, field: string, max: number, required: boolean): string[] {
  if (value === undefined || value === null) {
    if (required) throw invalid(`${field} is required`);
    return [];
  }
  const list = typeof value === "string" ? [value] : value;
  if (!Array.isArray(list)) throw invalid(`${field} must be an e-mail address or a list of them`);
  if (required && list.length === 0) throw invalid(`${field} must name at least one recipient`);
  const out: string[] = [];
  list.forEach((item, i) => {
    if (typeof item !== "string" || !ADDRESS_RE.test(item.trim())) throw invalid(`${field}[${i}] is not an e-mail address`);
    const address = item.trim();
    if (!out.some((a) => a.toLowerCase() === address.toLowerCase())) out.push(address);
  });
  if (out.length > max) throw invalid(`${field} has ${out.length} addresses; at most ${max} are allowed`);
  return out;
}

/** How a refused message is worded. */
const WORDS: JsonInputWords = {
  empty: "the message is empty",
  notJson: "the message is not valid JSON",
  notObject: 'the message must be a JSON object such as {"template": "...", "to": [...], "data": {...}}',
  unknownField: "unknown field",
};

/** Parses a message from text (an SNS message or an SQS body). */
export function parseMessage(text: string | undefined, settings: Settings): MailMessage {
  return validateMessage(parseJsonText(text, WORDS, invalid), settings);
}

/** Checks a parsed message against the configured templates. */
export function validateMessage(body: unknown, settings: Settings): MailMessage {
  const record = checkJsonObject(body, MESSAGE_KEYS, WORDS, invalid);

  if (typeof record.template !== "string" || !record.template) throw invalid("template is required (a template name)");
  const known = Object.keys(settings.templates);
  const template = settings.templates[record.template];
  if (!template || !Object.prototype.hasOwnProperty.call(settings.templates, record.template)) {
    throw invalid(`unknown template ${JSON.stringify(record.template)} (known: ${known.join(", ") || "none"})`);
  }

  const to = addresses(record.to, "to", settings.maxRecipients, true);
  const replyTo = addresses(record.replyTo, "replyTo", 5, false);

  const data = record.data ?? {};
  if (typeof data !== "object" || data === null || Array.isArray(data)) throw invalid("data must be an object of template values");
  const values = data as Record<string, unknown>;
  const missing = template.required.filter((k) => values[k] === undefined || values[k] === null || values[k] === "");
  if (missing.length)
    throw invalid(`data lacks ${missing.map((k) => JSON.stringify(k)).join(", ")}, required by the template ${record.template}`);
  if (Buffer.byteLength(JSON.stringify(values)) > MAX_TEMPLATE_DATA_BYTES)
    throw invalid(`data is larger than ${MAX_TEMPLATE_DATA_BYTES} bytes as JSON`);

  return { template: record.template, to, data: values, replyTo };
}
