/**
 * npm run rehearse -- --env <name|file> [--endpoint <url> [--ca-bundle <file>]] [--from <stack>]
 *                     [--faults] [--keep] [--json] [--plugin-dir <dir>]
 *
 * The deploy rehearsal (docs/rehearsal.md): one environment deployed the way a real deploy goes,
 * against a local AWS emulator. It starts moto behind TLS on a free loopback port (or uses
 * --endpoint, e.g. LocalStack), synthesizes the environment, and runs Terraform in each stack's own
 * directory: bootstrap (state bucket, lock table), then every enabled layer in registry order, each
 * through its own S3 backend with DynamoDB locking and reading earlier layers' real state. Only
 * endpoints, retries and path-style addressing change (rehearsal_override.tf.json beside
 * cdk.tf.json; credentials and AWS_ENDPOINT_URL in Terraform's environment).
 *
 * Then: a plan of every stack must show no changes (except reviewed emulator-fidelity gaps), the
 * fault cases run with --faults (interrupted apply, stop and --from resume, drift, concurrent
 * apply refused by the lock), and everything is destroyed in reverse order, where prevent_destroy
 * must refuse exactly what it guards. Exit 1 on any unexplained failure or diff.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { exitOnConfigError, loadEnvironment, type LoadedConfig } from "../core/config/loader";
import { PLATFORM } from "../layers";
import type { OptionSpecs } from "./lib/args";
import { PLUGIN_DIR_OPTION, startTool } from "./lib/cli";
import { runMain } from "./lib/harness";
import { deployOrder } from "./lib/deploy";
import { awsRestXmlCall, externalEmulator, processCpuMs, startEmulator, type Emulator } from "./lib/emulator";
import {
  EMULATOR,
  OVERRIDE_FILE,
  preexistingZones,
  rehearsalEnv,
  rehearsalOverride,
  rehearsalPassed,
  seedZoneRequest,
  slowest,
  stepBreakdown,
  type Phase,
  type PhaseCost,
  type StackOutcome,
} from "./lib/rehearse";
import { runFaults, type FaultResult } from "./lib/rehearse-faults";
import { deploy, destroyAll, freshTiming, replanAll, type RehearsalContext } from "./lib/rehearse-run";
import { formatDuration, table } from "./lib/report";
import { synthesizeAtomically, type TerraformJson } from "./lib/synth";
import { setupTerraform, WORK_DIR } from "./lib/terraform";

const OPTIONS: OptionSpecs = {
  env: { type: "string", value: "<name|file>", description: "Environment to rehearse (default: PLATFORM_ENV, else dev)." },
  endpoint: {
    type: "string",
    value: "<url>",
    description: "Use a running emulator (LocalStack: http://127.0.0.1:4566) instead of starting moto.",
  },
  "ca-bundle": { type: "string", value: "<file>", description: "CA bundle for an https --endpoint (default: the caller's AWS_CA_BUNDLE)." },
  from: {
    type: "string",
    value: "<stack>",
    description: "Resume the deploy at this stack (needs --endpoint: the emulator must still hold the earlier layers).",
  },
  faults: { type: "boolean", description: "Also run the fault cases: interrupted apply, stop and --from resume, drift, concurrent apply." },
  keep: { type: "boolean", description: "Do not destroy at the end (with --endpoint: inspect the emulator afterwards)." },
  json: { type: "boolean", description: "Print a JSON result on stdout (progress goes to stderr)." },
  "no-shared-providers": {
    type: "boolean",
    description: "Let Terraform start its own aws provider for every run instead of attaching to a few shared ones (slower).",
  },
  "plugin-dir": PLUGIN_DIR_OPTION,
};

async function main(): Promise<void> {
  const { args, reporter } = startTool(
    "npm run rehearse -- --env <env> [options]",
    "Deploys one environment to a local AWS emulator layer by layer, re-plans to no changes, runs the fault cases and destroys it.",
    OPTIONS,
  );
  const started = Date.now();
  const envName = (args.values.env as string | undefined) ?? process.env.PLATFORM_ENV;
  let loaded: LoadedConfig;
  try {
    loaded = loadEnvironment(envName);
  } catch (e) {
    exitOnConfigError(e);
  }
  const config = loaded.config;
  const tf = setupTerraform(reporter, "rehearse", { pluginDir: args.values["plugin-dir"] as string | undefined });

  // Synthesize into .work/rehearse/<env>/out: the bootstrap stack's local state lands in
  // .work/rehearse/<env>/ (its path is relative to the stack dir), never in the project root.
  const envKey = loaded.key.replace(/[^\w.-]+/g, "_");
  const base = path.join(WORK_DIR, "rehearse", envKey);
  const outdir = path.join(base, "out");
  const endpointArg = args.values.endpoint as string | undefined;
  const from = args.values.from as string | undefined;
  if (from && !endpointArg) {
    reporter.error("error: --from needs --endpoint: a fresh emulator holds none of the layers before it");
    process.exit(2);
  }
  if (!endpointArg)
    for (const f of fs.existsSync(base) ? fs.readdirSync(base) : [])
      if (f.endsWith(".tfstate") || f.endsWith(".tfstate.backup")) fs.rmSync(path.join(base, f));

  const synthStart = Date.now();
  const all = synthesizeAtomically(config, outdir);
  const { stacks: order, skipped } = deployOrder(config, PLATFORM);
  const stacks = order.map((n) => all.find((s) => s.name === n)!);
  reporter.line(
    `${loaded.key}: synthesized ${stacks.length} stacks in ${formatDuration(Date.now() - synthStart)} (${stacks.map((s) => s.name).join(" -> ")})`,
  );
  if (skipped.length) reporter.line(`  skipped: ${skipped.map((s) => `${s.layer} (${s.reason})`).join(", ")}`);

  let emulator: Emulator;
  try {
    emulator = endpointArg
      ? externalEmulator(endpointArg, (args.values["ca-bundle"] as string | undefined) ?? process.env.AWS_CA_BUNDLE)
      : await startEmulator({ accountId: config.aws.accountId, pidFile: path.join(base, "emulator.pid") });
  } catch (e) {
    reporter.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  for (const sig of ["SIGINT", "SIGTERM"] as const)
    process.on(sig, () => {
      emulator.stop();
      process.exit(130);
    });
  const [emulatorName, shims] = emulator.description.split("; shims: ");
  reporter.line(`emulator: ${emulatorName} at ${emulator.endpoint}; terraform ${tf.version}`);
  if (shims) reporter.line(`  shims (tools/rehearse/emulator.py): ${shims.split("; ").join("\n    ")}`);

  for (const s of stacks) {
    const tfJson = JSON.parse(fs.readFileSync(s.file, "utf8")) as TerraformJson;
    fs.writeFileSync(path.join(s.dir, OVERRIDE_FILE), `${JSON.stringify(rehearsalOverride(tfJson, emulator.endpoint), null, 2)}\n`);
  }
  const ctx: RehearsalContext = {
    tf,
    env: rehearsalEnv(tf.env, { endpoint: emulator.endpoint, caBundle: emulator.caBundle, region: config.aws.region }),
    emulator,
    loaded,
    stacks,
    reporter,
    ...freshTiming({ reattach: args.values["no-shared-providers"] !== true }),
  };

  const timings: Record<string, number> = {};
  const costs: PhaseCost[] = [];
  // Wall and CPU (user + sys) per phase: Terraform with its providers (this process's finished
  // children), the emulator (its own process), and this tool.
  const snapshot = () => ({
    wall: Date.now(),
    terraform: processCpuMs("self", { children: true }),
    emulator: processCpuMs(emulator.pid),
    // The shared providers are this tool's children but still running: their CPU is read directly.
    providers: (ctx.providers.pool?.pids ?? []).reduce((sum, pid) => sum + (processCpuMs(pid) ?? 0), 0),
    tool: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
  });
  let mark = snapshot();
  const endPhase = (phase: Phase) => {
    const now = snapshot();
    const d = (a?: number, b?: number) => (a === undefined || b === undefined ? undefined : Math.round(a - b));
    costs.push({
      phase,
      wallMs: now.wall - mark.wall,
      terraformCpuMs: d((now.terraform ?? 0) + now.providers, (mark.terraform ?? 0) + mark.providers),
      emulatorCpuMs: d(now.emulator, mark.emulator),
      toolCpuMs: d(now.tool, mark.tool),
    });
    timings[phase] = now.wall - mark.wall;
    mark = now;
  };
  let faults: FaultResult[] = [];
  const outcomes = new Map<string, StackOutcome>();
  const seeded: string[] = [];
  try {
    // Hosted zones the configuration names by id exist before the kit in a real account: create
    // them in the emulator first, under those ids (the launcher's route53 shim keeps the id).
    const zones = preexistingZones(config);
    if (zones.length && from) reporter.line(`hosted zones before the kit: ${zones.length} (--from: assumed seeded already)`);
    else
      for (const z of zones) {
        const r = await awsRestXmlCall(emulator, {
          service: "route53",
          region: "us-east-1",
          method: "POST",
          path: "/2013-04-01/hostedzone",
          body: seedZoneRequest(z),
        });
        const ok = r.status < 300 && r.body.includes(`/hostedzone/${z.id}<`);
        reporter.line(
          `hosted zone before the kit: ${z.id} ${z.name} (${z.paths.join(", ")}): ${ok ? "seeded" : `NOT SEEDED (${r.status}${r.body.includes("<Id>") ? ": the emulator chose another id; only the launcher's moto keeps it" : ""})`}`,
        );
        if (ok) seeded.push(`${z.id} ${z.name}`);
      }
    mark = snapshot();
    reporter.line("\n== deploy");
    const deployed = args.values.faults ? new Map<string, StackOutcome>() : await deploy(ctx, from);
    if (args.values.faults) {
      faults = await runFaults(ctx, deployed);
    }
    for (const [k, v] of deployed) outcomes.set(k, v);
    endPhase("deploy");

    const allDeployed = [...outcomes.values()].every((o) => o.status === "applied" || o.status === "partial");
    if (allDeployed) {
      reporter.line("\n== re-plan (must show no changes; all stacks at once)");
      ctx.timing.phase = "replan";
      const replans = await replanAll(ctx, (name) =>
        (outcomes.get(name)?.notApplied ?? []).filter((m) => m.explained).map((m) => m.address),
      );
      for (const s of stacks) {
        const verdict = replans.byStack.get(s.name)!;
        outcomes.set(s.name, { ...outcomes.get(s.name)!, replan: verdict });
        const error = replans.results.find((r) => r.stack === s.name)?.error;
        const note = error
          ? `FAILED: ${error.split("\n")[0]}`
          : verdict.clean
            ? `no changes${verdict.tolerated.length ? ` (${verdict.tolerated.length} emulator gaps)` : ""}`
            : `${verdict.unexpected.length} UNEXPECTED`;
        reporter.line(`  ${s.name.padEnd(14)} ${note}`);
        for (const d of verdict.unexpected) reporter.line(`      ${d.actions.join("/")} ${d.address} [${d.attributes.join(", ")}]`);
        for (const d of verdict.tolerated) reporter.line(`      tolerated ${d.address} [${d.attributes.join(", ")}]: ${d.gap!.reason}`);
      }
      endPhase("replan");
    }

    if (!args.values.keep) {
      reporter.line("\n== destroy (reverse order)");
      ctx.timing.phase = "destroy";
      mark = snapshot();
      // A stack the deploy never reached has no state (and no initialised backend) to destroy.
      const destroyed = await destroyAll(
        ctx,
        (name) => (outcomes.get(name)?.applied ?? 0) > 0 || ["applied", "partial"].includes(outcomes.get(name)?.status ?? ""),
      );
      for (const [name, d] of destroyed) {
        const o = outcomes.get(name);
        if (!o) continue;
        // prevent_destroy must refuse exactly what it guards: no more, no less.
        const asExpected =
          (d.destroy === "destroyed" && d.expectedProtected.length === 0) ||
          (d.destroy === "protected" &&
            d.expectedProtected.length > 0 &&
            d.protectedAddresses!.every((a) => d.expectedProtected.includes(a))) ||
          d.destroy === "not run";
        outcomes.set(name, { ...o, destroy: asExpected ? d.destroy : "failed", protectedAddresses: d.protectedAddresses });
        if (!asExpected)
          reporter.line(
            `  ${name}: destroy ${d.destroy}, expected ${d.expectedProtected.length ? `refusal for ${d.expectedProtected.join(", ")}` : "destroyed"}${d.message ? `\n${d.message}` : ""}`,
          );
      }
      endPhase("destroy");
    }
  } finally {
    ctx.providers.pool?.stop();
    emulator.stop();
  }
  if (ctx.providers.note) reporter.line(`providers: ${ctx.providers.note}`);

  const rows = stacks.map((s) => {
    const o = outcomes.get(s.name);
    if (!o) return [s.name, s.resources, "-", "-", "not run", "-", "-", "-"];
    const replanCell = o.replan
      ? o.replan.clean
        ? o.replan.tolerated.length
          ? `clean (${o.replan.tolerated.length} gaps)`
          : "clean"
        : "CHANGES"
      : "-";
    return [
      s.name,
      s.resources,
      o.applied ?? "-",
      o.notApplied?.length ?? 0,
      o.status,
      o.applyMs === undefined ? "-" : formatDuration(o.applyMs),
      replanCell,
      o.destroy ?? "-",
    ];
  });
  reporter.line("");
  reporter.line(table(["stack", "resources", "in state", "not applied", "apply", "time", "re-plan", "destroy"], rows));
  const all_ = [...outcomes.values()];
  const notApplied = all_.flatMap((o) => (o.notApplied ?? []).map((m) => ({ stack: o.stack, ...m })));
  reporter.line(`\nnot applied (emulator gaps, ${EMULATOR}): ${notApplied.length}`);
  for (const n of notApplied) reporter.line(`  ${n.stack}: ${n.address}: ${n.reason}`);
  if (faults.length) {
    reporter.line("\nfault cases:");
    reporter.line(
      table(
        ["case", "result", "evidence"],
        faults.map((f) => [f.name, f.ok ? "pass" : "FAIL", f.evidence]),
      ),
    );
  }
  const breakdown = stepBreakdown(
    ctx.timing.steps,
    stacks.map((s) => s.name),
  );
  const fmt = (ms: number) => (ms ? formatDuration(ms) : "-");
  reporter.line("\nwhere the time goes (wall time of each stack's Terraform runs; re-plans overlap):");
  reporter.line(
    table(
      ["stack", "init", "apply", "re-plan", "destroy", "runs"],
      breakdown.map((b) => [b.stack, fmt(b.init), fmt(b.apply), fmt(b.replan), fmt(b.destroy), b.runs]),
    ),
  );
  const cpu = (ms?: number) => (ms === undefined ? "n/a" : formatDuration(ms));
  reporter.line(
    table(
      ["phase", "wall", "terraform+providers cpu", "emulator cpu", "tool cpu"],
      costs.map((c) => [c.phase, formatDuration(c.wallMs), cpu(c.terraformCpuMs), cpu(c.emulatorCpuMs), cpu(c.toolCpuMs)]),
    ),
  );
  const slow = slowest(ctx.timing.resources, 10);
  if (slow.length) {
    reporter.line("slowest resources (their own time inside the apply: mostly the provider's waiters):");
    for (const r of slow) reporter.line(`  ${String(r.seconds).padStart(4)}s  ${r.stack}: ${r.action} ${r.address}`);
  }
  if (seeded.length) reporter.line(`hosted zones seeded before the deploy (exist before the kit): ${seeded.join(", ")}`);
  const ok = rehearsalPassed(all_, { replan: true }) && all_.length === stacks.length && faults.every((f) => f.ok);
  const total = Date.now() - started;
  reporter.line(
    `\nrehearsal ${ok ? "PASSED" : "FAILED"}: ${loaded.key} in ${formatDuration(total)} (deploy ${formatDuration(timings.deploy ?? 0)}, re-plan ${formatDuration(timings.replan ?? 0)}, destroy ${formatDuration(timings.destroy ?? 0)})`,
  );
  reporter.result({
    command: "rehearse",
    ok,
    env: loaded.key,
    emulator: emulator.description,
    endpoint: emulator.endpoint,
    timings: { ...timings, total },
    costs,
    breakdown,
    slowest: slow,
    seededZones: seeded,
    stacks: all_,
    notApplied,
    faults,
  });
  process.exitCode = ok ? 0 : 1;
}

if (require.main === module) runMain(main);
