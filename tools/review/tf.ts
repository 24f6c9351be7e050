/**
 * Loose accessors for Terraform JSON values. cdktf writes a nested block as an object or as a list
 * of objects, and `terraform show -json` always as a list, so every accessor accepts both; booleans
 * and numbers may arrive as strings ("true", "30").
 */

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The first object of a block (`{...}` or `[{...}]`), or undefined. */
export function block(v: unknown): Obj | undefined {
  if (Array.isArray(v)) return v.find(isObj);
  return isObj(v) ? v : undefined;
}

/** Every object of a block list (`[{...}, ...]` or a single `{...}`). */
export function blocks(v: unknown): Obj[] {
  if (Array.isArray(v)) return v.filter(isObj);
  return isObj(v) ? [v] : [];
}

/**
 * A value at a dotted path. Stepping into a list with a name takes its first object (a nested
 * block); a number steps to that index. `get(r, "tracing_config.mode")`.
 */
export function get(v: unknown, path: string): unknown {
  let cur: unknown = v;
  for (const part of path.split(".")) {
    if (cur === undefined || cur === null) return undefined;
    if (Array.isArray(cur)) {
      if (/^\d+$/.test(part)) {
        cur = cur[Number(part)];
        continue;
      }
      cur = block(cur);
      if (cur === undefined) return undefined;
    }
    if (!isObj(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

/** true / false from a boolean or "true" / "false"; undefined otherwise (unknown or unset). */
export function bool(v: unknown): boolean | undefined {
  if (typeof v === "boolean") return v;
  if (v === "true") return true;
  if (v === "false") return false;
  return undefined;
}

/** A number from a number or a numeric string; undefined otherwise. */
export function num(v: unknown): number | undefined {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

/** A string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

/** A list (a scalar becomes a one-item list; unset an empty one). */
export function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** Strings of a list (non-strings dropped). */
export function strings(v: unknown): string[] {
  return list(v).filter((x): x is string => typeof x === "string");
}

/** True when a string holds a Terraform expression (`${...}`): its value is known only at apply. */
export function isExpression(v: unknown): boolean {
  return typeof v === "string" && /(^|[^$])\$\{/.test(v);
}

/** Non-empty: a set string, a non-empty list or object. */
export function present(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isObj(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * Key paths of a value, flattened: `{a: {b: [1, 2]}}` gives `a.b[0] = 1`, `a.b[1] = 2`. Empty
 * objects and lists are kept as leaves so their presence is visible.
 */
export function flatten(v: unknown, prefix = "", out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (Array.isArray(v)) {
    if (!v.length) out.set(prefix, []);
    v.forEach((item, i) => flatten(item, `${prefix}[${i}]`, out));
  } else if (isObj(v)) {
    const keys = Object.keys(v).sort();
    if (!keys.length) out.set(prefix, {});
    for (const k of keys) flatten(v[k], prefix ? `${prefix}.${k}` : k, out);
  } else {
    out.set(prefix, v);
  }
  return out;
}

/**
 * A JSON document written as a Terraform template keeps the quotes of its references unescaped
 * (`"${data.terraform_remote_state.security.outputs.task_role_arns["admin-server"]}"`): Terraform
 * reads it as a template, JSON.parse does not. Escapes the quotes inside each `${...}`.
 */
export function escapeTemplateQuotes(text: string): string {
  return text.replace(/\$\{[^{}]*\}/g, (m) => m.replace(/(?<!\\)"/g, '\\"'));
}

/** JSON.parse, retried with the references' quotes escaped; throws when it is not JSON either way. */
export function parseTemplateJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    const escaped = escapeTemplateQuotes(text);
    if (escaped === text) throw e;
    return JSON.parse(escaped);
  }
}

/** Parses a JSON string (a policy, container definitions); undefined when it is not JSON. */
export function parseJson(v: unknown): unknown {
  if (typeof v !== "string") return isObj(v) || Array.isArray(v) ? v : undefined;
  try {
    return parseTemplateJson(v);
  } catch {
    return undefined;
  }
}
