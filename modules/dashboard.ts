import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import type { Metric } from "./alarm-set";

/** A metric on a graph; `id` and `visible: false` let an expression use it without drawing it. */
export interface GraphMetric extends Metric {
  readonly id?: string;
  readonly visible?: boolean;
}

/** A computed series: metric math, or a SEARCH expression. */
export interface GraphExpression {
  readonly id: string;
  readonly expression: string;
  readonly label: string;
}

export interface GraphWidget {
  readonly type: "graph";
  readonly title: string;
  readonly metrics?: readonly GraphMetric[];
  readonly expressions?: readonly GraphExpression[];
  /** Seconds per data point. @default 60 */
  readonly periodSeconds?: number;
  /** Dashed horizontal lines, e.g. alarm thresholds. @default none */
  readonly lines?: readonly { readonly value: number; readonly label: string }[];
  /** Columns of 24. @default 12 */
  readonly width?: number;
  /** Start the y axis at 0. @default true */
  readonly fromZero?: boolean;
}

/** The state of alarms. */
export interface AlarmStatusWidget {
  readonly type: "alarms";
  readonly title: string;
  /** At most 100 alarm ARNs. */
  readonly alarmArns: readonly string[];
}

/** Markdown. */
export interface TextWidget {
  readonly type: "text";
  readonly markdown: string;
}

export type Widget = GraphWidget | AlarmStatusWidget | TextWidget;

export interface DashboardProps {
  /** Dashboard name: letters, digits, `-` and `_`, 255 at most. */
  readonly name: string;
  /** Region of the metrics. */
  readonly region: string;
  readonly widgets: readonly Widget[];
  /**
   * Resources created first, e.g. the alarms an alarm-status widget shows when their ARNs are
   * given as literal strings (which keeps the body known at plan time). @default none
   */
  readonly dependsOn?: readonly ITerraformDependable[];
}

const GRID = 24;

/** Height of a widget in grid rows. */
function height(w: Widget): number {
  if (w.type === "text") return Math.max(1, w.markdown.split("\n").length);
  if (w.type === "alarms") return 2 + Math.ceil(w.alarmArns.length / 4);
  return 6;
}

function width(w: Widget): number {
  return w.type === "graph" ? (w.width ?? 12) : GRID;
}

/** `[namespace, name, dim, value, ..., {options}]`: a metric in the dashboard body format. */
function metricRow(m: GraphMetric): unknown[] {
  const options: Record<string, unknown> = { stat: m.stat };
  if (m.label !== undefined) options.label = m.label;
  if (m.id !== undefined) options.id = m.id;
  if (m.visible === false) options.visible = false;
  // Dimension order is part of CloudWatch's metric identity in the console; keep the given order.
  return [m.namespace, m.metricName, ...Object.entries(m.dimensions).flat(), options];
}

function properties(w: Widget, region: string): Record<string, unknown> {
  if (w.type === "text") return { markdown: w.markdown };
  if (w.type === "alarms") return { title: w.title, alarms: [...w.alarmArns], sortBy: "stateUpdatedTimestamp" };
  return {
    title: w.title,
    view: "timeSeries",
    region,
    stat: "Average",
    period: w.periodSeconds ?? 60,
    metrics: [
      ...(w.expressions ?? []).map((e) => [{ expression: e.expression, label: e.label, id: e.id }]),
      ...(w.metrics ?? []).map(metricRow),
    ],
    ...(w.lines?.length ? { annotations: { horizontal: w.lines.map((l) => ({ value: l.value, label: l.label })) } } : {}),
    ...(w.fromZero === false ? {} : { yAxis: { left: { min: 0 } } }),
  };
}

/**
 * The dashboard_body JSON: widgets laid out left to right, top to bottom on CloudWatch's 24-column
 * grid (graphs 12 wide by default, text and alarm status full width). The same widgets always give
 * the same body, so a plan shows no change unless a widget changed.
 */
export function dashboardBody(region: string, widgets: readonly Widget[]): string {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  const placed = widgets.map((w) => {
    const wd = width(w);
    if (wd < 1 || wd > GRID) throw new Error(`dashboard widget width must be 1-${GRID}, got ${wd}`);
    if (w.type === "alarms" && (w.alarmArns.length < 1 || w.alarmArns.length > 100)) {
      throw new Error(`an alarm status widget shows 1-100 alarms, got ${w.alarmArns.length}`);
    }
    if (x + wd > GRID) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const h = height(w);
    const out = {
      type: w.type === "graph" ? "metric" : w.type === "alarms" ? "alarm" : "text",
      x,
      y,
      width: wd,
      height: h,
      properties: properties(w, region),
    };
    x += wd;
    rowHeight = Math.max(rowHeight, h);
    return out;
  });
  return JSON.stringify({ widgets: placed });
}

/** A CloudWatch dashboard built from widget descriptions (see dashboardBody). */
export class Dashboard extends Construct {
  readonly dashboard: CloudwatchDashboard;
  readonly name: string;

  constructor(scope: Construct, id: string, props: DashboardProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(props.name))
      throw new Error(`Dashboard ${id}: name ${JSON.stringify(props.name)} is not 1-255 of A-Z a-z 0-9 - _`);
    if (!props.widgets.length) throw new Error(`Dashboard ${id}: no widgets`);
    this.dashboard = new CloudwatchDashboard(this, "Resource", {
      dashboardName: props.name,
      dashboardBody: dashboardBody(props.region, props.widgets),
      dependsOn: props.dependsOn?.length ? [...props.dependsOn] : undefined,
    });
    this.name = this.dashboard.dashboardName;
  }
}
