// ESLint (flat config) with typescript-eslint: `npm run lint`. Formatting is Prettier's job
// (`npm run format`), so no stylistic rules here.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "cdktf.hcl/", ".work/", "coverage/", "**/*.mjs", "functions/*/dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      // The type-checker (tsc --noEmit, strict) already reports unused names.
      "@typescript-eslint/no-unused-vars": "off",
      // Hooks and generated-code helpers load TypeScript through require.
      "@typescript-eslint/no-require-imports": "off",
      // Deep imports only: the package barrel makes type-checking 4-5x slower (DESIGN rule 9).
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "@cdktf/provider-aws", message: "Import by deep path (@cdktf/provider-aws/lib/<resource>)." }] },
      ],
    },
  },
  {
    // A descriptor's contract behind a function (core/layer-descriptor.ts says why). tsc answers a plain
    // value with hundreds of errors elsewhere; this names the file and the fix. `npm run lint` runs ESLint first.
    files: ["layers/*/layer.ts"],
    rules: {
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.name='defineLayer'] > ObjectExpression > Property[key.name='contract'][value.type!='ArrowFunctionExpression']",
          message:
            "A layer's contract goes behind a function: `contract: () => <layer>Contract` (a plain value makes the configuration's type depend on itself; core/layer-descriptor.ts).",
        },
      ],
    },
  },
  {
    files: ["**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
