/**
 * A small command-line parser for the tools: `--flag`, `--opt value`, `--opt=value`, repeated
 * options, and everything after a bare `--` kept apart for pass-through.
 */

export type OptionType = "boolean" | "string" | "strings" | "number";

export interface OptionSpec {
  readonly type: OptionType;
  readonly description: string;
  /** For string options: the option may appear without a value (the value is then ""). */
  readonly optionalValue?: boolean;
  /** Placeholder in the usage text (`<n>`). */
  readonly value?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface ParsedArgs {
  /** Option values by name: boolean, string, string[] or number. */
  readonly values: Readonly<Record<string, boolean | string | string[] | number | undefined>>;
  /** Arguments that are not options (before `--`). */
  readonly positional: readonly string[];
  /** Everything after the first bare `--`. */
  readonly passthrough: readonly string[];
}

export class UsageError extends Error {}

/** Parses argv (without node and the script) against the option specs. */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const values: Record<string, boolean | string | string[] | number | undefined> = {};
  const positional: string[] = [];
  let passthrough: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--") {
      passthrough = argv.slice(i + 1);
      break;
    }
    if (!arg.startsWith("--") || arg === "-") {
      if (arg === "-h") {
        values.help = true;
        continue;
      }
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    if (name === "help") {
      values.help = true;
      continue;
    }
    const spec = specs[name];
    if (!spec) {
      const known = Object.keys(specs).map((k) => `--${k}`);
      throw new UsageError(`unknown option --${name} (options: ${[...known, "--help"].join(", ")})`);
    }
    if (spec.type === "boolean") {
      if (inline !== undefined && !["true", "false"].includes(inline)) throw new UsageError(`--${name} takes no value (found ${JSON.stringify(inline)})`);
      values[name] = inline !== "false";
      continue;
    }
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next !== undefined && !(next.startsWith("--") && next.length > 2) && next !== "--") {
        value = next;
        i++;
      } else if (spec.optionalValue) {
        value = "";
      } else {
        throw new UsageError(`--${name} needs a value${spec.value ? ` ${spec.value}` : ""}`);
      }
    }
    if (spec.type === "number") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} expects a positive whole number, found ${JSON.stringify(value)}`);
      values[name] = n;
    } else if (spec.type === "strings") {
      const list = (values[name] as string[] | undefined) ?? [];
      list.push(...(value === "" ? [""] : value.split(",").map((v) => v.trim()).filter(Boolean)));
      values[name] = list;
    } else {
      values[name] = value;
    }
  }
  return { values, positional, passthrough };
}

/** The usage text: a synopsis line, a description, and one line per option. */
export function usage(synopsis: string, description: string, specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const placeholder = spec.type === "boolean" ? "" : spec.optionalValue ? ` [${spec.value ?? "<value>"}]` : ` ${spec.value ?? "<value>"}`;
    return [`--${name}${placeholder}`, spec.description];
  });
  rows.push(["--help", "Show this help."]);
  const width = Math.max(...rows.map((r) => r[0].length));
  return [`usage: ${synopsis}`, "", description, "", ...rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`), ""].join("\n");
}

/**
 * Parses argv, printing the usage and exiting on --help (0) or on a usage error (2).
 */
export function parseOrExit(argv: readonly string[], synopsis: string, description: string, specs: OptionSpecs): ParsedArgs {
  try {
    const parsed = parseArgs(argv, specs);
    if (parsed.values.help) {
      process.stdout.write(usage(synopsis, description, specs));
      process.exit(0);
    }
    return parsed;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`error: ${e.message}\n\n${usage(synopsis, description, specs)}`);
      process.exit(2);
    }
    throw e;
  }
}
