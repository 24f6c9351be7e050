/**
 * npm run plan [-- --env <name|file>] [--jobs N] [--force] [--validate] [--own-providers] [--json] [--plugin-dir <dir>]
 *
 * An offline `terraform plan` of every stack of every environment, bootstrap first and then the
 * layers in registry order. Each stack is planned in .work/plan/<envKey>/<stack>/ from main.tf.json:
 * the synthesized JSON with a local backend, a mocked AWS provider (no credentials, no STS, no
 * account lookup) and every terraform_remote_state pointed at mock state built from the producer's
 * contract (.work/plan/<envKey>/mock-state/). The plan is kept as plan.bin and plan.json (terraform
 * show -json) for the review tools. Every stack plans against mock state, never against another
 * stack's plan, so the stacks of all environments run in one pool (--jobs) and are reported in
 * layer order. Stacks with the same providers share one `terraform init` (.work/tf-init/); a stack
 * whose main.tf.json and mock state are unchanged since it last planned is not planned again
 * (.work/ladder-cache/, tools/lib/ladder.ts) unless --force. The plan and show -json of a stack
 * with one aws provider configuration attach to one long-running provider per job
 * (tools/lib/shared-providers.ts) instead of starting it four times; --own-providers turns that
 * off. Exit 1 if any stack fails to plan.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { LayerName } from "../core/config/schema";
import { layer as layerDef } from "../core/registry";
import { HARNESS_SELECTION, type OptionSpecs } from "./lib/args";
import { PLUGIN_DIR_OPTION, startTool } from "./lib/cli";
import { finishHarnessRun, indent, rel, removeOtherConfigFiles, runMain } from "./lib/harness";
import {
  countActions,
  LOCAL_STATE,
  mockState,
  offlineStack,
  planTotals,
  PROVIDER_SETTINGS_REMOVED,
  summaryLine,
  type ActionCounts,
} from "./lib/offline";
import { formatDuration, table } from "./lib/report";
import { runParallel } from "./lib/runner";
import type { SynthesizedStack, TerraformJson } from "./lib/synth";
import { cacheKey, InitPool, initOwn, nothingToPlan, providerSkeleton, useSharedInit } from "./lib/ladder";
import { startLadderRun, type LadderRun, type LadderTask } from "./lib/ladder-run";
import { providerSummary, ProviderPools, sharedProviderRefusal, type SharedRun } from "./lib/shared-providers";
import { cleanTerraformText, initFingerprint, parseDiagnostics, run, WORK_DIR, writeIfChanged } from "./lib/terraform";

const OPTIONS: OptionSpecs = {
  ...HARNESS_SELECTION,
  jobs: {
    type: "number",
    value: "<n>",
    description: "Stacks planned at once (default: number of CPUs); results are reported in layer order.",
  },
  force: { type: "boolean", description: "Plan every stack, also those unchanged since they last planned." },
  "own-providers": {
    type: "boolean",
    description:
      "Let Terraform start its own aws provider for every command (as before: 4 starts per stack) instead of attaching to one shared provider per job.",
  },
  validate: {
    type: "boolean",
    description:
      "Also give validate's result (CI's one pass): the plan validates every stack as planned, and the provider settings the offline plan removes are validated as synthesized.",
  },
  json: { type: "boolean", description: "Print a JSON result on stdout (progress goes to stderr)." },
  "plugin-dir": PLUGIN_DIR_OPTION,
};

const MOCK_STATE_DIR = "mock-state";

interface PlanResult {
  readonly env: string;
  readonly stack: string | null;
  readonly ok: boolean;
  readonly stage: "config" | "synth" | "prepare" | "init" | "validate" | "plan" | "show";
  readonly ms: number;
  readonly resources?: number;
  readonly actions?: ActionCounts;
  readonly add?: number;
  readonly change?: number;
  readonly destroy?: number;
  /** Layers whose mock state the stack read. */
  readonly reads?: readonly string[];
  readonly initRan?: boolean;
  /** Not run again: the same configuration and mock state planned before with the same Terraform and providers. */
  readonly cached?: boolean;
  /**
   * Which aws provider the stack's plan and show ran on: `shared` (a long-running one per job,
   * tools/lib/shared-providers.ts: no provider start for this stack) or `own` (Terraform started
   * its own: 3 for the plan, 1 for show -json), with the reason in `ownProviderReason`.
   */
  readonly provider?: "shared" | "own";
  /** Not planned by Terraform: the stack has nothing to plan (tools/lib/ladder.ts, nothingToPlan), and why. */
  readonly nothingToPlan?: string;
  readonly ownProviderReason?: string;
  readonly workDir?: string;
  /** plan.json (terraform show -json), for the review tools. */
  readonly planJson?: string;
  readonly message?: string;
}

