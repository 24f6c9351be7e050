/** Configuration problems, reported one line each as `file:line:col key.path: expected ..., found ...`. */

export interface ConfigProblem {
  /** File the offending value (or its nearest parent) is written in; relative to the working directory. */
  readonly file: string;
  readonly line: number;
  readonly col: number;
  /** Dotted key path (`network.subnets.app[1]`), empty for the whole file. */
  readonly path: string;
  readonly expected: string;
  readonly found: string;
  /** Optional hint, such as a did-you-mean. */
  readonly hint?: string;
}

export function formatProblem(p: ConfigProblem): string {
  const where = `${p.file}:${p.line}:${p.col}`;
  const key = p.path ? ` ${p.path}:` : "";
  const hint = p.hint ? ` (${p.hint})` : "";
  return `${where}${key} expected ${p.expected}, found ${p.found}${hint}`;
}

/** Thrown by the loader when the configuration is refused. Nothing has been written when it is. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `configuration refused (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` + problems.map(formatProblem).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Describes a raw YAML value for the "found" part of a message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (the key is missing)";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) {
    const text = JSON.stringify(value);
    return text.length <= 60 ? `a list ${text}` : `a list of ${value.length} items`;
  }
  if (typeof value === "object") {
    const keys = Object.keys(value as object);
    return keys.length ? `a mapping with keys ${keys.slice(0, 6).join(", ")}${keys.length > 6 ? ", ..." : ""}` : "an empty mapping";
  }
  return String(value);
}

/** Levenshtein distance, for did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** The closest candidate within a sensible distance, case-insensitively. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= limit ? best : undefined;
}
