/**
 * Loads an environment: resolves PLATFORM_ENV to a file, follows `extends:` chains, deep-merges
 * (objects merge, lists are replaced), applies the tier preset, validates against the schema and the
 * semantic rules, and either returns the config or throws a ConfigError whose every line says
 * `file:line:col key.path: expected ..., found ...`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from "yaml";
import { z } from "zod";
import { ConfigError, describeValue, didYouMean, type ConfigProblem } from "./errors";
import { ConfigSchema, TIERS, type PlatformConfig, type Tier } from "./schema";
import { semanticIssues, type KeyPath, type SemanticIssue } from "./semantic";
import { TIER_PRESETS } from "./tiers";

/** Directory of the default system's environments. */
export const ENVIRONMENTS_DIR = path.resolve(__dirname, "..", "..", "environments");

/** Files in environments/ that are not environments of their own. */
const NOT_ENVIRONMENTS = new Set(["base"]);

export interface LoadedConfig {
  readonly config: PlatformConfig;
  /** The files read, the environment file first, then its parents. */
  readonly files: readonly string[];
  /** A short key naming the environment for output folders: `dev`, or `examples-ims-prod`. */
  readonly key: string;
}

interface SourceFile {
  readonly file: string;
  readonly display: string;
  readonly doc: Document.Parsed;
  readonly lines: LineCounter;
  readonly data: Record<string, unknown>;
}

/** The environment names in a directory (YAML files other than base). */
export function listEnvironments(dir: string = ENVIRONMENTS_DIR): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => f.replace(/\.ya?ml$/, ""))
    .filter((name) => !NOT_ENVIRONMENTS.has(name))
    .sort();
}

/**
 * Resolves PLATFORM_ENV: a name in environments/ (default dev) or a path to a YAML file.
 * Throws a ConfigError listing the valid names when it is neither.
 */
export function resolveEnvironmentFile(platformEnv: string | undefined, dir: string = ENVIRONMENTS_DIR, cwd = process.cwd()): string {
  const value = (platformEnv ?? "").trim() || "dev";
  const looksLikePath = value.includes("/") || value.includes(path.sep) || /\.ya?ml$/.test(value);
  if (looksLikePath) {
    const file = path.resolve(cwd, value);
    if (fs.existsSync(file) && fs.statSync(file).isFile()) return file;
    throw new ConfigError([
      { file: value, line: 1, col: 1, path: "PLATFORM_ENV", expected: "an existing YAML file", found: `no file at ${file}` },
    ]);
  }
  for (const ext of [".yaml", ".yml"]) {
    const file = path.join(dir, value + ext);
    if (!NOT_ENVIRONMENTS.has(value) && fs.existsSync(file)) return file;
  }
  const names = listEnvironments(dir);
  const guess = didYouMean(value, names);
  throw new ConfigError([
    {
      file: displayPath(dir, cwd),
      line: 1,
      col: 1,
      path: "PLATFORM_ENV",
      expected: `one of ${names.join(", ")} or a path to a YAML file`,
      found: JSON.stringify(value),
      hint: guess ? `did you mean ${guess}?` : undefined,
    },
  ]);
}

/** Loads and validates the environment PLATFORM_ENV names. */
export function loadEnvironment(platformEnv: string | undefined = process.env.PLATFORM_ENV, cwd = process.cwd()): LoadedConfig {
  return loadConfigFile(resolveEnvironmentFile(platformEnv, ENVIRONMENTS_DIR, cwd), cwd);
}

/** Loads and validates one environment file and its `extends` chain. */
export function loadConfigFile(file: string, cwd = process.cwd()): LoadedConfig {
  const chain = readChain(path.resolve(cwd, file), cwd);
  const merged = chain.reduceRight<Record<string, unknown>>((acc, src) => deepMerge(acc, src.data), {});
  delete merged.extends;

  const tier: Tier = (TIERS as readonly string[]).includes(merged.tier as string) ? (merged.tier as Tier) : "dev";
  const effective = deepMerge(TIER_PRESETS[tier] as unknown as Record<string, unknown>, merged);

  const parsed = ConfigSchema.safeParse(effective);
  // Shape and rule problems are reported together, in one round: when the shape is wrong, the
  // rules still run on what could be read (see rulesDespiteShapeProblems).
  const shapeProblems = parsed.success ? [] : parsed.error.issues.flatMap((issue) => schemaProblems(issue, effective, chain, cwd));
  const issues = parsed.success
    ? semanticIssues(parsed.data as PlatformConfig)
    : rulesDespiteShapeProblems(merged, TIER_PRESETS[tier] as unknown as Record<string, unknown>, parsed.error.issues);
  const ruleProblems = issues.map((i) => ({
    ...locate(chain, i.path, cwd),
    path: formatPath(i.path),
    expected: i.expected,
    found: i.found ?? describeValue(getIn(effective, i.path)),
    hint: i.hint,
  }));
  if (shapeProblems.length || ruleProblems.length) throw new ConfigError(sortProblems([...shapeProblems, ...ruleProblems]));
  return { config: parsed.data as PlatformConfig, files: chain.map((c) => c.file), key: environmentKey(chain[0].file, cwd) };
}

