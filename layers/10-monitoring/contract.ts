import { alarmTopicNames, monitoringDashboards, trailName } from "./config";
import { list, map, mockArn, str, type Contract } from "../../core/contracts/types";

/** Outputs of layer 10 monitoring. Mocks follow the config: the same names the layer creates (tested). */
export const monitoringContract = {
  alarm_topic_arn: str(
    "The alarm topic (KMS-encrypted): every alarm notifies it, or with monitoring.severityTopics the WARNING alarms and platform events; notification delivers it.",
    (cfg) => mockArn(cfg, "sns", `${cfg.project}-${cfg.environment}-alarms`),
  ),
  alarm_topic_name: str("Name of the alarm topic.", (cfg) => `${cfg.project}-${cfg.environment}-alarms`),
  alarm_topic_arns: map(
    "The alarm topic of each severity (WARNING, ERROR, CRITICAL): alarm_topic_arn for WARNING; with monitoring.severityTopics the -alarms-error and -alarms-critical topics, else alarm_topic_arn for all three.",
    (cfg) => Object.fromEntries(Object.entries(alarmTopicNames(cfg)).map(([severity, name]) => [severity, mockArn(cfg, "sns", name)])),
  ),
  dashboard_names: list(
    "CloudWatch dashboards: the overview first, then one per watched layer (empty when monitoring.dashboards.enabled is false).",
    (cfg) => monitoringDashboards(cfg).map((d) => d.name),
  ),
  trail_arn: str("CloudTrail trail ARN (empty when monitoring.cloudTrail.enabled is false).", (cfg) =>
    cfg.monitoring.cloudTrail.enabled ? mockArn(cfg, "cloudtrail", `trail/${trailName(cfg)}`) : "",
  ),
} satisfies Contract;
