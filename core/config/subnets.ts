/**
 * The subnet plan: one public, app and data subnet per availability zone, either listed in
 * network.subnets or computed from network.subnetLayout. Used by the semantic checks and by the
 * network layer, so what is checked is exactly what is built.
 */
import { cidrSubnet, formatCidr, parseCidr } from "./cidr";
import type { PlatformConfig } from "./types";

export const SUBNET_TIERS = ["public", "app", "data"] as const;
export type SubnetTier = (typeof SUBNET_TIERS)[number];

export interface AzSubnets {
  readonly az: string;
  readonly public: string;
  readonly app: string;
  readonly data: string;
}

/**
 * Subnet CIDRs per AZ in aws.azs order. Throws a plain Error when a computed subnet does not fit
 * the VPC; the semantic checks call this only after validating the inputs.
 */
export function subnetPlan(cfg: Pick<PlatformConfig, "aws" | "network">): AzSubnets[] {
  const { azs } = cfg.aws;
  const explicit = cfg.network.subnets;
  if (explicit) {
    return azs.map((az, i) => ({ az, public: explicit.public[i], app: explicit.app[i], data: explicit.data[i] }));
  }
  const vpc = parseCidr(cfg.network.cidr);
  if (!vpc) throw new Error(`network.cidr ${cfg.network.cidr} is not a CIDR block`);
  const { newbits, offsets } = cfg.network.subnetLayout;
  return azs.map((az, i) => ({
    az,
    public: formatCidr(cidrSubnet(vpc, newbits, offsets.public + i)),
    app: formatCidr(cidrSubnet(vpc, newbits, offsets.app + i)),
    data: formatCidr(cidrSubnet(vpc, newbits, offsets.data + i)),
  }));
}
