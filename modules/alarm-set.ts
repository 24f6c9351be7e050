import { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmMetricQuery } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Construct } from "constructs";

/** How an alarm treats periods without data points. */
export type TreatMissingData = "breaching" | "notBreaching" | "ignore" | "missing";

export type Comparison = "GreaterThanThreshold" | "GreaterThanOrEqualToThreshold" | "LessThanThreshold" | "LessThanOrEqualToThreshold";

/** One CloudWatch metric. */
export interface Metric {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p95`. */
  readonly stat: string;
  /** Legend text on dashboards. @default CloudWatch's own */
  readonly label?: string;
}

/** When an alarm fires. */
export interface AlarmEvaluation {
  readonly threshold: number;
  /** Seconds per data point: a multiple of 60 (standard-resolution metrics). */
  readonly periodSeconds: number;
  /** Most recent periods evaluated (N). */
  readonly evaluationPeriods: number;
  /** Breaching periods among them that set the alarm off (M), at most evaluationPeriods. */
  readonly datapointsToAlarm: number;
  readonly treatMissingData: TreatMissingData;
}

/** Metric math: an expression over named metrics, e.g. `100 * errors / requests`. */
export interface MetricMath {
  /** The expression; ids of `metrics` are its variables (lower-case first letter). */
  readonly expression: string;
  /** Name of the computed series. */
  readonly label: string;
  readonly metrics: Readonly<Record<string, Metric>>;
}

/** How urgent an alarm is; the set notifies the actions of its severity. */
export type AlarmSeverity = "WARNING" | "ERROR" | "CRITICAL";

/** What an alarm notifies. */
export interface AlarmActions {
  /** ARNs notified when an alarm enters ALARM (an SNS topic). */
  readonly alarmActions: readonly string[];
  /** ARNs notified when an alarm returns to OK. @default alarmActions */
  readonly okActions?: readonly string[];
}

export interface MetricAlarmProps extends AlarmEvaluation {
  /** Alarm name (unique in the account and region; 255 characters at most). */
  readonly name: string;
  /** What the alarm means and what to look at first. */
  readonly description: string;
  readonly comparison: Comparison;
  /** The metric the alarm watches. Give exactly one of metric and math. */
  readonly metric?: Metric;
  /** A metric math expression the alarm watches. Give exactly one of metric and math. */
  readonly math?: MetricMath;
  /**
   * The alarm's severity: tagged (`Severity`), written before the description (`[ERROR] ...`,
   * what people read in the notification) and picks the set's actions for it. @default none (the set's actions)
   */
  readonly severity?: AlarmSeverity;
}

export interface CompositeAlarmProps {
  readonly name: string;
  readonly description: string;
  /** Alarms combined with OR: the composite is in ALARM while any of them is. */
  readonly anyOf: readonly CloudwatchMetricAlarm[];
  /** As MetricAlarmProps.severity. @default none */
  readonly severity?: AlarmSeverity;
}

export interface AlarmSetProps extends AlarmActions {
  /**
   * Actions of the alarms of a severity, instead of alarmActions / okActions (one topic per
   * severity). @default alarmActions and okActions for every severity
   */
  readonly bySeverity?: Partial<Record<AlarmSeverity, AlarmActions>>;
}

const QUERY_ID_RE = /^[a-z][a-zA-Z0-9_]*$/;

/** Longest evaluation window CloudWatch accepts: one day for periods under an hour, else seven days. */
export function maxEvaluationSeconds(periodSeconds: number): number {
  return periodSeconds < 3600 ? 86_400 : 604_800;
}

/**
 * A group of CloudWatch alarms that notify the same actions on ALARM and on OK. Alarms are
 * children of the set, so their addresses are `<set id>_<alarm id>` (`alb_5xx`,
 * `ecs_customers_cpu`). Settings are checked when an alarm is added: periods in whole minutes,
 * M of N with M <= N, the evaluation window within CloudWatch's limits, one metric or one
 * expression. Percentile statistics (`p95`) become `extended_statistic`.
 *
 * Composite alarms (`composite()`) combine alarms of any set with OR and notify the same actions.
 * An alarm with a severity notifies `bySeverity[severity]` when the set has it, carries a
 * `Severity` tag and starts its description with `[SEVERITY]`.
 */
export class AlarmSet extends Construct {
  /** Every metric alarm of the set, in the order added. */
  readonly alarms: CloudwatchMetricAlarm[] = [];
  readonly composites: CloudwatchCompositeAlarm[] = [];
  private readonly alarmActions: string[];
  private readonly okActions: string[];
  private readonly bySeverity: Partial<Record<AlarmSeverity, AlarmActions>>;

  constructor(scope: Construct, id: string, props: AlarmSetProps) {
    super(scope, id);
    if (!props.alarmActions.length) throw new Error(`AlarmSet ${id}: alarmActions is empty; an alarm nobody hears is no alarm`);
    for (const [severity, a] of Object.entries(props.bySeverity ?? {})) {
      if (!a?.alarmActions.length)
        throw new Error(`AlarmSet ${id}: alarmActions of ${severity} is empty; an alarm nobody hears is no alarm`);
    }
    this.alarmActions = [...props.alarmActions];
    this.okActions = [...(props.okActions ?? props.alarmActions)];
    this.bySeverity = props.bySeverity ?? {};
  }

  /** Actions, tags and description of an alarm of this severity. */
  private routed(severity: AlarmSeverity | undefined, description: string) {
    const own = severity ? this.bySeverity[severity] : undefined;
    return {
      alarmDescription: severity ? `[${severity}] ${description}` : description,
      alarmActions: own ? [...own.alarmActions] : this.alarmActions,
      okActions: own ? [...(own.okActions ?? own.alarmActions)] : this.okActions,
      tags: severity ? { Severity: severity } : undefined,
    };
  }

  /** A metric alarm (address `<set>_<id>`). */
  metric(id: string, props: MetricAlarmProps): CloudwatchMetricAlarm {
    validate(`${this.node.id}/${id}`, props);
    const single = props.metric;
    const percentile = single !== undefined && /^p\d+(\.\d+)?$/.test(single.stat);
    const routed = this.routed(props.severity, props.description);
    const alarm = new CloudwatchMetricAlarm(this, id, {
      alarmName: props.name,
      alarmDescription: routed.alarmDescription,
      comparisonOperator: props.comparison,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods,
      datapointsToAlarm: props.datapointsToAlarm,
      treatMissingData: props.treatMissingData,
      ...(single
        ? {
            namespace: single.namespace,
            metricName: single.metricName,
            dimensions: { ...single.dimensions },
            period: props.periodSeconds,
            statistic: percentile ? undefined : single.stat,
            extendedStatistic: percentile ? single.stat : undefined,
          }
        : { metricQuery: mathQueries(props.math!, props.periodSeconds) }),
      alarmActions: routed.alarmActions,
      okActions: routed.okActions,
      tags: routed.tags,
    });
    this.alarms.push(alarm);
    return alarm;
  }

  /** A composite alarm in ALARM while any of `anyOf` is (address `<set>_<id>`). */
  composite(id: string, props: CompositeAlarmProps): CloudwatchCompositeAlarm {
    if (!props.anyOf.length) throw new Error(`AlarmSet ${this.node.id}/${id}: a composite alarm needs at least one alarm`);
    const routed = this.routed(props.severity, props.description);
    const composite = new CloudwatchCompositeAlarm(this, id, {
      alarmName: props.name,
      alarmDescription: routed.alarmDescription,
      alarmRule: props.anyOf.map((a) => `ALARM("${a.alarmName}")`).join(" OR "),
      alarmActions: routed.alarmActions,
      okActions: routed.okActions,
      tags: routed.tags,
    });
    this.composites.push(composite);
    return composite;
  }
}

function validate(where: string, p: MetricAlarmProps): void {
  const fail = (what: string) => {
    throw new Error(`AlarmSet ${where}: ${what}`);
  };
  if ((p.metric === undefined) === (p.math === undefined)) fail("give exactly one of metric and math");
  if (!Number.isInteger(p.periodSeconds) || p.periodSeconds < 60 || p.periodSeconds % 60 !== 0)
    fail(`periodSeconds must be a multiple of 60, got ${p.periodSeconds}`);
  if (!Number.isInteger(p.evaluationPeriods) || p.evaluationPeriods < 1)
    fail(`evaluationPeriods must be a whole number >= 1, got ${p.evaluationPeriods}`);
  if (!Number.isInteger(p.datapointsToAlarm) || p.datapointsToAlarm < 1 || p.datapointsToAlarm > p.evaluationPeriods) {
    fail(`datapointsToAlarm must be 1..evaluationPeriods (${p.evaluationPeriods}), got ${p.datapointsToAlarm}`);
  }
  const window = p.periodSeconds * p.evaluationPeriods;
  if (window > maxEvaluationSeconds(p.periodSeconds))
    fail(`periodSeconds x evaluationPeriods = ${window} s exceeds ${maxEvaluationSeconds(p.periodSeconds)} s`);
  if (!Number.isFinite(p.threshold)) fail(`threshold must be a finite number, got ${p.threshold}`);
  if (p.math) {
    const ids = Object.keys(p.math.metrics);
    if (!ids.length) fail("math needs at least one metric");
    const bad = ids.filter((i) => !QUERY_ID_RE.test(i) || i === "expression");
    if (bad.length) fail(`metric ids ${bad.join(", ")} must start with a lower-case letter (letters, digits, _) and not be "expression"`);
  }
}

/** The metric_query blocks of an expression alarm: the metrics (not returned), then the expression. */
function mathQueries(math: MetricMath, period: number): CloudwatchMetricAlarmMetricQuery[] {
  return [
    ...Object.entries(math.metrics).map(([id, m]) => ({
      id,
      returnData: false,
      metric: { namespace: m.namespace, metricName: m.metricName, dimensions: { ...m.dimensions }, period, stat: m.stat },
    })),
    { id: "expression", expression: math.expression, label: math.label, returnData: true },
  ];
}
