/**
 * The mailer's settings, read once from its environment (set by layer 09 from native.ses and
 * native.mailer). No secrets: SES is called with the execution role.
 */
import type { LogLevel } from "../../shared/log";
import { logLevel as readLogLevel, required, SettingsError } from "../../shared/settings";

export { SettingsError };

/** A template the mailer may send: its SES name and the data fields it requires. */
export interface TemplateSetting {
  /** SES template name (`<project>-<environment>-<name>`). */
  readonly name: string;
  /** Placeholders outside blocks: a message must give each of them. */
  readonly required: readonly string[];
}

export interface Settings {
  /** Sender (an address at the verified SES domain). */
  readonly fromAddress: string;
  /** Configuration set every e-mail is sent with (event destinations, suppression, TLS). */
  readonly configurationSet: string;
  /** Templates by config name. */
  readonly templates: Readonly<Record<string, TemplateSetting>>;
  /** Most recipients per message. */
  readonly maxRecipients: number;
  readonly logLevel: LogLevel;
}

/** The variables the function reads; layer 09 sets each of them. */
export const ENV = {
  fromAddress: "FROM_ADDRESS",
  configurationSet: "CONFIGURATION_SET",
  templates: "TEMPLATES",
  maxRecipients: "MAX_RECIPIENTS",
  logLevel: "LOG_LEVEL",
} as const;

/** Reads and checks the settings; throws SettingsError on a missing or malformed variable. */
export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  let templates: unknown;
  try {
    templates = JSON.parse(required(env, ENV.templates));
  } catch (e) {
    if (e instanceof SettingsError) throw e;
    throw new SettingsError(`${ENV.templates} is not JSON`);
  }
  if (typeof templates !== "object" || templates === null || Array.isArray(templates))
    throw new SettingsError(`${ENV.templates} must be a JSON object`);
  for (const [key, t] of Object.entries(templates as Record<string, unknown>)) {
    const ok =
      typeof t === "object" &&
      t !== null &&
      typeof (t as TemplateSetting).name === "string" &&
      Array.isArray((t as TemplateSetting).required) &&
      (t as TemplateSetting).required.every((r) => typeof r === "string");
    if (!ok) throw new SettingsError(`${ENV.templates}.${key} must be {"name": string, "required": string[]}`);
  }
  const maxRaw = env[ENV.maxRecipients] ?? "10";
  const maxRecipients = Number(maxRaw);
  if (!Number.isInteger(maxRecipients) || maxRecipients < 1 || maxRecipients > 50)
    throw new SettingsError(`${ENV.maxRecipients} must be an integer from 1 to 50, found ${JSON.stringify(maxRaw)}`);
  const logLevel = readLogLevel(env, ENV.logLevel);
  return {
    fromAddress: required(env, ENV.fromAddress),
    configurationSet: required(env, ENV.configurationSet),
    templates: templates as Record<string, TemplateSetting>,
    maxRecipients,
    logLevel,
  };
}
