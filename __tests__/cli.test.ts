/**
 * The `platform` command line: which tool each verb runs, --env / PLATFORM_ENV handed on the same
 * way for every verb, one layer through `npx cdktf <verb> <layer>`, layer order for whole runs, and
 * clear refusals with a suggestion for a mistyped verb or layer.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { stringify } from "yaml";
import { ENVIRONMENTS_DIR } from "../core/config/loader";
import { CliError, resolveInvocation, VERBS } from "../tools/cli";
import { stackSteps } from "../tools/lib/deploy";

const ROOT = path.resolve(__dirname, "..");
const tool = (cmd: readonly string[]) => path.basename(cmd[3] ?? "");
const resolve = (argv: string[], platformEnv?: string) => resolveInvocation(argv, platformEnv, () => true);

describe("platform <verb>", () => {
  it("runs the verb's tool with --env from the flag, else from PLATFORM_ENV", () => {
    const flag = resolve(["plan", "--env", "prod", "--json"], "dev");
    expect(flag.commands).toHaveLength(1);
    expect(tool(flag.commands[0])).toBe("plan.ts");
    expect(flag.commands[0].slice(4)).toEqual(["--env", "prod", "--json"]);
    const fromEnv = resolve(["validate"], "examples/ims/prod.yaml");
    expect(fromEnv.commands[0].slice(4)).toEqual(["--env", "examples/ims/prod.yaml"]);
    // Without either, validate/plan/review keep their default (every environment).
    expect(resolve(["review"]).commands[0].slice(4)).toEqual([]);
    expect(resolve(["synth", "--env=staging", "--hcl"]).commands[0].slice(4)).toEqual(["--env", "staging", "--hcl"]);
  });

  it("hands a layer to validate and plan as --layer, and refuses one where a verb works on whole environments", () => {
    expect(resolve(["plan", "network", "--env", "prod"]).commands[0].slice(4)).toEqual(["--env", "prod", "--layer", "network"]);
    expect(() => resolve(["review", "network"])).toThrow(/review takes no layer/);
  });

  it("hands where's addresses on as they are (they are not layers), with --env like every verb", () => {
    const where = resolve(["where", "aws_vpc.vpc", "network.aws_subnet.vpc_app_a", "--env", "prod"]);
    expect(tool(where.commands[0])).toBe("where.ts");
    expect(where.commands[0].slice(4)).toEqual(["--env", "prod", "aws_vpc.vpc", "network.aws_subnet.vpc_app_a"]);
  });

  it("deploys, diffs and destroys one layer with exactly `npx cdktf <verb> <layer>` and PLATFORM_ENV", () => {
    const one = resolve(["deploy", "security", "--env", "prod", "--auto-approve"]);
    expect(one.commands).toEqual([["npx", "cdktf", "deploy", "security", "--auto-approve"]]);
    expect(one.env).toEqual({ PLATFORM_ENV: "prod" });
    const file = resolve(["destroy", "network", "--env", "examples/ims/dev.yaml"]);
    expect(file.env.PLATFORM_ENV).toBe(path.resolve("examples/ims/dev.yaml"));
    expect(resolve(["diff", "network"]).env).toEqual({ PLATFORM_ENV: "dev" });
  });

  it("runs whole-environment deploy, diff and destroy through the in-order runners", () => {
    expect(tool(resolve(["deploy", "--env", "dev"]).commands[0])).toBe("deploy-all.ts");
    expect(tool(resolve(["diff"]).commands[0])).toBe("diff-all.ts");
    expect(tool(resolve(["destroy", "--include-bootstrap"]).commands[0])).toBe("destroy-all.ts");
    expect(resolve(["bench"]).commands.map(tool)).toEqual(["bench.ts", "bench-scale.ts"]);
    expect(
      resolve(["rehearse", "--env", "dev", "--faults"])
        .commands[0].slice(3)
        .map((a, i) => (i === 0 ? path.basename(a) : a)),
    ).toEqual(["rehearse.ts", "--env", "dev", "--faults"]);
  });

  it("refuses a mistyped verb or layer with a suggestion, and --env where a verb takes none", () => {
    expect(() => resolve(["valdate"])).toThrow(CliError);
    expect(() => resolve(["valdate"])).toThrow(/did you mean validate\?/);
    expect(() => resolve(["deploy", "netwrk"])).toThrow(/unknown layer "netwrk" \(did you mean network\?\)/);
    expect(() => resolve(["workflows", "--env", "dev"])).toThrow(/workflows takes no --env/);
    expect(() => resolveInvocation(["plan"], undefined, (s) => s !== "plan.ts")).toThrow(/tools\/plan.ts is not part of this checkout/);
  });

  it("has a tool in this checkout for every verb", () => {
    const missing = Object.values(VERBS)
      .flatMap((v) => v.scripts)
      .filter((s) => !fs.existsSync(path.join(ROOT, "tools", s)));
    expect(missing).toEqual([]);
  });

  it("destroys in reverse layer order and resumes from a stack in that order", () => {
    expect(stackSteps("destroy", ["bootstrap", "network", "security"]).map((s) => s.command.join(" "))).toEqual([
      "npx cdktf destroy security",
      "npx cdktf destroy network",
      "npx cdktf destroy bootstrap",
    ]);
    expect(stackSteps("destroy", ["network", "security", "database"], { from: "security" }).map((s) => s.stack)).toEqual([
      "security",
      "network",
    ]);
  });

  it("works as `npx platform`: deploy --dry-run lists the stacks in layer order", () => {
    const run = (args: string[]) =>
      spawnSync(process.execPath, ["bin/platform.js", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, PLATFORM_ENV: "" } });
    const deploy = run(["deploy", "--env", "dev", "--dry-run", "--json"]);
    expect(deploy.status).toBe(0);
    const stacks = (JSON.parse(deploy.stdout) as { results: { stack: string }[] }).results.map((r) => r.stack);
    expect(stacks.slice(0, 4)).toEqual(["bootstrap", "network", "security", "database"]);
    // A refused configuration under --json: one JSON document on stdout with every problem, nothing written.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "platform-cli-"));
    const refused = run([
      "synth",
      "--env",
      "__tests__/fixtures/config/shape-and-rules.yaml",
      "--json",
      "--out",
      path.join(out, "cdktf.out"),
    ]);
    expect(refused.status).toBe(1);
    const doc = JSON.parse(refused.stdout) as { command: string; ok: boolean; refused: boolean; problems: { path: string }[] };
    expect(doc).toMatchObject({ command: "synth", ok: false, refused: true });
    expect(doc.problems.map((p) => p.path)).toEqual(["logging.retentionDays", "network.nat", "network.subnets.data[1]", "aws.azs[1]"]);
    expect(fs.readdirSync(out)).toEqual([]);
    fs.rmSync(out, { recursive: true, force: true });
    // HCL never lands where cdktf deploys from (cdk.tf beside cdk.tf.json defines everything twice).
    const hcl = run(["synth", "--env", "dev", "--hcl", "--out", "cdktf.out"]);
    expect(hcl.status).toBe(2);
    expect(hcl.stderr).toMatch(/HCL is not written into cdktf.out/);
    const bad = run(["plan", "netwrk"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/did you mean network/);
  });
});

/** deploy:all itself (tools/deploy-all.ts), run as a process with --dry-run: moved here from tools.test.ts, which tests its parts. */
describe("deploy:all --dry-run", () => {
  const scratch: string[] = [];
  afterAll(() => scratch.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it("dry run lists bootstrap, network, security in order and leaves out a disabled layer", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-deploy-dry-"));
    scratch.push(dir);
    const file = path.join(dir, "dev-no-security.yaml");
    fs.writeFileSync(file, stringify({ extends: path.join(ENVIRONMENTS_DIR, "dev.yaml"), layers: { security: { enabled: false } } }));
    const runDry = (envArg: string) => {
      const res = spawnSync(
        process.execPath,
        ["-r", "./tools/register.js", "tools/deploy-all.ts", "--dry-run", "--json", "--env", envArg, "--", "--auto-approve"],
        {
          cwd: ROOT,
          encoding: "utf8",
        },
      );
      expect(res.status).toBe(0);
      return JSON.parse(res.stdout) as {
        results: { stack: string; command: string; status: string }[];
        skipped: { layer: string; reason: string }[];
      };
    };
    const all = runDry("dev");
    expect(all.results.map((r) => r.stack).slice(0, 3)).toEqual(["bootstrap", "network", "security"]);
    expect(all.results[0]).toEqual({ stack: "bootstrap", command: "npx cdktf deploy bootstrap --auto-approve", status: "planned" });
    const without = runDry(file);
    expect(without.results.map((r) => r.stack)).not.toContain("security");
    // The README's line: --auto-approve as an option of deploy:all itself, not only after a second --.
    const readme = spawnSync(
      process.execPath,
      ["-r", "./tools/register.js", "tools/deploy-all.ts", "--dry-run", "--json", "--env", "dev", "--auto-approve"],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(readme.status).toBe(0);
    const doc = JSON.parse(readme.stdout) as { results: { command: string }[] };
    expect(doc.results.every((r) => r.command.endsWith(" --auto-approve"))).toBe(true);
    expect(without.skipped).toContainEqual({ layer: "security", reason: "disabled" });
  });
});