const PLAN_COMMAND = ["plan", "-input=false", "-lock=false", "-refresh=false", "-no-color", "-out=plan.bin"];
const SHOW_COMMAND = ["show", "-json", "-no-color", "plan.bin"];
/** The files a cached plan keeps. */
const PLAN_FILES = ["plan.bin", "plan.json"];

async function planStack(ladder: LadderRun, { env, stack }: LadderTask): Promise<PlanResult> {
  const { tf, inits, cache, force, pools } = ladder;
  const start = Date.now();
  const envDir = path.join(WORK_DIR, "plan", env.ref.key);
  const dir = path.join(envDir, stack.name);
  const base = { env: env.ref.key, stack: stack.name, resources: stack.resources, workDir: dir };
  const fail = (stage: PlanResult["stage"], message: string, extra: Partial<PlanResult> = {}): PlanResult => ({
    ...base,
    ...extra,
    ok: false,
    stage,
    ms: Date.now() - start,
    message,
  });

  // main.tf.json and the mock state of every layer it reads.
  const config = env.loaded!.config;
  const mockPath = (l: LayerName) => path.join(envDir, MOCK_STATE_DIR, `${layerDef(l).number}-${l}.tfstate`);
  let offline: ReturnType<typeof offlineStack>;
  const mocks: Record<string, string> = {};
  try {
    offline = offlineStack(JSON.parse(fs.readFileSync(stack.file, "utf8")) as TerraformJson, config, mockPath);
    for (const producer of offline.reads) {
      const text = `${JSON.stringify(mockState(producer, config, tf.version), null, 2)}\n`;
      writeIfChanged(mockPath(producer), text);
      mocks[path.basename(mockPath(producer))] = text;
    }
  } catch (e) {
    return fail("prepare", e instanceof Error ? e.message : String(e));
  }
  fs.mkdirSync(dir, { recursive: true });
  const mainText = `${JSON.stringify(offline.tf, null, 2)}\n`;
  writeIfChanged(path.join(dir, "main.tf.json"), mainText);
  removeOtherConfigFiles(dir, "main.tf.json");
  for (const f of [LOCAL_STATE, `${LOCAL_STATE}.backup`, ...PLAN_FILES]) fs.rmSync(path.join(dir, f), { force: true });
  const reads = offline.reads;

  // No resources, data sources or modules and constant outputs: the plan is empty, known without Terraform.
  const trivial = nothingToPlan(offline.tf);
  if (trivial) {
    const none: ActionCounts = { create: 0, update: 0, delete: 0, replace: 0, forget: 0, noop: 0 };
    return { ...base, ok: true, stage: "plan", ms: Date.now() - start, actions: none, ...planTotals(none), reads, nothingToPlan: trivial };
  }

  // One init per provider set (tools/lib/ladder.ts); a stack with modules inits on its own.
  let runEnv = tf.env;
  let lock: string;
  let initRan: boolean;
  let providers: ReturnType<ProviderPools["for"]>;
  let ownProviderReason: string | undefined = pools ? undefined : "--own-providers";
  if (InitPool.shareable(offline.tf)) {
    const shared = await inits.get(offline.tf);
    if (!shared.ok) return fail("init", shared.message, { reads, initRan: true });
    runEnv = useSharedInit(dir, shared, tf);
    lock = shared.lock;
    initRan = shared.ran;
    ownProviderReason ??= sharedProviderRefusal(offline.tf, "plan");
    if (!ownProviderReason) {
      providers = pools!.for(shared.dataDir);
      if (!providers) ownProviderReason = "no aws provider in the shared init";
    }
  } else {
    ownProviderReason ??= "modules: initialised on its own";
    const fingerprint = initFingerprint(offline.tf as Record<string, unknown>, [tf.version, tf.cliConfig]);
    const own = await initOwn(dir, tf, fingerprint, ["init", "-input=false", "-no-color", "-reconfigure"]);
    if (!own.ok) return fail("init", own.message, { reads, initRan: true });
    lock = own.lock;
    initRan = own.ran;
  }

  // An offline plan from empty state is deterministic in main.tf.json, the mock state it reads,
  // Terraform, the CLI config and the providers (the cache key): unchanged, it is not run again unless --force.
  const key = cacheKey({
    command: `${PLAN_COMMAND.join(" ")} && ${SHOW_COMMAND.join(" ")}`,
    config: mainText,
    inputs: mocks,
    terraformVersion: tf.version,
    cliConfig: tf.cliConfig,
    lock,
  });
  const planJson = path.join(dir, "plan.json");
  const planned = (actions: ActionCounts, cached?: true): PlanResult => ({
    ...base,
    ok: true,
    stage: "plan",
    ms: Date.now() - start,
    actions,
    ...planTotals(actions),
    reads,
    initRan,
    ...(cached ? { cached } : {}),
    planJson,
  });
  const hit = force ? undefined : cache.get<PlanResult>(key, PLAN_FILES);
  if (hit) {
    for (const f of PLAN_FILES) fs.copyFileSync(path.join(hit.dir, f), path.join(dir, f));
    return planned(hit.result.actions!, true);
  }

  // Each command on a shared provider when the stack may use one (no provider start), else as before.
  const ran: SharedRun[] = [];
  const exec = async (args: readonly string[]) => {
    const r = providers
      ? await providers.run(tf.bin, args, { cwd: dir, env: runEnv })
      : { ...(await run(tf.bin, args, { cwd: dir, env: runEnv })), shared: false };
    ran.push(r);
    return r;
  };
  const which = (): Partial<PlanResult> =>
    ran.every((r) => r.shared)
      ? { provider: "shared" }
      : { provider: "own", ownProviderReason: ownProviderReason ?? "the shared provider exited: run again on its own" };
  const plan = await exec(PLAN_COMMAND);
  if (plan.code !== 0) {
    cache.delete(key);
    return fail("plan", cleanTerraformText(plan.stderr || plan.stdout), { reads, initRan, ...which() });
  }
  const show = await exec(SHOW_COMMAND);
  if (show.code !== 0) {
    cache.delete(key);
    return fail("show", cleanTerraformText(show.stderr || show.stdout), { reads, initRan, ...which() });
  }
  fs.writeFileSync(planJson, show.stdout);
  const actions = countActions(JSON.parse(show.stdout) as Parameters<typeof countActions>[0]);
  cache.put(key, { ok: true, actions }, PLAN_FILES, dir);
  return { ...planned(actions), ...which() };
}

