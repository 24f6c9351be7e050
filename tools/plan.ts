/**
 * npm run plan [-- --env <name|file>] [--jobs N] [--json] [--plugin-dir <dir>]
 *
 * An offline `terraform plan` of every stack of every environment, bootstrap first and then the
 * layers in registry order. Each stack is planned in .work/plan/<envKey>/<stack>/ from main.tf.json:
 * the synthesized JSON with a local backend, a mocked AWS provider (no credentials, no STS, no
 * account lookup) and every terraform_remote_state pointed at mock state built from the producer's
 * contract (.work/plan/<envKey>/mock-state/). The plan is kept as plan.bin and plan.json (terraform
 * show -json) for the review tools. Environments run in parallel; the layers of one environment
 * run in order. Exit 1 if any stack fails to plan.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LayerName } from "../core/config/schema";
import { layer as layerDef } from "../core/registry";
import { HARNESS_SELECTION, parseOrExit, type OptionSpecs } from "./lib/args";
import { environmentsOrExit, finishHarnessRun, holdHarnessLock, indent, onlyStacksOrExit, prepareEnvironments, pruneStackDirs, rel, removeOtherConfigFiles, runMain, type PreparedEnvironment } from "./lib/harness";
import { countActions, LOCAL_STATE, mockState, offlineStack, planTotals, summaryLine, type ActionCounts } from "./lib/offline";
import { formatDuration, Progress, Reporter, table } from "./lib/report";
import { defaultJobs, runParallel } from "./lib/runner";
import type { SynthesizedStack, TerraformJson } from "./lib/synth";
import { cleanTerraformText, initFingerprint, isInitialised, markInitialised, run, setupTerraform, WORK_DIR, writeIfChanged, type TerraformSetup } from "./lib/terraform";

const OPTIONS: OptionSpecs = {
  ...HARNESS_SELECTION,
  jobs: { type: "number", value: "<n>", description: "Environments planned at once (default: number of CPUs); layers of one environment run in order." },
  json: { type: "boolean", description: "Print a JSON result on stdout (progress goes to stderr)." },
  "plugin-dir": { type: "string", value: "<dir>", description: "Provider mirror directory (default: PLATFORM_TF_PLUGIN_DIR, else discovered)." },
};

const MOCK_STATE_DIR = "mock-state";

interface PlanResult {
  readonly env: string;
  readonly stack: string | null;
  readonly ok: boolean;
  readonly stage: "config" | "synth" | "prepare" | "init" | "plan" | "show";
  readonly ms: number;
  readonly resources?: number;
  readonly actions?: ActionCounts;
  readonly add?: number;
  readonly change?: number;
  readonly destroy?: number;
  /** Layers whose mock state the stack read. */
  readonly reads?: readonly string[];
  readonly initRan?: boolean;
  readonly workDir?: string;
  /** plan.json (terraform show -json), for the review tools. */
  readonly planJson?: string;
  readonly message?: string;
}

