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

/**
 * The compiled code by file (a reference to the string V8 keeps anyway): its inline source map lets
 * `platform where` (tools/lib/where.ts) turn a stack frame's line into the .ts line without Node's
 * --enable-source-maps, which would parse every module's map up front (+0.3 s, +65 MB per run).
 */
const compiled = new Map();
globalThis[Symbol.for("platform-kit.compiled")] = compiled;

require.extensions[".ts"] = function compileTs(module, filename) {
  const source = fs.readFileSync(filename, "utf8");
  const { code } = transformSync(source, { ...options, filename });
  compiled.set(filename, code);
  module._compile(code, filename);
};
