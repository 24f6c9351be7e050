/**
 * Terraform for the harnesses: finding the binary and checking its version, the CLI config the
 * tools write for themselves (local provider mirror + shared plugin cache), a sanitized child
 * environment, running commands, and `terraform init` only when a work dir needs it.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  discoverMirror,
  findRegistryDirs,
  MirrorError,
  pinnedAwsProviderVersion,
  REGISTRY_HOST,
  terraformPlatform,
  type MirrorFound,
} from "./mirror";
import type { Reporter } from "./report";
import { Serial } from "./runner";

/** The repository root (tools/lib/../..). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");
/**
 * Scratch space of the tools: synthesized environments, work dirs, CLI config, plugin cache
 * (PLATFORM_WORK_DIR moves it, e.g. for a run that must not wait for another's harness lock).
 */
export const WORK_DIR = process.env.PLATFORM_WORK_DIR ? path.resolve(process.env.PLATFORM_WORK_DIR) : path.join(REPO_ROOT, ".work");

/** S3-native state locking (`use_lockfile`) needs Terraform 1.10. */
export const MIN_TERRAFORM_VERSION = "1.10.0";
export const INSTALL_HINT = `install Terraform >= ${MIN_TERRAFORM_VERSION.replace(/\.0$/, "")} from https://developer.hashicorp.com/terraform/install; the kit is tested with 1.11.4`;

// ---------------------------------------------------------------------------------------------
// Finding Terraform

