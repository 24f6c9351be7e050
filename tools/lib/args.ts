/**
 * Command-line parsing for the tools on Node's `util.parseArgs`: `--flag`, `--opt value`,
 * `--opt=value`, repeated options, `-h`/`--help`, and everything after a bare `--` kept apart for
 * pass-through. On top of Node: options whose value may be left out (`--env` alone means ""), comma
 * lists, positive whole numbers, and the tools' error texts (UsageError) instead of Node's.
 */
import { parseArgs as nodeParseArgs, type ParseArgsConfig } from "node:util";

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

/** `--env` and `--layer` of the Terraform harnesses (validate, plan): which environments and stacks. */
export const HARNESS_SELECTION = {
  env: {
    type: "strings",
    optionalValue: true,
    value: "<name|file>",
    description: "Only these environments (repeat or comma-separate; bare --env: the one PLATFORM_ENV names). Default: all.",
  },
  layer: {
    type: "strings",
    value: "<layer>",
    description: "Only these stacks (bootstrap or layer names; repeat or comma-separate). Default: all.",
  },
} as const satisfies OptionSpecs;

export interface ParsedArgs {
  /** Option values by name: boolean, string, string[] or number. */
  readonly values: Readonly<Record<string, boolean | string | string[] | number | undefined>>;
  /** Arguments that are not options (before `--`). */
  readonly positional: readonly string[];
  /** Everything after the first bare `--`. */
  readonly passthrough: readonly string[];
}

export class UsageError extends Error {}

/**
 * A value option written without `=value` takes the next argument, unless that is another long
 * option or `--`: then it is "" where the value may be left out, else a usage error. (Node would
 * take the next argument whatever it is, and has no options with an optional value.)
 */
function withValues(args: readonly string[], specs: OptionSpecs): string[] {
  return args.map((arg, i) => {
    if (!arg.startsWith("--") || arg.includes("=")) return arg;
    const name = arg.slice(2);
    const spec = specs[name];
    const next = args[i + 1];
    if (!spec || spec.type === "boolean" || (next !== undefined && !next.startsWith("--"))) return arg;
    if (spec.optionalValue) return `${arg}=`;
    throw new UsageError(`--${name} needs a value${spec.value ? ` ${spec.value}` : ""}`);
  });
}

/** Parses argv (without node and the script) against the option specs. */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): ParsedArgs {
  const dashes = argv.indexOf("--");
  const args = withValues(dashes === -1 ? argv : argv.slice(0, dashes), specs);
  const options: ParseArgsConfig["options"] = { help: { type: "boolean", short: "h" } };
  for (const [name, spec] of Object.entries(specs)) options[name] = { type: spec.type === "boolean" ? "boolean" : "string" };
  // Not strict: unknown options and boolean values are refused below, in the tools' words.
  const { tokens } = nodeParseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });

  const values: Record<string, boolean | string | string[] | number | undefined> = {};
  const positional: string[] = [];
  const shortWords = new Set<number>();
  for (const token of tokens) {
    if (token.kind === "positional") {
      positional.push(token.value);
      continue;
    }
    if (token.kind !== "option") continue;
    const { name, value } = token;
    if (name === "help") {
      values.help = true;
      continue;
    }
    const spec = specs[name];
    if (!token.rawName.startsWith("--")) {
      // A single-dash word other than -h is an argument, as it always was (`-x`, `-xy`).
      if (!shortWords.has(token.index)) positional.push(args[token.index]);
      shortWords.add(token.index);
      continue;
    }
    if (!spec) {
      const known = Object.keys(specs).map((k) => `--${k}`);
      throw new UsageError(`unknown option --${name} (options: ${[...known, "--help"].join(", ")})`);
    }
    if (spec.type === "boolean") {
      if (value !== undefined && !["true", "false"].includes(value))
        throw new UsageError(`--${name} takes no value (found ${JSON.stringify(value)})`);
      values[name] = value !== "false";
      continue;
    }
    if (value === undefined) throw new UsageError(`--${name} needs a value${spec.value ? ` ${spec.value}` : ""}`);
    if (spec.type === "number") {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} expects a positive whole number, found ${JSON.stringify(value)}`);
      values[name] = n;
    } else if (spec.type === "strings") {
      const list = (values[name] as string[] | undefined) ?? [];
      list.push(
        ...(value === ""
          ? [""]
          : value
              .split(",")
              .map((v) => v.trim())
              .filter(Boolean)),
      );
      values[name] = list;
    } else {
      values[name] = value;
    }
  }
  return { values, positional, passthrough: dashes === -1 ? [] : argv.slice(dashes + 1) };
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
