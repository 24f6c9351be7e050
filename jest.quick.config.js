/**
 * `npm run test:quick`: the edit loop's subset of the unit suites (jest.config.js), those that need no
 * synthesis of a whole environment: configuration loading and its errors, the functions, the review's
 * rules and flow proof on fixtures, the HCL repair. Under 10 s (`npm run bench` measures it); `npm test`
 * runs these and the rest.
 */
const { maxWorkers, testTimeout, projects } = require("./jest.config");

const QUICK = ["config*", "functions/*", "review-{rules,policy,cost,diff,diagram,availability,flows}", "hcl"];

module.exports = {
  maxWorkers,
  testTimeout,
  ...projects.find((p) => p.displayName === "unit"),
  displayName: "quick",
  testMatch: QUICK.map((glob) => `<rootDir>/__tests__/${glob}.test.ts`),
};
