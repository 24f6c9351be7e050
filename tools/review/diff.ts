/**
 * What differs between two environments: their configuration (flattened key paths with both
 * values) and their resources (addresses only in one, and for the addresses in both, the
 * attributes that differ). Values that differ only because of who the environment is (its name,
 * account id, state bucket and lock table) are normalized first, so `petclinic-prod-alb` and
 * `petclinic-staging-alb` compare equal and the diff shows what really differs. In the
 * configuration, a value that is exactly one of those names (`environment: prod`, `tier: prod`) is
 * kept: there it is the difference itself.
 */
import type { EnvModel } from "./model";
import { flatten, isObj } from "./tf";

export interface Identity {
  readonly key: string;
  readonly environment: string;
  readonly accountId?: string;
  readonly bucket?: string;
  readonly lockTable?: string;
}

export interface ValueChange {
  readonly path: string;
  readonly a: unknown;
  readonly b: unknown;
}

export interface EnvDiff {
  readonly a: string;
  readonly b: string;
  readonly config: readonly ValueChange[];
  readonly stacksOnlyIn: { readonly a: readonly string[]; readonly b: readonly string[] };
  readonly resourcesOnlyIn: { readonly a: readonly string[]; readonly b: readonly string[] };
  /** Per `<stack>/<address>` in both: the attributes that differ. */
  readonly changed: readonly { readonly id: string; readonly changes: readonly ValueChange[] }[];
}

/** Replaces an environment's own names with placeholders, whole words only. */
export function normalizer(id: Identity, opts: { keepExact?: boolean } = {}): (v: unknown) => unknown {
  const pairs: [RegExp, string][] = [];
  const add = (token: string | undefined, placeholder: string) => {
    if (!token) return;
    const escaped = token.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    pairs.push([new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`, "g"), placeholder]);
  };
  // Longest first: the bucket name contains the environment and the account.
  add(id.bucket, "<state-bucket>");
  add(id.lockTable, "<lock-table>");
  add(id.accountId, "<account>");
  add(id.environment, "<env>");
  const exact = new Set(opts.keepExact ? [id.bucket, id.lockTable, id.accountId, id.environment].filter(Boolean) : []);
  const norm = (v: unknown): unknown => {
    // In the config, a value that is exactly the name (environment: prod, tier: prod) is a real difference.
    if (typeof v === "string") return exact.has(v) ? v : pairs.reduce((s, [re, p]) => s.replace(re, p), v);
    if (Array.isArray(v)) return v.map(norm);
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [norm(k) as string, norm(x)]));
    return v;
  };
  return norm;
}

function changes(a: unknown, b: unknown): ValueChange[] {
  const fa = flatten(a);
  const fb = flatten(b);
  const out: ValueChange[] = [];
  for (const path of [...new Set([...fa.keys(), ...fb.keys()])].sort()) {
    const x = fa.get(path);
    const y = fb.get(path);
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ path, a: x, b: y });
  }
  return out;
}

export function diffEnvironments(
  a: { id: Identity; config: unknown; model: EnvModel },
  b: { id: Identity; config: unknown; model: EnvModel },
): EnvDiff {
  const na = normalizer(a.id);
  const nb = normalizer(b.id);
  const stacksA = a.model.stacks.map((s) => s.name);
  const stacksB = b.model.stacks.map((s) => s.name);
  const idsA = new Set(a.model.addresses());
  const idsB = new Set(b.model.addresses());
  const changed: { id: string; changes: ValueChange[] }[] = [];
  for (const id of [...idsA].filter((x) => idsB.has(x)).sort()) {
    const ra = a.model.resource(id)!;
    const rb = b.model.resource(id)!;
    const c = changes(na(ra.config), nb(rb.config));
    if (c.length) changed.push({ id, changes: c });
  }
  return {
    a: a.id.key,
    b: b.id.key,
    config: changes(normalizer(a.id, { keepExact: true })(a.config), normalizer(b.id, { keepExact: true })(b.config)),
    stacksOnlyIn: { a: stacksA.filter((s) => !stacksB.includes(s)), b: stacksB.filter((s) => !stacksA.includes(s)) },
    resourcesOnlyIn: { a: [...idsA].filter((x) => !idsB.has(x)).sort(), b: [...idsB].filter((x) => !idsA.has(x)).sort() },
    changed,
  };
}
