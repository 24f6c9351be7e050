/**
 * The refusal headers of bad-input fixtures (config-fixtures.ts): what a header says, and the
 * mistakes the checks catch: a header that does not parse (named by file and line), a fixture with
 * neither a header nor a place in its suite's list, and a list that has gone stale.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseRefusalHeader, refusalFixtures, ROOT, WITHOUT_HEADER, WITHOUT_HEADER_FILE } from "./config-fixtures";

const FILE = "__tests__/fixtures/config/genai/x.yaml";

describe("parseRefusalHeader", () => {
  it("reads the name and the problems, in order; another file of the chain relative to the fixture; \\t as a tab", () => {
    const text =
      "# refused: a port out of range\n" +
      "# 4:5 `port: 70000` services.vets.port: expected a port between 1 and 65535, found number 70000\n" +
      "# ../_base.yaml:12:3 `\\tregion: us-west-2` aws.region: expected ..., found ...\n" +
      "extends: ../_base\n" +
      "# a comment in the body is not part of the header\n";
    expect(parseRefusalHeader(FILE, text)).toEqual({
      name: "a port out of range",
      problems: [
        [4, 5, "port: 70000", "services.vets.port: expected a port between 1 and 65535, found number 70000"],
        [12, 3, "\tregion: us-west-2", "aws.region: expected ..., found ...", "__tests__/fixtures/config/_base.yaml"],
      ],
    });
  });

  it("reads an empty text found there (a problem at the end of a line)", () => {
    expect(parseRefusalHeader(FILE, "# refused: x\n# 3:9 `` a: expected b, found nothing\na:\n")?.problems).toEqual([
      [3, 9, "", "a: expected b, found nothing"],
    ]);
  });

  it("a file without a header has none (a valid configuration, a parent)", () => {
    expect(parseRefusalHeader(FILE, "# a valid configuration\nextends: ../_base\n")).toBeUndefined();
  });

  it.each([
    [
      "a problem line without the text found there",
      "# refused: a port out of range\n# 4:5 services.vets.port: expected a port, found 70000\nextends: ../_base\n",
      `${FILE}:2: expected a problem line # [other-file:]line:col \`text found there\` key.path: expected ..., found ..., found "# 4:5 services.vets.port: expected a port, found 70000"`,
    ],
    [
      "a comment line inside the header that is not a problem",
      "# refused: a port out of range\n# 4:5 `port: 70000` services.vets.port: expected a port, found 70000\n# see the docs\nextends: ../_base\n",
      `${FILE}:3: expected a problem line # [other-file:]line:col \`text found there\` key.path: expected ..., found ..., found "# see the docs"`,
    ],
    [
      "a name and no problem",
      "# refused: a port out of range\nextends: ../_base\n",
      `${FILE}:2: expected at least one problem line # [other-file:]line:col \`text found there\` key.path: expected ..., found ... after the name, found "extends: ../_base"`,
    ],
    [
      "no name",
      "# refused:\n# 4:5 `port: 70000` services.vets.port: expected a port, found 70000\n",
      `${FILE}:1: expected a test name after \`# refused:\`, found "# refused:"`,
    ],
    [
      "a header below line 1 (it would shift nothing and check nothing)",
      "extends: ../_base\n# refused: a port out of range\n# 4:5 `port: 70000` services.vets.port: expected a port, found 70000\n",
      `${FILE}:2: expected the refusal header at line 1 and once, found "# refused: a port out of range"`,
    ],
    [
      "a second header",
      "# refused: a\n# 3:1 `b: 1` b: expected c, found 1\n# refused: b\n",
      `${FILE}:3: expected the refusal header at line 1 and once, found "# refused: b"`,
    ],
  ])("refuses %s, with the file and line", (_what, text, message) => {
    expect(() => parseRefusalHeader(FILE, text)).toThrow(new Error(message));
  });
});

describe("refusalFixtures", () => {
  let dir: string;
  const write = (name: string, text: string) => fs.writeFileSync(path.join(dir, name), text);
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "refusal-fixtures-"));
    write("valid.yaml", "project: x\n");
    write("bad.yaml", "# refused: a bad value\n# 3:1 `a: 1` a: expected b, found 1\na: 1\n");
    write("notes.txt", "not a fixture\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("lists the fixtures with headers; a listed file without one is fine", () => {
    expect(refusalFixtures(dir, { "valid.yaml": "valid" })).toEqual({
      fixtures: [{ fixture: "bad.yaml", name: "a bad value", problems: [[3, 1, "a: 1", "a: expected b, found 1"]] }],
      problems: [],
    });
  });

  it("flags a .yaml file with neither a header nor a place in the list (a fixture whose expectations were forgotten)", () => {
    expect(refusalFixtures(dir, {}).problems).toEqual([
      `${dir}/valid.yaml: expected a refusal header (# refused: <test name>, then the problems) or a listing in ${WITHOUT_HEADER_FILE} as valid, a parent or refused in code`,
    ]);
  });

  it("flags a listed file that has a header after all, and a listed file that is gone", () => {
    expect(refusalFixtures(dir, { "valid.yaml": "valid", "bad.yaml": "a parent", "gone.yaml": "valid" }).problems).toEqual([
      `${dir}/bad.yaml: listed as without a header (a parent), but it has one`,
      `${dir}/gone.yaml: listed as without a header, but there is no such file`,
    ]);
  });

  it("flags a header that does not parse with its file and line, and leaves that fixture out", () => {
    write("broken.yaml", "# refused: a bad value\n# 3 `a: 1` a: expected b, found 1\na: 1\n");
    const { fixtures, problems } = refusalFixtures(dir, { "valid.yaml": "valid" });
    expect(fixtures.map((f) => f.fixture)).toEqual(["bad.yaml"]);
    expect(problems).toEqual([
      `${dir}/broken.yaml:2: expected a problem line # [other-file:]line:col \`text found there\` key.path: expected ..., found ..., found "# 3 \`a: 1\` a: expected b, found 1"`,
    ]);
  });
});

it(`every directory listed in ${WITHOUT_HEADER_FILE} exists (a stale key would list nothing)`, () => {
  const missing = Object.keys(WITHOUT_HEADER).filter((dir) => !fs.statSync(path.join(ROOT, dir), { throwIfNoEntry: false })?.isDirectory());
  expect(missing).toEqual([]);
});
