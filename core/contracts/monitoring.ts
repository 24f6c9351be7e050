import { list, mockArn, str, type Contract } from "./types";

/** Outputs of layer 10 monitoring. */
export const monitoringContract = {
  alarm_topic_arn: str("SNS topic every alarm notifies (KMS-encrypted); notification delivers it.", (cfg) =>
    mockArn(cfg, "sns", `${cfg.project}-${cfg.environment}-alarms`),
  ),
  alarm_topic_name: str("Name of the alarm topic.", (cfg) => `${cfg.project}-${cfg.environment}-alarms`),
  dashboard_names: list("CloudWatch dashboards: the overview first, then one per layer.", (cfg) => [`${cfg.project}-${cfg.environment}-overview`]),
  trail_arn: str("CloudTrail trail ARN (empty when the trail is off).", (cfg) => mockArn(cfg, "cloudtrail", `trail/${cfg.project}-${cfg.environment}`)),
} satisfies Contract;
