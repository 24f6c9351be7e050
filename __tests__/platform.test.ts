import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Construct } from "constructs";
import type { PlatformConfig } from "../core/config/schema";
import { LayerStack } from "../core/layer-stack";
import { synthesizePlatform } from "../core/platform";
import { LAYERS, layer } from "../core/registry";
import { PLATFORM } from "../layers";
import { env } from "./helpers";

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "platform-synth-"));
}

describe("synthesized platform", () => {
  const outdir = tempDir();
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  synthesizePlatform(env("prod"), PLATFORM, outdir);
  const manifest = JSON.parse(fs.readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { dependencies: string[]; workingDirectory: string; synthesizedStackPath: string }>;
  };

  const implemented = LAYERS.map((l) => l.name).filter((n) => n in PLATFORM.layers);

  it("writes bootstrap and every implemented layer for prod, in registry order", () => {
    // cdktf lists stacks in the manifest alphabetically; the deploy order is the registry's.
    expect(Object.keys(manifest.stacks).sort()).toEqual(["bootstrap", ...implemented].sort());
    for (const name of Object.keys(manifest.stacks)) {
      expect(fs.existsSync(path.join(outdir, "stacks", name, "cdk.tf.json"))).toBe(true);
    }
  });

  it("declares no cdktf dependency between stacks, so `cdktf deploy <layer>` runs alone", () => {
    for (const stack of Object.values(manifest.stacks)) expect(stack.dependencies).toEqual([]);
  });

  it("gives every layer its own state key", () => {
    const keys = implemented.map((name) => {
      const tf = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
      return tf.terraform.backend.s3.key as string;
    });
    expect(keys).toEqual(implemented.map((name) => `platform/petclinic/prod/${layer(name).number}-${name}.tfstate`));
    expect(keys.slice(0, 2)).toEqual(["platform/petclinic/prod/01-network.tfstate", "platform/petclinic/prod/02-security.tfstate"]);
  });

  it("reads other layers only through remote state of earlier layers", () => {
    for (const name of implemented) {
      const tf = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8"));
      const reads = Object.keys(tf.data?.terraform_remote_state ?? {});
      // The data source is named after the producer in snake_case (cloud-map -> cloud_map).
      const producers = reads.map((r) => LAYERS.find((l) => l.name.replace(/-/g, "_") === r)?.name ?? r);
      for (const producer of producers) {
        expect(`${name} reads ${producer}: ${layer(producer as never).order < layer(name).order}`).toBe(`${name} reads ${producer}: true`);
      }
      // No data source other than terraform_remote_state: every layer plans offline.
      expect(`${name}: ${Object.keys(tf.data ?? {}).filter((t) => t !== "terraform_remote_state")}`).toBe(`${name}: `);
    }
  });
});

describe("a stack that fails validation", () => {
  class Unpublished extends LayerStack<"security"> {
    constructor(scope: Construct, config: PlatformConfig) {
      super(scope, "security", config);
    }
  }

  it("stops the synth before any stack is written", () => {
    const outdir = tempDir();
    try {
      expect(() => synthesizePlatform(env("dev"), { ...PLATFORM, layers: { ...PLATFORM.layers, security: Unpublished } }, outdir)).toThrow(
        /layer security declares a contract but never called publish\(\)/,
      );
      const written = fs.existsSync(path.join(outdir, "stacks")) ? fs.readdirSync(path.join(outdir, "stacks")) : [];
      expect(written).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
