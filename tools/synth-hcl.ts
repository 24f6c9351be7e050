/**
 * npm run synth:hcl [-- --env <name|file>] [--out <dir>] [--json]
 *
 * Synthesizes one environment as HCL (cdk.tf per stack) for teams that review HCL, and repairs what
 * cdktf 0.21's HCL renderer gets wrong, so that the files are valid Terraform (`npm run validate:hcl`):
 *
 * cdktf writes a string that contains a reference (`${...}`) between quotes without escaping it, so
 * JSON policies and container definitions with a reference in them come out as
 * `policy = "{"Version":...,"Resource":"${aws_s3_bucket.state.arn}"}"` — invalid HCL. It also never
 * escapes backslashes. The synthesized JSON of the same stack is the ground truth: every string
 * value of cdk.tf.json whose cdktf rendering is not a correct HCL string literal is re-rendered
 * (backslashes and quotes escaped in the literal parts, `${...}` interpolations kept as they are),
 * and each line of cdk.tf that holds exactly that broken rendering gets the correct one. Then
 * `terraform fmt` formats the files when Terraform is on the PATH.
 *
 * Terraform runs the JSON in this kit (deploy, validate, plan); the HCL is a reviewing format.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { exitOnConfigError, loadEnvironment, type LoadedConfig } from "../core/config/loader";
import type { PlatformConfig } from "../core/config/schema";
import type { OptionSpecs } from "./lib/args";
import { startTool } from "./lib/cli";
import { table } from "./lib/report";
import { HCL_OUTDIR, refuseHclIntoCdktfOut, synthesizeAtomically, type SynthesizedStack } from "./lib/synth";
import { findOnPath, WORK_DIR } from "./lib/terraform";
import { blockifyUntypedAttributes } from "../core/hcl";

// ---------------------------------------------------------------------------------------------
// String literals

/**
 * The end (index after the closing brace) of the template sequence starting at `start` (`${` or
 * `%{`): braces are counted, and quoted strings inside the expression are skipped.
 */
function sequenceEnd(s: string, start: number): number {
  let depth = 0;
  for (let i = start + 1; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      for (i++; i < s.length && s[i] !== '"'; i++) if (s[i] === "\\") i++;
      continue;
    }
    if (c === "{") depth++;
    else if (c === "}" && --depth === 0) return i + 1;
  }
  return s.length;
}

/**
 * A Terraform template string as an HCL quoted string literal: `\`, `"` and control characters
 * escaped in the literal parts; `${...}` and `%{...}` sequences (the same templates in JSON and in
 * HCL) copied as they are; `$${` and `%%{` (literal escapes, the same in both) kept.
 */
export function hclStringLiteral(s: string): string {
  let out = "";
  for (let i = 0; i < s.length;) {
    const two = s.slice(i, i + 2);
    const three = s.slice(i, i + 3);
    if (three === "$${" || three === "%%{") {
      out += three;
      i += 3;
      continue;
    }
    if (two === "${" || two === "%{") {
      const end = sequenceEnd(s, i);
      out += s.slice(i, end);
      i = end;
      continue;
    }
    const c = s[i];
    out += c === "\\" ? "\\\\" : c === '"' ? '\\"' : c === "\n" ? "\\n" : c === "\r" ? "\\r" : c === "\t" ? "\\t" : c;
    i++;
  }
  return `"${out}"`;
}

/** How cdktf 0.21 renders a single-line string (lib/hcl/render.js): raw when it holds `${`, else quotes escaped unless after a backslash. */
export function cdktfStringRendering(s: string): string {
  return s.includes("${") ? `"${s}"` : `"${s.replace(/(?<!\\)"/g, '\\"')}"`;
}

/** Every string value in a JSON document (object keys excluded). */
function collectStrings(value: unknown, out: Set<string>): Set<string> {
  if (typeof value === "string") out.add(value);
  else if (Array.isArray(value)) for (const v of value) collectStrings(v, out);
  else if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) if (k !== "//") collectStrings(v, out);
  return out;
}

/** cdktf's rendering -> the correct literal, for the strings of a stack whose rendering is wrong. */
export function repairs(json: unknown): Map<string, string> {
  const map = new Map<string, string>();
  for (const s of collectStrings(json, new Set())) {
    if (/[\r\n]/.test(s)) continue; // multi-line strings become heredocs, which need no escaping
    const bad = cdktfStringRendering(s);
    const good = hclStringLiteral(s);
    if (bad !== good) map.set(bad, good);
  }
  return map;
}

export interface HclRepair {
  readonly text: string;
  /** Lines changed. */
  readonly fixed: number;
}

/**
 * Replaces, line by line, a string value that is exactly a broken cdktf rendering: the value of an
 * attribute (`name = <value>`) or a list item (`<value>` or `<value>,`).
 */
