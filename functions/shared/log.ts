/**
 * Structured logging shared by every function: one JSON object per line on stdout, which
 * CloudWatch Logs stores as is and Logs Insights indexes by field. Every line carries a timestamp,
 * the level, a message and the fields bound to the logger (the Lambda request id, the API Gateway
 * request id, the record being handled, ...).
 *
 * What a function must never log is its own rule (GenAI: questions and answers; mailer: recipients,
 * template data and OTP codes; webhook: the URL): only lengths, counts, ids and error names.
 * A log line never throws: cycles and BigInts are serialized.
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

export interface LoggerOptions {
  /** Lines below this level are dropped. @default "INFO" */
  readonly level?: LogLevel;
  /** Where lines go. @default process.stdout */
  readonly sink?: (line: string) => void;
  /** Clock, for tests. @default () => new Date() */
  readonly now?: () => Date;
}

const RANK: Record<LogLevel, number> = { DEBUG: 10, INFO: 20, WARN: 30, ERROR: 40 };

export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/**
 * An error as log fields: name and message always; `status` of an error that carries an HTTP status
 * of its own (a webhook's answer), else `upstreamStatus` of an AWS SDK error; the stack only when
 * asked (never sent to clients).
 */
export function errorFields(error: unknown, withStack = false): Record<string, unknown> {
  if (error instanceof Error) {
    const sdkStatus = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
    const status = (error as { status?: unknown }).status;
    return {
      errorName: error.name,
      errorMessage: error.message,
      ...(typeof status === "number" ? { status } : sdkStatus !== undefined ? { upstreamStatus: sdkStatus } : {}),
      ...(withStack && error.stack ? { stack: error.stack } : {}),
    };
  }
  return { errorName: typeof error, errorMessage: String(error) };
}

/** JSON.stringify that survives cycles and BigInts (a log line must never throw). */
function serialize(record: Record<string, unknown>): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(record, (_key, value: unknown) => {
    if (typeof value === "bigint") return value.toString();
    if (typeof value === "object" && value !== null) {
      if (seen.has(value)) return "[circular]";
      seen.add(value);
    }
    return value;
  });
}

export function createLogger(options: LoggerOptions = {}, bound: LogFields = {}): Logger {
  const threshold = RANK[options.level ?? "INFO"];
  const sink = options.sink ?? ((line: string) => void process.stdout.write(line));
  const now = options.now ?? (() => new Date());
  const write = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (RANK[level] < threshold) return;
    sink(`${serialize({ timestamp: now().toISOString(), level, message, ...bound, ...fields })}\n`);
  };
  return {
    debug: (m, f) => write("DEBUG", m, f),
    info: (m, f) => write("INFO", m, f),
    warn: (m, f) => write("WARN", m, f),
    error: (m, f) => write("ERROR", m, f),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
