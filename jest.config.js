/**
 * Jest: swc transpiling (no type-checking here; `npm run lint` runs tsc once, before the tests in CI).
 *
 * Two projects, both run by CI (.ci/run and ci.yml):
 *   unit         `npm test`: every suite but the integration ones (config, layers per environment, the
 *                functions, the review rules, the flow proof on fixtures, the tools' parts)
 *   integration  `npm run test:integration`: suites that start processes (the tools end to end,
 *                Terraform, actionlint) or synthesize or review every environment as a whole
 * `npx jest` (`npm run test:all`) runs both; `npx jest __tests__/<suite>.test.ts` runs one suite of either.
 * `npm run test:quick` (jest.quick.config.js) is the edit loop's subset of the unit suites.
 */
const INTEGRATION = [
  "cli",
  "lint-rules",
  "platform",
  "rehearse",
  "review-cli",
  "review-environments",
  "review-flows-environments",
  "synth-hcl",
  "validate-cli",
  "where-environments",
  "workflows",
];

const base = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  transform: {
    "^.+\\.ts$": [
      "@swc/jest",
      { jsc: { parser: { syntax: "typescript" }, target: "es2022", keepClassNames: true }, module: { type: "commonjs" } },
    ],
  },
  setupFilesAfterEnv: ["<rootDir>/__tests__/setup.ts"],
};

const integrationMatch = INTEGRATION.map((name) => `<rootDir>/__tests__/${name}.test.ts`);

module.exports = {
  // Jest's default (cores - 1) is one worker on a 2-core machine: the suites would run serially.
  maxWorkers: "100%",
  testTimeout: 60000,
  projects: [
    {
      ...base,
      displayName: "unit",
      testMatch: ["**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/", ...INTEGRATION.map((name) => `/__tests__/${name}\\.test\\.ts$`)],
    },
    { ...base, displayName: "integration", testMatch: integrationMatch },
  ],
};
