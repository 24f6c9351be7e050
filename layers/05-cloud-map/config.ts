/**
 * Configuration of layer 05 cloud-map: service discovery (replaces Eureka).
 *
 * A private DNS namespace in the VPC and one discovery service per application service
 * (`services` keys), so `customers.<namespace>` resolves to the healthy tasks of the customers
 * service (A records) and to their ports (SRV records).
 */
import { z } from "zod";
import type { PlatformConfig } from "../../core/config/types";
import type { Rule, SemanticIssue } from "../../core/config/types";
import { wholeNumber } from "../../core/config/fields";
import type { LayerConfig } from "../../core/layer-descriptor";
import { layerOn } from "../../core/config/layer-switch";

/** Longest DNS name (RFC 1035, without the trailing dot). */
export const DNS_NAME_MAX = 253;

/** Lower-case DNS labels (1-63 of a-z 0-9 -, no hyphen at either end) joined by dots; two labels at least. */
export const DNS_NAMESPACE_RE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

/** Kit bounds of the discovery records' TTL (AWS accepts up to 2^31-1; see the field's description). */
export const DISCOVERY_TTL_MIN = 0;
export const DISCOVERY_TTL_MAX = 3600;

const TTL_ERROR = `a DNS TTL of ${DISCOVERY_TTL_MIN} to ${DISCOVERY_TTL_MAX} whole seconds`;

export const CloudMapSchema = z
  .strictObject({
    namespace: z
      .string({ error: "a DNS domain name such as petclinic.local" })
      .regex(DNS_NAMESPACE_RE, {
        error:
          "a DNS domain name of two or more lower-case labels (a-z, 0-9, -; 1-63 characters, no hyphen at either end) joined by dots, such as petclinic.local",
      })
      .optional()
      .describe(
        "Name of the private DNS namespace (a Route 53 private hosted zone in the VPC). Services are found at <service>.<namespace>. " +
          "Changing it replaces the namespace and every discovery service. Default: <project>.local.",
      ),
    ttl: wholeNumber(
      TTL_ERROR,
      TTL_ERROR,
      [DISCOVERY_TTL_MIN, TTL_ERROR],
      [DISCOVERY_TTL_MAX, `${TTL_ERROR} (a longer TTL keeps the addresses of replaced tasks in resolver caches)`],
    )
      .default(10)
      .describe(
        "TTL in seconds of the A and SRV records of every discovery service: how long a stopped task's address may still be served from a resolver cache. Default: 10.",
      ),
  })
  .prefault({})
  .describe("Private DNS namespace and one discovery service per application service (layer 05, replaces Eureka).");

/** The namespace name: cloudMap.namespace, else `<project>.local`. */
export function namespaceName(cfg: Pick<PlatformConfig, "project" | "cloudMap">): string {
  return cfg.cloudMap.namespace ?? `${cfg.project}.local`;
}

/** Every `<service>.<namespace>` must be a DNS name AWS accepts (253 characters at most). */
const serviceNameLengthRule: Rule = (cfg) => {
  if (!layerOn(cfg, "cloud-map")) return [];
  const namespace = namespaceName(cfg);
  const tooLong = Object.keys(cfg.services).filter((s) => s.length + 1 + namespace.length > DNS_NAME_MAX);
  if (!tooLong.length) return [];
  const longest = tooLong.reduce((a, b) => (b.length > a.length ? b : a));
  const issue: SemanticIssue = {
    // The default (<project>.local) is short enough: project names have at most 20 characters.
    path: ["cloudMap", "namespace"],
    expected: `a namespace of at most ${DNS_NAME_MAX - 1 - longest.length} characters, so that ${longest}.<namespace> stays within ${DNS_NAME_MAX} characters`,
    found: `a namespace of ${namespace.length} characters`,
  };
  return [issue];
};

/** The layer's part of the configuration (layer.ts declares it): its sections and its cross-field rules (core/config/semantic.ts). */
export const cloudMapConfig: LayerConfig<{ cloudMap: typeof CloudMapSchema }> = {
  sections: { cloudMap: CloudMapSchema },
  rules: [serviceNameLengthRule],
};
