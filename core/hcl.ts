/**
 * Repairs cdktf 0.21's HCL output. Its renderer escapes quotes in a string only when the string
 * holds no `${...}` reference, so a JSON document built around references (an IAM or bucket
 * policy) comes out as `policy = "{"Version":...${aws_s3_bucket.x.arn}..."}"`, which is not HCL.
 * For exactly those strings nothing was escaped, so escaping `\` and `"` outside interpolations
 * gives the same value Terraform reads from the JSON output.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** Escapes a rendered HCL string body that cdktf left unescaped (outside `${...}` only). */
export function escapeTemplateBody(body: string): string {
  let out = "";
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (depth === 0 && c === "$" && body[i + 1] === "{") {
      depth = 1;
      out += "${";
      i++;
      continue;
    }
    if (depth > 0) {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      out += c;
      continue;
    }
    out += c === '"' || c === "\\" ? `\\${c}` : c;
  }
  return out;
}

const STRING_ATTRIBUTE = /^(\s*[A-Za-z0-9_"-]+\s*=\s*)"(.*)"\s*$/;

/** Fixes every single-line string attribute of an HCL file whose body has references and raw quotes. */
export function repairHcl(text: string): string {
  return text
    .split("\n")
    .map((line) => {
      const m = STRING_ATTRIBUTE.exec(line);
      if (!m || !m[2].includes("${")) return line;
      const body = m[2];
      // Already valid: no quote or backslash outside interpolations.
      const repaired = escapeTemplateBody(body);
      return repaired === body ? line : `${m[1]}"${repaired}"`;
    })
    .join("\n");
}

/** First line of the comment cdktf writes above an attribute it renders as a plain object. */
const UNTYPED_WARNING = /^\s*# Warning: The following attribute is of an unexpected type/;

/**
 * cdktf's provider bindings leave a few deeply nested block types untyped (wafv2 `rule.statement`
 * above all); its HCL renderer then writes them as object attributes (`statement = { ... }`) under a
 * warning comment, which Terraform refuses ("Unsupported argument"). In those schemas every nested
 * object is a block, so below each such warning: `name = {` becomes `name {`, a list of objects
 * `name = [ {..}, {..} ]` becomes repeated `name {` blocks, and lists of scalars stay attributes.
 * The warning comment is dropped. Returns the text and how many attributes were rewritten.
 */
export function blockifyUntypedAttributes(hcl: string): { text: string; rewritten: number } {
  const lines = hcl.split("\n");
  const out: string[] = [];
  let rewritten = 0;
  const fail = (i: number, why: string): never => {
    throw new Error(`cannot rewrite the untyped attribute at cdk.tf line ${i + 1} (${why}): ${lines[i]?.trim()}`);
  };
  /** Converts the members of an object whose opening line was consumed; returns the index after its closing line. */
  const body = (start: number): number => {
    let i = start;
    while (i < lines.length) {
      const t = lines[i].trim();
      if (/^\},?$/.test(t)) return i + 1;
      let m: RegExpExecArray | null;
      if ((m = /^([\w-]+)\s*=\s*\{\s*\},?$/.exec(t))) {
        out.push(`${m[1]} {`, "}");
        i++;
      } else if ((m = /^([\w-]+)\s*=\s*\{$/.exec(t))) {
        out.push(`${m[1]} {`);
        i = body(i + 1);
        out.push("}");
      } else if ((m = /^([\w-]+)\s*=\s*\[$/.exec(t))) {
        let j = i + 1;
        while (j < lines.length && !lines[j].trim()) j++;
        if (lines[j]?.trim() === "{") {
          i = j;
          for (;;) {
            const item = lines[i]?.trim();
            if (item === undefined) fail(j, "unterminated list");
            if (item === "{") {
              out.push(`${m[1]} {`);
              i = body(i + 1);
              out.push("}");
            } else if (/^\],?$/.test(item!)) {
              i++;
              break;
            } else if (!item) i++;
            else fail(i, "a list mixing objects and values");
          }
        } else {
          // A list of values: an attribute in every schema; copied up to its closing bracket.
          let depth = 0;
          do {
            depth += (lines[i].match(/\[/g) ?? []).length - (lines[i].match(/\]/g) ?? []).length;
            out.push(lines[i]);
            i++;
          } while (depth > 0 && i < lines.length);
        }
      } else {
        out.push(lines[i]);
        i++;
      }
    }
    return fail(start, "no closing brace");
  };
  for (let i = 0; i < lines.length;) {
    if (!UNTYPED_WARNING.test(lines[i])) {
      out.push(lines[i]);
      i++;
      continue;
    }
    while (i < lines.length && (/^\s*#/.test(lines[i]) || !lines[i].trim())) i++;
    const m = /^\s*([\w-]+)\s*=\s*\{$/.exec(lines[i] ?? "");
    if (!m) {
      out.push(lines[i]);
      i++;
      continue;
    }
    out.push(`${m[1]} {`);
    i = body(i + 1);
    out.push("}");
    rewritten++;
  }
  return { text: out.join("\n"), rewritten };
}

/** Repairs every stacks/<stack>/cdk.tf under a cdktf output directory: quoting, then untyped blocks. */
export function repairHclOutput(outdir: string): void {
  const stacks = path.join(outdir, "stacks");
  if (!fs.existsSync(stacks)) return;
  for (const stack of fs.readdirSync(stacks)) {
    const file = path.join(stacks, stack, "cdk.tf");
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, "utf8");
    const repaired = blockifyUntypedAttributes(repairHcl(text)).text;
    if (repaired !== text) fs.writeFileSync(file, repaired);
  }
}
