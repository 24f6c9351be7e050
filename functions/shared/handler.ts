/**
 * The start every handler shares: its settings and its logger for the request.
 */
import type { BaseHandlerDeps } from "./lambda";
import { createLogger, errorFields, type Logger, type LogLevel } from "./log";

/**
 * `deps.settings()` and a logger at their level bound to `requestId`. Settings the function cannot
 * run with are logged at ERROR ("settings refused", with the error) and `refused()` is thrown
 * instead, so the caller learns of a misconfiguration but not its detail.
 */
export function settingsAndLogger<S extends { readonly logLevel: LogLevel }>(
  deps: BaseHandlerDeps<S>,
  requestId: string,
  refused: () => Error,
): { readonly settings: S; readonly log: Logger } {
  let settings: S;
  try {
    settings = deps.settings();
  } catch (e) {
    createLogger({ level: "ERROR", sink: deps.sink }, { requestId }).error("settings refused", errorFields(e));
    throw refused();
  }
  return { settings, log: createLogger({ level: settings.logLevel, sink: deps.sink }, { requestId }) };
}
