/**
 * Checks for bad-input fixtures: a fixture under `dir` must be refused with exactly the given
 * problems, each located at a line and column that really hold the offending key or value.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError, formatProblem } from "../core/config/errors";
import { loadConfigFile } from "../core/config/loader";

const ROOT = path.resolve(__dirname, "..");

/** [line, col, text found there, "key.path: expected ..., found ..."]. */
export type ExpectedProblem = [line: number, col: number, source: string, text: string];

export function fixtureChecks(dir: string) {
  /** The problem lines of a fixture that must be refused. */
  function refused(fixture: string): string[] {
    try {
      loadConfigFile(path.join(dir, fixture), ROOT);
    } catch (e) {
      if (e instanceof ConfigError) return e.problems.map(formatProblem);
      throw e;
    }
    throw new Error(`expected ${fixture} to be refused, but it loaded`);
  }

  /** The fixture's text from a line and column on. */
  function at(fixture: string, line: number, col: number): string {
    const lines = fs.readFileSync(path.join(ROOT, dir, fixture), "utf8").split("\n");
    return (lines[line - 1] ?? "").slice(col - 1);
  }

  /** The fixture is refused with exactly these problems, located where they are written. */
  function expectRefused(fixture: string, ...problems: ExpectedProblem[]): void {
    for (const [line, col, source] of problems) expect(`${fixture}:${line}:${col} ${at(fixture, line, col)}`).toBe(`${fixture}:${line}:${col} ${source}`);
    expect(refused(fixture)).toEqual(problems.map(([line, col, , text]) => `${dir}/${fixture}:${line}:${col} ${text}`));
  }

  return { refused, at, expectRefused };
}
