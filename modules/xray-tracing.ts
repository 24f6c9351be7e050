import { XrayGroup } from "@cdktf/provider-aws/lib/xray-group";
import { XraySamplingRule } from "@cdktf/provider-aws/lib/xray-sampling-rule";
import { Construct } from "constructs";

export interface XrayTracingProps {
  /** Name of the sampling rule and the group (1-32 of A-Z a-z 0-9 _ -). */
  readonly name: string;
  /** Service names the rule samples; `*` and `?` are wildcards, e.g. `petclinic-dev-*`. */
  readonly serviceName: string;
  /** Share of requests traced beyond the reservoir, 0-1. */
  readonly fixedRate: number;
  /** Requests per second traced before the rate applies. @default 1 */
  readonly reservoirPerSecond?: number;
  /** Rule priority, 1-9999 (lower wins; the account's Default rule is 10000). @default 1000 */
  readonly priority?: number;
  /** X-Ray filter expression of the group's traces. @default no group */
  readonly groupFilter?: string;
  /** X-Ray Insights on the group (billed per trace). @default false */
  readonly insights?: boolean;
}

const NAME_RE = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * X-Ray sampling for a set of services and an optional group of their traces. Sampling rules and
 * groups are account-wide in a region: the rule matches services by name pattern only, so other
 * workloads of the account keep their own rules.
 *
 * Addresses (construct id `xray`): aws_xray_sampling_rule.xray, aws_xray_group.xray_group.
 */
export class XrayTracing extends Construct {
  readonly rule: XraySamplingRule;
  readonly group?: XrayGroup;

  constructor(scope: Construct, id: string, props: XrayTracingProps) {
    super(scope, id);
    if (!NAME_RE.test(props.name)) throw new Error(`XrayTracing ${id}: name ${JSON.stringify(props.name)} is not 1-32 of A-Z a-z 0-9 _ -`);
    if (!(props.fixedRate >= 0 && props.fixedRate <= 1))
      throw new Error(`XrayTracing ${id}: fixedRate must be 0-1, got ${props.fixedRate}`);
    const priority = props.priority ?? 1000;
    if (!Number.isInteger(priority) || priority < 1 || priority > 9999)
      throw new Error(`XrayTracing ${id}: priority must be 1-9999, got ${priority}`);
    this.rule = new XraySamplingRule(this, "Resource", {
      ruleName: props.name,
      priority,
      version: 1,
      fixedRate: props.fixedRate,
      reservoirSize: props.reservoirPerSecond ?? 1,
      serviceName: props.serviceName,
      serviceType: "*",
      host: "*",
      httpMethod: "*",
      urlPath: "*",
      resourceArn: "*",
    });
    if (props.groupFilter !== undefined) {
      this.group = new XrayGroup(this, "group", {
        groupName: props.name,
        filterExpression: props.groupFilter,
        insightsConfiguration: { insightsEnabled: props.insights ?? false, notificationsEnabled: false },
      });
    }
  }
}
