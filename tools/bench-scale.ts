/**
 * node -r ./tools/register.js tools/bench-scale.ts [--sizes 1,10,50] [--runs N] [--strict] [--json]
 *
 * How synthesis grows with the number of application services. For each size N it writes a
 * temporary YAML that extends environments/dev.yaml, replaces the default services with N generated
 * ones (svc-001 ... on port 8080, paths /api/svc-NNN and /api/svc-NNN/*, explicit priorities 1000 + i)
 * and synthesizes the whole environment in a child process, exactly as cdktf does
 * (`PLATFORM_ENV=<file> node -r ./tools/register.js main.ts` into a temp outdir). It reports the
 * median wall time and peak RSS of N runs (GNU time %M, else an exit hook printing
 * process.resourceUsage().maxRSS), the resources written, and the cost per added service between
 * the sizes compared with linear growth (1.0 = linear). Budget: the largest size (50) within
 * 4 s and 600 MB. --strict exits 1 when over budget. Never used by tests: timings vary by machine.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { ENVIRONMENTS_DIR, loadEnvironment } from "../core/config/loader";
import type { OptionSpecs } from "./lib/args";
import { startTool } from "./lib/cli";
import { table } from "./lib/report";
import { REPO_ROOT } from "./lib/terraform";

const OPTIONS: OptionSpecs = {
  sizes: { type: "strings", value: "<n,...>", description: "Service counts to synthesize (default 1,10,50)." },
  runs: { type: "number", value: "<n>", description: "Runs per size; the median is reported (default 3)." },
  strict: { type: "boolean", description: "Exit 1 when the largest size is over budget." },
  json: { type: "boolean", description: "Print a JSON result on stdout (the table goes to stderr)." },
};

/** Budget of the 50-service configuration (whole environment, every registered layer). */
export const SCALE_BUDGET = { services: 50, wallMs: 4000, peakMb: 600 } as const;

const GNU_TIME = "/usr/bin/time";
const BASE_ENV = "dev";

interface Sample {
  readonly ms: number;
  readonly peakMb: number;
  readonly resources: number;
  readonly applicationResources: number;
}

/** A service name for index i (1-based): svc-001. */
const serviceName = (i: number) => `svc-${String(i).padStart(3, "0")}`;

