/**
 * The pull request comment of plan.yml, run by actions/github-script:
 *
 *   const post = require('./tools/workflows/pr-comment.js');
 *   await post({ github, context, core, reportsDir, reviewDir, affected, matrix });
 *
 * One comment per pull request, found by its marker and updated in place on every push, so the
 * conversation holds the current plans only. It lists every planned stack with Terraform's summary
 * line (destroys called out), the full plans folded, notes on bootstrap / removed stacks / readers
 * planned after the merge, and the review report per environment. GitHub refuses comments over
 * 65536 characters, so long plans are cut (the full plan is in the run's artifacts).
 *
 * Plain CommonJS: github-script runs JavaScript, and jest tests this file as it is.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const MARKER = "<!-- platform-kit:plan -->";
const MAX_BODY = 65000;

function readIf(file) {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Terraform's one-line result: `Plan: 1 to add, 0 to change, 0 to destroy.`, `No changes.`, or undefined. */
function summaryLine(log) {
  if (!log) return undefined;
  const plan = /^Plan: .*$/m.exec(log);
  if (plan) return plan[0];
  if (/^No changes\./m.test(log)) return "No changes.";
  const outputs = /^Changes to Outputs:/m.test(log);
  return outputs ? "Changes to outputs only." : undefined;
}

/** Numbers of a `Plan:` line. */
function counts(line) {
  const m = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(line || "");
  return m ? { add: Number(m[1]), change: Number(m[2]), destroy: Number(m[3]) } : undefined;
}

/** What a plan report directory says: status, summary, plan text, error text. */
function readReport(reportsDir, entry) {
  const dir = path.join(reportsDir, `plan-report-${entry.env}-${entry.stack}`);
  const log = readIf(path.join(dir, "plan.log"));
  const text = readIf(path.join(dir, "plan.txt"));
  const exit = (readIf(path.join(dir, "plan.exitcode")) || "").trim();
  if (!log && !exit) return { status: "missing" };
  if (exit === "0" || exit === "2") return { status: "ok", summary: summaryLine(log) || (exit === "0" ? "No changes." : "Changes."), text };
  const errors = (log || "").split("\n").filter((l) => /^(Error|│ Error|╷|│)/.test(l));
  return { status: "failed", error: (errors.length ? errors.join("\n") : log || "").slice(-4000) };
}

