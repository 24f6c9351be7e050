/**
 * What makes the Terraform ladder (validate, plan) cheap to run again:
 *
 * - One `terraform init` per provider set, not per stack. Stacks whose configuration installs the
 *   same things (same required providers, backend, Terraform, CLI config: the init fingerprint)
 *   share one data dir (.work/tf-init/<fingerprint>/.terraform, given to Terraform as TF_DATA_DIR);
 *   each stack dir gets a copy of its dependency lock file.
 * - That copy carries the provider's version and constraints but not its checksums: with checksums
 *   Terraform re-hashes the 700 MB provider binary at the start of every validate, plan and show
 *   (about 0.5 s CPU each). The shared init has checked the package against the mirror once, and
 *   the checksums go into every result's cache key (a different binary is a different key).
 * - A content-addressed result cache (.work/ladder-cache/<key>/): the key is a hash of everything a
 *   result depends on (the command, the configuration text, the state files it reads, Terraform's
 *   version, the CLI config and the locked provider package). Only passing results are stored, so a
 *   failure is always run again and shown.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  cleanTerraformText,
  initFingerprint,
  isInitialised,
  markInitialised,
  run,
  WORK_DIR,
  writeIfChanged,
  type TerraformSetup,
} from "./terraform";
import type { TerraformJson } from "./synth";

/** Bump when what a cached result holds or means changes: every older entry is then missed. */
export const CACHE_FORMAT = "ladder-cache-1";

// ---------------------------------------------------------------------------------------------
// One init per provider set

/** The part of a configuration `terraform init` acts on: the terraform block and the provider names. */
export function initConfig(tf: TerraformJson): Record<string, unknown> {
  const terraform = (tf.terraform ?? {}) as Record<string, unknown>;
  return {
    terraform: {
      ...(terraform.required_providers ? { required_providers: terraform.required_providers } : {}),
      ...(terraform.required_version ? { required_version: terraform.required_version } : {}),
      ...(terraform.backend ? { backend: terraform.backend } : {}),
    },
  };
}

/** The lock file without `hashes = [...]` lists (see the module comment). */
export function withoutChecksums(lock: string): string {
  return lock.replace(/^[ \t]*hashes[ \t]*=[ \t]*\[[^\]]*\][ \t]*\r?\n/gm, "");
}

export type SharedInit =
  | {
      readonly ok: true;
      readonly dataDir: string;
      /** The lock file with checksums (for cache keys). */ readonly lock: string;
      readonly ran: boolean;
      readonly ms: number;
    }
  | { readonly ok: false; readonly message: string; readonly ms: number };

/**
 * Shared `terraform init`s of one run. A stack whose configuration holds modules cannot share
 * (their install depends on its own dir): `shareable` says so, and the caller inits it on its own.
 */
export class InitPool {
  private readonly pending = new Map<string, Promise<SharedInit>>();

  constructor(
    private readonly tf: TerraformSetup,
    /** `validate` (init -backend=false) or `plan`. */
    private readonly kind: "validate" | "plan",
    private readonly root: string = path.join(WORK_DIR, "tf-init"),
  ) {}

  static shareable(tf: TerraformJson): boolean {
    return !tf.module || Object.keys(tf.module as object).length === 0;
  }

  private args(): string[] {
    return this.kind === "validate"
      ? ["init", "-backend=false", "-input=false", "-no-color"]
      : ["init", "-input=false", "-no-color", "-reconfigure"];
  }

  /** The fingerprint of what init installs for this configuration (one shared data dir each). */
  fingerprint(tf: TerraformJson): string {
    const cfg = initConfig(tf);
    const material = this.kind === "validate" ? { ...cfg, terraform: { ...(cfg.terraform as object), backend: undefined } } : cfg;
    return initFingerprint(material, [this.tf.version, this.tf.cliConfig, ...this.args()]);
  }

  /** The shared data dir for this configuration, initialising it once (concurrent callers wait for the one init). */
  get(tf: TerraformJson): Promise<SharedInit> {
    const fp = this.fingerprint(tf);
    const p = this.pending.get(fp);
    // The first caller runs the init (and reports it); the others wait for it.
    if (p) return p.then((r) => (r.ok ? { ...r, ran: false } : r));
    const first = this.init(fp, tf);
    this.pending.set(fp, first);
    return first;
  }

  private async init(fp: string, tf: TerraformJson): Promise<SharedInit> {
    const start = Date.now();
    const dir = path.join(this.root, `${this.kind}-${fp.slice(0, 16)}`);
    const lockFile = path.join(dir, ".terraform.lock.hcl");
    let ran = false;
    if (!isInitialised(dir, fp)) {
      ran = true;
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      const cfg = initConfig(tf);
      if (this.kind === "validate") delete (cfg.terraform as Record<string, unknown>).backend;
      fs.writeFileSync(path.join(dir, "init.tf.json"), `${JSON.stringify(cfg, null, 2)}\n`);
      const res = await this.tf.init(() => run(this.tf.bin, this.args(), { cwd: dir, env: this.tf.env }));
      if (res.code !== 0) return { ok: false, message: cleanTerraformText(res.stderr || res.stdout), ms: Date.now() - start };
      markInitialised(dir, fp);
    }
    return { ok: true, dataDir: path.join(dir, ".terraform"), lock: fs.readFileSync(lockFile, "utf8"), ran, ms: Date.now() - start };
  }
}