/**
 * The cross-field rules' issues for a configuration whose shape is wrong: the values the schema
 * refused are taken out of the file's values (so the tier preset or the schema default stands in)
 * until the rest parses, and the rules run on that. A rule issue about a refused value, or inside
 * the object that holds it (below the top-level sections: a mistyped `slack.mode` makes every rule
 * about `slack` unreliable), is dropped: the shape problem says it first. A missing required key
 * stops this (nothing can stand in for it), and then only the shape problems are reported.
 */
function rulesDespiteShapeProblems(
  merged: Record<string, unknown>,
  preset: Record<string, unknown>,
  firstIssues: readonly z.core.$ZodIssue[],
): SemanticIssue[] {
  const data = structuredClone(merged);
  const refused: KeyPath[] = [];
  let issues = firstIssues;
  for (let round = 0; round < 5; round++) {
    let removed = false;
    for (const issue of issues) {
      const keys = issue.code === "unrecognized_keys" ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const keyPath of keys) {
        const gone = deleteIn(data, keyPath as KeyPath);
        if (gone) {
          refused.push(gone);
          removed = true;
        }
      }
    }
    const again = ConfigSchema.safeParse(deepMerge(preset, data));
    if (again.success) {
      const within = (p: KeyPath, prefix: KeyPath) => prefix.length <= p.length && prefix.every((k, i) => k === p[i]);
      const unreliable = refused.map((r) => (r.length > 2 ? r.slice(0, -1) : r));
      return semanticIssues(again.data as PlatformConfig).filter((i) => !unreliable.some((u) => within(i.path, u) || within(u, i.path)));
    }
    if (!removed) return [];
    issues = again.error.issues;
  }
  return [];
}

/**
 * Deletes the value at `keyPath` and returns the path deleted, or undefined when there was none. A
 * list item is never spliced out (the items after it would change index and rule issues would name
 * the wrong item): the whole list goes instead.
 */
function deleteIn(obj: unknown, keyPath: KeyPath): KeyPath | undefined {
  if (!keyPath.length) return undefined;
  const parent = getIn(obj, keyPath.slice(0, -1));
  const last = keyPath[keyPath.length - 1];
  if (Array.isArray(parent)) return deleteIn(obj, keyPath.slice(0, -1));
  if (isPlainObject(parent) && Object.prototype.hasOwnProperty.call(parent, last)) {
    delete parent[last as string];
    return keyPath;
  }
  return undefined;
}

