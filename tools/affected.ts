/**
 * node -r ./tools/register.js tools/affected.ts [--base <dir>] [--readers] [--force <list>] [--env <names>] [--github-output] [--json]
 *
 * Which layer stacks of which CI environments a change affects, for the pipelines' plan matrix.
 * Every environment with a CI identity (ci.github.repository) is synthesized from this checkout and
 * from the base checkout in --base (its own code, its own environment files, with its own tools),
 * and each stack's cdk.tf.json is compared after normalising (tools/workflows/affected.ts).
 *
 * - no --base: nothing to compare with, every stack is affected (the first deploy);
 * - --readers: add every stack that reads an affected stack (the deploy branch);
 * - --force dev/network,prod/*: plan these whatever changed (a manual deploy run).
 *
 * --github-output writes `matrix` ({include: [...]}, for strategy.matrix via fromJSON), `any`
 * (true|false), `stacks` (["dev/network", ...]), `envs` and `report` to $GITHUB_OUTPUT, and a
 * Markdown table to $GITHUB_STEP_SUMMARY.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../core/config/errors";
import type { OptionSpecs } from "./lib/args";
import { startTool } from "./lib/cli";
import { defaultSystemEnvironments } from "./lib/environments";
import { table } from "./lib/report";
import { WORK_DIR } from "./lib/terraform";
import {
  affectedKeys,
  comparisonMarkdown,
  compareEnvironment,
  describeReason,
  planMatrix,
  type EnvironmentComparison,
} from "./workflows/affected";
import {
  ciEnvironmentProblems,
  loadCiEnvironments,
  stacksOf,
  synthesizeStacks,
  type CiEnvironment,
  type StackInfo,
} from "./workflows/environments";

const OPTIONS: OptionSpecs = {
  base: {
    type: "string",
    value: "<dir>",
    description: "Checkout of the base commit to compare with (default: none, every stack is affected).",
  },
  readers: { type: "boolean", description: "Also plan every stack that reads an affected stack (deploy branch)." },
  force: { type: "strings", value: "<env/stack,...>", description: "Plan these stacks whatever changed (env/stack, env/*, */stack, all)." },
  env: {
    type: "strings",
    value: "<name,...>",
    description: "Only these CI environments (default: every environment with ci.github.repository).",
  },
  "github-output": {
    type: "boolean",
    description: "Write matrix, any, stacks, envs, report to $GITHUB_OUTPUT and a table to $GITHUB_STEP_SUMMARY.",
  },
  json: { type: "boolean", description: "Print the result as JSON on stdout." },
};

