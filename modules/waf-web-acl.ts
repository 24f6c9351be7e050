/**
 * A WAFv2 web ACL: default allow, a per-IP rate-based rule first, then AWS managed rule groups in
 * the given order, CloudWatch metrics and sampled requests on the ACL and every rule, and
 * (by default) logging to a CloudWatch Logs group with the Authorization header redacted.
 *
 * Addresses, for construct id `waf`: `aws_wafv2_web_acl.waf`, `aws_cloudwatch_log_group.waf_logs`,
 * `aws_wafv2_web_acl_logging_configuration.waf_logging`.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Wafv2WebAcl, type Wafv2WebAclRule } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import { Wafv2WebAclLoggingConfiguration } from "@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration";
import { Construct } from "constructs";

/** An AWS managed rule group, evaluated after the rate rule in list order. */
export interface ManagedRuleGroup {
  /** Rule group name, e.g. `AWSManagedRulesCommonRuleSet`. */
  readonly name: string;
  /** @default "AWS" */
  readonly vendorName?: string;
  /** Rules of the group switched to count mode (rule_action_override count). @default none */
  readonly excludedRules?: readonly string[];
}

export interface WafWebAclLoggingProps {
  /** Write the ACL's logs to CloudWatch Logs. @default true */
  readonly enabled?: boolean;
  /** Retention of the log group, in days (a value CloudWatch Logs accepts). @default 365 */
  readonly retentionDays?: number;
  /**
   * KMS key ARN encrypting the log group; its key policy must let `logs.<region>.amazonaws.com`
   * use it. @default CloudWatch Logs' own encryption
   */
  readonly kmsKeyArn?: string;
  /** Request headers replaced by `REDACTED` in the logs (lower case). @default ["authorization"] */
  readonly redactedHeaders?: readonly string[];
}

