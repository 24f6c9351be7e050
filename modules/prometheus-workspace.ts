/**
 * An Amazon Managed Service for Prometheus workspace: encrypted with a customer managed key (when
 * given), its vended logs in an encrypted log group with retention, and `grantRemoteWrite(role)`:
 * aps:RemoteWrite on exactly this workspace, as an inline policy of the writer's role.
 *
 * Addresses (construct id `<id>`): `aws_prometheus_workspace.<id>`, `aws_cloudwatch_log_group.<id>_logs`,
 * grants `aws_iam_role_policy.<grant id>`.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { PrometheusWorkspace as AmpWorkspace } from "@cdktf/provider-aws/lib/prometheus-workspace";
import { Construct } from "constructs";
import { policyJson } from "../core/policy";
import { preventDestroy, type DataProtection } from "./data-protection";

/** The IAM action a Prometheus remote-write client signs for. */
export const APS_REMOTE_WRITE = "aps:RemoteWrite";

export interface PrometheusWorkspaceProps {
  /** Workspace alias (1-100 characters). */
  readonly alias: string;
  /** Customer managed key of the workspace's data. @default an AWS owned key */
  readonly kmsKeyArn?: string;
  /** The workspace's log group (created here). */
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  /** KMS key of the log group. @default CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
  /** Protected: `lifecycle.prevent_destroy` keeps the workspace (its metrics) on destroy (modules/data-protection.ts). */
  readonly dataProtection: DataProtection;
}

export class PrometheusWorkspace extends Construct {
  readonly workspace: AmpWorkspace;
  readonly logGroup: CloudwatchLogGroup;

  constructor(scope: Construct, id: string, props: PrometheusWorkspaceProps) {
    super(scope, id);
    if (props.alias.length < 1 || props.alias.length > 100)
      throw new Error(`PrometheusWorkspace ${id}: alias must be 1-100 characters, got ${props.alias.length}`);
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
    });
    this.workspace = new AmpWorkspace(this, "Resource", {
      alias: props.alias,
      kmsKeyArn: props.kmsKeyArn,
      // Vended logs of the workspace (rule evaluation, alert manager); the ARN needs the `:*` suffix.
      loggingConfiguration: { logGroupArn: `${this.logGroup.arn}:*` },
    });
    preventDestroy(this.workspace, props.dataProtection);
  }

  get arn(): string {
    return this.workspace.arn;
  }

  /** The workspace's Prometheus endpoint, ending in `/`. */
  get endpoint(): string {
    return this.workspace.prometheusEndpoint;
  }

  /** Where Prometheus remote-write clients send. */
  get remoteWriteUrl(): string {
    return `${this.workspace.prometheusEndpoint}api/v1/remote_write`;
  }

  /** aps:RemoteWrite on this workspace for the role named `roleName` (an inline policy `<id>`). */
  grantRemoteWrite(scope: Construct, id: string, roleName: string): IamRolePolicy {
    return new IamRolePolicy(scope, id, {
      name: "prometheus-remote-write",
      role: roleName,
      policy: policyJson([{ Sid: "RemoteWriteToWorkspace", Action: APS_REMOTE_WRITE, Resource: this.workspace.arn }]),
    });
  }
}
