/**
 * Bad configuration is refused before anything is written, one line per problem:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Every test asserts whole lines. Fixtures are in __tests__/fixtures/config/; most extend _base.yaml
 * (a valid dev environment) and change one thing. A fixture's header (`# refused: <test name>`, then
 * one `# line:col `text` problem` line each) says what it must be refused with; the checks
 * (config-fixtures.ts) also make sure the line and column really hold the offending key.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { formatProblem, type ConfigProblem } from "../core/config/errors";
import { ENVIRONMENTS_DIR, exitOnConfigError, loadConfigFile, loadEnvironment, resolveEnvironmentFile } from "../core/config/loader";
import { fixtureChecks, refusal, ROOT } from "./config-fixtures";
import { ConfigSchema, INTERFACE_ENDPOINT_SERVICES, LAYER_NAMES, LOG_RETENTION_DAYS } from "../core/config/schema";

/** Fixture directory as the loader displays it (relative to the working directory). */
const DIR = "__tests__/fixtures/config";
const { load, expectRefused, itRefuses, itRefusesFixtures } = fixtureChecks(DIR);

const RETENTIONS = `one of the retention periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`;

function keysOf(shape: object): string {
  return Object.keys(shape).join(", ");
}

it("the fixtures' base is valid (every failure below comes from the one change a fixture makes)", () => {
  expect(load("valid.yaml").project).toBe("petclinic");
});

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
});

describe("YAML itself", () => {
  itRefuses([
    [
      "a file that is a list instead of a mapping",
      "list-file.yaml",
      [
        1,
        1,
        "- project: petclinic",
        'expected a mapping of configuration keys, found a list [{"project":"petclinic"},{"environment":"dev"}]',
      ],
    ],
    ["an empty file", "empty.yaml", [1, 1, "", "expected a mapping of configuration keys, found an empty file"]],
    [
      "a file with only comments",
      "comments-only.yaml",
      [1, 1, "# only comments", "expected a mapping of configuration keys, found a file with no keys (only comments)"],
    ],
  ]);
});

describe("unknown keys", () => {
  itRefuses([
    [
      "at the top level, with did-you-mean",
      "unknown-top.yaml",
      [
        2,
        1,
        "netwrok:",
        `netwrok: expected a known key (${keysOf(ConfigSchema.shape)}), found unknown key "netwrok" (did you mean network?)`,
      ],
    ],
    [
      "nested, with did-you-mean",
      "unknown-nested.yaml",
      [
        4,
        3,
        "cidrr: 10.1.0.0/16",
        `network.cidrr: expected a known key (${keysOf(ConfigSchema.shape.network.shape)}), found unknown key "cidrr" (did you mean cidr?)`,
      ],
    ],
    [
      "an unknown layer name under layers:",
      "unknown-layer.yaml",
      [
        4,
        3,
        "monitorng: { enabled: false }",
        `layers.monitorng: expected a known key (${LAYER_NAMES.join(", ")}), found unknown key "monitorng" (did you mean monitoring?)`,
      ],
    ],
  ]);

  it("carries the suggestion in the problem's hint field", () => {
    const e = refusal(() => loadConfigFile(path.join(DIR, "unknown-top.yaml"), ROOT));
    expect(e.problems).toEqual([
      expect.objectContaining<Partial<ConfigProblem>>({
        file: `${DIR}/unknown-top.yaml`,
        line: 2,
        col: 1,
        path: "netwrok",
        hint: "did you mean network?",
      }),
    ]);
  });
});

describe("enums list their options", () => {
  it("an unknown interface endpoint, with did-you-mean", () => {
    const options = INTERFACE_ENDPOINT_SERVICES.map((s) => JSON.stringify(s)).join(", ");
    expectRefused("unknown-endpoint.yaml", [
      3,
      42,
      "secretmanager]",
      `network.interfaceEndpoints[2]: expected one of ${options}, found "secretmanager" (did you mean secretsmanager?)`,
    ]);
  });
});