async function planStack(env: PreparedEnvironment, stack: SynthesizedStack, tf: TerraformSetup): Promise<PlanResult> {
  const start = Date.now();
  const envDir = path.join(WORK_DIR, "plan", env.ref.key);
  const dir = path.join(envDir, stack.name);
  const base = { env: env.ref.key, stack: stack.name, resources: stack.resources, workDir: dir };
  const fail = (stage: PlanResult["stage"], message: string, extra: Partial<PlanResult> = {}): PlanResult => ({ ...base, ...extra, ok: false, stage, ms: Date.now() - start, message });

  // main.tf.json and the mock state of every layer it reads.
  const config = env.loaded!.config;
  const mockPath = (l: LayerName) => path.join(envDir, MOCK_STATE_DIR, `${layerDef(l).number}-${l}.tfstate`);
  let offline: ReturnType<typeof offlineStack>;
  try {
    offline = offlineStack(JSON.parse(fs.readFileSync(stack.file, "utf8")) as TerraformJson, config, mockPath);
    for (const producer of offline.reads) writeIfChanged(mockPath(producer), `${JSON.stringify(mockState(producer, config, tf.version), null, 2)}\n`);
  } catch (e) {
    return fail("prepare", e instanceof Error ? e.message : String(e));
  }
  fs.mkdirSync(dir, { recursive: true });
  writeIfChanged(path.join(dir, "main.tf.json"), `${JSON.stringify(offline.tf, null, 2)}\n`);
  removeOtherConfigFiles(dir, "main.tf.json");
  for (const f of [LOCAL_STATE, `${LOCAL_STATE}.backup`, "plan.bin", "plan.json"]) fs.rmSync(path.join(dir, f), { force: true });
  const reads = offline.reads;

  const fingerprint = initFingerprint(offline.tf as Record<string, unknown>, [tf.version, tf.cliConfig]);
  let initRan = false;
  if (!isInitialised(dir, fingerprint)) {
    initRan = true;
    fs.rmSync(path.join(dir, ".terraform.lock.hcl"), { force: true });
    const init = await tf.init(() => run(tf.bin, ["init", "-input=false", "-no-color", "-reconfigure"], { cwd: dir, env: tf.env }));
    if (init.code !== 0) return fail("init", cleanTerraformText(init.stderr || init.stdout), { reads, initRan });
    markInitialised(dir, fingerprint);
  }

  const plan = await run(tf.bin, ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color", "-out=plan.bin"], { cwd: dir, env: tf.env });
  if (plan.code !== 0) return fail("plan", cleanTerraformText(plan.stderr || plan.stdout), { reads, initRan });
  const show = await run(tf.bin, ["show", "-json", "-no-color", "plan.bin"], { cwd: dir, env: tf.env });
  if (show.code !== 0) return fail("show", cleanTerraformText(show.stderr || show.stdout), { reads, initRan });
  const planJson = path.join(dir, "plan.json");
  fs.writeFileSync(planJson, show.stdout);
  const actions = countActions(JSON.parse(show.stdout) as Parameters<typeof countActions>[0]);
  return { ...base, ok: true, stage: "plan", ms: Date.now() - start, actions, ...planTotals(actions), reads, initRan, planJson };
}

async function main(): Promise<void> {
  const args = parseOrExit(
    process.argv.slice(2),
    "npm run plan -- [options]",
    "Offline terraform plan of every stack of every environment, layers in order, upstream outputs mocked from the contracts.",
    OPTIONS,
  );
  const reporter = new Reporter({ json: args.values.json === true });
  const envs = environmentsOrExit(args.values.env as string[] | undefined, reporter);
  const tf = setupTerraform(reporter, "plan", { pluginDir: args.values["plugin-dir"] as string | undefined });
  const jobs = (args.values.jobs as number | undefined) ?? defaultJobs();
  await holdHarnessLock("plan", reporter);
  const started = Date.now();
  reporter.line(`terraform ${tf.version} (${tf.bin}); providers from ${tf.mirror ? `mirror ${tf.mirror.dir}` : "the registry"}; ${jobs} environments at a time`);

  const prepared = prepareEnvironments(envs, reporter);
  const ready = prepared.filter((e) => !e.error);
  for (const env of ready) pruneStackDirs(path.join(WORK_DIR, "plan", env.ref.key), env.stacks.map((s) => s.name), [MOCK_STATE_DIR]);

  const selected = onlyStacksOrExit(ready, args.values.layer as string[] | undefined, reporter);
  const total = selected.reduce((n, e) => n + e.stacks.length, 0);
  const labelWidth = Math.max(0, ...selected.flatMap((e) => e.stacks.map((s) => `${e.ref.key} ${s.name}:`.length)));
  const progress = new Progress(reporter, total, labelWidth);
  const perEnv = await runParallel(selected, jobs, async (env) => {
    // Mock state is rewritten from the contracts on every run; none is left from an older one.
    fs.rmSync(path.join(WORK_DIR, "plan", env.ref.key, MOCK_STATE_DIR), { recursive: true, force: true });
    const out: PlanResult[] = [];
    for (const stack of env.stacks) {
      let r: PlanResult;
      try {
        r = await planStack(env, stack, tf);
      } catch (e) {
        r = { env: env.ref.key, stack: stack.name, ok: false, stage: "plan", ms: 0, message: e instanceof Error ? e.stack ?? e.message : String(e) };
      }
      progress.finish(`${env.ref.key} ${stack.name}:`, r.ok ? summaryLine(r.actions!) : `FAILED (${r.stage})`, r.ms);
      out.push(r);
    }
    return out;
  });

  const envResults: PlanResult[] = prepared
    .filter((e) => e.error)
    .map((e) => ({ env: e.ref.key, stack: null, ok: false, stage: e.error!.stage, ms: 0, message: e.error!.message }));
  const stackResults = perEnv.flat();
  const results = [...envResults, ...stackResults];
  const failed = results.filter((r) => !r.ok);

  if (failed.length) {
    reporter.line("\nFailures:");
    for (const r of failed) {
      const where = r.stack ? `${r.env} ${r.stack}` : r.env;
      reporter.line(`  ${where} (${r.stage}${r.workDir ? `, in ${rel(r.workDir)}` : ""}):\n${indent(r.message ?? "")}`);
    }
  }

  reporter.line("");
  const rows = stackResults.map((r) => [r.env, r.stack ?? "", r.ok ? "ok" : `FAILED (${r.stage})`, r.add ?? "-", r.change ?? "-", r.destroy ?? "-", formatDuration(r.ms)]);
  for (const r of envResults) rows.push([r.env, "-", `FAILED (${r.stage})`, "-", "-", "-", "-"]);
  const sum = (k: "add" | "change" | "destroy") => stackResults.reduce((n, r) => n + (r[k] ?? 0), 0);
  rows.push(["total", `${stackResults.length} stacks`, failed.length ? `${failed.length} failed` : "ok", sum("add"), sum("change"), sum("destroy"), formatDuration(Date.now() - started)]);
  reporter.line(table(["environment", "stack", "result", "add", "change", "destroy", "time"], rows));

  const ok = failed.length === 0;
  reporter.line(
    `\nplan ${ok ? "ok" : "FAILED"}: ${stackResults.filter((r) => r.ok).length}/${total} stacks planned in ${prepared.length} environment${prepared.length === 1 ? "" : "s"}` +
      `${envResults.length ? `, ${envResults.length} environments not synthesized` : ""}; plans in ${rel(path.join(WORK_DIR, "plan"))}/<env>/<stack>/plan.json; ${formatDuration(Date.now() - started)} wall`,
  );
  const failures = failed.map((r) => ({ where: r.stack ? `${r.env} ${r.stack}` : r.env, stage: r.stage, error: r.message ?? "" }));
  finishHarnessRun(reporter, "plan", tf, failures, { mirror: tf.mirror?.dir ?? null, ms: Date.now() - started, results });
}

runMain(main);