/**
 * Readies a stack dir for a shared data dir: the lock file without checksums, and no `.terraform`
 * of its own (left from a per-stack init of an older run). Returns the environment to run
 * Terraform with.
 */
export function useSharedInit(dir: string, shared: Extract<SharedInit, { ok: true }>, tf: TerraformSetup): NodeJS.ProcessEnv {
  writeIfChanged(path.join(dir, ".terraform.lock.hcl"), withoutChecksums(shared.lock));
  fs.rmSync(path.join(dir, ".terraform"), { recursive: true, force: true });
  return { ...tf.env, TF_DATA_DIR: shared.dataDir };
}

/**
 * A stack that cannot share (modules): `terraform init` in its own dir when what it installs
 * changed, as before. Returns the lock text (for the cache key) or the failure.
 */
export async function initOwn(
  dir: string,
  tf: TerraformSetup,
  fingerprint: string,
  args: readonly string[],
): Promise<{ ok: true; lock: string; ran: boolean } | { ok: false; message: string }> {
  let ran = false;
  if (!isInitialised(dir, fingerprint)) {
    ran = true;
    fs.rmSync(path.join(dir, ".terraform.lock.hcl"), { force: true });
    const res = await tf.init(() => run(tf.bin, args, { cwd: dir, env: tf.env }));
    if (res.code !== 0) return { ok: false, message: cleanTerraformText(res.stderr || res.stdout) };
    markInitialised(dir, fingerprint);
  }
  return { ok: true, lock: fs.readFileSync(path.join(dir, ".terraform.lock.hcl"), "utf8"), ran };
}

// ---------------------------------------------------------------------------------------------
// The result cache

export interface CacheKeyInput {
  /** What ran: `validate`, `plan`, with its arguments. */
  readonly command: string;
  /** The configuration Terraform read (cdk.tf.json or main.tf.json), as text. */
  readonly config: string;
  /** Other files the result depends on (the mock state files a plan reads), by name. */
  readonly inputs?: Readonly<Record<string, string>>;
  readonly terraformVersion: string;
  readonly cliConfig: string;
  /** The dependency lock file with checksums: the provider versions and packages. */
  readonly lock: string;
}

/** The cache key of a result: a SHA-256 over every input, each length-prefixed so no two inputs run together. */
export function cacheKey(k: CacheKeyInput): string {
  const h = createHash("sha256");
  const part = (name: string, value: string) => h.update(`${name}\0${Buffer.byteLength(value)}\0`).update(value);
  part("format", CACHE_FORMAT);
  part("command", k.command);
  part("terraform", k.terraformVersion);
  part("cli-config", k.cliConfig);
  part("lock", k.lock);
  part("config", k.config);
  for (const name of Object.keys(k.inputs ?? {}).sort()) part(`input:${name}`, k.inputs![name]);
  return h.digest("hex");
}

export interface CachedResult<T> {
  readonly result: T;
  /** The directory holding the files stored with the result. */
  readonly dir: string;
}

/** Passing results by key, with the files that go with them (plan.json, plan.bin). */
export class ResultCache {
  constructor(readonly root: string = path.join(WORK_DIR, "ladder-cache")) {}

  private dirOf(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new Error(`not a cache key: ${key}`);
    return path.join(this.root, key.slice(0, 2), key);
  }

  /** The stored result, only when it passed and every file stored with it is still there. */
  get<T extends { ok: boolean }>(key: string, files: readonly string[] = []): CachedResult<T> | undefined {
    const dir = this.dirOf(key);
    let result: T;
    try {
      result = JSON.parse(fs.readFileSync(path.join(dir, "result.json"), "utf8")) as T;
    } catch {
      return undefined;
    }
    if (result?.ok !== true) return undefined;
    if (!files.every((f) => fs.existsSync(path.join(dir, f)))) return undefined;
    const now = new Date();
    fs.utimesSync(path.join(dir, "result.json"), now, now); // used: kept by prune()
    return { result, dir };
  }

