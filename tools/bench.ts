/**
 * npm run bench [-- --runs N] [--skip-tests] [--strict] [--json]
 *
 * For each environment of the default system (environments/), times the synthesis of the app
 * (main.ts: load + validate the config, build and synthesize every stack into a temp outdir) two ways:
 *   kit      node -r ./tools/register.js main.ts   (swc transpile-only; what cdktf.json runs)
 *   ts-node  node -r ts-node/register main.ts      (the cdktf init default; type-checks)
 * Reports the median wall time and peak RSS of N runs (default 3) with the budgets next to them:
 * synth <= 2000 ms and <= 1/4 of ts-node, peak synth memory <= 400 MB. Then, unless --skip-tests, the
 * tests, each against its budget, in a scratch PLATFORM_WORK_DIR and jest cache directory of their own:
 *   npm test, cold      as on a fresh clone: no synthesis cache (__tests__/fixtures/synth-cache.ts), no
 *                       jest transform cache (<= 45 s)
 *   npm test, warm      again, with the caches the cold run left: the edit loop's `npm test` (<= 45 s)
 *   test:quick, warm    `npm run test:quick` (<= 10 s)
 * For each: wall time, the CPU time (user + sys) of npm, jest, its workers and their children (GNU
 * time), and the 1-minute load average before and after, which shows how much a busy machine inflated
 * the wall time (on 2 cores, wall >= CPU / 2). --strict exits 1 when a figure is over budget.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { OptionSpecs } from "./lib/args";
import { startTool } from "./lib/cli";
import { defaultSystemEnvironments } from "./lib/environments";
import { table } from "./lib/report";
import { REPO_ROOT } from "./lib/terraform";

const OPTIONS: OptionSpecs = {
  runs: { type: "number", value: "<n>", description: "Runs per variant and environment; the median is reported (default 3)." },
  env: { type: "strings", value: "<name>", description: "Only these environments of the default system (default: all of environments/)." },
  "skip-tests": { type: "boolean", description: "Leave out the test timings (`npm run test:quick`, `npm test`)." },
  strict: { type: "boolean", description: "Exit 1 when a figure is over its budget." },
  json: { type: "boolean", description: "Print a JSON result on stdout (the table goes to stderr)." },
};

export const BUDGET = {
  synthMs: 2000,
  /** ts-node time / kit time must be at least this. */
  speedup: 4,
  synthPeakMb: 400,
  /** `npm test`: the unit jest suites (tsc runs in `npm run lint`, the integration suites in `npm run test:integration`). */
  testMs: 45_000,
  /** `npm run test:quick`: the edit loop's subset. */
  quickMs: 10_000,
} as const;

/**
 * The test commands timed, in this order, each against its budget: the first starts from empty caches
 * (a fresh clone), the others reuse what the runs before them left.
 */
const TEST_RUNS = [
  { script: "test", label: "npm test, cold (fresh clone)", budgetMs: BUDGET.testMs },
  { script: "test", label: "npm test, warm", budgetMs: BUDGET.testMs },
  { script: "test:quick", label: "npm run test:quick, warm", budgetMs: BUDGET.quickMs },
] as const;

interface TestTiming {
  readonly label: string;
  readonly ms: number;
  /** User + system CPU seconds of npm, jest, its workers and their children; undefined without GNU time. */
  readonly cpuS?: number;
  /** 1-minute load average before and after the run. */
  readonly load: readonly [number, number];
  readonly budgetMs: number;
  readonly ok: boolean;
}

/**
 * Runs `npm run <script>` once with the synthesis cache in `scratch`/work and jest's cache in
 * `scratch`/jest: wall time, CPU time (GNU time), load average and whether it passed.
 */
function timeTests(run: (typeof TEST_RUNS)[number], index: number, scratch: string): TestTiming & { stderr: string } {
  const cpuFile = path.join(scratch, `cpu-${index}`);
  const npmArgs = ["run", "--silent", run.script, "--", `--cacheDirectory=${path.join(scratch, "jest")}`];
  const useGnuTime = fs.existsSync(GNU_TIME);
  const [cmd, args] = useGnuTime ? [GNU_TIME, ["-f", "%U %S", "-o", cpuFile, "npm", ...npmArgs]] : ["npm", npmArgs];
  const loadBefore = os.loadavg()[0];
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, PLATFORM_WORK_DIR: path.join(scratch, "work") },
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const load: [number, number] = [loadBefore, os.loadavg()[0]];
  const cpuS =
    useGnuTime && fs.existsSync(cpuFile)
      ? fs
          .readFileSync(cpuFile, "utf8")
          .trim()
          .split("\n")
          .pop()!
          .split(" ")
          .map(Number)
          .reduce((a, b) => a + b, 0)
      : undefined;
  return { label: run.label, ms, cpuS, load, budgetMs: run.budgetMs, ok: res.status === 0, stderr: res.stderr || "" };
}

const GNU_TIME = "/usr/bin/time";

interface Sample {
  readonly ms: number;
  readonly peakMb: number;
}

