import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { GuarddutyDetector } from "@cdktf/provider-aws/lib/guardduty-detector";
import { Construct } from "constructs";

export interface GuardDutyProps {
  /**
   * Create the region's detector. A region has one detector per account, often enabled
   * account- or organization-wide; creating a second one fails. @default true
   */
  readonly detector?: boolean;
  /** How often updated findings are exported. @default "FIFTEEN_MINUTES" */
  readonly findingPublishingFrequency?: "FIFTEEN_MINUTES" | "ONE_HOUR" | "SIX_HOURS";
  /**
   * Route findings of at least `minSeverity` to this SNS topic with an EventBridge rule (the
   * topic's policy must let events.amazonaws.com publish). Works with a detector created elsewhere.
   * @default no routing
   */
  readonly findingsTopic?: { readonly topicArn: string; readonly ruleName: string; readonly minSeverity: number };
}

/**
 * GuardDuty threat detection: the detector (optional) and an EventBridge rule sending findings of
 * a minimum severity to a topic.
 *
 * Addresses (construct id `guardduty`): aws_guardduty_detector.guardduty,
 * aws_cloudwatch_event_rule.guardduty_findings, aws_cloudwatch_event_target.guardduty_findings_topic.
 */
export class GuardDuty extends Construct {
  readonly detector?: GuarddutyDetector;
  readonly findingsRule?: CloudwatchEventRule;

  constructor(scope: Construct, id: string, props: GuardDutyProps) {
    super(scope, id);
    if (props.detector ?? true) {
      this.detector = new GuarddutyDetector(this, "Resource", {
        enable: true,
        findingPublishingFrequency: props.findingPublishingFrequency ?? "FIFTEEN_MINUTES",
      });
    }
    const to = props.findingsTopic;
    if (to) {
      if (!(to.minSeverity >= 1 && to.minSeverity < 9))
        throw new Error(`GuardDuty ${id}: minSeverity must be 1-8.9, got ${to.minSeverity}`);
      this.findingsRule = new CloudwatchEventRule(this, "findings", {
        name: to.ruleName,
        description: `GuardDuty findings of severity ${to.minSeverity} or more`,
        eventPattern: JSON.stringify({
          source: ["aws.guardduty"],
          "detail-type": ["GuardDuty Finding"],
          detail: { severity: [{ numeric: [">=", to.minSeverity] }] },
        }),
      });
      new CloudwatchEventTarget(this, "findings_topic", { rule: this.findingsRule.name, targetId: "alarm-topic", arn: to.topicArn });
    }
  }
}
