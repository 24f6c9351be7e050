import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { Construct } from "constructs";
import { policyJson, type PolicyStatement } from "../core/policy";

/** What the topic's owner account may do with it (the AWS default topic policy's list, no `sns:*`). */
export const SNS_OWNER_ACTIONS = [
  "sns:AddPermission",
  "sns:DeleteTopic",
  "sns:GetTopicAttributes",
  "sns:ListSubscriptionsByTopic",
  "sns:Publish",
  "sns:RemovePermission",
  "sns:SetTopicAttributes",
  "sns:Subscribe",
];

/** An AWS service that may publish, and the ARNs of its resources that may (aws:SourceArn). */
export interface TopicPublisher {
  /** Service principal, e.g. `cloudwatch.amazonaws.com`. */
  readonly service: string;
  /** ArnLike pattern of the publishing resources, e.g. `arn:aws:cloudwatch:us-west-2:111111111111:alarm:*`. */
  readonly sourceArn: string;
}

export interface AlarmTopicProps {
  readonly name: string;
  /** KMS key ARN for encryption at rest; its policy must let the publishers use it. */
  readonly kmsKeyArn: string;
  /** The owner account id: the confused-deputy guard of every publisher (aws:SourceAccount). */
  readonly accountId: string;
  /** Partition of the account, for the root principal. @default "aws" */
  readonly partition?: string;
  /** Services allowed to publish, each only from its own resources in this account. */
  readonly publishers: readonly TopicPublisher[];
}

/**
 * An SNS topic for alarms and events: encrypted with a customer-managed key, with a policy that
 * lets the owner account manage and subscribe, lets each named AWS service publish only on behalf
 * of this account's resources (aws:SourceAccount and aws:SourceArn), and refuses publishing
 * without TLS by anyone but AWS services (which call over TLS but do not all send
 * aws:SecureTransport, so a plain deny would drop their notifications).
 *
 * Addresses (construct id `alarm_topic`): aws_sns_topic.alarm_topic, aws_sns_topic_policy.alarm_topic_policy.
 */
export class AlarmTopic extends Construct {
  readonly topic: SnsTopic;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    if (!props.publishers.length) throw new Error(`AlarmTopic ${id}: no publishers`);
    this.topic = new SnsTopic(this, "Resource", { name: props.name, kmsMasterKeyId: props.kmsKeyArn });
    this.arn = this.topic.arn;
    this.name = this.topic.name;

    const statements: PolicyStatement[] = [
      {
        Sid: "OwnerAccount",
        Principal: { AWS: `arn:${props.partition ?? "aws"}:iam::${props.accountId}:root` },
        Action: SNS_OWNER_ACTIONS,
        Resource: this.topic.arn,
      },
      ...props.publishers.map((p): PolicyStatement => ({
        Sid: `Publish${p.service
          .split(".")[0]
          .replace(/^./, (c) => c.toUpperCase())
          .replace(/[^A-Za-z0-9]/g, "")}`,
        Principal: { Service: p.service },
        Action: "sns:Publish",
        Resource: this.topic.arn,
        Condition: { StringEquals: { "aws:SourceAccount": props.accountId }, ArnLike: { "aws:SourceArn": p.sourceArn } },
      })),
      {
        Sid: "DenyPublishWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "sns:Publish",
        Resource: this.topic.arn,
        Condition: { Bool: { "aws:SecureTransport": "false", "aws:PrincipalIsAWSService": "false" } },
      },
    ];
    new SnsTopicPolicy(this, "policy", { arn: this.topic.arn, policy: policyJson(statements) });
  }
}
