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

const { refused, at, itRefuses } = fixtureChecks(DIR);

const KEY = "a parameter key (segments of a-z A-Z 0-9 _ . - joined by single slashes, no leading or trailing slash)";
const NAMESPACE =
  "a DNS domain name of two or more lower-case labels (a-z, 0-9, -; 1-63 characters, no hyphen at either end) joined by dots, such as petclinic.local";

describe("parameter keys Parameter Store refuses", () => {
  itRefuses([
    [
      "characters outside a-z A-Z 0-9 _ . - / in a values key",
      "key-characters.yaml",
      [
        5,
        7,
        "spring profiles: dev",
        `parameters.common.values.spring profiles: expected a key that is ${KEY}, found the key "spring profiles"`,
      ],
    ],
    [
      "a leading slash in a secret key",
      "secret-slash.yaml",
      [5, 17, "/mail/password]", `parameters.services.customers.secrets[0]: expected ${KEY}, found "/mail/password"`],
    ],
    [
      "more than 15 levels in all (/<project>/<environment>/<subtree> takes 3)",
      "too-deep.yaml",
      [
        5,
        7,
        "a/b/c/d/e/f/g/h/i/j/k/l/m: too deep",
        'parameters.common.values.a/b/c/d/e/f/g/h/i/j/k/l/m: expected a key of at most 12 levels (Parameter Store allows 15, and /<project>/<environment>/<subtree> takes 3), found "a/b/c/d/e/f/g/h/i/j/k/l/m" (13 levels)',
      ],
    ],
    [
      'a project beginning with "aws" (the first level of every name)',
      "aws-prefix.yaml",
      [
        2,
        1,
        "project: awsome-shop",
        'project: expected a project name that does not begin with "aws" or "ssm" (Parameter Store refuses parameter names that do, and every name of the parameters layer begins with /<project>), found "awsome-shop"',
      ],
    ],
  ]);

  it("a name whose ARN would pass 1011 characters (the limit depends on region, account, project and environment)", () => {
    expect(at("too-long.yaml", 5, 9)).toMatch(/^x{99}\//);
    expect(refused("too-long.yaml")).toEqual([
      `${DIR}/too-long.yaml:5:9 parameters.common.secrets[0]: expected a key of at most 945 characters (a parameter's ARN, arn:aws:ssm:us-west-2:111111111111:parameter/petclinic/dev/common/<key>, may have at most 1011), found a key of 960 characters`,
    ]);
  });

  it("the same project loads when the parameters layer is switched off (its rules apply only to an enabled layer)", () => {
    expect(loadConfigFile(path.join(DIR, "aws-prefix-disabled.yaml"), ROOT).config.project).toBe("awsome-shop");
  });
});

describe("duplicate parameter keys", () => {
  itRefuses([
    [
      "a key both plain and secure in one subtree",
      "plain-and-secure.yaml",
      [
        8,
        17,
        "mail/password]",
        'parameters.services.customers.secrets[0]: expected a key that is not also under parameters.services.customers.values (a parameter is either plain or secure), found "mail/password", also a plain value',
      ],
    ],
    [
      "a secret listed twice",
      "duplicate-secret.yaml",
      [7, 9, "mail/password", 'parameters.common.secrets[2]: expected each key once, found duplicate "mail/password"'],
    ],
    [
      "free-form keys that the kit generates (common/environment, <service>/server/port)",
      "generated-key.yaml",
      [
        5,
        7,
        "environment: development",
        'parameters.common.values.environment: expected a key the kit does not write itself (it writes common/environment from environment), found the key "environment"',
      ],
      [
        9,
        9,
        "server/port: 9000",
        'parameters.services.customers.values.server/port: expected a key the kit does not write itself (it writes customers/server/port from services.customers.port), found the key "server/port"',
      ],
    ],
    [
      "two keys that differ only in separators (one Terraform address, one Spring property)",
      "same-address.yaml",
      [
        7,
        9,
        "spring.profiles.active: postgres",
        'parameters.services.customers.values.spring.profiles.active: expected a key that differs from customers/spring/profiles/active in more than case and the separators . - _ / (both would get the Terraform address ..._customers_spring_profiles_active), found the key "spring.profiles.active"',
      ],
    ],
  ]);
});

describe("values and services", () => {
  itRefuses([
    [
      "parameters for a service that is not under services, with did-you-mean",
      "unknown-service.yaml",
      [
        4,
        5,
        "custmers:",
        'parameters.services.custmers: expected an application service named under services (customers), found unknown service "custmers" (did you mean customers?)',
      ],
    ],
    [
      "a service named like a subtree the layer keeps (common, database)",
      "reserved-service.yaml",
      [
        3,
        3,
        "common: { port: 8080 }",
        'services.common: expected a service name other than common and database (the parameters layer keeps /<project>/<environment>/common for shared keys), found the service "common"',
      ],
    ],
    [
      "an empty value",
      "empty-value.yaml",
      [
        5,
        7,
        'greeting: ""',
        'parameters.common.values.greeting: expected a non-empty value (Parameter Store refuses empty values), found ""',
      ],
    ],
    [
      "a StringList item with a comma",
      "list-comma.yaml",
      [
        5,
        22,
        '"https://a.example.com,https://b.example.com", https://c.example.com]',
        'parameters.common.values.cors/origins[0]: expected a list item without commas (a StringList joins its items with commas), found "https://a.example.com,https://b.example.com"',
      ],
    ],
    [
      "a mapping where a value belongs",
      "value-mapping.yaml",
      [
        5,
        7,
        "spring:",
        "parameters.common.values.spring: expected a parameter value: a string, number or boolean (a String parameter) or a list of them (a StringList), found a mapping with keys profiles",
      ],
    ],
    [
      "a tier Parameter Store does not have, with did-you-mean",
      "bad-tier.yaml",
      [
        3,
        3,
        "tier: advanced",
        'parameters.tier: expected one of "Standard", "Advanced", "Intelligent-Tiering", found "advanced" (did you mean Advanced?)',
      ],
    ],
  ]);

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
  itRefuses([
    [
      "a namespace that is not a lower-case DNS name",
      "namespace-invalid.yaml",
      [3, 3, "namespace: PetClinic_Local", `cloudMap.namespace: expected ${NAMESPACE}, found "PetClinic_Local"`],
    ],
    [
      "a namespace of a single label",
      "namespace-one-label.yaml",
      [3, 3, "namespace: local", `cloudMap.namespace: expected ${NAMESPACE}, found "local"`],
    ],
    [
      "a TTL above the kit's bound",
      "ttl-range.yaml",
      [
        3,
        3,
        "ttl: 86400",
        "cloudMap.ttl: expected a DNS TTL of 0 to 3600 whole seconds (a longer TTL keeps the addresses of replaced tasks in resolver caches), found number 86400",
      ],
    ],
    [
      "a fractional TTL",
      "ttl-fraction.yaml",
      [3, 3, "ttl: 2.5", "cloudMap.ttl: expected a DNS TTL of 0 to 3600 whole seconds, found number 2.5"],
    ],
    [
      "a mistyped key, with did-you-mean",
      "cloud-map-unknown-key.yaml",
      [
        3,
        3,
        "namespase: petclinic.internal",
        'cloudMap.namespase: expected a known key (namespace, ttl), found unknown key "namespase" (did you mean namespace?)',
      ],
    ],
  ]);

  it("a namespace too long for <service>.<namespace>", () => {
    expect(at("namespace-too-long.yaml", 3, 3)).toMatch(/^namespace: n{61}\./);
    expect(refused("namespace-too-long.yaml")).toEqual([
      `${DIR}/namespace-too-long.yaml:3:3 cloudMap.namespace: expected a namespace of at most 243 characters, so that customers.<namespace> stays within 253 characters, found a namespace of 247 characters`,
    ]);
  });
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