/** The YAML of a configuration with `n` generated services (the base environment's services removed). */
export function scaleConfig(
  n: number,
  baseServices: readonly string[],
  baseFile = path.join(ENVIRONMENTS_DIR, `${BASE_ENV}.yaml`),
): string {
  const services: Record<string, unknown> = Object.fromEntries(baseServices.map((s) => [s, null]));
  for (let i = 1; i <= n; i++) {
    const name = serviceName(i);
    services[name] = {
      port: 8080,
      paths: [`/api/${name}`, `/api/${name}/*`],
      priority: 1000 + i,
      healthCheck: { path: "/actuator/health" },
    };
  }
  // The base environment's per-service parameters name services that are gone.
  return stringify({ extends: baseFile, services, parameters: { services: null } });
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Resources in every cdk.tf.json under outdir, and in the application stack's. */
function countResources(outdir: string): { total: number; application: number } {
  let total = 0;
  let application = 0;
  const stacks = path.join(outdir, "stacks");
  for (const stack of fs.existsSync(stacks) ? fs.readdirSync(stacks) : []) {
    const file = path.join(stacks, stack, "cdk.tf.json");
    if (!fs.existsSync(file)) continue;
    const tf = JSON.parse(fs.readFileSync(file, "utf8")) as { resource?: Record<string, Record<string, unknown>> };
    const n = Object.values(tf.resource ?? {}).reduce((acc, byName) => acc + Object.keys(byName).length, 0);
    total += n;
    if (stack === "application") application = n;
  }
  return { total, application };
}

/** One synthesis of a configuration file in a child process. */
function measure(configFile: string, scratch: string): Sample {
  const rssFile = path.join(scratch, "rss");
  const outdir = path.join(scratch, "out");
  fs.rmSync(rssFile, { force: true });
  fs.rmSync(outdir, { recursive: true, force: true });
  const useGnuTime = fs.existsSync(GNU_TIME);
  const nodeArgs = ["-r", "./tools/register.js", ...(useGnuTime ? [] : ["-r", "./tools/lib/rss-hook.ts"]), "main.ts"];
  const [cmd, args] = useGnuTime ? [GNU_TIME, ["-f", "%M", "-o", rssFile, process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const start = process.hrtime.bigint();
  const res = spawnSync(cmd, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, PLATFORM_ENV: configFile, CDKTF_OUTDIR: outdir, BENCH_RSS_FILE: rssFile, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (res.status !== 0)
    throw new Error(`synthesis of ${configFile} exited ${res.status ?? res.signal}:\n${(res.stderr || res.stdout).trim()}`);
  const kib = Number(fs.readFileSync(rssFile, "utf8").trim().split("\n").pop());
  const counts = countResources(outdir);
  return { ms, peakMb: kib / 1024, resources: counts.total, applicationResources: counts.application };
}

/** Cost per added service between two sizes. */
function perService(a: { n: number; v: number }, b: { n: number; v: number }): number {
  return (b.v - a.v) / (b.n - a.n);
}

function main(): void {
  const { args, reporter } = startTool(
    "node -r ./tools/register.js tools/bench-scale.ts [options]",
    "Synthesis time and memory for 1, 10 and 50 application services.",
    OPTIONS,
  );
  const runs = (args.values.runs as number | undefined) ?? 3;
  const sizes = ((args.values.sizes as string[] | undefined) ?? ["1", "10", "50"])
    .flatMap((s) => s.split(","))
    .map((s) => Number(s.trim()))
    .sort((a, b) => a - b);
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 500)) {
    reporter.error("error: --sizes takes whole numbers of services between 1 and 500");
    process.exit(2);
  }

  const baseServices = Object.keys(loadEnvironment(BASE_ENV, REPO_ROOT).config.services);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "platform-bench-scale-"));
  const rows: Array<{ n: number } & Sample> = [];
  const loadBefore = os.loadavg()[0];
  reporter.line(
    `peak memory from ${fs.existsSync(GNU_TIME) ? "GNU time (%M)" : "process.resourceUsage().maxRSS"}; ${runs} runs per size, median reported; base ${BASE_ENV}`,
  );
  if (loadBefore > os.cpus().length)
    reporter.warn(`the machine is busy (load ${loadBefore.toFixed(1)} on ${os.cpus().length} CPUs): the times below are inflated`);
  try {
    for (const n of sizes) {
      const file = path.join(scratch, `services-${n}.yaml`);
      fs.writeFileSync(file, scaleConfig(n, baseServices));
      const samples: Sample[] = [];
      for (let i = 0; i < runs; i++) samples.push(measure(file, scratch));
      const row = {
        n,
        ms: median(samples.map((s) => s.ms)),
        peakMb: median(samples.map((s) => s.peakMb)),
        resources: samples[0].resources,
        applicationResources: samples[0].applicationResources,
      };
      rows.push(row);
      reporter.line(
        `${n} services: ${Math.round(row.ms)} ms, ${Math.round(row.peakMb)} MB, ${row.resources} resources (${row.applicationResources} in application)`,
      );
    }
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  const over: string[] = [];
  const budgetRow = rows.find((r) => r.n === SCALE_BUDGET.services);
  const tableRows = rows.map((r) => {
    const budgeted = r === budgetRow;
    const msOk = r.ms <= SCALE_BUDGET.wallMs;
    const mbOk = r.peakMb <= SCALE_BUDGET.peakMb;
    if (budgeted && !msOk) over.push(`${r.n} services: ${Math.round(r.ms)} ms > ${SCALE_BUDGET.wallMs} ms`);
    if (budgeted && !mbOk) over.push(`${r.n} services: ${Math.round(r.peakMb)} MB > ${SCALE_BUDGET.peakMb} MB`);
    return [
      r.n,
      `${Math.round(r.ms)}${budgeted ? ` (<= ${SCALE_BUDGET.wallMs} ${msOk ? "ok" : "OVER"})` : ""}`,
      `${Math.round(r.peakMb)}${budgeted ? ` (<= ${SCALE_BUDGET.peakMb} ${mbOk ? "ok" : "OVER"})` : ""}`,
      r.resources,
      r.applicationResources,
    ];
  });
  reporter.line("");
  reporter.line(table(["services", "synth wall ms", "peak MB", "resources", "in application"], tableRows));

  // Growth per added service between consecutive sizes, and the last step against the first (1.0 = linear).
  const steps = rows.slice(1).map((r, i) => {
    const prev = rows[i];
    return {
      from: prev.n,
      to: r.n,
      msPerService: perService({ n: prev.n, v: prev.ms }, { n: r.n, v: r.ms }),
      mbPerService: perService({ n: prev.n, v: prev.peakMb }, { n: r.n, v: r.peakMb }),
      resourcesPerService: perService({ n: prev.n, v: prev.resources }, { n: r.n, v: r.resources }),
    };
  });
  if (steps.length) {
    reporter.line("");
    reporter.line(
      table(
        ["step", "ms per added service", "MB per added service", "resources per added service"],
        steps.map((s) => [`${s.from} -> ${s.to}`, s.msPerService.toFixed(1), s.mbPerService.toFixed(2), s.resourcesPerService.toFixed(1)]),
      ),
    );
  }
  // The 10 -> 50 step against linear growth. Linear: every added service costs what the earlier
  // ones cost, so the per-service cost of the last step equals that of the first (ratio 1.00). When
  // the first step is within run-to-run noise, the ratio is not reported (the sizes differ too little).
  let linearity: { timeRatio?: number; memoryRatio?: number; predictedMs: number; measuredMs: number } | undefined;
  if (steps.length >= 2) {
    const first = steps[0];
    const last = steps[steps.length - 1];
    const before = rows[rows.length - 2];
    const end = rows[rows.length - 1];
    const noiseMs = Math.max(50, 0.05 * rows[0].ms);
    const firstDelta = first.msPerService * (first.to - first.from);
    const measurable = firstDelta > noiseMs;
    const predictedMs = before.ms + (measurable ? first.msPerService : last.msPerService) * (last.to - last.from);
    linearity = {
      timeRatio: measurable ? Number((last.msPerService / first.msPerService).toFixed(2)) : undefined,
      memoryRatio: first.mbPerService > 0.05 ? Number((last.mbPerService / first.mbPerService).toFixed(2)) : undefined,
      predictedMs: Math.round(predictedMs),
      measuredMs: Math.round(end.ms),
    };
    reporter.line(
      `\ngrowth ${last.from} -> ${last.to}: ${last.msPerService.toFixed(1)} ms and ${last.mbPerService.toFixed(2)} MB per added service; ` +
        (measurable
          ? `${first.from} -> ${first.to}: ${first.msPerService.toFixed(1)} ms per added service, ratio ${linearity.timeRatio!.toFixed(2)} (1.00 = linear; above 1 grows faster than linear). ` +
            `Linear from ${first.from} -> ${first.to} predicts ${linearity.predictedMs} ms for ${last.to} services, measured ${linearity.measuredMs} ms.`
          : `the ${first.from} -> ${first.to} difference (${Math.round(firstDelta)} ms) is within run-to-run noise (${Math.round(noiseMs)} ms), so no ratio against it; ` +
            `${end.n} services take ${(end.ms / before.ms).toFixed(2)}x the ${before.n}-service time for ${(end.n / before.n).toFixed(1)}x the services (the fixed start-up cost dominates).`),
    );
  }
  const loadAfter = os.loadavg()[0];
  reporter.line(
    `budget: ${SCALE_BUDGET.services} services <= ${SCALE_BUDGET.wallMs} ms and <= ${SCALE_BUDGET.peakMb} MB${budgetRow ? "" : " (not measured: pass a size of 50)"}`,
  );
  reporter.line(`load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after, on ${os.cpus().length} CPUs`);
  if (over.length) reporter.line(`\nover budget:\n${over.map((o) => `  ${o}`).join("\n")}`);

  reporter.result({
    command: "bench-scale",
    ok: over.length === 0,
    budget: SCALE_BUDGET,
    runs,
    machine: { cpus: os.cpus().length, loadBefore: Number(loadBefore.toFixed(2)), loadAfter: Number(loadAfter.toFixed(2)) },
    results: rows.map((r) => ({
      services: r.n,
      ms: Math.round(r.ms),
      peakMb: Math.round(r.peakMb),
      resources: r.resources,
      applicationResources: r.applicationResources,
    })),
    steps: steps.map((s) => ({ ...s, msPerService: Number(s.msPerService.toFixed(2)), mbPerService: Number(s.mbPerService.toFixed(3)) })),
    linearity,
  });
  if (over.length && args.values.strict) process.exit(1);
}

if (require.main === module) main();
