/**
 * The start every tool's main shares: its options parsed (`--help` prints the usage and exits 0, a
 * usage error prints it and exits 2) and its reporter (with `--json`, human lines go to stderr).
 */
import { parseOrExit, type OptionSpec, type OptionSpecs, type ParsedArgs } from "./args";
import { Reporter } from "./report";

export interface ToolStart {
  readonly args: ParsedArgs;
  readonly reporter: Reporter;
}

/** Parses the command line against `specs` and makes the reporter its `--json` option asks for. */
export function startTool(
  synopsis: string,
  description: string,
  specs: OptionSpecs,
  argv: readonly string[] = process.argv.slice(2),
): ToolStart {
  const args = parseOrExit(argv, synopsis, description, specs);
  return { args, reporter: new Reporter({ json: args.values.json === true }) };
}

/** `--plugin-dir`, the option of every tool that runs Terraform. */
export const PLUGIN_DIR_OPTION: OptionSpec = {
  type: "string",
  value: "<dir>",
  description: "Provider mirror directory (default: PLATFORM_TF_PLUGIN_DIR, else discovered).",
};
