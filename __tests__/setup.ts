// Types of cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, ...); type-only, so
// it loads nothing at run time.
import type {} from "cdktf/lib/testing/adapters/jest";

/**
 * cdktf's jest matchers, installed lazily: loading cdktf costs a few hundred milliseconds in every
 * test file, and most files (config, functions, review rules) never use these matchers. Each one is
 * registered under its name and, on first use, replaced by cdktf's own (Testing.setupJest()).
 */
const MATCHERS = [
  "toHaveResource",
  "toHaveResourceWithProperties",
  "toHaveDataSource",
  "toHaveDataSourceWithProperties",
  "toHaveProvider",
  "toHaveProviderWithProperties",
  "toBeValidTerraform",
  "toPlanSuccessfully",
] as const;

type Matcher = (this: jest.MatcherContext, ...args: unknown[]) => jest.CustomMatcherResult;
let cdktfMatchers: Record<string, Matcher> | undefined;

/** cdktf's matchers, captured from Testing.setupJest() (which hands them to expect.extend). */
function load(): Record<string, Matcher> {
  if (cdktfMatchers) return cdktfMatchers;
  const { Testing } = require("cdktf") as typeof import("cdktf");
  const extend = expect.extend;
  let captured: Record<string, Matcher> | undefined;
  expect.extend = (m: Record<string, Matcher>) => {
    captured = m;
  };
  try {
    Testing.setupJest();
  } finally {
    expect.extend = extend;
  }
  if (!captured) throw new Error("cdktf's Testing.setupJest() registered no matchers");
  expect.extend(captured);
  cdktfMatchers = captured;
  return captured;
}

expect.extend(
  Object.fromEntries(
    MATCHERS.map((name) => [
      name,
      function (this: jest.MatcherContext, ...args: unknown[]) {
        const real = load()[name];
        if (!real) throw new Error(`cdktf has no jest matcher ${name}`);
        return real.apply(this, args);
      },
    ]),
  ),
);

/**
 * cdktf records where every token was created (Error.captureStackTrace on a plain object, every
 * frame), and jest's source-map-support maps each of those frames through the source maps: about half
 * of a synthesis's CPU in a test. Those stacks appear only in cdktf's messages about a token it
 * cannot resolve, never in the synthesized Terraform; an Error's stack (a failing test, an error a test
 * asserts) is still mapped to the TypeScript source.
 */
const mapped = Error.prepareStackTrace;
if (mapped) {
  Error.prepareStackTrace = (error: unknown, frames: NodeJS.CallSite[]) =>
    Object.prototype.toString.call(error) === "[object Error]"
      ? mapped(error as Error, frames)
      : `${String(error)}\n${frames.map((f) => `    at ${f}`).join("\n")}`;
}
