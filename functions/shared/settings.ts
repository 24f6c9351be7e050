/**
 * What every function's settings module shares: the error for a setting the function cannot run
 * with (a deployment mistake, never the caller's), and readers for the variables every function
 * has. Each function's own settings.ts names its variables and checks its own values.
 */
import { isLogLevel, type LogLevel } from "./log";

/** A setting the function cannot run with: a deployment mistake, never the caller's. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

/** The trimmed value of `name`; fail("<name> is not set") (default: a SettingsError) when it is missing or blank. */
export function required(
  env: NodeJS.ProcessEnv,
  name: string,
  fail: (message: string) => Error = (message) => new SettingsError(message),
): string {
  const value = env[name]?.trim();
  if (!value) throw fail(`${name} is not set`);
  return value;
}

/** A comma-separated list, trimmed, blanks dropped. */
export function list(raw: string | undefined): string[] {
  return (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The log level in `name` (any case), INFO when unset; SettingsError for anything else. */
export function logLevel(env: NodeJS.ProcessEnv, name: string): LogLevel {
  const value = (env[name] ?? "INFO").toUpperCase();
  if (!isLogLevel(value)) throw new SettingsError(`${name} must be DEBUG, INFO, WARN or ERROR, found ${JSON.stringify(env[name])}`);
  return value;
}
