/**
 * Every rule of the review's policy pack against its passing and failing fixture
 * (__tests__/fixtures/review/rules.ts), and the pack's own shape: ids, severities, fixes, Checkov ids.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { EnvModel } from "../tools/review/model";
import { runPolicy, SEVERITIES, tierSettings, tierSeverities, type Rule } from "../tools/review/policy";
import { RULES } from "../tools/review/rules";
import { RULE_FIXTURES, type RuleFixture } from "./fixtures/review/rules";
import { one, res } from "./fixtures/review/build";

function run(rule: Rule, fixture: RuleFixture, which: "pass" | "fail") {
  const tier = fixture.tier ?? "dev";
  const model = new EnvModel(fixture[which]);
  const checks = rule.check({
    model,
    tier,
    settings: tierSettings(tier),
    protection: fixture.protection ?? { data: false, availability: false },
  });
  const policy = runPolicy([rule], {
    model,
    tier,
    settings: tierSettings(tier),
    protection: fixture.protection ?? { data: false, availability: false },
  });
  return { checks, findings: policy.findings };
}

describe("review policy pack", () => {
  it("has at least 35 rules with stable, unique ids, a severity, a title and a one-line fix", () => {
    expect(RULES.length).toBeGreaterThanOrEqual(35);
    expect(new Set(RULES.map((r) => r.id)).size).toBe(RULES.length);
    for (const r of RULES) {
      expect(r.id).toMatch(/^PK-[A-Z0-9]+-\d{3}$/);
      expect(SEVERITIES).toContain(r.severity);
      expect(r.title.length).toBeGreaterThan(5);
      expect(r.fix).not.toMatch(/\n/);
      for (const c of r.checkov) expect(c).toMatch(/^CKV2?_AWS_\d+$/);
    }
  });

  it("is documented: docs/review.md lists every rule with its severity (per tier where it varies) and Checkov ids", () => {
    const doc = fs.readFileSync(path.join(__dirname, "..", "docs", "review.md"), "utf8");
    const rows = new Map(
      [...doc.matchAll(/^\| (PK-[A-Z0-9]+-\d{3}) \| ([^|]+) \| (.+) \| ([^|]+) \|$/gm)].map((m) => [
        m[1],
        { severity: m[2].trim(), checkov: m[4].trim() },
      ]),
    );
    expect([...rows.keys()]).toEqual(RULES.map((r) => r.id));
    const tiers = tierSeverities();
    for (const r of RULES) {
      const row = rows.get(r.id)!;
      const perTier = tiers[r.id]
        ? ` (${Object.entries(tiers[r.id])
            .map(([t, s]) => `${t} ${s}`)
            .join(", ")})`
        : "";
      expect([r.id, row.severity]).toEqual([r.id, `${r.severity}${perTier}`]);
      expect([r.id, row.checkov]).toEqual([r.id, r.checkov.join(", ") || "–"]);
    }
  });

  it("has a fixture for every rule, and no fixture without a rule", () => {
    expect(RULES.map((r) => r.id).filter((id) => !RULE_FIXTURES[id])).toEqual([]);
    expect(Object.keys(RULE_FIXTURES).filter((id) => !RULES.some((r) => r.id === id))).toEqual([]);
  });

  describe.each(RULES.map((r) => [r.id, r] as const))("%s", (id, rule) => {
    const fixture = RULE_FIXTURES[id];

    it("passes its passing fixture (and applies to it)", () => {
      const { checks, findings } = run(rule, fixture, "pass");
      expect(checks.length).toBeGreaterThan(0);
      expect(findings.map((f) => `${f.address}: ${f.message}`)).toEqual([]);
    });

    it("fails its failing fixture with the resource, a message, the fix and the Checkov ids", () => {
      const { findings } = run(rule, fixture, "fail");
      expect(findings.length).toBeGreaterThan(0);
      for (const f of findings) {
        expect(f.rule).toBe(id);
        expect(f.address).toMatch(/^[a-z0-9_]+\.[A-Za-z0-9_-]+$/);
        expect(f.layer).toBe("application");
        expect(f.message.length).toBeGreaterThan(0);
        expect(f.fix).toBe(rule.fix);
        expect(f.checkov).toEqual(rule.checkov);
        expect(f.suppressed).toBeUndefined();
      }
    });
  });
});

describe("PK-RDS-008 with a write-only master password (RDS instances with read replicas)", () => {
  const rule = RULES.find((r) => r.id === "PK-RDS-008")!;
  const outcome = (attrs: Record<string, unknown>) =>
    run(
      rule,
      { pass: [], fail: one(res("aws_db_instance.d", { engine: "mysql", instance_class: "db.t3.small", ...attrs })) },
      "fail",
    ).checks.map((c) => [c.ok, c.message]);

  it("passes a password_wo from an expression (never in plan or state)", () => {
    expect(outcome({ password_wo: "${local.rds_initial_password}", password_wo_version: 1 })).toEqual([
      [true, "write-only password (password_wo: never in plan or state), from an expression"],
    ]);
  });

  it("flags a literal password_wo (it sits in the configuration)", () => {
    expect(outcome({ password_wo: "hunter22hunter22", password_wo_version: 1 })).toEqual([
      [false, "password_wo is a literal in the configuration"],
    ]);
  });
});
