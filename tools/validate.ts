/**
 * npm run validate [-- --env <name|file>] [--stacks <cdktf.out>] [--jobs N] [--force] [--own-providers] [--json] [--plugin-dir <dir>]
 *
 * `terraform validate` for every stack of every environment (environments/ and examples/), or the
 * ones --env picks. Each environment is synthesized into .work/synth/<envKey>/; each stack is
 * validated in .work/validate/<envKey>/<stack>/ (a copy of cdk.tf.json, so the synthesized output
 * stays pristine), in parallel. Stacks with the same providers share one `terraform init`
 * (.work/tf-init/), run again only when what it installs changed; a stack that passed unchanged is
 * not validated again (.work/ladder-cache/, tools/lib/ladder.ts) unless --force. Every validate
 * attaches to one long-running aws provider per job (tools/lib/shared-providers.ts) instead of
 * starting it twice; --own-providers turns that off. Exit 1 if any stack is invalid.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { HARNESS_SELECTION, type OptionSpecs } from "./lib/args";
import { PLUGIN_DIR_OPTION, startTool } from "./lib/cli";
import { finishHarnessRun, indent, rel, removeOtherConfigFiles, runMain, type PreparedEnvironment } from "./lib/harness";
import { formatDuration, type Reporter, table } from "./lib/report";
import { readStacks, type TerraformJson } from "./lib/synth";
import { cacheKey, InitPool, initOwn, useSharedInit } from "./lib/ladder";
import { startLadderRun, type LadderRun, type LadderTask } from "./lib/ladder-run";
import { providerSummary, ProviderPools } from "./lib/shared-providers";
import { cleanTerraformText, initFingerprint, parseDiagnostics, run, WORK_DIR, writeIfChanged, type Diagnostic } from "./lib/terraform";

const OPTIONS: OptionSpecs = {
  ...HARNESS_SELECTION,
  jobs: { type: "number", value: "<n>", description: "Stacks validated at once (default: number of CPUs)." },
  stacks: {
    type: "string",
    value: "<dir>",
    description:
      "Validate the stacks of an existing cdktf output directory (e.g. cdktf.out after `cdktf synth`) instead of synthesizing environments.",
  },
  force: { type: "boolean", description: "Validate every stack, also those unchanged since they last passed." },
  "own-providers": {
    type: "boolean",
    description:
      "Let Terraform start its own aws provider for every validate (as before: 2 starts per stack) instead of attaching to one shared provider per job.",
  },
  json: { type: "boolean", description: "Print a JSON result on stdout (progress goes to stderr)." },
  "plugin-dir": PLUGIN_DIR_OPTION,
};

interface StackResult {
  readonly env: string;
  readonly stack: string | null;
  readonly ok: boolean;
  /** Where it stopped: config, synth, init or validate. */
  readonly stage: "config" | "synth" | "init" | "validate";
  readonly ms: number;
  readonly resources?: number;
  readonly initRan?: boolean;
  /** Not run again: the same configuration passed before with the same Terraform and providers. */
  readonly cached?: boolean;
  /** The validate ran on a shared aws provider (tools/lib/shared-providers.ts): no provider start for this stack. */
  readonly sharedProvider?: boolean;
  readonly workDir?: string;
  readonly errors: readonly Diagnostic[];
  readonly warnings: readonly Diagnostic[];
  /** Terraform's or the synthesizer's text when there are no diagnostics. */
  readonly message?: string;
}

const VALIDATE_COMMAND = ["validate", "-json", "-no-color"];

