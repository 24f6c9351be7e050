import type { PlatformConfig } from "../../core/config/types";
import { amplifyBranchLabel, amplifyDomainUrl } from "./config";
import { mockId, str, type Contract } from "../../core/contracts/types";

const cloudFront = (cfg: PlatformConfig) => cfg.frontend.hosting === "s3-cloudfront";
const distributionDomain = () => `${mockId("d", "distribution", 13).replace("-", "")}.cloudfront.net`;

/** The site's URL as the layer publishes it, for each hosting mode. */
function siteUrl(cfg: PlatformConfig): string {
  const fe = cfg.frontend;
  switch (fe.hosting) {
    case "s3-cloudfront":
      return `https://${fe.domain?.name ?? distributionDomain()}`;
    case "amplify":
      return (
        amplifyDomainUrl(cfg) ??
        `https://${amplifyBranchLabel(fe.amplify.branch)}.${mockId("d", "amplify", 13).replace("-", "")}.amplifyapp.com`
      );
    case "external":
      return fe.siteUrl ?? "";
  }
}

/** Outputs of layer 11 frontend. Hosting-specific outputs are empty for the other hosting modes. */
export const frontendContract = {
  hosting: str("Hosting mode: s3-cloudfront, amplify or external.", (cfg) => cfg.frontend.hosting),
  bucket_name: str("Site bucket name (s3-cloudfront only).", (cfg) =>
    cloudFront(cfg) ? `${cfg.project}-${cfg.environment}-site-${cfg.aws.accountId}` : "",
  ),
  distribution_id: str("CloudFront distribution id (s3-cloudfront only).", (cfg) =>
    cloudFront(cfg) ? mockId("E", "distribution", 13).replace("-", "").toUpperCase() : "",
  ),
  distribution_domain_name: str("CloudFront domain name (s3-cloudfront only).", (cfg) => (cloudFront(cfg) ? distributionDomain() : "")),
  site_url: str("Public URL of the site.", (cfg) => siteUrl(cfg)),
} satisfies Contract;
