/**
 * The layout rules of issue 13 item 1 ("layers as folders"), as checks over a source tree:
 * - every registered layer has its folder layers/NN-<name>/ with layer.ts, stack.ts, contract.ts,
 *   README.md, and every folder named NN-<name> under layers/ is registered, at that number;
 * - nothing in core/ imports modules/, and core/ reaches into layers/ only from the composition
 *   points (the layer table, schema, semantic rules, tiers, the contract map) and never a layer's stack;
 * - no import circle among core/ and layers/ (type-only imports count: they are circles to a reader).
 * Used by __tests__/layout.test.ts on the real tree and on small fixture trees.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative, sep } from "node:path";

/** core/ files that compose the layers' parts and so may import a layer folder (never its stack). */
export const CORE_COMPOSERS: readonly string[] = [
  "core/registry.ts",
  "core/config/schema.ts",
  "core/config/semantic.ts",
  "core/config/tiers.ts",
  "core/contracts/index.ts",
];

const SPEC_RE = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;

/** Every .ts file under `dirs` of `root`, as root-relative paths with forward slashes. */
export function sourceFiles(root: string, dirs: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(join(root, d))) return;
    for (const e of readdirSync(join(root, d))) {
      const p = `${d}/${e}`;
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (p.endsWith(".ts")) out.push(p);
    }
  };
  dirs.forEach(walk);
  return out.sort();
}

/** The files a file imports by relative path (static, dynamic, require), resolved to root-relative paths. */
export function importsOf(root: string, file: string): string[] {
  const text = readFileSync(join(root, file), "utf8");
  const out: string[] = [];
  for (const m of text.matchAll(SPEC_RE)) {
    const base = normalize(join(dirname(file), m[1]))
      .split(sep)
      .join("/");
    const hit = [base, `${base}.ts`, `${base}/index.ts`].find((c) => existsSync(join(root, c)) && statSync(join(root, c)).isFile());
    out.push(hit ?? `${base}.ts`);
  }
  return out;
}

/** The files every layer folder holds (the descriptor, the stack, the contract, the page). */
export const LAYER_FILES: readonly string[] = ["layer.ts", "stack.ts", "contract.ts", "README.md"];

/** A layer folder's name: two-digit number, hyphen, layer name (`01-network`). */
const LAYER_FOLDER_RE = /^(\d{2})-([a-z][a-z0-9-]*)$/;

/**
 * Registered layers (names in registry order) without their folder or a file of LAYER_FILES in it,
 * and folders under layers/ named like a layer that are not registered, or not at their number.
 */
export function layerFolderProblems(root: string, layerNames: readonly string[]): string[] {
  const problems: string[] = [];
  const folderOf = (i: number): string => `layers/${String(i + 1).padStart(2, "0")}-${layerNames[i]}`;
  layerNames.forEach((name, i) => {
    const folder = folderOf(i);
    for (const f of LAYER_FILES) {
      if (!existsSync(join(root, folder, f))) problems.push(`${folder}/${f} is missing (layer ${name})`);
    }
  });
  const dir = join(root, "layers");
  const entries = existsSync(dir) ? readdirSync(dir).filter((e) => statSync(join(dir, e)).isDirectory()) : [];
  for (const entry of entries.sort()) {
    const m = LAYER_FOLDER_RE.exec(entry);
    if (!m) continue;
    const at = layerNames.indexOf(m[2]);
    if (at < 0) problems.push(`layers/${entry}/ is not registered (no layer "${m[2]}" in layers/registry.ts)`);
    else if (at + 1 !== Number(m[1]))
      problems.push(`layers/${entry}/ is numbered ${m[1]}, but layer ${m[2]} is registered as ${folderOf(at)}/`);
  }
  return problems;
}

/** Imports from core/ that reach up: into modules/ at all, or into layers/ outside the composers. */
export function coreImportProblems(root: string): string[] {
  const problems: string[] = [];
  for (const file of sourceFiles(root, ["core"])) {
    for (const target of importsOf(root, file)) {
      if (target.startsWith("modules/")) problems.push(`${file} imports ${target} (core must not import modules/)`);
      else if (target.startsWith("layers/")) {
        const stack = /(^layers\/index\.ts$|\/stack\.ts$)/.test(target);
        if (!CORE_COMPOSERS.includes(file) || stack) {
          problems.push(
            `${file} imports ${target} (core reads a layer's config or contract only in ${CORE_COMPOSERS.join(", ")}, never a stack)`,
          );
        }
      }
    }
  }
  return problems;
}

/**
 * The registry must stay stack-free: core/ imports it, and every stack imports core/layer-stack.ts.
 * Every stack.ts (or layers/index.ts) that layers/registry.ts reaches through imports, with the chain.
 */
export function registryStackProblems(root: string, registry = "layers/registry.ts"): string[] {
  const problems: string[] = [];
  const seen = new Set<string>([registry]);
  const queue: string[][] = [[registry]];
  while (queue.length) {
    const chain = queue.shift()!;
    const file = chain[chain.length - 1];
    if (!existsSync(join(root, file))) continue;
    for (const target of importsOf(root, file)) {
      if (seen.has(target)) continue;
      seen.add(target);
      if (/(^layers\/index\.ts$|\/stack\.ts$)/.test(target)) {
        problems.push(`${[...chain, target].join(" -> ")} (the registry and the descriptors must not import a stack)`);
      } else if (target.startsWith("layers/") || target.startsWith("core/")) queue.push([...chain, target]);
    }
  }
  return problems;
}

/** Import circles among `files` (Tarjan's strongly connected components), each as its sorted files. */
export function importCircles(root: string, files: readonly string[]): string[][] {
  const inSet = new Set(files);
  const edges = new Map(files.map((f) => [f, importsOf(root, f).filter((t) => inSet.has(t))]));
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (edges.get(v) ?? []).includes(v)) circles.push(scc.sort());
    }
  };
  files.forEach((f) => idx.has(f) || visit(f));
  return circles;
}

/** A path relative to root, for messages. */
export const rel = (root: string, p: string): string => relative(root, p).split(sep).join("/");
