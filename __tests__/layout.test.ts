/**
 * The layout of issue 13 item 1: every layer is a folder with its descriptor, stack, contract and
 * README, registered once in layers/registry.ts, from which everything else derives; core/ does
 * not reach up into modules/ (nor into a layer's stack); the registry is stack-free; core/ and
 * layers/ form no import circle. Each check runs on the real tree and on a small fixture tree or an
 * in-memory registry that breaks it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import { App, DataTerraformRemoteStateS3, Token } from "cdktf";
import { ConfigSchema } from "../core/config/schema";
import { semanticIssues } from "../core/config/semantic";
import type { PlatformConfig } from "../core/config/types";
import { CONTRACTS, str } from "../core/contracts";
import { contractMap, defineLayer, layerRules, layerTable, sectionShape } from "../core/layer-descriptor";
import { LayerStack } from "../core/layer-stack";
import { buildPlatform } from "../core/platform";
import { LAYERS, LAYER_NAMES } from "../core/registry";
import { coreImportProblems, importCircles, layerFolderProblems, registryStackProblems, sourceFiles } from "../tools/lib/layout";
import { PLATFORM, stackClassOf } from "../layers";
import { LAYER_DESCRIPTORS } from "../layers/registry";
import { NetworkStack } from "../layers/01-network/stack";
import { SecurityStack } from "../layers/02-security/stack";
import { env } from "./helpers";

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
  it("has a folder per registered layer with layer.ts, stack.ts, contract.ts and README.md, and no unregistered layer folder", () => {
    expect(layerFolderProblems(ROOT, LAYER_NAMES)).toEqual([]);
  });

  it("loads every registered layer's stack class from its folder, in registry order", () => {
    expect(Object.keys(PLATFORM.layers)).toEqual([...LAYER_NAMES]);
    expect(PLATFORM.layers.network).toBe(NetworkStack);
    expect(PLATFORM.layers.security).toBe(SecurityStack);
  });

  it("derives the layer table, the contract map, the schema's sections and the rules from the one registry", () => {
    expect(LAYER_NAMES).toEqual(LAYER_DESCRIPTORS.map((d) => d.name));
    expect(LAYERS.map((l) => `${l.number}-${l.name}: ${l.description}`)).toEqual(
      LAYER_DESCRIPTORS.map((d, i) => `${String(i + 1).padStart(2, "0")}-${d.name}: ${d.description}`),
    );
    expect(Object.keys(CONTRACTS)).toEqual(LAYER_DESCRIPTORS.filter((d) => d.contract).map((d) => d.name));
    const shape = ConfigSchema.shape as Record<string, unknown>;
    const sections = LAYER_DESCRIPTORS.flatMap((d) => Object.entries(d.sections));
    expect(sections.length).toBeGreaterThan(10);
    for (const [key, schema] of sections) expect(shape[key]).toBe(schema);
    // In the schema, in registry order, one run: between the core keys before and after them.
    const keys = Object.keys(shape);
    const first = keys.indexOf(sections[0][0]);
    expect(keys.slice(first, first + sections.length)).toEqual(sections.map(([k]) => k));
    expect(layerRules(LAYER_DESCRIPTORS).length).toBeGreaterThan(20);
  });

  it("keeps the registry stack-free", () => {
    expect(registryStackProblems(ROOT)).toEqual([]);
  });

  it("has no import from core/ into modules/, nor into layers/ outside the composition points", () => {
    expect(coreImportProblems(ROOT)).toEqual([]);
  });

  it("has no import circle among core/ and layers/", () => {
    const files = sourceFiles(ROOT, ["core", "layers"]);
    expect(files.length).toBeGreaterThan(40);
    expect(importCircles(ROOT, files)).toEqual([]);
  });

  it("types remote-state reads by the derived contract map (tsc checks the @ts-expect-error lines)", () => {
    class Probe extends LayerStack<"security"> {
      constructor(scope: App, config: PlatformConfig) {
        super(scope, "security", config);
      }
      reads(): unknown[] {
        return [
          this.read("network", "vpc_id"),
          // @ts-expect-error: not an output of the network contract
          () => this.read("network", "no_such_output"),
          // @ts-expect-error: not a layer
          () => this.read("no-such-layer", "vpc_id"),
        ];
      }
    }
    const probe = new Probe(new App(), env("dev"));
    const [vpc, undeclared] = probe.reads() as [string, () => unknown];
    expect(Token.isUnresolved(vpc)).toBe(true);
    expect(probe.node.tryFindChild("network")).toBeInstanceOf(DataTerraformRemoteStateS3);
    expect(undeclared).toThrow("reads network.no_such_output, which network's contract does not declare");
  });
});

describe("the checks flag a tree that breaks them", () => {
  it("a layer folder without its descriptor, contract or README; an unregistered folder; a folder at the wrong number", () => {
    const root = fixture({
      "layers/01-network/stack.ts": "export {};\n",
      "layers/02-security/layer.ts": "export {};\n",
      "layers/02-security/stack.ts": "export {};\n",
      "layers/02-security/contract.ts": "export {};\n",
      "layers/02-security/README.md": "#\n",
      "layers/03-audit/layer.ts": "export {};\n",
      "layers/05-security/stack.ts": "export {};\n",
      "layers/bootstrap/stack.ts": "export {};\n",
    });
    expect(layerFolderProblems(root, ["network", "security"])).toEqual([
      "layers/01-network/layer.ts is missing (layer network)",
      "layers/01-network/contract.ts is missing (layer network)",
      "layers/01-network/README.md is missing (layer network)",
      'layers/03-audit/ is not registered (no layer "audit" in layers/registry.ts)',
      "layers/05-security/ is numbered 05, but layer security is registered as layers/02-security/",
    ]);
  });

  it("a registry whose descriptor imports its stack", () => {
    const root = fixture({
      "layers/registry.ts": 'import { networkLayer } from "./01-network/layer";\nexport const LAYER_DESCRIPTORS = [networkLayer];\n',
      "layers/01-network/layer.ts": 'import { NetworkStack } from "./stack";\nexport const networkLayer = { stack: NetworkStack };\n',
      "layers/01-network/stack.ts": "export class NetworkStack {}\n",
    });
    expect(registryStackProblems(root)).toEqual([
      "layers/registry.ts -> layers/01-network/layer.ts -> layers/01-network/stack.ts (the registry and the descriptors must not import a stack)",
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

  it("a stack module without exactly one LayerStack subclass, and a stack class that builds another layer", () => {
    expect(() => stackClassOf({ helper: () => 1 }, "layers/13-audit/stack.ts")).toThrow(
      "layers/13-audit/stack.ts must export exactly one LayerStack subclass (found: none)",
    );
    expect(() => stackClassOf({ NetworkStack, SecurityStack }, "layers/13-audit/stack.ts")).toThrow("(found: NetworkStack, SecurityStack)");
    expect(stackClassOf({ NetworkStack, other: 1 }, "x")).toBe(NetworkStack);
    const swapped = { ...PLATFORM, layers: { ...PLATFORM.layers, network: SecurityStack } };
    expect(() => buildPlatform(new App(), env("dev"), swapped)).toThrow(
      "the stack class registered for layer network builds layer security; check layers/01-network/stack.ts",
    );
  });
});

describe("an in-memory registry: what a new layer's descriptor gives (the real tree is not touched)", () => {
  const AuditSchema = z.strictObject({ retentionDays: z.number().int().default(30) }).prefault({});
  const audit = defineLayer({
    name: "audit",
    description: "an audit trail",
    contract: () => ({ trail_arn: str("the trail", () => "arn:aws:cloudtrail:::trail/t") }),
    config: {
      sections: { audit: AuditSchema },
      rules: [(cfg) => (cfg.tier === "prod" ? [{ path: ["audit"], expected: "a probe issue" }] : [])],
    },
  });
  const quiet = defineLayer({ name: "quiet", description: "publishes nothing" });
  const registry = [...LAYER_DESCRIPTORS, audit, quiet] as const;

  it("appends it to the layer table, the contract map, the sections and the rules", () => {
    const table = layerTable(registry);
    expect(table.slice(-2)).toEqual([
      { name: "audit", order: 13, number: "13", description: "an audit trail" },
      { name: "quiet", order: 14, number: "14", description: "publishes nothing" },
    ]);
    const contracts = contractMap(registry);
    expect(Object.keys(contracts)).toEqual([...LAYER_NAMES, "audit"]);
    expect(contracts.audit.trail_arn.kind).toBe("string");
    const sections = sectionShape(registry);
    expect(Object.keys(sections).slice(-1)).toEqual(["audit"]);
    expect(z.strictObject(sections).pick({ audit: true }).parse({})).toEqual({ audit: { retentionDays: 30 } });
    const rules = layerRules(registry);
    expect(rules).toHaveLength(layerRules(LAYER_DESCRIPTORS).length + 1);
    expect(rules[rules.length - 1](env("prod"))).toEqual([{ path: ["audit"], expected: "a probe issue" }]);
    expect(rules[rules.length - 1](env("dev"))).toEqual([]);
    // The real registry does not know it.
    expect(LAYER_NAMES).not.toContain("audit");
    expect(semanticIssues(env("prod"))).toEqual([]);
  });

  it("refuses a name registered twice, a malformed name, and a section key claimed twice", () => {
    expect(() => layerTable([...LAYER_DESCRIPTORS, defineLayer({ name: "network", description: "again" })])).toThrow(
      'layer "network" is registered twice (registry position 13)',
    );
    expect(() => layerTable([defineLayer({ name: "Audit_Trail", description: "x" })])).toThrow(
      'layer name "Audit_Trail" (registry position 1) is not lower-case letters, digits and hyphens',
    );
    const clash = defineLayer({ name: "clash", description: "x", config: { sections: { audit: AuditSchema }, rules: [] } });
    expect(() => sectionShape([audit, clash])).toThrow('config section "audit" of layer clash is already declared by layer audit');
    const core = defineLayer({ name: "core-clash", description: "x", config: { sections: { network: AuditSchema }, rules: [] } });
    expect(() => sectionShape([core], ["network"])).toThrow(
      'config section "network" of layer core-clash is already declared by core/config/schema.ts',
    );
  });
});
