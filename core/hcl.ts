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

/** Repairs every stacks/<stack>/cdk.tf under a cdktf output directory. */
export function repairHclOutput(outdir: string): void {
  const stacks = path.join(outdir, "stacks");
  if (!fs.existsSync(stacks)) return;
  for (const stack of fs.readdirSync(stacks)) {
    const file = path.join(stacks, stack, "cdk.tf");
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, "utf8");
    const repaired = repairHcl(text);
    if (repaired !== text) fs.writeFileSync(file, repaired);
  }
}
