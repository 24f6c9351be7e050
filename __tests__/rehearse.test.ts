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
import { loadEnvironment } from "../core/config/loader";
import { synthesizePlatform } from "../core/platform";
import { PLATFORM } from "../layers";
import { deployOrder } from "../tools/lib/deploy";
import { certificateArgs } from "../tools/lib/emulator";
import {
  aggregateReplans,
  applyErrors,
  changedAttributes,
  classifyErrors,
  classifyReplan,
  commonDnsSuffix,
  configAddresses,
  FIDELITY_GAPS,
  mapLimit,
  notApplied,
  preexistingZones,
  preventDestroyAddresses,
  protectedAddresses,
  rehearsalEnv,
  rehearsalOverride,
  rehearsalPassed,
  resourceTimes,
  SEED_REFERENCE,
  seedZoneRequest,
  slowest,
  stackStatus,
  stepBreakdown,
  UNSUPPORTED,
  type FidelityGap,
  type PlanJson,
  type ReplanVerdict,
  type StackOutcome,
  type StepRecord,
  type UnsupportedResource,
} from "../tools/lib/rehearse";
import { interruptTarget, stopTarget } from "../tools/lib/rehearse-faults";
import { canReattach, parseReattach, relativeFiles } from "../tools/lib/rehearse-providers";
import { providerEnv } from "../tools/lib/rehearse-run";
import { readStacks, type TerraformJson } from "../tools/lib/synth";
import { env, withTempDir } from "./helpers";

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
      resource_changes: [
        update("aws_api_gateway_deployment.api", "aws_api_gateway_deployment", { triggers: { a: "1" } }, { triggers: { a: "2" } }),
      ],
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
    withTempDir("rehearse-prod-", (prodDir) => {
      synthesizePlatform(env("prod"), PLATFORM, prodDir);
      const db = JSON.parse(fs.readFileSync(readStacks(prodDir).find((s) => s.name === "database")!.file, "utf8")) as TerraformJson;
      expect(protectedAddresses(db).length).toBeGreaterThan(0);
    });
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
    expect(rehearsalPassed([{ ...ok, replan: { clean: false, tolerated: [], unexpected: [], outputs: [] } }], { replan: true })).toBe(
      false,
    );
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

/**
 * Runs Python lines from the project root with the launcher imported (`emulator`, and `sys` and `json`) and
 * returns the last line they print; fails with their stderr when they fail.
 */
function lastLineWithLauncher(lines: string[], ...args: string[]): string {
  const code = ["import sys, json", "sys.path.insert(0, 'tools/rehearse')", "import emulator", ...lines].join("\n");
  const r = spawnSync("python3", ["-c", code, ...args], { encoding: "utf8", cwd: path.resolve(__dirname, "..") });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim().split("\n").pop()!;
}

