/**
 * An EventBridge rule with its targets: an event pattern, and per target an optional input
 * transformer (checked at synth: every `<variable>` of the template is defined or predefined),
 * a retry policy and a dead-letter queue for events EventBridge could not deliver.
 *
 * Also `chatNotificationTemplate`: an input template in AWS Chatbot's custom notification format
 * (`{"version": "1.0", "source": "custom", "content": {...}}`), which Chatbot renders in Slack,
 * e-mail subscribers read as a short JSON document, and functions can parse.
 *
 * Addresses, for a construct id `ecs-task-stopped` and a target id `alarm-topic`:
 * aws_cloudwatch_event_rule.ecs_task_stopped, aws_cloudwatch_event_target.ecs_task_stopped_alarm_topic.
 */
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Construct } from "constructs";
import { checkWholeNumber } from "./checks";

export interface EventInputTransformer {
  /** Variables: name -> JSON path in the event (`$.detail.reason`); at most 100. */
  readonly inputPaths: Readonly<Record<string, string>>;
  /** The text or JSON sent to the target, with `<variable>` placeholders (at most 8192 characters). */
  readonly inputTemplate: string;
}

export interface EventRuleTargetProps {
  /** Target ARN (an SNS topic, an SQS queue, a Lambda function ...). */
  readonly arn: string;
  /** Construct id of the target, and its Terraform target_id. */
  readonly id: string;
  /** Reshapes the event before delivery. @default the event as is */
  readonly inputTransformer?: EventInputTransformer;
  /** Queue receiving events EventBridge could not deliver after its retries (its policy must allow events.amazonaws.com). @default none */
  readonly deadLetterQueueArn?: string;
  /** Delivery retries, 0-185. @default 185 (EventBridge's default) */
  readonly maxRetryAttempts?: number;
  /** Oldest event still retried, 60-86400 seconds. @default 86400 (EventBridge's default) */
  readonly maxEventAgeSeconds?: number;
}

export interface EventRuleProps {
  /** Rule name: 1-64 of letters, digits, `.`, `-`, `_`. */
  readonly name: string;
  readonly description: string;
  /** The event pattern, as an object (serialized to JSON; Terraform references inside strings resolve). */
  readonly eventPattern: Readonly<Record<string, unknown>>;
  /** @default "default" */
  readonly eventBusName?: string;
  readonly targets: readonly EventRuleTargetProps[];
}

/** Variables EventBridge defines itself. */
const PREDEFINED = new Set([
  "aws.events.rule-arn",
  "aws.events.rule-name",
  "aws.events.event",
  "aws.events.event.json",
  "aws.events.event.ingestion-time",
]);

/** Throws when a template uses an undefined variable, or a variable name is one AWS refuses. */
export function checkInputTransformer(id: string, t: EventInputTransformer): void {
  const names = Object.keys(t.inputPaths);
  if (names.length > 100) throw new Error(`EventRule ${id}: at most 100 input paths, got ${names.length}`);
  for (const name of names) {
    if (!/^[A-Za-z0-9_-]+$/.test(name) || /^aws\./i.test(name))
      throw new Error(`EventRule ${id}: invalid input path variable ${JSON.stringify(name)}`);
    if (!/^\$(\.[A-Za-z0-9_-]+|\[\d+\])*$/.test(t.inputPaths[name]))
      throw new Error(`EventRule ${id}: input path ${name} is not a JSON path: ${JSON.stringify(t.inputPaths[name])}`);
  }
  if (t.inputTemplate.length > 8192)
    throw new Error(`EventRule ${id}: the input template has ${t.inputTemplate.length} characters (at most 8192)`);
  for (const [, name] of t.inputTemplate.matchAll(/<([^<>\s]+)>/g)) {
    if (!names.includes(name) && !PREDEFINED.has(name)) {
      throw new Error(
        `EventRule ${id}: the input template uses <${name}>, which is neither an input path (${names.join(", ") || "none"}) nor predefined`,
      );
    }
  }
}

