/**
 * npm run deploy:all [-- --env <name|file>] [--from <stack>] [--auto-approve] [--dry-run] [--json] [-- <cdktf deploy args>]
 *
 * Deploys one environment completely: the bootstrap stack, then every enabled layer in registry
 * order, one at a time (never in parallel: a layer must not race the layers it reads), each with
 * `npx cdktf deploy <stack>`. Arguments after a second `--` go to every cdktf deploy (for example
 * `--auto-approve`). Stops at the first failure and prints the command that resumes there
 * (`--from <stack>`). `--dry-run` prints the commands without running them.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { exitOnConfigError, loadEnvironment, type LoadedConfig } from "../core/config/loader";
import { PLATFORM } from "../layers";
import { parseOrExit, type OptionSpecs } from "./lib/args";
import { deployOrder, deploySteps, shellLine, type DeployStep } from "./lib/deploy";
import { formatDuration, Reporter, table } from "./lib/report";
import { REPO_ROOT } from "./lib/terraform";

const OPTIONS: OptionSpecs = {
  env: { type: "string", value: "<name|file>", description: "Environment to deploy (default: PLATFORM_ENV, else dev); passed on to cdktf as PLATFORM_ENV." },
  from: { type: "string", value: "<stack>", description: "Resume at this stack (bootstrap or a layer), skipping the ones before it." },
  "auto-approve": { type: "boolean", description: "Pass --auto-approve to every cdktf deploy (no prompt per stack)." },
  "dry-run": { type: "boolean", description: "Print the commands in order without running them." },
  json: { type: "boolean", description: "Print a JSON result on stdout (cdktf's output goes to stderr)." },
};

interface StepResult {
  readonly stack: string;
  readonly command: string;
  readonly status: "planned" | "ok" | "failed" | "not run";
  readonly exitCode?: number;
  readonly ms?: number;
}

function main(): void {
  const args = parseOrExit(
    process.argv.slice(2),
    "npm run deploy:all -- [options] [-- <cdktf deploy args>]",
    "Deploys bootstrap and every enabled layer in order, one `npx cdktf deploy <stack>` at a time.",
    OPTIONS,
  );
  const reporter = new Reporter({ json: args.values.json === true });
  const envName = (args.values.env as string | undefined) ?? process.env.PLATFORM_ENV;
  let loaded: LoadedConfig;
  try {
    loaded = loadEnvironment(envName);
  } catch (e) {
    exitOnConfigError(e);
  }

  const { stacks, skipped } = deployOrder(loaded.config, PLATFORM);
  let steps: DeployStep[];
  try {
    const extraArgs = [...(args.values["auto-approve"] === true && !args.passthrough.includes("--auto-approve") ? ["--auto-approve"] : []), ...args.passthrough];
    steps = deploySteps(stacks, { from: args.values.from as string | undefined, extraArgs });
  } catch (e) {
    reporter.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  const dryRun = args.values["dry-run"] === true;
  // cdktf runs the app from the repository root: hand it an absolute path when the environment is a file.
  const platformEnv = envName && /[\\/]|\.ya?ml$/.test(envName) ? path.resolve(envName) : envName ?? "dev";
  reporter.line(`${loaded.key}: ${dryRun ? "would deploy" : "deploying"} ${steps.map((s) => s.stack).join(" -> ")} (PLATFORM_ENV=${platformEnv})`);
  for (const reason of ["disabled", "not implemented"] as const) {
    const layers = skipped.filter((s) => s.reason === reason).map((s) => s.layer);
    if (layers.length) reporter.line(`  skipped (${reason}${reason === "disabled" ? " in config.layers" : " yet"}): ${layers.join(", ")}`);
  }

  const results: StepResult[] = [];
  if (dryRun) {
    steps.forEach((s, i) => {
      reporter.line(`[${i + 1}/${steps.length}] PLATFORM_ENV=${shellLine([platformEnv])} ${shellLine(s.command)}`);
      results.push({ stack: s.stack, command: shellLine(s.command), status: "planned" });
    });
  } else {
    let failedAt: string | undefined;
    for (const [i, s] of steps.entries()) {
      if (failedAt) {
        results.push({ stack: s.stack, command: shellLine(s.command), status: "not run" });
        continue;
      }
      reporter.line(`\n[${i + 1}/${steps.length}] ${shellLine(s.command)}`);
      const start = Date.now();
      const res = spawnSync(s.command[0], s.command.slice(1), {
        cwd: REPO_ROOT,
        env: { ...process.env, PLATFORM_ENV: platformEnv },
        stdio: ["inherit", reporter.json ? 2 : "inherit", "inherit"],
      });
      const ms = Date.now() - start;
      const code = res.status ?? 1;
      results.push({ stack: s.stack, command: shellLine(s.command), status: code === 0 ? "ok" : "failed", exitCode: code, ms });
      reporter.line(`[${i + 1}/${steps.length}] ${s.stack} ${code === 0 ? "deployed" : `FAILED (exit ${res.status ?? res.signal ?? res.error?.message})`}  ${formatDuration(ms)}`);
      if (code !== 0) failedAt = s.stack;
    }
    reporter.line("");
    reporter.line(table(["stack", "result", "time"], results.map((r) => [r.stack, r.status, r.ms === undefined ? "-" : formatDuration(r.ms)])));
    if (failedAt) {
      const extra = `${args.values["auto-approve"] === true ? " --auto-approve" : ""}${args.passthrough.length ? ` -- ${shellLine(args.passthrough)}` : ""}`;
      reporter.line(`\ndeploy:all stopped at ${failedAt}. Fix it, then resume with:\n  npm run deploy:all -- --env ${shellLine([platformEnv])} --from ${failedAt}${extra}`);
    }
  }
  const ok = results.every((r) => r.status === "ok" || r.status === "planned");
  reporter.result({ command: "deploy:all", ok, dryRun, env: loaded.key, skipped, results });
  process.exitCode = ok ? 0 : 1;
}

main();
