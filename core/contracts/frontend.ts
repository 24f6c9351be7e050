import { mockId, str, type Contract } from "./types";

/** Outputs of layer 11 frontend. Hosting-specific outputs are empty for the other hosting modes. */
export const frontendContract = {
  hosting: str("Hosting mode: s3-cloudfront, amplify or external.", () => "s3-cloudfront"),
  bucket_name: str("Site bucket name (s3-cloudfront only).", (cfg) => `${cfg.project}-${cfg.environment}-site-${cfg.aws.accountId}`),
  distribution_id: str("CloudFront distribution id (s3-cloudfront only).", () => mockId("E", "distribution", 13).replace("-", "").toUpperCase()),
  distribution_domain_name: str("CloudFront domain name (s3-cloudfront only).", () => `${mockId("d", "distribution", 13).replace("-", "")}.cloudfront.net`),
  site_url: str("Public URL of the site.", () => `https://${mockId("d", "distribution", 13).replace("-", "")}.cloudfront.net`),
} satisfies Contract;
