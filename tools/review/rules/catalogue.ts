/**
 * The rule catalogue: what each rule of the pack is called, its default severity, its fix and its
 * Checkov ids, as data (catalogue.yaml), joined by id with the rules' code (the `*Checks` of the
 * rule files). The catalogue is read once; an entry that is malformed, an entry without a check and a
 * check without an entry are refused, each on one line (`file:line:col key: expected ..., found ...`).
 */
import * as path from "node:path";
import { isMap, isScalar, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { z } from "zod";
import { describeValue, editDistance, formatProblem, type ConfigProblem } from "../../../core/config/errors";
import { SEVERITIES, type Rule, type RuleChecks } from "../policy";

export const CATALOGUE_FILE = path.join(__dirname, "catalogue.yaml");

const RULE_ID = /^PK-[A-Z0-9]+-\d{3}$/;

/** One entry of the catalogue (its key is the rule id). */
const ENTRY = z.strictObject(
  {
    /** What the rule asks for, in a few words. */
    title: z.string({ error: "a title of a few words" }).min(6, "a title of a few words"),
    /** Default severity (the tier may change it: policy-config.json). */
    severity: z.enum(SEVERITIES, { error: `one of ${SEVERITIES.join(", ")}` }),
    /** The fix, in one line. */
    fix: z.string({ error: "the fix, in one line" }).regex(/^[^\n]+$/, "the fix, in one line"),
    /** Matching Checkov check ids, where one exists. */
    checkov: z.array(z.string().regex(/^CKV2?_AWS_\d+$/, "a Checkov id CKV_AWS_<n> or CKV2_AWS_<n>"), {
      error: "a list of Checkov ids ([] where none matches)",
    }),
  },
  { error: "a mapping with title, severity, fix and checkov" },
);
const ENTRY_KEYS = Object.keys(ENTRY.shape);

/** A rule's catalogue entry. */
export type RuleMeta = { readonly id: string } & Readonly<z.infer<typeof ENTRY>>;

/** The catalogue or the pack's code refused: one line per problem. */
export class CatalogueError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`review rule catalogue refused (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.join("\n")}`);
    this.name = "CatalogueError";
  }
}

/** Line and column of the node at `keys` (or of its nearest parent that is written). */
function position(doc: Document, lines: LineCounter, keys: readonly (string | number)[]): { line: number; col: number } {
  for (let n = keys.length; n > 0; n--) {
    const node = doc.getIn(keys.slice(0, n), true) as Node | undefined;
    if (node?.range) return lines.linePos(node.range[0]);
  }
  return lines.linePos((doc.contents as Node | null)?.range?.[0] ?? 0);
}

/**
 * The rules of the pack: every catalogue entry (in its order) with its code. `code` holds the
 * checks of each rule file, by file name (for the messages).
 */
export function loadRules(text: string, file: string, code: Readonly<Record<string, RuleChecks>>): Rule[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const problems: string[] = [];
  const problem = (p: Omit<ConfigProblem, "file" | "line" | "col">, at: { line: number; col: number }) =>
    problems.push(formatProblem({ file, ...at, ...p }));
  for (const err of doc.errors)
    problem({ path: "", expected: "YAML with one key per rule", found: err.message.split("\n")[0] }, lines.linePos(err.pos[0]));
  if (problems.length) throw new CatalogueError(problems);
  if (!isMap(doc.contents)) {
    problem({ path: "", expected: "a mapping of rule ids to entries", found: describeValue(doc.toJS()) }, position(doc, lines, []));
    throw new CatalogueError(problems);
  }

  const owner = new Map<string, string>();
  for (const [source, checks] of Object.entries(code)) {
    for (const id of Object.keys(checks)) {
      const first = owner.get(id);
      if (first) problems.push(`${id}: checked twice, in ${first} and in ${source}; a rule has one check`);
      else owner.set(id, source);
    }
  }

  const entries = doc.toJS() as Record<string, unknown>;
  const rules: Rule[] = [];
  for (const pair of doc.contents.items) {
    const id = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const at = (keys: readonly (string | number)[]) => position(doc, lines, [id, ...keys]);
    /** Where a key is written: the entry's id, or a key inside the entry. */
    const keyAt = (key?: string) => {
      const inner =
        key === undefined ? undefined : (isMap(pair.value) ? pair.value.items : []).find((p) => isScalar(p.key) && p.key.value === key);
      return lines.linePos(((inner ?? pair).key as Node).range?.[0] ?? 0);
    };
    if (!RULE_ID.test(id)) problem({ path: id, expected: "a rule id PK-<AREA>-<NNN>", found: JSON.stringify(id) }, keyAt());
    const raw = entries[id];
    const parsed = ENTRY.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = issue.path as (string | number)[];
        if (issue.code === "unrecognized_keys") {
          for (const key of issue.keys) {
            const near = ENTRY_KEYS.find((k) => editDistance(k, key) <= 2);
            problem(
              {
                path: `${id}.${key}`,
                expected: `only ${ENTRY_KEYS.join(", ")}`,
                found: `the unknown key ${JSON.stringify(key)}`,
                ...(near ? { hint: `did you mean ${near}?` } : {}),
              },
              keyAt(key),
            );
          }
        } else {
          const found = keys.reduce<unknown>((v, k) => (v as Record<string | number, unknown> | undefined)?.[k], raw);
          problem({ path: [id, ...keys].join("."), expected: issue.message, found: describeValue(found) }, at(keys));
        }
      }
    }
    const checks = owner.has(id) ? code[owner.get(id)!][id] : undefined;
    if (!checks)
      problem(
        { path: id, expected: "a check keyed by this id in tools/review/rules/*.ts", found: "none (an entry without code)" },
        keyAt(),
      );
    if (parsed.success && checks) rules.push({ id, ...parsed.data, ...checks });
  }
  for (const [id, source] of owner) {
    if (!(id in entries)) problems.push(`${id}: checked in ${source} but has no entry in ${file} (title, severity, fix, checkov)`);
  }
  if (problems.length) throw new CatalogueError(problems);
  return rules;
}
