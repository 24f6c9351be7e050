/**
 * Console output of the tools: human lines (to stdout, or to stderr when --json takes stdout),
 * progress lines per stack as they finish, duration formatting and plain-text tables.
 */

export class Reporter {
  /** True when stdout carries the JSON document only. */
  readonly json: boolean;
  private readonly human: NodeJS.WritableStream;

  /** Colour in human lines: only on a terminal, never with NO_COLOR. */
  readonly colour: boolean;

  constructor(opts: { json?: boolean } = {}) {
    this.json = opts.json ?? false;
    this.human = this.json ? process.stderr : process.stdout;
    this.colour = colourOn(this.human);
  }

  /** A line for people. */
  line(text = ""): void {
    this.human.write(`${text}\n`);
  }

  /** A warning (always to stderr). */
  warn(text: string): void {
    process.stderr.write(`warning: ${text}\n`);
  }

  /** An error (always to stderr). */
  error(text: string): void {
    process.stderr.write(`${text}\n`);
  }

  /** The machine-readable result (stdout), only in --json mode. */
  result(doc: unknown): void {
    if (this.json) process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  }
}

const COLOURS = { ok: 32, FAILED: 31, warn: 33, dim: 2 } as const;

/** True when people read `stream` on a terminal and NO_COLOR is not set (https://no-color.org). */
export function colourOn(stream: NodeJS.WritableStream = process.stdout, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "" && env.FORCE_COLOR !== "0") return true;
  return (stream as NodeJS.WriteStream).isTTY === true;
}

/** `text` in the colour of `kind` when colour is on for stdout, else unchanged. */
export function paint(kind: keyof typeof COLOURS, text: string, on: boolean = colourOn()): string {
  return on ? `\x1b[${COLOURS[kind]}m${text}\x1b[0m` : text;
}

/** A progress status coloured by what it says: FAILED red, ok green, warnings yellow. */
export function paintStatus(status: string, on: boolean = colourOn()): string {
  if (/FAILED|refused|broken/i.test(status)) return paint("FAILED", status, on);
  if (/warning|skipped/i.test(status)) return paint("warn", status, on);
  if (/\bok\b|valid|deployed|to add|no changes/i.test(status)) return paint("ok", status, on);
  return status;
}

/** `4.1s`, `0.3s`, `1m02s`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1000);
  return `${m}m${String(s).padStart(2, "0")}s`;
}

/** Progress lines as work items finish: `[3/9] dev/network  validate ok  4.1s`. */
export class Progress {
  private done = 0;

  constructor(
    private readonly reporter: Reporter,
    private readonly total: number,
    private readonly labelWidth = 0,
  ) {}

  finish(label: string, status: string, ms: number): void {
    this.done++;
    const counter = `[${this.done}/${this.total}]`.padStart(2 * String(this.total).length + 3);
    this.reporter.line(`${counter} ${label.padEnd(this.labelWidth)}  ${paintStatus(status, this.reporter.colour)}  ${formatDuration(ms)}`);
  }
}

/** A plain-text table with a header rule; numbers right-aligned. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? "").length)));
  const isNumber = (c: string | number | undefined) => typeof c === "number" || /^([\d.,]+( ?[a-zA-Z%]+)?|\d+m\d+s)$/.test(String(c ?? ""));
  // A column is right-aligned when it holds numbers (a "-" for "none" allowed).
  const numeric = header.map((_, i) => rows.some((r) => isNumber(r[i])) && rows.every((r) => isNumber(r[i]) || r[i] === "-"));
  const fmt = (r: readonly string[]) =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(fmt)].join("\n");
}
