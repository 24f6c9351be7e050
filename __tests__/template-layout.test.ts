/**
 * E-mail template layouts (layers/09-native/template-layout.ts): a template with front matter is
 * its layout with the slots filled; the kit's templates expand to the full documents SES gets; bad
 * templates and layouts are refused with file:line, and through the config with file:line:col.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadTemplate, readTemplateFile } from "../layers/09-native/config";
import { TemplateLayoutError, expandTemplateFile } from "../layers/09-native/template-layout";
import { fixtureChecks } from "./config-fixtures";

const LAYOUT = [
  "---",
  "color: black",
  "---",
  "<title>{{slot title}}</title>",
  '<body style="color:{{slot color}}">',
  "{{#slot header}}",
  "<h1>{{slot header}}</h1>",
  "{{/slot}}",
  "{{slot content}}",
  "</body>",
  "",
].join("\n");

const roots: string[] = [];
afterAll(() => roots.forEach((root) => fs.rmSync(root, { recursive: true, force: true })));

/** A throw-away repository root holding the given files; returns it. */
function repo(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "template-layout-"));
  roots.push(root);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

/** The message expanding `t.html` in a root with these files fails with. */
function refusal(files: Record<string, string>): string {
  try {
    expandTemplateFile(repo(files), "t.html");
  } catch (e) {
    if (e instanceof TemplateLayoutError) return e.message;
    throw e;
  }
  throw new Error("expected the template to be refused");
}

describe("expansion", () => {
  it("fills the slots, takes the layout's defaults, and keeps a block only when its slot is given", () => {
    const root = repo({
      "layout.html": LAYOUT,
      "plain.html": "---\nlayout: layout.html\ntitle: Plain\n---\n<p>{{name}}</p>\n",
      "headed.html": "---\nlayout: layout.html\ntitle: Headed\ncolor: red\nheader: News\n---\n<p>one</p>\n<p>two</p>\n",
    });
    expect(expandTemplateFile(root, "plain.html")).toBe('<title>Plain</title>\n<body style="color:black">\n<p>{{name}}</p>\n</body>\n');
    expect(expandTemplateFile(root, "headed.html")).toBe(
      '<title>Headed</title>\n<body style="color:red">\n<h1>News</h1>\n<p>one</p>\n<p>two</p>\n</body>\n',
    );
  });

  it("uses a file without front matter as it is", () => {
    const text = "Hello {{name}},\n---\nnot front matter\n";
    expect(expandTemplateFile(repo({ "t.txt": text }), "t.txt")).toBe(text);
  });

  it("expands the kit's layout into whole documents with the template's text and data", () => {
    const welcome = readTemplateFile("templates/email/welcome.html");
    expect(welcome.startsWith("<!DOCTYPE html>\n")).toBe(true);
    expect(welcome.endsWith("</html>\n")).toBe(true);
    expect(welcome).toContain("<title>Welcome</title>");
    expect(welcome).toContain("background:#f4f5f7;");
    expect(welcome).not.toMatch(/slot|^---$|layout:/m);
    const status = readTemplateFile("examples/ims/templates/status-update.html");
    expect(status).toContain('width="560"');
    expect(status).toContain('padding-bottom:16px;">IMS &middot; Status update</td>');
    expect(loadTemplate({ subject: "{{subject}}", html: "examples/ims/templates/status-update.html" }).required).toEqual([
      "reference",
      "status",
      "subject",
    ]);
  });
});

describe("refusals name file:line", () => {
  it("a layout that does not exist", () => {
    expect(refusal({ "t.html": "---\ntitle: T\nlayout: nope.html\n---\nx\n" })).toBe('t.html:3: layout "nope.html": no such file');
  });

  it("a layout without a content slot", () => {
    expect(
      refusal({ "l.html": "---\ncolor: red\n---\n<title>{{slot title}}</title>\n", "t.html": "---\nlayout: l.html\ntitle: T\n---\nx\n" }),
    ).toBe("l.html:4: the layout has no {{slot content}} for the template's text");
  });

  it("a slot the template leaves without a value", () => {
    expect(refusal({ "layout.html": LAYOUT, "t.html": "---\nlayout: layout.html\n---\nx\n" })).toBe(
      'layout.html:4: slot title has no value (give "title:" in the front matter of t.html)',
    );
  });

  it("a value for a slot the layout does not have (a typo)", () => {
    expect(refusal({ "layout.html": LAYOUT, "t.html": "---\nlayout: layout.html\ntitle: T\nheadr: News\n---\nx\n" })).toBe(
      "t.html:4: the layout layout.html has no slot headr (its slots: title, color, header, content)",
    );
  });

  it("front matter without a layout, never closed, or with a line that is not name: value", () => {
    expect(refusal({ "t.html": "---\ntitle: T\n---\nx\n" })).toBe('t.html:1: front matter without a "layout:" line');
    expect(refusal({ "t.html": "---\nlayout: layout.html\nx\n" })).toBe("t.html:1: the front matter opened here has no closing --- line");
    expect(refusal({ "t.html": "---\nlayout: layout.html\nTitle = T\n---\nx\n" })).toBe(
      't.html:3: expected "name: value" in the front matter, found "Title = T"',
    );
  });

  it("an unclosed block and a nested layout", () => {
    expect(refusal({ "l.html": "{{#slot header}}\n{{slot content}}\n", "t.html": "---\nlayout: l.html\n---\nx\n" })).toBe(
      "l.html:1: {{#slot header}} is never closed by {{/slot}}",
    );
    expect(refusal({ "l.html": "---\nlayout: other.html\n---\n{{slot content}}\n", "t.html": "---\nlayout: l.html\n---\nx\n" })).toBe(
      "l.html:2: a layout cannot use a layout (layouts do not nest)",
    );
  });
});

describe("through the configuration", () => {
  const { expectRefused } = fixtureChecks("__tests__/fixtures/config/native");

  it("a template whose layout is missing is refused at its key, with the template's file:line", () => {
    expectRefused("template-layout-missing.yaml", [
      8,
      9,
      "html: __tests__/fixtures/templates/layout-missing.html",
      "native.ses.templates.otp.html: expected a template whose layout expands (see templates/email/README.md), found " +
        '__tests__/fixtures/templates/layout-missing.html:3: layout "templates/email/no-such-layout.html": no such file',
    ]);
  });
});