/** `dev` for environments/dev.yaml, `examples-ims-prod` for examples/ims/prod.yaml. */
export function environmentKey(file: string, cwd = process.cwd()): string {
  const abs = path.resolve(cwd, file);
  if (path.dirname(abs) === ENVIRONMENTS_DIR) return path.basename(abs).replace(/\.ya?ml$/, "");
  const rel = path.relative(path.resolve(ENVIRONMENTS_DIR, ".."), abs);
  const base = rel.startsWith("..") ? path.basename(abs) : rel;
  return base
    .replace(/\.ya?ml$/, "")
    .split(/[\\/]+/)
    .join("-")
    .replace(/[^a-zA-Z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .replace(/^-+|-+$/g, "");
}

// ---------------------------------------------------------------------------------------------
// Reading files and extends chains

function readChain(file: string, cwd: string): SourceFile[] {
  const chain: SourceFile[] = [];
  const seen: string[] = [];
  let current = file;
  for (;;) {
    if (seen.includes(current)) {
      const cycle = [...seen.slice(seen.indexOf(current)), current].map((f) => displayPath(f, cwd)).join(" -> ");
      const last = chain[chain.length - 1];
      throw new ConfigError([
        {
          ...locate([last], ["extends"], cwd),
          path: "extends",
          expected: "a chain of parents without a cycle",
          found: `the cycle ${cycle}`,
        },
      ]);
    }
    seen.push(current);
    const src = readSource(current, cwd);
    chain.push(src);
    const parent = src.data.extends;
    if (parent === undefined) return chain;
    if (typeof parent !== "string" || parent.trim() === "") {
      throw new ConfigError([
        {
          ...locate([src], ["extends"], cwd),
          path: "extends",
          expected: "the name or relative path of a parent YAML file",
          found: describeValue(parent),
        },
      ]);
    }
    const next = resolveParent(current, parent);
    if (!next) {
      throw new ConfigError([
        {
          ...locate([src], ["extends"], cwd),
          path: "extends",
          expected: "an existing parent file",
          found: `${JSON.stringify(parent)} (no ${displayPath(path.resolve(path.dirname(current), parent), cwd)}[.yaml])`,
        },
      ]);
    }
    current = next;
  }
}

function resolveParent(child: string, parent: string): string | undefined {
  const base = path.resolve(path.dirname(child), parent);
  for (const candidate of [base, `${base}.yaml`, `${base}.yml`]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function readSource(file: string, cwd: string): SourceFile {
  const display = displayPath(file, cwd);
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError([{ file: display, line: 1, col: 1, path: "", expected: "a readable YAML file", found: (e as Error).message }]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    throw new ConfigError(
      doc.errors.map((err) => {
        const pos = lines.linePos(err.pos[0]);
        if (err.code === "DUPLICATE_KEY") {
          const dup = duplicateKeyAt(doc.contents, err.pos[0]);
          if (dup) {
            const first = lines.linePos(dup.firstOffset);
            return {
              file: display,
              line: pos.line,
              col: pos.col,
              path: formatPath(dup.path),
              expected: "each key once in a mapping",
              found: `the key ${JSON.stringify(String(dup.path[dup.path.length - 1]))} again (first at line ${first.line})`,
            };
          }
        }
        return {
          file: display,
          line: pos.line,
          col: pos.col,
          path: "",
          expected: "valid YAML",
          found: `a syntax error: ${err.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`,
        };
      }),
    );
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || data === undefined) {
    const what = text.trim() ? "a file with no keys (only comments)" : "an empty file";
    throw new ConfigError([{ file: display, line: 1, col: 1, path: "", expected: "a mapping of configuration keys", found: what }]);
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    throw new ConfigError([
      { file: display, line: 1, col: 1, path: "", expected: "a mapping of configuration keys", found: describeValue(data) },
    ]);
  }
  return { file, display, doc, lines, data: data as Record<string, unknown> };
}

/** The key path of the mapping key that starts at `offset` (a duplicate), and where its first occurrence is. */
function duplicateKeyAt(
  node: unknown,
  offset: number,
  prefix: (string | number)[] = [],
): { path: KeyPath; firstOffset: number } | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      if (keyNode?.range?.[0] === offset) {
        const first = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === name);
        return { path: [...prefix, name], firstOffset: (first?.key as Node | null)?.range?.[0] ?? offset };
      }
      const inner = duplicateKeyAt(pair.value, offset, [...prefix, name]);
      if (inner) return inner;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const inner = duplicateKeyAt(node.items[i], offset, [...prefix, i]);
      if (inner) return inner;
    }
  }
  return undefined;
}

function displayPath(file: string, cwd: string): string {
  const rel = path.relative(cwd, file);
  return rel && !rel.startsWith("..") ? rel : file;
}

