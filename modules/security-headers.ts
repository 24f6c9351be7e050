/**
 * The security headers a site sends, as data: CloudFront's response headers policy (static-site)
 * and Amplify's custom headers (amplify-site) are both written from it.
 */

export interface SecurityHeaders {
  /** Content-Security-Policy value (CloudFront accepts at most 1783 characters). */
  readonly contentSecurityPolicy: string;
  /** Strict-Transport-Security. */
  readonly hsts: { readonly maxAgeSeconds: number; readonly includeSubdomains: boolean; readonly preload: boolean };
  /** X-Frame-Options. */
  readonly frameOptions: "DENY" | "SAMEORIGIN";
  /** Referrer-Policy. */
  readonly referrerPolicy: string;
}

/** The Strict-Transport-Security value. */
export function hstsValue(h: SecurityHeaders["hsts"]): string {
  return [`max-age=${h.maxAgeSeconds}`, ...(h.includeSubdomains ? ["includeSubDomains"] : []), ...(h.preload ? ["preload"] : [])].join(
    "; ",
  );
}

/** Every header and its value, in a fixed order. X-Content-Type-Options and X-XSS-Protection are always set. */
export function securityHeaderValues(h: SecurityHeaders): [name: string, value: string][] {
  return [
    ["Strict-Transport-Security", hstsValue(h.hsts)],
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", h.frameOptions],
    ["Referrer-Policy", h.referrerPolicy],
    ["X-XSS-Protection", "1; mode=block"],
    ["Content-Security-Policy", h.contentSecurityPolicy],
  ];
}
