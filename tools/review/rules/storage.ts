/** S3 rules: public access, encryption, versioning, TLS-only policies, logging, ACLs, lifecycle. */
import type { EnvModel, Resource } from "../model";
import type { RuleChecks } from "../policy";
import { block, blocks, bool, get, str } from "../tf";
import {
  accountPublicAccessBlock,
  blocksAllPublicAccess,
  bucketParts,
  check,
  deniesInsecureTransport,
  statements,
  perResource,
} from "./helpers";

const buckets = (model: EnvModel) => model.resources("aws_s3_bucket");

/** Buckets that receive logs of other resources (S3 access logs, load balancers, CloudFront, CloudTrail, flow logs, WAF). */
function logTargets(model: EnvModel): Set<string> {
  const ids = new Set<string>();
  const add = (stack: string, v: unknown) => model.resolve(stack, v).forEach((r) => r.type === "aws_s3_bucket" && ids.add(r.id));
  for (const l of model.resources("aws_s3_bucket_logging")) add(l.stack, l.config.target_bucket);
  for (const lb of model.resources(["aws_lb", "aws_alb"])) add(lb.stack, get(lb.config, "access_logs.bucket"));
  for (const t of model.resources("aws_cloudtrail")) add(t.stack, t.config.s3_bucket_name);
  for (const f of model.resources("aws_flow_log")) if (f.attrs.log_destination_type === "s3") add(f.stack, f.config.log_destination);
  for (const w of model.resources("aws_wafv2_web_acl_logging_configuration")) add(w.stack, w.config.log_destination_configs);
  for (const id of cloudFrontLogTargets(model)) ids.add(id);
  return ids;
}

/** Buckets receiving CloudFront standard (legacy) logs: CloudFront writes them with an ACL, so ACLs must stay enabled. */
function cloudFrontLogTargets(model: EnvModel): Set<string> {
  const ids = new Set<string>();
  for (const d of model.resources("aws_cloudfront_distribution")) {
    for (const r of model.resolve(d.stack, get(d.config, "logging_config.bucket"))) if (r.type === "aws_s3_bucket") ids.add(r.id);
  }
  return ids;
}

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];

export const storageChecks: RuleChecks = {
  "PK-S3-001": {
    types: ["aws_s3_bucket", "aws_s3_bucket_public_access_block", "aws_s3_account_public_access_block"],
    check: ({ model }) => {
      const account = accountPublicAccessBlock(model);
      return buckets(model).map((b) => {
        if (account && blocksAllPublicAccess(account.attrs)) return check(b, true, "", "account-wide public access block");
        const blocksOfBucket = bucketParts(model, b, "aws_s3_bucket_public_access_block");
        if (!blocksOfBucket.length) return check(b, false, "no aws_s3_bucket_public_access_block");
        return check(
          b,
          blocksOfBucket.some((p) => blocksAllPublicAccess(p.attrs)),
          `${blocksOfBucket[0].address} leaves a setting false`,
        );
      });
    },
  },
  "PK-S3-002": perResource({
    types: ["aws_s3_bucket", "aws_s3_bucket_server_side_encryption_configuration"],
    of: "aws_s3_bucket",
    each: (b, { model }) => {
      const inline = block(b.attrs.server_side_encryption_configuration);
      return check(
        b,
        Boolean(inline) || bucketParts(model, b, "aws_s3_bucket_server_side_encryption_configuration").length > 0,
        "no server-side encryption configuration",
      );
    },
  }),
  "PK-S3-003": perResource({
    types: ["aws_s3_bucket", "aws_s3_bucket_versioning"],
    of: "aws_s3_bucket",
    each: (b, { model }) => {
      const inline = bool(get(b.attrs, "versioning.enabled")) === true;
      const parts = bucketParts(model, b, "aws_s3_bucket_versioning").filter(
        (v) => get(v.attrs, "versioning_configuration.status") === "Enabled",
      );
      return check(b, inline || parts.length > 0, "versioning is not enabled");
    },
  }),
  "PK-S3-004": perResource({
    types: ["aws_s3_bucket", "aws_s3_bucket_policy"],
    of: "aws_s3_bucket",
    each: (b, { model }) => {
      const policies: { r: Resource; v: unknown }[] = bucketParts(model, b, "aws_s3_bucket_policy").map((p) => ({
        r: p,
        v: p.attrs.policy,
      }));
      if (b.attrs.policy !== undefined) policies.push({ r: b, v: b.attrs.policy });
      return check(
        b,
        policies.some(({ r, v }) => deniesInsecureTransport(statements(model, r, v), v)),
        "no policy denies requests without TLS",
      );
    },
  }),
  "PK-S3-005": {
    types: ["aws_s3_bucket", "aws_s3_bucket_logging"],
    check: ({ model }) => {
      const targets = logTargets(model);
      return buckets(model).map((b) => {
        if (targets.has(b.id)) return check(b, true, "", "a log bucket");
        return check(
          b,
          Boolean(block(b.attrs.logging)) || bucketParts(model, b, "aws_s3_bucket_logging").length > 0,
          "no server access logging",
        );
      });
    },
  },
  "PK-S3-006": {
    types: ["aws_s3_bucket", "aws_s3_bucket_ownership_controls"],
    check: ({ model }) => {
      const cloudFrontLogs = cloudFrontLogTargets(model);
      return buckets(model).map((b) =>
        cloudFrontLogs.has(b.id)
          ? check(b, true, "", "receives CloudFront standard logs, which CloudFront writes with an ACL")
          : check(
              b,
              bucketParts(model, b, "aws_s3_bucket_ownership_controls").some(
                (o) => get(o.attrs, "rule.object_ownership") === "BucketOwnerEnforced",
              ),
              "ACLs are enabled (no BucketOwnerEnforced ownership)",
            ),
      );
    },
  },
  "PK-S3-007": perResource({
    types: ["aws_s3_bucket", "aws_s3_bucket_acl"],
    of: "aws_s3_bucket",
    each: (b, { model }) => {
      const acls = [str(b.attrs.acl), ...bucketParts(model, b, "aws_s3_bucket_acl").map((a) => str(a.attrs.acl))].filter((a): a is string =>
        Boolean(a),
      );
      const grants = bucketParts(model, b, "aws_s3_bucket_acl").flatMap((a) => blocks(get(a.attrs, "access_control_policy.grant")));
      const publicGrant = grants.some((g) => /AllUsers|AuthenticatedUsers/.test(String(get(g, "grantee.uri") ?? "")));
      const bad = acls.filter((a) => PUBLIC_ACLS.includes(a));
      return check(
        b,
        !bad.length && !publicGrant,
        bad.length ? `canned ACL ${bad.join(", ")}` : "an ACL grant to AllUsers / AuthenticatedUsers",
      );
    },
  }),
  "PK-S3-008": perResource({
    types: ["aws_s3_bucket", "aws_s3_bucket_lifecycle_configuration"],
    of: "aws_s3_bucket",
    each: (b, { model }) =>
      check(
        b,
        blocks(b.attrs.lifecycle_rule).length > 0 || bucketParts(model, b, "aws_s3_bucket_lifecycle_configuration").length > 0,
        "no lifecycle configuration",
      ),
  }),
};
