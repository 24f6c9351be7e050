/**
 * npm run review end to end (no Terraform): the report files, the JSON document, the diff section,
 * the prod gate and --fail-on.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Finding } from "../tools/review/policy";

const ROOT = path.resolve(__dirname, "..");
const review = (args: string[]) =>
  spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/review.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, PLATFORM_ENV: "" },
  });

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "review-cli-"));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

describe("npm run review", () => {
  it("writes report.md, report.json and diagram.mmd for prod, prints JSON, diffs against staging and passes the prod gate unless a flow is broken", () => {
    const res = review(["--env", "prod", "--against", "staging", "--ignore-plans", "--json", "--out", out]);
    expect(res.stderr).not.toMatch(/Error|at Object/);
    type Doc = {
      command: string;
      ok: boolean;
      results: {
        env: { key: string; tier: string };
        gate: { failOn: string; failed: boolean; brokenFlows: number };
        summary: { findings: Record<string, number> };
        diff: { b: string };
        flows: { flows: { id: string; status: string; broken?: { hop: string } }[] };
      }[];
    };
    const doc = JSON.parse(res.stdout) as Doc;
    expect(doc.results).toHaveLength(1);
    const broken = doc.results[0].flows.flows.filter((f) => f.status === "broken");
    // No open high finding: only a broken flow can fail prod's gate, and any broken flow does.
    expect(doc.results[0].summary.findings.high).toBe(0);
    expect(doc.results[0]).toMatchObject({
      env: { key: "prod", tier: "prod" },
      gate: { failOn: "high", failed: broken.length > 0, brokenFlows: broken.length },
      diff: { b: "staging" },
    });
    expect(doc).toMatchObject({ command: "review", ok: broken.length === 0 });
    expect(res.status).toBe(broken.length ? 1 : 0);
    for (const f of broken) expect(res.stderr).toContain(`broken flow ${f.id}: ${f.broken!.hop}`);

    const dir = path.join(out, "prod");
    for (const f of ["report.md", "report.json", "diagram.mmd"]) expect(fs.existsSync(path.join(dir, f))).toBe(true);
    const md = fs.readFileSync(path.join(dir, "report.md"), "utf8");
    for (const heading of [
      "# Review: prod",
      "## Summary",
      "## Findings",
      "## Flows",
      "## Estimated monthly cost",
      "## Loss of one availability zone",
      "## Diagram",
      "## Inventory",
      "## Diff: prod against staging",
    ]) {
      expect(md).toContain(heading);
    }
    expect(md).toContain("```mermaid\nflowchart TB");
    expect(md).toContain("### 01 network\n\n```mermaid\nflowchart LR");
    expect(fs.readFileSync(path.join(dir, "diagram.mmd"), "utf8")).toBe(
      JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")).diagram,
    );
    // The human summary went to stderr with --json.
    expect(res.stderr).toMatch(/prod \(prod\): 0 high/);

    // Every finding names the kit's lines that make its resource: its layer's stack.ts line, then
    // (for a module's resource) the module's line; each line holds a `new ...`.
    const { findings } = JSON.parse(fs.readFileSync(path.join(dir, "report.json"), "utf8")) as { findings: Finding[] };
    expect(findings.length).toBeGreaterThan(0);
    for (const f of findings) {
      const hops = (f.code ?? "").split(" → ");
      expect([f.layer, f.address, hops[0]]).toEqual([f.layer, f.address, expect.stringMatching(/^layers\/[\w-]+\/stack\.ts:\d+$/)]);
      for (const hop of hops) {
        const [file, line] = hop.split(":");
        expect(fs.readFileSync(path.join(ROOT, file), "utf8").split("\n")[Number(line) - 1]).toMatch(/\bnew [A-Z]\w*\(/);
      }
      expect(md).toContain(`\`${f.code}\``);
    }
  });

  it("fails with --fail-on when an environment has open findings at that severity", () => {
    const res = review(["--env", "dev", "--fail-on", "low", "--ignore-plans", "--out", out]);
    expect(res.status).toBe(1);
    expect(res.stdout).toMatch(/GATE FAILED/);
    expect(res.stdout).toMatch(/review FAILED/);
  });

  it("refuses an unknown --fail-on value", () => {
    const res = review(["--fail-on", "critical"]);
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--fail-on expects one of high, medium, low, none/);
  });
});
