/**
 * The review of one environment: inventory, policy findings, cost, availability, diagram, and
 * optionally a diff against another environment. Pure functions over the synthesized stacks; the
 * CLI (tools/review.ts) synthesizes, reads plans and writes the report files.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { PlatformConfig } from "../../core/config/schema";
import { analyseAvailability, type AvailabilityReport } from "./availability";
import { estimateCost, usageFor, type CostReport } from "./cost";
import { layerDiagrams, mermaidDiagram, type LayerDiagram } from "./diagram";
import type { EnvDiff, Identity } from "./diff";
import { inventory, type LayerInventory } from "./inventory";
import { EnvModel, type PlanJson, type StackInput, type TerraformJson } from "./model";
import { countBySeverity, runPolicy, tierSettings, type PolicyResult, type Rule, type Severity } from "./policy";
import { RULES } from "./rules";
import { proveFlows, type FlowReport } from "./flows/index";

export interface EnvironmentInfo {
  /** What a person calls it: `dev`, `examples/ims/prod.yaml`. */
  readonly name: string;
  /** Output folder key: `dev`, `examples-ims-prod`. */
  readonly key: string;
  readonly file?: string;
  readonly project: string;
  readonly environment: string;
  readonly tier: string;
  readonly region: string;
  readonly azs: readonly string[];
  readonly accountId?: string;
  readonly protection: { readonly data: boolean; readonly availability: boolean };
  readonly identity: Identity;
}

export interface ReviewResult {
  readonly env: EnvironmentInfo;
  readonly inventory: readonly LayerInventory[];
  readonly policy: PolicyResult & { readonly counts: Record<Severity | "suppressed", number>; readonly rulesEvaluated: number };
  readonly cost: CostReport;
  readonly availability: AvailabilityReport;
  /** The overview: one node per layer, in layer order. */
  readonly diagram: string;
  /** One diagram per layer: its resources and what they are wired to. */
  readonly layerDiagrams: readonly LayerDiagram[];
  /** The flow proof (tools/review/flows): every flow the platform should carry, ok or broken. */
  readonly flows: FlowReport;
  readonly diff?: EnvDiff;
  /** Stacks whose offline plan filled provider defaults. */
  readonly plansUsed: readonly string[];
}

/** What the review needs to know about an environment, from its validated config. */
export function environmentInfo(config: PlatformConfig, ref: { name: string; key: string; file?: string }): EnvironmentInfo {
  return {
    name: ref.name,
    key: ref.key,
    file: ref.file,
    project: config.project,
    environment: config.environment,
    tier: config.tier,
    region: config.aws.region,
    azs: config.aws.azs,
    accountId: config.aws.accountId,
    protection: { data: config.protection.data, availability: config.protection.availability },
    identity: {
      key: ref.key,
      environment: config.environment,
      accountId: config.aws.accountId,
      bucket: config.backend.bucket,
      lockTable: config.backend.lockTable,
    },
  };
}

export interface ReviewOptions {
  /** Usage override documents (--usage files), applied after usage-defaults.json. */
  readonly usage?: readonly unknown[];
  /** The rule pack (default: all rules). */
  readonly rules?: readonly Rule[];
  readonly priceDir?: string;
  /** The kit's lines that make a resource (stack, address), shown beside each finding. */
  readonly code?: (stack: string, address: string) => string | undefined;
}

export function reviewModel(model: EnvModel, env: EnvironmentInfo, opts: ReviewOptions = {}): ReviewResult {
  const run = runPolicy(opts.rules ?? RULES, { model, tier: env.tier, settings: tierSettings(env.tier), protection: env.protection });
  const { code } = opts;
  const policy = code ? { ...run, findings: run.findings.map((f) => ({ ...f, code: code(f.layer, f.address) })) } : run;
  const usage = usageFor(env.tier, env.key, [...(opts.usage ?? [])]);
  return {
    env,
    inventory: inventory(model),
    policy: { ...policy, counts: countBySeverity(policy.findings), rulesEvaluated: policy.rules.filter((r) => r.evaluated > 0).length },
    cost: estimateCost(model, env.region, usage, opts.priceDir),
    availability: analyseAvailability(model, env.azs),
    diagram: mermaidDiagram(model),
    layerDiagrams: layerDiagrams(model),
    flows: proveFlows(model, flowFacts(env)),
    plansUsed: model.stacks.filter((s) => s.planUsed).map((s) => s.name),
  };
}

/**
 * Reads a cdktf output directory (manifest.json, stacks/<name>/cdk.tf.json) and, for each stack,
 * `<planDir>/<stack>/plan.json` when it exists.
 */
export function readSynthesized(outdir: string, planDir?: string): StackInput[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { name: string; synthesizedStackPath: string }>;
  };
  return Object.values(manifest.stacks)
    .filter((s) => s.synthesizedStackPath.endsWith(".json"))
    .map((s) => {
      const tf = JSON.parse(fs.readFileSync(path.join(outdir, s.synthesizedStackPath), "utf8")) as TerraformJson;
      const planFile = planDir ? path.join(planDir, s.name, "plan.json") : undefined;
      let plan: PlanJson | undefined;
      if (planFile && fs.existsSync(planFile)) {
        try {
          plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as PlanJson;
        } catch {
          plan = undefined;
        }
      }
      return { name: s.name, tf, plan };
    });
}

/** The facts the flow proof needs: account, region, partition and the name prefix of the platform's roles. */
export function flowFacts(env: EnvironmentInfo): { accountId: string; region: string; partition: string; namePrefix: string } {
  const partition = env.region.startsWith("cn-") ? "aws-cn" : env.region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
  return { accountId: env.accountId ?? "000000000000", region: env.region, partition, namePrefix: `${env.project}-${env.environment}-` };
}

/** True when any flow is broken: fails the review in every environment, whatever the tier or --fail-on. */
export function failsFlowGate(result: ReviewResult): boolean {
  return result.flows.counts.broken > 0;
}

/** The gate without --fail-on: prod-tier environments may have no open high finding; other tiers only report. */
export function defaultFailOn(tier: string): Severity | "none" {
  return tier === "prod" ? "high" : "none";
}

/** True when the environment fails the gate: any open finding at or above `failOn`. */
export function failsGate(result: ReviewResult, failOn: Severity | "none"): boolean {
  if (failOn === "none") return false;
  const order: Severity[] = ["high", "medium", "low"];
  const limit = order.indexOf(failOn);
  return result.policy.findings.some((f) => !f.suppressed && order.indexOf(f.severity) <= limit);
}

export { EnvModel };