describe("emulator launcher (tools/rehearse/emulator.py)", () => {
  // The launcher imports moto to patch it; moto is on every machine of this project (the rehearsal needs it).
  const check = (statements: unknown[]): boolean[] => {
    const code = ["print(json.dumps([emulator._drops_secure_transport_false(s) for s in json.loads(sys.argv[1])]))"];
    return JSON.parse(lastLineWithLauncher(code, JSON.stringify(statements)));
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

describe("hosted zones that exist before the kit (seeded into the emulator)", () => {
  const ids = (cfg: unknown) => preexistingZones(cfg).map((z) => `${z.id} ${z.name}`);

  test("each example's dev: the zone ids its configuration names, with the zone name its domains share", () => {
    const ims = preexistingZones(loadEnvironment("examples/ims/dev.yaml").config);
    expect(ims.map((z) => z.id)).toEqual(["Z0444DEVIMSEXAMPLE01"]);
    // api.dev.ims.example.com (custom domain) and dev.ims.example.com (site, SES): the zone is dev.ims.example.com
    expect(ims[0].name).toBe("dev.ims.example.com");
    expect(ims[0].names).toEqual(["api.dev.ims.example.com", "dev.ims.example.com"]);
    expect(ims[0].paths).toEqual(expect.arrayContaining(["apiGateway.customDomain.hostedZoneId", "frontend.domain.hostedZoneId"]));
    expect(ids(loadEnvironment("examples/business-suite/dev.yaml").config)).toEqual(["Z0123456789BSUITEDEV dev.bsuite.example.com"]);
    expect(ids(loadEnvironment("examples/ims2/dev.yaml").config)).toEqual(["Z0666DEVIMS2EXAMPLE1 api.dev.ims-2.0.com"]);
  });

  test("PetClinic dev names no zone; prod's site zone is the suffix of its name and aliases", () => {
    expect(preexistingZones(env("dev"))).toEqual([]);
    expect(ids(env("prod"))).toEqual(["Z0123456789PETCLINIC petclinic.example.com"]);
  });

  test("read from the configuration wherever a hostedZoneId sits, so a new key is covered without a list", () => {
    const zones = preexistingZones({
      a: { records: [{ hostedZoneId: "ZNEW1", names: ["x.team.example.org", "y.team.example.org"] }] },
      b: { hostedZoneId: "ZNEW1", domainName: "team.example.org" },
    });
    expect(zones).toEqual([
      {
        id: "ZNEW1",
        name: "team.example.org",
        names: ["team.example.org", "x.team.example.org", "y.team.example.org"],
        paths: ["a.records[0].hostedZoneId", "b.hostedZoneId"],
      },
    ]);
  });

  test("a zone id with no domain name beside it is refused: its zone name would be a guess (negative)", () => {
    expect(() => preexistingZones({ dns: { hostedZoneId: "ZLONELY" } })).toThrow(/ZLONELY \(dns\.hostedZoneId\): no domain name/);
  });

  test("the common suffix is whole labels, never a bare TLD", () => {
    expect(commonDnsSuffix(["a.dev.example.com", "b.dev.example.com"])).toBe("dev.example.com");
    expect(commonDnsSuffix(["a.xample.com", "b.example.com"])).toBe("a.xample.com");
    expect(commonDnsSuffix(["one.example.com", "two.other.org"])).toBe("one.example.com");
  });

  test("the seeding request asks the launcher for the configured id through the caller reference", () => {
    const body = seedZoneRequest({ id: "Z0444DEVIMSEXAMPLE01", name: "dev.ims.example.com", names: [], paths: [] });
    expect(body).toContain("<Name>dev.ims.example.com.</Name>");
    expect(body).toContain(`<CallerReference>${SEED_REFERENCE}Z0444DEVIMSEXAMPLE01</CallerReference>`);
  });

  test("the launcher's route53 shim keeps a seeded zone's id, and only for the seed reference (negative: any other caller reference)", () => {
    const code = [
      "from moto.route53.models import route53_backends",
      "b = route53_backends['123456789012']['aws']",
      "z1 = b.create_hosted_zone('dev.ims.example.com.', False, caller_reference=emulator.SEED_REFERENCE + 'Z0444DEVIMSEXAMPLE01')",
      "z2 = b.create_hosted_zone('other.example.com.', False, caller_reference='terraform-20261206')",
      "print(z1.id, b.get_hosted_zone('Z0444DEVIMSEXAMPLE01').name, z2.id == '/hostedzone/Z0444DEVIMSEXAMPLE01', z2.id.startswith('/hostedzone/'))",
    ];
    expect(lastLineWithLauncher(code)).toBe("/hostedzone/Z0444DEVIMSEXAMPLE01 dev.ims.example.com. False True");
  });
});

describe("launcher shims the IMS example needs (moto in-process)", () => {
  test("SQS keeps Policy across other attribute changes and returns RedriveAllowPolicy only when set; SESv2 answers DKIM tokens and a boolean SendingEnabled", () => {
    const code = [
      "from moto import mock_aws",
      "import boto3",
      "with mock_aws():",
      "    kms = boto3.client('kms', region_name='us-west-2').create_key()['KeyMetadata']['Arn']",
      "    c = boto3.client('sqs', region_name='us-west-2')",
      "    u = c.create_queue(QueueName='q', Attributes={'KmsMasterKeyId': kms})['QueueUrl']",
      "    other = c.create_queue(QueueName='other', Attributes={'KmsMasterKeyId': kms})['QueueUrl']",
      "    pol = json.dumps({'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Principal': '*', 'Action': 'sqs:SendMessage', 'Resource': '*'}]})",
      "    c.set_queue_attributes(QueueUrl=u, Attributes={'Policy': pol})",
      "    c.set_queue_attributes(QueueUrl=u, Attributes={'RedriveAllowPolicy': json.dumps({'redrivePermission': 'allowAll'}, separators=(',', ':'))})",
      "    a = c.get_queue_attributes(QueueUrl=u, AttributeNames=['All'])['Attributes']",
      "    b = c.get_queue_attributes(QueueUrl=other, AttributeNames=['All'])['Attributes']",
      "    s = boto3.client('sesv2', region_name='us-west-2')",
      "    s.create_configuration_set(ConfigurationSetName='cs', SendingOptions={'SendingEnabled': True})",
      "    d = s.create_email_identity(EmailIdentity='dev.ims.example.com', DkimSigningAttributes={'NextSigningKeyLength': 'RSA_2048_BIT'})['DkimAttributes']",
      "    e = s.create_email_identity(EmailIdentity='someone@ims.example.com')['DkimAttributes']",
      "    print(json.dumps([('Policy' in a), a.get('RedriveAllowPolicy'), ('RedriveAllowPolicy' in b), s.get_configuration_set(ConfigurationSetName='cs')['SendingOptions'], len(d['Tokens']), 'Tokens' in e]))",
    ];
    expect(JSON.parse(lastLineWithLauncher(code))).toEqual([
      true,
      '{"redrivePermission":"allowAll"}',
      false,
      { SendingEnabled: true },
      3,
      false,
    ]);
  });
});

describe("launcher shims for the IMS dev re-plan (moto in-process)", () => {
  // Each of these made a resource of IMS dev show a diff on the re-plan after deploy; each shim makes
  // moto answer as AWS documents, and leaves everything else as moto answers it (the negatives).
  const run = (lines: string[]): unknown => {
    const code = ["from moto import mock_aws", "import boto3", ...lines];
    return JSON.parse(lastLineWithLauncher(code));
  };

  test("RDS: a parameter the group sets reads back with Source user (the provider drops one without a Source)", () => {
    const out = run([
      "with mock_aws():",
      "    c = boto3.client('rds', region_name='eu-central-1')",
      "    c.create_db_parameter_group(DBParameterGroupName='g', DBParameterGroupFamily='postgres16', Description='d')",
      "    empty = c.describe_db_parameters(DBParameterGroupName='g')['Parameters']",
      "    c.modify_db_parameter_group(DBParameterGroupName='g', Parameters=[{'ParameterName': 'rds.force_ssl', 'ParameterValue': '1', 'ApplyMethod': 'immediate'}])",
      "    p = c.describe_db_parameters(DBParameterGroupName='g')['Parameters']",
      "    print(json.dumps([empty, p]))",
    ]);
    // negative: a group with no parameter set answers none (the shim invents no parameter)
    expect(out).toEqual([[], [{ ParameterName: "rds.force_ssl", ParameterValue: "1", ApplyMethod: "immediate", Source: "user" }]]);
  });

  test("Lambda: a mapping made with an alias ARN answers that alias ARN; one made with a name or version ARN is left as moto answers it (negative)", () => {
    const out = run([
      "import io, zipfile",
      "buf = io.BytesIO(); z = zipfile.ZipFile(buf, 'w'); z.writestr('index.js', 'exports.handler=async()=>({})'); z.close()",
      "with mock_aws():",
      "    iam = boto3.client('iam', region_name='eu-central-1')",
      "    role = iam.create_role(RoleName='r', AssumeRolePolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': []}))['Role']['Arn']",
      "    l = boto3.client('lambda', region_name='eu-central-1')",
      "    fn = l.create_function(FunctionName='mailer', Role=role, Handler='index.handler', Runtime='nodejs20.x', Code={'ZipFile': buf.getvalue()}, Publish=True)",
      "    alias = l.create_alias(FunctionName='mailer', Name='live', FunctionVersion=fn['Version'])['AliasArn']",
      "    sqs = boto3.client('sqs', region_name='eu-central-1')",
      "    arns = []",
      "    for name in ('a', 'b', 'c'):",
      "        u = sqs.create_queue(QueueName=name)['QueueUrl']",
      "        arns.append(sqs.get_queue_attributes(QueueUrl=u, AttributeNames=['QueueArn'])['Attributes']['QueueArn'])",
      "    by_alias = l.create_event_source_mapping(EventSourceArn=arns[0], FunctionName=alias)['UUID']",
      "    by_name = l.create_event_source_mapping(EventSourceArn=arns[1], FunctionName='mailer')['UUID']",
      "    by_version = l.create_event_source_mapping(EventSourceArn=arns[2], FunctionName=fn['FunctionArn'] + ':1')['UUID']",
      "    got = [l.get_event_source_mapping(UUID=u)['FunctionArn'] for u in (by_alias, by_name, by_version)]",
      "    print(json.dumps([alias] + got))",
    ]) as string[];
    const [alias, byAlias, byName, byVersion] = out;
    expect(alias).toMatch(/:function:mailer:live$/);
    expect(byAlias).toBe(alias);
    expect(byName).not.toMatch(/:live$/);
    expect(byVersion).toMatch(/:function:mailer:1$/);
  });

  test("SESv2: a configuration set answers no TrackingOptions/VdmOptions it never set, and keeps those it did (negative)", () => {
    const out = run([
      "with mock_aws():",
      "    s = boto3.client('sesv2', region_name='eu-central-1')",
      "    s.create_configuration_set(ConfigurationSetName='plain', SendingOptions={'SendingEnabled': True})",
      "    s.create_configuration_set(ConfigurationSetName='tracked', TrackingOptions={'CustomRedirectDomain': 'click.example.com'}, VdmOptions={'DashboardOptions': {'EngagementMetrics': 'ENABLED'}})",
      "    a = s.get_configuration_set(ConfigurationSetName='plain')",
      "    b = s.get_configuration_set(ConfigurationSetName='tracked')",
      "    print(json.dumps([('TrackingOptions' in a), ('VdmOptions' in a), b.get('TrackingOptions'), b.get('VdmOptions')]))",
    ]);
    expect(out).toEqual([
      false,
      false,
      { CustomRedirectDomain: "click.example.com" },
      { DashboardOptions: { EngagementMetrics: "ENABLED" } },
    ]);
  });

  test("SQS: RedrivePolicy reads back as the compact JSON the kit writes; a queue without a DLQ has none (negative)", () => {
    const out = run([
      "with mock_aws():",
      "    c = boto3.client('sqs', region_name='eu-central-1')",
      "    dlq = c.create_queue(QueueName='dlq')['QueueUrl']",
      "    arn = c.get_queue_attributes(QueueUrl=dlq, AttributeNames=['QueueArn'])['Attributes']['QueueArn']",
      "    written = json.dumps({'deadLetterTargetArn': arn, 'maxReceiveCount': 3}, separators=(',', ':'))",
      "    u = c.create_queue(QueueName='mail', Attributes={'RedrivePolicy': written})['QueueUrl']",
      "    a = c.get_queue_attributes(QueueUrl=u, AttributeNames=['All'])['Attributes']",
      "    b = c.get_queue_attributes(QueueUrl=dlq, AttributeNames=['All'])['Attributes']",
      "    print(json.dumps([a['RedrivePolicy'] == written, 'RedrivePolicy' in b]))",
    ]);
    expect(out).toEqual([true, false]);
  });
});

describe("where the time goes", () => {
  const step = (phase: StepRecord["phase"], stack: string, s: string, ms: number): StepRecord => ({ phase, stack, step: s, ms });

  test("per stack: init apart from apply, re-plan and destroy summed, runs counted, in stack order", () => {
    const rows = stepBreakdown(
      [
        step("deploy", "network", "init", 3000),
        step("deploy", "network", "apply", 20000),
        step("deploy", "network", "state", 500),
        step("deploy", "bootstrap", "apply", 60000),
        step("replan", "network", "plan", 7000),
        step("replan", "network", "show", 2000),
        step("destroy", "network", "destroy", 9000),
      ],
      ["bootstrap", "network", "security"],
    );
    expect(rows).toEqual([
      { stack: "bootstrap", init: 0, apply: 60000, replan: 0, destroy: 0, runs: 1 },
      { stack: "network", init: 3000, apply: 20500, replan: 9000, destroy: 9000, runs: 6 },
      { stack: "security", init: 0, apply: 0, replan: 0, destroy: 0, runs: 0 },
    ]);
  });

  test("resource times come from the apply's JSON UI (complete and errored); the slowest first, stable on ties", () => {
    const lines = [
      JSON.stringify({ type: "apply_start", hook: { resource: { addr: "aws_kms_key.a" }, action: "create" } }),
      JSON.stringify({ type: "apply_complete", hook: { resource: { addr: "aws_kms_key.a" }, action: "create", elapsed_seconds: 13 } }),
      JSON.stringify({
        type: "apply_complete",
        hook: { resource: { addr: "aws_s3_bucket_lifecycle_configuration.l" }, action: "create", elapsed_seconds: 55 },
      }),
      JSON.stringify({ type: "apply_errored", hook: { resource: { addr: "aws_xray_group.x" }, action: "create", elapsed_seconds: 2 } }),
      "not json",
    ].join("\n");
    const times = [
      ...resourceTimes("bootstrap", lines),
      ...resourceTimes(
        "security",
        JSON.stringify({ type: "apply_complete", hook: { resource: { addr: "aws_kms_key.b" }, action: "create", elapsed_seconds: 13 } }),
      ),
    ];
    expect(times).toHaveLength(4);
    expect(slowest(times, 3).map((t) => `${t.seconds} ${t.stack} ${t.address}`)).toEqual([
      "55 bootstrap aws_s3_bucket_lifecycle_configuration.l",
      "13 bootstrap aws_kms_key.a",
      "13 security aws_kms_key.b",
    ]);
  });
});

describe("re-plans in parallel", () => {
  const clean: ReplanVerdict = { clean: true, tolerated: [], unexpected: [], outputs: [] };
  const dirty: ReplanVerdict = {
    clean: false,
    tolerated: [],
    unexpected: [{ address: "aws_x.y", type: "aws_x", actions: ["update"], attributes: ["tags"] }],
    outputs: [],
  };

  test("results arriving in any order are reported in stack order; all clean is clean", () => {
    const r = aggregateReplans(
      ["a", "b", "c"],
      [
        { stack: "c", verdict: clean },
        { stack: "a", verdict: clean },
        { stack: "b", verdict: clean },
      ],
    );
    expect([...r.byStack.keys()]).toEqual(["a", "b", "c"]);
    expect(r.clean).toBe(true);
  });

  test("one unclean, failed or missing re-plan makes the whole re-plan unclean (negative)", () => {
    expect(
      aggregateReplans(
        ["a", "b"],
        [
          { stack: "a", verdict: clean },
          { stack: "b", verdict: dirty },
        ],
      ).clean,
    ).toBe(false);
    const failed = aggregateReplans(
      ["a", "b"],
      [
        { stack: "a", verdict: clean },
        { stack: "b", error: "Error acquiring the state lock\nmore" },
      ],
    );
    expect(failed.clean).toBe(false);
    expect(failed.byStack.get("b")!.unexpected[0].address).toBe("(plan failed: Error acquiring the state lock)");
    // an error wins over a verdict that says clean
    expect(aggregateReplans(["a"], [{ stack: "a", verdict: clean, error: "boom" }]).clean).toBe(false);
    const missing = aggregateReplans(["a", "b"], [{ stack: "a", verdict: clean }]);
    expect(missing.clean).toBe(false);
    expect(missing.byStack.get("b")!.unexpected[0].address).toBe("(not re-planned)");
  });

  test("mapLimit keeps the items' order whatever finishes first, and never runs more than the limit at once", async () => {
    let running = 0;
    let peak = 0;
    const delays = [30, 5, 20, 1, 10, 2];
    const out = await mapLimit(delays, 3, async (ms, i) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return i;
    });
    expect(out).toEqual([0, 1, 2, 3, 4, 5]);
    expect(peak).toBe(3);
  });
});

describe("shared provider processes (tools/lib/rehearse-providers.ts)", () => {
  test("a stack attaches to a shared provider only with one aws configuration and no file relative to its directory", () => {
    expect(canReattach(tfOf("network"))).toBe(true);
    // negative: the db-users Lambda's zip is read relative to the stack directory
    expect(relativeFiles(tfOf("database"))).toEqual(["aws_lambda_function.db_users.filename"]);
    expect(canReattach(tfOf("database"))).toBe(false);
    // negative: an aliased provider (one process would serve both configurations)
    expect(
      canReattach({
        provider: { aws: [{ region: "us-west-2" }, { alias: "us_east_1", region: "us-east-1" }] },
      } as unknown as TerraformJson),
    ).toBe(false);
  });

  test("reads the reattach address the provider prints in debug mode, and nothing else", () => {
    const line = `\tTF_REATTACH_PROVIDERS='{"registry.terraform.io/hashicorp/aws":{"Protocol":"grpc","ProtocolVersion":5,"Pid":1,"Test":true,"Addr":{"Network":"unix","String":"/tmp/plugin1"}}}'`;
    expect(JSON.parse(parseReattach(`Provider started.\n${line}\n`)!)["registry.terraform.io/hashicorp/aws"].Addr.String).toBe(
      "/tmp/plugin1",
    );
    expect(parseReattach(line.replace("hashicorp/aws", "hashicorp/random"))).toBeUndefined();
    expect(parseReattach("Starting github.com/hashicorp/terraform-provider-aws@5.100.0")).toBeUndefined();
  });

  test("the shared providers trust the emulator's certificate through SSL_CERT_FILE, not AWS_CA_BUNDLE", () => {
    const e = providerEnv({ AWS_CA_BUNDLE: "/tmp/x/cert.pem", AWS_ENDPOINT_URL: ENDPOINT });
    expect(e).toEqual({ SSL_CERT_FILE: "/tmp/x/cert.pem", AWS_ENDPOINT_URL: ENDPOINT });
  });
});
