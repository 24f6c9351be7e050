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
  let doc: { ok: boolean; timings: Record<string, number> };
  try {
    doc = JSON.parse(r.stdout) as typeof doc;
  } catch {
    process.stderr.write(`bench:rehearse: the rehearsal printed no JSON (exit ${r.status})\n`);
    process.exit(1);
  }
  const t = doc.timings;
  const measured = (t.deploy ?? 0) + (t.replan ?? 0) + (t.destroy ?? 0);
  process.stdout.write(
    `\n${table(
      ["measure", "figure", "budget"],
      [
        ["deploy", formatDuration(t.deploy ?? 0), "-"],
        ["re-plan", formatDuration(t.replan ?? 0), "-"],
        ["destroy", formatDuration(t.destroy ?? 0), "-"],
        [`deploy + re-plan + destroy (${env})`, formatDuration(measured), formatDuration(REHEARSAL_BUDGET_MS)],
      ],
    )}\n`,
  );
  process.stdout.write(
    `${measured <= REHEARSAL_BUDGET_MS ? "within" : "OVER"} budget; rehearsal ${doc.ok ? "passed" : "FAILED"}; ${os.cpus().length} CPUs, load average ${load.toFixed(1)} at start, ${os.loadavg()[0].toFixed(1)} at end\n`,
  );
  process.exitCode = doc.ok ? 0 : 1;
}

main();
