/**
 * What makes the Terraform ladder cheap to run again (tools/lib/ladder.ts), and why that can never
 * hide a failure: the result cache's key covers everything a result depends on (configuration,
 * mock state, Terraform, CLI config, provider lock), a failed result is never stored or served, a
 * shared init is shared only by stacks that install the same providers, and the provider settings
 * the offline plan removes are still validated by `plan --validate`.
 * A stack with nothing to plan is reported without Terraform only when that is provably so, and
 * the shared aws provider (tools/lib/shared-providers.ts) serves one command at a time and never
 * turns its own death into a stack's failure (a stand-in provider and commands here).
 * No Terraform runs here (validate-cli.test.ts runs it); nothing is timed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  cacheKey,
  CACHE_FORMAT,
  InitPool,
  nothingToPlan,
  providerSkeleton,
  ResultCache,
  withoutChecksums,
  type CacheKeyInput,
} from "../tools/lib/ladder";
import { AWS_PROVIDER } from "../tools/lib/rehearse-providers";
import { SharedProviders, sharedProviderRefusal } from "../tools/lib/shared-providers";
import { ALL_ENVIRONMENTS, synthesizeEnvironment } from "./fixtures/all-environments";
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

describe("a stack with nothing to plan (reported without running Terraform)", () => {
  const empty = (): TerraformJson => ({
    "//": { metadata: { stackName: "native" } },
    terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } }, backend: { local: { path: "terraform.tfstate" } } },
    provider: { aws: [{ region: "us-west-2", access_key: "mock" }] },
    output: {
      bucket_arns: { description: "S3 bucket ARN by config name.", value: {} },
      event_bus_arn: { value: "", sensitive: false },
      queue_urls: { value: ["a", { b: 1 }] },
    },
  });

  it("is a stack with no resources, data sources or modules and only constant outputs", () => {
    expect(nothingToPlan(empty())).toBe("no resources, data sources or modules; 3 constant outputs");
    expect(nothingToPlan({ ...empty(), output: {} })).toBe("no resources, data sources or modules; 0 constant outputs");
  });

  it.each<[string, (tf: TerraformJson) => void]>([
    ["one resource", (tf) => (tf.resource = { aws_sqs_queue: { jobs: { name: "jobs" } } })],
    ["an empty resource map (left to Terraform, not guessed)", (tf) => (tf.resource = {})],
    ["a data source", (tf) => (tf.data = { aws_partition: { current: {} } })],
    ["a remote state read", (tf) => (tf.data = { terraform_remote_state: { network: { backend: "local", config: { path: "x" } } } })],
    ["a module", (tf) => (tf.module = { vpc: { source: "./vpc" } })],
    ["locals", (tf) => (tf.locals = { a: "b" })],
    ["a check block", (tf) => (tf.check = { c: {} })],
    ["an import block", (tf) => (tf.import = [{ to: "aws_sqs_queue.jobs", id: "x" }])],
    ["a reference in an output", (tf) => ((tf.output as Record<string, unknown>).x = { value: "${aws_sqs_queue.jobs.arn}" })],
    ["a reference nested in an output's value", (tf) => ((tf.output as Record<string, unknown>).x = { value: { a: ["${var.x}"] } })],
    ["a template directive in an output", (tf) => ((tf.output as Record<string, unknown>).x = { value: "%{if true}a%{endif}" })],
    ["an escaped interpolation (left to Terraform)", (tf) => ((tf.output as Record<string, unknown>).x = { value: "$${literal}" })],
    ["a template in an output's key", (tf) => ((tf.output as Record<string, unknown>).x = { value: { "${var.k}": 1 } })],
    ["an output with depends_on", (tf) => ((tf.output as Record<string, unknown>).x = { value: "", depends_on: ["aws_sqs_queue.jobs"] })],
    ["an output with a precondition", (tf) => ((tf.output as Record<string, unknown>).x = { value: "", precondition: [{}] })],
    ["an output without a value", (tf) => ((tf.output as Record<string, unknown>).x = { description: "d" })],
    ["a non-boolean sensitive", (tf) => ((tf.output as Record<string, unknown>).x = { value: "", sensitive: "yes" })],
    ["a required_version", (tf) => ((tf.terraform as Record<string, unknown>).required_version = ">= 9.0")],
    ["a provider no required_providers names", (tf) => (tf.provider = { ...tf.provider, random: {} })],
  ])("is not a stack with %s", (_what, change) => {
    const tf = empty();
    change(tf);
    expect(nothingToPlan(tf)).toBeUndefined();
  });

  it("takes no stack of any environment that has a resource or data source, and does take the empty ones", () => {
    const taken: string[] = [];
    for (const env of ALL_ENVIRONMENTS) {
      for (const [name, tf] of synthesizeEnvironment(env).stacks) {
        const count = (block: unknown) =>
          Object.values((block ?? {}) as Record<string, object>).reduce((n, m) => n + Object.keys(m).length, 0);
        const reason = nothingToPlan(tf);
        if (count(tf.resource) + count(tf.data) > 0) expect([env, name, reason]).toEqual([env, name, undefined]);
        if (reason) taken.push(`${env} ${name}`);
      }
    }
    // The layers that a configuration leaves empty (no native services, no frontend in IMS 2.0) are taken.
    expect(taken).toEqual(expect.arrayContaining(["dev native", "examples/ims2/prod.yaml frontend"]));
  });
});

describe("plan and validate on a shared aws provider", () => {
  it("plan: a stack with one aws provider configuration may attach, one with an alias may not", () => {
    const one: TerraformJson = {
      provider: { aws: [{ region: "us-west-2" }] },
      resource: { aws_lambda_function: { f: { filename: "assets/f/archive.zip" } } },
    };
    const alias: TerraformJson = { provider: { aws: [{ region: "us-west-2" }, { alias: "us_east_1", region: "us-east-1" }] } };
    expect(sharedProviderRefusal(one, "plan")).toBeUndefined();
    expect(sharedProviderRefusal({ provider: { aws: { region: "us-west-2" } } }, "plan")).toBeUndefined();
    expect(sharedProviderRefusal(alias, "plan")).toBe("2 aws provider configurations");
    // validate configures no provider: the alias stack may share.
    expect(sharedProviderRefusal(alias, "validate")).toBeUndefined();
  });

  // A stand-in provider: prints a reattach line naming its pid (as `terraform-provider-aws -debug` does) and waits.
  let dir: string;
  let provider: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "shared-providers-"));
    provider = path.join(dir, "terraform-provider-aws_v5.100.0_x5");
    fs.writeFileSync(
      provider,
      [
        "#!/bin/sh",
        `echo "TF_REATTACH_PROVIDERS='{\\"${AWS_PROVIDER}\\":{\\"Protocol\\":\\"grpc\\",\\"ProtocolVersion\\":5,\\"Pid\\":$$,\\"Test\\":true,\\"Addr\\":{\\"Network\\":\\"unix\\",\\"String\\":\\"/tmp/plugin-$$\\"}}}'"`,
        "exec sleep 300",
      ].join("\n"),
      { mode: 0o755 },
    );
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // A stand-in for a Terraform command: reports the provider it was given, holding it for a moment.
  const attached = 'echo "${TF_REATTACH_PROVIDERS:-own}"; sleep 0.2';
  const pidOf = (out: string) => (out.trim() === "own" ? "own" : String(JSON.parse(out)[AWS_PROVIDER].Pid));

  it("lends each provider process to one command at a time, never more processes than jobs", async () => {
    const pool = new SharedProviders(provider, 2, process.env, dir);
    try {
      // Each command logs when it starts and ends on its provider: on one provider they never overlap.
      const log = path.join(dir, "lend.log");
      fs.rmSync(log, { force: true });
      const logged = `p=$(echo "$TF_REATTACH_PROVIDERS" | sed 's/.*"Pid":\\([0-9]*\\).*/\\1/'); echo "$p start" >> ${log}; ${attached}; echo "$p end" >> ${log}`;
      const runs = await Promise.all(Array.from({ length: 6 }, () => pool.run("/bin/sh", ["-c", logged], { cwd: dir, env: process.env })));
      expect(runs.every((r) => r.code === 0 && r.shared)).toBe(true);
      const pids = runs.map((r) => pidOf(r.stdout));
      expect(new Set(pids).size).toBe(2);
      expect(pool.started).toBe(2);
      const open = new Map<string, number>();
      for (const [pid, what] of fs
        .readFileSync(log, "utf8")
        .trim()
        .split("\n")
        .map((l) => l.split(" "))) {
        const n = (open.get(pid) ?? 0) + (what === "start" ? 1 : -1);
        expect(n === 0 || n === 1).toBe(true);
        open.set(pid, n);
      }
    } finally {
      await pool.stop();
    }
  });

  it("runs a command again on Terraform's own provider when the shared one died under it, and replaces it", async () => {
    const pool = new SharedProviders(provider, 1, process.env, dir);
    try {
      // The command kills its provider and fails, as Terraform fails when its provider is gone.
      const killer =
        'if [ -n "$TF_REATTACH_PROVIDERS" ]; then kill $(echo "$TF_REATTACH_PROVIDERS" | sed \'s/.*"Pid":\\([0-9]*\\).*/\\1/\'); sleep 0.3; exit 1; fi; echo own';
      const r = await pool.run("/bin/sh", ["-c", killer], { cwd: dir, env: process.env });
      expect([r.code, r.shared, r.stdout.trim()]).toEqual([0, false, "own"]);
      expect(pool.rerun).toBe(1);
      const next = await pool.run("/bin/sh", ["-c", attached], { cwd: dir, env: process.env });
      expect(next.shared).toBe(true);
      expect(pool.started).toBe(2);
    } finally {
      await pool.stop();
    }
  });

  it("keeps a command's own failure (the provider alive) as the stack's failure, not run again", async () => {
    const pool = new SharedProviders(provider, 1, process.env, dir);
    try {
      const r = await pool.run("/bin/sh", ["-c", "echo 'Error: Reference to undeclared resource' >&2; exit 1"], {
        cwd: dir,
        env: process.env,
      });
      expect([r.code, r.shared, pool.rerun]).toEqual([1, true, 0]);
      expect(r.stderr).toMatch(/undeclared resource/);
    } finally {
      await pool.stop();
    }
  });

  it("runs every command as before when the provider cannot start in debug mode", async () => {
    const broken = path.join(dir, "broken-provider");
    fs.writeFileSync(broken, "#!/bin/sh\necho 'flag provided but not defined: -debug' >&2\nexit 2\n", { mode: 0o755 });
    const pool = new SharedProviders(broken, 2, process.env, dir);
    const r = await pool.run("/bin/sh", ["-c", attached], { cwd: dir, env: process.env });
    expect([r.code, r.shared, r.stdout.trim()]).toEqual([0, false, "own"]);
    expect(pool.unavailable).toMatch(/exited \(code 2\) before it printed TF_REATTACH_PROVIDERS/);
    await pool.stop();
  });

  it("stops every provider it started and waits for them to exit", async () => {
    const pool = new SharedProviders(provider, 2, process.env, dir);
    const runs = await Promise.all([0, 1].map(() => pool.run("/bin/sh", ["-c", attached], { cwd: dir, env: process.env })));
    const pids = runs.map((r) => Number(pidOf(r.stdout)));
    await pool.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
