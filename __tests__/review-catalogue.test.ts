/**
 * The rule catalogue (tools/review/rules/catalogue.yaml) joined with the rules' code: the real pack
 * loads with every entry and every check paired, and a malformed entry, an entry without a check, a
 * check without an entry and a check written twice are each refused with file:line:col, the key,
 * what was expected and what was found.
 */
import * as fs from "node:fs";
import { parse } from "yaml";
import type { RuleChecks, RuleCode } from "../tools/review/policy";
import { RULES } from "../tools/review/rules";
import { CATALOGUE_FILE, CatalogueError, loadRules } from "../tools/review/rules/catalogue";

const code = (label: string): RuleCode => ({ types: [label], check: () => [] });
const CHECKS: Record<string, RuleChecks> = { "a.ts": { "PK-A-001": code("a1"), "PK-A-002": code("a2") } };
const entry = (id: string, fields = "  title: A rule of the test\n  severity: low\n  fix: Do it.\n  checkov: [CKV_AWS_1]\n") =>
  `${id}:\n${fields}`;
const GOOD = entry("PK-A-002") + entry("PK-A-001");

/** The problems a catalogue and code are refused with (none: loaded). */
function problems(text: string, checks: Record<string, RuleChecks> = CHECKS): readonly string[] {
  try {
    loadRules(text, "catalogue.yaml", checks);
    return [];
  } catch (e) {
    if (e instanceof CatalogueError) return e.problems;
    throw e;
  }
}

describe("the rule catalogue", () => {
  it("pairs every entry of catalogue.yaml with its check, in the catalogue's order", () => {
    const ids = Object.keys(parse(fs.readFileSync(CATALOGUE_FILE, "utf8")) as object);
    expect(RULES.map((r) => r.id)).toEqual(ids);
    for (const r of RULES) expect([r.id, typeof r.check, r.types.length > 0]).toEqual([r.id, "function", true]);
  });

  it("joins an entry and its code by id, in the catalogue's order", () => {
    const rules = loadRules(GOOD, "catalogue.yaml", CHECKS);
    expect(rules.map(({ id, title, severity, fix, checkov, types }) => ({ id, title, severity, fix, checkov, types }))).toEqual([
      { id: "PK-A-002", title: "A rule of the test", severity: "low", fix: "Do it.", checkov: ["CKV_AWS_1"], types: ["a2"] },
      { id: "PK-A-001", title: "A rule of the test", severity: "low", fix: "Do it.", checkov: ["CKV_AWS_1"], types: ["a1"] },
    ]);
    expect(rules[1].check).toBe(CHECKS["a.ts"]["PK-A-001"].check);
  });

  it.each([
    [
      "an unknown severity",
      GOOD.replace("severity: low", "severity: hgh"),
      ['catalogue.yaml:3:13 PK-A-002.severity: expected one of high, medium, low, found "hgh"'],
    ],
    [
      "a missing fix",
      entry("PK-A-002", "  title: A rule of the test\n  severity: low\n  checkov: []\n") + entry("PK-A-001"),
      ["catalogue.yaml:2:3 PK-A-002.fix: expected the fix, in one line, found nothing (the key is missing)"],
    ],
    [
      "a fix of two lines",
      entry("PK-A-002", "  title: A rule of the test\n  severity: low\n  fix: |\n    Do it.\n    Then more.\n  checkov: []\n") +
        entry("PK-A-001"),
      ['catalogue.yaml:4:8 PK-A-002.fix: expected the fix, in one line, found "Do it.\\nThen more.\\n"'],
    ],
    [
      "a mistyped key",
      GOOD.replace("  fix: Do it.\n", "  fixx: Do it.\n"),
      [
        "catalogue.yaml:2:3 PK-A-002.fix: expected the fix, in one line, found nothing (the key is missing)",
        'catalogue.yaml:4:3 PK-A-002.fixx: expected only title, severity, fix, checkov, found the unknown key "fixx" (did you mean fix?)',
      ],
    ],
    [
      "a Checkov id of another shape",
      GOOD.replace("[CKV_AWS_1]", "[CKV_AWS_1, CKV_GCP_2]"),
      ['catalogue.yaml:5:24 PK-A-002.checkov.1: expected a Checkov id CKV_AWS_<n> or CKV2_AWS_<n>, found "CKV_GCP_2"'],
    ],
    [
      "an entry that is not a mapping",
      "PK-A-002: Do it.\n" + entry("PK-A-001"),
      ['catalogue.yaml:1:11 PK-A-002: expected a mapping with title, severity, fix and checkov, found "Do it."'],
    ],
    [
      "an id of another shape (an entry without code, too)",
      GOOD + entry("PK-A-3"),
      [
        'catalogue.yaml:11:1 PK-A-3: expected a rule id PK-<AREA>-<NNN>, found "PK-A-3"',
        "catalogue.yaml:11:1 PK-A-3: expected a check keyed by this id in tools/review/rules/*.ts, found none (an entry without code)",
      ],
    ],
    [
      "an entry without code",
      GOOD + entry("PK-A-003"),
      ["catalogue.yaml:11:1 PK-A-003: expected a check keyed by this id in tools/review/rules/*.ts, found none (an entry without code)"],
    ],
    [
      "code without an entry",
      entry("PK-A-002"),
      ["PK-A-001: checked in a.ts but has no entry in catalogue.yaml (title, severity, fix, checkov)"],
    ],
    [
      "an id written twice",
      GOOD + entry("PK-A-001"),
      ["catalogue.yaml:11:1 expected YAML with one key per rule, found Map keys must be unique"],
    ],
    [
      "a list instead of a mapping",
      "- PK-A-001\n",
      ['catalogue.yaml:1:1 expected a mapping of rule ids to entries, found a list ["PK-A-001"]'],
    ],
  ])("refuses %s", (_what, text, expected) => {
    expect(problems(text)).toEqual(expected);
  });

  it("refuses a rule checked in two files", () => {
    expect(problems(GOOD, { ...CHECKS, "b.ts": { "PK-A-001": code("b1") } })).toEqual([
      "PK-A-001: checked twice, in a.ts and in b.ts; a rule has one check",
    ]);
  });

  it("says how many problems it refuses the catalogue for", () => {
    expect(() => loadRules(GOOD.replace(/severity: low/g, "severity: hgh"), "catalogue.yaml", CHECKS)).toThrow(
      /^review rule catalogue refused \(2 problems\):\ncatalogue\.yaml:3:13 PK-A-002\.severity: .*\ncatalogue\.yaml:8:13 PK-A-001\.severity: /,
    );
  });
});
