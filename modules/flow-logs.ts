import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { FlowLog } from "@cdktf/provider-aws/lib/flow-log";
import { Construct } from "constructs";
import { Arns } from "../core/policy";
import { KmsKey, KMS_USE_ACTIONS } from "./kms-key";
import { ServiceRole } from "./service-role";

export interface FlowLogsProps {
  readonly vpcId: string;
  /** Log group name, e.g. `/<project>/<env>/network/flow-logs`. */
  readonly logGroupName: string;
  /** Name of the IAM role the flow-log service assumes (64 characters at most). */
  readonly roleName: string;
  readonly retentionDays: number;
  readonly region: string;
  readonly accountId: string;
  /** @default "ALL" */
  readonly trafficType?: "ALL" | "ACCEPT" | "REJECT";
  /** Seconds per aggregation window, 60 or 600. @default 600 */
  readonly maxAggregationInterval?: 60 | 600;
  /**
   * Alias of a dedicated KMS key for the log group. The flow-log layer comes before the security
   * layer's keys, so it owns its key. Unset: CloudWatch Logs' default encryption.
   * @default no key
   */
  readonly kmsAlias?: string;
  /** @default 30 */
  readonly kmsDeletionWindowDays?: number;
}

/**
 * VPC flow logs to a CloudWatch Logs group with retention, optionally KMS-encrypted, delivered by
 * a role the vpc-flow-logs service can assume only for this account, writing only to this group.
 */
export class FlowLogs extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly key?: KmsKey;

  constructor(scope: Construct, id: string, props: FlowLogsProps) {
    super(scope, id);
    const arns = new Arns(props.region, props.accountId);
    const groupArn = arns.arn("logs", `log-group:${props.logGroupName}`);

    if (props.kmsAlias) {
      this.key = new KmsKey(this, "kms", {
        alias: props.kmsAlias,
        description: `Encrypts the VPC flow-log group ${props.logGroupName}`,
        adminPrincipalArn: arns.root,
        deletionWindowDays: props.kmsDeletionWindowDays,
        statements: [
          {
            Sid: "CloudWatchLogsUse",
            Principal: { Service: `logs.${props.region}.amazonaws.com` },
            Action: KMS_USE_ACTIONS,
            Resource: "*",
            Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": groupArn } },
          },
        ],
      });
    }

    this.logGroup = new CloudwatchLogGroup(this, "log_group", {
      name: props.logGroupName,
      retentionInDays: props.retentionDays,
      kmsKeyId: this.key?.arn,
    });

    const role = new ServiceRole(this, "role", {
      name: props.roleName,
      description: "Delivers VPC flow logs to CloudWatch Logs",
      service: "vpc-flow-logs.amazonaws.com",
      sourceAccount: props.accountId,
      trustConditions: { ArnLike: { "aws:SourceArn": arns.arn("ec2", "vpc-flow-log/*") } },
      policies: {
        deliver: [
          {
            Sid: "WriteFlowLogs",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            Resource: [groupArn, `${groupArn}:*`],
          },
          // DescribeLogGroups takes no resource type (AWS's service authorization data): only
          // Resource "*" authorizes it; a log-group ARN here never matched (tools/review/iam-data.ts).
          { Sid: "FindLogGroup", Action: ["logs:DescribeLogGroups"], Resource: "*" },
        ],
      },
    });

    new FlowLog(this, "Resource", {
      vpcId: props.vpcId,
      trafficType: props.trafficType ?? "ALL",
      logDestinationType: "cloud-watch-logs",
      logDestination: this.logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: props.maxAggregationInterval ?? 600,
    });
  }
}
