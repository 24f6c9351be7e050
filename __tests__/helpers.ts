/**
 * Test helpers: load environments (cached), load with overrides, synthesize one layer stack,
 * and query the synthesized Terraform JSON.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { stringify } from "yaml";
import { ENVIRONMENTS_DIR, loadConfigFile } from "../core/config/loader";
import type { PlatformConfig } from "../core/config/schema";
import type { PlatformStack } from "../core/layer-stack";
import { BOOTSTRAP_STACK, LAYERS } from "../core/registry";
import type { Construct } from "constructs";
import { cachedConfig, cachedStackSynthesis, dataKey, synthesizedStacks } from "./fixtures/synth-cache";

/** The default system's environments; every layer is asserted for each. */
export const ENVIRONMENTS = ["dev", "staging", "prod"] as const;

const cache = new Map<string, PlatformConfig>();

/** A validated environment of the default system (cached; treat as read-only). */
export function env(name: string): PlatformConfig {
  let cfg = cache.get(name);
  if (!cfg) {
    cfg = cachedConfig(`env ${name}`, () => loadConfigFile(path.join(ENVIRONMENTS_DIR, `${name}.yaml`)).config);
    cache.set(name, cfg);
  }
  return cfg;
}

/**
 * An environment with overrides deep-merged on top (lists replace), validated by the real loader
 * through a temporary file that extends the environment.
 */
export function envWith(name: string, overrides: Record<string, unknown>): PlatformConfig {
  const key = dataKey(overrides);
  return key === undefined ? loadWith(name, overrides) : cachedConfig(`envWith ${name} ${key}`, () => loadWith(name, overrides));
}

function loadWith(name: string, overrides: Record<string, unknown>): PlatformConfig {
  return withTempDir("platform-cfg-", (dir) => {
    const file = path.join(dir, `${name}-override.yaml`);
    fs.writeFileSync(file, stringify({ extends: path.join(ENVIRONMENTS_DIR, `${name}.yaml`), ...overrides }));
    return loadConfigFile(file).config;
  });
}

