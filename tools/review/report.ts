/** Renders a review as Markdown (for a pull request) and as a JSON document. */
import type { EnvDiff } from "./diff";
import type { ReviewResult } from "./index";
import { renderFlows } from "./flows/render";
import type { Finding } from "./policy";

const usd = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** A Markdown table cell: pipes escaped, newlines flattened, long values cut. */
export function cell(v: unknown, max = 160): string {
  let s = v === undefined ? "–" : typeof v === "string" ? v : JSON.stringify(v);
  s = s.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

function mdTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");
}

export function summaryLine(r: ReviewResult): string {
  const c = r.policy.counts;
  const az = r.availability.survivesAzLoss
    ? "survives the loss of one AZ"
    : `does not survive the loss of one AZ (${r.availability.checks.filter((x) => !x.ok).length} breaks)`;
  const cost = r.cost.priceFile
    ? `${usd(r.cost.totals.totalUsd)}/month (fixed ${usd(r.cost.totals.fixedUsd)}, usage ${usd(r.cost.totals.usageUsd)})`
    : "cost not estimated (no price table)";
  const flows = r.flows ? `; flows: ${r.flows.counts.broken} broken of ${r.flows.flows.length}` : "";
  return `${r.env.key} (${r.env.tier}): ${c.high} high, ${c.medium} medium, ${c.low} low open findings, ${c.suppressed} suppressed; ${cost}; ${az}${flows}`;
}

/** The columns that say which finding it is and where it comes from, for open and suppressed findings alike. */
const WHERE_COLUMNS = ["severity", "rule", "layer", "resource", "code"];
const where = (f: Finding): string[] => [f.severity, f.rule, f.layer, code(f.address), f.code ? code(f.code) : "–"];

