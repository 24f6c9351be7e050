/**
 * Checks for bad-input fixtures: a fixture under `dir` must be refused with exactly the given
 * problems, each located at a line and column that really hold the offending key or value.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, formatProblem } from "../core/config/errors";
import { loadConfigFile } from "../core/config/loader";

/** The project root. */
export const ROOT = path.resolve(__dirname, "..");

/**
 * [line, col, text found there, "key.path: expected ..., found ..."], and the file (relative to the
 * project root) when the problem is located in another file of the fixture's `extends` chain.
 */
export type ExpectedProblem = [line: number, col: number, source: string, text: string, file?: string];

/** A test of a fixture that must be refused: the test's name, the fixture, and the problems it must be refused with. */
export type RefusalCase = [name: string, fixture: string, ...problems: ExpectedProblem[]];

/** The ConfigError a call throws; fails the test when it throws something else or nothing. */
export function refusal(run: () => unknown, what = "the configuration"): ConfigError {
  try {
    run();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`expected ${what} to be refused, but it loaded`);
}

/** A file's text (path relative to the project root) from (line, col), both 1-based, to the end of that line. */
export function textAt(file: string, line: number, col: number): string {
  return (fs.readFileSync(path.join(ROOT, file), "utf8").split("\n")[line - 1] ?? "").slice(col - 1);
}

/**
 * The checks for the fixtures of one directory. With `owned`, only the problems on the key paths
 * it matches count (the section under test), so rules of other sections that a fixture wakes do
 * not make the suite change with every layer.
 */
export function fixtureChecks(dir: string, opts: { owned?: RegExp } = {}) {
  /** A fixture's validated configuration. */
  function load(fixture: string) {
    return loadConfigFile(path.join(dir, fixture), ROOT).config;
  }

  /** The problem lines of a fixture that must be refused. */
  function refused(fixture: string): string[] {
    const problems = refusal(() => load(fixture), fixture).problems;
    return problems.filter((p) => !opts.owned || opts.owned.test(p.path)).map(formatProblem);
  }

  /** The fixture's text from a line and column on. */
  function at(fixture: string, line: number, col: number): string {
    return textAt(path.join(dir, fixture), line, col);
  }

  /** The fixture is refused with exactly these problems, located where they are written. */
  function expectRefused(fixture: string, ...problems: ExpectedProblem[]): void {
    const where = (file?: string) => file ?? `${dir}/${fixture}`;
    for (const [line, col, source, , file] of problems)
      expect(`${where(file)}:${line}:${col} ${textAt(where(file), line, col)}`).toBe(`${where(file)}:${line}:${col} ${source}`);
    expect(refused(fixture)).toEqual(problems.map(([line, col, , text, file]) => `${where(file)}:${line}:${col} ${text}`));
  }

  /** One test per case, named by the case: its fixture is refused with exactly its problems (expectRefused). */
  function itRefuses(cases: readonly RefusalCase[]): void {
    it.each(cases)("%s", (_name, fixture, ...problems) => expectRefused(fixture, ...problems));
  }

  return { load, refused, at, expectRefused, itRefuses };
}
