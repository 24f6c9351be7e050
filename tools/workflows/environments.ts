/**
 * The environments the pipelines deploy: every environment of environments/ (examples are not
 * deployed) whose configuration sets `ci.github.repository`, in promotion order (tier dev, staging,
 * prod; then name). For each, its synthesized stacks and which layers each stack reads.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfigFile } from "../../core/config/loader";
import { TIERS, type LayerName, type PlatformConfig } from "../../core/config/schema";
import { ciTarget, type CiTarget } from "../../layers/bootstrap/config";
import { BOOTSTRAP_STACK, LAYERS, type LayerDefinition } from "../../core/registry";
import { defaultSystemEnvironments, type EnvironmentRef } from "../lib/environments";
import { readStacks, synthesizeAtomically, type TerraformJson } from "../lib/synth";
import { WORK_DIR } from "../lib/terraform";
import { DEFAULT_BRANCH } from "./settings";

export interface CiEnvironment {
  /** `dev`: the name PLATFORM_ENV and `npm run synth -- --env` take. */
  readonly name: string;
  readonly file: string;
  readonly config: PlatformConfig;
  readonly target: CiTarget;
}

export interface StackInfo {
  /** Stack name (`network`, `bootstrap`). */
  readonly stack: string;
  /** The layer, or undefined for bootstrap. */
  readonly layer?: LayerDefinition;
  /** Layers whose state this stack reads (terraform_remote_state), in registry order. */
  readonly reads: readonly LayerName[];
  readonly json: TerraformJson;
}

/** Promotion order: tier (dev < staging < prod), then name. */
export function promotionOrder<T extends { name: string; config: Pick<PlatformConfig, "tier"> }>(envs: readonly T[]): T[] {
  return [...envs].sort((a, b) => TIERS.indexOf(a.config.tier) - TIERS.indexOf(b.config.tier) || a.name.localeCompare(b.name));
}

/** Loads the environments and keeps those with a CI identity, in promotion order. */
export function loadCiEnvironments(refs: readonly EnvironmentRef[] = defaultSystemEnvironments()): CiEnvironment[] {
  const out: CiEnvironment[] = [];
  for (const ref of refs) {
    const config = loadConfigFile(ref.file).config;
    const target = ciTarget(config);
    if (target) out.push({ name: ref.name, file: ref.file, config, target });
  }
  return promotionOrder(out);
}

/** Problems that make a set of CI environments impossible to serve from one set of workflows. */
export function ciEnvironmentProblems(envs: readonly CiEnvironment[]): string[] {
  const problems: string[] = [];
  const repos = [...new Set(envs.map((e) => e.target.repository))];
  if (repos.length > 1) {
    problems.push(
      `the CI environments name different repositories (${envs.map((e) => `${e.name}: ${e.target.repository}`).join(", ")}); the workflows of one repository serve them all`,
    );
  }
  for (const e of envs) {
    if (!e.config.ci.github.planBranches.includes(DEFAULT_BRANCH)) {
      problems.push(
        `${e.name}: ci.github.planBranches must include ${DEFAULT_BRANCH}, the branch the deploy pipeline plans on (found ${e.config.ci.github.planBranches.join(", ")})`,
      );
    }
  }
  const githubEnvs = new Map<string, string>();
  for (const e of envs) {
    const other = githubEnvs.get(e.target.githubEnvironment);
    if (other)
      problems.push(
        `${other} and ${e.name} share the GitHub environment ${e.target.githubEnvironment}; each needs its own (its reviewers guard one apply role)`,
      );
    githubEnvs.set(e.target.githubEnvironment, e.name);
  }
  return problems;
}

/** The producer layer of a state key `<prefix>/<project>/<env>/NN-<layer>.tfstate`. */
export function producerOfKey(key: string): LayerName | undefined {
  const m = /(?:^|\/)(\d\d)-([a-z0-9-]+)\.tfstate$/.exec(key);
  if (!m) return undefined;
  return LAYERS.find((l) => l.number === m[1] && l.name === m[2])?.name;
}

/** Layers a synthesized stack reads through terraform_remote_state, in registry order. */
export function stackReads(json: TerraformJson): LayerName[] {
  const remotes = (json.data?.terraform_remote_state ?? {}) as Record<string, { config?: { key?: unknown } }>;
  const found = new Set<LayerName>();
  for (const [name, remote] of Object.entries(remotes)) {
    const key = remote.config?.key;
    const producer = typeof key === "string" ? producerOfKey(key) : undefined;
    if (!producer) throw new Error(`data.terraform_remote_state.${name} reads ${JSON.stringify(key)}, which is no layer's state key`);
    found.add(producer);
  }
  return LAYERS.filter((l) => found.has(l.name)).map((l) => l.name);
}

/** The stacks of a cdktf output directory, in deploy order, with what each reads. */
export function stacksOf(outdir: string): StackInfo[] {
  return readStacks(outdir).map((s) => {
    const json = JSON.parse(fs.readFileSync(s.file, "utf8")) as TerraformJson;
    return { stack: s.name, layer: LAYERS.find((l) => l.name === s.name), reads: s.name === BOOTSTRAP_STACK ? [] : stackReads(json), json };
  });
}

/** Synthesizes an environment into `.work/<purpose>/<name>` and returns its stacks. */
export function synthesizeStacks(env: Pick<CiEnvironment, "name" | "config">, purpose: string): StackInfo[] {
  const outdir = path.join(WORK_DIR, purpose, env.name);
  synthesizeAtomically(env.config, outdir);
  return stacksOf(outdir);
}
