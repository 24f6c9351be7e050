/**
 * npm run bench:ladder [-- --env <name|file>] [--jobs N] [--no-steps] [--own-providers] [--no-harness] [--json]
 *
 * Where the time of the Terraform ladder goes, for the environments picked (default dev):
 *
 * 1. steps: each stack of each environment, one Terraform command at a time in a scratch dir,
 *    timed on its own: synth (per environment), init (shared: once per provider set), validate,
 *    plan, show -json, wall and CPU (user + system of the command and its provider processes, from
 *    GNU time). A row per stack and a total per step. As the harness runs them: validate, plan and
 *    show on one shared aws provider (tools/lib/shared-providers.ts; its CPU during each command,
 *    from /proc, is added to the command's), a plan only where the stack has one aws provider
 *    configuration; --own-providers: every command starts its own provider (as before).
 * 2. harness: `npm run validate`, `npm run plan` and CI's pass (`plan --validate`) as a user runs
 *    them, each in a fresh PLATFORM_WORK_DIR: cold (a fresh clone), warm with nothing changed, and
 *    after an edit (--force: every stack of the environment run again, Terraform already
 *    initialised; an edit of one YAML value runs at most that).
 *
 * The load average is printed beside the figures: on a shared machine the wall times depend on it,
 * the CPU times much less. Nothing is asserted.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { OptionSpecs } from "./lib/args";
import { startTool } from "./lib/cli";
import { prepareEnvironments, type PreparedEnvironment } from "./lib/harness";
import { selectEnvironments } from "./lib/environments";
import { mockState, offlineStack } from "./lib/offline";
import { formatDuration, table } from "./lib/report";
import type { TerraformJson } from "./lib/synth";
import { InitPool, useSharedInit } from "./lib/ladder";
import { REPO_ROOT, run, setupTerraform, type TerraformSetup } from "./lib/terraform";
import { ProviderPools, sharedProviderRefusal, type SharedProviders } from "./lib/shared-providers";
import { layer as layerDef } from "../core/registry";
import type { LayerName } from "../core/config/schema";

const OPTIONS: OptionSpecs = {
  env: { type: "strings", value: "<name|file>", description: "Environments to measure (default dev)." },
  jobs: { type: "number", value: "<n>", description: "--jobs for the harness runs (default: theirs)." },
  "no-steps": { type: "boolean", description: "Skip the per-step profile." },
  "own-providers": { type: "boolean", description: "Profile the steps with Terraform starting its own provider per command (as before)." },
  "no-harness": { type: "boolean", description: "Skip the harness runs." },
  json: { type: "boolean", description: "Print a JSON result on stdout (the tables go to stderr)." },
};

const GNU_TIME = "/usr/bin/time";

export interface Timed {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly wallMs: number;
  /** User + system CPU of the command and the children it waited for; NaN without GNU time. */
  readonly cpuMs: number;
}

