/**
 * The policy engine: runs the rule pack over an environment, applies the tier's severities and
 * thresholds (policy-config.json), and marks findings that a resource declares as deliberate
 * exceptions (see `exceptionsOf`) as suppressed, with their reason.
 */
import settingsFile from "./policy-config.json";
import type { EnvModel, Resource } from "./model";
import type { RuleMeta } from "./rules/catalogue";
import { isObj, type Obj } from "./tf";

export const SEVERITIES = ["high", "medium", "low"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Thresholds of a tier. */
export interface TierSettings {
  readonly minLogRetentionDays: number;
  readonly minBackupRetentionDays: number;
}

export interface RuleContext {
  readonly model: EnvModel;
  /** The environment's tier (`dev`, `staging`, `prod`). */
  readonly tier: string;
  readonly settings: TierSettings;
  /** `protection.data` / `protection.availability` of the environment. */
  readonly protection: { readonly data: boolean; readonly availability: boolean };
}

/** One evaluation of a rule on one resource. */
export interface Check {
  readonly resource: Resource;
  readonly ok: boolean;
  /** What was found (for a failure: the problem, in one line). */
  readonly message: string;
}

/**
 * A rule's code, keyed by its id in tools/review/rules/*.ts: the resource types it reads and its
 * check. What the rule is called, its severity, fix and Checkov ids are its catalogue entry
 * (rules/catalogue.yaml).
 */
export interface RuleCode {
  /** Resource types the rule looks at (for the docs). */
  readonly types: readonly string[];
  readonly check: (ctx: RuleContext) => Check[];
}

/** The checks of one file of the pack, by rule id. */
export type RuleChecks = Readonly<Record<string, RuleCode>>;

/** A rule of the pack: its catalogue entry and its code. */
export type Rule = RuleMeta & RuleCode;

export interface Suppression {
  readonly reason: string;
  /** Where it was written: the `ReviewException` tag or the `//` comment key. */
  readonly via: "tag" | "comment";
}

export interface Finding {
  readonly rule: string;
  readonly title: string;
  readonly severity: Severity;
  /** Stack (layer) of the resource. */
  readonly layer: string;
  readonly address: string;
  readonly message: string;
  readonly fix: string;
  readonly checkov: readonly string[];
  readonly suppressed?: Suppression;
  /** The kit's lines that make the resource (`platform where`): stack.ts line → module line. */
  readonly code?: string;
}

export interface ExceptionNote {
  readonly layer: string;
  readonly address: string;
  readonly rule: string;
  readonly problem: "unknown rule" | "no reason" | "unused";
  readonly text: string;
}

export interface PolicyResult {
  /** Failed checks, suppressed ones included, most severe first. */
  readonly findings: readonly Finding[];
  /** Per rule: checks evaluated and passed. */
  readonly rules: readonly { readonly id: string; readonly severity: Severity; readonly evaluated: number; readonly failed: number }[];
  readonly exceptionNotes: readonly ExceptionNote[];
}

interface SettingsFile {
  tiers: Record<string, TierSettings>;
  severityByTier: Record<string, Record<string, Severity>>;
}
const SETTINGS = settingsFile as unknown as SettingsFile;

/** The thresholds of a tier (unknown tiers get prod's: the strictest). */
export function tierSettings(tier: string): TierSettings {
  return SETTINGS.tiers[tier] ?? SETTINGS.tiers.prod;
}

/** A rule's severity in a tier. */
export function severityIn(rule: Pick<Rule, "id" | "severity">, tier: string): Severity {
  return SETTINGS.severityByTier[rule.id]?.[tier] ?? rule.severity;
}

/** Tier-dependent severities, for the docs. */
export function tierSeverities(): Readonly<Record<string, Record<string, Severity>>> {
  return SETTINGS.severityByTier;
}

export const EXCEPTION_TAG = "ReviewException";
export const EXCEPTION_COMMENT_KEY = "review_exceptions";
const RULE_ID = /\bPK-[A-Z0-9]+-\d{3}\b/g;

/**
 * The deliberate exceptions a resource declares, by rule id. Two places, both inert for Terraform:
 *
 * - a resource tag (taggable resources): `ReviewException = "PK-SG-005: public entry point of the API"`
 *   (several ids before the colon share the reason), or one tag per rule,
 *   `"ReviewException:PK-SG-005" = "public entry point of the API"`;
 * - cdktf's `//` comment object (any resource, e.g. IAM inline policies and API methods, which take
 *   no tags): `"//": { "review_exceptions": { "PK-IAM-004": "reason" } }`, written with
 *   `resource.addOverride("//.review_exceptions.PK-IAM-004", "reason")`.
 *
 * Provider default_tags are not read: an exception is always about one resource.
 */
export function exceptionsOf(r: Resource): Map<string, Suppression & { raw: string }> {
  const out = new Map<string, Suppression & { raw: string }>();
  const tags = r.config.tags;
  if (isObj(tags)) {
    for (const [key, value] of Object.entries(tags)) {
      if (typeof value !== "string") continue;
      if (key === EXCEPTION_TAG) {
        const colon = value.indexOf(":");
        const ids = (colon === -1 ? value : value.slice(0, colon)).match(RULE_ID) ?? [];
        const reason = colon === -1 ? "" : value.slice(colon + 1).trim();
        for (const id of ids) out.set(id, { reason, via: "tag", raw: `${key} = ${value}` });
        if (!ids.length) out.set(value.trim() || "(empty)", { reason, via: "tag", raw: `${key} = ${value}` });
      } else if (key.startsWith(`${EXCEPTION_TAG}:`) || key.startsWith(`${EXCEPTION_TAG}/`)) {
        out.set(key.slice(EXCEPTION_TAG.length + 1).trim(), { reason: value.trim(), via: "tag", raw: `${key} = ${value}` });
      }
    }
  }
  const comment = (r.comment as Obj)[EXCEPTION_COMMENT_KEY];
  if (isObj(comment)) {
    for (const [id, reason] of Object.entries(comment)) {
      out.set(id.trim(), {
        reason: typeof reason === "string" ? reason.trim() : "",
        via: "comment",
        raw: `//.${EXCEPTION_COMMENT_KEY}.${id}`,
      });
    }
  }
  return out;
}

const rank = (s: Severity) => SEVERITIES.indexOf(s);

/** Runs the rules; a rule that throws is reported as a failure of the review, not skipped. */
export function runPolicy(rules: readonly Rule[], ctx: RuleContext): PolicyResult {
  const findings: Finding[] = [];
  const perRule: { id: string; severity: Severity; evaluated: number; failed: number }[] = [];
  const used = new Set<string>();
  const ruleIds = new Set(rules.map((r) => r.id));
  for (const rule of rules) {
    const severity = severityIn(rule, ctx.tier);
    const checks = rule.check(ctx);
    // One finding per resource and rule: several failed checks of one resource are joined.
    const failed = new Map<string, Check[]>();
    for (const c of checks) if (!c.ok) failed.set(c.resource.id, [...(failed.get(c.resource.id) ?? []), c]);
    perRule.push({ id: rule.id, severity, evaluated: new Set(checks.map((c) => c.resource.id)).size, failed: failed.size });
    for (const list of failed.values()) {
      const r = list[0].resource;
      const exception = exceptionsOf(r).get(rule.id);
      const suppressed = exception && exception.reason ? { reason: exception.reason, via: exception.via } : undefined;
      if (exception) used.add(`${r.id}#${rule.id}`);
      findings.push({
        rule: rule.id,
        title: rule.title,
        severity,
        layer: r.stack,
        address: r.address,
        message: [...new Set(list.map((c) => c.message))].join("; "),
        fix: rule.fix,
        checkov: rule.checkov,
        ...(suppressed ? { suppressed } : {}),
      });
    }
  }
  const exceptionNotes: ExceptionNote[] = [];
  for (const r of ctx.model.resources()) {
    for (const [id, ex] of exceptionsOf(r)) {
      const base = { layer: r.stack, address: r.address, rule: id };
      if (!ruleIds.has(id)) exceptionNotes.push({ ...base, problem: "unknown rule", text: `${ex.raw}: names no rule of the pack` });
      else if (!ex.reason)
        exceptionNotes.push({
          ...base,
          problem: "no reason",
          text: `${ex.raw}: an exception needs a reason after the rule id; the finding stays open`,
        });
      else if (!used.has(`${r.id}#${id}`))
        exceptionNotes.push({ ...base, problem: "unused", text: `${ex.raw}: the rule passes here, the exception can go` });
    }
  }
  findings.sort(
    (a, b) =>
      Number(Boolean(a.suppressed)) - Number(Boolean(b.suppressed)) ||
      rank(a.severity) - rank(b.severity) ||
      a.rule.localeCompare(b.rule) ||
      a.layer.localeCompare(b.layer) ||
      a.address.localeCompare(b.address),
  );
  return { findings, rules: perRule, exceptionNotes };
}

/** Open (unsuppressed) findings by severity. */
export function countBySeverity(findings: readonly Finding[]): Record<Severity | "suppressed", number> {
  const out = { high: 0, medium: 0, low: 0, suppressed: 0 };
  for (const f of findings) {
    if (f.suppressed) out.suppressed++;
    else out[f.severity]++;
  }
  return out;
}
