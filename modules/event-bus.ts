import { CloudwatchEventBus } from "@cdktf/provider-aws/lib/cloudwatch-event-bus";
import { CloudwatchEventRule } from "@cdktf/provider-aws/lib/cloudwatch-event-rule";
import { CloudwatchEventTarget } from "@cdktf/provider-aws/lib/cloudwatch-event-target";
import { Construct } from "constructs";
import type { Grantee } from "../core/grants";
import type { Arns } from "../core/policy";

/** One rule of the bus. */
export interface EventBusRule {
  /** Rule name (64 characters at most). */
  readonly name: string;
  /** @default none */
  readonly description?: string;
  /** Event pattern (an object, sent as JSON). */
  readonly pattern: Record<string, unknown>;
  /** @default true */
  readonly enabled?: boolean;
  /** Targets by id (the EventBridge target id and the construct id): queue or topic ARNs whose policies allow events.amazonaws.com. */
  readonly targets: Readonly<Record<string, string>>;
}

export interface EventBusProps {
  /** Bus name (not `default`). */
  readonly name: string;
  /** @default none */
  readonly description?: string;
  /** Rules by id (the construct id). @default none */
  readonly rules?: Readonly<Record<string, EventBusRule>>;
}

/**
 * A custom EventBridge bus with rules that route matching events to queues and topics. The
 * targets' resource policies must let events.amazonaws.com send, with the rule as aws:SourceArn
 * (EncryptedQueue `senders`, EncryptedTopic `publishers`); `ruleArn()` gives those ARNs.
 * Rules on a custom bus see only the events put on it (PutEvents), not AWS service events.
 *
 * Grants (core/grants.ts):
 * - `grantPutEvents(grantee)`: events:PutEvents on this bus (`PutEvents`); the bus uses an AWS
 *   owned key, so there is no key to grant. The ARN is a literal from `name` (`EventBus.arnOf`).
 *
 * Addresses for an id `events`: aws_cloudwatch_event_bus.events, aws_cloudwatch_event_rule.events_<rule>,
 * aws_cloudwatch_event_target.events_<rule>_<target>.
 */
export class EventBus extends Construct {
  readonly bus: CloudwatchEventBus;
  readonly name: string;
  readonly arn: string;
  /** Rule ARNs by id. */
  readonly ruleArns: Readonly<Record<string, string>>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: EventBusProps,
  ) {
    super(scope, id);
    if (props.name === "default" || !/^[A-Za-z0-9._-]{1,256}$/.test(props.name))
      throw new Error(`EventBus ${id}: invalid bus name ${JSON.stringify(props.name)}`);
    this.bus = new CloudwatchEventBus(this, "Resource", { name: props.name, description: props.description });
    this.name = this.bus.name;
    this.arn = this.bus.arn;

    const ruleArns: Record<string, string> = {};
    for (const [key, r] of Object.entries(props.rules ?? {})) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(r.name)) throw new Error(`EventBus ${id}: invalid rule name ${JSON.stringify(r.name)}`);
      if (!Object.keys(r.targets).length) throw new Error(`EventBus ${id}: rule ${key} has no targets`);
      const rule = new CloudwatchEventRule(this, key, {
        name: r.name,
        description: r.description,
        eventBusName: this.bus.name,
        eventPattern: JSON.stringify(r.pattern),
        state: r.enabled === false ? "DISABLED" : "ENABLED",
      });
      ruleArns[key] = rule.arn;
      for (const [targetId, arn] of Object.entries(r.targets)) {
        if (!/^[A-Za-z0-9._-]{1,64}$/.test(targetId)) throw new Error(`EventBus ${id}: invalid target id ${JSON.stringify(targetId)}`);
        new CloudwatchEventTarget(this, `${key}-${targetId}`, { rule: rule.name, eventBusName: this.bus.name, targetId, arn });
      }
    }
    this.ruleArns = ruleArns;
  }

  /** The ARN a rule of this bus will have (for resource policies built before the rule). */
  static ruleArn(partition: string, region: string, accountId: string, busName: string, ruleName: string): string {
    return `arn:${partition}:events:${region}:${accountId}:rule/${busName}/${ruleName}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Grants

  /** The ARN a bus named `name` has (a literal, for policies written before it exists). */
  static arnOf(arns: Arns, name: string): string {
    return arns.arn("events", `event-bus/${name}`);
  }

  /** Put events on the bus. */
  grantPutEvents(grantee: Grantee): void {
    grantee.addStatement({ Sid: "PutEvents", Action: ["events:PutEvents"], Resource: EventBus.arnOf(grantee.arns, this.props.name) });
  }
}
