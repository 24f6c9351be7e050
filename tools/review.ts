/**
 * npm run review [-- --env <name|file>] [--against <name|file>] [--fail-on high|medium|low|none]
 *                  [--usage <file.json>] [--ignore-plans] [--print] [--json] [--out <dir>]
 *
 * A reviewer's report per environment: inventory per layer, policy findings (tools/review/rules),
 * estimated monthly cost, loss-of-one-AZ analysis, a Mermaid diagram and, with --against, what
 * differs from another environment. Each environment is synthesized into
 * .work/review/<envKey>/cdktf.out; values the configuration leaves to the provider are taken from
 * `npm run plan`'s .work/plan/<envKey>/<stack>/plan.json when present. Writes
 * .work/review/<envKey>/report.md, report.json and diagram.mmd, and prints a summary.
 *
 * Exit 1 when an environment fails the gate: by default an open high finding in a prod-tier
 * environment; with --fail-on, an open finding at or above that severity in any environment; and,
 * in every environment whatever the tier, any broken flow (tools/review/flows).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfigFile, type LoadedConfig } from "../core/config/loader";
import type { OptionSpecs } from "./lib/args";
import { startTool } from "./lib/cli";
import type { EnvironmentRef } from "./lib/environments";
import { environmentsOrExit, rel } from "./lib/harness";
import { formatDuration, table } from "./lib/report";
import { synthesizeAtomically } from "./lib/synth";
import { WORK_DIR } from "./lib/terraform";
import { codeHop, locateAll } from "./lib/where";
import { selectEnvironments } from "./lib/environments";
import { diffEnvironments } from "./review/diff";
import {
  defaultFailOn,
  environmentInfo,
  failsFlowGate,
  failsGate,
  readSynthesized,
  reviewModel,
  EnvModel,
  type EnvironmentInfo,
  type ReviewResult,
} from "./review/index";
import type { Severity } from "./review/policy";
import { renderMarkdown, summaryLine, toJson } from "./review/report";

const OPTIONS: OptionSpecs = {
  env: {
    type: "strings",
    optionalValue: true,
    value: "<name|file>",
    description:
      "Only these environments (repeat or comma-separate; bare --env: the one PLATFORM_ENV names). Default: all, examples included.",
  },
  against: {
    type: "string",
    value: "<name|file>",
    description: "Also show what differs from this environment (config keys and resources).",
  },
  "fail-on": {
    type: "string",
    value: "<high|medium|low|none>",
    description:
      "Exit 1 when any reviewed environment has an open finding at or above this severity. Default: high, for prod-tier environments only.",
  },
  usage: {
    type: "strings",
    value: "<file.json>",
    description: "Usage assumptions overriding tools/review/usage-defaults.json (repeatable).",
  },
  "ignore-plans": { type: "boolean", description: "Do not read .work/plan/<env>/<stack>/plan.json (synthesized configuration only)." },
  print: { type: "boolean", description: "Print the whole Markdown report (not only the summary) to stdout." },
  out: { type: "string", value: "<dir>", description: "Where reports go (default .work/review)." },
  json: { type: "boolean", description: "Print a JSON result on stdout (human lines go to stderr)." },
};

interface Prepared {
  readonly ref: EnvironmentRef;
  readonly loaded: LoadedConfig;
  readonly info: EnvironmentInfo;
  readonly model: EnvModel;
}

const FAIL_ON = ["high", "medium", "low", "none"] as const;

function main(): void {
  const { args, reporter } = startTool(
    "npm run review -- [options]",
    "Inventory, policy findings, cost, AZ-loss analysis and a diagram per environment.",
    OPTIONS,
  );
  const failOnArg = args.values["fail-on"] as string | undefined;
  if (failOnArg !== undefined && !(FAIL_ON as readonly string[]).includes(failOnArg)) {
    reporter.error(`error: --fail-on expects one of ${FAIL_ON.join(", ")}, found ${JSON.stringify(failOnArg)}`);
    process.exit(2);
  }
  const outRoot = path.resolve((args.values.out as string | undefined) ?? path.join(WORK_DIR, "review"));
  const usage = ((args.values.usage as string[] | undefined) ?? []).map((f) => {
    try {
      return JSON.parse(fs.readFileSync(f, "utf8")) as unknown;
    } catch (e) {
      reporter.error(`error: --usage ${f}: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(2);
    }
  });
  const envs = environmentsOrExit(args.values.env as string[] | undefined, reporter);
  const started = Date.now();

  const cache = new Map<string, Prepared | { error: string; ref: EnvironmentRef }>();
  const prepare = (ref: EnvironmentRef): Prepared | { error: string; ref: EnvironmentRef } => {
    const hit = cache.get(ref.key);
    if (hit) return hit;
    let result: Prepared | { error: string; ref: EnvironmentRef };
    try {
      const loaded = loadConfigFile(ref.file);
      const outdir = path.join(outRoot, ref.key, "cdktf.out");
      synthesizeAtomically(loaded.config, outdir);
      const stacks = readSynthesized(outdir, args.values["ignore-plans"] ? undefined : path.join(WORK_DIR, "plan", ref.key));
      result = { ref, loaded, info: environmentInfo(loaded.config, ref), model: new EnvModel(stacks) };
    } catch (e) {
      result = { ref, error: e instanceof Error ? e.message : String(e) };
    }
    cache.set(ref.key, result);
    return result;
  };

  let against: Prepared | undefined;
  if (args.values.against !== undefined) {
    const refs = (() => {
      try {
        return selectEnvironments([String(args.values.against)]);
      } catch (e) {
        reporter.error(e instanceof Error ? e.message : String(e));
        process.exit(1);
      }
    })();
    const p = prepare(refs[0]);
    if ("error" in p) {
      reporter.error(`--against ${refs[0].name}: ${p.error}`);
      process.exit(1);
    }
    against = p;
  }

  const rows: (string | number)[][] = [];
  const results: unknown[] = [];
  let failed = false;
  for (const ref of envs) {
    const t0 = Date.now();
    const p = prepare(ref);
    if ("error" in p) {
      failed = true;
      reporter.line(`${ref.key}: FAILED\n${p.error}`);
      rows.push([ref.key, "-", "-", "-", "-", "-", "-", "-", "failed", "-"]);
      results.push({ env: { name: ref.name, key: ref.key }, ok: false, error: p.error });
      continue;
    }
    // Each finding names the kit's lines that make its resource (built once per environment, on the first finding).
    let hops: Map<string, string> | undefined;
    const codeOf = (stack: string, address: string) =>
      (hops ??= new Map(locateAll(p.loaded.config).map((l) => [`${l.stack} ${l.address}`, codeHop(l)]))).get(`${stack} ${address}`);
    let review: ReviewResult = reviewModel(p.model, p.info, { usage, code: codeOf });
    if (against && against.ref.key !== ref.key) {
      review = {
        ...review,
        diff: diffEnvironments(
          { id: p.info.identity, config: p.loaded.config, model: p.model },
          { id: against.info.identity, config: against.loaded.config, model: against.model },
        ),
      };
    }
    const failOn: Severity | "none" = (failOnArg as Severity | "none" | undefined) ?? defaultFailOn(p.info.tier);
    const flowsFailed = failsFlowGate(review);
    const gateFailed = failsGate(review, failOn) || flowsFailed;
    const gate = { failOn, failed: gateFailed, brokenFlows: review.flows.counts.broken };
    failed ||= gateFailed;
    const dir = path.join(outRoot, ref.key);
    fs.mkdirSync(dir, { recursive: true });
    const markdown = renderMarkdown(review, gate);
    fs.writeFileSync(path.join(dir, "report.md"), markdown);
    fs.writeFileSync(path.join(dir, "report.json"), `${JSON.stringify(toJson(review, gate), null, 2)}\n`);
    fs.writeFileSync(path.join(dir, "diagram.mmd"), review.diagram);
    for (const f of fs.readdirSync(dir)) if (/^diagram-.+\.mmd$/.test(f)) fs.rmSync(path.join(dir, f));
    for (const d of review.layerDiagrams)
      fs.writeFileSync(path.join(dir, `diagram-${d.number === "--" ? "00" : d.number}-${d.layer}.mmd`), d.text);
    const why = [
      failsGate(review, failOn) ? `open findings at ${failOn} or above` : "",
      flowsFailed ? `${review.flows.counts.broken} broken flows` : "",
    ]
      .filter(Boolean)
      .join("; ");
    reporter.line(`${summaryLine(review)}${gateFailed ? `  GATE FAILED (${why})` : ""}  [${formatDuration(Date.now() - t0)}]`);
    for (const f of review.flows.flows.filter((x) => x.status === "broken"))
      reporter.line(`  broken flow ${f.id}: ${f.broken!.hop}: ${f.broken!.reason}`);
    if (review.diff) {
      const d = review.diff;
      reporter.line(
        `  against ${d.b}: ${d.config.length} config keys differ; ${d.resourcesOnlyIn.a.length} resources only in ${d.a}, ${d.resourcesOnlyIn.b.length} only in ${d.b}, ${d.changed.length} changed`,
      );
    }
    if (args.values.print === true && !reporter.json) process.stdout.write(`\n${markdown}\n`);
    const c = review.policy.counts;
    rows.push([
      ref.key,
      p.info.tier,
      c.high,
      c.medium,
      c.low,
      c.suppressed,
      review.cost.priceFile ? review.cost.totals.totalUsd.toFixed(2) : "-",
      review.availability.survivesAzLoss ? "survives" : "breaks",
      `${review.flows.counts.broken}/${review.flows.flows.length}`,
      gateFailed ? `FAIL (${failOn})` : failOn === "none" ? "-" : `ok (${failOn})`,
    ]);
    results.push({ ...(toJson(review, gate) as object), ok: !gateFailed, report: rel(path.join(dir, "report.md")) });
  }

  reporter.line("");
  reporter.line(
    table(["environment", "tier", "high", "medium", "low", "suppressed", "USD/month", "AZ loss", "broken flows", "gate"], rows),
  );
  reporter.line(
    `\nreview ${failed ? "FAILED" : "ok"}: ${envs.length} environment${envs.length === 1 ? "" : "s"}; reports in ${rel(outRoot)}/<env>/report.md; ${formatDuration(Date.now() - started)}`,
  );
  reporter.result({ command: "review", ok: !failed, ms: Date.now() - started, results });
  process.exitCode = failed ? 1 : 0;
}

main();
