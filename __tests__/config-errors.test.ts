/**
 * Bad configuration is refused before anything is written, one line per problem:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Every test asserts whole lines. Fixtures are in __tests__/fixtures/config/; most extend _base.yaml
 * (a valid dev environment) and change one thing. `at()` checks that the line and column asserted
 * really hold the offending key in the fixture.
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
const { refused, at, expectRefused, itRefuses } = fixtureChecks(DIR);

const RETENTIONS = `one of the retention periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")})`;
const US_WEST_2_AZS = "us-west-2a, us-west-2b, us-west-2c, us-west-2d";

function keysOf(shape: object): string {
  return Object.keys(shape).join(", ");
}

it("the fixtures' base is valid (every failure below comes from the one change a fixture makes)", () => {
  expect(loadConfigFile(path.join(DIR, "valid.yaml"), ROOT).config.project).toBe("petclinic");
});

describe("YAML itself", () => {
  itRefuses([
    [
      "a syntax error: where the parser stopped",
      "yaml-syntax.yaml",
      [
        4,
        1,
        "aws:",
        "expected valid YAML, found a syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
      ],
    ],
    [
      "a syntax error inside a line: its column",
      "yaml-compact.yaml",
      [4, 11, "us-west-2: oops", "expected valid YAML, found a syntax error: Nested mappings are not allowed in compact mappings"],
    ],
    [
      "tabs as indentation",
      "yaml-tab.yaml",
      [3, 1, "\tregion: us-west-2", "expected valid YAML, found a syntax error: Tabs are not allowed as indentation"],
    ],
    [
      "a duplicate key: the second one, with its key path and the first one's line",
      "duplicate-key.yaml",
      [4, 3, "region: us-east-1", 'aws.region: expected each key once in a mapping, found the key "region" again (first at line 3)'],
    ],
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

describe("wrong types", () => {
  itRefuses([
    [
      "a string where a number belongs",
      "string-for-number.yaml",
      [4, 5, 'port: "8080"', 'services.customers.port: expected a TCP port number, found "8080"'],
    ],
    [
      "a number where a string belongs",
      "number-for-string.yaml",
      [2, 1, "environment: 42", "environment: expected an environment name, found number 42"],
    ],
    [
      "a list where a mapping belongs",
      "list-for-mapping.yaml",
      [2, 1, "tags:", 'tags: expected a mapping, found a list ["Team","Platform"]'],
    ],
    [
      "an account id written as an unquoted number",
      "account-unquoted.yaml",
      [3, 3, "accountId: 111111111111", "aws.accountId: expected a 12-digit AWS account id, quoted as a string, found number 111111111111"],
    ],
    [
      "extends that is not a file name",
      "extends-number.yaml",
      [1, 1, "extends: 42", "extends: expected the name or relative path of a parent YAML file, found number 42"],
    ],
  ]);
});

describe("missing required keys point at the mapping that lacks them", () => {
  itRefuses([
    [
      "project (at the top-level mapping)",
      "missing-project.yaml",
      [2, 1, "environment: dev", "project: expected a project name, found nothing (the key is missing)"],
    ],
    [
      "aws.accountId (at aws:)",
      "missing-account.yaml",
      [4, 1, "aws:", "aws.accountId: expected a 12-digit AWS account id, quoted as a string, found nothing (the key is missing)"],
    ],
    [
      "backend.bucket (at backend:)",
      "missing-bucket.yaml",
      [8, 1, "backend:", "backend.bucket: expected an S3 bucket name, found nothing (the key is missing)"],
    ],
    [
      "backend.lockTable when lockMode is dynamodb",
      "no-lock-table.yaml",
      [
        8,
        1,
        "backend:",
        "backend.lockTable: expected a DynamoDB lock table name (backend.lockMode is dynamodb), found nothing (the key is missing)",
      ],
    ],
    [
      "backend.lockTable removed with null while lockMode is both",
      "drop-lock-table.yaml",
      [
        4,
        3,
        "lockTable: null",
        "backend.lockTable: expected a DynamoDB lock table name (backend.lockMode is both), found nothing (the key is missing)",
      ],
    ],
  ]);

  it("aws.accountId in a parent file's aws: when the child has no aws:", () => {
    expect(at("missing-account.yaml", 4, 1)).toBe("aws:");
    expect(refused("inherits-missing-account.yaml")).toEqual([
      `${DIR}/missing-account.yaml:4:1 aws.accountId: expected a 12-digit AWS account id, quoted as a string, found nothing (the key is missing)`,
    ]);
  });
});

describe("enums list their options", () => {
  itRefuses([
    ["tier", "bad-tier.yaml", [2, 1, "tier: production", 'tier: expected one of "dev", "staging", "prod", found "production"']],
    ["network.nat", "bad-nat.yaml", [3, 3, "nat: multi", 'network.nat: expected one of "per-az", "single", "none", found "multi"']],
    [
      "backend.lockMode, with did-you-mean",
      "bad-lockmode.yaml",
      [3, 3, "lockMode: dynamo", 'backend.lockMode: expected one of "dynamodb", "s3", "both", found "dynamo" (did you mean dynamodb?)'],
    ],
    [
      "log retention CloudWatch does not accept",
      "bad-retention.yaml",
      [3, 3, "retentionDays: 45", `logging.retentionDays: expected ${RETENTIONS}, found number 45`],
    ],
  ]);

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

describe("values out of shape or range", () => {
  itRefuses([
    [
      "an account id of 11 digits",
      "account-11-digits.yaml",
      [3, 3, 'accountId: "11111111111"', 'aws.accountId: expected a 12-digit AWS account id, found "11111111111"'],
    ],
    [
      "an invalid region",
      "bad-region.yaml",
      [3, 3, "region: us-westt-2a", 'aws.region: expected an AWS region name such as us-west-2, found "us-westt-2a"'],
    ],
    [
      "a WAF rate limit below 10",
      "waf-rate.yaml",
      [
        4,
        5,
        "rateLimit: 5",
        "security.waf.rateLimit: expected a rate limit of at least 10 requests per 5 minutes (the WAF minimum), found number 5",
      ],
    ],
    [
      "a service name that is not DNS-safe",
      "service-name.yaml",
      [
        3,
        3,
        "Customers_API: { port: 8080 }",
        'services.Customers_API: expected a key that is a DNS-safe service name (a-z, 0-9, -; 2-32 characters), found the key "Customers_API"',
      ],
    ],
    [
      "a port out of range",
      "port-range.yaml",
      [4, 5, "port: 70000", "services.vets.port: expected a port between 1 and 65535, found number 70000"],
    ],
  ]);
});

describe("network", () => {
  itRefuses([
    [
      "invalid CIDR syntax",
      "cidr-syntax.yaml",
      [3, 3, "cidr: 10.0.0/16", 'network.cidr: expected an IPv4 CIDR block such as 10.0.0.0/16, found "10.0.0/16"'],
    ],
    [
      "host bits set in a subnet, located at the list item",
      "cidr-host-bits.yaml",
      [
        4,
        24,
        "10.0.4.7/24]",
        'network.subnets.app[1]: expected a valid IPv4 CIDR block, found "10.0.4.7/24": host bits set (network address is 10.0.4.0/24)',
      ],
    ],
    [
      "host bits set in the VPC block",
      "vpc-host-bits.yaml",
      [
        3,
        3,
        "cidr: 10.0.0.1/16",
        'network.cidr: expected a valid IPv4 CIDR block, found "10.0.0.1/16": host bits set (network address is 10.0.0.0/16)',
      ],
    ],
    [
      "a subnet outside the VPC",
      "subnet-outside-vpc.yaml",
      [4, 25, "10.1.6.0/24]", 'network.subnets.data[1]: expected a subnet inside the VPC 10.0.0.0/16, found "10.1.6.0/24"'],
    ],
    [
      "overlapping subnets name both paths",
      "subnet-overlap.yaml",
      [
        5,
        24,
        "10.0.2.0/25]",
        'network.subnets.app[1]: expected a subnet that overlaps no other subnet, found "10.0.2.0/25", which overlaps "10.0.2.0/24" (network.subnets.public[1])',
      ],
    ],
    [
      "the wrong number of subnets per AZ",
      "subnet-count.yaml",
      [
        4,
        5,
        "public: [10.0.1.0/24, 10.0.2.0/24, 10.0.7.0/24]",
        "network.subnets.public: expected one CIDR per availability zone (2), found 3",
      ],
    ],
    [
      "a duplicate interface endpoint",
      "duplicate-endpoint.yaml",
      [6, 7, "ecr.api", 'network.interfaceEndpoints[2]: expected each entry once, found duplicate "ecr.api"'],
    ],
  ]);
});

describe("network ACLs", () => {
  itRefuses([
    [
      "network.networkAcls.enabled must be a boolean",
      "nacl-enabled-string.yaml",
      [4, 5, 'enabled: "yes"', 'network.networkAcls.enabled: expected a boolean, found "yes"'],
    ],
    [
      "network.networkAcls.defaultNetworkAcl: deny-all or aws-default",
      "nacl-default-acl.yaml",
      [5, 5, "defaultNetworkAcl: deny", 'network.networkAcls.defaultNetworkAcl: expected one of "deny-all", "aws-default", found "deny"'],
    ],
    [
      "network.networkAcls.ruleQuota: no more than AWS's highest quota",
      "nacl-quota-high.yaml",
      [
        5,
        5,
        "ruleQuota: 50",
        "network.networkAcls.ruleQuota: expected at most 40 (the highest AWS quota of rules per network ACL and direction), found number 50",
      ],
    ],
    [
      "a tier whose derived rules exceed the quota (eleven client CIDRs on two listener ports)",
      "nacl-quota-exceeded.yaml",
      [
        5,
        5,
        "ruleQuota: 20",
        "network.networkAcls.ruleQuota: expected at least 25: the public ACL needs 25 inbound rules (fewer client CIDRs or load-balancer ports, or a raised AWS quota, up to 40), found number 20",
      ],
    ],
  ]);
});

describe("availability zones", () => {
  itRefuses([
    [
      "a letter the region does not have (us-west-2e)",
      "az-letter.yaml",
      [3, 21, "us-west-2e]", `aws.azs[1]: expected an availability zone of us-west-2 (${US_WEST_2_AZS}), found "us-west-2e"`],
    ],
    [
      "an AZ of another region (eu-west-1a in us-west-2)",
      "az-other-region.yaml",
      [5, 7, "eu-west-1a", `aws.azs[1]: expected an availability zone of us-west-2 (${US_WEST_2_AZS}), found "eu-west-1a"`],
    ],
    [
      "the same AZ twice",
      "az-duplicate.yaml",
      [3, 21, "us-west-2a]", 'aws.azs[1]: expected each availability zone once, found duplicate "us-west-2a"'],
    ],
    [
      "staging with one AZ",
      "staging-one-az.yaml",
      [5, 3, "azs: [us-west-2a]", "aws.azs: expected at least 2 availability zones (protection.availability is true), found 1"],
    ],
    [
      "prod with one AZ",
      "prod-one-az.yaml",
      [5, 3, "azs: [us-west-2a]", "aws.azs: expected at least 2 availability zones (protection.availability is true), found 1"],
    ],
  ]);
});

describe("tier rules", () => {
  itRefuses([
    [
      "prod with protection.data false",
      "prod-unprotected.yaml",
      [5, 3, "data: false", "protection.data: expected true (tier prod protects its data), found boolean false"],
    ],
    [
      "a single NAT gateway with protection.availability",
      "single-nat-availability.yaml",
      [
        5,
        3,
        "nat: single",
        'network.nat: expected per-az or none (protection.availability is true; a single NAT gateway fails with its AZ), found "single"',
      ],
    ],
  ]);
});

describe("extends", () => {
  it("a cycle (a -> b -> a) is named, at the extends that closes it", () => {
    expect(at("cycle-b.yaml", 2, 1)).toBe("extends: cycle-a.yaml");
    expect(refused("cycle-a.yaml")).toEqual([
      `${DIR}/cycle-b.yaml:2:1 extends: expected a chain of parents without a cycle, found the cycle ${DIR}/cycle-a.yaml -> ${DIR}/cycle-b.yaml -> ${DIR}/cycle-a.yaml`,
    ]);
  });

  itRefuses([
    [
      "a missing parent",
      "missing-parent.yaml",
      [
        2,
        1,
        "extends: ./no-such-parent",
        `extends: expected an existing parent file, found "./no-such-parent" (no ${DIR}/no-such-parent[.yaml])`,
      ],
    ],
    [
      "a bad value the child overrides is reported in the child",
      "overrides-bad.yaml",
      [3, 3, "retentionDays: 46", `logging.retentionDays: expected ${RETENTIONS}, found number 46`],
    ],
  ]);

  it("a bad value inherited from a parent is reported in the parent file", () => {
    expect(at("bad-parent.yaml", 4, 3)).toBe("retentionDays: 45");
    expect(refused("inherits-bad.yaml")).toEqual([
      `${DIR}/bad-parent.yaml:4:3 logging.retentionDays: expected ${RETENTIONS}, found number 45`,
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
    [
      "cross-field problems of several rules too",
      "several-semantic.yaml",
      [
        5,
        3,
        "nat: single",
        'network.nat: expected per-az or none (protection.availability is true; a single NAT gateway fails with its AZ), found "single"',
      ],
      [7, 25, "10.1.6.0/24]", 'network.subnets.data[1]: expected a subnet inside the VPC 10.0.0.0/16, found "10.1.6.0/24"'],
      [9, 21, "us-west-2e]", `aws.azs[1]: expected an availability zone of us-west-2 (${US_WEST_2_AZS}), found "us-west-2e"`],
    ],
    [
      "shape and cross-field problems in one round: a refused value does not hide the rules' findings elsewhere",
      "shape-and-rules.yaml",
      [5, 3, "retentionDays: 45", `logging.retentionDays: expected ${RETENTIONS}, found number 45`],
      [
        7,
        3,
        "nat: single",
        'network.nat: expected per-az or none (protection.availability is true; a single NAT gateway fails with its AZ), found "single"',
      ],
      [9, 25, "10.1.6.0/24]", 'network.subnets.data[1]: expected a subnet inside the VPC 10.0.0.0/16, found "10.1.6.0/24"'],
      [11, 21, "us-west-2e]", `aws.azs[1]: expected an availability zone of us-west-2 (${US_WEST_2_AZS}), found "us-west-2e"`],
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
      stderr: `configuration refused (1 problem):\n${DIR}/bad-nat.yaml:3:3 network.nat: expected one of "per-az", "single", "none", found "multi"\n`,
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