// ---------------------------------------------------------------------------------------------
// Merging

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * Deep merge: objects merge key by key, everything else (lists included) is replaced by `over`,
 * and `null` removes an inherited key (so a child can drop, say, a parent's explicit subnets).
 */
export function deepMerge(under: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...under };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

function getIn(obj: unknown, keyPath: KeyPath): unknown {
  let cur = obj;
  for (const k of keyPath) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  return cur;
}

// ---------------------------------------------------------------------------------------------
// Locating a key path in the files of the chain

function formatPath(keyPath: KeyPath): string {
  return keyPath.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${k}` : String(k)), "");
}

/** The position of the node at `keyPath` (or its deepest existing parent) in one document. */
function findNode(src: SourceFile, keyPath: KeyPath): { depth: number; offset: number } {
  let node: unknown = src.doc.contents;
  let offset = (node as Node | null)?.range?.[0] ?? 0;
  let depth = 0;
  for (const key of keyPath) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(key));
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof key === "number" && key < node.items.length) {
      node = node.items[key];
      offset = (node as Node | null)?.range?.[0] ?? offset;
    } else {
      break;
    }
    depth++;
  }
  return { depth, offset };
}

/**
 * File, line and column for a key path: the file that sets the full path (most derived first),
 * else the file with the deepest existing parent.
 */
function locate(chain: readonly SourceFile[], keyPath: KeyPath, cwd: string): { file: string; line: number; col: number } {
  let best: { src: SourceFile; depth: number; offset: number } | undefined;
  for (const src of chain) {
    const found = findNode(src, keyPath);
    if (!best || found.depth > best.depth) best = { src, ...found };
    if (found.depth === keyPath.length) break;
  }
  const src = best?.src ?? chain[0];
  const pos = src.lines.linePos(best?.offset ?? 0);
  return { file: displayPath(src.file, cwd), line: pos.line, col: pos.col };
}

function sortProblems(problems: ConfigProblem[]): ConfigProblem[] {
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.col - b.col || a.path.localeCompare(b.path));
}

// ---------------------------------------------------------------------------------------------
// Turning schema issues into problems

type JsonSchema = {
  properties?: Record<string, JsonSchema>;
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: { enum?: string[] };
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

let cachedJsonSchema: JsonSchema | undefined;

/** Keys the schema allows at a path, for did-you-mean. */
function knownKeys(keyPath: KeyPath): string[] {
  cachedJsonSchema ??= z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }) as JsonSchema;
  let node: JsonSchema | undefined = cachedJsonSchema;
  for (const key of keyPath) {
    if (!node) return [];
    node = node.anyOf?.find((s) => s.properties || s.additionalProperties || s.items) ?? node;
    if (typeof key === "number") node = node.items;
    else node = node.properties?.[key] ?? (typeof node.additionalProperties === "object" ? node.additionalProperties : undefined);
  }
  node = node?.anyOf?.find((s) => s.properties || s.propertyNames) ?? node;
  return [...Object.keys(node?.properties ?? {}), ...(node?.propertyNames?.enum ?? [])];
}

const BUILT_IN_MESSAGE = /^(Invalid input|Invalid option|Too small|Too big|Invalid string|Invalid key|Invalid element|Unrecognized key)/;

function expectedText(issue: z.core.$ZodIssue): string {
  if (!BUILT_IN_MESSAGE.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "object" || issue.expected === "record" || issue.expected === "map"
        ? "a mapping"
        : issue.expected === "array"
          ? "a list"
          : `a ${issue.expected}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "array"
        ? `at least ${issue.minimum} item${Number(issue.minimum) === 1 ? "" : "s"}`
        : issue.origin === "string"
          ? `at least ${issue.minimum} characters`
          : `a value ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array"
        ? `at most ${issue.maximum} items`
        : issue.origin === "string"
          ? `at most ${issue.maximum} characters`
          : `a value ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    case "invalid_format":
      return `a string matching ${issue.pattern ?? issue.format}`;
    default:
      return issue.message;
  }
}

function schemaProblems(issue: z.core.$ZodIssue, raw: unknown, chain: readonly SourceFile[], cwd: string): ConfigProblem[] {
  const keyPath = issue.path as (string | number)[];
  if (issue.code === "unrecognized_keys") {
    const known = knownKeys(keyPath);
    return issue.keys.map((key) => {
      const full = [...keyPath, key];
      const guess = didYouMean(key, known);
      return {
        ...locate(chain, full, cwd),
        path: formatPath(full),
        expected: known.length ? `a known key (${known.join(", ")})` : "no key here",
        found: `unknown key ${JSON.stringify(key)}`,
        hint: guess ? `did you mean ${guess}?` : undefined,
      };
    });
  }
  if (issue.code === "invalid_key") {
    const inner = issue.issues[0];
    return [
      {
        ...locate(chain, keyPath, cwd),
        path: formatPath(keyPath),
        expected: inner ? `a key that is ${expectedText(inner)}` : "a valid key",
        found: `the key ${JSON.stringify(keyPath[keyPath.length - 1])}`,
      },
    ];
  }
  if (issue.code === "invalid_union" && issue.errors.length) {
    // Report the branch that got furthest; for literal unions list the accepted values.
    const values = issue.errors.flat().flatMap((i) => (i.code === "invalid_value" ? i.values : []));
    if (values.length) {
      return [
        {
          ...locate(chain, keyPath, cwd),
          path: formatPath(keyPath),
          expected: `one of ${values.join(", ")}`,
          found: describeValue(getIn(raw, keyPath)),
        },
      ];
    }
  }
  const found = getIn(raw, keyPath);
  let hint: string | undefined;
  if (issue.code === "invalid_value" && typeof found === "string") {
    const guess = didYouMean(
      found,
      issue.values.filter((v): v is string => typeof v === "string"),
    );
    if (guess) hint = `did you mean ${guess}?`;
  }
  return [
    {
      ...locate(chain, keyPath, cwd),
      path: formatPath(keyPath),
      expected: expectedText(issue),
      found: describeValue(found),
      hint,
    },
  ];
}

/**
 * Writes the problems to stderr and exits 1: the entry points' handling of a refused config. With
 * `json`, stdout also gets one JSON document, `{command, ok: false, refused: true, problems}`, so a
 * machine reading `--json` output learns why.
 */
export function exitOnConfigError(e: unknown, opts: { json?: boolean; command?: string } = {}): never {
  if (e instanceof ConfigError) {
    process.stderr.write(`${e.message}\n`);
    if (opts.json)
      process.stdout.write(
        `${JSON.stringify({ command: opts.command ?? null, ok: false, refused: true, problems: e.problems }, null, 2)}\n`,
      );
    process.exit(1);
  }
  throw e;
}