export function renderMarkdown(r: ReviewResult, gate?: { failOn: string; failed: boolean }): string {
  const out: string[] = [];
  const c = r.policy.counts;
  const resources = r.inventory.reduce((n, l) => n + l.resources, 0);
  out.push(`# Review: ${r.env.name}`);
  out.push("");
  out.push(
    `Tier **${r.env.tier}**, ${r.env.region} (${r.env.azs.join(", ")}), ${resources} resources in ${r.inventory.length} stacks. ` +
      `Checked ${r.policy.rules.length} rules (${r.policy.rulesEvaluated} applied to this environment)` +
      (r.plansUsed.length
        ? `, with provider defaults from the offline plans of ${r.plansUsed.join(", ")}.`
        : " on the synthesized configuration (no offline plan used)."),
  );
  out.push("");
  out.push("## Summary");
  out.push("");
  const firstBreak = r.availability.checks.find((x) => !x.ok);
  out.push(
    mdTable(
      ["", ""],
      [
        ["Open findings", `**${c.high} high**, ${c.medium} medium, ${c.low} low`],
        ["Suppressed (deliberate exceptions)", String(c.suppressed)],
        ...(gate
          ? [
              [
                "Gate",
                `${gate.failed ? "**FAILS**" : "passes"}: ` +
                  (gate.failOn === "none"
                    ? "no finding threshold for this tier (prod-tier environments must have no open high finding; `--fail-on` sets one)"
                    : `no open finding at ${gate.failOn} or above`) +
                  "; no broken flow (every tier)",
              ],
            ]
          : []),
        [
          "Estimated monthly cost",
          r.cost.priceFile
            ? `**${usd(r.cost.totals.totalUsd)}** (fixed ${usd(r.cost.totals.fixedUsd)} + usage ${usd(r.cost.totals.usageUsd)})`
            : "not estimated: no price table for the region",
        ],
        ...(r.flows
          ? [
              [
                "Flows",
                r.flows.counts.broken
                  ? `**${r.flows.counts.broken} broken** of ${r.flows.flows.length} (fails the review)`
                  : `all ${r.flows.flows.length} hold`,
              ],
            ]
          : []),
        ["Loss of one AZ", r.availability.survivesAzLoss ? "survives" : `**does not survive**: ${cell(firstBreak?.message ?? "")}`],
      ],
    ),
  );
  out.push("");

  // Findings.
  out.push("## Findings");
  out.push("");
  const open = r.policy.findings.filter((f) => !f.suppressed);
  const suppressed = r.policy.findings.filter((f) => f.suppressed);
  if (!open.length) out.push("No open findings.");
  else
    out.push(
      mdTable(
        [...WHERE_COLUMNS, "problem", "fix", "Checkov"],
        open.map((f) => [...where(f), cell(f.message), cell(f.fix), f.checkov.join(", ") || "–"]),
      ),
    );
  out.push("");
  out.push("### Suppressed: deliberate exceptions");
  out.push("");
  if (!suppressed.length) out.push("None. Mark a deliberate exception on the resource (docs/review.md, *Marking an exception*).");
  else
    out.push(
      mdTable(
        [...WHERE_COLUMNS, "reason", "marked with", "problem"],
        suppressed.map((f) => [
          ...where(f),
          cell(f.suppressed!.reason),
          f.suppressed!.via === "tag" ? "ReviewException tag" : "// review_exceptions",
          cell(f.message),
        ]),
      ),
    );
  out.push("");
  if (r.policy.exceptionNotes.length) {
    out.push("### Exception markers to look at");
    out.push("");
    for (const n of r.policy.exceptionNotes) out.push(`- ${n.layer} ${code(n.address)} ${n.rule}: ${n.text}`);
    out.push("");
  }

  if (r.flows) out.push(...renderFlows(r.flows));

  // Cost.
  out.push("## Estimated monthly cost");
  out.push("");
  if (!r.cost.priceFile) {
    out.push(r.cost.warnings.join("\n"));
  } else {
    out.push(
      `USD, on-demand, ${r.cost.hoursPerMonth} hours a month, prices from ${code(relative(r.cost.priceFile))} (each with its source page and date). ` +
        "Fixed costs follow from the resources; usage costs from the assumptions shown (tools/review/usage-defaults.json, `--usage`).",
    );
    out.push("");
    out.push(
      mdTable(
        ["layer", "fixed", "usage", "total"],
        [
          ...r.cost.layers.map((l) => [l.layer, usd(l.fixedUsd), usd(l.usageUsd), usd(l.totalUsd)]),
          ["**total**", `**${usd(r.cost.totals.fixedUsd)}**`, `**${usd(r.cost.totals.usageUsd)}**`, `**${usd(r.cost.totals.totalUsd)}**`],
        ],
      ),
    );
    out.push("");
    out.push("<details><summary>Line items</summary>");
    out.push("");
    out.push(
      mdTable(
        ["layer", "what", "resources", "quantity", "unit price", "monthly", "basis"],
        r.cost.items.map((i) => [
          i.layer,
          cell(i.component),
          cell(i.addresses.length > 2 ? `${i.addresses.slice(0, 2).join(", ")} +${i.addresses.length - 2}` : i.addresses.join(", ")),
          `${i.quantity} ${i.unit}`,
          `$${i.unitUsd}`,
          usd(i.monthlyUsd),
          i.basis === "fixed" ? "fixed" : `usage: ${cell(i.assumption ?? "")}`,
        ]),
      ),
    );
    out.push("");
    out.push("</details>");
    out.push("");
    if (r.cost.notPriced.length) {
      out.push("Not in the estimate:");
      out.push("");
      for (const n of r.cost.notPriced) out.push(`- ${n}`);
      out.push("");
    }
    for (const w of r.cost.warnings) out.push(`> warning: ${w}`);
  }
  out.push("");

  // Availability.
  out.push("## Loss of one availability zone");
  out.push("");
  out.push(
    r.availability.survivesAzLoss
      ? "The environment survives the loss of any one AZ."
      : "The environment does **not** survive the loss of one AZ:",
  );
  out.push("");
  out.push(
    mdTable(
      ["AZ lost", "what breaks"],
      r.availability.azs.map((az) => [az, r.availability.perAz[az]?.length ? cell(r.availability.perAz[az].join("; "), 600) : "nothing"]),
    ),
  );
  out.push("");
  out.push("<details><summary>Checks</summary>");
  out.push("");
  out.push(
    mdTable(
      ["area", "layer", "resource", "ok", "detail"],
      r.availability.checks.map((x) => [x.area, x.layer, code(x.address), x.ok ? "yes" : "**no**", cell(x.message, 300)]),
    ),
  );
  out.push("");
  out.push("</details>");
  out.push("");

  // Diagram.
  out.push("## Diagram");
  out.push("");
  out.push("The layers in order, what each holds and the outputs each reads; then each layer with its resources and what they call.");
  out.push("");
  out.push("```mermaid");
  out.push(r.diagram.trimEnd());
  out.push("```");
  out.push("");
  for (const d of r.layerDiagrams) {
    out.push(`### ${d.number === "--" ? "" : `${d.number} `}${d.layer}`);
    out.push("");
    out.push("```mermaid");
    out.push(d.text.trimEnd());
    out.push("```");
    out.push("");
  }

  // Inventory.
  out.push("## Inventory");
  out.push("");
  for (const l of r.inventory) {
    out.push(`### ${l.number === "--" ? "" : `${l.number} `}${l.layer}: ${l.resources} resources`);
    out.push("");
    if (l.reads.length)
      out.push(`Reads: ${l.reads.map((x) => `${x.layer ?? `? (${x.name})`} (${x.outputs.join(", ") || "no outputs used"})`).join("; ")}.`);
    else out.push("Reads no other layer.");
    out.push("");
    out.push(`Outputs: ${l.outputs.length ? l.outputs.map(code).join(", ") : "none"}.`);
    out.push("");
    out.push("<details><summary>Resources by type</summary>");
    out.push("");
    out.push(
      mdTable(
        ["type", "count", "addresses"],
        l.byType.map((t) => [code(t.type), String(t.addresses.length), t.addresses.map((a) => a.slice(t.type.length + 1)).join(", ")]),
      ),
    );
    out.push("");
    out.push("</details>");
    out.push("");
  }

  if (r.diff) out.push(...renderDiff(r.diff));
  return `${out
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trimEnd()}\n`;
}

