/**
 * What makes the Terraform ladder cheap to run again (tools/lib/ladder.ts), and why that can never
 * hide a failure: the result cache's key covers everything a result depends on (configuration,
 * mock state, Terraform, CLI config, provider lock), a failed result is never stored or served, a
 * shared init is shared only by stacks that install the same providers, and the provider settings
 * the offline plan removes are still validated by `plan --validate`.
 * No Terraform runs here (validate-cli.test.ts runs it); nothing is timed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { cacheKey, CACHE_FORMAT, InitPool, providerSkeleton, ResultCache, withoutChecksums, type CacheKeyInput } from "../tools/lib/ladder";
import { PROVIDER_SETTINGS_REMOVED } from "../tools/lib/offline";
import type { TerraformJson } from "../tools/lib/synth";
import type { TerraformSetup } from "../tools/lib/terraform";

const LOCK = [
  'provider "registry.terraform.io/hashicorp/aws" {',
  '  version     = "5.100.0"',
  '  constraints = "5.100.0"',
  "  hashes = [",
  '    "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",',
  "  ]",
  "}",
  "",
].join("\n");

const BASE: CacheKeyInput = {
  command: "plan -out=plan.bin && show -json plan.bin",
  config: '{"resource":{"aws_vpc":{"main":{"cidr_block":"10.0.0.0/16"}}}}',
  inputs: { "01-network.tfstate": '{"outputs":{"vpc_id":{"value":"vpc-mock"}}}' },
  terraformVersion: "1.11.4",
  cliConfig: "disable_checkpoint = true\n",
  lock: LOCK,
};

describe("the result cache key", () => {
  it("is the same for the same inputs, whatever order the input files come in", () => {
    const reordered = { ...BASE, inputs: { b: "2", a: "1" } };
    expect(cacheKey({ ...BASE })).toBe(cacheKey(BASE));
    expect(cacheKey(reordered)).toBe(cacheKey({ ...BASE, inputs: { a: "1", b: "2" } }));
    expect(cacheKey(BASE)).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<CacheKeyInput>]>([
    ["the stack's JSON", { config: BASE.config.replace("10.0.0.0/16", "10.1.0.0/16") }],
    [
      "the mock state it reads (a contract's mock value)",
      { inputs: { "01-network.tfstate": '{"outputs":{"vpc_id":{"value":"vpc-other"}}}' } },
    ],
    ["which mock state files it reads", { inputs: { ...BASE.inputs, "02-security.tfstate": "{}" } }],
    ["the Terraform version", { terraformVersion: "1.11.5" }],
    ["the provider version in the lock file", { lock: LOCK.replace(/5\.100\.0/g, "5.101.0") }],
    ["the provider package (its checksum)", { lock: LOCK.replace("edXOJ", "AAAAA") }],
    ["the CLI config (another mirror)", { cliConfig: 'provider_installation { filesystem_mirror { path = "/elsewhere" } }\n' }],
    ["the command", { command: "validate -json" }],
  ])("changes with %s", (_what, change) => {
    expect(cacheKey({ ...BASE, ...change })).not.toBe(cacheKey(BASE));
  });

  it("does not let two inputs run together (length-prefixed parts)", () => {
    expect(cacheKey({ ...BASE, config: "ab", command: "c" })).not.toBe(cacheKey({ ...BASE, config: "a", command: "bc" }));
    expect(cacheKey({ ...BASE, inputs: { x: "1y" } })).not.toBe(cacheKey({ ...BASE, inputs: { x1: "y" } }));
  });

  it("names its format, so a change of what an entry means misses every older entry", () => {
    expect(CACHE_FORMAT).toMatch(/^ladder-cache-\d+$/);
  });
});

describe("the result cache", () => {
  let root: string;
  let cache: ResultCache;
  const key = cacheKey(BASE);
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "ladder-cache-"));
    cache = new ResultCache(root);
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it("serves a passing result with its files", () => {
    const from = fs.mkdtempSync(path.join(root, "work-"));
    fs.writeFileSync(path.join(from, "plan.json"), '{"resource_changes":[]}');
    expect(cache.put(key, { ok: true, actions: { create: 3 } }, ["plan.json"], from)).toBe(true);
    const hit = cache.get<{ ok: boolean; actions: { create: number } }>(key, ["plan.json"]);
    expect(hit?.result.actions.create).toBe(3);
    expect(fs.readFileSync(path.join(hit!.dir, "plan.json"), "utf8")).toBe('{"resource_changes":[]}');
    expect(cache.get(cacheKey({ ...BASE, config: "{}" }))).toBeUndefined();
  });

  it("never stores a failed result", () => {
    expect(cache.put(key, { ok: false, message: "Error: Unsupported attribute" })).toBe(false);
    expect(cache.get(key)).toBeUndefined();
  });

  it("never serves an entry that does not say it passed, or whose files are gone", () => {
    const dir = path.join(root, key.slice(0, 2), key);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "result.json"), JSON.stringify({ ok: false }));
    expect(cache.get(key)).toBeUndefined();
    fs.writeFileSync(path.join(dir, "result.json"), "{not json");
    expect(cache.get(key)).toBeUndefined();
    fs.writeFileSync(path.join(dir, "result.json"), JSON.stringify({ ok: true }));
    expect(cache.get(key, ["plan.json"])).toBeUndefined();
    expect(cache.get(key)).toBeDefined();
  });

  it("forgets a key that fails now", () => {
    cache.put(key, { ok: true });
    cache.delete(key);
    expect(cache.get(key)).toBeUndefined();
  });

  it("prunes entries not used for two weeks, and keeps those served since", () => {
    const other = cacheKey({ ...BASE, config: "{}" });
    cache.put(key, { ok: true });
    cache.put(other, { ok: true });
    const old = new Date(Date.now() - 20 * 86_400_000);
    for (const k of [key, other]) fs.utimesSync(path.join(root, k.slice(0, 2), k, "result.json"), old, old);
    expect(cache.get(key)).toBeDefined(); // served now: used
    expect(cache.prune(14)).toBe(1);
    expect(cache.get(key)).toBeDefined();
    expect(cache.get(other)).toBeUndefined();
  });

  it("refuses a key that is not a hash (no path outside the cache)", () => {
    expect(() => cache.get("../../etc")).toThrow(/not a cache key/);
  });
});

describe("one init per provider set", () => {
  const tf = { version: "1.11.4", cliConfig: "disable_checkpoint = true\n" } as TerraformSetup;
  const stack = (layer: string, version = "5.100.0", bucket = "state"): TerraformJson => ({
    terraform: { required_providers: { aws: { source: "aws", version } }, backend: { s3: { bucket, key: `${layer}.tfstate` } } },
    provider: { aws: [{ region: "us-west-2", default_tags: [{ tags: { Layer: layer } }] }] },
    resource: { aws_vpc: { [layer]: { cidr_block: "10.0.0.0/16" } } },
  });

  it("is shared by stacks that install the same providers, whatever their resources and provider settings", () => {
    const pool = new InitPool(tf, "plan");
    expect(pool.fingerprint(stack("network"))).toBe(pool.fingerprint({ ...stack("security"), terraform: stack("network").terraform }));
    expect(pool.fingerprint(stack("network"))).not.toBe(pool.fingerprint(stack("network", "5.101.0")));
  });

  it("ignores the backend for validate (init -backend=false) but not for plan", () => {
    expect(new InitPool(tf, "validate").fingerprint(stack("network"))).toBe(
      new InitPool(tf, "validate").fingerprint(stack("security", "5.100.0", "other")),
    );
    expect(new InitPool(tf, "plan").fingerprint(stack("network"))).not.toBe(
      new InitPool(tf, "plan").fingerprint(stack("security", "5.100.0", "other")),
    );
  });

  it("changes with Terraform and the CLI config", () => {
    const fp = new InitPool(tf, "plan").fingerprint(stack("network"));
    expect(new InitPool({ ...tf, version: "1.11.5" } as TerraformSetup, "plan").fingerprint(stack("network"))).not.toBe(fp);
    expect(new InitPool({ ...tf, cliConfig: "x" } as TerraformSetup, "plan").fingerprint(stack("network"))).not.toBe(fp);
  });

  it("is not used by a stack with modules (their install depends on the stack's dir)", () => {
    expect(InitPool.shareable(stack("network"))).toBe(true);
    expect(InitPool.shareable({ ...stack("network"), module: { vpc: { source: "./vpc" } } })).toBe(false);
  });

  it("gives each stack the lock file without checksums, keeping version and constraints", () => {
    const lock = withoutChecksums(LOCK);
    expect(lock).not.toMatch(/hashes|h1:/);
    expect(lock).toContain('version     = "5.100.0"');
    expect(lock).toContain('constraints = "5.100.0"');
    expect(lock.trim().endsWith("}")).toBe(true);
  });
});

describe("plan --validate: the provider settings the offline plan removes", () => {
  const tf = (provider: Record<string, unknown>[]): TerraformJson => ({
    terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } }, backend: { s3: { bucket: "b" } } },
    provider: { aws: provider },
    resource: { aws_vpc: { main: {} } },
  });

  it("are validated on their own, with a data source per provider block so Terraform checks it", () => {
    const sk = providerSkeleton(
      tf([
        { region: "us-west-2", allowed_account_ids: ["111111111111"], default_tags: [{ tags: { Layer: "network" } }] },
        { alias: "us_east_1", region: "us-east-1", assume_role: [{ role_arn: "arn:aws:iam::111111111111:role/deploy" }] },
      ]),
      PROVIDER_SETTINGS_REMOVED,
    );
    expect(sk).toEqual({
      terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } } },
      provider: {
        aws: [
          { region: "us-west-2", allowed_account_ids: ["111111111111"] },
          { alias: "us_east_1", region: "us-east-1", assume_role: [{ role_arn: "arn:aws:iam::111111111111:role/deploy" }] },
        ],
      },
      data: { aws_partition: { provider_0: {}, provider_1: { provider: "aws.us_east_1" } } },
    });
  });

  it("is the same for stacks that differ only in what the plan validates (tags, resources)", () => {
    const a = providerSkeleton(
      tf([{ region: "us-west-2", allowed_account_ids: ["1"], default_tags: [{ tags: { Layer: "a" } }] }]),
      PROVIDER_SETTINGS_REMOVED,
    );
    const b = providerSkeleton(
      tf([{ region: "us-west-2", allowed_account_ids: ["1"], default_tags: [{ tags: { Layer: "b" } }] }]),
      PROVIDER_SETTINGS_REMOVED,
    );
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it("is nothing when the stack sets none of them (the plan validates the rest)", () => {
    expect(providerSkeleton(tf([{ region: "us-west-2" }]), PROVIDER_SETTINGS_REMOVED)).toBeUndefined();
    expect(providerSkeleton({ resource: {} }, PROVIDER_SETTINGS_REMOVED)).toBeUndefined();
  });
});
