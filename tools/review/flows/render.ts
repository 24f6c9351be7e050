/** The "Flows" section of report.md: every flow, broken ones first, with the first broken hop. */
import type { FlowReport } from "./types";

const cell = (v: string, max = 400) => {
  const s = v.replace(/\r?\n/g, " ").replace(/\|/g, "\\|");
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};
const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function renderFlows(r: FlowReport): string[] {
  const out: string[] = [];
  out.push("## Flows");
  out.push("");
  out.push(
    `${r.flows.length} flows proven from the synthesized stacks: **${r.counts.broken} broken**, ${r.counts.ok} hold, ${r.counts.notApplicable} not applicable. ` +
      "A broken flow fails the review in every environment. Network paths, IAM, resource and KMS key policies (with the request context the calling service sends: tools/review/flows/service-context.ts), credentials, WAF rules and route coverage are checked hop by hop (docs/review.md, *Flows*).",
  );
  out.push("");
  const broken = r.flows.filter((f) => f.status === "broken");
  if (broken.length) {
    out.push("| flow | from | to | broken at | why | fix |");
    out.push("|---|---|---|---|---|---|");
    for (const f of broken)
      out.push(
        `| ${code(f.id)} | ${cell(f.from, 80)} | ${cell(f.to, 120)} | ${f.broken!.kind}: ${cell(f.broken!.hop, 120)} | ${cell(f.broken!.reason)} | ${cell(f.broken!.fix, 300)} |`,
      );
    out.push("");
  } else {
    out.push("No broken flow.");
    out.push("");
  }
  out.push("<details><summary>All flows</summary>");
  out.push("");
  out.push("| status | flow | kind | from | to | hops checked |");
  out.push("|---|---|---|---|---|---|");
  for (const f of r.flows)
    out.push(
      `| ${f.status === "broken" ? "**broken**" : f.status} | ${code(f.id)} | ${f.kind} | ${cell(f.from, 80)} | ${cell(f.to, 120)} | ${f.hops.length}${f.note ? ` (${cell(f.note, 120)})` : ""} |`,
    );
  out.push("");
  out.push("</details>");
  out.push("");
  if (r.unusedGrants.length) {
    out.push("### Grants no modelled flow uses (informational)");
    out.push("");
    for (const u of r.unusedGrants)
      out.push(`- ${u.severity} ${u.layer} ${code(u.address)} ${u.sid ? `${u.sid}: ` : ""}${cell(u.message)}`);
    out.push("");
  }
  return out;
}