interface Variant {
  readonly name: "kit" | "ts-node";
  readonly preload: string;
  readonly env: NodeJS.ProcessEnv;
}

function variants(): Variant[] {
  const tsNodeEnv: NodeJS.ProcessEnv = { ...process.env };
  // ts-node must really type-check: nothing may switch it to transpile-only or swc.
  for (const k of Object.keys(tsNodeEnv)) if (k.startsWith("TS_NODE_")) delete tsNodeEnv[k];
  tsNodeEnv.TS_NODE_TYPE_CHECK = "true";
  tsNodeEnv.TS_NODE_PROJECT = path.join(REPO_ROOT, "tsconfig.json");
  return [
    { name: "kit", preload: "./tools/register.js", env: { ...process.env } },
    { name: "ts-node", preload: "ts-node/register", env: tsNodeEnv },
  ];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Runs `node -r <preload> <script>` once; wall time and peak RSS (GNU time, else an exit hook). */
function measure(preload: string, script: string, env: NodeJS.ProcessEnv, scratch: string): Sample {
  const rssFile = path.join(scratch, "rss");
  fs.rmSync(rssFile, { force: true });
  const useGnuTime = fs.existsSync(GNU_TIME);
  const nodeArgs = ["-r", preload, ...(useGnuTime ? [] : ["-r", "./tools/lib/rss-hook.ts"]), script];
  const [cmd, args] = useGnuTime ? [GNU_TIME, ["-f", "%M", "-o", rssFile, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, {
    cwd: REPO_ROOT,
    env: { ...env, BENCH_RSS_FILE: rssFile },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0) {
    throw new Error(`node -r ${preload} ${script} exited ${res.status ?? res.signal}:\n${(res.stderr || res.stdout).trim()}`);
  }
  const kib = Number(fs.readFileSync(rssFile, "utf8").trim().split("\n").pop());
  return { ms, peakMb: kib / 1024 };
}

/** Proves ts-node type-checks under these settings: a file with a type error must be refused. */
function tsNodeTypeChecks(env: NodeJS.ProcessEnv, scratch: string): boolean {
  const probe = path.join(scratch, "type-error-probe.ts");
  fs.writeFileSync(probe, 'const n: number = "not a number";\nexport default n;\n');
  const res = spawnSync(process.execPath, ["-r", "ts-node/register", probe], { cwd: REPO_ROOT, env, encoding: "utf8" });
  return res.status !== 0 && /TS2322/.test(res.stderr);
}

function check(ok: boolean): string {
  return ok ? "ok" : "OVER";
}

function main(): void {
  const { args, reporter } = startTool(
    "npm run bench -- [options]",
    "Synthesis time and memory: the kit's loader against type-checking ts-node.",
    OPTIONS,
  );
  const runs = (args.values.runs as number | undefined) ?? 3;
  const picked = args.values.env as string[] | undefined;
  const envs = defaultSystemEnvironments().filter((e) => !picked || picked.includes(e.name));
  if (!envs.length) {
    reporter.error(`error: no environments to bench${picked ? ` (picked: ${picked.join(", ")})` : ""}`);
    process.exit(2);
  }
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-"));
  const vs = variants();
  const rows: Array<{ env: string; kit: Sample; tsNode: Sample; ratio: number; samples: Record<string, Sample[]> }> = [];
  const failures: string[] = [];
  let loadBefore: number;
  try {
    const typeChecks = tsNodeTypeChecks(vs[1].env, scratch);
    reporter.line(
      `ts-node type-checks: ${typeChecks ? "yes (a type error is refused)" : "NO - the ts-node figures are not the type-checking default"}`,
    );
    if (!typeChecks) failures.push("ts-node did not type-check");
    reporter.line(
      `peak memory from ${fs.existsSync(GNU_TIME) ? "GNU time (%M)" : "process.resourceUsage().maxRSS"}; ${runs} runs each, median reported`,
    );
    loadBefore = os.loadavg()[0];
    if (loadBefore > os.cpus().length) {
      reporter.warn(`the machine is busy (load ${loadBefore.toFixed(1)} on ${os.cpus().length} CPUs): the times below are inflated`);
    }

    for (const env of envs) {
      const samples: Record<string, Sample[]> = { kit: [], "ts-node": [] };
      try {
        for (let i = 0; i < runs; i++) {
          for (const v of vs) {
            const outdir = path.join(scratch, `out-${v.name}`);
            fs.rmSync(outdir, { recursive: true, force: true });
            samples[v.name].push(measure(v.preload, "main.ts", { ...v.env, PLATFORM_ENV: env.name, CDKTF_OUTDIR: outdir }, scratch));
          }
        }
      } catch (e) {
        const message = e instanceof Error ? e.message : String(e);
        failures.push(`${env.name}: ${message.split("\n")[0]}`);
        reporter.error(`${env.name}: FAILED - ${message}`);
        continue;
      }
      const agg = (s: Sample[]): Sample => ({ ms: median(s.map((x) => x.ms)), peakMb: median(s.map((x) => x.peakMb)) });
      const kit = agg(samples.kit);
      const tsNode = agg(samples["ts-node"]);
      rows.push({ env: env.name, kit, tsNode, ratio: tsNode.ms / kit.ms, samples });
      reporter.line(
        `${env.name}: kit ${Math.round(kit.ms)} ms ${Math.round(kit.peakMb)} MB, ts-node ${Math.round(tsNode.ms)} ms ${Math.round(tsNode.peakMb)} MB`,
      );
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  const tests: TestTiming[] = [];
  if (!args.values["skip-tests"]) {
    const testScratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-tests-"));
    try {
      for (const [i, run] of TEST_RUNS.entries()) {
        reporter.line(`running ${run.label} ...`);
        const { stderr, ...timing } = timeTests(run, i, testScratch);
        tests.push(timing);
        if (!timing.ok) {
          failures.push(`${run.label} failed`);
          reporter.error(`${run.label} failed:\n${stderr.split("\n").slice(-30).join("\n")}`);
        }
      }
    } finally {
      fs.rmSync(testScratch, { recursive: true, force: true });
    }
  }

  const over: string[] = [];
  const tableRows = rows.map((r) => {
    const synthOk = r.kit.ms <= BUDGET.synthMs;
    const ratioOk = r.ratio >= BUDGET.speedup;
    const memOk = r.kit.peakMb <= BUDGET.synthPeakMb;
    if (!synthOk) over.push(`${r.env}: synth ${Math.round(r.kit.ms)} ms > ${BUDGET.synthMs} ms`);
    if (!ratioOk) over.push(`${r.env}: kit is only ${r.ratio.toFixed(1)}x faster than ts-node (budget ${BUDGET.speedup}x)`);
    if (!memOk) over.push(`${r.env}: peak ${Math.round(r.kit.peakMb)} MB > ${BUDGET.synthPeakMb} MB`);
    return [
      r.env,
      `${Math.round(r.kit.ms)} (<= ${BUDGET.synthMs} ${check(synthOk)})`,
      `${Math.round(r.kit.peakMb)} (<= ${BUDGET.synthPeakMb} ${check(memOk)})`,
      `${Math.round(r.tsNode.ms)}`,
      `${Math.round(r.tsNode.peakMb)}`,
      `${r.ratio.toFixed(1)}x (>= ${BUDGET.speedup}x ${check(ratioOk)})`,
    ];
  });
  const loadAfter = os.loadavg()[0];
  reporter.line(`\nload average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${os.cpus().length} CPUs`);
  reporter.line(table(["environment", "kit synth ms", "kit peak MB", "ts-node ms", "ts-node peak MB", "ts-node/kit"], tableRows));
  if (tests.length) {
    const testRows = tests.map((t) => {
      const ok = t.ms <= t.budgetMs;
      if (!ok) over.push(`${t.label} ${(t.ms / 1000).toFixed(1)} s > ${t.budgetMs / 1000} s`);
      return [
        t.label,
        `${(t.ms / 1000).toFixed(1)} (<= ${t.budgetMs / 1000} ${check(ok)})`,
        t.cpuS === undefined ? "-" : t.cpuS.toFixed(1),
        `${t.load[0].toFixed(1)} / ${t.load[1].toFixed(1)}`,
        t.ok ? "passed" : "FAILED",
      ];
    });
    reporter.line(`\n${table(["tests", "wall s", "CPU s (user + sys)", "load before / after", "result"], testRows)}`);
    reporter.line(
      `(${os.cpus().length} CPUs: wall time can come down to about CPU / ${os.cpus().length} on an idle machine; a load above ${os.cpus().length} inflates it)`,
    );
  }
  if (over.length) reporter.line(`\nover budget:\n${over.map((o) => `  ${o}`).join("\n")}`);
  if (failures.length) reporter.line(`\nfailed:\n${failures.map((f) => `  ${f}`).join("\n")}`);

  reporter.result({
    command: "bench",
    ok: failures.length === 0 && over.length === 0,
    budget: BUDGET,
    runs,
    machine: { cpus: os.cpus().length, loadBefore: Number(loadBefore.toFixed(2)), loadAfter: Number(loadAfter.toFixed(2)) },
    results: rows.map((r) => ({
      env: r.env,
      kit: { ms: Math.round(r.kit.ms), peakMb: Math.round(r.kit.peakMb) },
      tsNode: { ms: Math.round(r.tsNode.ms), peakMb: Math.round(r.tsNode.peakMb) },
      ratio: Number(r.ratio.toFixed(2)),
      samples: Object.fromEntries(
        Object.entries(r.samples).map(([k, v]) => [k, v.map((s) => ({ ms: Math.round(s.ms), peakMb: Math.round(s.peakMb) }))]),
      ),
    })),
    tests: tests.map((t) => ({
      command: t.label,
      ms: Math.round(t.ms),
      cpuS: t.cpuS === undefined ? null : Number(t.cpuS.toFixed(1)),
      load: t.load.map((l) => Number(l.toFixed(2))),
      budgetMs: t.budgetMs,
      ok: t.ok,
    })),
    overBudget: over,
    failures,
  });
  if (failures.length || (args.values.strict && over.length)) process.exitCode = 1;
}

main();
