import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { SqsQueueRedriveAllowPolicy } from "@cdktf/provider-aws/lib/sqs-queue-redrive-allow-policy";
import { Construct } from "constructs";
import { type Grantee, sidName } from "../core/grants";
import { Arns, denyInsecureTransport, policyJson, type PolicyStatement } from "../core/policy";
import type { Metric } from "./alarm-set";
import { Fn, Token } from "cdktf";
import { checkWholeNumber } from "./checks";

/** An AWS service that may send to the queue, only on behalf of one of `sourceArns`. */
export interface QueueSender {
  /** Service principal, e.g. `sns.amazonaws.com`, `events.amazonaws.com`. */
  readonly service: string;
  /** ARNs of the topics, rules, ... it sends for (aws:SourceArn). */
  readonly sourceArns: readonly string[];
}

export interface EncryptedQueueProps {
  /** Queue name (fit it with Naming first; 80 characters, `.fifo` included for FIFO queues). */
  readonly name: string;
  /** Name of its dead-letter queue (FIFO queues: ends in `.fifo` too). */
  readonly deadLetterName: string;
  /** KMS key encrypting both queues. @default SQS-managed encryption (SSE-SQS) */
  readonly kmsKeyArn?: string;
  /** @default false */
  readonly fifo?: boolean;
  /** FIFO only. @default false */
  readonly contentBasedDeduplication?: boolean;
  /** 0-43200 seconds. @default 30 */
  readonly visibilityTimeoutSeconds?: number;
  /** 60-1209600 seconds. @default 345600 (4 days) */
  readonly retentionSeconds?: number;
  /** 0-900 seconds. @default 0 */
  readonly delaySeconds?: number;
  /** Long polling, 0-20 seconds. @default 20 */
  readonly receiveWaitSeconds?: number;
  /** Receives before a message moves to the dead-letter queue, 1-1000. @default 5 */
  readonly maxReceiveCount?: number;
  /** Retention of the dead-letter queue. @default 1209600 (14 days) */
  readonly deadLetterRetentionSeconds?: number;
  /** AWS services allowed to send (SNS topics, EventBridge rules), each for its own source ARNs. @default none */
  readonly senders?: readonly QueueSender[];
}

/**
 * An SQS queue with its dead-letter queue: both encrypted (KMS or SSE-SQS), a redrive policy
 * after `maxReceiveCount` receives, a redrive-allow policy on the dead-letter queue that accepts
 * this queue only (byQueue), and queue policies that deny any request without TLS and let the
 * listed AWS services send, each only for its own source ARNs (confused-deputy guard).
 *
 * Grants (core/grants.ts; statement ids from the construct id, `jobs` -> `Jobs`):
 * - `grantConsume(grantee)`: receive, delete, change visibility, attributes and URL (`Consume<Id>Queue`),
 *   kms:Decrypt on its key through SQS.
 * - `grantSend(grantee)`: send, attributes and URL (`Produce<Id>Queue`), kms:Decrypt and
 *   kms:GenerateDataKey on its key through SQS.
 * The ARN is a literal from `name` (`EncryptedQueue.arnOf`).
 *
 * Addresses for an id `jobs`: aws_sqs_queue.jobs, aws_sqs_queue.jobs_dlq, aws_sqs_queue_policy.jobs_policy,
 * aws_sqs_queue_policy.jobs_dlq_policy, aws_sqs_queue_redrive_allow_policy.jobs_dlq_redrive_allow.
 */
