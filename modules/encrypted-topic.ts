import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Construct } from "constructs";
import { type Grantee, sidName } from "../core/grants";
import { Arns, denyInsecureTransport, policyJson, type PolicyStatement } from "../core/policy";

/** An AWS service that may publish to the topic, only on behalf of one of `sourceArns`. */
export interface TopicPublisher {
  /** Service principal, e.g. `events.amazonaws.com`, `ses.amazonaws.com`. */
  readonly service: string;
  /** ARNs of the rules, configuration sets, ... it publishes for (aws:SourceArn). */
  readonly sourceArns: readonly string[];
  /** Account the sources belong to (aws:SourceAccount), for services that send it. @default none */
  readonly sourceAccount?: string;
}

export interface EncryptedTopicProps {
  /** Topic name (fit it with Naming first: 256 characters). */
  readonly name: string;
  /** KMS key encrypting messages at rest. AWS services publishing must be allowed to use it. @default the AWS managed key alias/aws/sns */
  readonly kmsKeyArn?: string;
  /** @default none */
  readonly displayName?: string;
  /** AWS services allowed to publish, each for its own source ARNs. @default none */
  readonly publishers?: readonly TopicPublisher[];
}

/** Options every subscription takes. */
export interface SubscriptionOptions {
  /** SNS filter policy (an object, sent as JSON). @default none: every message */
  readonly filterPolicy?: Record<string, unknown>;
  /** @default "MessageAttributes" */
  readonly filterPolicyScope?: "MessageAttributes" | "MessageBody";
}

/**
 * An SNS topic encrypted with a KMS key, with a policy that denies publishing without TLS and lets
 * the listed AWS services publish for their own sources only. Subscriptions are added with
 * `subscribeQueue`, `subscribeFunction` (with the Lambda permission) and `subscribeEmail`; the
 * queue's own policy must let this topic send (EncryptedQueue `senders`).
 *
 * Grants (core/grants.ts; statement ids from the construct id, `alerts` -> `Alerts`):
 * - `grantPublish(grantee)`: sns:Publish (`Publish<Id>Topic`), kms:Decrypt and kms:GenerateDataKey
 *   on its key through SNS (a customer managed key only; the AWS managed key needs no grant).
 * The ARN is a literal from `name` (`EncryptedTopic.arnOf`).
 *
 * Addresses for an id `alerts`: aws_sns_topic.alerts, aws_sns_topic_policy.alerts_policy, and per
 * subscription id `<sub>`: aws_sns_topic_subscription.alerts_<sub> (+ aws_lambda_permission.alerts_<sub>_invoke).
 */
export class EncryptedTopic extends Construct {
  readonly topic: SnsTopic;
  readonly arn: string;
  readonly name: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: EncryptedTopicProps,
  ) {
    super(scope, id);
    if (!/^[a-zA-Z0-9_-]{1,256}$/.test(props.name))
      throw new Error(`EncryptedTopic ${id}: invalid topic name ${JSON.stringify(props.name)}`);
    this.topic = new SnsTopic(this, "Resource", {
      name: props.name,
      displayName: props.displayName,
      kmsMasterKeyId: props.kmsKeyArn ?? "alias/aws/sns",
    });
    this.arn = this.topic.arn;
    this.name = this.topic.name;

    const statements: PolicyStatement[] = [
      denyInsecureTransport("sns:Publish", this.topic.arn),
      ...(props.publishers ?? [])
        .filter((p) => p.sourceArns.length)
        .map((p): PolicyStatement => ({
          Sid: `Allow${p.service.split(".")[0].replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`,
          Principal: { Service: p.service },
          Action: "sns:Publish",
          Resource: this.topic.arn,
          Condition: {
            ArnEquals: { "aws:SourceArn": [...p.sourceArns] },
            ...(p.sourceAccount ? { StringEquals: { "aws:SourceAccount": p.sourceAccount } } : {}),
          },
        })),
    ];
    new SnsTopicPolicy(this, "policy", { arn: this.topic.arn, policy: policyJson(statements) });
  }

  private options(o: SubscriptionOptions = {}) {
    return o.filterPolicy
      ? { filterPolicy: JSON.stringify(o.filterPolicy), filterPolicyScope: o.filterPolicyScope ?? "MessageAttributes" }
      : {};
  }

  /** Delivers to an SQS queue (whose policy must allow sns.amazonaws.com with this topic as source). */
  subscribeQueue(
    id: string,
    queueArn: string,
    opts: SubscriptionOptions & { readonly rawMessageDelivery?: boolean } = {},
  ): SnsTopicSubscription {
    return new SnsTopicSubscription(this, id, {
      topicArn: this.topic.arn,
      protocol: "sqs",
      endpoint: queueArn,
      rawMessageDelivery: opts.rawMessageDelivery ?? false,
      ...this.options(opts),
    });
  }

  /**
   * Invokes a Lambda function (asynchronously: its retries and failure destination apply), with
   * the permission for this topic only. `functionArn` may be an alias ARN; then `qualifier` names it.
   */
  subscribeFunction(
    id: string,
    fn: { readonly functionArn: string; readonly functionName: string; readonly qualifier?: string },
    opts: SubscriptionOptions = {},
  ): SnsTopicSubscription {
    const permission = new LambdaPermission(this, `${id}-invoke`, {
      statementId: `sns-${this.node.id}`.slice(0, 100),
      action: "lambda:InvokeFunction",
      functionName: fn.functionName,
      qualifier: fn.qualifier,
      principal: "sns.amazonaws.com",
      sourceArn: this.topic.arn,
    });
    return new SnsTopicSubscription(this, id, {
      topicArn: this.topic.arn,
      protocol: "lambda",
      endpoint: fn.functionArn,
      ...this.options(opts),
      dependsOn: [permission],
    });
  }

  /** Sends to an e-mail address; it stays pending until the recipient confirms. */
  subscribeEmail(id: string, address: string, opts: SubscriptionOptions = {}): SnsTopicSubscription {
    return new SnsTopicSubscription(this, id, { topicArn: this.topic.arn, protocol: "email", endpoint: address, ...this.options(opts) });
  }

  // ---------------------------------------------------------------------------------------------
  // Grants

  /** The ARN a topic named `name` has (a literal, for policies written before it exists). */
  static arnOf(arns: Arns, name: string): string {
    return arns.arn("sns", name);
  }

  /** Publish to the topic (and encrypt with its key, through SNS only). */
  grantPublish(grantee: Grantee): void {
    grantee.addStatement({
      Sid: `Publish${sidName(this.node.id)}Topic`,
      Action: ["sns:Publish"],
      Resource: EncryptedTopic.arnOf(grantee.arns, this.props.name),
    });
    if (this.props.kmsKeyArn)
      grantee.useKey({ keyArn: this.props.kmsKeyArn, service: "sns", actions: ["kms:Decrypt", "kms:GenerateDataKey"] });
  }
}
