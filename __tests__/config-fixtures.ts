/**
 * Checks for bad-input fixtures: a fixture under `dir` must be refused with exactly the given
 * problems, each located at a line and column that really hold the offending key or value.
 *
 * A bad-input fixture says itself what it must be refused with, in a header at its top:
 *
 *   # refused: a port out of range
 *   # 6:5 `port: 70000` services.vets.port: expected a port between 1 and 65535, found number 70000
 *
 * The first line names the test; each next comment line is one problem, in the order the loader
 * reports them: line:col in the fixture as committed (header included), the text found there (from
 * that column to the end of the line; `\t` stands for a tab), then the problem line as the loader
 * prints it after `file:line:col `. A problem located in another file of the `extends` chain starts
 * with that file, relative to the fixture's directory: `# ../_base.yaml:12:3 `aws:` ...`. The header
 * ends at the first line that is not a comment. `itRefusesFixtures` runs one test per such fixture;
 * the .yaml files of the directory without a header (valid configurations, parents, cases refused in
 * code) are listed in __tests__/fixtures/config/without-header.json.
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

/** A fixture's refusal header: the test's name and the problems the fixture must be refused with. */
export interface RefusalHeader {
  readonly name: string;
  readonly problems: ExpectedProblem[];
}

/** A bad-input fixture of a directory with its header. */
export interface RefusalFixture extends RefusalHeader {
  /** The fixture's file name in its directory. */
  readonly fixture: string;
}

const HEADER_NAME = /^# refused:(.*)$/;
const HEADER_PROBLEM = /^# (?:(\S+):)?(\d+):(\d+) `(.*)` (\S.*)$/;
const PROBLEM_FORMAT = "# [other-file:]line:col `text found there` key.path: expected ..., found ...";

/** Where the .yaml files of the refusal directories that carry no header are listed, with why. */
export const WITHOUT_HEADER_FILE = "__tests__/fixtures/config/without-header.json";

/**
 * The .yaml files without a refusal header of each refusal directory (relative to the project root):
 * file name -> why it has none (a valid configuration, a parent, a case refused in code).
 */
export const WITHOUT_HEADER = JSON.parse(fs.readFileSync(path.join(ROOT, WITHOUT_HEADER_FILE), "utf8")) as Record<
  string,
  Record<string, string>
>;

/**
 * The refusal header of a fixture (`file`: its path relative to the project root), or undefined
 * when it has none. A header that does not parse throws `file:line: what is wrong`.
 */
export function parseRefusalHeader(file: string, text: string): RefusalHeader | undefined {
  const lines = text.split("\n");
  const fail = (index: number, what: string) => new Error(`${file}:${index + 1}: ${what}, found ${JSON.stringify(lines[index])}`);
  const name = HEADER_NAME.exec(lines[0])?.[1].trim();
  const stray = lines.findIndex((line, i) => i > 0 && HEADER_NAME.test(line));
  if (stray >= 0) throw fail(stray, "expected the refusal header at line 1 and once");
  if (name === undefined) return undefined;
  if (!name) throw fail(0, "expected a test name after `# refused:`");
  const problems: ExpectedProblem[] = [];
  for (let i = 1; i < lines.length && lines[i].startsWith("#"); i++) {
    const m = HEADER_PROBLEM.exec(lines[i]);
    if (!m) throw fail(i, `expected a problem line ${PROBLEM_FORMAT}`);
    const [, other, line, col, source, problem] = m;
    const at = [Number(line), Number(col), source.replace(/\\t/g, "\t"), problem] as const;
    problems.push(other ? [...at, path.posix.join(path.posix.dirname(file), other)] : [...at]);
  }
  if (!problems.length) throw fail(1, `expected at least one problem line ${PROBLEM_FORMAT} after the name`);
  return { name, problems };
}

/**
 * The bad-input fixtures of a directory (relative to the project root), and what is wrong with
 * the directory: a header that does not parse, or a .yaml file that has no header and is not in
 * `withoutHeader` (file name -> why: a valid configuration, a parent, a case checked in code), or a
 * listed file that is missing or has a header after all.
 */
export function refusalFixtures(
  dir: string,
  withoutHeader: Readonly<Record<string, string>>,
): { fixtures: RefusalFixture[]; problems: string[] } {
  const files = fs
    .readdirSync(path.resolve(ROOT, dir))
    .filter((f) => f.endsWith(".yaml"))
    .sort();
  const fixtures: RefusalFixture[] = [];
  const problems: string[] = [];
  for (const fixture of files) {
    const file = `${dir}/${fixture}`;
    let header: RefusalHeader | undefined;
    try {
      header = parseRefusalHeader(file, fs.readFileSync(path.resolve(ROOT, file), "utf8"));
    } catch (e) {
      problems.push((e as Error).message);
      continue;
    }
    if (header && fixture in withoutHeader)
      problems.push(`${file}: listed as without a header (${withoutHeader[fixture]}), but it has one`);
    else if (header) fixtures.push({ fixture, ...header });
    else if (!(fixture in withoutHeader))
      problems.push(
        `${file}: expected a refusal header (# refused: <test name>, then the problems) or a listing in ${WITHOUT_HEADER_FILE} as valid, a parent or refused in code`,
      );
  }
  for (const fixture of Object.keys(withoutHeader))
    if (!files.includes(fixture)) problems.push(`${dir}/${fixture}: listed as without a header, but there is no such file`);
  return { fixtures, problems };
}

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

  /**
   * One test per bad-input fixture of the directory, named by its header: it is refused with exactly
   * the header's problems (expectRefused). And one test that every .yaml file of the directory has a
   * header that parses or is listed for the directory in without-header.json (file name -> why it has none).
   */
  function itRefusesFixtures(): void {
    const { fixtures, problems } = refusalFixtures(dir, WITHOUT_HEADER[dir] ?? {});
    it("every fixture has a refusal header that parses, or is listed in without-header.json", () => {
      expect(problems).toEqual([]);
      expect(fixtures.length).toBeGreaterThan(0);
    });
    const cases = fixtures.map((f) => [`${f.name} (${f.fixture})`, f] as const);
    if (cases.length) it.each(cases)("%s", (_title, f) => expectRefused(f.fixture, ...f.problems));
  }

  return { load, refused, at, expectRefused, itRefuses, itRefusesFixtures };
}
