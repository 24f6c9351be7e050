/**
 * Synthesis for the tools: one environment into a directory, atomically (a temp dir next to the
 * target, renamed into place), and the list of stacks written with their resource counts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlatformConfig } from "../../core/config/schema";
import { synthesizePlatform } from "../../core/platform";
import { BOOTSTRAP_STACK, LAYERS } from "../../core/registry";
import { PLATFORM } from "../../layers";

export interface SynthesizedStack {
  /** Stack name (`bootstrap`, `network`, ...). */
  readonly name: string;
  /** The stack's directory. */
  readonly dir: string;
  /** The synthesized file (cdk.tf.json, or cdk.tf with --hcl). */
  readonly file: string;
  /** Managed resources in the stack. */
  readonly resources: number;
}

/** A Terraform JSON configuration, loosely typed. */
export interface TerraformJson {
  terraform?: Record<string, unknown> & { backend?: Record<string, Record<string, unknown>> };
  provider?: Record<string, Record<string, unknown>[] | Record<string, unknown>>;
  resource?: Record<string, Record<string, unknown>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Where HCL output goes by default: a folder of its own, beside cdktf.out. */
export const HCL_OUTDIR = "cdktf.hcl";

/**
 * Refuses HCL output into the directory cdktf deploys from (cdktf.out, or CDKTF_OUTDIR): a cdk.tf
 * there beside cdktf's cdk.tf.json defines every resource twice and breaks the next diff/deploy.
 */
export function refuseHclIntoCdktfOut(outdir: string, reporter: { error(text: string): void }, cwd = process.cwd()): void {
  const deployDirs = [path.resolve(cwd, "cdktf.out"), ...(process.env.CDKTF_OUTDIR ? [path.resolve(cwd, process.env.CDKTF_OUTDIR)] : [])];
  if (deployDirs.includes(path.resolve(cwd, outdir))) {
    reporter.error(
      `error: HCL is not written into ${path.relative(cwd, outdir) || outdir}: cdktf diff/deploy read that folder, and cdk.tf beside cdk.tf.json defines every resource twice; use --out ${HCL_OUTDIR} (the default)`,
    );
    process.exit(2);
  }
}

/** Managed resources in a Terraform JSON configuration. */
export function countResources(tf: TerraformJson): number {
  return Object.values(tf.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
}

/** Resource blocks in an HCL file (`resource "type" "name" {`). */
export function countHclResources(hcl: string): number {
  return (hcl.match(/^\s*resource\s+"[^"]+"\s+"[^"]+"/gm) ?? []).length;
}

interface Manifest {
  stacks: Record<string, { name: string; synthesizedStackPath: string; workingDirectory: string }>;
}

/** The stacks of a cdktf output directory in deploy order (bootstrap first, then layers by registry order). */
export function readStacks(outdir: string): SynthesizedStack[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as Manifest;
  const stacks = Object.values(manifest.stacks).sort((a, b) => stackOrder(a.name) - stackOrder(b.name));
  return stacks.map((s) => {
    const file = path.join(outdir, s.synthesizedStackPath);
    const text = fs.readFileSync(file, "utf8");
    const resources = file.endsWith(".json") ? countResources(JSON.parse(text) as TerraformJson) : countHclResources(text);
    return { name: s.name, dir: path.join(outdir, s.workingDirectory), file, resources };
  });
}

/**
 * Synthesizes one environment into `outdir`. The app writes into a fresh temp dir next to it, which
 * replaces `outdir` only when synthesis succeeded: a failure never leaves a half-written outdir.
 */
export function synthesizeAtomically(
  config: PlatformConfig,
  outdir: string,
  opts: { hcl?: boolean; /** Formats the HCL in a directory (terraform fmt) before it is swapped in. */ fmt?: (dir: string) => void } = {},
): SynthesizedStack[] {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  removeStaleTempDirs(parent, path.basename(target));
  const tmp = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}.tmp-`));
  fs.chmodSync(tmp, 0o755); // mkdtemp makes it 0700; the output dir is an ordinary directory
  try {
    synthesizePlatform(config, PLATFORM, tmp, { hcl: opts.hcl });
    if (opts.hcl && opts.fmt) opts.fmt(tmp);
    swapInto(tmp, target);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return readStacks(target);
}

/** Deploy order of a stack name: bootstrap 0, then the layer's order. */
export function stackOrder(name: string): number {
  if (name === BOOTSTRAP_STACK) return 0;
  return LAYERS.find((l) => l.name === name)?.order ?? Number.MAX_SAFE_INTEGER;
}

/** Replaces `target` with `fresh` by renames; the old content is removed afterwards. */
export function swapInto(fresh: string, target: string): void {
  if (!fs.existsSync(target)) {
    fs.renameSync(fresh, target);
    return;
  }
  const old = `${fresh}.old`;
  fs.renameSync(target, old);
  try {
    fs.renameSync(fresh, target);
  } catch (e) {
    fs.renameSync(old, target);
    throw e;
  }
  fs.rmSync(old, { recursive: true, force: true });
}

/** Temp dirs of runs that were killed mid-synthesis (older than ten minutes; a concurrent run keeps its own). */
function removeStaleTempDirs(parent: string, base: string): void {
  const cutoff = Date.now() - 10 * 60_000;
  for (const name of fs.readdirSync(parent)) {
    if (!name.startsWith(`.${base}.tmp-`)) continue;
    const p = path.join(parent, name);
    try {
      if (fs.statSync(p).mtimeMs < cutoff) fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // gone already
    }
  }
}