const VALIDATE_COMMAND = ["validate", "-json", "-no-color"];

/**
 * --validate: `terraform validate` of each distinct provider skeleton (tools/lib/ladder.ts,
 * providerSkeleton) of the stacks; the first error of each failed one, by skeleton text.
 */
async function validateProviderSettings(ladder: LadderRun): Promise<Map<SynthesizedStack, string>> {
  const { tf, cache, force, pools, jobs } = ladder;
  const stacks = ladder.tasks.map((t) => t.stack);
  const byText = new Map<string, SynthesizedStack[]>();
  for (const stack of stacks) {
    const skeleton = providerSkeleton(JSON.parse(fs.readFileSync(stack.file, "utf8")) as TerraformJson, PROVIDER_SETTINGS_REMOVED);
    if (!skeleton) continue;
    const text = `${JSON.stringify(skeleton, null, 2)}\n`;
    byText.set(text, [...(byText.get(text) ?? []), stack]);
  }
  const failures = new Map<SynthesizedStack, string>();
  const inits = new InitPool(tf, "validate");
  await runParallel([...byText.keys()], jobs, async (text) => {
    const dir = path.join(
      WORK_DIR,
      "provider-check",
      cacheKey({ command: "skeleton", config: text, terraformVersion: "", cliConfig: "", lock: "" }).slice(0, 16),
    );
    fs.mkdirSync(dir, { recursive: true });
    writeIfChanged(path.join(dir, "cdk.tf.json"), text);
    const shared = await inits.get(JSON.parse(text) as TerraformJson);
    let error: string | undefined;
    if (!shared.ok) error = shared.message;
    else {
      const key = cacheKey({
        command: VALIDATE_COMMAND.join(" "),
        config: text,
        terraformVersion: tf.version,
        cliConfig: tf.cliConfig,
        lock: shared.lock,
      });
      if (!force && cache.get(key)) return;
      // validate never configures a provider: a shared one serves any skeleton (aliases too).
      const runEnv = useSharedInit(dir, shared, tf);
      const providers = pools?.for(shared.dataDir);
      const res = providers
        ? await providers.run(tf.bin, VALIDATE_COMMAND, { cwd: dir, env: runEnv })
        : await run(tf.bin, VALIDATE_COMMAND, { cwd: dir, env: runEnv });
      let parsed: { valid?: boolean; diagnostics?: Parameters<typeof parseDiagnostics>[0] } | undefined;
      try {
        parsed = JSON.parse(res.stdout) as typeof parsed;
      } catch {
        parsed = undefined;
      }
      const errors = parseDiagnostics(parsed?.diagnostics ?? []).filter((d) => d.severity === "error");
      if (res.code === 0 && parsed?.valid === true) {
        cache.put(key, { ok: true });
        return;
      }
      cache.delete(key);
      error = errors.length
        ? errors.map((d) => `Error: ${d.summary}${d.address ? ` (${d.address})` : ""}${d.detail ? `\n${d.detail}` : ""}`).join("\n")
        : cleanTerraformText(res.stderr || res.stdout) || `terraform validate exited ${res.code}`;
    }
    for (const stack of byText.get(text)!)
      failures.set(stack, `${error}\n(the provider settings the offline plan removes, validated as synthesized in ${rel(dir)})`);
  });
  return failures;
}

