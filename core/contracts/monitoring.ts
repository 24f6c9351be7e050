import { monitoringDashboards, trailName } from "../config/sections/monitoring";
import { list, mockArn, str, type Contract } from "./types";

/** Outputs of layer 10 monitoring. Mocks follow the config: the same names the layer creates (tested). */
export const monitoringContract = {
  alarm_topic_arn: str("SNS topic every alarm notifies (KMS-encrypted); notification delivers it.", (cfg) =>
    mockArn(cfg, "sns", `${cfg.project}-${cfg.environment}-alarms`),
  ),
  alarm_topic_name: str("Name of the alarm topic.", (cfg) => `${cfg.project}-${cfg.environment}-alarms`),
  dashboard_names: list("CloudWatch dashboards: the overview first, then one per watched layer (empty when monitoring.dashboards.enabled is false).", (cfg) =>
    monitoringDashboards(cfg).map((d) => d.name),
  ),
  trail_arn: str("CloudTrail trail ARN (empty when monitoring.cloudTrail.enabled is false).", (cfg) =>
    cfg.monitoring.cloudTrail.enabled ? mockArn(cfg, "cloudtrail", `trail/${trailName(cfg)}`) : "",
  ),
} satisfies Contract;
