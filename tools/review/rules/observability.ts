/** Logging, alarm and messaging rules: log groups, alarms, SNS topics, SQS queues. */
import type { Rule } from "../policy";
import { bool, num } from "../tf";
import { check, deniesInsecureTransport, isSet, statements } from "./helpers";

export const observabilityRules: Rule[] = [
  {
    id: "PK-LOG-001",
    title: "Log groups are encrypted with a customer key",
    severity: "medium",
    fix: "Set kms_key_id to the logs key (its policy must let logs.<region>.amazonaws.com use it).",
    checkov: ["CKV_AWS_158"],
    types: ["aws_cloudwatch_log_group"],
    check: ({ model }) => model.resources("aws_cloudwatch_log_group").map((g) => check(g, isSet(g.attrs.kms_key_id), "no KMS key")),
  },
  {
    id: "PK-LOG-002",
    title: "Log groups keep logs as long as the tier asks (prod: 1 year)",
    severity: "medium",
    fix: "Set retention_in_days to at least the tier's minimum (logging.retentionDays).",
    checkov: ["CKV_AWS_338", "CKV_AWS_66"],
    types: ["aws_cloudwatch_log_group"],
    check: ({ model, settings }) =>
      model.resources("aws_cloudwatch_log_group").map((g) => {
        const days = num(g.attrs.retention_in_days) ?? 0;
        if (days === 0) return check(g, false, "no retention: logs are kept (and paid for) forever");
        return check(g, days >= settings.minLogRetentionDays, `retention ${days} days, the tier asks for ${settings.minLogRetentionDays}`);
      }),
  },
  {
    id: "PK-CW-001",
    title: "Alarms notify someone",
    severity: "medium",
    fix: "Set alarm_actions to the alarm topic and leave actions_enabled true.",
    checkov: ["CKV_AWS_319"],
    types: ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"],
    check: ({ model }) =>
      model
        .resources(["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"])
        .map((a) =>
          bool(a.attrs.actions_enabled) === false
            ? check(a, false, "actions_enabled = false")
            : check(a, isSet(a.attrs.alarm_actions), "no alarm_actions: the alarm fires silently"),
        ),
  },
  {
    id: "PK-SNS-001",
    title: "SNS topics are encrypted",
    severity: "medium",
    fix: "Set kms_master_key_id to the messaging key.",
    checkov: ["CKV_AWS_26"],
    types: ["aws_sns_topic"],
    check: ({ model }) => model.resources("aws_sns_topic").map((t) => check(t, isSet(t.attrs.kms_master_key_id), "not encrypted")),
  },
  {
    id: "PK-SQS-001",
    title: "SQS queues are encrypted",
    severity: "medium",
    fix: "Set kms_master_key_id to the messaging key (or sqs_managed_sse_enabled = true).",
    checkov: ["CKV_AWS_27"],
    types: ["aws_sqs_queue"],
    check: ({ model }) =>
      model
        .resources("aws_sqs_queue")
        .map((q) => check(q, isSet(q.attrs.kms_master_key_id) || bool(q.attrs.sqs_managed_sse_enabled) === true, "not encrypted")),
  },
  {
    id: "PK-SQS-002",
    title: "SQS queues accept TLS only",
    severity: "low",
    fix: 'Add a queue policy statement denying sqs:* when aws:SecureTransport is "false".',
    checkov: [],
    types: ["aws_sqs_queue", "aws_sqs_queue_policy"],
    check: ({ model }) =>
      model.resources("aws_sqs_queue").map((q) => {
        const policies = model.referrers(q, "aws_sqs_queue_policy", "queue_url").map((p) => ({ r: p, v: p.attrs.policy }));
        if (q.attrs.policy !== undefined) policies.push({ r: q, v: q.attrs.policy });
        return check(
          q,
          policies.some(({ r, v }) => deniesInsecureTransport(statements(model, r, v), v)),
          "no policy denies requests without TLS",
        );
      }),
  },
];
