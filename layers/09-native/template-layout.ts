/**
 * E-mail template layouts: the HTML shell (doctype, head, body and table frame) written once and
 * shared by many templates, expanded at synth into the text SES receives.
 *
 * A template that uses a layout starts with a front matter block: `---`, one `name: value` line
 * each, `---`. The `layout:` line names the layout file (relative to the repository root); every
 * other line gives a slot its value; the rest of the file is the slot `content`.
 *
 *   ---
 *   layout: templates/email/layout.html
 *   title: Booking confirmed
 *   ---
 *               <p>Hello {{name}},</p>
 *
 * The layout marks its slots with `{{slot name}}` (replaced by the value, `content` included) and
 * may enclose lines in `{{#slot name}}` / `{{/slot}}` (each on a line of its own): those lines stay
 * only when the template gives `name`. A layout's own front matter gives slot defaults; layouts do
 * not nest. A file without front matter is used as it is. Every refusal names file:line.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A template or layout file that cannot be expanded: the message starts with file:line. */
export class TemplateLayoutError extends Error {}

const KEY = "[a-z][A-Za-z0-9-]*";
const FRONT_MATTER_LINE = new RegExp(`^(${KEY}):(?: (.*))?$`);
const SLOT = new RegExp(`\\{\\{slot (${KEY})\\}\\}`, "g");
const BLOCK_OPEN = new RegExp(`^\\{\\{#slot (${KEY})\\}\\}$`);
const BLOCK_CLOSE = "{{/slot}}";

/** Why a file (relative to `root`) cannot be used as a template part, or undefined when it can. */
export function fileProblem(root: string, rel: string): string | undefined {
  const file = path.resolve(root, rel);
  if (!file.startsWith(root + path.sep)) return "a path outside the repository";
  if (!fs.existsSync(file)) return "no such file";
  if (!fs.statSync(file).isFile()) return `${rel} is not a file`;
  if (!fs.readFileSync(file, "utf8").trim()) return `${rel} is empty`;
  return undefined;
}

interface FrontMatter {
  /** Values by name, with the line each was given on. */
  readonly values: Map<string, { value: string; line: number }>;
  /** The text after the front matter (the whole file when there is none). */
  readonly body: string;
  /** How many lines stand before the body (0 without front matter). */
  readonly bodyStart: number;
}

function parseFrontMatter(rel: string, text: string): FrontMatter {
  const values = new Map<string, { value: string; line: number }>();
  const lines = text.split("\n");
  if (lines[0] !== "---") return { values, body: text, bodyStart: 0 };
  const end = lines.indexOf("---", 1);
  if (end < 0) throw new TemplateLayoutError(`${rel}:1: the front matter opened here has no closing --- line`);
  for (let i = 1; i < end; i++) {
    const m = FRONT_MATTER_LINE.exec(lines[i]);
    if (!m) throw new TemplateLayoutError(`${rel}:${i + 1}: expected "name: value" in the front matter, found ${JSON.stringify(lines[i])}`);
    if (values.has(m[1]))
      throw new TemplateLayoutError(`${rel}:${i + 1}: ${m[1]} is given twice (first on line ${values.get(m[1])!.line})`);
    values.set(m[1], { value: (m[2] ?? "").trim(), line: i + 1 });
  }
  return { values, body: lines.slice(end + 1).join("\n"), bodyStart: end + 1 };
}

/** The slots a layout uses, by name, with the first line each stands on. */
function slotsOf(layout: string): Map<string, number> {
  const out = new Map<string, number>();
  layout.split("\n").forEach((line, i) => {
    for (const m of line.matchAll(SLOT)) if (!out.has(m[1])) out.set(m[1], i + 1);
    const open = BLOCK_OPEN.exec(line);
    if (open && !out.has(open[1])) out.set(open[1], i + 1);
  });
  return out;
}

/**
 * The text of a template file as SES gets it: the file itself, or, when it has front matter, its
 * layout with the slots filled. Throws TemplateLayoutError (file:line) for a missing layout, a
 * slot without a value, a value for a slot the layout does not have, or malformed markup.
 */
export function expandTemplateFile(root: string, rel: string): string {
  const own = parseFrontMatter(rel, fs.readFileSync(path.resolve(root, rel), "utf8"));
  if (own.bodyStart === 0) return own.body;
  const layoutRef = own.values.get("layout");
  if (!layoutRef) throw new TemplateLayoutError(`${rel}:1: front matter without a "layout:" line`);
  const layoutRel = layoutRef.value;
  const why = fileProblem(root, layoutRel);
  if (why) throw new TemplateLayoutError(`${rel}:${layoutRef.line}: layout ${JSON.stringify(layoutRel)}: ${why}`);
  if (own.values.has("content"))
    throw new TemplateLayoutError(
      `${rel}:${own.values.get("content")!.line}: content is the text after the front matter, not a front matter line`,
    );
  const layout = parseFrontMatter(layoutRel, fs.readFileSync(path.resolve(root, layoutRel), "utf8"));
  if (layout.values.has("layout"))
    throw new TemplateLayoutError(`${layoutRel}:${layout.values.get("layout")!.line}: a layout cannot use a layout (layouts do not nest)`);
  const slots = slotsOf(layout.body);
  const offset = layout.bodyStart;
  if (!slots.has("content"))
    throw new TemplateLayoutError(`${layoutRel}:${offset + 1}: the layout has no {{slot content}} for the template's text`);
  for (const [name, { line }] of own.values)
    if (name !== "layout" && !slots.has(name))
      throw new TemplateLayoutError(
        `${rel}:${line}: the layout ${layoutRel} has no slot ${name} (its slots: ${[...slots.keys()].join(", ")})`,
      );

  const value = (name: string): string | undefined =>
    name === "content" ? own.body.replace(/\n$/, "") : (own.values.get(name) ?? layout.values.get(name))?.value;
  const out: string[] = [];
  let block: { name: string; keep: boolean; line: number } | undefined;
  layout.body.split("\n").forEach((line, i) => {
    const at = `${layoutRel}:${offset + i + 1}`;
    const open = BLOCK_OPEN.exec(line);
    if (open) {
      if (block) throw new TemplateLayoutError(`${at}: {{#slot ${open[1]}}} inside {{#slot ${block.name}}} (blocks do not nest)`);
      block = { name: open[1], keep: own.values.has(open[1]), line: offset + i + 1 };
      return;
    }
    if (line === BLOCK_CLOSE) {
      if (!block) throw new TemplateLayoutError(`${at}: {{/slot}} without an open {{#slot name}}`);
      block = undefined;
      return;
    }
    if (block && !block.keep) return;
    if (/\{\{[#/]?slot\b/.test(line.replace(SLOT, "")))
      throw new TemplateLayoutError(`${at}: malformed slot markup (expected {{slot name}}, {{#slot name}} or {{/slot}})`);
    out.push(
      line.replace(SLOT, (_, name: string) => {
        const v = value(name);
        if (v === undefined)
          throw new TemplateLayoutError(`${at}: slot ${name} has no value (give "${name}:" in the front matter of ${rel})`);
        return v;
      }),
    );
  });
  if (block) throw new TemplateLayoutError(`${layoutRel}:${block.line}: {{#slot ${block.name}}} is never closed by {{/slot}}`);
  return out.join("\n");
}
