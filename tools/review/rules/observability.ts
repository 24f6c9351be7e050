/** Logging, alarm and messaging rules: log groups, alarms, SNS topics, SQS queues. */
import type { RuleChecks } from "../policy";
import { bool, num } from "../tf";
import { check, deniesInsecureTransport, isSet, statements, perResource } from "./helpers";

export const observabilityChecks: RuleChecks = {
  "PK-LOG-001": perResource({
    types: ["aws_cloudwatch_log_group"],
    each: (g) => check(g, isSet(g.attrs.kms_key_id), "no KMS key"),
  }),
  "PK-LOG-002": perResource({
    types: ["aws_cloudwatch_log_group"],
    each: (g, { settings }) => {
      const days = num(g.attrs.retention_in_days) ?? 0;
      if (days === 0) return check(g, false, "no retention: logs are kept (and paid for) forever");
      return check(g, days >= settings.minLogRetentionDays, `retention ${days} days, the tier asks for ${settings.minLogRetentionDays}`);
    },
  }),
  "PK-CW-001": perResource({
    types: ["aws_cloudwatch_metric_alarm", "aws_cloudwatch_composite_alarm"],
    each: (a) =>
      bool(a.attrs.actions_enabled) === false
        ? check(a, false, "actions_enabled = false")
        : check(a, isSet(a.attrs.alarm_actions), "no alarm_actions: the alarm fires silently"),
  }),
  "PK-SNS-001": perResource({
    types: ["aws_sns_topic"],
    each: (t) => check(t, isSet(t.attrs.kms_master_key_id), "not encrypted"),
  }),
  "PK-SQS-001": perResource({
    types: ["aws_sqs_queue"],
    each: (q) => check(q, isSet(q.attrs.kms_master_key_id) || bool(q.attrs.sqs_managed_sse_enabled) === true, "not encrypted"),
  }),
  "PK-SQS-002": perResource({
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
};