/** Runs `use` with a new temporary directory (named from `prefix`) and removes the directory afterwards, whatever `use` does. */
export function withTempDir<T>(prefix: string, use: (dir: string) => T): T {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    return use(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface Synthesized {
  /** The stack's Terraform JSON. */
  readonly tf: TerraformJson;
  /** The same as a string, for cdktf's matchers. */
  readonly raw: string;
}

export interface TerraformJson {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown; description?: string }>;
  provider?: Record<string, Record<string, unknown>[]>;
  terraform?: Record<string, unknown> & { backend?: Record<string, Record<string, unknown>> };
  [key: string]: unknown;
}

type StackClass = new (scope: Construct, config: PlatformConfig) => PlatformStack;

/** Synthesizes one stack class for a config, with validations run (a kit class: cached, fixtures/synth-cache.ts). */
export function synth(Stack: StackClass, config: PlatformConfig): Synthesized {
  const raw = cachedStackSynthesis(Stack, config, () => {
    const app = Testing.app();
    const stack = new Stack(app, config);
    return Testing.synth(stack, true);
  });
  return { tf: JSON.parse(raw) as TerraformJson, raw };
}

/** Resources of a type, by address name. */
export function resources(tf: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return tf.resource?.[type] ?? {};
}

/** The one resource of a type with a given name; throws with the names present when absent. */
export function resource(tf: TerraformJson, type: string, name: string): Record<string, unknown> {
  const all = resources(tf, type);
  if (!(name in all)) throw new Error(`no ${type}.${name}; present: ${Object.keys(all).join(", ") || "none"}`);
  return all[name];
}

/** One stack of synthAll()'s result; throws with the stacks present when absent. */
export function stackOf(stacks: Record<string, TerraformJson>, name: string): TerraformJson {
  if (!(name in stacks)) throw new Error(`no stack ${name}; present: ${Object.keys(stacks).join(", ") || "none"}`);
  return stacks[name];
}

/** Every address (`type.name`) in the stack, sorted. */
export function addresses(tf: TerraformJson): string[] {
  const out: string[] = [];
  for (const [type, byName] of Object.entries(tf.resource ?? {})) for (const name of Object.keys(byName)) out.push(`${type}.${name}`);
  for (const [type, byName] of Object.entries(tf.data ?? {})) for (const name of Object.keys(byName)) out.push(`data.${type}.${name}`);
  return out.sort();
}

/** Parses a JSON policy string from a resource property. */
export function policy(value: unknown): { Statement: Array<Record<string, unknown>> } {
  if (typeof value !== "string") throw new Error(`expected a policy JSON string, got ${typeof value}`);
  return JSON.parse(value) as { Statement: Array<Record<string, unknown>> };
}

const ROOT = path.resolve(__dirname, "..");

/** Every shipped configuration: the default system's environments and every example's environment files. */
export const ALL_CONFIGS: readonly string[] = [
  ...ENVIRONMENTS,
  ...fs
    .readdirSync(path.join(ROOT, "examples"), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      ["dev", "staging", "prod"]
        .filter((e) => fs.existsSync(path.join(ROOT, "examples", d.name, `${e}.yaml`)))
        .map((e) => `examples/${d.name}/${e}.yaml`),
    ),
];

/** A shipped configuration by environment name (`prod`) or example path (`examples/ims2/prod.yaml`), cached. */
export function anyConfig(name: string): PlatformConfig {
  if (!name.includes("/")) return env(name);
  let cfg = cache.get(name);
  if (!cfg) {
    cfg = cachedConfig(`config ${name}`, () => loadConfigFile(path.join(ROOT, name)).config);
    cache.set(name, cfg);
  }
  return cfg;
}

/** Every layer stack of a configuration, synthesized the way `cdktf synth` does (stack name -> Terraform JSON, in layer order). */
export function synthAll(cfg: PlatformConfig): Record<string, TerraformJson> {
  const order = (name: string) => LAYERS.findIndex((l) => l.name === name);
  const layers = synthesizedStacks(cfg).filter((s) => s.name !== BOOTSTRAP_STACK);
  return Object.fromEntries(layers.sort((a, b) => order(a.name) - order(b.name)).map((s) => [s.name, s.tf as TerraformJson]));
}

/** A shipped example's environment (`examples/<system>/<environment>.yaml`), loaded and synthesized: its config and its layer stacks. */
export function exampleEnvironment(system: string, environment: string) {
  const cfg = anyConfig(`examples/${system}/${environment}.yaml`);
  const layers = synthAll(cfg);
  return { cfg, layers, stack: (name: string): TerraformJson => stackOf(layers, name) };
}

/** The example's environment is its system's project in us-west-2, in the given account, on the tier named like the environment. */
export function expectExampleProject(cfg: PlatformConfig, project: string, environment: string, accountId: string): void {
  expect(cfg).toMatchObject({ project, environment, tier: environment, aws: { region: "us-west-2", accountId } });
}

/** prod with a third availability zone (us-west-2c) and a subnet of each tier in it, the existing subnets' CIDRs unchanged. */
export function prodWithThirdAz(): PlatformConfig {
  return envWith("prod", {
    aws: { azs: ["us-west-2a", "us-west-2b", "us-west-2c"] },
    network: {
      subnets: {
        public: ["10.0.1.0/24", "10.0.2.0/24", "10.0.7.0/24"],
        app: ["10.0.3.0/24", "10.0.4.0/24", "10.0.8.0/24"],
        data: ["10.0.5.0/24", "10.0.6.0/24", "10.0.9.0/24"],
      },
    },
  });
}

/** The variables a service reads its database connection from unless it names its own: DB_ and the key in upper snake case. */
export const DEFAULT_DB_VARIABLES: Record<string, string> = Object.fromEntries(
  ["host", "port", "name", "user", "sslMode", "region", "secretArn"].map((key) => [
    key,
    `DB_${key.replace(/[A-Z]/g, "_$&").toUpperCase()}`,
  ]),
);

/** The addresses the `after` stack adds to the `before` stack, sorted; fails the test when `after` drops or renames any of `before`'s. */
export function addedAddresses(before: TerraformJson, after: TerraformJson): string[] {
  const was = addresses(before);
  const is = addresses(after);
  expect(was.filter((a) => !is.includes(a))).toEqual([]);
  return is.filter((a) => !was.includes(a));
}

/** The stack keeps its state at `key` in the environment's state bucket, encrypted, with the S3 lockfile unless backend.lockMode is dynamodb alone. */
export function expectS3Backend(tf: TerraformJson, cfg: PlatformConfig, key: string): Record<string, unknown> {
  const s3 = tf.terraform!.backend!.s3;
  expect(s3).toMatchObject({ bucket: cfg.backend.bucket, key, encrypt: true, region: "us-west-2" });
  expect(s3.use_lockfile).toBe(cfg.backend.lockMode === "dynamodb" ? undefined : true);
  return s3;
}
