/**
 * Deliberate exceptions to the review policy pack (npm run review), written next to the resource
 * with their reason. The marker is cdktf's `//` comment key in the synthesized JSON, so it changes
 * nothing Terraform does; the review report shows the finding as suppressed, with the reason.
 */
import type { TerraformResource } from "cdktf";

const RULE_ID = /^PK-[A-Z0-9]+-\d{3}$/;

export function reviewException(resource: TerraformResource, ruleId: string, reason: string): void {
  if (!RULE_ID.test(ruleId)) throw new Error(`reviewException: ${JSON.stringify(ruleId)} is not a policy rule id (PK-XXX-000)`);
  if (!reason.trim()) throw new Error(`reviewException: ${ruleId} needs a reason`);
  resource.addOverride(`//.review_exceptions.${ruleId}`, reason);
}
