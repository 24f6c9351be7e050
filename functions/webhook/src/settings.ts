/**
 * The function's settings, read once from its environment (set by layer 12 from the
 * `notification.slack.webhook` config section). The webhook URL is not among them: it is a secret,
 * read at run time from the SecureString parameter named here (./webhook-url.ts).
 */
import type { LogLevel } from "../../shared/log";
import { logLevel as readLogLevel, required, SettingsError } from "../../shared/settings";

export { SettingsError };

export const MESSAGE_FORMATS = ["slack", "teams"] as const;
export type MessageFormat = (typeof MESSAGE_FORMATS)[number];

export interface Settings {
  /** Name of the SecureString parameter holding the webhook URL. */
  readonly parameterName: string;
  /** Payload shape posted to the webhook. */
  readonly format: MessageFormat;
  /** How long the URL is kept before the parameter is read again, in seconds (0: every message). */
  readonly urlCacheSeconds: number;
  readonly logLevel: LogLevel;
}

/** The variables the function reads; layer 12 sets each of them. */
export const ENV = {
  parameterName: "WEBHOOK_URL_PARAMETER",
  format: "MESSAGE_FORMAT",
  urlCacheSeconds: "URL_CACHE_SECONDS",
  logLevel: "LOG_LEVEL",
} as const;

/**
 * The value Terraform creates the parameter with. Operators replace it with the real URL
 * (layers/12-notification/README.md); until then every message fails with a clear error and waits in the
 * dead-letter queue.
 */
export const WEBHOOK_URL_PLACEHOLDER = "UNSET: set this SecureString to the incoming webhook URL with aws ssm put-parameter --overwrite";

/** Reads and checks the settings; throws SettingsError on a missing or malformed variable. */
export function loadSettings(env: NodeJS.ProcessEnv): Settings {
  const parameterName = required(env, ENV.parameterName);
  if (!parameterName.startsWith("/"))
    throw new SettingsError(`${ENV.parameterName} must be a parameter path starting with /, found ${JSON.stringify(parameterName)}`);
  const format = (env[ENV.format] ?? "slack").toLowerCase();
  if (!(MESSAGE_FORMATS as readonly string[]).includes(format)) {
    throw new SettingsError(`${ENV.format} must be slack or teams, found ${JSON.stringify(env[ENV.format])}`);
  }
  const rawCache = env[ENV.urlCacheSeconds];
  const urlCacheSeconds = rawCache === undefined || rawCache === "" ? 300 : Number(rawCache);
  if (!Number.isInteger(urlCacheSeconds) || urlCacheSeconds < 0) {
    throw new SettingsError(`${ENV.urlCacheSeconds} must be a whole number of seconds >= 0, found ${JSON.stringify(rawCache)}`);
  }
  const logLevel = readLogLevel(env, ENV.logLevel);
  return { parameterName, format: format as MessageFormat, urlCacheSeconds, logLevel };
}
