/**
 * `npx cdktf <verb> <stack>` over one environment's stacks, one at a time in layer order (destroy:
 * reverse order), never in parallel and never in cdktf's alphabetical order: a layer must not race
 * the layers it reads. Shared by deploy:all, diff:all and destroy:all (and `platform deploy` etc.).
 * deploy and destroy stop at the first failure and print the command that resumes there; diff
 * goes on and reports every stack.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { exitOnConfigError, loadEnvironment, type LoadedConfig } from "../../core/config/loader";
import { BOOTSTRAP_STACK } from "../../core/registry";
import { PLATFORM } from "../../layers";
import { parseOrExit, type OptionSpecs } from "./args";
import { deployOrder, shellLine, stackSteps, type DeployStep, type StackVerb } from "./deploy";
import { formatDuration, paint, Reporter, table } from "./report";
import { REPO_ROOT } from "./terraform";

const DESCRIPTIONS: Record<StackVerb, string> = {
  deploy: "Deploys bootstrap and every enabled layer in order, one `npx cdktf deploy <stack>` at a time; stops at the first failure.",
  diff: "Shows `npx cdktf diff <stack>` for bootstrap and every enabled layer in order.",
  destroy:
    "Destroys every enabled layer in reverse order, one `npx cdktf destroy <stack>` at a time; stops at the first failure. The bootstrap stack (state bucket, lock table) only with --include-bootstrap.",
};

function options(verb: StackVerb): OptionSpecs {
  return {
    env: {
      type: "string",
      value: "<name|file>",
      description: `Environment (default: PLATFORM_ENV, else dev); passed on to cdktf as PLATFORM_ENV.`,
    },
    ...(verb === "diff"
      ? {}
      : { from: { type: "string", value: "<stack>", description: "Resume at this stack, skipping the ones before it in this order." } }),
    ...(verb === "diff"
      ? {}
      : { "auto-approve": { type: "boolean", description: `Pass --auto-approve to every cdktf ${verb} (no prompt per stack).` } }),
    ...(verb === "destroy"
      ? { "include-bootstrap": { type: "boolean", description: "Also destroy the bootstrap stack, last (it holds every layer's state)." } }
      : {}),
    "dry-run": { type: "boolean", description: "Print the commands in order without running them." },
    json: { type: "boolean", description: "Print a JSON result on stdout (cdktf's output goes to stderr)." },
  } as OptionSpecs;
}

interface StepResult {
  readonly stack: string;
  readonly command: string;
  readonly status: "planned" | "ok" | "failed" | "not run";
  readonly exitCode?: number;
  readonly ms?: number;
}

/** Runs `verb` over the environment's stacks; `script` is the npm script name shown in hints. */
export function runStacksInOrder(verb: StackVerb, argv: readonly string[], script = `${verb}:all`): void {
  const args = parseOrExit(argv, `npm run ${script} -- [options] [-- <cdktf ${verb} args>]`, DESCRIPTIONS[verb], options(verb));
  const reporter = new Reporter({ json: args.values.json === true });
  const envName = (args.values.env as string | undefined) ?? process.env.PLATFORM_ENV;
  let loaded: LoadedConfig;
  try {
    loaded = loadEnvironment(envName);
  } catch (e) {
    exitOnConfigError(e, { json: reporter.json, command: script });
  }

  const { stacks: all, skipped } = deployOrder(loaded.config, PLATFORM);
  const stacks = verb === "destroy" && args.values["include-bootstrap"] !== true ? all.filter((s) => s !== BOOTSTRAP_STACK) : all;
  const autoApprove = args.values["auto-approve"] === true;
  let steps: DeployStep[];
  try {
    const extraArgs = [...(autoApprove && !args.passthrough.includes("--auto-approve") ? ["--auto-approve"] : []), ...args.passthrough];
    steps = stackSteps(verb, stacks, { from: args.values.from as string | undefined, extraArgs });
  } catch (e) {
    reporter.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  const dryRun = args.values["dry-run"] === true;
  // cdktf runs the app from the repository root: hand it an absolute path when the environment is a file.
  const platformEnv = envName && /[\\/]|\.ya?ml$/.test(envName) ? path.resolve(envName) : (envName ?? "dev");
  reporter.line(
    `${loaded.key}: ${dryRun ? `would ${verb}` : `${verb === "diff" ? "diffing" : `${verb}ing`}`} ${steps.map((s) => s.stack).join(" -> ")} (PLATFORM_ENV=${platformEnv})`,
  );
  for (const reason of ["disabled", "not implemented"] as const) {
    const layers = skipped.filter((s) => s.reason === reason).map((s) => s.layer);
    if (layers.length) reporter.line(`  skipped (${reason}${reason === "disabled" ? " in config.layers" : " yet"}): ${layers.join(", ")}`);
  }

  const results: StepResult[] = [];
  const stopOnFailure = verb !== "diff";
  if (dryRun) {
    steps.forEach((s, i) => {
      reporter.line(`[${i + 1}/${steps.length}] PLATFORM_ENV=${shellLine([platformEnv])} ${shellLine(s.command)}`);
      results.push({ stack: s.stack, command: shellLine(s.command), status: "planned" });
    });
  } else {
    let failedAt: string | undefined;
    for (const [i, s] of steps.entries()) {
      if (failedAt && stopOnFailure) {
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
      reporter.line(
        `[${i + 1}/${steps.length}] ${s.stack} ${code === 0 ? paint("ok", "done", reporter.colour) : paint("FAILED", `FAILED (exit ${res.status ?? res.signal ?? res.error?.message})`, reporter.colour)}  ${formatDuration(ms)}`,
      );
      if (code !== 0) failedAt ??= s.stack;
    }
    reporter.line("");
    reporter.line(
      table(
        ["stack", "result", "time"],
        results.map((r) => [r.stack, r.status, r.ms === undefined ? "-" : formatDuration(r.ms)]),
      ),
    );
    if (failedAt && stopOnFailure) {
      const extra = `${autoApprove ? " --auto-approve" : ""}${args.passthrough.length ? ` -- ${shellLine(args.passthrough)}` : ""}`;
      reporter.line(
        `\n${script} stopped at ${failedAt}. Fix it, then resume with:\n  npm run ${script} -- --env ${shellLine([platformEnv])} --from ${failedAt}${extra}`,
      );
    }
  }
  const ok = results.every((r) => r.status === "ok" || r.status === "planned");
  reporter.result({ command: script, ok, dryRun, env: loaded.key, skipped, results });
  process.exitCode = ok ? 0 : 1;
}
