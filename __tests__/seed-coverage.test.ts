/**
 * docs/seed-coverage.md: the counts at the top are the tally of the rows below, and the "Rows in
 * flight" table lists exactly the rows that carry an `(in flight: …)` marker. Flipping a row's
 * status without its count (or dropping a marker without its listing) fails here.
 */
import * as fs from "node:fs";
import * as path from "node:path";

const DOC = fs.readFileSync(path.join(__dirname, "..", "docs", "seed-coverage.md"), "utf8");
const SEEDS: Readonly<Record<string, string>> = { "003": "PC", "000": "IMS", "001": "RGZ", "002": "BS", "004": "IMS2" };
type Status = "✔" | "~" | "✘";

interface Tally {
  readonly "✔": number;
  readonly "~": number;
  readonly "✘": number;
  readonly rows: number;
  readonly inFlight: number;
}

/** Rows `| <ID>-<n> | … | <status> |` by prefix: tally and the ids with an in-flight marker. */
function tallyRows(doc: string): { tally: Record<string, Tally>; inFlight: string[] } {
  const tally: Record<string, { "✔": number; "~": number; "✘": number; rows: number; inFlight: number }> = {};
  const inFlight: string[] = [];
  for (const m of doc.matchAll(/^\| ((PC|IMS2|IMS|RGZ|BS)-\d+) \|(.*)\| (✔|~|✘) \|$/gm)) {
    const t = (tally[m[2]] ??= { "✔": 0, "~": 0, "✘": 0, rows: 0, inFlight: 0 });
    t[m[4] as Status] += 1;
    t.rows += 1;
    if (m[3].includes("(in flight: ")) {
      t.inFlight += 1;
      inFlight.push(m[1]);
    }
  }
  return { tally, inFlight };
}

/** The counts table: `| <seed> | <system> | ✔ | ~ | ✘ | rows | in flight |` by prefix. */
function statedCounts(doc: string): Record<string, Tally> {
  const out: Record<string, Tally> = {};
  for (const m of doc.matchAll(/^\| (\d{3}) \| [^|]+ \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$/gm)) {
    out[SEEDS[m[1]]] = { "✔": Number(m[2]), "~": Number(m[3]), "✘": Number(m[4]), rows: Number(m[5]), inFlight: Number(m[6]) };
  }
  return out;
}

/** Ids listed in the "Rows in flight" table. */
function listedInFlight(doc: string): string[] {
  const section = doc.slice(doc.indexOf("## Rows in flight"));
  return [...section.matchAll(/^\| [^|]+ \| ([A-Z0-9, -]+) \|$/gm)].flatMap((m) => m[1].split(",").map((s) => s.trim()));
}

describe("docs/seed-coverage.md", () => {
  it("states, per seed, the counts its rows add up to", () => {
    const { tally } = tallyRows(DOC);
    expect(Object.keys(tally).sort()).toEqual(Object.values(SEEDS).sort());
    expect(statedCounts(DOC)).toEqual(tally);
  });

  it("totals the seeds in its **all** row", () => {
    const m = /^\| \| \*\*all\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|$/m.exec(DOC);
    expect(m).not.toBeNull();
    const sum = (k: keyof Tally) => Object.values(statedCounts(DOC)).reduce((n, t) => n + t[k], 0);
    expect(m?.slice(1).map(Number)).toEqual([sum("✔"), sum("~"), sum("✘"), sum("rows"), sum("inFlight")]);
  });

  it("lists exactly the rows marked in flight", () => {
    expect(listedInFlight(DOC).sort()).toEqual(tallyRows(DOC).inFlight.sort());
  });

  it("numbers each seed's rows 1..n with no gap or repeat", () => {
    for (const prefix of Object.values(SEEDS)) {
      const ids = [...DOC.matchAll(new RegExp(`^\\| ${prefix}-(\\d+) \\|`, "gm"))].map((m) => Number(m[1]));
      expect(ids).toEqual(ids.map((_, i) => i + 1));
    }
  });

  it("flags a row flipped without its count (negative case: the first ✔ row turned ✘)", () => {
    const flipped = DOC.replace(/^(\| [A-Z0-9]+-\d+ \|.*\| )✔ \|$/m, "$1✘ |");
    expect(flipped).not.toBe(DOC);
    expect(statedCounts(flipped)).not.toEqual(tallyRows(flipped).tally);
  });

  it("flags a marker added without its listing (negative case: PC-01 marked in flight, not listed)", () => {
    const marked = DOC.replace(/^(\| PC-01 \| [^|]* \| )/m, "$1(in flight: a new item) ");
    expect(marked).not.toBe(DOC);
    expect(tallyRows(marked).inFlight).toContain("PC-01");
    expect(listedInFlight(marked).sort()).not.toEqual(tallyRows(marked).inFlight.sort());
  });

  it("reads a listed in-flight row (control: marked and listed agree)", () => {
    const marked = DOC.replace(/^(\| PC-01 \| [^|]* \| )/m, "$1(in flight: a new item) ").replace(
      "## Rows in flight\n",
      "## Rows in flight\n\n| item | rows |\n|---|---|\n| a new item | PC-01 |\n",
    );
    expect(listedInFlight(marked).sort()).toEqual(tallyRows(marked).inFlight.sort());
  });
});
