/**
 * Bad input of the parameters (layer 04) and cloudMap (layer 05) sections, refused before anything
 * is written, one line per problem: `file:line:col key.path: expected ..., found ...`.
 * Fixtures are in __tests__/fixtures/config/parameters/; each extends ../_base.yaml (a valid dev
 * environment with the one service `customers`) and changes one thing. `at()` checks that the line
 * and column asserted really hold the offending key or value in the fixture.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError, formatProblem } from "../core/config/errors";
import { loadConfigFile } from "../core/config/loader";
import { fixtureChecks, ROOT } from "./config-fixtures";
import { DNS_NAMESPACE_RE } from "../layers/05-cloud-map/config";
import { parameterAddressPart, PARAMETER_KEY_RE } from "../layers/04-parameters/config";
import { snakeCase } from "../core/layer-stack";

const DIR = "__tests__/fixtures/config/parameters";

const { load, refused, at, itRefusesFixtures } = fixtureChecks(DIR);

describe("parameter keys Parameter Store refuses", () => {
  it("a name whose ARN would pass 1011 characters (the limit depends on region, account, project and environment)", () => {
    expect(at("too-long.yaml", 5, 9)).toMatch(/^x{99}\//);
    expect(refused("too-long.yaml")).toEqual([
      `${DIR}/too-long.yaml:5:9 parameters.common.secrets[0]: expected a key of at most 945 characters (a parameter's ARN, arn:aws:ssm:us-west-2:111111111111:parameter/petclinic/dev/common/<key>, may have at most 1011), found a key of 960 characters`,
    ]);
  });

  it("the same project loads when the parameters layer is switched off (its rules apply only to an enabled layer)", () => {
    expect(load("aws-prefix-disabled.yaml").project).toBe("awsome-shop");
  });
});

describe("values and services", () => {
  it("a value larger than the Standard tier's 4 KB", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-parameters-"));
    try {
      const file = path.join(dir, "big.yaml");
      fs.writeFileSync(
        file,
        `extends: ${path.join(ROOT, "__tests__/fixtures/config/_base.yaml")}\nparameters:\n  common:\n    values:\n      blob: ${"x".repeat(4097)}\n`,
      );
      let lines: string[] = [];
      try {
        loadConfigFile(file, dir);
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        lines = e.problems.map(formatProblem);
      }
      expect(lines).toEqual([
        "big.yaml:5:7 parameters.common.values.blob: expected a value of at most 4096 bytes (the limit of the Standard tier; parameters.tier Advanced allows 8192), found 4097 bytes",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("cloudMap", () => {
  it("a namespace too long for <service>.<namespace>", () => {
    expect(at("namespace-too-long.yaml", 3, 3)).toMatch(/^namespace: n{61}\./);
    expect(refused("namespace-too-long.yaml")).toEqual([
      `${DIR}/namespace-too-long.yaml:3:3 cloudMap.namespace: expected a namespace of at most 243 characters, so that customers.<namespace> stays within 253 characters, found a namespace of 247 characters`,
    ]);
  });
});

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
});

describe("the patterns behind the messages", () => {
  it("parameter keys: what AWS accepts below the subtree", () => {
    for (const ok of ["a", "spring.profiles.active", "vets/cache/heap-size", "A_B-c.d/e"]) expect(PARAMETER_KEY_RE.test(ok)).toBe(true);
    for (const bad of ["", "/a", "a/", "a//b", "a b", "a:b", "a*", "ä"]) expect(PARAMETER_KEY_RE.test(bad)).toBe(false);
  });

  it("namespaces: lower-case labels of 1-63 characters, two at least", () => {
    for (const ok of ["petclinic.local", "a.b", "svc-1.corp.internal", `${"a".repeat(63)}.local`])
      expect(DNS_NAMESPACE_RE.test(ok)).toBe(true);
    for (const bad of ["local", "Petclinic.local", "-a.local", "a-.local", "a..b", "a.b.", `${"a".repeat(64)}.local`, "a_b.local"]) {
      expect(DNS_NAMESPACE_RE.test(bad)).toBe(false);
    }
  });

  it("the address rule the config checks is the stack's snake_case of the key", () => {
    for (const key of ["customers/spring.profiles.active", "common/fooBar/baz-qux", "vets/9lives", "common/A__B", "admin-server/x/y"]) {
      expect(parameterAddressPart(key)).toBe(snakeCase(key.replace(/\//g, "_")));
    }
  });
});
