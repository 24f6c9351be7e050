/**
 * npm run validate:hcl [-- --env <name,...>] [--plugin-dir <dir>] [--json]
 *
 * Proves the HCL output is valid Terraform: each environment (default: dev) is synthesized as HCL
 * with the repairs of tools/synth-hcl.ts into .work/hcl/<env>/, then every stack gets
 * `terraform init -backend=false` (providers from the local mirror when there is one, else the
 * registry; tools/lib/terraform.ts) and `terraform validate`, one stack after another. Exits 1 when
 * a stack is invalid. Without Terraform it says so and skips (exit 1 under CI=true), like validate.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import type { OptionSpecs } from "./lib/args";
import { PLUGIN_DIR_OPTION, startTool } from "./lib/cli";
import { environmentsOrExit, finishHarnessRun, indent, removeOtherConfigFiles, runMain } from "./lib/harness";
import { formatDuration, Progress, table } from "./lib/report";
import { defaultJobs, runParallel } from "./lib/runner";
import {
  cleanTerraformText,
  initFingerprint,
  isInitialised,
  markInitialised,
  run,
  setupTerraform,
  terraformValidate,
  WORK_DIR,
  writeIfChanged,
  type Diagnostic,
} from "./lib/terraform";
import { synthesizeHcl } from "./synth-hcl";

const OPTIONS: OptionSpecs = {
  env: { type: "strings", value: "<name|file>", description: "Environments to check (default: dev)." },
  json: { type: "boolean", description: "Print a JSON result on stdout (progress goes to stderr)." },
  jobs: { type: "number", value: "<n>", description: "Stacks validated at once (default: number of CPUs)." },
  "plugin-dir": PLUGIN_DIR_OPTION,
};

interface StackResult {
  readonly env: string;
  readonly stack: string;
  readonly ok: boolean;
  readonly stage: "init" | "validate";
  readonly ms: number;
  readonly repaired: number;
  readonly errors: readonly Diagnostic[];
  readonly message?: string;
}

async function main(): Promise<void> {
  const { args, reporter } = startTool(
    "npm run validate:hcl -- [options]",
    "terraform validate on the HCL output (synth:hcl) of each environment.",
    OPTIONS,
  );
  const envs = environmentsOrExit((args.values.env as string[] | undefined) ?? ["dev"], reporter);
  const tf = setupTerraform(reporter, "validate:hcl", { pluginDir: args.values["plugin-dir"] as string | undefined });
  const started = Date.now();
  reporter.line(`terraform ${tf.version}; providers from ${tf.mirror ? `mirror ${tf.mirror.dir}` : "the registry"}`);

  const jobs = (args.values.jobs as number | undefined) ?? defaultJobs();
  const tasks = envs.flatMap((ref) => {
    const config = loadConfigFile(ref.file).config;
    const hcl = synthesizeHcl(config, path.join(WORK_DIR, "hcl", ref.key), ref.key);
    if (hcl.formatted === false) reporter.warn(`${ref.key}: terraform fmt failed:\n${indent(hcl.fmtError ?? "")}`);
    reporter.line(`${ref.key}: synthesized ${hcl.stacks.length} stacks as HCL (${hcl.stacks.reduce((n, s) => n + s.repaired, 0)} repairs)`);
    return hcl.stacks.map((stack) => ({ env: ref.key, stack }));
  });
  const progress = new Progress(reporter, tasks.length, Math.max(0, ...tasks.map((t) => `${t.env}/${t.stack.name}`.length)));
  const results: StackResult[] = await runParallel(tasks, jobs, async ({ env, stack }) => {
    const start = Date.now();
    const dir = path.join(WORK_DIR, "validate-hcl", env, stack.name);
    fs.mkdirSync(dir, { recursive: true });
    const text = fs.readFileSync(stack.file, "utf8");
    writeIfChanged(path.join(dir, "cdk.tf"), text);
    removeOtherConfigFiles(dir, "cdk.tf");
    // What init installs depends on required_providers, which the HCL and JSON syntheses share.
    const providers = /required_providers\s*{[\s\S]*?\n\s*}\n/.exec(text)?.[0] ?? "";
    const fingerprint = initFingerprint({ terraform: { required_providers: providers } }, [
      tf.version,
      tf.cliConfig,
      "-backend=false",
      "hcl",
    ]);
    const base = { env, stack: stack.name, repaired: stack.repaired };
    let result: StackResult | undefined;
    if (!isInitialised(dir, fingerprint)) {
      fs.rmSync(path.join(dir, ".terraform.lock.hcl"), { force: true });
      const init = await tf.init(() => run(tf.bin, ["init", "-backend=false", "-input=false", "-no-color"], { cwd: dir, env: tf.env }));
      if (init.code !== 0)
        result = {
          ...base,
          ok: false,
          stage: "init",
          ms: Date.now() - start,
          errors: [],
          message: cleanTerraformText(init.stderr || init.stdout),
        };
      else markInitialised(dir, fingerprint);
    }
    if (!result) {
      const { ok, diagnostics, res } = await terraformValidate(tf, dir);
      const errors = diagnostics.filter((d) => d.severity === "error");
      result = {
        ...base,
        ok,
        stage: "validate",
        ms: Date.now() - start,
        errors,
        message: ok || errors.length ? undefined : cleanTerraformText(res.stderr || res.stdout),
      };
    }
    progress.finish(`${env}/${stack.name}`, result.ok ? `valid (${stack.repaired} repairs)` : `${result.stage} FAILED`, result.ms);
    return result;
  });

  const failed = results.filter((r) => !r.ok);
  for (const r of failed) {
    const body = r.errors.length
      ? r.errors.map((d) => `${d.summary}${d.address ? ` (${d.address})` : ""}${d.location ? ` at ${d.location}` : ""}`).join("\n")
      : (r.message ?? "");
    reporter.line(`\n${r.env}/${r.stack} (${r.stage}):\n${indent(body)}`);
  }
  reporter.line("");
  reporter.line(
    table(
      ["stack", "valid", "repairs", "time"],
      results.map((r) => [`${r.env}/${r.stack}`, r.ok ? "yes" : "NO", r.repaired, formatDuration(r.ms)]),
    ),
  );
  reporter.line(
    `\nvalidate:hcl ${failed.length ? "FAILED" : "ok"}: ${results.length - failed.length}/${results.length} stacks valid; ${formatDuration(Date.now() - started)}`,
  );
  const failures = failed.map((r) => ({
    where: `${r.env}/${r.stack}`,
    stage: r.stage,
    error: r.errors.length ? `error: ${r.errors[0].summary}${r.errors[0].address ? ` (${r.errors[0].address})` : ""}` : (r.message ?? ""),
  }));
  finishHarnessRun(reporter, "validate:hcl", tf, failures, { results });
}

runMain(main);
