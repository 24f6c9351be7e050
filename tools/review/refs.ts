/**
 * References inside Terraform JSON strings: `${aws_s3_bucket.logs.id}`,
 * `${data.terraform_remote_state.network.outputs.app_subnet_ids}`,
 * `service/${aws_ecs_cluster.main.name}/${aws_ecs_service.api.name}`, and references inside
 * function calls (`${sha1(jsonencode([aws_x.y.uri]))}`).
 */
import { isObj } from "./tf";

export interface Ref {
  /** `resource` (aws_x.y), `data` (data.aws_x.y) or `remote` (data.terraform_remote_state.y). */
  readonly kind: "resource" | "data" | "remote";
  readonly type: string;
  readonly name: string;
  /** Attribute path after the name: `["id"]`, `["outputs", "kms_key_arns", "logs"]`, `["master_user_secret", "0", "secret_arn"]`. */
  readonly path: readonly string[];
}

/** The index just after the `}` that closes the `${` at `start` (nested braces and quoted strings skipped). */
export function interpolationEnd(s: string, start: number): number {
  let depth = 1;
  let j = start + 2;
  let inString = false;
  for (; j < s.length && depth > 0; j++) {
    const c = s[j];
    if (inString) {
      if (c === "\\") j++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === "{") depth++;
    else if (c === "}") depth--;
  }
  return j;
}

/** The expression bodies of a string: the text between `${` and its closing `}` (quote-aware; `$${` is an escape). */
export function expressionSpans(s: string): string[] {
  const spans: string[] = [];
  let i = 0;
  while (i < s.length) {
    const start = s.indexOf("${", i);
    if (start === -1) break;
    if (start > 0 && s[start - 1] === "$") {
      i = start + 2;
      continue;
    }
    const j = interpolationEnd(s, start);
    spans.push(s.slice(start + 2, j - 1));
    i = j;
  }
  return spans;
}

/** Identifiers that are Terraform keywords or functions, never resource types. */
const NOT_TYPES = new Set(["var", "local", "module", "path", "terraform", "each", "count", "self"]);

const TOKEN = /(?<![\w."-])((?:data\.)?[a-z][a-z0-9]*(?:_[a-z0-9]+)+)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z0-9_-]+|\[[^\]]*\])*)/g;

/** Removes quoted string literals from an expression (a regex or a JSON key could look like a reference). */
function stripLiterals(expr: string): string {
  return expr.replace(/"(?:[^"\\]|\\.)*"/g, (m) => (/^"[\w-]+"$/.test(m) ? m : '""'));
}

/** The references of one expression body. */
export function refsOfExpression(expr: string): Ref[] {
  const out: Ref[] = [];
  for (const m of stripLiterals(expr).matchAll(TOKEN)) {
    const head = m[1];
    const pathText = m[3] ?? "";
    const path = [...pathText.matchAll(/\.([A-Za-z0-9_-]+)|\[\s*"?([^"\]]*?)"?\s*\]/g)].map((p) => p[1] ?? p[2]);
    if (head.startsWith("data.")) {
      const type = head.slice(5);
      if (type === "terraform_remote_state") out.push({ kind: "remote", type, name: m[2], path });
      else out.push({ kind: "data", type, name: m[2], path });
      continue;
    }
    if (NOT_TYPES.has(head)) continue;
    // `data.x.y` is matched as a whole above; a bare `data` prefix never reaches here.
    out.push({ kind: "resource", type: head, name: m[2], path });
  }
  return out;
}

/** Every reference anywhere in a value (strings, lists, objects; `//` comment keys skipped). */
export function refsOf(value: unknown, out: Ref[] = []): Ref[] {
  if (typeof value === "string") {
    if (value.includes("${")) for (const span of expressionSpans(value)) out.push(...refsOfExpression(span));
  } else if (Array.isArray(value)) {
    for (const v of value) refsOf(v, out);
  } else if (isObj(value)) {
    for (const [k, v] of Object.entries(value)) if (k !== "//") refsOf(v, out);
  }
  return out;
}

/** `aws_x.y` of a resource reference. */
export function refAddress(r: Ref): string {
  return r.kind === "resource" ? `${r.type}.${r.name}` : `data.${r.type}.${r.name}`;
}
