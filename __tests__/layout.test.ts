/**
 * The layout of issue 13 item 1: every layer is a folder with its stack, contract and README; core/
 * does not reach up into modules/ (nor into a layer's stack); core/ and layers/ form no import
 * circle. Each check runs on the real tree and on a small fixture tree that breaks it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { LAYER_NAMES } from "../core/config/constants";
import { coreImportProblems, importCircles, layerFolderProblems, sourceFiles } from "../tools/lib/layout";
import { PLATFORM } from "../layers";

const ROOT = join(__dirname, "..");

/** A throwaway tree of files (path -> content). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "layout-"));
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  }
  return root;
}

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));
const fixture = (files: Record<string, string>): string => {
  const r = tree(files);
  roots.push(r);
  return r;
};

describe("the repository", () => {
  it("has a folder per registered layer with stack.ts, contract.ts and README.md", () => {
    expect(layerFolderProblems(ROOT, LAYER_NAMES)).toEqual([]);
  });

  it("registers a stack class for every layer name", () => {
    expect(Object.keys(PLATFORM.layers).sort()).toEqual([...LAYER_NAMES].sort());
  });

  it("has no import from core/ into modules/, nor into layers/ outside the composition points", () => {
    expect(coreImportProblems(ROOT)).toEqual([]);
  });

  it("has no import circle among core/ and layers/", () => {
    const files = sourceFiles(ROOT, ["core", "layers"]);
    expect(files.length).toBeGreaterThan(40);
    expect(importCircles(ROOT, files)).toEqual([]);
  });
});

describe("the checks flag a tree that breaks them", () => {
  it("a layer folder without its contract or README", () => {
    const root = fixture({
      "layers/01-network/stack.ts": "export {};\n",
      "layers/02-security/stack.ts": "export {};\n",
      "layers/02-security/contract.ts": "export {};\n",
      "layers/02-security/README.md": "#\n",
    });
    expect(layerFolderProblems(root, ["network", "security"])).toEqual([
      "layers/01-network/contract.ts is missing (layer network)",
      "layers/01-network/README.md is missing (layer network)",
    ]);
  });

  it("core importing modules/, and core importing a layer's stack", () => {
    const root = fixture({
      "modules/fargate-sizes.ts": "export const X = 1;\n",
      "core/config/schema.ts":
        'import { S } from "../../layers/01-network/config";\nimport { X } from "../../modules/fargate-sizes";\nexport const Y = [S, X];\n',
      "core/registry.ts": 'import { NetworkStack } from "../layers/01-network/stack";\nexport const Z = NetworkStack;\n',
      "layers/01-network/config.ts": "export const S = 1;\n",
      "layers/01-network/stack.ts": "export class NetworkStack {}\n",
    });
    expect(coreImportProblems(root)).toEqual([
      "core/config/schema.ts imports modules/fargate-sizes.ts (core must not import modules/)",
      expect.stringMatching(/^core\/registry\.ts imports layers\/01-network\/stack\.ts \(core reads a layer's config or contract only in/),
    ]);
  });

  it("a type-only circle between the schema and a section", () => {
    const root = fixture({
      "core/config/schema.ts":
        'import { NativeSchema } from "../../layers/09-native/config";\nexport const ConfigSchema = { native: NativeSchema };\nexport type PlatformConfig = typeof ConfigSchema;\n',
      "layers/09-native/config.ts":
        'import type { PlatformConfig } from "../../core/config/schema";\nexport const NativeSchema = 1;\nexport const rule = (cfg: PlatformConfig) => cfg;\n',
      "core/config/leaf.ts": "export const L = 1;\n",
    });
    expect(importCircles(root, sourceFiles(root, ["core", "layers"]))).toEqual([["core/config/schema.ts", "layers/09-native/config.ts"]]);
  });
});