/** The first executable `terraform` on PATH, or undefined. */
export function findOnPath(command: string, pathEnv: string = process.env.PATH ?? ""): string | undefined {
  const exts = process.platform === "win32" ? ["", ".exe"] : [""];
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    for (const ext of exts) {
      const candidate = path.join(dir, command + ext);
      try {
        if (fs.statSync(candidate).isFile()) {
          fs.accessSync(candidate, fs.constants.X_OK);
          return candidate;
        }
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** -1, 0 or 1 comparing dotted versions numerically (`1.9.8` < `1.10.0`). */
export function compareVersions(a: string, b: string): number {
  const pa = a
    .replace(/^v/, "")
    .split(/[.-]/)
    .map((x) => parseInt(x, 10) || 0);
  const pb = b
    .replace(/^v/, "")
    .split(/[.-]/)
    .map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** `terraform version -json`'s terraform_version, or undefined when it cannot be read. */
export function terraformVersion(bin: string): string | undefined {
  const res = spawnSync(bin, ["version", "-json"], {
    encoding: "utf8",
    timeout: 30_000,
    env: { ...process.env, CHECKPOINT_DISABLE: "1", TF_CLI_CONFIG_FILE: devNull() },
  });
  try {
    return (JSON.parse(res.stdout) as { terraform_version?: string }).terraform_version;
  } catch {
    return /Terraform v(\d+\.\d+\.\d+)/.exec(res.stdout ?? "")?.[1];
  }
}

export type TerraformCheck = { ok: true; bin: string; version: string } | { ok: false; reason: string };

/** Terraform on PATH at a supported version, or the reason it cannot be used. */
export function checkTerraform(pathEnv: string = process.env.PATH ?? ""): TerraformCheck {
  const bin = findOnPath("terraform", pathEnv);
  if (!bin) return { ok: false, reason: `terraform not found on PATH (${INSTALL_HINT})` };
  const version = terraformVersion(bin);
  if (!version) return { ok: false, reason: `${bin} did not report its version (${INSTALL_HINT})` };
  if (compareVersions(version, MIN_TERRAFORM_VERSION) < 0) {
    return { ok: false, reason: `${bin} is Terraform ${version}; the kit needs >= ${MIN_TERRAFORM_VERSION} (${INSTALL_HINT})` };
  }
  return { ok: true, bin, version };
}

/** True when CI is set to something other than empty, 0 or false. */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = (env.CI ?? "").trim().toLowerCase();
  return v !== "" && v !== "0" && v !== "false";
}

// ---------------------------------------------------------------------------------------------
// CLI config

/** Providers a mirror holds, as `registry.terraform.io/<ns>/<type>`. */
export function mirroredProviders(mirrorDir: string): string[] {
  const out: string[] = [];
  const hostDir = path.join(mirrorDir, REGISTRY_HOST);
  for (const ns of safeReaddir(hostDir)) {
    for (const type of safeReaddir(path.join(hostDir, ns))) {
      if (safeReaddir(path.join(hostDir, ns, type)).length) out.push(`${REGISTRY_HOST}/${ns}/${type}`);
    }
  }
  return out.sort();
}

/**
 * The CLI config the tools run Terraform with: the mirror (when there is one) serves exactly the
 * providers it holds, everything else comes from the registry; no checkpoint calls.
 *
 * A plugin cache is written only when one is given (no mirror: providers are downloaded once).
 * With an unpacked mirror there is none on purpose: `terraform init` then links each work dir's
 * provider straight to the read-only mirror, so parallel inits share nothing they write. Terraform
 * documents the plugin cache as unsafe for concurrent use, and parallel inits sharing it did fail
 * ("mkdir …/plugin-cache/…/linux_amd64: file exists").
 */
export function cliConfigText(opts: { mirrorDir?: string; providers?: readonly string[]; pluginCacheDir?: string }): string {
  const lines = [
    "# Written by the platform kit's tools (tools/lib/terraform.ts) for npm run validate / plan; rewritten on every run.",
    ...(opts.pluginCacheDir ? [`plugin_cache_dir   = ${JSON.stringify(opts.pluginCacheDir)}`] : []),
    "disable_checkpoint = true",
  ];
  if (opts.mirrorDir) {
    const include = JSON.stringify(opts.providers?.length ? opts.providers : [`${REGISTRY_HOST}/hashicorp/*`]);
    lines.push(
      "provider_installation {",
      "  filesystem_mirror {",
      `    path    = ${JSON.stringify(opts.mirrorDir)}`,
      `    include = ${include}`,
      "  }",
      "  direct {",
      `    exclude = ${include}`,
      "  }",
      "}",
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * The environment Terraform runs in: our CLI config, no prompts, no checkpoint, and none of the
 * caller's TF_DATA_DIR / TF_WORKSPACE / TF_CLI_ARGS* / AWS_* settings (the harness is offline and
 * chooses the data dirs itself); GOGC 400 unless the caller set one.
 */
export function terraformEnv(cliConfigFile: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(base)) {
    if (/^(TF_CLI_ARGS|TF_DATA_DIR$|TF_WORKSPACE$|TF_PLUGIN_CACHE_DIR$|TF_CLI_CONFIG_FILE$|TF_INPUT$|AWS_)/.test(k)) continue;
    env[k] = v;
  }
  return {
    ...env,
    TF_CLI_CONFIG_FILE: cliConfigFile,
    TF_IN_AUTOMATION: "1",
    TF_INPUT: "0",
    CHECKPOINT_DISABLE: "1",
    AWS_EC2_METADATA_DISABLED: "true",
    // Terraform and the AWS provider are Go programs that build the provider's large schema at
    // every start; collecting garbage at 4x the live heap instead of 2x cuts their CPU by about a
    // quarter for some 10 % more peak memory (measured: show -json 1.8 -> 1.4 s CPU, 350 -> 400 MB).
    GOGC: base.GOGC ?? "400",
  };
}

export interface TerraformSetup {
  readonly bin: string;
  readonly version: string;
  readonly env: NodeJS.ProcessEnv;
  readonly cliConfigFile: string;
  readonly cliConfig: string;
  readonly mirror?: MirrorFound;
  /** The shared plugin cache, only when providers come from the registry (no mirror). */
  readonly pluginCacheDir?: string;
  /**
   * Runs `terraform init`: with a shared plugin cache one at a time (the cache is not safe for
   * concurrent writers), else straight away (every work dir links to the read-only mirror).
   */
  readonly init: <R>(fn: () => Promise<R>) => Promise<R>;
}

/**
 * Finds Terraform and the provider mirror and writes the CLI config. When Terraform is missing or
 * too old it says so plainly and exits: 1 under CI, 0 with a loud SKIPPED line otherwise.
 */
export function setupTerraform(reporter: Reporter, command: string, opts: { pluginDir?: string } = {}): TerraformSetup {
  const check = checkTerraform();
  if (!check.ok) {
    const ci = isCI();
    reporter.error(`error: ${check.reason}`);
    if (ci) {
      reporter.error(`${command} FAILED: Terraform is required when CI is set.`);
      reporter.result({ command, ok: false, skipped: false, reason: check.reason, results: [] });
      process.exit(1);
    }
    reporter.error(`*** ${command.toUpperCase()} SKIPPED: Terraform is not usable, nothing was checked (with CI=true this fails). ***`);
    reporter.result({ command, ok: true, skipped: true, reason: check.reason, results: [] });
    process.exit(0);
  }

  let mirror: MirrorFound | undefined;
  const want = { provider: "hashicorp/aws", version: pinnedAwsProviderVersion(), platform: terraformPlatform() };
  try {
    mirror = discoverMirror({ want, flag: opts.pluginDir, env: process.env.PLATFORM_TF_PLUGIN_DIR, search: () => findRegistryDirs() });
  } catch (e) {
    if (e instanceof MirrorError) {
      reporter.error(`error: ${e.message}`);
      process.exit(2);
    }
    throw e;
  }
  if (!mirror) {
    reporter.warn(
      `no local provider mirror with ${REGISTRY_HOST}/${want.provider} ${want.version} (${want.platform}) found ` +
        "(set PLATFORM_TF_PLUGIN_DIR or --plugin-dir); terraform init will download providers from the registry",
    );
  }
  // A mirror needs no cache (see cliConfigText); without one, downloads are cached and inits serialized.
  const pluginCacheDir = mirror ? undefined : path.join(WORK_DIR, "plugin-cache");
  if (pluginCacheDir) fs.mkdirSync(pluginCacheDir, { recursive: true });
  const cliConfigFile = path.join(WORK_DIR, "terraformrc");
  const cliConfig = cliConfigText({
    mirrorDir: mirror?.dir,
    providers: mirror ? mirroredProviders(mirror.dir) : undefined,
    pluginCacheDir,
  });
  writeIfChanged(cliConfigFile, cliConfig);
  const serial = new Serial();
  const init = pluginCacheDir ? <R>(fn: () => Promise<R>) => serial.run(fn) : <R>(fn: () => Promise<R>) => fn();
  return {
    bin: check.bin,
    version: check.version,
    env: terraformEnv(cliConfigFile),
    cliConfigFile,
    cliConfig,
    mirror,
    pluginCacheDir,
    init,
  };
}

// ---------------------------------------------------------------------------------------------
// Running

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Runs a command to completion, capturing its output. */
export function run(bin: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<RunResult> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", (e) => resolve({ code: 127, stdout: "", stderr: String(e), ms: Date.now() - start }));
    child.on("close", (code, signal) =>
      resolve({
        code: code ?? 128,
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8") + (signal ? `\nkilled by ${signal}` : ""),
        ms: Date.now() - start,
      }),
    );
  });
}

/** The part of a Terraform JSON configuration that decides what `terraform init` installs. */
export function initFingerprint(tf: Record<string, unknown>, extra: readonly string[]): string {
  const terraform = (tf.terraform ?? {}) as Record<string, unknown>;
  const modules = Object.fromEntries(
    Object.entries((tf.module ?? {}) as Record<string, { source?: unknown; version?: unknown }>).map(([k, m]) => [
      k,
      [m.source, m.version],
    ]),
  );
  const material = JSON.stringify({
    required_providers: terraform.required_providers ?? null,
    required_version: terraform.required_version ?? null,
    backend: terraform.backend ?? null,
    providers: Object.keys((tf.provider ?? {}) as object).sort(),
    modules,
    extra,
  });
  return createHash("sha256").update(material).digest("hex");
}

const STAMP = path.join(".terraform", "platform-kit-init.sha256");

/** True when `dir` was initialised for this fingerprint and its providers are still there. */
export function isInitialised(dir: string, fingerprint: string): boolean {
  try {
    return (
      fs.readFileSync(path.join(dir, STAMP), "utf8").trim() === fingerprint &&
      fs.existsSync(path.join(dir, ".terraform.lock.hcl")) &&
      fs.existsSync(path.join(dir, ".terraform", "providers"))
    );
  } catch {
    return false;
  }
}

/** Records a successful init. */
export function markInitialised(dir: string, fingerprint: string): void {
  fs.mkdirSync(path.join(dir, ".terraform"), { recursive: true });
  fs.writeFileSync(path.join(dir, STAMP), `${fingerprint}\n`);
}

// ---------------------------------------------------------------------------------------------
// Diagnostics

export interface Diagnostic {
  readonly severity: string;
  readonly summary: string;
  readonly detail?: string;
  /** `aws_vpc.main` when the diagnostic points into a resource block. */
  readonly address?: string;
  /** `cdk.tf.json:12:5`. */
  readonly location?: string;
}

export interface RawDiagnostic {
  severity?: string;
  summary?: string;
  detail?: string;
  address?: string;
  range?: { filename?: string; start?: { line?: number; column?: number } };
  snippet?: { context?: string | null };
}

/**
 * The address a diagnostic's snippet context names: `resource.aws_vpc.main` (JSON configs) or
 * `resource "aws_vpc" "main"` (HCL) -> `aws_vpc.main`; data sources keep their `data.` prefix;
 * other contexts (`provider.aws[0]`, `output.x`) are returned as they are.
 */
export function addressFromContext(context: string | null | undefined): string | undefined {
  const ctx = (context ?? "").trim();
  if (!ctx) return undefined;
  const json = /^(resource|data)\.([\w-]+)\.([\w-]+)/.exec(ctx);
  const hcl = /^(resource|data)\s+"([^"]+)"\s+"([^"]+)"/.exec(ctx);
  const m = json ?? hcl;
  if (m) return `${m[1] === "data" ? "data." : ""}${m[2]}.${m[3]}`;
  return ctx.replace(/\s*\{$/, "");
}

/** Diagnostics of `terraform validate -json`, with the address of the block each points into. */
export function parseDiagnostics(raw: readonly RawDiagnostic[]): Diagnostic[] {
  return raw.map((d) => {
    const r = d.range;
    return {
      severity: d.severity ?? "error",
      summary: d.summary ?? "",
      detail: d.detail || undefined,
      address: d.address ?? addressFromContext(d.snippet?.context),
      location: r?.filename ? `${r.filename}:${r.start?.line ?? 0}:${r.start?.column ?? 0}` : undefined,
    };
  });
}

/** Terraform's human error text, without colour codes and box-drawing margins. */
export function cleanTerraformText(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex
      .replace(/\x1b\[[0-9;]*m/g, "")
      .split("\n")
      .map((l) => l.replace(/^[│╷╵]\s?/, ""))
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim()
  );
}

// ---------------------------------------------------------------------------------------------
// Files

/** Writes a file only when its content differs (keeps mtimes stable between runs). */
export function writeIfChanged(file: string, content: string): boolean {
  try {
    if (fs.readFileSync(file, "utf8") === content) return false;
  } catch {
    // absent
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return true;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function devNull(): string {
  return process.platform === "win32" ? "NUL" : "/dev/null";
}

/**
 * `terraform validate -json` in an initialised directory: whether it passed, its diagnostics, and
 * the run itself (for a message when Terraform printed no JSON).
 */
export async function terraformValidate(
  tf: { readonly bin: string; readonly env: NodeJS.ProcessEnv },
  dir: string,
): Promise<{ ok: boolean; diagnostics: Diagnostic[]; res: RunResult }> {
  const res = await run(tf.bin, ["validate", "-json", "-no-color"], { cwd: dir, env: tf.env });
  let parsed: { valid?: boolean; diagnostics?: RawDiagnostic[] } | undefined;
  try {
    parsed = JSON.parse(res.stdout) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  return { ok: res.code === 0 && parsed?.valid === true, diagnostics: parseDiagnostics(parsed?.diagnostics ?? []), res };
}
