/**
 * What `npm run validate` and `npm run plan` do the same way before and around their stacks: pick
 * and synthesize the environments, find Terraform, hold the harness lock, clear stale stack dirs,
 * select the stacks (--layer), and run them in parallel with one init pool, one result cache and one
 * shared aws provider per job (tools/lib/shared-providers.ts; --own-providers turns that off). A
 * stack whose run throws becomes a failed result of its own instead of stopping the others.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { ParsedArgs } from "./args";
import {
  environmentsOrExit,
  holdHarnessLock,
  onlyStacksOrExit,
  prepareEnvironments,
  pruneStackDirs,
  type PreparedEnvironment,
} from "./harness";
import { InitPool, ResultCache } from "./ladder";
import { Progress, type Reporter } from "./report";
import { defaultJobs, runParallel } from "./runner";
import { ProviderPools } from "./shared-providers";
import type { SynthesizedStack } from "./synth";
import { setupTerraform, WORK_DIR, type TerraformSetup } from "./terraform";

/** One stack of one environment to run. */
export interface LadderTask {
  readonly env: PreparedEnvironment;
  readonly stack: SynthesizedStack;
}

export interface LadderRun {
  readonly tf: TerraformSetup;
  readonly jobs: number;
  /** --force: run every stack, also those unchanged since they last passed. */
  readonly force: boolean;
  /** When the run started (ms since the epoch). */
  readonly started: number;
  /** Every environment asked for, with its synthesis error if it has one. */
  readonly prepared: readonly PreparedEnvironment[];
  /** The stacks to run, environments in order, stacks in deploy order. */
  readonly tasks: readonly LadderTask[];
  readonly inits: InitPool;
  readonly cache: ResultCache;
  /** The shared providers; none with --own-providers. */
  readonly pools: ProviderPools | undefined;
  /**
   * Runs every task (`--jobs` at once), reporting each as it finishes with its label (`label`, the
   * `status` of its result and its time). A task that throws gets `crashed(task, message)`.
   */
  runStacks<R extends { readonly ms: number }>(
    run: (task: LadderTask) => Promise<R>,
    crashed: (task: LadderTask, message: string) => R,
    status: (result: R) => string,
  ): Promise<R[]>;
}

export interface LadderOptions {
  /** The work dir's subfolder (.work/<command>/<env>/<stack>) and the lock's holder name. */
  readonly command: "validate" | "plan";
  /** A stack's label in the progress lines. */
  readonly label: (task: LadderTask) => string;
  /** Environments prepared some other way (validate --stacks), instead of --env. */
  readonly prepared?: (reporter: Reporter) => PreparedEnvironment[];
  /** Entries of an environment's work dir that are not stack dirs and must survive the pruning. */
  readonly keepInEnvDir?: readonly string[];
}

/** Sets a validate or plan run up (exits with the harness's errors where it cannot start). */
export async function startLadderRun(args: ParsedArgs, reporter: Reporter, opts: LadderOptions): Promise<LadderRun> {
  const { command } = opts;
  const envs = opts.prepared ? [] : environmentsOrExit(args.values.env as string[] | undefined, reporter);
  const tf = setupTerraform(reporter, command, { pluginDir: args.values["plugin-dir"] as string | undefined });
  const jobs = (args.values.jobs as number | undefined) ?? defaultJobs();
  await holdHarnessLock(command, reporter);
  const started = Date.now();
  reporter.line(
    `terraform ${tf.version} (${tf.bin}); providers from ${tf.mirror ? `mirror ${tf.mirror.dir}` : "the registry"}; ${jobs} jobs`,
  );

  const prepared = opts.prepared ? opts.prepared(reporter) : prepareEnvironments(envs, reporter);
  const ready = prepared.filter((e) => !e.error);
  for (const env of ready)
    pruneStackDirs(
      path.join(WORK_DIR, command, env.ref.key),
      env.stacks.map((s) => s.name),
      opts.keepInEnvDir,
    );
  const selected = onlyStacksOrExit(ready, args.values.layer as string[] | undefined, reporter);
  const tasks = selected.flatMap((env) => env.stacks.map((stack) => ({ env, stack })));

  const inits = new InitPool(tf, command);
  const cache = new ResultCache();
  cache.prune();
  // One shared aws provider per job, started from the mirror's binary in its own dir.
  const providerDir = path.join(WORK_DIR, "shared-provider");
  fs.mkdirSync(providerDir, { recursive: true });
  const pools = args.values["own-providers"] === true ? undefined : new ProviderPools(jobs, tf.env, providerDir);

  return {
    tf,
    jobs,
    force: args.values.force === true,
    started,
    prepared,
    tasks,
    inits,
    cache,
    pools,
    async runStacks(run, crashed, status) {
      const progress = new Progress(reporter, tasks.length, Math.max(0, ...tasks.map((t) => opts.label(t).length)));
      return runParallel(tasks, jobs, async (task) => {
        let r;
        try {
          r = await run(task);
        } catch (e) {
          r = crashed(task, e instanceof Error ? (e.stack ?? e.message) : String(e));
        }
        progress.finish(opts.label(task), status(r), r.ms);
        return r;
      });
    },
  };
}
