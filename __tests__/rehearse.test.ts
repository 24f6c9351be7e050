/**
 * The deploy rehearsal's logic, without an emulator or Terraform: the override that points a
 * synthesized stack at the emulator (and changes nothing else), re-plan classification against
 * the reviewed fidelity gaps, apply-error classification against the reviewed unsupported list,
 * prevent_destroy bookkeeping, the fault targets and the pass/fail verdict. npm run rehearse runs
 * the real thing (docs/rehearsal.md).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { synthesizePlatform } from "../core/platform";
import { PLATFORM } from "../layers";
import { deployOrder } from "../tools/lib/deploy";
import { certificateArgs } from "../tools/lib/emulator";
import {
  applyErrors,
  changedAttributes,
  classifyErrors,
  classifyReplan,
  configAddresses,
  FIDELITY_GAPS,
  notApplied,
  preventDestroyAddresses,
  protectedAddresses,
  rehearsalEnv,
  rehearsalOverride,
  rehearsalPassed,
  stackStatus,
  UNSUPPORTED,
  type FidelityGap,
  type PlanJson,
  type StackOutcome,
  type UnsupportedResource,
} from "../tools/lib/rehearse";
import { interruptTarget, stopTarget } from "../tools/lib/rehearse-faults";
import { readStacks, type TerraformJson } from "../tools/lib/synth";
import { env } from "./helpers";

const ENDPOINT = "https://127.0.0.1:45999";

let outdir: string;
let stacks: ReturnType<typeof readStacks>;
const tfOf = (name: string) => JSON.parse(fs.readFileSync(stacks.find((s) => s.name === name)!.file, "utf8")) as TerraformJson;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), "rehearse-test-"));
  synthesizePlatform(env("dev"), PLATFORM, outdir);
  stacks = readStacks(outdir);
});
afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

describe("override file", () => {
  test("keeps the layer's own backend (bucket, key, lock table, encryption) and adds only the endpoints", () => {
    const tf = tfOf("application");
    const o = rehearsalOverride(tf, ENDPOINT) as { terraform: { backend: { s3: Record<string, unknown> } } };
    const own = tf.terraform!.backend!.s3;
    const s3 = o.terraform.backend.s3;
    for (const [k, v] of Object.entries(own)) expect(s3[k]).toEqual(v);
    expect(s3.key).toBe("platform/petclinic/dev/07-application.tfstate");
    expect(s3.dynamodb_table).toBe("petclinic-dev-tflock");
    expect(s3.encrypt).toBe(true);
    expect(
      Object.keys(s3)
        .filter((k) => !(k in own))
        .sort(),
    ).toEqual(["endpoints", "use_path_style"]);
    expect(s3.endpoints).toEqual({ s3: ENDPOINT, dynamodb: ENDPOINT, sts: ENDPOINT, iam: ENDPOINT });
  });

  test("every remote-state read keeps its key and gains only the endpoints (no lock table)", () => {
    const tf = tfOf("application");
    const own = tf.data!.terraform_remote_state as Record<string, { config: Record<string, unknown> }>;
    const o = rehearsalOverride(tf, ENDPOINT) as {
      data: { terraform_remote_state: Record<string, { backend: string; config: Record<string, unknown> }> };
    };
    expect(Object.keys(o.data.terraform_remote_state).sort()).toEqual(Object.keys(own).sort());
    for (const [name, r] of Object.entries(o.data.terraform_remote_state)) {
      expect(r.backend).toBe("s3");
      expect(r.config).toEqual({
        ...own[name].config,
        endpoints: { s3: ENDPOINT, dynamodb: ENDPOINT, sts: ENDPOINT, iam: ENDPOINT },
        use_path_style: true,
      });
      expect(r.config.dynamodb_table).toBeUndefined();
    }
    expect(o.data.terraform_remote_state.network.config.key).toBe("platform/petclinic/dev/01-network.tfstate");
  });

  test("the provider keeps region, allowed account and default tags: the override sets only retries and path-style S3", () => {
    const tf = tfOf("network");
    const o = rehearsalOverride(tf, ENDPOINT) as { provider: { aws: Record<string, unknown>[] } };
    expect(o.provider.aws).toEqual([{ max_retries: 2, s3_use_path_style: true }]);
    // Terraform merges a provider override argument by argument: nothing here replaces these.
    const own = (tf.provider!.aws as Record<string, unknown>[])[0];
    for (const k of ["region", "allowed_account_ids", "default_tags"]) {
      expect(own[k]).toBeDefined();
      expect(o.provider.aws[0][k]).toBeUndefined();
    }
  });

  test("bootstrap (local state) gets a provider override and no backend", () => {
    const o = rehearsalOverride(tfOf("bootstrap"), ENDPOINT);
    expect(o.terraform).toBeUndefined();
    expect(o.data).toBeUndefined();
    expect(o.provider).toBeDefined();
  });

  test("a remote-state read through another backend is refused rather than silently left pointing at AWS", () => {
    const tf: TerraformJson = { data: { terraform_remote_state: { x: { backend: "remote", config: {} } } } };
    expect(() => rehearsalOverride(tf, ENDPOINT)).toThrow(/terraform_remote_state.x uses backend "remote"/);
  });

  test("Terraform's environment: the emulator endpoint, its CA bundle and throwaway keys, over a sanitized base", () => {
    const e = rehearsalEnv({ PATH: "/bin", TF_INPUT: "0" }, { endpoint: ENDPOINT, caBundle: "/tmp/ca.pem", region: "us-west-2" });
    expect(e).toMatchObject({ PATH: "/bin", AWS_ENDPOINT_URL: ENDPOINT, AWS_CA_BUNDLE: "/tmp/ca.pem", AWS_REGION: "us-west-2" });
    expect(e.AWS_ACCESS_KEY_ID).toBe("rehearsal");
    expect(rehearsalEnv({}, { endpoint: "http://127.0.0.1:4566", region: "eu-west-1" }).AWS_CA_BUNDLE).toBeUndefined();
  });

  test("the throwaway certificate is for the loopback address only", () => {
    const args = certificateArgs("k.pem", "c.pem").join(" ");
    expect(args).toContain("subjectAltName=IP:127.0.0.1,DNS:localhost");
    expect(args).toContain("-days 2");
  });
});

describe("re-plan classification", () => {
  const gap: FidelityGap = { type: "aws_ecs_service", attributes: ["triggers"], reason: "test gap", emulator: "moto 5.2.1" };
  const update = (address: string, type: string, before: object, after: object, unknown: object = {}) => ({
    address,
    type,
    mode: "managed",
    change: { actions: ["update"], before, after, after_unknown: unknown },
  });

  test("no-op and data reads are clean", () => {
    const plan: PlanJson = {
      resource_changes: [
        { address: "aws_vpc.vpc", type: "aws_vpc", mode: "managed", change: { actions: ["no-op"] } },
        { address: "data.aws_iam_policy_document.x", type: "aws_iam_policy_document", mode: "data", change: { actions: ["read"] } },
      ],
    };
    expect(classifyReplan(plan, [gap])).toMatchObject({ clean: true, tolerated: [], unexpected: [] });
  });

  test("an update whose every changed attribute a reviewed gap names is tolerated, with the gap", () => {
    const plan: PlanJson = {
      resource_changes: [
        update("aws_ecs_service.customers", "aws_ecs_service", { triggers: { a: "1" }, name: "x" }, { triggers: { a: "2" }, name: "x" }),
      ],
    };
    const v = classifyReplan(plan, [gap]);
    expect(v.clean).toBe(true);
    expect(v.tolerated).toHaveLength(1);
    expect(v.tolerated[0].gap).toBe(gap);
    expect(v.tolerated[0].attributes).toEqual(["triggers"]);
  });

  test("an update touching one attribute the gap does not name is unexpected (negative)", () => {
    const plan: PlanJson = {
      resource_changes: [
        update(
          "aws_ecs_service.customers",
          "aws_ecs_service",
          { triggers: { a: "1" }, desired_count: 1 },
          { triggers: { a: "2" }, desired_count: 2 },
        ),
      ],
    };
    const v = classifyReplan(plan, [gap]);
    expect(v.clean).toBe(false);
    expect(v.unexpected[0].attributes).toEqual(["desired_count", "triggers"]);
  });

  test("the same attribute on another resource type is not excused (negative)", () => {
    const plan: PlanJson = {
      resource_changes: [update("aws_api_gateway_deployment.api", "aws_api_gateway_deployment", { triggers: { a: "1" } }, { triggers: { a: "2" } })],
    };
    expect(classifyReplan(plan, [gap]).unexpected.map((d) => d.address)).toEqual(["aws_api_gateway_deployment.api"]);
  });

  test("replacements, creates and deletes are never tolerated, whatever the gap list says (negative)", () => {
    const plan: PlanJson = {
      resource_changes: [
        {
          address: "aws_ecs_service.a",
          type: "aws_ecs_service",
          change: { actions: ["delete", "create"], before: { triggers: 1 }, after: { triggers: 2 } },
        },
        { address: "aws_ecs_service.b", type: "aws_ecs_service", change: { actions: ["create"], before: null, after: { triggers: 2 } } },
        { address: "aws_ecs_service.c", type: "aws_ecs_service", change: { actions: ["delete"], before: { triggers: 2 }, after: null } },
      ],
    };
    expect(classifyReplan(plan, [gap]).unexpected).toHaveLength(3);
  });

  test("a create of a resource the emulator could not make (already listed) does not count twice", () => {
    const plan: PlanJson = {
      resource_changes: [{ address: "aws_xray_group.api", type: "aws_xray_group", change: { actions: ["create"], after: {} } }],
    };
    expect(classifyReplan(plan, [], ["aws_xray_group.api"]).clean).toBe(true);
    expect(classifyReplan(plan, [], []).clean).toBe(false);
  });

  test("an attribute that becomes unknown counts as changed (a perpetual trigger hash, for example)", () => {
    expect(
      changedAttributes({
        actions: ["update"],
        before: { triggers: { h: "x" }, name: "n" },
        after: { name: "n" },
        after_unknown: { triggers: true },
      }),
    ).toEqual(["triggers"]);
    expect(
      changedAttributes({ actions: ["update"], before: { tags: { a: "1" } }, after: { tags: { a: "1" } }, after_unknown: { tags: {} } }),
    ).toEqual([]);
  });

  test("output changes are reported", () => {
    const v = classifyReplan({ output_changes: { vpc_id: { actions: ["update"] }, same: { actions: ["no-op"] } } }, []);
    expect(v.outputs).toEqual(["vpc_id"]);
  });

  test("every reviewed gap names attributes, a reason and the emulator version; none excuses a whole resource", () => {
    for (const g of FIDELITY_GAPS) {
      expect(g.attributes.length).toBeGreaterThan(0);
      expect(g.reason.length).toBeGreaterThan(20);
      expect(g.emulator).toMatch(/^moto \d+\.\d+\.\d+$/);
      expect(g.attributes).not.toContain("*");
    }
  });
});

describe("apply errors", () => {
  const diag = (address: string | undefined, summary: string, detail = "") =>
    JSON.stringify({ "@level": "error", type: "diagnostic", diagnostic: { severity: "error", summary, detail, address } });
  const unsupported: UnsupportedResource = {
    type: "aws_xray_group",
    error: /not (yet )?implemented|404/i,
    reason: "moto has no X-Ray groups",
    emulator: "moto 5.2.1",
  };

  test("reads the error diagnostics of Terraform's JSON UI with their address and type", () => {
    const lines = [
      JSON.stringify({ type: "apply_complete", hook: {} }),
      diag("aws_xray_group.api", "creating X-Ray Group", "StatusCode: 404, not yet implemented"),
      diag('module.m.aws_ecs_service.svc["a"]', "boom"),
      JSON.stringify({ type: "diagnostic", diagnostic: { severity: "warning", summary: "deprecated" } }),
    ].join("\n");
    const errors = applyErrors(lines);
    expect(errors.map((e) => [e.address, e.type])).toEqual([
      ["aws_xray_group.api", "aws_xray_group"],
      ['module.m.aws_ecs_service.svc["a"]', "aws_ecs_service"],
    ]);
  });

  test("an error is excused only for a listed type with the listed error text", () => {
    const [listed, otherText, otherType] = classifyErrors(
      [
        { address: "aws_xray_group.api", type: "aws_xray_group", summary: "creating", detail: "StatusCode: 404" },
        { address: "aws_xray_group.api2", type: "aws_xray_group", summary: "creating", detail: "InvalidParameterValue: name" },
        { address: "aws_ecs_service.a", type: "aws_ecs_service", summary: "creating", detail: "StatusCode: 404" },
      ],
      [unsupported],
    );
    expect(listed.unsupported).toBe(unsupported);
    expect(otherText.unsupported).toBeUndefined();
    expect(otherType.unsupported).toBeUndefined();
  });

  test("a stack with only listed failures is partial; any other failure fails it", () => {
    const listed = { summary: "", detail: "", unsupported };
    expect(stackStatus(0, [])).toBe("applied");
    expect(stackStatus(1, [listed])).toBe("partial");
    expect(stackStatus(1, [listed, { summary: "x", detail: "" }])).toBe("failed");
    expect(stackStatus(1, [])).toBe("failed");
  });

  test("every declared resource missing after an apply is listed: its own reviewed error, or waiting for one", () => {
    const declared = configAddresses({
      resource: { aws_cloudfront_function: { spa: {} }, aws_cloudfront_distribution: { site: {} }, aws_s3_bucket: { site: {} } },
    });
    expect(declared).toEqual(["aws_cloudfront_distribution.site", "aws_cloudfront_function.spa", "aws_s3_bucket.site"]);
    const fn = {
      address: "aws_cloudfront_function.spa",
      type: "aws_cloudfront_function",
      summary: "creating",
      detail: "404",
      unsupported: { ...unsupported, reason: "no functions" },
    };
    const missing = notApplied(declared, ["aws_s3_bucket.site"], [fn]);
    expect(missing.map((m) => [m.address, m.explained])).toEqual([
      ["aws_cloudfront_distribution.site", true],
      ["aws_cloudfront_function.spa", true],
    ]);
    expect(missing[0].reason).toMatch(/depends on aws_cloudfront_function.spa/);
    expect(missing[1].reason).toBe("no functions");
  });

  test("a resource missing for any other reason is unexplained and fails the stack (negative)", () => {
    const declared = ["aws_s3_bucket.a", "aws_s3_bucket.b"];
    // apply exited 0 but a resource is not in state
    const silent = notApplied(declared, ["aws_s3_bucket.a"], []);
    expect(silent).toEqual([{ address: "aws_s3_bucket.b", reason: "missing from state after the apply", explained: false }]);
    expect(stackStatus(0, [], silent)).toBe("failed");
    // one reviewed failure and one other failure: nothing downstream is excused
    const other = { address: "aws_s3_bucket.a", type: "aws_s3_bucket", summary: "creating", detail: "AccessDenied" };
    const listed = { address: "aws_xray_group.g", type: "aws_xray_group", summary: "c", detail: "404", unsupported };
    const mixed = notApplied(["aws_s3_bucket.a", "aws_xray_group.g", "aws_x.y"], [], [other, listed]);
    expect(mixed.filter((m) => !m.explained).map((m) => m.address)).toEqual(["aws_s3_bucket.a", "aws_x.y"]);
    expect(stackStatus(1, [other, listed], mixed)).toBe("failed");
    // indexed addresses in state count for their resource
    expect(notApplied(["aws_s3_bucket.a"], ['aws_s3_bucket.a["x"]'], [])).toEqual([]);
  });

  test("every unsupported entry names its reason and emulator", () => {
    for (const u of UNSUPPORTED) {
      expect(u.type).toMatch(/^aws_/);
      expect(u.reason.length).toBeGreaterThan(20);
      expect(u.emulator).toMatch(/^moto \d+\.\d+\.\d+$/);
    }
  });
});

describe("destroy and verdict", () => {
  test("prevent_destroy guards the state bucket in every tier and the database where data is protected", () => {
    expect(protectedAddresses(tfOf("bootstrap"))).toEqual(["aws_s3_bucket.state"]);
    expect(protectedAddresses(tfOf("database"))).toEqual([]);
    const prodDir = fs.mkdtempSync(path.join(os.tmpdir(), "rehearse-prod-"));
    try {
      synthesizePlatform(env("prod"), PLATFORM, prodDir);
      const db = JSON.parse(fs.readFileSync(readStacks(prodDir).find((s) => s.name === "database")!.file, "utf8")) as TerraformJson;
      expect(protectedAddresses(db).length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(prodDir, { recursive: true, force: true });
    }
  });

  test("reads the addresses Terraform refuses to destroy", () => {
    const text = [
      "Error: Instance cannot be destroyed",
      "",
      "  on cdk.tf.json line 120:",
      "Resource aws_s3_bucket.state has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.",
      "Resource aws_rds_cluster.aurora has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed.",
    ].join("\n");
    expect(preventDestroyAddresses(text)).toEqual(["aws_rds_cluster.aurora", "aws_s3_bucket.state"]);
    expect(preventDestroyAddresses("Error: deleting VPC: DependencyViolation")).toEqual([]);
  });

  test("the rehearsal passes only with every stack applied, every re-plan clean and no failed destroy", () => {
    const ok: StackOutcome = {
      stack: "network",
      resources: 2,
      status: "applied",
      unsupported: [],
      errors: [],
      replan: { clean: true, tolerated: [], unexpected: [], outputs: [] },
      destroy: "destroyed",
    };
    expect(rehearsalPassed([ok], { replan: true })).toBe(true);
    expect(rehearsalPassed([{ ...ok, status: "failed" }], { replan: true })).toBe(false);
    expect(rehearsalPassed([{ ...ok, replan: { clean: false, tolerated: [], unexpected: [], outputs: [] } }], { replan: true })).toBe(false);
    expect(rehearsalPassed([{ ...ok, replan: undefined }], { replan: true })).toBe(false);
    expect(rehearsalPassed([{ ...ok, destroy: "failed" }], { replan: true })).toBe(false);
    expect(rehearsalPassed([{ ...ok, destroy: "protected" }], { replan: true })).toBe(true);
  });
});

describe("order and fault targets", () => {
  test("the rehearsal deploys bootstrap and the enabled layers in registry order (the deploy:all order)", () => {
    const { stacks: order } = deployOrder(env("dev"), PLATFORM);
    expect(order[0]).toBe("bootstrap");
    expect(order.slice(1, 4)).toEqual(["network", "security", "database"]);
    expect(stacks.map((s) => s.name)).toEqual(order);
  });

  test("the interrupted apply hits the first layer with several resources; the stop lands in the middle of the layers", () => {
    expect(interruptTarget(stacks)?.name).toBe("network");
    const stop = stopTarget(stacks)!;
    const layers = stacks.filter((s) => s.name !== "bootstrap").map((s) => s.name);
    expect(layers.indexOf(stop.name)).toBe(Math.floor(layers.length / 2));
    expect(stopTarget(stacks.slice(0, 2))).toBeUndefined();
  });
});

describe("emulator launcher (tools/rehearse/emulator.py)", () => {
  // The launcher imports moto to patch it; moto is on every machine of this project (the rehearsal needs it).
  const check = (statements: unknown[]): boolean[] => {
    const code = [
      "import json, sys",
      "sys.path.insert(0, 'tools/rehearse')",
      "import emulator",
      "print(json.dumps([emulator._drops_secure_transport_false(s) for s in json.loads(sys.argv[1])]))",
    ].join("\n");
    const r = spawnSync("python3", ["-c", code, JSON.stringify(statements)], { encoding: "utf8", cwd: path.resolve(__dirname, "..") });
    if (r.status !== 0) throw new Error(r.stderr);
    return JSON.parse(r.stdout.trim().split("\n").pop()!);
  };

  test("only a statement conditioned on nothing but aws:SecureTransport = false is left out (the server is TLS-only)", () => {
    expect(
      check([
        { Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } },
        { Effect: "Deny", Condition: { Bool: { "aws:securetransport": false } } },
        // negatives: these must still be evaluated
        { Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "true" } } },
        { Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" }, StringNotEquals: { "aws:PrincipalAccount": "1" } } },
        { Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false", "aws:ViaAWSService": "false" } } },
        { Effect: "Deny" },
      ]),
    ).toEqual([true, true, false, false, false, false]);
  });
});
