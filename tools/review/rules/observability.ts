/** Logging, alarm and messaging rules: log groups, alarms, SNS topics, SQS queues. */
import type { Rule } from "../policy";
import { bool, num } from "../tf";
import { check, deniesInsecureTransport, isSet, statements, perResource } from "./helpers";

export const observabilityRules: Rule[] = [
  perResource({
    id: "PK-LOG-001",
    title: "Log groups are encrypted with a customer key",
    severity: "medium",
    fix: "Set kms_key_id to the logs key (its policy must let logs.<region>.amazonaws.com use it).",
    checkov: ["CKV_AWS_158"],
    types: ["aws_cloudwatch_log_group"],
    each: (g) => check(g, isSet(g.attrs.kms_key_id), "no KMS key"),
  }),
  perResource({
    id: "PK-LOG-002",
    title: "Log groups keep logs as long as the tier asks (prod: 1 year)",
    severity: "medium",
    fix: "Set retention_in_days to at least the tier's minimum (logging.retentionDays).",
    checkov: ["CKV_AWS_338", "CKV_AWS_66"],
    types: ["aws_cloudwatch_log_group"],
    each: (g, { settings }) => {
      const days = num(g.attrs.retention_in_days) ?? 0;
      if (days === 0) return check(g, false, "no retention: logs are kept (and paid for) forever");
      return check(g, days >= settings.minLogRetentionDays, `retention ${days} days, the tier asks for ${settings.minLogRetentionDays}`);
    },
  }),
  perResource({
    id: "PK-CW-001",
    title: "Alarms notify someone",
    severity: "medium",
    fix: "Set alarm_actions to the alarm topic and leave actions_enabled true.",
    checkov: ["CKV_AWS_319"],
    types: ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"],
    each: (a) =>
      bool(a.attrs.actions_enabled) === false
        ? check(a, false, "actions_enabled = false")
        : check(a, isSet(a.attrs.alarm_actions), "no alarm_actions: the alarm fires silently"),
  }),
  perResource({
    id: "PK-SNS-001",
    title: "SNS topics are encrypted",
    severity: "medium",
    fix: "Set kms_master_key_id to the messaging key.",
    checkov: ["CKV_AWS_26"],
    types: ["aws_sns_topic"],
    each: (t) => check(t, isSet(t.attrs.kms_master_key_id), "not encrypted"),
  }),
  perResource({
    id: "PK-SQS-001",
    title: "SQS queues are encrypted",
    severity: "medium",
    fix: "Set kms_master_key_id to the messaging key (or sqs_managed_sse_enabled = true).",
    checkov: ["CKV_AWS_27"],
    types: ["aws_sqs_queue"],
    each: (q) => check(q, isSet(q.attrs.kms_master_key_id) || bool(q.attrs.sqs_managed_sse_enabled) === true, "not encrypted"),
  }),
  perResource({
    id: "PK-SQS-002",
    title: "SQS queues accept TLS only",
    severity: "low",
    fix: 'Add a queue policy statement denying sqs:* when aws:SecureTransport is "false".',
    checkov: [],
    types: ["aws_sqs_queue", "aws_sqs_queue_policy"],
    of: "aws_sqs_queue",
    each: (q, { model }) => {
      const policies = model.referrers(q, "aws_sqs_queue_policy", "queue_url").map((p) => ({ r: p, v: p.attrs.policy }));
      if (q.attrs.policy !== undefined) policies.push({ r: q, v: q.attrs.policy });
      return check(
        q,
        policies.some(({ r, v }) => deniesInsecureTransport(statements(model, r, v), v)),
        "no policy denies requests without TLS",
      );
    },
  }),
];