/** Synthesizes one environment from the base checkout with the base's own tools; undefined with the reason when it cannot. */
export function synthesizeBase(baseDir: string, name: string, outdir: string): { stacks?: StackInfo[]; error?: string } {
  const root = path.resolve(baseDir);
  if (!["yaml", "yml"].some((ext) => fs.existsSync(path.join(root, "environments", `${name}.${ext}`)))) return { stacks: [] }; // a new environment: every stack is added
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(outdir), { recursive: true });
  const hasSynthTool = fs.existsSync(path.join(root, "tools", "synth.ts"));
  const args = hasSynthTool
    ? ["-r", "./tools/register.js", "tools/synth.ts", "--env", name, "--out", outdir]
    : ["-r", "./tools/register.js", "main.ts"];
  const res = spawnSync(process.execPath, args, {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, PLATFORM_ENV: name, CDKTF_OUTDIR: outdir, SYNTH_HCL_OUTPUT: "false" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (res.status !== 0)
    return {
      error: `synthesizing ${name} in ${baseDir} failed (exit ${res.status ?? res.signal}): ${(res.stderr || res.stdout || "").trim().split("\n").slice(-5).join(" | ")}`,
    };
  try {
    return { stacks: stacksOf(outdir) };
  } catch (e) {
    return { error: `reading the base synthesis of ${name}: ${e instanceof Error ? e.message : String(e)}` };
  }
}

interface Result {
  readonly base: string | null;
  readonly comparisons: EnvironmentComparison[];
  readonly errors: string[];
}

export function computeAffected(envs: readonly CiEnvironment[], opts: { base?: string; readers?: boolean; force?: string[] }): Result {
  const errors: string[] = [];
  const comparisons = envs.map((env) => {
    const head = synthesizeStacks(env, path.join("affected", "head"));
    let base: StackInfo[] | undefined;
    if (opts.base) {
      const r = synthesizeBase(opts.base, env.name, path.join(WORK_DIR, "affected", "base", env.name));
      if (r.error) errors.push(`${r.error}; every stack of ${env.name} is planned`);
      base = r.stacks;
    }
    return compareEnvironment(env.name, base, head, { readers: opts.readers, force: opts.force });
  });
  return { base: opts.base ?? null, comparisons, errors };
}

function main(): void {
  const { args, reporter } = startTool(
    "node -r ./tools/register.js tools/affected.ts [options]",
    "Which layer stacks a change affects, per CI environment.",
    OPTIONS,
  );
  let envs: CiEnvironment[];
  try {
    envs = loadCiEnvironments(defaultSystemEnvironments());
  } catch (e) {
    if (e instanceof ConfigError) {
      reporter.error(e.message);
      process.exit(1);
    }
    throw e;
  }
  const picked = args.values.env as string[] | undefined;
  if (picked) {
    const unknown = picked.filter((p) => !envs.some((e) => e.name === p));
    if (unknown.length) {
      reporter.error(
        `error: ${unknown.join(", ")}: no CI environment of that name (CI environments: ${envs.map((e) => e.name).join(", ") || "none"})`,
      );
      process.exit(2);
    }
    envs = envs.filter((e) => picked.includes(e.name));
  }
  const problems = ciEnvironmentProblems(envs);
  if (problems.length) {
    for (const p of problems) reporter.error(`error: ${p}`);
    process.exit(1);
  }

  const result = computeAffected(envs, {
    base: args.values.base as string | undefined,
    readers: args.values.readers === true,
    force: args.values.force as string[] | undefined,
  });
  for (const e of result.errors) reporter.warn(e);
  const targets = new Map(envs.map((e) => [e.name, e.target]));
  const matrix = planMatrix(result.comparisons, targets);
  const keys = affectedKeys(result.comparisons);
  const report = {
    base: result.base,
    stacks: result.comparisons.flatMap((c) =>
      c.affected.map((a) => ({ env: a.env, stack: a.stack, number: a.layer.number, reason: a.reason, why: describeReason(a) })),
    ),
    unchanged: result.comparisons.reduce((n, c) => n + c.unchanged.length, 0),
    removed: result.comparisons.flatMap((c) => c.removed.map((s) => `${c.env}/${s}`)),
    bootstrap: result.comparisons.filter((c) => c.bootstrapChanged).map((c) => c.env),
    readersLater: result.comparisons.flatMap((c) => c.readersLater.map((r) => `${c.env}/${r.stack}`)),
    errors: result.errors,
  };

  const baseLabel = result.base ? `the base checkout ${result.base}` : "nothing (every stack is planned)";
  reporter.line(
    `${envs.length ? envs.map((e) => e.name).join(", ") : "no CI environments (no ci.github.repository set)"}: compared with ${baseLabel}`,
  );
  reporter.line(
    table(
      ["environment", "stack", "why"],
      result.comparisons.flatMap((c) => c.affected.map((a) => [c.env, `${a.layer.number} ${a.stack}`, describeReason(a)])),
    ),
  );
  reporter.line(`${keys.length} stacks to plan, ${report.unchanged} unchanged`);

  if (args.values["github-output"]) {
    const out = process.env.GITHUB_OUTPUT;
    if (!out) {
      reporter.error("error: --github-output needs GITHUB_OUTPUT (set by GitHub Actions)");
      process.exit(2);
    }
    const lines = [
      `matrix=${JSON.stringify(matrix)}`,
      `any=${keys.length > 0}`,
      `stacks=${JSON.stringify(keys)}`,
      `envs=${JSON.stringify([...new Set(matrix.include.map((m) => m.env))])}`,
      `report=${JSON.stringify(report)}`,
    ];
    fs.appendFileSync(out, `${lines.join("\n")}\n`);
    if (process.env.GITHUB_STEP_SUMMARY)
      fs.appendFileSync(
        process.env.GITHUB_STEP_SUMMARY,
        comparisonMarkdown(result.comparisons, result.base ? `\`${result.base}\`` : "nothing"),
      );
  }
  reporter.result({ command: "affected", ok: true, matrix, stacks: keys, report });
}

if (require.main === module) main();