export class EventRule extends Construct {
  readonly rule: CloudwatchEventRule;
  readonly targets: Readonly<Record<string, CloudwatchEventTarget>>;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: EventRuleProps) {
    super(scope, id);
    if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(props.name))
      throw new Error(`EventRule ${id}: invalid rule name ${JSON.stringify(props.name)} (1-64 of letters, digits, . - _)`);
    if (!props.targets.length) throw new Error(`EventRule ${id}: a rule needs at least one target`);
    if (props.targets.length > 5) throw new Error(`EventRule ${id}: at most 5 targets per rule, got ${props.targets.length}`);

    this.rule = new CloudwatchEventRule(this, "Resource", {
      name: props.name,
      description: props.description,
      eventBusName: props.eventBusName ?? "default",
      eventPattern: JSON.stringify(props.eventPattern),
      state: "ENABLED",
    });
    this.arn = this.rule.arn;
    this.name = this.rule.name;

    const targets: Record<string, CloudwatchEventTarget> = {};
    for (const t of props.targets) {
      if (t.id in targets) throw new Error(`EventRule ${id}: two targets with id ${t.id}`);
      if (!/^[.\-_A-Za-z0-9]{1,64}$/.test(t.id)) throw new Error(`EventRule ${id}: invalid target id ${JSON.stringify(t.id)}`);
      checkWholeNumber(`EventRule ${id}`, "maxRetryAttempts", t.maxRetryAttempts, 0, 185);
      checkWholeNumber(`EventRule ${id}`, "maxEventAgeSeconds", t.maxEventAgeSeconds, 60, 86400);
      if (t.inputTransformer) checkInputTransformer(id, t.inputTransformer);
      targets[t.id] = new CloudwatchEventTarget(this, t.id, {
        rule: this.rule.name,
        eventBusName: this.rule.eventBusName,
        targetId: t.id,
        arn: t.arn,
        inputTransformer: t.inputTransformer
          ? { inputPaths: { ...t.inputTransformer.inputPaths }, inputTemplate: t.inputTransformer.inputTemplate }
          : undefined,
        retryPolicy: { maximumRetryAttempts: t.maxRetryAttempts ?? 185, maximumEventAgeInSeconds: t.maxEventAgeSeconds ?? 86400 },
        deadLetterConfig: t.deadLetterQueueArn ? { arn: t.deadLetterQueueArn } : undefined,
      });
    }
    this.targets = targets;
  }
}

/** What an AWS Chatbot custom notification says; strings may hold `<variable>` placeholders. */
export interface ChatNotification {
  /** One line (chat markdown). */
  readonly title: string;
  /** The message (chat markdown). Literal `<` and `>` are not possible: EventBridge reads them as placeholders. */
  readonly description: string;
  /** Bullet points under the message. @default none */
  readonly nextSteps?: readonly string[];
  /** Shown as tags. @default none */
  readonly keywords?: readonly string[];
  /** `metadata.eventType`. @default none */
  readonly eventType?: string;
  /** Notifications with the same thread id are threaded in the channel (when its preferences allow). @default none */
  readonly threadId?: string;
  /** `metadata.additionalContext`: string values, not shown by Chatbot. @default none */
  readonly additionalContext?: Readonly<Record<string, string>>;
}

/** A compact JSON input template in AWS Chatbot's custom notification format (version 1.0). */
export function chatNotificationTemplate(n: ChatNotification): string {
  return JSON.stringify({
    version: "1.0",
    source: "custom",
    content: {
      textType: "client-markdown",
      title: n.title,
      description: n.description,
      ...(n.nextSteps?.length ? { nextSteps: n.nextSteps } : {}),
      ...(n.keywords?.length ? { keywords: n.keywords } : {}),
    },
    metadata: {
      ...(n.eventType ? { eventType: n.eventType } : {}),
      ...(n.threadId ? { threadId: n.threadId } : {}),
      ...(n.additionalContext ? { additionalContext: n.additionalContext } : {}),
    },
  });
}
