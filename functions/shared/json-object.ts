/**
 * The first checks of a function's JSON input (an API request body, a queued message): text that
 * is JSON at all, then an object with no keys beyond the accepted ones. Each function words its
 * refusals and throws its own error (`fail`).
 */

/** A JSON object (not null, not an array): what the functions check events and bodies with. */
export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** How one function words the refusals of its input. */
export interface JsonInputWords {
  /** The text is missing or blank. */
  readonly empty: string;
  /** The text is no JSON. */
  readonly notJson: string;
  /** The JSON is no object. */
  readonly notObject: string;
  /** Before the unknown keys: `Unknown field` (an `s` is added for several). */
  readonly unknownField: string;
}

/** The JSON value of `text`; throws fail(words.empty) or fail(words.notJson). */
export function parseJsonText(text: string | undefined, words: JsonInputWords, fail: (message: string) => Error): unknown {
  if (text === undefined || text.trim() === "") throw fail(words.empty);
  try {
    return JSON.parse(text);
  } catch {
    throw fail(words.notJson);
  }
}

/** `body` as an object with only `keys`; throws fail(words.notObject) or fail(<the unknown keys and the accepted ones>). */
export function checkJsonObject(
  body: unknown,
  keys: readonly string[],
  words: JsonInputWords,
  fail: (message: string) => Error,
): Record<string, unknown> {
  if (!isObject(body)) throw fail(words.notObject);
  const record = body;
  const unknown = Object.keys(record).filter((k) => !keys.includes(k));
  if (unknown.length)
    throw fail(
      `${words.unknownField}${unknown.length > 1 ? "s" : ""} ${unknown.map((k) => JSON.stringify(k)).join(", ")} (accepted: ${keys.join(", ")})`,
    );
  return record;
}