/** `bin args` under GNU time when it is installed: what to run, and a reader of its CPU time once it ended (NaN without GNU time). */
function underGnuTime(bin: string, args: readonly string[]): { cmd: string; argv: string[]; cpuMs: () => number } {
  if (!fs.existsSync(GNU_TIME)) return { cmd: bin, argv: [...args], cpuMs: () => NaN };
  const out = path.join(os.tmpdir(), `bench-ladder-time-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const cpuMs = () => {
    try {
      const [u, sys] = (fs.readFileSync(out, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number);
      return (u + sys) * 1000;
    } catch {
      return NaN;
    } finally {
      fs.rmSync(out, { force: true });
    }
  };
  return { cmd: GNU_TIME, argv: ["-f", "%U %S", "-o", out, bin, ...args], cpuMs };
}

/** Runs a command to completion, measuring its wall time and (with GNU time) its CPU time. */
export function timed(bin: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Timed {
  const t = underGnuTime(bin, args);
  const start = process.hrtime.bigint();
  const res = spawnSync(t.cmd, t.argv, { cwd: opts.cwd, env: opts.env, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { code: res.status ?? 128, stdout: res.stdout ?? "", stderr: res.stderr ?? "", wallMs, cpuMs: t.cpuMs() };
}

/**
 * `timed` without blocking the event loop (lib/terraform's `run`): the shared provider's output
 * pipes are drained by it, and a provider blocked on a full pipe would hang the command (spawnSync
 * would deadlock).
 */
export async function timedAsync(bin: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Timed> {
  const t = underGnuTime(bin, args);
  const start = process.hrtime.bigint();
  const r = await run(t.cmd, t.argv, opts);
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  return { code: r.code, stdout: r.stdout, stderr: r.stderr, wallMs, cpuMs: t.cpuMs() };
}

interface Cell {
  wallMs: number;
  cpuMs: number;
}

const STEPS = ["init", "validate", "plan", "show -json"] as const;
type Step = (typeof STEPS)[number];

interface StackRow {
  readonly env: string;
  readonly stack: string;
  readonly steps: Partial<Record<Step, Cell>>;
  readonly failed?: string;
}

function fmt(c: Cell | undefined): string {
  if (!c) return "-";
  return `${formatDuration(c.wallMs)} / ${Number.isNaN(c.cpuMs) ? "?" : formatDuration(c.cpuMs)}`;
}

function add(a: Cell | undefined, b: Cell | undefined): Cell | undefined {
  if (!b) return a;
  return { wallMs: (a?.wallMs ?? 0) + b.wallMs, cpuMs: (a?.cpuMs ?? 0) + b.cpuMs };
}

/**
 * Each stack's Terraform steps, one command at a time, as the harness runs them: one shared init
 * per provider set (timed once, on the first stack that needs it), lock files without checksums.
 */
/** CPU ms used so far by the given processes (Linux /proc; NaN elsewhere). */
function procCpuMs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      ticks += Number(f[11]) + Number(f[12]); // utime, stime
    } catch {
      return NaN;
    }
  }
  return ticks * 10; // USER_HZ 100
}

async function profileSteps(
  envs: readonly PreparedEnvironment[],
  tf: TerraformSetup,
  scratch: string,
  ownProviders: boolean,
): Promise<StackRow[]> {
  const rows: StackRow[] = [];
  const pools = ownProviders ? undefined : new ProviderPools(1, tf.env, scratch);
  const inits = {
    validate: new InitPool(tf, "validate", path.join(scratch, "tf-init")),
    plan: new InitPool(tf, "plan", path.join(scratch, "tf-init")),
  };
  for (const env of envs) {
    const config = env.loaded!.config;
    const envDir = path.join(scratch, "steps", env.ref.key);
    const mockPath = (l: LayerName) => path.join(envDir, "mock-state", `${layerDef(l).number}-${l}.tfstate`);
    for (const stack of env.stacks) {
      const steps: Partial<Record<Step, Cell>> = {};
      let failed: string | undefined;
      let provider: SharedProviders | undefined;
      const step = async (name: Step, dir: string, args: string[], runEnv: NodeJS.ProcessEnv, share: boolean): Promise<void> => {
        if (failed) return;
        let r: Timed;
        if (share && provider) {
          // The one shared provider (started on first use, before the clock runs): the command
          // attaches to it, and the provider's CPU meanwhile is the step's. One command at a time.
          const reattach = (await provider.run("/bin/sh", ["-c", 'printf %s "$TF_REATTACH_PROVIDERS"'], { cwd: dir, env: runEnv })).stdout;
          const before = procCpuMs(provider.pids);
          r = await timedAsync(tf.bin, args, { cwd: dir, env: reattach ? { ...runEnv, TF_REATTACH_PROVIDERS: reattach } : runEnv });
          r = { ...r, cpuMs: r.cpuMs + (procCpuMs(provider.pids) - before) };
        } else r = await timedAsync(tf.bin, args, { cwd: dir, env: runEnv });
        steps[name] = add(steps[name], { wallMs: r.wallMs, cpuMs: r.cpuMs });
        if (r.code !== 0) failed = `${name}: ${(r.stderr || r.stdout).trim().split("\n").slice(0, 3).join(" ")}`;
      };
      const shared = async (kind: "validate" | "plan", dir: string, cfg: TerraformJson): Promise<NodeJS.ProcessEnv> => {
        const start = Date.now();
        const s = await inits[kind].get(cfg);
        if (!s.ok) {
          failed = `init: ${s.message.split("\n")[0]}`;
          return tf.env;
        }
        // The shared init runs through the harness's own runner: its wall time only (CPU "?").
        if (s.ran) steps.init = add(steps.init, { wallMs: Date.now() - start, cpuMs: NaN });
        provider ??= pools?.for(s.dataDir);
        return useSharedInit(dir, s, tf);
      };
      const text = fs.readFileSync(stack.file, "utf8");
      const vdir = path.join(envDir, "validate", stack.name);
      fs.mkdirSync(vdir, { recursive: true });
      fs.writeFileSync(path.join(vdir, "cdk.tf.json"), text);
      const venv = await shared("validate", vdir, JSON.parse(text) as TerraformJson);
      await step("validate", vdir, ["validate", "-json", "-no-color"], venv, true);

      const offline = offlineStack(JSON.parse(text) as TerraformJson, config, mockPath);
      for (const p of offline.reads) {
        fs.mkdirSync(path.dirname(mockPath(p)), { recursive: true });
        fs.writeFileSync(mockPath(p), JSON.stringify(mockState(p, config, tf.version)));
      }
      const pdir = path.join(envDir, "plan", stack.name);
      fs.mkdirSync(pdir, { recursive: true });
      fs.writeFileSync(path.join(pdir, "main.tf.json"), JSON.stringify(offline.tf, null, 2));
      const penv = await shared("plan", pdir, offline.tf);
      const sharePlan = !sharedProviderRefusal(offline.tf, "plan");
      await step("plan", pdir, ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color", "-out=plan.bin"], penv, sharePlan);
      await step("show -json", pdir, ["show", "-json", "-no-color", "plan.bin"], penv, sharePlan);
      rows.push({ env: env.ref.key, stack: stack.name, steps, failed });
    }
  }
  await pools?.stop();
  return rows;
}

interface HarnessRow {
  readonly run: string;
  readonly ok: boolean;
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly load: number;
}

function harnessRuns(envNames: readonly string[], jobs: number | undefined, scratch: string): HarnessRow[] {
  const rows: HarnessRow[] = [];
  const planHelp = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", "--help"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
  }).stdout;
  const planHas = (flag: string) => planHelp.includes(`--${flag}`);
  const envArgs = envNames.flatMap((e) => ["--env", e]);
  const jobArgs = jobs ? ["--jobs", String(jobs)] : [];
  const runTool = (label: string, work: string, tool: string, extra: string[]) => {
    const load = os.loadavg()[0];
    const r = timed(process.execPath, ["-r", "./tools/register.js", `tools/${tool}.ts`, ...envArgs, ...jobArgs, ...extra], {
      cwd: REPO_ROOT,
      env: { ...process.env, PLATFORM_WORK_DIR: work },
    });
    if (r.code !== 0) process.stderr.write(`${label} exited ${r.code}:\n${r.stdout.split("\n").slice(-5).join("\n")}\n`);
    rows.push({ run: label, ok: r.code === 0, wallMs: r.wallMs, cpuMs: r.cpuMs, load });
  };
  const force = planHas("force") ? ["--force"] : [];

  // Separate validate and plan, as a user runs them (and as CI ran them before plan --validate).
  const sep = path.join(scratch, "harness-separate");
  runTool("validate, cold", sep, "validate", []);
  runTool("plan, cold", sep, "plan", []);
  runTool("validate, warm, unchanged", sep, "validate", []);
  runTool("plan, warm, unchanged", sep, "plan", []);
  runTool("validate --force, warm (an edit)", sep, "validate", ["--force"]);
  runTool(`plan${force.length ? " --force" : ""}, warm (an edit)`, sep, "plan", force);
  if (planHas("validate")) {
    const ci = path.join(scratch, "harness-ci");
    runTool("plan --validate (CI's pass), cold", ci, "plan", ["--validate"]);
    runTool("plan --validate, warm, unchanged", ci, "plan", ["--validate"]);
    runTool("plan --validate --force, warm (an edit)", ci, "plan", ["--validate", "--force"]);
  }
  return rows;
}

async function main(): Promise<void> {
  const { args, reporter } = startTool(
    "npm run bench:ladder -- [options]",
    "Where the ladder's time goes: a row per Terraform step, and the harness cold, warm and after an edit.",
    OPTIONS,
  );
  const envNames = (args.values.env as string[] | undefined) ?? ["dev"];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-ladder-"));
  const loadBefore = os.loadavg();
  reporter.line(`load average ${loadBefore.map((l) => l.toFixed(2)).join(" ")} on ${os.cpus().length} CPUs; scratch ${scratch}`);
  let steps: StackRow[] = [];
  const synth: Cell[] = [];
  let harness: HarnessRow[] = [];
  try {
    if (!args.values["no-steps"]) {
      const tf = setupTerraform(reporter, "bench:ladder");
      const envs = selectEnvironments(envNames);
      const prepared: PreparedEnvironment[] = [];
      for (const e of envs) {
        const cpu = process.cpuUsage();
        const start = Date.now();
        const [p] = prepareEnvironments([e], reporter);
        const used = process.cpuUsage(cpu);
        synth.push({ wallMs: Date.now() - start, cpuMs: (used.user + used.system) / 1000 });
        if (p.error) throw new Error(`${e.name}: ${p.error.message}`);
        prepared.push(p);
      }
      steps = await profileSteps(prepared, tf, scratch, args.values["own-providers"] === true);
      const total: Partial<Record<Step, Cell>> = {};
      for (const r of steps) for (const s of STEPS) total[s] = add(total[s], r.steps[s]);
      const sumOf = (st: Partial<Record<Step, Cell>>) => STEPS.reduce<Cell | undefined>((a, s) => add(a, st[s]), undefined);
      const synthTotal = synth.reduce<Cell | undefined>((a, c) => add(a, c), undefined);
      reporter.line(
        `\nsteps, one at a time (wall / CPU; ${args.values["own-providers"] === true ? "each command starts its own aws provider" : "validate, plan and show on one shared aws provider, its CPU included"}):`,
      );
      reporter.line(
        table(
          ["environment", "stack", ...STEPS, "stack total", "failed"],
          [
            ...prepared.map((p, i) => [p.ref.key, "synth (all stacks)", "-", "-", "-", "-", fmt(synth[i]), "-"]),
            ...steps.map((r) => [r.env, r.stack, ...STEPS.map((s) => fmt(r.steps[s])), fmt(sumOf(r.steps)), r.failed ?? "-"]),
            [
              "total",
              `${steps.length} stacks`,
              ...STEPS.map((s) => fmt(total[s])),
              fmt(add(sumOf(total), synthTotal)),
              String(steps.filter((r) => r.failed).length),
            ],
          ],
        ),
      );
    }
    if (!args.values["no-harness"]) {
      harness = harnessRuns(envNames, args.values.jobs as number | undefined, scratch);
      reporter.line(`\nthe harness (${envNames.join(", ")}; wall / CPU incl. Terraform and providers):`);
      reporter.line(
        table(
          ["run", "result", "wall", "CPU", "load at start"],
          harness.map((h) => [h.run, h.ok ? "ok" : "FAILED", formatDuration(h.wallMs), formatDuration(h.cpuMs), h.load.toFixed(1)]),
        ),
      );
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const loadAfter = os.loadavg();
  reporter.line(`\nload average ${loadAfter.map((l) => l.toFixed(2)).join(" ")} at the end`);
  reporter.result({
    command: "bench:ladder",
    ok: steps.every((r) => !r.failed) && harness.every((h) => h.ok),
    machine: { cpus: os.cpus().length, loadBefore, loadAfter },
    synth,
    steps,
    harness,
  });
  process.exitCode = steps.some((r) => r.failed) || harness.some((h) => !h.ok) ? 1 : 0;
}

if (require.main === module) void main();