describe("several problems", () => {
  itRefuses([
    [
      "are reported together, one line each, sorted by line",
      "several.yaml",
      [4, 3, "retentionDays: 45", `logging.retentionDays: expected ${RETENTIONS}, found number 45`],
      [6, 3, 'accountId: "1234"', 'aws.accountId: expected a 12-digit AWS account id, found "1234"'],
      [8, 3, "nat: multi", 'network.nat: expected one of "per-az", "single", "none", found "multi"'],
      [
        9,
        3,
        "cidrr: 10.0.0.0/16",
        `network.cidrr: expected a known key (${keysOf(ConfigSchema.shape.network.shape)}), found unknown key "cidrr" (did you mean cidr?)`,
      ],
    ],
  ]);

  it("the error message is a header and the same lines", () => {
    const e = refusal(() => loadConfigFile(path.join(DIR, "several.yaml"), ROOT));
    expect(e.message.split("\n")).toEqual(["configuration refused (4 problems):", ...e.problems.map(formatProblem)]);
  });
});

describe("PLATFORM_ENV", () => {
  it("an unknown name lists the environments and suggests the closest (prd -> prod)", () => {
    const lines = refusal(() => loadEnvironment("prd", ROOT)).problems.map(formatProblem);
    expect(lines).toEqual([
      'environments:1:1 PLATFORM_ENV: expected one of dev, prod, staging or a path to a YAML file, found "prd" (did you mean prod?)',
    ]);
  });

  it("base is not an environment", () => {
    const lines = refusal(() => resolveEnvironmentFile("base", ENVIRONMENTS_DIR, ROOT)).problems.map(formatProblem);
    expect(lines).toEqual(['environments:1:1 PLATFORM_ENV: expected one of dev, prod, staging or a path to a YAML file, found "base"']);
  });

  it("a path to a missing file", () => {
    const lines = refusal(() => loadEnvironment("envs/nope.yaml", ROOT)).problems.map(formatProblem);
    expect(lines).toEqual([
      `envs/nope.yaml:1:1 PLATFORM_ENV: expected an existing YAML file, found no file at ${path.join(ROOT, "envs/nope.yaml")}`,
    ]);
  });
});

describe("the process entry points", () => {
  it("exitOnConfigError writes the problem lines to stderr and exits 1", () => {
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(() => true);
    const exit = jest.spyOn(process, "exit").mockImplementation(((code?: number) => {
      throw new Error(`exit ${code}`);
    }) as typeof process.exit);
    try {
      const e = refusal(() => loadConfigFile(path.join(DIR, "bad-nat.yaml"), ROOT));
      expect(() => exitOnConfigError(e)).toThrow("exit 1");
      expect(exit).toHaveBeenCalledWith(1);
      expect(stderr).toHaveBeenCalledWith(`${e.message}\n`);
      const other = new TypeError("not a config problem");
      expect(() => exitOnConfigError(other)).toThrow(other);
    } finally {
      stderr.mockRestore();
      exit.mockRestore();
    }
  });

  /** main.ts (the cdktf app) with a bad PLATFORM_ENV: exit 1, the problem line on stderr, nothing written. */
  function runMain(platformEnv: string): { status: number | null; stdout: string; stderr: string; outdirExists: boolean } {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "platform-main-"));
    const outdir = path.join(tmp, "cdktf.out");
    try {
      const run = spawnSync(process.execPath, ["-r", "./tools/register.js", "main.ts"], {
        cwd: ROOT,
        encoding: "utf8",
        env: { ...process.env, PLATFORM_ENV: platformEnv, CDKTF_OUTDIR: outdir },
        timeout: 60_000,
      });
      return {
        status: run.status,
        stdout: run.stdout,
        stderr: run.stderr,
        outdirExists: fs.existsSync(outdir) || fs.readdirSync(tmp).length > 0,
      };
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }

  it("main.ts refuses a bad file: exit 1, the problem on stderr, no output directory", () => {
    const result = runMain(`${DIR}/bad-nat.yaml`);
    expect(result).toEqual({
      status: 1,
      stdout: "",
      stderr: `configuration refused (1 problem):\n${DIR}/bad-nat.yaml:5:3 network.nat: expected one of "per-az", "single", "none", found "multi"\n`,
      outdirExists: false,
    });
  });

  it("main.ts refuses an unknown PLATFORM_ENV the same way", () => {
    const result = runMain("prd");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      'environments:1:1 PLATFORM_ENV: expected one of dev, prod, staging or a path to a YAML file, found "prd" (did you mean prod?)\n',
    );
    expect(result.outdirExists).toBe(false);
  });
});