function fence(text) {
  return ["```", text.replace(/```/g, "`\u200b``"), "```"].join("\n");
}

/**
 * The comment body. `entries` from the matrix (env, stack, number, reason); `affected` the report of
 * tools/affected.ts; `reviews` {env: markdown}; `runUrl` the workflow run.
 */
function buildBody({ entries, affected, reportsDir, reviews, runUrl, sha }) {
  const rows = [];
  const details = [];
  for (const e of entries) {
    const r = readReport(reportsDir, e);
    const label = `${e.env} / ${e.number} ${e.stack}`;
    let result;
    if (r.status === "ok") {
      const c = counts(r.summary);
      result = c && c.destroy > 0 ? `**${r.summary}**` : r.summary;
      if (r.text) details.push({ label: `${label}: ${r.summary}`, text: r.text });
    } else if (r.status === "failed") {
      result = `**plan failed** ([log](${runUrl}))`;
      details.push({ label: `${label}: plan failed`, text: r.error });
    } else {
      result = `**no plan** (the job stopped before planning: [log](${runUrl}))`;
    }
    rows.push(`| ${e.env} | ${e.number} ${e.stack} | ${e.why || e.reason} | ${result} |`);
  }

  const head = [MARKER, `### Terraform plan${sha ? ` for \`${sha.slice(0, 7)}\`` : ""}`, ""];
  if (rows.length) {
    head.push("| environment | layer | why | plan |", "|---|---|---|---|", ...rows);
  } else {
    head.push("No layer's synthesized Terraform changes: nothing to plan.");
  }
  const notes = [];
  if (affected) {
    if (affected.unchanged) notes.push(`${affected.unchanged} stack(s) unchanged.`);
    for (const env of affected.bootstrap || []) {
      notes.push(
        `**${env}: the bootstrap stack changed.** CI never applies it; after the merge run \`PLATFORM_ENV=${env} npx cdktf deploy bootstrap\` with administrator credentials.`,
      );
    }
    if ((affected.removed || []).length) {
      notes.push(
        `No longer synthesized (switched off): ${affected.removed.join(", ")}. CI does not destroy them; see docs/operations.md, "Destroy".`,
      );
    }
    if ((affected.readersLater || []).length) {
      notes.push(`Read a changed layer and are planned again after the merge, in order: ${affected.readersLater.join(", ")}.`);
    }
    for (const err of affected.errors || []) notes.push(`Note: ${err}`);
  }
  if (notes.length) head.push("", ...notes.map((n) => `- ${n}`));

  const reviewParts = Object.keys(reviews || {})
    .sort()
    .map((env) => ({ label: env === "unavailable" ? "review" : `review: ${env}`, text: reviews[env] }));
  const tail = [
    "",
    `<sub>Updated by [this run](${runUrl}). Saved plans: artifacts \`plan-<env>-<stack>\` of the run (they hold values in clear; 14 days).</sub>`,
  ];

  // Fit into one comment: the fixed parts first, then the plans and reviews sharing what is left.
  const fixed = head.join("\n").length + tail.join("\n").length + 200;
  const blocks = [...details.map((d) => ({ ...d, kind: "plan" })), ...reviewParts.map((r) => ({ ...r, kind: "review" }))];
  let budget = MAX_BODY - fixed - blocks.length * 120;
  const parts = [];
  blocks.forEach((b, i) => {
    const share = Math.max(0, Math.floor(budget / (blocks.length - i)));
    let text = b.text || "";
    if (text.length > share)
      text = `${text.slice(0, Math.max(0, share - 120))}\n… cut: ${text.length - share + 120} more characters in the run's artifacts`;
    budget -= text.length;
    const body = b.kind === "plan" ? fence(text) : text;
    parts.push("", `<details><summary>${b.label}</summary>`, "", body, "", "</details>");
  });
  return [...head, ...parts, ...tail].join("\n");
}

/** Finds the comment with the marker (written by a bot) and updates it, or creates one. */
async function upsertComment({ github, context, body }) {
  const { owner, repo } = context.repo;
  const issue_number = context.issue.number;
  const comments = await github.paginate(github.rest.issues.listComments, { owner, repo, issue_number, per_page: 100 });
  const mine = comments.find((c) => c.user && c.user.type === "Bot" && typeof c.body === "string" && c.body.includes(MARKER));
  if (mine) {
    await github.rest.issues.updateComment({ owner, repo, comment_id: mine.id, body });
    return { action: "updated", id: mine.id };
  }
  const created = await github.rest.issues.createComment({ owner, repo, issue_number, body });
  return { action: "created", id: created.data.id };
}

function parseJson(text, fallback) {
  if (!text) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

/** Entry point for actions/github-script. */
async function post({ github, context, core, reportsDir = "plan-reports", reviewDir = "review", affected, matrix }) {
  const report = parseJson(affected, {});
  const whyByKey = new Map((report.stacks || []).map((s) => [`${s.env}/${s.stack}`, s.why]));
  const entries = (parseJson(matrix, { include: [] }).include || []).map((e) => ({ ...e, why: whyByKey.get(`${e.env}/${e.stack}`) }));
  const reviews = {};
  if (fs.existsSync(reviewDir)) {
    for (const f of fs.readdirSync(reviewDir).sort()) {
      if (f.endsWith(".md")) reviews[f.slice(0, -3)] = fs.readFileSync(path.join(reviewDir, f), "utf8");
      if (f === "unavailable.txt") reviews.unavailable = fs.readFileSync(path.join(reviewDir, f), "utf8");
    }
  }
  const runUrl = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;
  const sha =
    (context.payload && context.payload.pull_request && context.payload.pull_request.head && context.payload.pull_request.head.sha) ||
    context.sha;
  const body = buildBody({ entries, affected: report, reportsDir, reviews, runUrl, sha });
  const result = await upsertComment({ github, context, body });
  if (core) core.info(`plan comment ${result.action} (${result.id}), ${body.length} characters`);
  return result;
}

module.exports = post;
module.exports.buildBody = buildBody;
module.exports.upsertComment = upsertComment;
module.exports.summaryLine = summaryLine;
module.exports.MARKER = MARKER;
module.exports.MAX_BODY = MAX_BODY;
