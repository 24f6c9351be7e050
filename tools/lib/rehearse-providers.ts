/**
 * Fewer provider starts for the rehearsal: a few long-running hashicorp/aws provider processes
 * that Terraform attaches to (TF_REATTACH_PROVIDERS, the provider's `-debug` mode) instead of
 * starting its own for every schema load and graph walk.
 *
 * Starting the 700 MB provider costs about a second and a half of CPU each time, and every
 * apply, plan and destroy starts it several times; on a loaded two-core machine that was most of
 * the rehearsal's wall time. The binary is the one `terraform init` installed for the stack (the
 * mirror's), so the provider is the same; only who starts it changes.
 *
 * One Terraform run holds one provider process at a time (ConfigureProvider is per process, so
 * two concurrent runs must not share one). Not attached, so started by Terraform as always: a
 * stack with several aws provider configurations (an alias such as us_east_1: one process would
 * serve both with the last configuration), and a stack whose resources name files relative to
 * its directory (Lambda `assets/...zip`: the shared process runs elsewhere).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import type { TerraformJson } from "./synth";

/** The provider address Terraform reattaches (the one every stack of the kit uses). */
export const AWS_PROVIDER = "registry.terraform.io/hashicorp/aws";

/**
 * True when a stack can run against a shared provider process: at most one aws provider
 * configuration, and no file the provider reads by a path relative to the stack directory (a
 * Lambda function's `assets/...zip`): a shared provider's working directory is not the stack's.
 */
export function canReattach(tf: TerraformJson): boolean {
  const p = tf.provider?.aws;
  if (Array.isArray(p) && p.length > 1) return false;
  return !relativeFiles(tf).length;
}

/** Resource arguments that name a file relative to the stack directory (filename, source, ...). */
export function relativeFiles(tf: TerraformJson): string[] {
  const out: string[] = [];
  for (const [type, byName] of Object.entries(tf.resource ?? {}))
    for (const [name, body] of Object.entries(byName as Record<string, Record<string, unknown>>))
      for (const key of ["filename", "source", "content_base64_file", "template_file"])
        if (typeof body[key] === "string" && /^(?![a-z]+:|\/|\$\{)/i.test(body[key] as string) && /[\\/]/.test(body[key] as string))
          out.push(`${type}.${name}.${key}`);
  return out;
}

/** The TF_REATTACH_PROVIDERS value a provider started with `-debug` prints, or undefined. */
export function parseReattach(output: string): string | undefined {
  const m = /TF_REATTACH_PROVIDERS='(\{.*\})'/.exec(output);
  if (!m) return undefined;
  try {
    const parsed = JSON.parse(m[1]) as Record<string, { Addr?: { Network?: string; String?: string } }>;
    return parsed[AWS_PROVIDER]?.Addr?.String ? m[1] : undefined;
  } catch {
    return undefined;
  }
}

/** The aws provider binary `terraform init` installed in a stack directory (through the mirror's link). */
export function providerBinary(stackDir: string): string | undefined {
  const base = path.join(stackDir, ".terraform", "providers", AWS_PROVIDER);
  if (!fs.existsSync(base)) return undefined;
  for (const version of fs.readdirSync(base))
    for (const platform of fs.readdirSync(path.join(base, version))) {
      const dir = path.join(base, version, platform);
      const bin = fs.readdirSync(dir).find((f) => f.startsWith("terraform-provider-aws"));
      if (bin) return path.join(dir, bin);
    }
  return undefined;
}

/**
 * Starts the aws provider in debug mode. `ready` is the TF_REATTACH_PROVIDERS value it prints; it
 * rejects when the provider exits, fails to start or stays silent for `timeoutMs` (then it is
 * killed). Output after that line is drained, so the provider never blocks on a full pipe.
 */
export function startDebugProvider(
  binary: string,
  opts: { env: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number },
): { child: ChildProcess; ready: Promise<string> } {
  const child = spawn(binary, ["-debug"], { cwd: opts.cwd, env: opts.env, stdio: ["ignore", "pipe", "pipe"] });
  const ready = new Promise<string>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the aws provider did not print TF_REATTACH_PROVIDERS within ${opts.timeoutMs / 1000}s`));
    }, opts.timeoutMs);
    const onData = (b: Buffer) => {
      // Keep only what is needed to find the reattach line; the provider logs little before it.
      if (out.length < 64_000) out += b.toString("utf8");
      const reattach = parseReattach(out);
      if (!reattach) return;
      clearTimeout(timer);
      out = "";
      for (const s of [child.stdout!, child.stderr!]) {
        s.off("data", onData);
        s.resume();
      }
      resolve(reattach);
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the aws provider exited (${signal ?? `code ${code}`}) before it printed TF_REATTACH_PROVIDERS`));
    });
  });
  return { child, ready };
}

/** A small pool of provider processes; `with` lends one to a Terraform run. */
export class ProviderPool {
  private readonly free: string[] = [];
  private readonly waiting: Array<(r: string) => void> = [];
  private readonly children: ChildProcess[] = [];

  private constructor() {}

  /** Starts `size` providers from `binary` (with `env`: the rehearsal's AWS settings); rejects if one does not come up. */
  static async start(binary: string, size: number, env: NodeJS.ProcessEnv, timeoutMs = 180_000): Promise<ProviderPool> {
    const pool = new ProviderPool();
    process.on("exit", () => pool.stop());
    try {
      await Promise.all(
        Array.from({ length: size }, async () => {
          pool.free.push(await pool.launch(binary, env, timeoutMs));
        }),
      );
    } catch (e) {
      pool.stop();
      throw e;
    }
    return pool;
  }

  private launch(binary: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<string> {
    const { child, ready } = startDebugProvider(binary, { env, timeoutMs });
    this.children.push(child);
    return ready;
  }

  /** Runs `fn` with one provider process to itself (waits for a free one). */
  async with<R>(fn: (reattach: string) => Promise<R>): Promise<R> {
    const reattach = this.free.pop() ?? (await new Promise<string>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(reattach);
    } finally {
      const next = this.waiting.shift();
      if (next) next(reattach);
      else this.free.push(reattach);
    }
  }

  /** Process ids (for CPU accounting: the providers are not Terraform's children any more). */
  get pids(): number[] {
    return this.children.map((c) => c.pid).filter((p): p is number => p !== undefined);
  }

  stop(): void {
    for (const c of this.children) if (c.exitCode === null && c.pid) c.kill("SIGTERM");
  }
}
