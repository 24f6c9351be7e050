/**
 * Fewer provider starts for the Terraform ladder (plan, validate): one long-running hashicorp/aws
 * provider process per worker, which every stack's Terraform commands attach to
 * (TF_REATTACH_PROVIDERS, the provider's `-debug` mode; the rehearsal does the same,
 * tools/lib/rehearse-providers.ts).
 *
 * Without it each stack starts the provider four times: `terraform plan` three times (schema,
 * validate walk, plan walk; counted with TF_LOG=trace "plugin started") and `terraform show -json`
 * once; `terraform validate` twice. With it a whole run starts one provider per worker.
 *
 * Who may attach:
 * - plan: a stack with one aws provider configuration. A plan configures the provider
 *   (ConfigureProvider is per process), so a stack with an alias (us_east_1 for CloudFront) would
 *   have both configurations share one process, the last one winning: those stacks start their own
 *   providers, as before. A provider process serves one Terraform run at a time.
 *   Files named relative to the stack (Lambda `filename = "assets/...zip"`) do not matter here:
 *   the offline plan's work dir holds no assets at all, and those stacks plan there today; the
 *   provider reads them only on apply.
 * - validate: every stack. `terraform validate` never configures a provider (it only asks it to
 *   validate blocks), so aliases share one process safely.
 *
 * A provider that dies is replaced: a command that ran against a dead one is run again with
 * Terraform starting its own provider, so a crash of the shared process never fails a stack.
 * When the provider cannot be started in debug mode at all, every command runs as before.
 * `stop()` waits for the processes to exit, so their CPU is accounted to the run (GNU time).
 */
