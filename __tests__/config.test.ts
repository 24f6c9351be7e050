/**
 * Configuration that loads: the default system's environments, extends and merging, PLATFORM_ENV,
 * the generated JSON Schema, the subnet plan, and the CIDR and naming helpers everything relies on.
 * Bad input is in config-errors.test.ts.
 */
import { TIER_PRESETS } from "../core/config/tiers";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { cidrSubnet, contains, explainCidr, formatCidr, overlaps, parseCidr, size, type Cidr } from "../core/config/cidr";
import {
  deepMerge,
  ENVIRONMENTS_DIR,
  environmentKey,
  listEnvironments,
  loadConfigFile,
  loadEnvironment,
  resolveEnvironmentFile,
} from "../core/config/loader";
import type { PlatformConfig } from "../core/config/schema";
import { subnetPlan } from "../core/config/subnets";
import { fitName, NAME_RULES, Naming } from "../core/naming";
import { renderSchema, runGenSchema, SCHEMA_FILE } from "../tools/gen-schema";

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = path.join(__dirname, "fixtures", "config");

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "platform-config-test-"));
}

function withTempFiles<T>(files: Record<string, string>, fn: (dir: string) => T): T {
  const dir = tempDir();
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return fn(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A complete, valid environment file (no extends) with the given extra YAML appended. */
function standalone(extra = "", azs = "[us-west-2a, us-west-2b]"): string {
  return [
    "project: demo",
    "environment: dev",
    "tier: dev",
    "aws:",
    '  accountId: "123456789012"',
    "  region: us-west-2",
    `  azs: ${azs}`,
    "backend:",
    "  bucket: demo-dev-tfstate",
    "  lockTable: demo-dev-tflock",
    extra,
  ].join("\n");
}

describe("the default system's environments", () => {
  const SUBNETS = {
    public: ["10.0.1.0/24", "10.0.2.0/24"],
    app: ["10.0.3.0/24", "10.0.4.0/24"],
    data: ["10.0.5.0/24", "10.0.6.0/24"],
  };

  it("lists dev, prod and staging (base is not an environment)", () => {
    expect(listEnvironments()).toEqual(["dev", "prod", "staging"]);
  });

  it.each(["dev", "staging", "prod"] as const)("%s loads with the shared values from base.yaml", (name) => {
    const loaded = loadEnvironment(name, ROOT);
    const cfg = loaded.config;
    expect(loaded.key).toBe(name);
    expect(loaded.files).toEqual([path.join(ENVIRONMENTS_DIR, `${name}.yaml`), path.join(ENVIRONMENTS_DIR, "base.yaml")]);
    expect(cfg.project).toBe("petclinic");
    expect(cfg.environment).toBe(name);
    expect(cfg.tier).toBe(name);
    expect(cfg.aws.region).toBe("us-west-2");
    expect(cfg.aws.azs).toEqual(["us-west-2a", "us-west-2b"]);
    expect(cfg.aws.accountId).toMatch(/^\d{12}$/);
    expect(cfg.network.cidr).toBe("10.0.0.0/16");
    expect(cfg.network.subnets).toEqual(SUBNETS);
    expect(subnetPlan(cfg)).toEqual([
      { az: "us-west-2a", public: "10.0.1.0/24", app: "10.0.3.0/24", data: "10.0.5.0/24" },
      { az: "us-west-2b", public: "10.0.2.0/24", app: "10.0.4.0/24", data: "10.0.6.0/24" },
    ]);
    expect(cfg.backend.bucket).toBe(`petclinic-${name}-tfstate-${cfg.aws.accountId}`);
    expect(cfg.backend.lockTable).toBe(`petclinic-${name}-tflock`);
    expect(Object.keys(cfg.services).sort()).toEqual(["admin-server", "customers", "vets", "visits"]);
    expect(cfg.tags).toEqual({ Application: "spring-petclinic", CostCenter: "platform" });
  });

  it("applies the tier defaults: NAT, log retention, protection, KMS deletion window", () => {
    const [dev, staging, prod] = (["dev", "staging", "prod"] as const).map((n) => loadEnvironment(n, ROOT).config);
    // base.yaml sets nat: per-az for every environment (the seed asks for it); the presets differ.
    expect([dev.network.nat, staging.network.nat, prod.network.nat]).toEqual(["per-az", "per-az", "per-az"]);
    expect([TIER_PRESETS.dev.network.nat, TIER_PRESETS.staging.network.nat, TIER_PRESETS.prod.network.nat]).toEqual([
      "single",
      "per-az",
      "per-az",
    ]);
    expect([dev.logging.retentionDays, staging.logging.retentionDays, prod.logging.retentionDays]).toEqual([30, 90, 365]);
    expect(dev.protection).toEqual({ data: false, availability: false });
    expect(staging.protection).toEqual({ data: false, availability: true });
    expect(prod.protection).toEqual({ data: true, availability: true });
    expect([dev.security.kms.deletionWindowDays, staging.security.kms.deletionWindowDays, prod.security.kms.deletionWindowDays]).toEqual([
      7, 30, 30,
    ]);
  });

  it("keeps what each environment file says over the tier defaults and base.yaml", () => {
    expect(loadEnvironment("staging", ROOT).config.backend.lockMode).toBe("both");
    expect(loadEnvironment("dev", ROOT).config.backend.lockMode).toBe("dynamodb");
    expect(loadEnvironment("prod", ROOT).config.security.waf.rateLimit).toBe(1000);
    expect(loadEnvironment("dev", ROOT).config.security.waf.rateLimit).toBe(2000);
    // base.yaml's endpoint list replaces the tier preset's list (lists are replaced, not merged).
    const base = parse(fs.readFileSync(path.join(ROOT, "environments/base.yaml"), "utf8")) as { network: { interfaceEndpoints: string[] } };
    expect(base.network.interfaceEndpoints).toEqual(["ecr.api", "ecr.dkr", "logs", "ssm", "secretsmanager", "kms", "xray"]);
    expect(loadEnvironment("dev", ROOT).config.network.interfaceEndpoints).toEqual(base.network.interfaceEndpoints);
  });

  it("fills schema defaults", () => {
    const cfg = loadEnvironment("dev", ROOT).config;
    expect(cfg.backend.keyPrefix).toBe("platform");
    expect(cfg.network.gatewayEndpoints).toEqual(["s3", "dynamodb"]);
    expect(cfg.network.subnetLayout).toEqual({ newbits: 8, offsets: { public: 0, app: 16, data: 32 } });
    expect(cfg.security.alb.ports).toEqual([443, 80]);
    expect(cfg.layers).toEqual({});
    expect(cfg.cache).toEqual({ enabled: false, port: 6379 });
  });

  it("every environment file starts with the yaml-language-server schema line", () => {
    const files = fs.readdirSync(ENVIRONMENTS_DIR).filter((f) => /\.ya?ml$/.test(f));
    expect(files).toEqual(expect.arrayContaining(["base.yaml", "dev.yaml", "staging.yaml", "prod.yaml"]));
    for (const f of files) {
      const first = fs.readFileSync(path.join(ENVIRONMENTS_DIR, f), "utf8").split("\n")[0];
      expect(`${f}: ${first}`).toBe(`${f}: # yaml-language-server: $schema=./schema.json`);
    }
  });
});

describe("extends", () => {
  it("deep-merges objects and replaces lists", () => {
    const parent = standalone(
      [
        "tags: { Team: platform, CostCenter: shared }",
        // No NAT and no bedrock-runtime endpoint: the GenAI layer could not reach Bedrock. No
        // service and no function: the API would have no route, so it is off too.
        'layers: { "lambda-genai": { enabled: false }, "api-gateway": { enabled: false } }',
        "network:",
        "  nat: none",
        "  interfaceEndpoints: [ecr.api, ecr.dkr, logs]",
        "  flowLogs: { trafficType: REJECT, kmsEncrypted: false }",
      ].join("\n"),
    );
    const child = [
      "extends: parent",
      "tags: { CostCenter: demo }",
      "network:",
      "  interfaceEndpoints: [sts]",
      "  flowLogs: { trafficType: ALL }",
    ].join("\n");
    const cfg = withTempFiles({ "parent.yaml": parent, "child.yaml": child }, (dir) => loadConfigFile(path.join(dir, "child.yaml")).config);
    expect(cfg.tags).toEqual({ Team: "platform", CostCenter: "demo" });
    expect(cfg.network.nat).toBe("none");
    expect(cfg.network.interfaceEndpoints).toEqual(["sts"]);
    expect(cfg.network.flowLogs.trafficType).toBe("ALL");
    expect(cfg.network.flowLogs.kmsEncrypted).toBe(false);
  });

  it("follows chains of several files, by name, relative path or with the extension", () => {
    withTempFiles(
      { "root.yaml": standalone(), "mid.yml": "extends: ./root.yaml\nenvironment: mid\n", "leaf.yaml": "extends: mid\nproject: leaf\n" },
      (dir) => {
        const loaded = loadConfigFile(path.join(dir, "leaf.yaml"));
        expect(loaded.files.map((f) => path.basename(f))).toEqual(["leaf.yaml", "mid.yml", "root.yaml"]);
        expect(loaded.config.project).toBe("leaf");
        expect(loaded.config.environment).toBe("mid");
        expect(loaded.config.aws.accountId).toBe("123456789012");
      },
    );
  });

  it("deepMerge: objects merge key by key, lists and scalars are replaced, null removes, inputs untouched", () => {
    const under = { a: { x: 1, y: [1, 2], z: { deep: true } }, b: [1], c: "keep", gone: { k: 1 } };
    const over = { a: { y: [3], z: { more: 1 } }, b: [2, 3], gone: null, d: "new" };
    const merged = deepMerge(under, over);
    expect(merged).toEqual({ a: { x: 1, y: [3], z: { deep: true, more: 1 } }, b: [2, 3], c: "keep", d: "new" });
    expect(under).toEqual({ a: { x: 1, y: [1, 2], z: { deep: true } }, b: [1], c: "keep", gone: { k: 1 } });
  });

  it("lets the tier preset be overridden by a parent and the file (precedence: preset < parents < file)", () => {
    const parent = standalone("logging: { retentionDays: 60 }\nnetwork: { nat: none }");
    const child = "extends: parent\nnetwork: { nat: per-az }\n";
    const cfg = withTempFiles({ "parent.yaml": parent, "child.yaml": child }, (dir) => loadConfigFile(path.join(dir, "child.yaml")).config);
    expect(cfg.logging.retentionDays).toBe(60);
    expect(cfg.network.nat).toBe("per-az");
  });
});

describe("PLATFORM_ENV", () => {
  it("defaults to dev", () => {
    expect(resolveEnvironmentFile(undefined, ENVIRONMENTS_DIR, ROOT)).toBe(path.join(ENVIRONMENTS_DIR, "dev.yaml"));
    expect(resolveEnvironmentFile("  ", ENVIRONMENTS_DIR, ROOT)).toBe(path.join(ENVIRONMENTS_DIR, "dev.yaml"));
  });

  it("accepts a name in environments/", () => {
    expect(resolveEnvironmentFile("prod", ENVIRONMENTS_DIR, ROOT)).toBe(path.join(ENVIRONMENTS_DIR, "prod.yaml"));
  });

  it("accepts a path to a YAML file, relative to the working directory or absolute", () => {
    const rel = "__tests__/fixtures/config/valid.yaml";
    expect(resolveEnvironmentFile(rel, ENVIRONMENTS_DIR, ROOT)).toBe(path.join(ROOT, rel));
    expect(resolveEnvironmentFile(path.join(ROOT, rel), ENVIRONMENTS_DIR, "/")).toBe(path.join(ROOT, rel));
    const loaded = loadEnvironment(rel, ROOT);
    expect(loaded.config.project).toBe("petclinic");
    expect(loaded.files).toEqual([path.join(FIXTURES, "valid.yaml"), path.join(FIXTURES, "_base.yaml")]);
    expect(loaded.key).toBe("tests-fixtures-config-valid");
  });

  it("accepts environments/<name>.yaml as a path too", () => {
    const loaded = loadEnvironment("environments/staging.yaml", ROOT);
    expect(loaded.key).toBe("staging");
    expect(loaded.config.tier).toBe("staging");
  });
});

describe("environmentKey", () => {
  it.each([
    ["environments/dev.yaml", "dev"],
    ["environments/prod.yml", "prod"],
    ["examples/ims/prod.yaml", "examples-ims-prod"],
    ["examples/my app/dev.yaml", "examples-my-app-dev"],
    ["__tests__/fixtures/config/valid.yaml", "tests-fixtures-config-valid"],
    ["/somewhere/else/qa.yaml", "qa"],
  ])("%s -> %s", (file, key) => {
    expect(environmentKey(file, ROOT)).toBe(key);
  });
});

describe("environments/schema.json", () => {
  it("is up to date with core/config/schema.ts", () => {
    const current = fs.existsSync(SCHEMA_FILE) ? fs.readFileSync(SCHEMA_FILE, "utf8") : "(missing)";
    if (current !== renderSchema()) {
      throw new Error("environments/schema.json is stale (it differs from renderSchema()): run `npm run schema` and commit the result");
    }
  });

  it("has no required keys (files may be partial because of extends) and says so", () => {
    const text = renderSchema();
    const schema = JSON.parse(text) as Record<string, unknown>;
    const requiredLists: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${at}[${i}]`));
      else if (node && typeof node === "object") {
        for (const [k, v] of Object.entries(node)) {
          if (k === "required" && Array.isArray(v)) requiredLists.push(at);
          walk(v, `${at}.${k}`);
        }
      }
    };
    walk(schema, "$");
    expect(requiredLists).toEqual([]);
    expect(schema.$id).toEqual(expect.stringContaining("schema.json"));
    expect(schema.title).toEqual(expect.any(String));
    expect(schema.description).toEqual(expect.stringContaining("extends"));
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties as object)).toEqual(expect.arrayContaining(["project", "aws", "backend", "network", "layers"]));
    expect(text.endsWith("}\n")).toBe(true);
    expect(text.split("\n")[1]).toMatch(/^ {2}"\$schema"/);
  });

  it("is deterministic and sorts keywords", () => {
    const a = renderSchema();
    expect(renderSchema()).toBe(a);
    const project = (JSON.parse(a) as { properties: Record<string, Record<string, unknown>> }).properties.project;
    expect(Object.keys(project)).toEqual([...Object.keys(project)].sort());
  });

  it("--check returns 1 with a message naming `npm run schema` when the file is stale or missing, 0 when current", () => {
    const dir = tempDir();
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    const stdout = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const file = path.join(dir, "schema.json");
      expect(runGenSchema(["--check"], file)).toBe(1);
      expect(String(stderr.mock.calls[0][0])).toMatch(/missing: run `npm run schema`/);
      fs.writeFileSync(file, "{}\n");
      expect(runGenSchema(["--check"], file)).toBe(1);
      expect(String(stderr.mock.calls[1][0])).toMatch(/schema\.json is stale .*run `npm run schema`/);
      expect(runGenSchema([], file)).toBe(0);
      expect(fs.readFileSync(file, "utf8")).toBe(renderSchema());
      expect(runGenSchema(["--check"], file)).toBe(0);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the command line --check exits 0 for the committed file", () => {
    const run = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/gen-schema.ts", "--check"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(`${run.status} ${run.stdout}${run.stderr}`).toBe("0 environments/schema.json is up to date\n");
  });
});

describe("subnetPlan", () => {
  const dev = (): PlatformConfig => loadEnvironment("dev", ROOT).config;

  function computed(azs: string[], layout?: Partial<PlatformConfig["network"]["subnetLayout"]>): Pick<PlatformConfig, "aws" | "network"> {
    const base = dev();
    return {
      aws: { ...base.aws, azs },
      network: { ...base.network, subnets: undefined, subnetLayout: { ...base.network.subnetLayout, ...layout } },
    };
  }

  it("computes cidrsubnet(vpc, newbits, offset + azIndex) per tier", () => {
    expect(subnetPlan(computed(["us-west-2a", "us-west-2b"]))).toEqual([
      { az: "us-west-2a", public: "10.0.0.0/24", app: "10.0.16.0/24", data: "10.0.32.0/24" },
      { az: "us-west-2b", public: "10.0.1.0/24", app: "10.0.17.0/24", data: "10.0.33.0/24" },
    ]);
  });

  it("adding an AZ does not move existing subnets", () => {
    const two = subnetPlan(computed(["us-west-2a", "us-west-2b"]));
    const three = subnetPlan(computed(["us-west-2a", "us-west-2b", "us-west-2c"]));
    expect(three.slice(0, 2)).toEqual(two);
    expect(three[2]).toEqual({ az: "us-west-2c", public: "10.0.2.0/24", app: "10.0.18.0/24", data: "10.0.34.0/24" });
  });

  it("follows newbits and offsets", () => {
    expect(subnetPlan(computed(["us-west-2a"], { newbits: 4, offsets: { public: 1, app: 4, data: 8 } }))).toEqual([
      { az: "us-west-2a", public: "10.0.16.0/20", app: "10.0.64.0/20", data: "10.0.128.0/20" },
    ]);
  });

  it("uses network.subnets as written when present", () => {
    const cfg = dev();
    expect(subnetPlan(cfg).map((s) => s.app)).toEqual(cfg.network.subnets!.app);
  });

  it("a computed layout passes the loader's checks", () => {
    const env = standalone("", "[us-west-2a, us-west-2b, us-west-2c]");
    const cfg = withTempFiles({ "env.yaml": env }, (dir) => loadConfigFile(path.join(dir, "env.yaml")).config);
    expect(cfg.network.subnets).toBeUndefined();
    expect(subnetPlan(cfg).map((s) => s.data)).toEqual(["10.0.32.0/24", "10.0.33.0/24", "10.0.34.0/24"]);
  });
});

describe("cidr", () => {
  const c = (text: string): Cidr => {
    const parsed = parseCidr(text);
    if (!parsed) throw new Error(`not a CIDR: ${text}`);
    return parsed;
  };
  /** Terraform's cidrsubnet(prefix, newbits, netnum) as text. */
  const cidrsubnet = (prefix: string, newbits: number, netnum: number): string => formatCidr(cidrSubnet(c(prefix), newbits, netnum));

  it("parses aligned IPv4 blocks", () => {
    expect(parseCidr("10.0.0.0/16")).toEqual({ base: 0x0a000000, prefix: 16 });
    expect(parseCidr("255.255.255.255/32")).toEqual({ base: 0xffffffff, prefix: 32 });
    expect(parseCidr("0.0.0.0/0")).toEqual({ base: 0, prefix: 0 });
    expect(formatCidr(c("192.168.10.0/23"))).toBe("192.168.10.0/23");
    expect(size(c("10.0.0.0/24"))).toBe(256);
  });

  it.each([
    ["10.0.0/16", "not in a.b.c.d/n form"],
    ["10.0.0.0", "not in a.b.c.d/n form"],
    ["10.0.0.0/16 ", "not in a.b.c.d/n form"],
    ["256.0.0.0/8", "an octet is above 255"],
    ["10.0.0.0/33", "prefix length above 32"],
    ["10.0.1.5/24", "host bits set (network address is 10.0.1.0/24)"],
    ["192.168.1.0/16", "host bits set (network address is 192.168.0.0/16)"],
  ])("refuses %s: %s", (text, why) => {
    expect(parseCidr(text)).toBeUndefined();
    expect(explainCidr(text)).toBe(why);
  });

  it("contains", () => {
    expect(contains(c("10.0.0.0/16"), c("10.0.5.0/24"))).toBe(true);
    expect(contains(c("10.0.0.0/16"), c("10.0.0.0/16"))).toBe(true);
    expect(contains(c("10.0.0.0/16"), c("10.1.0.0/24"))).toBe(false);
    expect(contains(c("10.0.5.0/24"), c("10.0.0.0/16"))).toBe(false);
    expect(contains(c("0.0.0.0/0"), c("203.0.113.0/24"))).toBe(true);
    expect(contains(c("128.0.0.0/1"), c("200.1.0.0/16"))).toBe(true);
  });

  it("overlaps", () => {
    expect(overlaps(c("10.0.2.0/24"), c("10.0.2.0/25"))).toBe(true);
    expect(overlaps(c("10.0.2.128/25"), c("10.0.2.0/24"))).toBe(true);
    expect(overlaps(c("10.0.1.0/24"), c("10.0.2.0/24"))).toBe(false);
    expect(overlaps(c("10.0.2.0/25"), c("10.0.2.128/25"))).toBe(false);
  });

  it.each([
    // Terraform documentation examples and hand-checked values of cidrsubnet().
    ["172.16.0.0/12", 4, 2, "172.18.0.0/16"],
    ["10.1.2.0/24", 4, 15, "10.1.2.240/28"],
    ["10.0.0.0/16", 8, 2, "10.0.2.0/24"],
    ["10.0.0.0/16", 8, 255, "10.0.255.0/24"],
    ["10.0.0.0/16", 4, 3, "10.0.48.0/20"],
    ["10.0.0.0/8", 8, 0, "10.0.0.0/16"],
    ["192.168.0.0/16", 0, 0, "192.168.0.0/16"],
    ["0.0.0.0/0", 1, 1, "128.0.0.0/1"],
    ["255.255.255.0/24", 8, 255, "255.255.255.255/32"],
  ] as const)("cidrsubnet(%s, %i, %i) = %s", (prefix, newbits, netnum, expected) => {
    expect(cidrsubnet(prefix, newbits, netnum)).toBe(expected);
  });

  it("cidrSubnet refuses what Terraform refuses", () => {
    expect(() => cidrsubnet("10.0.0.0/16", 8, 256)).toThrow(/netnum 256 does not fit in 8 new bits of 10.0.0.0\/16/);
    expect(() => cidrsubnet("10.0.0.0/16", 8, -1)).toThrow(/netnum -1/);
    expect(() => cidrsubnet("10.0.0.0/28", 5, 0)).toThrow(/exceeds \/32/);
  });
});

describe("naming", () => {
  const n = new Naming("petclinic", "staging");
  const LONG = "a-very-long-component-name-that-goes-on-and-on-and-on";

  it("joins project, environment and parts", () => {
    expect(n.prefix).toBe("petclinic-staging");
    expect(n.name("alb", "public")).toBe("petclinic-staging-public");
    expect(n.name("generic", "", "x")).toBe("petclinic-staging-x");
    expect(n.path("db", "password")).toBe("/petclinic/staging/db/password");
  });

  it("keeps ALB names within 32, IAM roles within 64, S3 buckets within 63 characters", () => {
    const alb = n.name("alb", LONG);
    const role = n.name("iamRole", LONG, LONG);
    const bucket = n.bucket(LONG, "123456789012");
    expect(alb.length).toBeLessThanOrEqual(32);
    expect(role.length).toBeLessThanOrEqual(64);
    expect(bucket.length).toBeLessThanOrEqual(63);
    for (const name of [alb, role, bucket]) {
      expect(name).toMatch(/^petclinic-staging-/);
      expect(name).toMatch(/-[0-9a-f]{6}$/);
      expect(name).not.toMatch(/--/);
    }
  });

  it("lower-cases S3 bucket names and keeps only the characters S3 accepts", () => {
    const bucket = new Naming("petclinic", "dev").bucket("Static_Assets", "123456789012");
    expect(bucket).toBe("petclinic-dev-static-assets-123456789012");
    expect(bucket).toMatch(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/);
    expect(new Naming("petclinic", "dev").bucket(`Upper${LONG}`, "123456789012")).toMatch(/^[a-z0-9-]+$/);
  });

  it("is deterministic and two long names with the same prefix differ", () => {
    const a = n.name("alb", `${LONG}-one`);
    const b = n.name("alb", `${LONG}-two`);
    expect(n.name("alb", `${LONG}-one`)).toBe(a);
    expect(a).not.toBe(b);
    expect(a.slice(0, -7)).toBe(b.slice(0, -7));
  });

  it("fitName replaces refused characters, trims hyphens, leaves fitting names alone", () => {
    expect(fitName("a b/c--d-", NAME_RULES.alb)).toBe("a-b-c-d");
    expect(fitName("role_name+x@y", NAME_RULES.iamRole)).toBe("role_name+x@y");
    expect(fitName("Mixed", NAME_RULES.s3Bucket)).toBe("mixed");
    expect(fitName("x".repeat(32), NAME_RULES.alb)).toBe("x".repeat(32));
    expect(fitName("x".repeat(33), NAME_RULES.alb)).toMatch(/^x{25}-[0-9a-f]{6}$/);
  });
});
