/**
 * npm run bench:rehearse [-- --env <name|file>]
 *
 * Measures one environment's deploy + re-plan + destroy against the emulator (npm run rehearse
 * --json, without the fault cases) and prints the figure beside the budget: 6 minutes on a
 * 2-core machine. The load average is printed with it, since the figure depends on it. Nothing is
 * asserted: a figure over budget is printed as such.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { parseOrExit } from "./lib/args";
import { formatDuration, table } from "./lib/report";
import type { PhaseCost, ResourceTime, StackBreakdown } from "./lib/rehearse";
import { REPO_ROOT } from "./lib/terraform";

export const REHEARSAL_BUDGET_MS = 6 * 60_000;

function main(): void {
  const args = parseOrExit(
    process.argv.slice(2),
    "npm run bench:rehearse -- [--env <name|file>]",
    "Times deploy + re-plan + destroy of one environment against the emulator.",
    {
      env: { type: "string", value: "<name|file>", description: "Environment (default dev)." },
    },
  );
  const env = (args.values.env as string | undefined) ?? "dev";
  const load = os.loadavg()[0];
  const r = spawnSync(process.execPath, ["-r", "./tools/register.js", path.join("tools", "rehearse.ts"), "--env", env, "--json"], {
    cwd: REPO_ROOT,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 64 * 1024 * 1024,
  });
  let doc: {
    ok: boolean;
    timings: Record<string, number>;
    costs?: PhaseCost[];
    breakdown?: StackBreakdown[];
    slowest?: ResourceTime[];
  };
  try {
    doc = JSON.parse(r.stdout) as typeof doc;
  } catch {
    process.stderr.write(`bench:rehearse: the rehearsal printed no JSON (exit ${r.status})\n`);
    process.exit(1);
  }
  const t = doc.timings;
  const measured = (t.deploy ?? 0) + (t.replan ?? 0) + (t.destroy ?? 0);
  const fmt = (ms?: number) => (ms ? formatDuration(ms) : "-");
  // Where the time goes: each stack's Terraform runs (re-plans overlap, so their sum exceeds the phase).
  if (doc.breakdown?.length)
    process.stdout.write(
      `\n${table(
        ["stack", "init", "apply", "re-plan", "destroy", "terraform runs"],
        doc.breakdown.map((b) => [b.stack, fmt(b.init), fmt(b.apply), fmt(b.replan), fmt(b.destroy), b.runs]),
      )}\n`,
    );
  if (doc.slowest?.length) {
    process.stdout.write("\nslowest resources (their own time in the apply; mostly provider waiters):\n");
    for (const r of doc.slowest) process.stdout.write(`  ${String(r.seconds).padStart(4)}s  ${r.stack}: ${r.action} ${r.address}\n`);
  }
  const cost = (phase: string) => doc.costs?.find((c) => c.phase === phase);
  const cpuOf = (c?: PhaseCost) =>
    c && c.terraformCpuMs !== undefined ? (c.terraformCpuMs ?? 0) + (c.emulatorCpuMs ?? 0) + (c.toolCpuMs ?? 0) : undefined;
  const cpuCell = (c?: PhaseCost) => {
    const total = cpuOf(c);
    return total === undefined
      ? "n/a"
      : `${formatDuration(total)} (terraform ${fmt(c!.terraformCpuMs)}, emulator ${fmt(c!.emulatorCpuMs)})`;
  };
  const allCpu = ["deploy", "replan", "destroy"].map((p) => cpuOf(cost(p)));
  const totalCpu = allCpu.every((c) => c !== undefined) ? allCpu.reduce((a, b) => a! + b!, 0) : undefined;
  process.stdout.write(
    `\n${table(
      ["measure", "wall", "cpu (user+sys)", "budget"],
      [
        ["deploy", formatDuration(t.deploy ?? 0), cpuCell(cost("deploy")), "-"],
        ["re-plan", formatDuration(t.replan ?? 0), cpuCell(cost("replan")), "-"],
        ["destroy", formatDuration(t.destroy ?? 0), cpuCell(cost("destroy")), "-"],
        [
          `deploy + re-plan + destroy (${env})`,
          formatDuration(measured),
          totalCpu === undefined ? "n/a" : formatDuration(totalCpu),
          formatDuration(REHEARSAL_BUDGET_MS),
        ],
      ],
    )}\n`,
  );
  process.stdout.write(
    `${measured <= REHEARSAL_BUDGET_MS ? "within" : "OVER"} budget; rehearsal ${doc.ok ? "passed" : "FAILED"}; ${os.cpus().length} CPUs, load average ${load.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end\n`,
  );
  process.exitCode = doc.ok ? 0 : 1;
}

main();