export function renderDiff(d: EnvDiff): string[] {
  const out: string[] = [];
  out.push(`## Diff: ${d.a} against ${d.b}`);
  out.push("");
  out.push(
    `Names that only say which environment it is (name, account, state bucket, lock table) are normalized to \`<env>\`, \`<account>\`, ... before comparing.`,
  );
  out.push("");
  out.push(`### Configuration (${d.config.length} keys differ)`);
  out.push("");
  if (d.config.length)
    out.push(
      mdTable(
        ["key", d.a, d.b],
        d.config.map((c) => [code(c.path), cell(c.a, 80), cell(c.b, 80)]),
      ),
    );
  else out.push("Same configuration.");
  out.push("");
  out.push("### Resources");
  out.push("");
  if (d.stacksOnlyIn.a.length || d.stacksOnlyIn.b.length) {
    out.push(`Stacks only in ${d.a}: ${d.stacksOnlyIn.a.join(", ") || "none"}; only in ${d.b}: ${d.stacksOnlyIn.b.join(", ") || "none"}.`);
    out.push("");
  }
  out.push(`Only in ${d.a} (${d.resourcesOnlyIn.a.length}): ${d.resourcesOnlyIn.a.map(code).join(", ") || "none"}`);
  out.push("");
  out.push(`Only in ${d.b} (${d.resourcesOnlyIn.b.length}): ${d.resourcesOnlyIn.b.map(code).join(", ") || "none"}`);
  out.push("");
  out.push(`Changed (${d.changed.length} addresses):`);
  out.push("");
  if (d.changed.length)
    out.push(
      mdTable(
        ["resource", "attributes", `${d.a} → ${d.b}`],
        d.changed.map((c) => [
          code(c.id),
          String(c.changes.length),
          cell(
            c.changes
              .slice(0, 4)
              .map((x) => `${x.path}: ${JSON.stringify(x.a) ?? "unset"} → ${JSON.stringify(x.b) ?? "unset"}`)
              .join("; ") + (c.changes.length > 4 ? `; +${c.changes.length - 4} more` : ""),
            400,
          ),
        ]),
      ),
    );
  out.push("");
  return out;
}

export function toJson(r: ReviewResult, gate?: { failOn: string; failed: boolean }): unknown {
  return {
    env: {
      name: r.env.name,
      key: r.env.key,
      file: r.env.file,
      tier: r.env.tier,
      region: r.env.region,
      azs: r.env.azs,
      protection: r.env.protection,
    },
    gate,
    summary: {
      findings: r.policy.counts,
      monthlyUsd: r.cost.priceFile ? r.cost.totals : null,
      survivesAzLoss: r.availability.survivesAzLoss,
      flows: r.flows ? r.flows.counts : null,
      resources: r.inventory.reduce((n, l) => n + l.resources, 0),
      rules: r.policy.rules.length,
    },
    findings: r.policy.findings,
    exceptionNotes: r.policy.exceptionNotes,
    rules: r.policy.rules,
    cost: { ...r.cost, priceFile: r.cost.priceFile ? relative(r.cost.priceFile) : null },
    availability: r.availability,
    flows: r.flows ?? null,
    inventory: r.inventory,
    diagram: r.diagram,
    layerDiagrams: r.layerDiagrams,
    diff: r.diff ?? null,
    plansUsed: r.plansUsed,
  };
}

function relative(p: string): string {
  const cwd = process.cwd();
  return p.startsWith(`${cwd}/`) ? p.slice(cwd.length + 1) : p;
}
