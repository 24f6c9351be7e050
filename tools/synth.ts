/**
 * npm run synth [-- --out <dir>] [--hcl] [--json]
 *
 * Synthesizes the environment PLATFORM_ENV names (default dev; or --env) into cdktf.out (or
 * CDKTF_OUTDIR, or --out). A refused configuration exits 1 before anything is written; the stacks
 * are written into a temp dir next to the target and renamed into place, so a failed synthesis
 * never leaves a half-written output directory. Prints one line per stack.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { exitOnConfigError, loadEnvironment, type LoadedConfig } from "../core/config/loader";
import type { OptionSpecs } from "./lib/args";
import { startTool } from "./lib/cli";
import { formatDuration, Reporter, table } from "./lib/report";
import { synthesizeAtomically, type SynthesizedStack } from "./lib/synth";
import { HCL_OUTDIR, refuseHclIntoCdktfOut } from "./lib/synth";
import { findOnPath } from "./lib/terraform";

const OPTIONS: OptionSpecs = {
  env: { type: "string", value: "<name|file>", description: "Environment to synthesize (default: PLATFORM_ENV, else dev)." },
  out: { type: "string", value: "<dir>", description: "Output directory (default: CDKTF_OUTDIR, else cdktf.out; with --hcl: cdktf.hcl)." },
  hcl: { type: "boolean", description: "Write HCL (cdk.tf) instead of JSON (cdk.tf.json), into cdktf.hcl (never into cdktf.out)." },
  json: { type: "boolean", description: "Print a JSON result on stdout (human lines go to stderr)." },
};

function main(): void {
  const { args, reporter } = startTool("npm run synth -- [options]", "Synthesizes one environment's stacks.", OPTIONS);
  const envName = (args.values.env as string | undefined) ?? process.env.PLATFORM_ENV;
  const hcl = args.values.hcl === true;
  // HCL goes to a folder of its own: cdktf deploy reads cdktf.out, and a cdk.tf beside its cdk.tf.json
  // would define every resource twice.
  const outdir = path.resolve((args.values.out as string | undefined) ?? (hcl ? HCL_OUTDIR : (process.env.CDKTF_OUTDIR ?? "cdktf.out")));
  if (hcl) refuseHclIntoCdktfOut(outdir, reporter);

  const start = Date.now();
  let loaded: LoadedConfig;
  try {
    loaded = loadEnvironment(envName);
  } catch (e) {
    exitOnConfigError(e, { json: reporter.json, command: "synth" });
  }

  let stacks: SynthesizedStack[];
  try {
    stacks = synthesizeAtomically(loaded.config, outdir, { hcl, fmt: (dir) => terraformFmt(dir, reporter) });
  } catch (e) {
    reporter.error(`synth of ${loaded.key} failed (${rel(outdir)} left as it was):\n${e instanceof Error ? e.message : String(e)}`);
    reporter.result({ command: "synth", ok: false, env: loaded.key, error: e instanceof Error ? e.message : String(e), results: [] });
    process.exit(1);
  }
  const ms = Date.now() - start;

  reporter.line(`${loaded.key}: ${stacks.length} stacks from ${rel(loaded.files[0])} into ${rel(outdir)} in ${formatDuration(ms)}`);
  reporter.line(
    table(
      ["stack", "resources", "path"],
      stacks.map((s) => [s.name, s.resources, rel(s.file)]),
    ),
  );
  reporter.result({
    command: "synth",
    ok: true,
    env: loaded.key,
    file: loaded.files[0],
    outdir,
    ms,
    results: stacks.map((s) => ({ stack: s.name, resources: s.resources, path: s.file })),
  });
}

/** cdktf writes HCL without indentation; `terraform fmt` makes it readable when Terraform is there. */
function terraformFmt(dir: string, reporter: Reporter): void {
  const bin = findOnPath("terraform");
  if (!bin) {
    reporter.warn("terraform not found on PATH: the HCL is left as cdktf writes it (not formatted)");
    return;
  }
  const res = spawnSync(bin, ["fmt", "-recursive", "-list=false", "-no-color", dir], {
    encoding: "utf8",
    env: { ...process.env, TF_CLI_CONFIG_FILE: "/dev/null", CHECKPOINT_DISABLE: "1" },
  });
  if (res.status === 0) return;
  // fmt formats the files it can parse and reports the others.
  const errors = [...(res.stderr ?? "").matchAll(/Error: (.+)\n[\s\S]*?on (\S+) line (\d+)/g)].map((m) => ({
    summary: m[1].trim(),
    file: m[2],
    line: m[3],
  }));
  const stacks = [...new Set(errors.map((e) => path.basename(path.dirname(e.file))))];
  const first = errors[0];
  reporter.warn(
    errors.length
      ? `the HCL cdktf wrote for ${stacks.join(", ")} is not valid Terraform (terraform fmt: ${errors.length} errors, first "${first.summary}" at ` +
          `stacks/${path.basename(path.dirname(first.file))}/cdk.tf:${first.line}); those files are left unformatted. Run Terraform on the JSON output (without --hcl).`
      : `terraform fmt failed; the HCL is left unformatted: ${(res.stderr || "").trim()}`,
  );
}

function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith("..") ? r : p;
}

main();