export function repairHcl(hcl: string, json: unknown): HclRepair {
  const map = repairs(json);
  let fixed = 0;
  if (!map.size) return { text: hcl, fixed };
  const lines = hcl.split("\n").map((line) => {
    const m = /^(\s*)((?:[A-Za-z0-9_-]+|"[^"]*")\s*=\s*)?(".*")(,?)\s*$/.exec(line);
    if (!m) return line;
    const good = map.get(m[3]);
    if (good === undefined) return line;
    fixed++;
    return `${m[1]}${m[2] ?? ""}${good}${m[4]}`;
  });
  return { text: lines.join("\n"), fixed };
}

// ---------------------------------------------------------------------------------------------
// Attributes cdktf could not type

// ---------------------------------------------------------------------------------------------
// Synthesis

export interface HclStack extends SynthesizedStack {
  /** String values and untyped attributes repaired in cdk.tf. */
  readonly repaired: number;
}

export interface HclResult {
  readonly stacks: HclStack[];
  /** terraform fmt: true formatted, false failed (see fmtError), undefined Terraform not found. */
  readonly formatted?: boolean;
  readonly fmtError?: string;
}

/**
 * Synthesizes `config` as HCL into `outdir` (atomically), repairing each cdk.tf against the JSON
 * synthesis of the same environment (in `.work/hcl-json/<name>`), then `terraform fmt`.
 */
export function synthesizeHcl(config: PlatformConfig, outdir: string, name: string): HclResult {
  const jsonDir = path.join(WORK_DIR, "hcl-json", name);
  const jsonStacks = synthesizeAtomically(config, jsonDir);
  const repaired = new Map<string, number>();
  let formatted: boolean | undefined;
  let fmtError: string | undefined;
  const stacks = synthesizeAtomically(config, outdir, {
    hcl: true,
    fmt: (dir) => {
      for (const js of jsonStacks) {
        const file = path.join(dir, "stacks", js.name, "cdk.tf");
        if (!fs.existsSync(file)) continue;
        const r = repairHcl(fs.readFileSync(file, "utf8"), JSON.parse(fs.readFileSync(js.file, "utf8")));
        const b = blockifyUntypedAttributes(r.text);
        fs.writeFileSync(file, b.text);
        repaired.set(js.name, r.fixed + b.rewritten);
      }
      const bin = findOnPath("terraform");
      if (!bin) return;
      const res = spawnSync(bin, ["fmt", "-recursive", "-list=false", "-no-color", dir], {
        encoding: "utf8",
        env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" },
      });
      formatted = res.status === 0;
      if (!formatted) fmtError = (res.stderr || res.stdout || "").trim();
    },
  });
  return { stacks: stacks.map((s) => ({ ...s, repaired: repaired.get(s.name) ?? 0 })), formatted, fmtError };
}

const OPTIONS: OptionSpecs = {
  env: { type: "string", value: "<name|file>", description: "Environment to synthesize (default: PLATFORM_ENV, else dev)." },
  out: { type: "string", value: "<dir>", description: "Output directory (default: cdktf.hcl; never cdktf.out, which cdktf deploy reads)." },
  json: { type: "boolean", description: "Print a JSON result on stdout (human lines go to stderr)." },
};

function main(): void {
  const { args, reporter } = startTool(
    "npm run synth:hcl -- [options]",
    "Synthesizes one environment as valid, formatted HCL (cdk.tf per stack).",
    OPTIONS,
  );
  const outdir = path.resolve((args.values.out as string | undefined) ?? HCL_OUTDIR);
  refuseHclIntoCdktfOut(outdir, reporter);
  let loaded: LoadedConfig;
  try {
    loaded = loadEnvironment((args.values.env as string | undefined) ?? process.env.PLATFORM_ENV);
  } catch (e) {
    exitOnConfigError(e, { json: reporter.json, command: "synth:hcl" });
  }
  let result: HclResult;
  try {
    result = synthesizeHcl(loaded.config, outdir, loaded.key);
  } catch (e) {
    reporter.error(`synth:hcl of ${loaded.key} failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  if (result.formatted === undefined) reporter.warn("terraform not found on PATH: the HCL is valid but not formatted");
  if (result.formatted === false) reporter.error(`terraform fmt failed:\n${result.fmtError}`);
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  reporter.line(`${loaded.key}: ${result.stacks.length} stacks as HCL into ${rel(outdir)}`);
  reporter.line(
    table(
      ["stack", "resources", "repairs", "path"],
      result.stacks.map((s) => [s.name, s.resources, s.repaired, rel(s.file)]),
    ),
  );
  reporter.result({
    command: "synth:hcl",
    ok: result.formatted !== false,
    env: loaded.key,
    outdir,
    formatted: result.formatted ?? null,
    results: result.stacks.map((s) => ({ stack: s.name, resources: s.resources, repaired: s.repaired, path: s.file })),
  });
  process.exitCode = result.formatted === false ? 1 : 0;
}

if (require.main === module) main();
