/**
 * Types every function's handler shares: the part of the Lambda context object they read and the
 * dependencies each handler is built from (injected, so the tests give fakes). Types only: nothing
 * of this file is in a bundle.
 */

/** The parts of the Lambda context object the functions read. */
export interface LambdaContext {
  readonly awsRequestId: string;
  readonly functionVersion?: string;
  getRemainingTimeInMillis?(): number;
}

/** What every handler is built from: its settings and where its log lines go. */
export interface BaseHandlerDeps<S> {
  /** The settings (memoize them; may throw SettingsError). */
  readonly settings: () => S;
  /** Log line sink. @default process.stdout */
  readonly sink?: (line: string) => void;
}