async function main(): Promise<void> {
  const { args, reporter } = startTool(
    "npm run plan -- [options]",
    "Offline terraform plan of every stack of every environment, layers in order, upstream outputs mocked from the contracts.",
    OPTIONS,
  );
  const ladder = await startLadderRun(args, reporter, {
    command: "plan",
    label: ({ env, stack }) => `${env.ref.key} ${stack.name}:`,
    keepInEnvDir: [MOCK_STATE_DIR],
  });
  const { tf, started, prepared, tasks, pools, runStacks } = ladder;
  // Each stack plans against mock state, not against another stack's plan: all stacks of all
  // environments share one pool; mock state is rewritten from the contracts on every run.
  for (const env of new Set(tasks.map((t) => t.env)))
    fs.rmSync(path.join(WORK_DIR, "plan", env.ref.key, MOCK_STATE_DIR), { recursive: true, force: true });
  const total = tasks.length;
  const stackResults = await runStacks<PlanResult>(
    (task) => planStack(ladder, task),
    ({ env, stack }, message) => ({ env: env.ref.key, stack: stack.name, ok: false, stage: "plan", ms: 0, message }),
    (r) =>
      r.ok
        ? `${summaryLine(r.actions!)}${r.cached ? " (unchanged since it last planned)" : ""}${r.nothingToPlan ? ` (nothing to plan: ${r.nothingToPlan}; no Terraform run, no plan.json)` : ""}`
        : `FAILED (${r.stage})`,
  );

  if (args.values.validate === true) {
    const bad = await validateProviderSettings(ladder);
    tasks.forEach((t, i) => {
      const message = bad.get(t.stack);
      if (message) stackResults[i] = { ...stackResults[i], ok: false, stage: "validate", cached: false, message };
    });
  }

  await pools?.stop();

  const envResults: PlanResult[] = prepared
    .filter((e) => e.error)
    .map((e) => ({ env: e.ref.key, stack: null, ok: false, stage: e.error!.stage, ms: 0, message: e.error!.message }));
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
  const rows = stackResults.map((r) => [
    r.env,
    r.stack ?? "",
    r.ok ? "ok" : `FAILED (${r.stage})`,
    r.add ?? "-",
    r.change ?? "-",
    r.destroy ?? "-",
    formatDuration(r.ms),
  ]);
  for (const r of envResults) rows.push([r.env, "-", `FAILED (${r.stage})`, "-", "-", "-", "-"]);
  const sum = (k: "add" | "change" | "destroy") => stackResults.reduce((n, r) => n + (r[k] ?? 0), 0);
  rows.push([
    "total",
    `${stackResults.length} stacks`,
    failed.length ? `${failed.length} failed` : "ok",
    sum("add"),
    sum("change"),
    sum("destroy"),
    formatDuration(Date.now() - started),
  ]);
  reporter.line(table(["environment", "stack", "result", "add", "change", "destroy", "time"], rows));

  const ok = failed.length === 0;
  const cachedCount = stackResults.filter((r) => r.cached).length;
  const ranShared = stackResults.filter((r) => r.provider === "shared").length;
  const ranOwn = stackResults.filter((r) => r.provider === "own");
  const trivialCount = stackResults.filter((r) => r.nothingToPlan).length;
  if (trivialCount)
    reporter.line(
      `\n${trivialCount} stack${trivialCount === 1 ? " has" : "s have"} nothing to plan (no resources, data sources or modules; constant outputs): not run through Terraform, no plan.json`,
    );
  if (ranShared + ranOwn.length) {
    const reasons = [...new Set(ranOwn.map((r) => r.ownProviderReason ?? "?"))];
    reporter.line(providerSummary(pools, "planned", ranShared, { count: ranOwn.length, reasons }));
  }
  reporter.line(
    `\nplan ${ok ? "ok" : "FAILED"}: ${stackResults.filter((r) => r.ok).length}/${total} stacks ${args.values.validate === true ? "validated and " : ""}planned in ${prepared.length} environment${prepared.length === 1 ? "" : "s"}` +
      `${cachedCount ? ` (${cachedCount} unchanged since they last planned, not re-run; --force re-runs them)` : ""}` +
      `${envResults.length ? `, ${envResults.length} environments not synthesized` : ""}; plans in ${rel(path.join(WORK_DIR, "plan"))}/<env>/<stack>/plan.json; ${formatDuration(Date.now() - started)} wall`,
  );
  finishHarnessRun(
    reporter,
    "plan",
    tf,
    failed.map((r) => ({ where: r.stack ? `${r.env} ${r.stack}` : r.env, stage: r.stage, error: r.message ?? "" })),
    { mirror: tf.mirror?.dir ?? null, ms: Date.now() - started, providerStarts: { shared: pools?.started ?? 0 }, results },
  );
}

runMain(main);
