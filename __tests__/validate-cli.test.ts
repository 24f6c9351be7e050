/**
 * npm run validate end to end on a cdktf output directory with one broken stack (Terraform runs
 * here; under CI a missing Terraform fails instead of skipping): the run fails, and its last lines
 * name the broken stack with the first line of its error, so a CI log tail is enough to act on.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { failedStackLines, firstErrorLine } from "../tools/lib/harness";
import { checkTerraform, isCI } from "../tools/lib/terraform";

const ROOT = path.resolve(__dirname, "..");
const FIXTURE = path.join("__tests__", "fixtures", "validate", "broken");
const terraform = checkTerraform();

describe("the tail of a failed harness run", () => {
  it("joins Terraform's Error: line with the first line of its detail", () => {
    const text = [
      "\x1b[31m╷\x1b[0m",
      "│ Error: Failed to install provider",
      "│",
      "│ Error while installing hashicorp/aws v5.100.0: failed to create directory",
      "│ /w/.work/plugin-cache/registry.terraform.io/hashicorp/aws/5.100.0/linux_amd64: file exists",
    ].join("\n");
    expect(firstErrorLine(text)).toBe(
      "Error: Failed to install provider: Error while installing hashicorp/aws v5.100.0: failed to create directory",
    );
    expect(firstErrorLine("")).toBe("(no error text)");
    expect(firstErrorLine("x".repeat(500), 20)).toHaveLength(20);
  });

  it("names each failed stack, its step and its error on one line each", () => {
    expect(
      failedStackLines("plan", [
        { where: "prod network", stage: "init", error: "Error: Failed to install provider\n\nmkdir: file exists" },
        { where: "dev", stage: "config", error: "environments/dev.yaml:3:1 project: expected a name, found nothing" },
      ]),
    ).toEqual([
      "plan failed: prod network (init): Error: Failed to install provider: mkdir: file exists",
      "plan failed: dev (config): environments/dev.yaml:3:1 project: expected a name, found nothing",
    ]);
  });
});

const withTerraform = terraform.ok || isCI() ? describe : describe.skip;
withTerraform("npm run validate --stacks on a broken stack", () => {
  it("fails and ends with the broken stack and its error", () => {
    // A work dir of its own: the run neither waits for a validate or plan of this checkout nor disturbs it.
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "validate-cli-"));
    const res = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/validate.ts", "--stacks", FIXTURE, "--force"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, PLATFORM_ENV: "", PLATFORM_WORK_DIR: work },
      timeout: 600_000,
    });
    fs.rmSync(work, { recursive: true, force: true });
    expect(res.status).toBe(1);
    const tail = res.stdout.trimEnd().split("\n").slice(-2);
    expect(tail[0]).toMatch(/^validate FAILED: 1\/2 stacks valid/);
    expect(tail[1]).toBe(
      "validate failed: stacks-broken/network (validate): error: Reference to undeclared resource (aws_subnet.app_us_west_2a at cdk.tf.json:6:54)",
    );
  }, 600_000);
});

withTerraform("npm run validate run again", () => {
  it("serves the stack that passed from the cache and runs the broken one again, failing the same way", () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "validate-cli-"));
    const run = () =>
      spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/validate.ts", "--stacks", FIXTURE], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, PLATFORM_ENV: "", PLATFORM_WORK_DIR: work },
        timeout: 600_000,
      });
    try {
      const first = run();
      const second = run();
      for (const res of [first, second]) {
        expect(res.status).toBe(1);
        expect(res.stdout.trimEnd().split("\n").pop()).toBe(
          "validate failed: stacks-broken/network (validate): error: Reference to undeclared resource (aws_subnet.app_us_west_2a at cdk.tf.json:6:54)",
        );
      }
      expect(first.stdout).not.toMatch(/unchanged since it last passed/);
      expect(second.stdout).toMatch(/stacks-broken\/bootstrap\s+validate ok \(unchanged since it last passed\)/);
      expect(second.stdout).toMatch(/stacks-broken\/network\s+validate FAILED/);
      expect(second.stdout).toMatch(/validate FAILED: 1\/2 stacks valid in 1 environment \(1 unchanged since they last passed/);
    } finally {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 600_000);
});