export class EncryptedQueue extends Construct {
  readonly queue: SqsQueue;
  readonly deadLetterQueue: SqsQueue;
  readonly arn: string;
  readonly url: string;
  readonly name: string;
  readonly deadLetterArn: string;
  readonly deadLetterName: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: EncryptedQueueProps,
  ) {
    super(scope, id);
    const fifo = props.fifo ?? false;
    for (const n of [props.name, props.deadLetterName]) {
      const re = fifo ? /^[a-zA-Z0-9_-]{1,75}\.fifo$/ : /^[a-zA-Z0-9_-]{1,80}$/;
      if (!re.test(n)) throw new Error(`EncryptedQueue ${id}: invalid ${fifo ? "FIFO " : ""}queue name ${JSON.stringify(n)}`);
    }
    if (props.contentBasedDeduplication && !fifo) throw new Error(`EncryptedQueue ${id}: contentBasedDeduplication needs a FIFO queue`);
    checkWholeNumber(`EncryptedQueue ${id}`, "visibilityTimeoutSeconds", props.visibilityTimeoutSeconds, 0, 43200);
    checkWholeNumber(`EncryptedQueue ${id}`, "retentionSeconds", props.retentionSeconds, 60, 1209600);
    checkWholeNumber(`EncryptedQueue ${id}`, "deadLetterRetentionSeconds", props.deadLetterRetentionSeconds, 60, 1209600);
    checkWholeNumber(`EncryptedQueue ${id}`, "delaySeconds", props.delaySeconds, 0, 900);
    checkWholeNumber(`EncryptedQueue ${id}`, "receiveWaitSeconds", props.receiveWaitSeconds, 0, 20);
    checkWholeNumber(`EncryptedQueue ${id}`, "maxReceiveCount", props.maxReceiveCount, 1, 1000);

    const encryption = props.kmsKeyArn
      ? { kmsMasterKeyId: props.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 }
      : { sqsManagedSseEnabled: true };
    const fifoSettings = fifo ? { fifoQueue: true, contentBasedDeduplication: props.contentBasedDeduplication ?? false } : {};

    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: props.deadLetterName,
      messageRetentionSeconds: props.deadLetterRetentionSeconds ?? 1209600,
      ...fifoSettings,
      ...encryption,
    });
    this.queue = new SqsQueue(this, "Resource", {
      name: props.name,
      visibilityTimeoutSeconds: props.visibilityTimeoutSeconds ?? 30,
      messageRetentionSeconds: props.retentionSeconds ?? 345600,
      delaySeconds: props.delaySeconds ?? 0,
      receiveWaitTimeSeconds: props.receiveWaitSeconds ?? 20,
      redrivePolicy: JSON.stringify({ deadLetterTargetArn: this.deadLetterQueue.arn, maxReceiveCount: props.maxReceiveCount ?? 5 }),
      ...fifoSettings,
      ...encryption,
    });
    // Only this queue may move messages into the dead-letter queue.
    new SqsQueueRedriveAllowPolicy(this, "dlq-redrive-allow", {
      queueUrl: this.deadLetterQueue.url,
      redriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: [this.queue.arn] }),
    });

    const tlsOnly = (arn: string): PolicyStatement => denyInsecureTransport("sqs:*", arn);
    const senders: PolicyStatement[] = (props.senders ?? [])
      .filter((s) => s.sourceArns.length)
      .map((s) => ({
        Sid: `Allow${s.service.split(".")[0].replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`,
        Principal: { Service: s.service },
        Action: "sqs:SendMessage",
        Resource: this.queue.arn,
        Condition: { ArnEquals: { "aws:SourceArn": [...s.sourceArns] } },
      }));
    new SqsQueuePolicy(this, "policy", { queueUrl: this.queue.url, policy: policyJson([tlsOnly(this.queue.arn), ...senders]) });
    new SqsQueuePolicy(this, "dlq-policy", { queueUrl: this.deadLetterQueue.url, policy: policyJson([tlsOnly(this.deadLetterQueue.arn)]) });

    this.arn = this.queue.arn;
    this.url = this.queue.url;
    this.name = this.queue.name;
    this.deadLetterArn = this.deadLetterQueue.arn;
    this.deadLetterName = this.deadLetterQueue.name;
  }

  // ---------------------------------------------------------------------------------------------
  // Grants

  /** The ARN a queue named `name` has (a literal, for policies written before it exists). */
  static arnOf(arns: Arns, name: string): string {
    return arns.arn("sqs", name);
  }

  /** The actions behind each grant. */
  static readonly GRANT_ACTIONS = {
    consume: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
    send: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
  } as const;

  /** Receive and delete messages (and decrypt them with the queue's key, through SQS only). */
  grantConsume(grantee: Grantee): void {
    grantee.addStatement({
      Sid: `Consume${sidName(this.node.id)}Queue`,
      Action: [...EncryptedQueue.GRANT_ACTIONS.consume],
      Resource: EncryptedQueue.arnOf(grantee.arns, this.props.name),
    });
    if (this.props.kmsKeyArn) grantee.useKey({ keyArn: this.props.kmsKeyArn, service: "sqs", actions: ["kms:Decrypt"] });
  }

  /** Send messages (and encrypt them with the queue's key, through SQS only). */
  grantSend(grantee: Grantee): void {
    grantee.addStatement({
      Sid: `Produce${sidName(this.node.id)}Queue`,
      Action: [...EncryptedQueue.GRANT_ACTIONS.send],
      Resource: EncryptedQueue.arnOf(grantee.arns, this.props.name),
    });
    if (this.props.kmsKeyArn)
      grantee.useKey({ keyArn: this.props.kmsKeyArn, service: "sqs", actions: ["kms:Decrypt", "kms:GenerateDataKey"] });
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on and draws; names from the owning layer's outputs)

/** An AWS/SQS metric of a queue (`QueueName`); SQS publishes them once a minute, Maximum is the usual statistic. */
export function queueMetric(metricName: string, queueName: string, stat = "Maximum"): Metric {
  return { namespace: "AWS/SQS", metricName, dimensions: { QueueName: queueName }, stat };
}

/** A queue's name from its ARN (`arn:<partition>:sqs:<region>:<account>:<name>`), resolved by Terraform. */
export function queueNameFromArn(arn: string): string {
  return Token.asString(Fn.element(Fn.split(":", arn), 5));
}
