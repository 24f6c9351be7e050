/**
 * Transpile-only TypeScript loader: `node -r ./tools/register.js file.ts`.
 * Uses swc (no type-checking at run time; `npm run lint` runs tsc once for types). Only the project's
 * own .ts files are transpiled; dependencies are plain JavaScript.
 */
"use strict";
const fs = require("node:fs");
const { transformSync } = require("@swc/core");

const options = {
  jsc: { parser: { syntax: "typescript" }, target: "es2022", keepClassNames: true },
  module: { type: "commonjs" },
  sourceMaps: "inline",
};

require.extensions[".ts"] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const { code } = transformSync(source, { ...options, filename });
  module._compile(code, filename);
};