import type { ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { AWS_PROVIDER, startDebugProvider } from "./rehearse-providers";
import type { TerraformJson } from "./synth";
import { run, type RunResult } from "./terraform";

/** Why a stack's commands cannot attach to a shared provider for `use`, or undefined when they can. */
export function sharedProviderRefusal(tf: TerraformJson, use: "plan" | "validate"): string | undefined {
  const aws = tf.provider?.aws;
  if (use === "plan" && Array.isArray(aws) && aws.length > 1) return `${aws.length} aws provider configurations`;
  return undefined;
}

/** The aws provider binary a shared init installed (its data dir, TF_DATA_DIR), or undefined. */
export function providerBinaryIn(dataDir: string): string | undefined {
  const base = path.join(dataDir, "providers", AWS_PROVIDER);
  let versions: string[];
  try {
    versions = fs.readdirSync(base);
  } catch {
    return undefined;
  }
  for (const version of versions)
    for (const platform of fs.readdirSync(path.join(base, version))) {
      const dir = path.join(base, version, platform);
      const bin = fs.readdirSync(dir).find((f) => f.startsWith("terraform-provider-aws"));
      if (bin) return path.join(dir, bin);
    }
  return undefined;
}

interface Shared {
  readonly child: ChildProcess;
  readonly reattach: string;
  dead: boolean;
}

/** The outcome of one command: its result, and whether it ran on a shared provider. */
export interface SharedRun extends RunResult {
  readonly shared: boolean;
}

export class SharedProviders {
  private readonly idle: Shared[] = [];
  private readonly all: Shared[] = [];
  private lent = 0;
  private readonly waiting: Array<() => void> = [];
  private failedToStart?: string;
  /** Provider processes started (including replacements of dead ones). */
  started = 0;
  /** Commands run again without the shared provider because it died under them. */
  rerun = 0;

  constructor(
    private readonly binary: string,
    /** At most this many processes (one per worker). */
    private readonly size: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
    private readonly timeoutMs = 180_000,
  ) {
    // Never left behind, whatever ends the run: on exit, and on a signal sent to this process
    // alone (`timeout`, a CI runner's cancel), which would otherwise orphan them.
    const killAll = () => {
      for (const p of this.all) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGTERM");
    };
    process.once("exit", killAll);
    for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
      process.once(sig, () => {
        killAll();
        process.kill(process.pid, sig); // the default action, now that this listener is gone
      });
  }

  /** The live provider processes' ids (for CPU accounting: they are not Terraform's children). */
  get pids(): number[] {
    return this.all.filter((p) => !p.dead && p.child.pid !== undefined).map((p) => p.child.pid!);
  }

  /** Why no shared provider is used (it would not start), or undefined. */
  get unavailable(): string | undefined {
    return this.failedToStart;
  }

  /**
   * Runs one Terraform command attached to a shared provider it has to itself; as before (Terraform
   * starts its own) when none can be started, and again as before when the shared one died under it.
   */
  async run(bin: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<SharedRun> {
    const p = await this.borrow();
    if (!p) return { ...(await run(bin, args, opts)), shared: false };
    let res: RunResult;
    try {
      res = await run(bin, args, { ...opts, env: { ...opts.env, TF_REATTACH_PROVIDERS: p.reattach } });
    } finally {
      this.giveBack(p);
    }
    if (res.code !== 0 && p.dead) {
      this.rerun++;
      return { ...(await run(bin, args, opts)), shared: false };
    }
    return { ...res, shared: true };
  }

  private async borrow(): Promise<Shared | undefined> {
    for (;;) {
      if (this.failedToStart) return undefined;
      const p = this.idle.pop();
      if (p && !p.dead) {
        this.lent++;
        return p;
      }
      if (p) continue; // died while idle: dropped
      if (this.live() + this.starting < this.size) {
        this.starting++;
        try {
          const s = await this.launch();
          this.lent++;
          return s;
        } catch (e) {
          this.failedToStart = e instanceof Error ? e.message : String(e);
          this.wakeAll();
          return undefined;
        } finally {
          this.starting--;
        }
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private starting = 0;

  private live(): number {
    return this.all.filter((p) => !p.dead).length;
  }

  private giveBack(p: Shared): void {
    this.lent--;
    if (!p.dead) this.idle.push(p);
    this.waiting.shift()?.();
  }

  private wakeAll(): void {
    for (const w of this.waiting.splice(0)) w();
  }

  private launch(): Promise<Shared> {
    const { child, ready } = startDebugProvider(this.binary, { cwd: this.cwd, env: this.env, timeoutMs: this.timeoutMs });
    this.started++;
    let entry: Shared | undefined;
    child.once("exit", () => {
      if (entry) entry.dead = true;
      // A waiting borrower may now start a replacement.
      this.waiting.shift()?.();
    });
    return ready.then((reattach) => {
      entry = { child, reattach, dead: false };
      this.all.push(entry);
      return entry;
    });
  }

  /** Stops every provider and waits until each has exited (so its CPU is the run's, for GNU time). */
  async stop(): Promise<void> {
    await Promise.all(
      this.all.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
            p.child.once("exit", () => resolve());
            p.child.kill("SIGTERM");
          }),
      ),
    );
  }
}

/** The shared providers of one run: one pool per provider binary (the same mirror binary for plan and validate inits). */
export class ProviderPools {
  private readonly byBinary = new Map<string, SharedProviders>();

  constructor(
    private readonly size: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
  ) {}

  /** The pool for the provider a shared init installed (its data dir), or undefined when it holds none. */
  for(dataDir: string): SharedProviders | undefined {
    const found = providerBinaryIn(dataDir);
    if (!found) return undefined;
    const binary = fs.realpathSync(found);
    let p = this.byBinary.get(binary);
    if (!p) this.byBinary.set(binary, (p = new SharedProviders(binary, this.size, this.env, this.cwd)));
    return p;
  }

  /** Provider processes started by the pools. */
  get started(): number {
    return [...this.byBinary.values()].reduce((n, p) => n + p.started, 0);
  }

  /** Commands run again on their own provider because a shared one died under them. */
  get rerun(): number {
    return [...this.byBinary.values()].reduce((n, p) => n + p.rerun, 0);
  }

  /** Why a pool could not start its provider (commands then ran as before), if one could not. */
  get unavailable(): string | undefined {
    return [...this.byBinary.values()].map((p) => p.unavailable).find(Boolean);
  }

  stop(): Promise<void> {
    return Promise.all([...this.byBinary.values()].map((p) => p.stop())).then(() => undefined);
  }
}

/**
 * The run's summary line: `onShared` stacks `verb` on the shared processes (none without `pools`:
 * --own-providers), and `own` (when given) the stacks whose Terraform started its own provider, and why.
 */
export function providerSummary(
  pools: ProviderPools | undefined,
  verb: string,
  onShared: number,
  own?: { count: number; reasons: readonly string[] },
): string {
  const started = pools?.started ?? 0;
  return (
    `\naws provider: ${onShared} stack${onShared === 1 ? "" : "s"} ${verb} on ${started} shared provider process${started === 1 ? "" : "es"} (no start per stack)` +
    `${own?.count ? `; ${own.count} on providers Terraform starts itself (${own.reasons.join("; ")})` : ""}` +
    `${pools?.rerun ? `; ${pools.rerun} command(s) run again on their own after a shared provider exited` : ""}` +
    `${pools?.unavailable ? `; shared provider not used: ${pools.unavailable}` : ""}`
  );
}
