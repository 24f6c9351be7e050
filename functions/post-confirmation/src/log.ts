/**
 * Structured logging: one JSON object per line on stdout (CloudWatch Logs stores it as is; Logs
 * Insights indexes the fields). Every line carries a timestamp, the level, a message and the
 * fields bound to the logger (the Lambda request id, the record being handled).
 *
 * The function never logs e-mail addresses or user attributes (personal data): only the user's
 * sub (an opaque id), the trigger, the target and error names.
 */

export const LOG_LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger whose lines also carry `fields`. */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** An error as log fields: name and message, the HTTP status of an AWS error, the stack when asked. */
export function errorFields(error: unknown, withStack = false): Record<string, unknown> {
  if (error instanceof Error) {
    const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    return {
      errorName: error.name,
      errorMessage: error.message,
      ...(status !== undefined ? { upstreamStatus: status } : {}),
      ...(withStack && error.stack ? { stack: error.stack } : {}),
    };
  }
  return { errorName: typeof error, errorMessage: String(error) };
}

export function createLogger(options: { level?: LogLevel; sink?: (line: string) => void; now?: () => Date } = {}, bound: LogFields = {}): Logger {
  const threshold = RANK[options.level ?? "INFO"];
  const sink = options.sink ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (RANK[level] < threshold) return;
    let line: string;
    try {
      line = JSON.stringify({ timestamp: now().toISOString(), level, message, ...bound, ...fields });
    } catch {
      line = JSON.stringify({ timestamp: now().toISOString(), level, message, ...bound, note: "fields could not be serialized" });
    }
    sink(`${line}\n`);
  };
  return {
    debug: (m, f) => write("DEBUG", m, f),
    info: (m, f) => write("INFO", m, f),
    warn: (m, f) => write("WARN", m, f),
    error: (m, f) => write("ERROR", m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
