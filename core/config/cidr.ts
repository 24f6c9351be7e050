/**
 * IPv4 CIDR arithmetic used by configuration checks and subnet layout.
 * Pure functions, no dependencies: the same answers as Terraform's cidrsubnet().
 */

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  /** Prefix length, 0..32. */
  readonly prefix: number;
}

const CIDR_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined when the text is not a valid, aligned IPv4 CIDR block. */
export function parseCidr(text: string): Cidr | undefined {
  const m = CIDR_RE.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const base = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  if ((base & ~maskOf(prefix)) >>> 0 !== 0) return undefined; // host bits set: 10.0.1.5/24
  return { base, prefix };
}

/** Why a text is not a CIDR block, for error messages. */
export function explainCidr(text: string): string | undefined {
  const m = CIDR_RE.exec(text);
  if (!m) return "not in a.b.c.d/n form";
  if (m.slice(1, 5).some((o) => Number(o) > 255)) return "an octet is above 255";
  if (Number(m[5]) > 32) return "prefix length above 32";
  const c = parseCidr(text);
  if (!c) {
    const prefix = Number(m[5]);
    const addr = m.slice(1, 5).map(Number);
    const raw = ((addr[0] << 24) >>> 0) + (addr[1] << 16) + (addr[2] << 8) + addr[3];
    return `host bits set (network address is ${formatCidr({ base: (raw & maskOf(prefix)) >>> 0, prefix })})`;
  }
  return undefined;
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function formatCidr(c: Cidr): string {
  const b = c.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${c.prefix}`;
}

/** Number of addresses in the block. */
export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** True when `inner` lies entirely inside `outer`. */
export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && (inner.base & maskOf(outer.prefix)) >>> 0 === outer.base;
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Cidr, b: Cidr): boolean {
  return contains(a, b) || contains(b, a);
}

/**
 * Terraform's cidrsubnet(prefix, newbits, netnum): the netnum-th block of prefix+newbits bits.
 * Throws when the result does not fit.
 */
export function cidrSubnet(parent: Cidr, newbits: number, netnum: number): Cidr {
  const prefix = parent.prefix + newbits;
  if (prefix > 32) throw new Error(`cidrsubnet: /${parent.prefix} + ${newbits} bits exceeds /32`);
  if (netnum < 0 || netnum >= 2 ** newbits) {
    throw new Error(`cidrsubnet: netnum ${netnum} does not fit in ${newbits} new bits of ${formatCidr(parent)}`);
  }
  return { base: (parent.base + netnum * 2 ** (32 - prefix)) >>> 0, prefix };
}