  /** Stores a passing result with its files (copied from `fromDir`); a failed result is refused. */
  put<T extends { ok: boolean }>(key: string, result: T, files: readonly string[] = [], fromDir?: string): boolean {
    if (result.ok !== true) return false;
    const dir = this.dirOf(key);
    const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
    fs.mkdirSync(tmp, { recursive: true });
    try {
      for (const f of files) fs.copyFileSync(path.join(fromDir ?? "", f), path.join(tmp, f));
      // result.json last: an entry without it is never read.
      fs.writeFileSync(path.join(tmp, "result.json"), JSON.stringify(result));
      fs.rmSync(dir, { recursive: true, force: true });
      fs.renameSync(tmp, dir);
      return true;
    } catch (e) {
      fs.rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Removes entries neither stored nor served for `maxAgeDays` (the cache only grows otherwise). */
  prune(maxAgeDays = 14, now = Date.now()): number {
    const cutoff = now - maxAgeDays * 86_400_000;
    let removed = 0;
    for (const shard of safeReaddir(this.root)) {
      for (const key of safeReaddir(path.join(this.root, shard))) {
        const dir = path.join(this.root, shard, key);
        let mtime: number;
        try {
          mtime = fs.statSync(path.join(dir, "result.json")).mtimeMs;
        } catch {
          mtime = 0; // no result.json: a write that never finished
        }
        if (mtime < cutoff) {
          fs.rmSync(dir, { recursive: true, force: true });
          removed++;
        }
      }
    }
    return removed;
  }

  /** Forgets a key (a result that passed before and fails now must not be served). */
  delete(key: string): void {
    fs.rmSync(this.dirOf(key), { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// What the offline plan cannot validate

/**
 * The provider settings the offline plan removes (tools/lib/offline.ts: assume_role,
 * allowed_account_ids, ...), as a configuration `terraform validate` checks on its own: each aws
 * provider block with only those settings (and its alias and region), and one data source per block
 * so that Terraform validates the block (a provider nothing uses is not checked). Undefined when the
 * stack sets none of them. With it, `plan --validate` gives what `validate` gives without
 * validating every stack twice: the plan validates everything else.
 */
export function providerSkeleton(tf: TerraformJson, removed: readonly string[]): TerraformJson | undefined {
  const aws = tf.provider?.aws;
  if (!aws) return undefined;
  const blocks = Array.isArray(aws) ? aws : [aws];
  let any = false;
  const kept = blocks.map((b) => {
    const out: Record<string, unknown> = {};
    for (const k of ["alias", "region", ...removed]) {
      if (b[k] === undefined) continue;
      out[k] = b[k];
      if (removed.includes(k)) any = true;
    }
    return out;
  });
  if (!any) return undefined;
  const terraform = (tf.terraform ?? {}) as Record<string, unknown>;
  const data: Record<string, Record<string, unknown>> = {};
  kept.forEach((b, i) => {
    data[`provider_${i}`] = typeof b.alias === "string" ? { provider: `aws.${b.alias}` } : {};
  });
  return {
    terraform: { required_providers: terraform.required_providers },
    provider: { aws: kept },
    data: { aws_partition: data },
  };
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// A stack with nothing to plan

const TRIVIAL_TOP = new Set(["//", "terraform", "provider", "output"]);
const TRIVIAL_TERRAFORM = new Set(["backend", "required_providers"]);
const TRIVIAL_OUTPUT = new Set(["value", "description", "sensitive"]);

/**
 * Why a stack's offline plan is known without running Terraform (no resources, no data sources,
 * no modules, only outputs whose values are constants), or undefined when Terraform must plan it.
 * Such a plan has nothing to add, change or destroy, and Terraform would not even validate its
 * provider blocks (checked with 1.11: a provider nothing uses is not configured or validated; the
 * provider settings `plan --validate` checks are validated on their own). Anything else, including
 * a reference or template in an output, a `required_version` or a provider no
 * `required_providers` names, is left to Terraform.
 */
export function nothingToPlan(tf: TerraformJson): string | undefined {
  for (const k of Object.keys(tf)) if (!TRIVIAL_TOP.has(k)) return undefined;
  const terraform = (tf.terraform ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(terraform)) if (!TRIVIAL_TERRAFORM.has(k)) return undefined;
  const required = (terraform.required_providers ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(tf.provider ?? {})) if (!(name in required)) return undefined;
  const outputs = (tf.output ?? {}) as Record<string, unknown>;
  for (const o of Object.values(outputs)) {
    if (!o || typeof o !== "object" || Array.isArray(o)) return undefined;
    const block = o as Record<string, unknown>;
    if (!("value" in block)) return undefined;
    for (const k of Object.keys(block)) if (!TRIVIAL_OUTPUT.has(k)) return undefined;
    if (block.description !== undefined && typeof block.description !== "string") return undefined;
    if (block.sensitive !== undefined && typeof block.sensitive !== "boolean") return undefined;
    // Terraform reads JSON strings (keys too) as templates: any ${ or %{ (even escaped) goes to Terraform.
    if (/[$%]\{/.test(JSON.stringify(block.value))) return undefined;
  }
  const n = Object.keys(outputs).length;
  return `no resources, data sources or modules; ${n} constant output${n === 1 ? "" : "s"}`;
}