async function validateStack(ladder: LadderRun, { env, stack }: LadderTask): Promise<StackResult> {
  const { tf, inits, cache, force, pools } = ladder;
  const start = Date.now();
  const dir = path.join(WORK_DIR, "validate", env.ref.key, stack.name);
  fs.mkdirSync(dir, { recursive: true });
  const text = fs.readFileSync(stack.file, "utf8");
  writeIfChanged(path.join(dir, "cdk.tf.json"), text);
  removeOtherConfigFiles(dir, "cdk.tf.json");
  const base = { env: env.ref.key, stack: stack.name, resources: stack.resources, workDir: dir };

  const config = JSON.parse(text) as TerraformJson;
  // One init per provider set (tools/lib/ladder.ts); a stack with modules inits on its own.
  let runEnv = tf.env;
  let lock: string;
  let initRan: boolean;
  let providers: ReturnType<ProviderPools["for"]>;
  if (InitPool.shareable(config)) {
    const shared = await inits.get(config);
    if (!shared.ok)
      return {
        ...base,
        ok: false,
        stage: "init",
        ms: Date.now() - start,
        initRan: true,
        errors: [],
        warnings: [],
        message: shared.message,
      };
    runEnv = useSharedInit(dir, shared, tf);
    lock = shared.lock;
    initRan = shared.ran;
    // validate never configures a provider: every stack may share one (aliases too).
    providers = pools?.for(shared.dataDir);
  } else {
    // -backend=false: the backend does not decide what init installs here.
    const fingerprint = initFingerprint({ ...config, terraform: { ...config.terraform, backend: undefined } }, [
      tf.version,
      tf.cliConfig,
      "-backend=false",
    ]);
    const own = await initOwn(dir, tf, fingerprint, ["init", "-backend=false", "-input=false", "-no-color"]);
    if (!own.ok)
      return { ...base, ok: false, stage: "init", ms: Date.now() - start, initRan: true, errors: [], warnings: [], message: own.message };
    lock = own.lock;
    initRan = own.ran;
  }

  // terraform validate is deterministic in the configuration, Terraform, the CLI config and the
  // providers (the cache key): a stack that passed is not validated again unless --force.
  const key = cacheKey({ command: VALIDATE_COMMAND.join(" "), config: text, terraformVersion: tf.version, cliConfig: tf.cliConfig, lock });
  const hit = force ? undefined : cache.get<StackResult>(key);
  if (hit) {
    // Its warnings come back with it, so they show on every run.
    return {
      ...base,
      ok: true,
      stage: "validate",
      ms: Date.now() - start,
      initRan,
      cached: true,
      errors: [],
      warnings: hit.result.warnings ?? [],
    };
  }

  const res = providers
    ? await providers.run(tf.bin, VALIDATE_COMMAND, { cwd: dir, env: runEnv })
    : { ...(await run(tf.bin, VALIDATE_COMMAND, { cwd: dir, env: runEnv })), shared: false };
  let parsed: { valid?: boolean; diagnostics?: Parameters<typeof parseDiagnostics>[0] } | undefined;
  try {
    parsed = JSON.parse(res.stdout) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const diagnostics = parseDiagnostics(parsed?.diagnostics ?? []);
  const errors = diagnostics.filter((d) => d.severity === "error");
  const warnings = diagnostics.filter((d) => d.severity !== "error");
  const ok = res.code === 0 && parsed?.valid === true;
  const result: StackResult = {
    ...base,
    ok,
    stage: "validate",
    ms: Date.now() - start,
    initRan,
    sharedProvider: res.shared,
    errors,
    warnings,
    message: ok || errors.length ? undefined : cleanTerraformText(res.stderr || res.stdout) || `terraform validate exited ${res.code}`,
  };
  // A pass is kept with its warnings; a failure is never kept and drops any entry for its key.
  if (ok) cache.put(key, result);
  else cache.delete(key);
  return result;
}

/** An existing cdktf output directory (`--stacks`), validated as one environment named after it. */
function outputDirAsEnvironment(dir: string, reporter: Reporter): PreparedEnvironment {
  const abs = path.resolve(dir);
  const key = `stacks-${path.basename(abs).replace(/[^\w.-]+/g, "-")}`;
  const ref = { name: rel(abs), file: abs, key };
  try {
    return { ref, stacks: readStacks(abs) };
  } catch (e) {
    reporter.line(`${rel(abs)}: not a cdktf output directory (manifest.json and stacks/*/cdk.tf.json expected)`);
    return { ref, stacks: [], error: { stage: "synth", message: e instanceof Error ? e.message : String(e) } };
  }
}

function describeDiagnostic(d: Diagnostic): string {
  const where = [d.address, d.location].filter(Boolean).join(" at ");
  return [`${d.severity}: ${d.summary}${where ? ` (${where})` : ""}`, d.detail ? indent(d.detail, "  ") : ""].filter(Boolean).join("\n");
}

async function main(): Promise<void> {
  const { args, reporter } = startTool(
    "npm run validate -- [options]",
    "terraform init -backend=false + terraform validate for every stack of every environment.",
    OPTIONS,
  );
  const stacksDir = args.values.stacks as string | undefined;
  const ladder = await startLadderRun(args, reporter, {
    command: "validate",
    label: ({ env, stack }) => `${env.ref.key}/${stack.name}`,
    prepared: stacksDir ? (r) => [outputDirAsEnvironment(stacksDir, r)] : undefined,
  });
  const { tf, started, prepared, tasks, pools, runStacks } = ladder;
  const stackResults = await runStacks<StackResult>(
    (task) => validateStack(ladder, task),
    ({ env, stack }, message) => ({
      env: env.ref.key,
      stack: stack.name,
      ok: false,
      stage: "validate",
      ms: 0,
      errors: [],
      warnings: [],
      message,
    }),
    (r) => {
      const warned = r.warnings.length ? ` (${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"})` : "";
      if (r.cached) return `validate ok${warned} (unchanged since it last passed)`;
      if (r.ok) return `validate ok${warned}${r.initRan ? ", init" : ""}`;
      return `${r.stage} FAILED${r.errors.length ? ` (${r.errors.length} error${r.errors.length === 1 ? "" : "s"})` : ""}`;
    },
  );

  await pools?.stop();

  const envResults: StackResult[] = prepared
    .filter((e) => e.error)
    .map((e) => ({
      env: e.ref.key,
      stack: null,
      ok: false,
      stage: e.error!.stage,
      ms: 0,
      errors: [],
      warnings: [],
      message: e.error!.message,
    }));
  const results = [...envResults, ...stackResults];
  const failed = results.filter((r) => !r.ok);
  const withWarnings = results.filter((r) => r.warnings.length);

  if (withWarnings.length) {
    reporter.line("\nWarnings:");
    for (const r of withWarnings) reporter.line(`  ${r.env}/${r.stack}:\n${indent(r.warnings.map(describeDiagnostic).join("\n"))}`);
  }
  if (failed.length) {
    reporter.line("\nFailures:");
    for (const r of failed) {
      const where = r.stack ? `${r.env}/${r.stack}` : r.env;
      const body = r.errors.length ? r.errors.map(describeDiagnostic).join("\n") : (r.message ?? "");
      reporter.line(`  ${where} (${r.stage}${r.workDir ? `, in ${rel(r.workDir)}` : ""}):\n${indent(body)}`);
    }
  }

  reporter.line("");
  reporter.line(
    table(
      ["environment", "stacks", "valid", "failed", "resources", "time", "failed stacks"],
      prepared.map((env) => {
        const rs = results.filter((r) => r.env === env.ref.key);
        const bad = rs.filter((r) => !r.ok);
        return [
          env.ref.key,
          env.stacks.length,
          rs.filter((r) => r.ok).length,
          bad.length,
          env.stacks.reduce((n, s) => n + s.resources, 0),
          formatDuration(rs.reduce((n, r) => n + r.ms, 0)),
          bad.map((r) => r.stack ?? `(${r.stage})`).join(", ") || "-",
        ];
      }),
    ),
  );
  const ok = failed.length === 0;
  const cachedCount = stackResults.filter((r) => r.cached).length;
  const onShared = stackResults.filter((r) => r.sharedProvider).length;
  if (pools && stackResults.some((r) => !r.cached)) reporter.line(providerSummary(pools, "validated", onShared));
  reporter.line(
    `\nvalidate ${ok ? "ok" : "FAILED"}: ${stackResults.filter((r) => r.ok).length}/${tasks.length} stacks valid in ${prepared.length} environment${prepared.length === 1 ? "" : "s"}` +
      `${cachedCount ? ` (${cachedCount} unchanged since they last passed, not re-run; --force re-runs them)` : ""}` +
      `${envResults.length ? `, ${envResults.length} environments not synthesized` : ""}; ${formatDuration(Date.now() - started)} wall`,
  );
  finishHarnessRun(
    reporter,
    "validate",
    tf,
    failed.map((r) => ({
      where: r.stack ? `${r.env}/${r.stack}` : r.env,
      stage: r.stage,
      error: r.errors.length ? describeDiagnostic(r.errors[0]) : (r.message ?? ""),
    })),
    { mirror: tf.mirror?.dir ?? null, ms: Date.now() - started, results },
  );
}

runMain(main);
