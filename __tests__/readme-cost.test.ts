/**
 * The "Cost" sections of the system READMEs (README.md for PetClinic, examples/<system>/README.md)
 * state the review's monthly figure per environment and a configuration that meets the seed's
 * figure. This recomputes both with the review's cost model (the same synthesis and estimate as
 * `npm run review`, no Terraform) and checks each stated figure to the cent: a README figure left
 * behind by a change to the kit, the prices or the example fails here, and so does an offered
 * configuration block the loader refuses.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import type { PlatformConfig } from "../core/config/schema";
import { estimateCost, usageFor } from "../tools/review/cost";
import { EnvModel, type StackInput } from "../tools/review/model";
import { synthesizedStacks } from "./fixtures/synth-cache";
import { anyConfig, withTempDir } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
const READMES = ["README.md", ...fs.readdirSync(path.join(ROOT, "examples")).map((d) => path.join("examples", d, "README.md"))].filter(
  (f) => fs.existsSync(path.join(ROOT, f)),
);

interface StatedRow {
  readonly env: string;
  readonly fixed: number;
  readonly usage: number;
  readonly total: number;
}
interface StatedBlock {
  readonly file: string;
  readonly total: number;
  readonly yaml: string;
}

/** The "## Cost" section of a README (up to the next level-2 heading), or undefined. */
function costSection(markdown: string): string | undefined {
  const start = markdown.search(/^## Cost$/m);
  if (start < 0) return undefined;
  const rest = markdown.slice(start + 1);
  const next = rest.search(/^## /m);
  return next < 0 ? rest : rest.slice(0, next);
}

/** Table rows `| `<env>` | fixed | usage | **$total** |` and yaml blocks headed `# <file>, added: $<total>/month`. */
function statedFigures(section: string): { rows: StatedRow[]; blocks: StatedBlock[] } {
  const rows = [...section.matchAll(/^\| `([^`]+)` \| ([\d.]+) \| ([\d.]+) \| \*\*\$([\d.]+)\*\* \|/gm)].map((m) => ({
    env: m[1],
    fixed: Number(m[2]),
    usage: Number(m[3]),
    total: Number(m[4]),
  }));
  const blocks = [...section.matchAll(/^```yaml\n# (\S+), added: \$([\d.]+)\/month\n([\s\S]*?)^```$/gm)].map((m) => ({
    file: m[1],
    total: Number(m[2]),
    yaml: m[3],
  }));
  return { rows, blocks };
}

/** The review's cost totals of a configuration: every stack including bootstrap, as `npm run review` reads them. */
function reviewCost(config: PlatformConfig, key: string): { fixedUsd: number; usageUsd: number; totalUsd: number; unclassified: string[] } {
  // The app's synthesis as `npm run review` reads it (tools/lib/synth.ts into an outdir, then the manifest's stacks).
  const stacks = synthesizedStacks(config) as StackInput[];
  const cost = estimateCost(new EnvModel(stacks), config.aws.region, usageFor(config.tier, key));
  // A resource type the model neither prices, nor knows to be free, nor names as usage-based.
  const unclassified = cost.notPriced.filter((n) => n.includes(": no cost model ("));
  return { ...cost.totals, unclassified };
}

/** The stated rows that differ from the review's figures, one line each. */
function mismatches(rows: readonly StatedRow[]): string[] {
  return rows.flatMap((row) => {
    const cost = reviewCost(anyConfig(row.env), envKey(row.env));
    const stated = [row.fixed, row.usage, row.total];
    const review = [cost.fixedUsd, cost.usageUsd, cost.totalUsd];
    return stated.some((v, i) => Math.abs(v - review[i]) > 0.005)
      ? [`${row.env}: README ${stated.join(" / ")}, review ${review.join(" / ")} (fixed / usage / total)`]
      : [];
  });
}

/** Environment key as the review names it: `dev`, `examples-ims2-prod`. */
const envKey = (env: string) => env.replace(/\.ya?ml$/, "").replace(/[\\/]/g, "-");

/** A README's block applied on top of its environment file, through the loader (refusals throw). */
function blockConfig(block: StatedBlock): PlatformConfig {
  return withTempDir("readme-cost-block-", (dir) => {
    const file = path.join(dir, "variant.yaml");
    fs.writeFileSync(file, `extends: ${JSON.stringify(path.join(ROOT, block.file))}\n${block.yaml}`);
    return loadConfigFile(file, ROOT).config;
  });
}

describe("reading the Cost sections", () => {
  const sample = [
    "## Cost",
    "| environment | fixed | usage | kit (USD/month) | seed |",
    "| `dev` | 371.70 | 28.22 | **$399.92** | ~$130–250 |",
    "```yaml",
    "# environments/dev.yaml, added: $247.86/month",
    "network:",
    "  nat: single",
    "```",
    "## Next",
    "| `prod` | 1.00 | 1.00 | **$2.00** | |",
  ].join("\n");

  it("finds the rows and blocks of the section only", () => {
    const { rows, blocks } = statedFigures(costSection(sample) ?? "");
    expect(rows).toEqual([{ env: "dev", fixed: 371.7, usage: 28.22, total: 399.92 }]);
    expect(blocks).toEqual([{ file: "environments/dev.yaml", total: 247.86, yaml: "network:\n  nat: single\n" }]);
  });

  it("flags a figure that is not the review's (negative case: PetClinic dev stated one dollar high)", () => {
    const { rows } = statedFigures(costSection(sample) ?? "");
    expect(mismatches([{ ...rows[0], total: rows[0].total + 1 }])).toEqual([
      expect.stringMatching(/^dev: README 371.7 \/ 28.22 \/ 400.92, review /),
    ]);
  });

  it("refuses an offered block with a key the schema does not know (negative case)", () => {
    expect(() => blockConfig({ file: "environments/dev.yaml", total: 0, yaml: "network:\n  natt: single\n" })).toThrow(/natt/);
  });
});

describe.each(READMES)("%s", (readme) => {
  const section = costSection(fs.readFileSync(path.join(ROOT, readme), "utf8"));

  it("has a Cost section stating the figure of every environment of the system", () => {
    expect(section).toBeDefined();
    const { rows } = statedFigures(section ?? "");
    const system =
      readme === "README.md"
        ? ["dev", "staging", "prod"]
        : ["dev", "staging", "prod"].map((e) => `${path.dirname(readme)}/${e}.yaml`).filter((f) => fs.existsSync(path.join(ROOT, f)));
    expect(rows.map((r) => r.env).sort()).toEqual([...system].sort());
  });

  it("prices, frees or names every resource type of each environment (no 'no cost model' line)", () => {
    for (const row of statedFigures(section ?? "").rows) {
      expect({ env: row.env, unclassified: reviewCost(anyConfig(row.env), envKey(row.env)).unclassified }).toEqual({
        env: row.env,
        unclassified: [],
      });
    }
  });

  it("states the review's monthly figure for each environment, to the cent", () => {
    expect(mismatches(statedFigures(section ?? "").rows)).toEqual([]);
  });

  it("offers configuration the loader accepts, costing what the README says", () => {
    for (const block of statedFigures(section ?? "").blocks) {
      const config = blockConfig(block);
      expect({ file: block.file, total: reviewCost(config, envKey(block.file)).totalUsd }).toEqual({
        file: block.file,
        total: block.total,
      });
    }
  });
});