export interface WafWebAclProps {
  /** Web ACL name (1-128 of letters, digits, `_` and `-`); also the prefix of metric names. */
  readonly name: string;
  /** @default "Web ACL <name>" */
  readonly description?: string;
  /** `REGIONAL` (ALB, API Gateway, ...) or `CLOUDFRONT` (create it in us-east-1). @default "REGIONAL" */
  readonly scope?: "REGIONAL" | "CLOUDFRONT";
  /** Requests per client IP in 5 minutes above which the rate rule blocks (10 - 2,000,000,000). */
  readonly rateLimit: number;
  /**
   * Header a proxy in front of the protected resource puts the client address in (CloudFront and
   * API Gateway: `X-Forwarded-For`). There the source address WAF sees is the proxy's, so requests
   * carrying the header are counted per forwarded address by a second rate rule
   * (`rate-limit-forwarded`, aggregate key FORWARDED_IP), and the IP-keyed rule counts only the
   * requests without it (direct clients). @default none: every request counted by source IP
   */
  readonly forwardedIpHeader?: string;
  /** AWS managed rule groups, in evaluation order after the rate rule. @default none */
  readonly managedRuleGroups?: readonly ManagedRuleGroup[];
  /**
   * The largest request body the protected resources accept, in bytes (8,193 - 16,384). Above
   * 8 KB the Common Rule Set's SizeRestrictions_BODY would block valid requests, so it counts
   * instead, and a `body-size` rule blocks bodies over this size (bodies past what WAF inspects
   * count as over: oversize handling MATCH). 16 KB is what WAF inspects of an API Gateway or
   * CloudFront body by default; an ALB's is fixed at 8 KB, so use this only on ACLs of APIs and
   * distributions. @default none: the managed rules' own 8 KB limit
   */
  readonly maxBodyBytes?: number;
  /** Logging to CloudWatch Logs. @default enabled, 365 days, no KMS key, Authorization redacted */
  readonly logging?: WafWebAclLoggingProps;
  /** Tags of the ACL and its log group. @default none */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The provider types `rule.statement` as `any` (the schema is too deep for generated classes),
 * so statements are written with Terraform's own block names; these types keep them checked.
 */
interface RateBasedStatement {
  readonly rate_based_statement: {
    readonly limit: number;
    readonly aggregate_key_type: "IP" | "FORWARDED_IP";
    readonly forwarded_ip_config?: { readonly header_name: string; readonly fallback_behavior: "MATCH" | "NO_MATCH" };
    readonly scope_down_statement?: Record<string, unknown>;
  };
}
interface ManagedRuleGroupStatement {
  readonly managed_rule_group_statement: {
    readonly name: string;
    readonly vendor_name: string;
    readonly rule_action_override?: ReadonlyArray<{
      readonly name: string;
      readonly action_to_use: { readonly count: Record<string, never> };
    }>;
  };
}
interface SizeConstraintStatement {
  readonly size_constraint_statement: {
    readonly field_to_match: { readonly body: { readonly oversize_handling: "MATCH" } };
    readonly comparison_operator: "GT";
    readonly size: number;
    readonly text_transformation: ReadonlyArray<{ readonly priority: number; readonly type: "NONE" }>;
  };
}
type RuleStatement = RateBasedStatement | ManagedRuleGroupStatement | SizeConstraintStatement;

const NAME_RE = /^[\w-]{1,128}$/;
/** Name of the rate-based rule (and suffix of its metric). */
export const RATE_RULE_NAME = "rate-limit";
/** Name of the rate-based rule keyed on the forwarded client address (with forwardedIpHeader). */
export const FORWARDED_RATE_RULE_NAME = "rate-limit-forwarded";
/** Name of the rule bounding request bodies (with maxBodyBytes). */
export const BODY_SIZE_RULE_NAME = "body-size";
/** The Common Rule Set and its rule blocking bodies over 8 KB. */
const COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet";
const CRS_BODY_RULE = "SizeRestrictions_BODY";

export class WafWebAcl extends Construct {
  readonly acl: Wafv2WebAcl;
  readonly arn: string;
  readonly logGroup?: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: WafWebAclProps) {
    super(scope, id);
    if (!NAME_RE.test(props.name))
      throw new Error(`WafWebAcl ${id}: name ${JSON.stringify(props.name)} must be 1-128 of letters, digits, _ and -`);
    if (!Number.isInteger(props.rateLimit) || props.rateLimit < 10 || props.rateLimit > 2_000_000_000) {
      throw new Error(`WafWebAcl ${id}: rateLimit ${props.rateLimit} must be a whole number 10 - 2,000,000,000`);
    }
    const maxBody = props.maxBodyBytes;
    if (maxBody !== undefined && (!Number.isInteger(maxBody) || maxBody < 8193 || maxBody > 16_384)) {
      throw new Error(
        `WafWebAcl ${id}: maxBodyBytes ${maxBody} must be a whole number 8,193 - 16,384 (WAF inspects 16 KB of a body by default)`,
      );
    }
    // Over 8 KB the Common Rule Set's body rule counts; the body-size rule takes its place.
    const groups = (props.managedRuleGroups ?? []).map((g) =>
      maxBody !== undefined && g.name === COMMON_RULE_SET && (g.vendorName ?? "AWS") === "AWS" && !g.excludedRules?.includes(CRS_BODY_RULE)
        ? { ...g, excludedRules: [...(g.excludedRules ?? []), CRS_BODY_RULE] }
        : g,
    );
    const seen = new Set<string>([RATE_RULE_NAME, FORWARDED_RATE_RULE_NAME, BODY_SIZE_RULE_NAME]);
    for (const g of groups) {
      if (seen.has(g.name)) throw new Error(`WafWebAcl ${id}: rule group ${g.name} is listed twice`);
      seen.add(g.name);
    }

    const visibility = (metric: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName: `${props.name}-${metric}`,
    });
    const rule = (
      name: string,
      priority: number,
      statement: RuleStatement,
      action: Pick<Wafv2WebAclRule, "action" | "overrideAction">,
    ): Wafv2WebAclRule => ({
      name,
      priority,
      statement,
      ...action,
      visibilityConfig: visibility(name),
    });

