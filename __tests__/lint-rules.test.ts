/**
 * The kit's own ESLint rules (eslint.config.mjs), run as `npm run lint` runs them (ESLint on stdin,
 * named as the file it would be): each refuses its case with its message and leaves the real file alone.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const ESLINT = path.join(ROOT, "node_modules", "eslint", "bin", "eslint.js");

/** ESLint's findings for `text` as if it were the file `file` (relative to the project root). */
function lint(file: string, text: string): { status: number | null; messages: string[] } {
  const res = spawnSync(process.execPath, [ESLINT, "--format", "json", "--stdin", "--stdin-filename", file], {
    cwd: ROOT,
    input: text,
    encoding: "utf8",
  });
  if (res.status !== 0 && res.status !== 1) throw new Error(`eslint exited ${res.status}: ${res.stderr}`);
  const [result] = JSON.parse(res.stdout) as { messages: { ruleId: string | null; message: string }[] }[];
  return { status: res.status, messages: result.messages.map((m) => `${m.ruleId}: ${m.message}`) };
}

describe("a layer descriptor's contract behind a function (layers/*/layer.ts)", () => {
  const file = "layers/05-cloud-map/layer.ts";
  const real = fs.readFileSync(path.join(ROOT, file), "utf8");

  it("passes the descriptor as committed", () => {
    expect(real).toContain("contract: () => cloudMapContract");
    expect(lint(file, real)).toEqual({ status: 0, messages: [] });
  });

  it("refuses a plain contract value, naming the fix", () => {
    const found = lint(file, real.replace("contract: () => cloudMapContract", "contract: cloudMapContract"));
    expect(found.status).toBe(1);
    expect(found.messages).toEqual([
      "no-restricted-syntax: A layer's contract goes behind a function: `contract: () => <layer>Contract` (a plain value makes the configuration's type depend on itself; core/layer-descriptor.ts).",
    ]);
  });

  it("applies to descriptors only: the same property elsewhere is not its business", () => {
    expect(lint("layers/05-cloud-map/config.ts", "export const x = { contract: 1 };\n").messages).toEqual([]);
  });
});

describe("provider classes by deep path (DESIGN rule 9)", () => {
  it("refuses the package barrel and accepts a deep import", () => {
    // The barrel's name is put together so that a text search for barrel imports in the kit's
    // sources does not take this negative case for one.
    const PACKAGE = ["@cdktf", "provider-aws"].join("/");
    const barrel = lint("modules/example.ts", `import { Vpc } from "${PACKAGE}";\nexport const v = Vpc;\n`);
    expect(barrel.status).toBe(1);
    expect(barrel.messages).toEqual([
      "no-restricted-imports: '@cdktf/provider-aws' import is restricted from being used. Import by deep path (@cdktf/provider-aws/lib/<resource>).",
    ]);
    expect(lint("modules/example.ts", 'import { Vpc } from "@cdktf/provider-aws/lib/vpc";\nexport const v = Vpc;\n').messages).toEqual([]);
  });
});
