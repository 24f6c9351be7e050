/** Jest: swc transpiling (no type-checking here; `npm test` runs tsc once first). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["@swc/jest", { jsc: { parser: { syntax: "typescript" }, target: "es2022", keepClassNames: true }, module: { type: "commonjs" } }],
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
  testTimeout: 60000,
  // Jest's default (cores - 1) is one worker on a 2-core machine: the suites would run serially.
  maxWorkers: "100%",
};
