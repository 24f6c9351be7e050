/**
 * Unit tests of the tools' pure parts: the offline plan transformation, mock state from contracts,
 * environment and mirror discovery, action counting, the deploy order, and the small helpers.
 * No Terraform is run here (npm run validate / npm run plan exercise it) and nothing is timed.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../core/config/errors";
import { ENVIRONMENTS_DIR, environmentKey } from "../core/config/loader";
import type { LayerName, PlatformConfig } from "../core/config/schema";
import { CONTRACTS } from "../core/contracts";
import { stateKey } from "../core/layer-stack";
import { synthesizePlatform } from "../core/platform";
import { layer } from "../core/registry";
import { PLATFORM } from "../layers";
import { parseArgs, UsageError } from "../tools/lib/args";
import { deployOrder, deploySteps, shellLine } from "../tools/lib/deploy";
import { discoverEnvironments, environmentKeyIn, selectEnvironments } from "../tools/lib/environments";
import { stackOrder } from "../tools/lib/harness";
import { discoverMirror, isMirrorFor, MirrorError, terraformPlatform } from "../tools/lib/mirror";
import { countActions, mockState, offlineStack, planTotals, remoteStateProducer, summaryLine, typeExpression } from "../tools/lib/offline";
import { formatDuration, table } from "../tools/lib/report";
import { runParallel, Serial } from "../tools/lib/runner";
import { countHclResources, countResources, swapInto, type TerraformJson } from "../tools/lib/synth";
import {
  addressFromContext,
  checkTerraform,
  cliConfigText,
  compareVersions,
  findOnPath,
  initFingerprint,
  isCI,
  isInitialised,
  markInitialised,
  parseDiagnostics,
  terraformEnv,
} from "../tools/lib/terraform";
import { env } from "./helpers";

const ROOT = path.resolve(ENVIRONMENTS_DIR, "..");

function tmpdir(prefix = "platform-tools-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function write(file: string, content = ""): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
function scratch(): string {
  const d = tmpdir();
  dirs.push(d);
  return d;
}

// ---------------------------------------------------------------------------------------------

describe("offline plan transformation", () => {
  const cfg = env("dev");

  function fixture(): TerraformJson {
    return {
      terraform: {
        required_providers: { aws: { source: "aws", version: "5.100.0" } },
        backend: {
          s3: {
            bucket: "b",
            key: stateKey(cfg, layer("security")),
            region: "us-west-2",
            encrypt: true,
            dynamodb_table: "t",
            use_lockfile: true,
          },
        },
      },
      provider: {
        aws: [
          {
            region: "us-west-2",
            allowed_account_ids: ["111111111111"],
            assume_role: [{ role_arn: "arn:aws:iam::111111111111:role/deploy", session_name: "platform" }],
            default_tags: [{ tags: { Project: "petclinic" } }],
          },
        ],
      },
      data: {
        terraform_remote_state: {
          network: { backend: "s3", config: { bucket: "b", key: stateKey(cfg, layer("network")), region: "us-west-2" } },
          // Named like the snake_case address of a hyphenated layer; found by its state key.
          cloud_map: { backend: "s3", config: { bucket: "b", key: stateKey(cfg, layer("cloud-map")), region: "us-west-2" }, defaults: {} },
        },
      },
      resource: { aws_vpc: { main: { cidr_block: "10.0.0.0/16" } } },
    };
  }

  const mockPath = (l: string) => `/mock/${l}.tfstate`;

  it("replaces the backend with a local one", () => {
    const { tf } = offlineStack(fixture(), cfg, mockPath);
    expect(tf.terraform?.backend).toEqual({ local: { path: "terraform.tfstate" } });
    expect(tf.terraform?.required_providers).toEqual({ aws: { source: "aws", version: "5.100.0" } });
  });

  it("mocks the provider: credentials, skips, no assume_role, no allowed_account_ids", () => {
    const { tf } = offlineStack(fixture(), cfg, mockPath);
    const [aws] = tf.provider!.aws as Record<string, unknown>[];
    expect(aws).toMatchObject({
      region: "us-west-2",
      access_key: "mock",
      secret_key: "mock",
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: "true",
      skip_region_validation: true,
      default_tags: [{ tags: { Project: "petclinic" } }],
    });
    expect(aws).not.toHaveProperty("assume_role");
    expect(aws).not.toHaveProperty("allowed_account_ids");
  });

  it("points every terraform_remote_state at the producer's mock state", () => {
    const { tf, reads } = offlineStack(fixture(), cfg, mockPath);
    expect(tf.data!.terraform_remote_state.network).toEqual({ backend: "local", config: { path: "/mock/network.tfstate" } });
    expect(tf.data!.terraform_remote_state.cloud_map).toEqual({
      backend: "local",
      config: { path: "/mock/cloud-map.tfstate" },
      defaults: {},
    });
    expect(reads).toEqual(["network", "cloud-map"]);
  });

  it("leaves its input alone and keeps resources as they are", () => {
    const input = fixture();
    const before = JSON.stringify(input);
    const { tf } = offlineStack(input, cfg, mockPath);
    expect(JSON.stringify(input)).toBe(before);
    expect(tf.resource).toEqual(input.resource);
  });

  it("refuses a remote state that is no layer's", () => {
    expect(() => remoteStateProducer("elsewhere", { backend: "s3", config: { key: "other/thing.tfstate" } }, cfg)).toThrow(
      /data.terraform_remote_state.elsewhere reads other\/thing.tfstate, which is no layer's state/,
    );
  });

  it("rewrites a real synthesized stack (security reads network)", () => {
    const out = scratch();
    synthesizePlatform(cfg, PLATFORM, out);
    const security = JSON.parse(fs.readFileSync(path.join(out, "stacks", "security", "cdk.tf.json"), "utf8")) as TerraformJson;
    const { tf, reads } = offlineStack(security, cfg, mockPath);
    expect(reads).toContain("network");
    expect(Object.keys(tf.terraform!.backend!)).toEqual(["local"]);
    for (const block of Object.values(tf.data!.terraform_remote_state)) expect(block.backend).toBe("local");
  });
});

describe("mock state from contracts", () => {
  const cfg = env("dev");

  it("is a v4 state with the contract's outputs and Terraform type expressions", () => {
    const state = mockState("network", cfg);
    expect(state).toMatchObject({ version: 4, terraform_version: "1.11.4", serial: 1, lineage: "mock-network", resources: [] });
    expect(Object.keys(state.outputs).sort()).toEqual(Object.keys(CONTRACTS.network).sort());
    expect(state.outputs.vpc_id).toEqual({ value: CONTRACTS.network.vpc_id.mock(cfg), type: "string" });
    expect(state.outputs.azs).toEqual({ value: ["us-west-2a", "us-west-2b"], type: ["list", "string"] });
    expect(state.outputs.gateway_endpoint_prefix_list_ids.type).toEqual(["map", "string"]);
  });

  it("gives every output a value of its declared type", () => {
    for (const producer of Object.keys(CONTRACTS) as (keyof typeof CONTRACTS)[]) {
      const state = mockState(producer, cfg);
      for (const [name, spec] of Object.entries(CONTRACTS[producer])) {
        const { value, type } = state.outputs[name];
        expect(type).toEqual(typeExpression(spec.kind));
        if (spec.kind === "string") expect(typeof value).toBe("string");
        if (spec.kind === "list") expect(Array.isArray(value) && (value as unknown[]).every((v) => typeof v === "string")).toBe(true);
        if (spec.kind === "map")
          expect(Object.values(value as object).every((v) => typeof v === "string") && !Array.isArray(value)).toBe(true);
      }
    }
  });

  it("follows the environment's configuration", () => {
    const prod = mockState("network", env("prod"));
    expect(prod.outputs.vpc_cidr.value).toBe(env("prod").network.cidr);
  });

  it("refuses a layer without a contract", () => {
    expect(() => mockState("no-such-layer" as LayerName, cfg)).toThrow(/declares no contract/);
  });
});

describe("plan action counting", () => {
  const plan = {
    resource_changes: [
      { address: "aws_vpc.main", mode: "managed", change: { actions: ["create"] } },
      { address: "aws_subnet.a", mode: "managed", change: { actions: ["create"] } },
      { address: "aws_route_table.a", mode: "managed", change: { actions: ["update"] } },
      { address: "aws_eip.old", mode: "managed", change: { actions: ["delete"] } },
      { address: "aws_instance.x", mode: "managed", change: { actions: ["delete", "create"] } },
      { address: "aws_lb.y", mode: "managed", change: { actions: ["create", "delete"] } },
      { address: "aws_iam_role.z", mode: "managed", change: { actions: ["no-op"] } },
      { address: "aws_s3_bucket.f", mode: "managed", change: { actions: ["forget"] } },
      { address: "data.terraform_remote_state.network", mode: "data", change: { actions: ["read"] } },
    ],
  };

  it("counts creates, updates, deletes and replacements of managed resources", () => {
    expect(countActions(plan)).toEqual({ create: 2, update: 1, delete: 1, replace: 2, forget: 1, noop: 1 });
  });

  it("totals like Terraform: a replacement adds one and destroys one", () => {
    expect(planTotals(countActions(plan))).toEqual({ add: 4, change: 1, destroy: 3 });
    expect(summaryLine(countActions(plan))).toBe("4 to add, 1 to change, 3 to destroy, 1 to forget");
    expect(summaryLine(countActions({ resource_changes: [] }))).toBe("0 to add, 0 to change, 0 to destroy");
    expect(summaryLine(countActions({}))).toBe("0 to add, 0 to change, 0 to destroy");
  });
});

describe("environment discovery", () => {
  function layout(withExamples: boolean): string {
    const root = scratch();
    for (const f of ["base.yaml", "dev.yaml", "prod.yaml", "schema.json"]) write(path.join(root, "environments", f));
    if (withExamples) {
      for (const f of ["base.yaml", "dev.yaml", "prod.yaml", "README.md"]) write(path.join(root, "examples", "ims", f));
      write(path.join(root, "examples", "shop", "staging.yml"));
      write(path.join(root, "examples", "notes.yaml")); // not in a system folder
    }
    return root;
  }

  it("lists environments/ (not base) and every examples/<system>/*.yaml (not base)", () => {
    const root = layout(true);
    expect(discoverEnvironments(root).map((e) => [e.name, e.key])).toEqual([
      ["dev", "dev"],
      ["prod", "prod"],
      ["examples/ims/dev.yaml", "examples-ims-dev"],
      ["examples/ims/prod.yaml", "examples-ims-prod"],
      ["examples/shop/staging.yml", "examples-shop-staging"],
    ]);
  });

  it("works without an examples folder", () => {
    expect(discoverEnvironments(layout(false)).map((e) => e.name)).toEqual(["dev", "prod"]);
  });

  it("finds the default system's environments with the loader's keys", () => {
    const found = discoverEnvironments();
    expect(found.map((e) => e.name)).toEqual(expect.arrayContaining(["dev", "staging", "prod"]));
    for (const e of found) {
      expect(e.key).toBe(environmentKey(e.file));
      expect(path.basename(e.file)).not.toMatch(/^base\.ya?ml$/);
    }
    expect(environmentKeyIn(ROOT, path.join(ROOT, "examples", "ims", "prod.yaml"))).toBe("examples-ims-prod");
  });

  it("selects all, the named ones, or the one PLATFORM_ENV names for a bare --env", () => {
    const root = layout(true);
    expect(selectEnvironments(undefined, "prod", root).length).toBe(5);
    expect(selectEnvironments(["prod", "dev", "prod"], undefined, root).map((e) => e.key)).toEqual(["prod", "dev"]);
    expect(selectEnvironments([""], "prod", root).map((e) => e.key)).toEqual(["prod"]);
    expect(selectEnvironments([""], undefined, root).map((e) => e.key)).toEqual(["dev"]);
    expect(selectEnvironments([path.join(root, "examples", "ims", "prod.yaml")], undefined, root).map((e) => e.key)).toEqual([
      "examples-ims-prod",
    ]);
    expect(() => selectEnvironments(["prd"], undefined, root)).toThrow(ConfigError);
  });
});

describe("provider mirror discovery", () => {
  const want = { provider: "hashicorp/aws", version: "5.100.0", platform: "linux_amd64" };

  function mirror(kind: "unpacked" | "packed" | "wrong-version" | "no-platform" | "empty"): string {
    const dir = scratch();
    const base = path.join(dir, "registry.terraform.io", "hashicorp", "aws");
    if (kind === "unpacked") write(path.join(base, "5.100.0", "linux_amd64", "terraform-provider-aws_v5.100.0_x5"), "bin");
    if (kind === "packed") write(path.join(base, "terraform-provider-aws_5.100.0_linux_amd64.zip"), "zip");
    if (kind === "wrong-version") write(path.join(base, "5.99.0", "linux_amd64", "terraform-provider-aws_v5.99.0_x5"), "bin");
    if (kind === "no-platform") fs.mkdirSync(path.join(base, "5.100.0"), { recursive: true });
    return dir;
  }

  it("recognises unpacked and packed mirrors and nothing else", () => {
    expect(isMirrorFor(mirror("unpacked"), want)).toBe(true);
    expect(isMirrorFor(mirror("packed"), want)).toBe(true);
    expect(isMirrorFor(mirror("wrong-version"), want)).toBe(false);
    expect(isMirrorFor(mirror("no-platform"), want)).toBe(false);
    expect(isMirrorFor(mirror("empty"), want)).toBe(false);
    expect(isMirrorFor("/nonexistent/platform-kit", want)).toBe(false);
  });

  it("takes the first candidate that is a mirror", () => {
    const good = mirror("unpacked");
    const found = discoverMirror({ want, candidates: [mirror("empty"), mirror("wrong-version"), good], search: () => [] });
    expect(found).toEqual({ dir: good, source: "candidate" });
  });

  it("uses PLATFORM_TF_PLUGIN_DIR and --plugin-dir (flag first) and refuses one that is not a mirror", () => {
    const a = mirror("unpacked");
    const b = mirror("packed");
    expect(discoverMirror({ want, env: a, candidates: [] })).toEqual({ dir: a, source: "env" });
    expect(discoverMirror({ want, flag: b, env: a, candidates: [] })).toEqual({ dir: b, source: "flag" });
    expect(() => discoverMirror({ want, env: mirror("wrong-version"), candidates: [] })).toThrow(MirrorError);
  });

  it("searches only when no candidate qualifies, and returns undefined when nothing does", () => {
    const search = jest.fn(() => [path.join(mirror("unpacked"), "registry.terraform.io")]);
    expect(discoverMirror({ want, candidates: [mirror("unpacked")], search })?.source).toBe("candidate");
    expect(search).not.toHaveBeenCalled();
    expect(discoverMirror({ want, candidates: [mirror("empty")], search })?.source).toBe("search");
    expect(
      discoverMirror({ want, candidates: [mirror("empty")], search: () => [path.join(mirror("no-platform"), "registry.terraform.io")] }),
    ).toBeUndefined();
  });

  it("names the platform the way Terraform does", () => {
    expect(terraformPlatform("linux", "x64")).toBe("linux_amd64");
    expect(terraformPlatform("darwin", "arm64")).toBe("darwin_arm64");
    expect(terraformPlatform("win32", "x64")).toBe("windows_amd64");
  });
});

describe("deploy:all order", () => {
  const disabledSecurity = (): PlatformConfig => ({ ...env("dev"), layers: { ...env("dev").layers, security: { enabled: false } } });

  it("deploys bootstrap, then the enabled layers in registry order", () => {
    const { stacks, skipped } = deployOrder(env("dev"), PLATFORM);
    expect(stacks.slice(0, 3)).toEqual(["bootstrap", "network", "security"]);
    expect(stacks.map(stackOrder)).toEqual([...stacks.map(stackOrder)].sort((a, b) => a - b));
    expect(skipped.map((s) => s.layer)).not.toEqual(expect.arrayContaining(["network"]));
    expect(new Set([...stacks.slice(1), ...skipped.map((s) => s.layer)]).size).toBe(12); // every layer accounted for
  });

  it("skips a disabled layer, and says so", () => {
    const { stacks, skipped } = deployOrder(disabledSecurity(), PLATFORM);
    expect(stacks).not.toContain("security");
    expect(stacks.slice(0, 2)).toEqual(["bootstrap", "network"]);
    expect(skipped).toContainEqual({ layer: "security", reason: "disabled" });
  });

  it("builds one cdktf deploy per stack, resumes with --from and passes extra args", () => {
    const steps = deploySteps(["bootstrap", "network", "security"], { from: "network", extraArgs: ["--auto-approve"] });
    expect(steps).toEqual([
      { stack: "network", command: ["npx", "cdktf", "deploy", "network", "--auto-approve"] },
      { stack: "security", command: ["npx", "cdktf", "deploy", "security", "--auto-approve"] },
    ]);
    expect(() => deploySteps(["bootstrap", "network"], { from: "security" })).toThrow(/layer security has no stack in this environment/);
    expect(() => deploySteps(["bootstrap"], { from: "nope" })).toThrow(/no stack named "nope"/);
    expect(shellLine(["npx", "cdktf", "deploy", "a b"])).toBe("npx cdktf deploy 'a b'");
  });
});

describe("terraform helpers", () => {
  it("writes a CLI config that serves the mirrored providers locally, with no shared plugin cache", () => {
    // Parallel inits sharing a plugin cache race ("mkdir …/plugin-cache/…: file exists"); with an
    // unpacked mirror each work dir links to the read-only mirror instead.
    const text = cliConfigText({ mirrorDir: "/opt/tf-plugins", providers: ["registry.terraform.io/hashicorp/aws"] });
    expect(text).not.toContain("plugin_cache_dir");
    expect(text).toMatch(/filesystem_mirror \{\n\s+path\s+= "\/opt\/tf-plugins"\n\s+include = \["registry.terraform.io\/hashicorp\/aws"\]/);
    expect(text).toMatch(/direct \{\n\s+exclude = \["registry.terraform.io\/hashicorp\/aws"\]/);
    const noMirror = cliConfigText({ pluginCacheDir: "/c" });
    expect(noMirror).toContain('plugin_cache_dir   = "/c"');
    expect(noMirror).not.toContain("provider_installation");
    expect(noMirror).toContain("disable_checkpoint = true");
  });

  it("runs Terraform without the caller's AWS, data dir and extra-args settings", () => {
    const e = terraformEnv("/w/rc", {
      PATH: "/bin",
      AWS_PROFILE: "prod",
      AWS_ACCESS_KEY_ID: "x",
      TF_DATA_DIR: "/d",
      TF_CLI_ARGS_plan: "-x",
      TF_LOG: "info",
    });
    expect(e).toMatchObject({ PATH: "/bin", TF_LOG: "info", TF_CLI_CONFIG_FILE: "/w/rc", TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" });
    for (const k of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "TF_DATA_DIR", "TF_CLI_ARGS_plan"]) expect(e).not.toHaveProperty(k);
  });

  it("lets Terraform's Go runtime collect garbage less often, unless the caller chose", () => {
    expect(terraformEnv("/w/rc", { PATH: "/bin" }).GOGC).toBe("400");
    expect(terraformEnv("/w/rc", { PATH: "/bin", GOGC: "100" }).GOGC).toBe("100");
  });

  it("says plainly when terraform is not on PATH", () => {
    const check = checkTerraform(scratch());
    expect(check).toEqual({ ok: false, reason: expect.stringMatching(/^terraform not found on PATH \(install Terraform >= 1\.10/) });
  });

  it("finds executables on PATH only", () => {
    const a = scratch();
    const b = scratch();
    write(path.join(a, "terraform"), "not executable");
    write(path.join(b, "terraform"), "#!/bin/sh\n");
    fs.chmodSync(path.join(b, "terraform"), 0o755);
    expect(findOnPath("terraform", [a, b].join(path.delimiter))).toBe(path.join(b, "terraform"));
    expect(findOnPath("terraform", a)).toBeUndefined();
  });

  it("compares versions numerically", () => {
    expect(compareVersions("1.9.8", "1.10.0")).toBe(-1);
    expect(compareVersions("1.11.4", "1.10.0")).toBe(1);
    expect(compareVersions("v1.10.0", "1.10")).toBe(0);
  });

  it("reads CI like CI systems set it", () => {
    expect(isCI({ CI: "true" })).toBe(true);
    expect(isCI({ CI: "1" })).toBe(true);
    expect(isCI({ CI: "false" })).toBe(false);
    expect(isCI({})).toBe(false);
  });

  it("re-inits only when what init installs changed", () => {
    const dir = scratch();
    const tf = { terraform: { required_providers: { aws: { source: "aws", version: "5.100.0" } } }, resource: { aws_vpc: { a: {} } } };
    const fp = initFingerprint(tf, ["1.11.4"]);
    expect(initFingerprint({ ...tf, resource: { aws_vpc: { b: {} } } }, ["1.11.4"])).toBe(fp);
    expect(initFingerprint({ terraform: { required_providers: { aws: { source: "aws", version: "5.99.0" } } } }, ["1.11.4"])).not.toBe(fp);
    expect(initFingerprint(tf, ["1.11.5"])).not.toBe(fp);
    expect(isInitialised(dir, fp)).toBe(false);
    markInitialised(dir, fp);
    write(path.join(dir, ".terraform.lock.hcl"));
    expect(isInitialised(dir, fp)).toBe(false); // no providers installed
    fs.mkdirSync(path.join(dir, ".terraform", "providers"));
    expect(isInitialised(dir, fp)).toBe(true);
    expect(isInitialised(dir, "other")).toBe(false);
  });

  it("turns validate diagnostics into summary, detail, address and location", () => {
    const [d, e, f] = parseDiagnostics([
      {
        severity: "error",
        summary: "Extraneous JSON object property",
        detail: 'No argument or block type is named "bogus".',
        range: { filename: "cdk.tf.json", start: { line: 3, column: 60 } },
        snippet: { context: "resource.aws_vpc.main" },
      },
      { severity: "warning", summary: "Deprecated", snippet: { context: 'data "aws_iam_policy_document" "x"' } },
      { summary: "No context" },
    ]);
    expect(d).toEqual({
      severity: "error",
      summary: "Extraneous JSON object property",
      detail: 'No argument or block type is named "bogus".',
      address: "aws_vpc.main",
      location: "cdk.tf.json:3:60",
    });
    expect(e.address).toBe("data.aws_iam_policy_document.x");
    expect(f).toEqual({ severity: "error", summary: "No context", detail: undefined, address: undefined, location: undefined });
    expect(addressFromContext("data.terraform_remote_state.network")).toBe("data.terraform_remote_state.network");
    expect(addressFromContext("provider.aws[0]")).toBe("provider.aws[0]");
  });
});

describe("small helpers", () => {
  it("parses flags, values, repeated options and pass-through args", () => {
    const specs = {
      env: { type: "strings", optionalValue: true, description: "" },
      jobs: { type: "number", description: "" },
      json: { type: "boolean", description: "" },
      out: { type: "string", description: "" },
    } as const;
    const a = parseArgs(["--env", "dev,prod", "--env=staging", "--jobs", "3", "--json", "--out=x", "--", "--auto-approve"], specs);
    expect(a.values).toEqual({ env: ["dev", "prod", "staging"], jobs: 3, json: true, out: "x" });
    expect(a.passthrough).toEqual(["--auto-approve"]);
    expect(parseArgs(["--env", "--json"], specs).values).toEqual({ env: [""], json: true });
    expect(() => parseArgs(["--nope"], specs)).toThrow(UsageError);
    expect(() => parseArgs(["--jobs", "0"], specs)).toThrow(/positive whole number/);
    expect(() => parseArgs(["--out"], specs)).toThrow(/needs a value/);
  });

  it("refuses bad command lines in the tools' words (not Node's), and keeps single-dash words as arguments", () => {
    const specs = {
      env: { type: "strings", optionalValue: true, description: "" },
      jobs: { type: "number", value: "<n>", description: "" },
      json: { type: "boolean", description: "" },
      out: { type: "string", value: "<dir>", description: "" },
    } as const;
    const refusal = (argv: string[]) => {
      try {
        parseArgs(argv, specs);
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
      return "accepted";
    };
    expect(refusal(["--nope=1"])).toBe("UsageError: unknown option --nope (options: --env, --jobs, --json, --out, --help)");
    expect(refusal(["--json=yes"])).toBe('UsageError: --json takes no value (found "yes")');
    expect(refusal(["--out", "--json"])).toBe("UsageError: --out needs a value <dir>");
    expect(refusal(["--out", "--"])).toBe("UsageError: --out needs a value <dir>");
    expect(refusal(["--jobs=2.5"])).toBe('UsageError: --jobs expects a positive whole number, found "2.5"');
    expect(refusal(["--jobs", "-1"])).toBe('UsageError: --jobs expects a positive whole number, found "-1"');
    expect(parseArgs(["--json=false", "--out", "-", "-x", "net", "-h"], specs)).toEqual({
      values: { json: false, out: "-", help: true },
      positional: ["-x", "net"],
      passthrough: [],
    });
    expect(parseArgs(["--env", "--", "--json"], specs)).toEqual({ values: { env: [""] }, positional: [], passthrough: ["--json"] });
  });

  it("counts resources in JSON and HCL", () => {
    expect(countResources({ resource: { aws_vpc: { a: {}, b: {} }, aws_subnet: { c: {} } }, data: { x: { y: {} } } })).toBe(3);
    expect(countResources({})).toBe(0);
    expect(countHclResources('resource "aws_vpc" "a" {\n}\ndata "x" "y" {}\n  resource "aws_subnet" "b" {}\n')).toBe(2);
  });

  it("swaps a fresh output dir into place", () => {
    const dir = scratch();
    const target = path.join(dir, "out");
    const fresh1 = path.join(dir, "fresh1");
    write(path.join(fresh1, "a"), "1");
    swapInto(fresh1, target);
    expect(fs.readFileSync(path.join(target, "a"), "utf8")).toBe("1");
    const fresh2 = path.join(dir, "fresh2");
    write(path.join(fresh2, "b"), "2");
    swapInto(fresh2, target);
    expect(fs.readdirSync(target)).toEqual(["b"]);
    expect(fs.readdirSync(dir).sort()).toEqual(["out"]);
  });

  it("formats durations and tables", () => {
    expect(formatDuration(4100)).toBe("4.1s");
    expect(formatDuration(62_000)).toBe("1m02s");
    expect(
      table(
        ["stack", "n"],
        [
          ["network", 42],
          ["security", 7],
        ],
      ),
    ).toBe("stack      n\n--------  --\nnetwork   42\nsecurity   7");
  });

  it("runs in parallel up to the limit, keeping input order", async () => {
    let running = 0;
    let peak = 0;
    const out = await runParallel([3, 1, 2, 5, 4], 2, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setImmediate(r));
      running--;
      return n * 10;
    });
    expect(out).toEqual([30, 10, 20, 50, 40]);
    expect(peak).toBe(2);
  });

  it("runs serialized work one at a time, in call order, and goes on after a failure", async () => {
    const serial = new Serial();
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    const task = (name: string, fail = false) =>
      serial.run(async () => {
        running++;
        peak = Math.max(peak, running);
        log.push(`start ${name}`);
        await new Promise((r) => setImmediate(r));
        log.push(`end ${name}`);
        running--;
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task("a"), task("b", true), task("c")]);
    expect(peak).toBe(1);
    expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
  });
});