    const header = props.forwardedIpHeader;
    if (header !== undefined && !/^[a-zA-Z0-9-]{1,255}$/.test(header))
      throw new Error(`WafWebAcl ${id}: forwardedIpHeader ${JSON.stringify(header)} is not a header name`);
    // The IP rule skips requests that carry the header (their source address is the proxy's): a
    // missing header has no size, so "not (size > 0)" holds exactly for requests without it.
    const withoutHeader = header
      ? {
          not_statement: {
            statement: {
              size_constraint_statement: {
                field_to_match: { single_header: { name: header.toLowerCase() } },
                comparison_operator: "GT",
                size: 0,
                text_transformation: [{ priority: 0, type: "NONE" }],
              },
            },
          },
        }
      : undefined;
    const rateRules: Wafv2WebAclRule[] = [
      rule(
        RATE_RULE_NAME,
        0,
        {
          rate_based_statement: {
            limit: props.rateLimit,
            aggregate_key_type: "IP",
            ...(withoutHeader ? { scope_down_statement: withoutHeader } : {}),
          },
        },
        { action: { block: {} } },
      ),
      // WAF evaluates the first address of the header and skips the rule when the header is absent.
      ...(header
        ? [
            rule(
              FORWARDED_RATE_RULE_NAME,
              1,
              {
                rate_based_statement: {
                  limit: props.rateLimit,
                  aggregate_key_type: "FORWARDED_IP",
                  forwarded_ip_config: { header_name: header, fallback_behavior: "MATCH" },
                },
              },
              { action: { block: {} } },
            ),
          ]
        : []),
    ];
    const bodyRules: Wafv2WebAclRule[] =
      maxBody === undefined
        ? []
        : [
            rule(
              BODY_SIZE_RULE_NAME,
              rateRules.length,
              {
                size_constraint_statement: {
                  field_to_match: { body: { oversize_handling: "MATCH" } },
                  comparison_operator: "GT",
                  size: maxBody,
                  text_transformation: [{ priority: 0, type: "NONE" }],
                },
              },
              { action: { block: {} } },
            ),
          ];
    const firstGroup = rateRules.length + bodyRules.length;
    const rules: Wafv2WebAclRule[] = [
      ...rateRules,
      ...bodyRules,
      ...groups.map((g, i) =>
        rule(
          g.name,
          i + firstGroup,
          {
            managed_rule_group_statement: {
              name: g.name,
              vendor_name: g.vendorName ?? "AWS",
              ...(g.excludedRules?.length
                ? { rule_action_override: g.excludedRules.map((r) => ({ name: r, action_to_use: { count: {} } })) }
                : {}),
            },
          },
          // The group's own actions apply (none); excluded rules are overridden to count above.
          { overrideAction: { none: {} } },
        ),
      ),
    ];

    this.acl = new Wafv2WebAcl(this, "Resource", {
      name: props.name,
      description: props.description ?? `Web ACL ${props.name}`,
      scope: props.scope ?? "REGIONAL",
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: props.name },
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.arn = this.acl.arn;

    const logging = props.logging ?? {};
    if (logging.enabled ?? true) {
      // WAF only delivers to log groups whose name starts with aws-waf-logs-.
      this.logGroup = new CloudwatchLogGroup(this, "logs", {
        name: `aws-waf-logs-${props.name}`,
        retentionInDays: logging.retentionDays ?? 365,
        kmsKeyId: logging.kmsKeyArn,
        tags: props.tags ? { ...props.tags } : undefined,
      });
      new Wafv2WebAclLoggingConfiguration(this, "logging", {
        resourceArn: this.acl.arn,
        logDestinationConfigs: [this.logGroup.arn],
        redactedFields: (logging.redactedHeaders ?? ["authorization"]).map((h) => ({ singleHeader: { name: h.toLowerCase() } })),
      });
    }
  }
}
