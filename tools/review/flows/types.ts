/**
 * The flow proof's result model: one row per flow the platform is meant to carry, with the hops
 * checked in order and, for a broken flow, the first hop that breaks it.
 */

export type FlowStatus = "ok" | "broken" | "not-applicable";

/** What a hop checks. */
export type HopKind = "network" | "identity" | "resource-policy" | "key-policy" | "credentials" | "edge" | "route" | "ci";

export interface Hop {
  /** What was checked, in a few words: `sg ingress data <- app :5432`. */
  readonly name: string;
  readonly kind: HopKind;
  readonly ok: boolean;
  /** What was found (for a failure: why it breaks). */
  readonly detail: string;
  /** For a failure: the fix, in one line. */
  readonly fix?: string;
}

export interface Flow {
  /** Stable id: `service:api->database`. */
  readonly id: string;
  /** Family: `service-database`, `event-target`, `alarm-topic`, ... */
  readonly kind: string;
  readonly from: string;
  readonly to: string;
  readonly status: FlowStatus;
  readonly hops: readonly Hop[];
  /** The first broken hop (status broken only). */
  readonly broken?: { readonly hop: string; readonly kind: HopKind; readonly reason: string; readonly fix: string };
  /** Why the flow does not apply (status not-applicable only). */
  readonly note?: string;
}

/** A grant no flow needs (least privilege; informational). */
export interface UnusedGrant {
  readonly layer: string;
  readonly address: string;
  readonly sid: string;
  readonly actions: readonly string[];
  readonly severity: "low" | "medium";
  readonly message: string;
}

export interface FlowReport {
  readonly flows: readonly Flow[];
  readonly counts: { readonly ok: number; readonly broken: number; readonly notApplicable: number };
  readonly unusedGrants: readonly UnusedGrant[];
}

/** A flow from its hops: broken at the first failed hop, ok when all hold. */
export function makeFlow(id: string, kind: string, from: string, to: string, hops: readonly Hop[]): Flow {
  const first = hops.find((h) => !h.ok);
  if (!first) return { id, kind, from, to, status: "ok", hops };
  return {
    id,
    kind,
    from,
    to,
    status: "broken",
    hops,
    broken: { hop: first.name, kind: first.kind, reason: first.detail, fix: first.fix ?? "" },
  };
}

export function notApplicable(id: string, kind: string, from: string, to: string, note: string): Flow {
  return { id, kind, from, to, status: "not-applicable", hops: [], note };
}

export const hop = (kind: HopKind, name: string, ok: boolean, detail: string, fix?: string): Hop =>
  ok ? { kind, name, ok, detail } : { kind, name, ok, detail, fix };
