/**
 * Blue/green deployments of ECS services through AWS CodeDeploy.
 *
 * - `CodeDeployEcsApplication`: the CodeDeploy application (compute platform ECS), its service role
 *   (trusted by `codedeploy.amazonaws.com` for this account's deployment groups of this application,
 *   with the AWS managed policy `AWSCodeDeployRoleForECS` attached by its constant ARN: no data
 *   source) and, for a custom traffic shift, an `aws_codedeploy_deployment_config`.
 * - `EcsBlueGreenDeployment`: one deployment group per service: blue/green with traffic control,
 *   the service's two target groups, the production listener and the optional test listener,
 *   automatic rollback on failure and on its alarm, the approval and termination waits; and the
 *   rollback alarm (5XX share of both target groups).
 *
 * The ECS service itself must use the CODE_DEPLOY deployment controller (modules/fargate-service.ts)
 * and its listener rules must leave their actions to CodeDeploy (modules/load-balancer.ts).
 *
 * Addresses, for ids `codedeploy` and `<service>_deployment`: `aws_codedeploy_app.codedeploy`,
 * `aws_iam_role.codedeploy_role`, `aws_iam_role_policy_attachment.codedeploy_role_ecs`,
 * `aws_codedeploy_deployment_config.codedeploy_traffic` (custom shifts only);
 * `aws_codedeploy_deployment_group.<service>_deployment`,
 * `aws_cloudwatch_metric_alarm.<service>_deployment_5xx`.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { CodedeployApp } from "@cdktf/provider-aws/lib/codedeploy-app";
import { CodedeployDeploymentConfig } from "@cdktf/provider-aws/lib/codedeploy-deployment-config";
import { CodedeployDeploymentGroup } from "@cdktf/provider-aws/lib/codedeploy-deployment-group";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { ServiceRole } from "./service-role";

/** AWS managed policy of CodeDeploy's ECS service role (after `arn:<partition>:`). */
export const CODEDEPLOY_ECS_POLICY = "iam::aws:policy/AWSCodeDeployRoleForECS";

/** A custom time-based traffic shift. */
export interface CustomTrafficShift {
  readonly type: "canary" | "linear";
  /** Share of production traffic per step, 1-99. */
  readonly percent: number;
  /** Minutes between steps. */
  readonly intervalMinutes: number;
}

export interface CodeDeployEcsApplicationProps {
  /** Application name (1-100 characters). */
  readonly name: string;
  /** Service role name (64 characters at most). */
  readonly roleName: string;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** A custom traffic shift to create as a deployment configuration, with its name. @default none (predefined configurations need no resource) */
  readonly customTraffic?: { readonly name: string; readonly shift: CustomTrafficShift };
}

export class CodeDeployEcsApplication extends Construct {
  readonly app: CodedeployApp;
  readonly name: string;
  readonly role: ServiceRole;
  /** The custom deployment configuration, when one was asked for. */
  readonly deploymentConfig?: CodedeployDeploymentConfig;

  constructor(scope: Construct, id: string, props: CodeDeployEcsApplicationProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_.+-]{1,100}$/.test(props.name))
      throw new Error(`${this.node.path}: CodeDeploy application name ${JSON.stringify(props.name)} must be 1-100 of A-Z a-z 0-9 _ . + -`);
    this.app = new CodedeployApp(this, "Resource", { name: props.name, computePlatform: "ECS" });
    this.name = this.app.name;

    // Confused-deputy guard: only CodeDeploy acting for this account's deployment groups of this
    // application may assume the role.
    this.role = new ServiceRole(this, "role", {
      name: props.roleName,
      description: `CodeDeploy blue/green deployments of the ECS services of ${props.name}`,
      service: "codedeploy.amazonaws.com",
      sourceAccount: props.accountId,
      trustConditions: {
        ArnLike: {
          "aws:SourceArn": `arn:${props.partition}:codedeploy:${props.region}:${props.accountId}:deploymentgroup:${props.name}/*`,
        },
      },
    });
    new IamRolePolicyAttachment(this.role, "ecs", {
      role: this.role.roleName,
      policyArn: `arn:${props.partition}:${CODEDEPLOY_ECS_POLICY}`,
    });

    const custom = props.customTraffic;
    if (custom) {
      const { type, percent, intervalMinutes } = custom.shift;
      if (!Number.isInteger(percent) || percent < 1 || percent > 99)
        throw new Error(`${this.node.path}: a traffic shift percent must be 1-99, got ${percent}`);
      const step = { interval: intervalMinutes, percentage: percent };
      this.deploymentConfig = new CodedeployDeploymentConfig(this, "traffic", {
        deploymentConfigName: custom.name,
        computePlatform: "ECS",
        trafficRoutingConfig:
          type === "linear" ? { type: "TimeBasedLinear", timeBasedLinear: step } : { type: "TimeBasedCanary", timeBasedCanary: step },
      });
    }
  }
}

export interface EcsBlueGreenDeploymentProps {
  readonly application: CodeDeployEcsApplication;
  /** Deployment group name (the service's name). */
  readonly name: string;
  readonly clusterName: string;
  readonly serviceName: string;
  /** Names of the two target groups: the one the service starts in (blue) and the other (green). */
  readonly targetGroupNames: readonly [string, string];
  /** CloudWatch dimensions of the two target groups and their load balancer, for the rollback alarm. */
  readonly metrics: { readonly loadBalancer: string; readonly targetGroups: readonly [string, string] };
  readonly productionListenerArn: string;
  /** @default no test traffic route */
  readonly testListenerArn?: string;
  /** Predefined (`CodeDeployDefault.ECS...`) or custom deployment configuration name. */
  readonly deploymentConfigName: string;
  /** 0: shift as soon as the new tasks are healthy; N: wait N minutes for a manual continue, then stop. @default 0 */
  readonly approvalWaitMinutes?: number;
  /** Minutes the old tasks keep running after a successful shift. @default 5 */
  readonly terminationWaitMinutes?: number;
  /** 5XX share (percent) above which the rollback alarm fires; undefined: no alarm. @default none */
  readonly rollbackErrorRatePercent?: number;
  /** Alarm name prefix (`<prefix>-<name>-deployment-5xx`). */
  readonly alarmNamePrefix: string;
  /** What the group waits for (the ECS service, the listener rules, a custom configuration). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

export class EcsBlueGreenDeployment extends Construct {
  readonly group: CodedeployDeploymentGroup;
  readonly alarm?: CloudwatchMetricAlarm;

  constructor(scope: Construct, id: string, props: EcsBlueGreenDeploymentProps) {
    super(scope, id);
    const approval = props.approvalWaitMinutes ?? 0;
    const termination = props.terminationWaitMinutes ?? 5;
    for (const [what, v] of [
      ["approvalWaitMinutes", approval],
      ["terminationWaitMinutes", termination],
    ] as const) {
      if (!Number.isInteger(v) || v < 0 || v > 2880) throw new Error(`${this.node.path}: ${what} must be 0-2880, got ${v}`);
    }

    if (props.rollbackErrorRatePercent !== undefined) {
      const [blue, green] = props.metrics.targetGroups;
      const metric = (metricName: string, targetGroup: string) => ({
        metric: {
          namespace: "AWS/ApplicationELB",
          metricName,
          dimensions: { LoadBalancer: props.metrics.loadBalancer, TargetGroup: targetGroup },
          period: 60,
          stat: "Sum",
        },
        returnData: false,
      });
      this.alarm = new CloudwatchMetricAlarm(this, "5xx", {
        alarmName: `${props.alarmNamePrefix}-${props.name}-deployment-5xx`,
        alarmDescription:
          `Target 5XX responses of ${props.name} above ${props.rollbackErrorRatePercent}% of its requests (both target groups). ` +
          "CodeDeploy stops a running deployment and rolls back while it is in ALARM.",
        comparisonOperator: "GreaterThanThreshold",
        threshold: props.rollbackErrorRatePercent,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: "notBreaching",
        metricQuery: [
          { id: "errors_blue", ...metric("HTTPCode_Target_5XX_Count", blue) },
          { id: "errors_green", ...metric("HTTPCode_Target_5XX_Count", green) },
          { id: "requests_blue", ...metric("RequestCount", blue) },
          { id: "requests_green", ...metric("RequestCount", green) },
          {
            id: "error_rate",
            expression: "100 * (FILL(errors_blue, 0) + FILL(errors_green, 0)) / (FILL(requests_blue, 0) + FILL(requests_green, 0))",
            label: "5XX share of requests (%)",
            returnData: true,
          },
        ],
      });
    }

    this.group = new CodedeployDeploymentGroup(this, "Resource", {
      appName: props.application.name,
      deploymentGroupName: props.name,
      serviceRoleArn: props.application.role.arn,
      deploymentConfigName: props.deploymentConfigName,
      deploymentStyle: { deploymentType: "BLUE_GREEN", deploymentOption: "WITH_TRAFFIC_CONTROL" },
      blueGreenDeploymentConfig: {
        deploymentReadyOption:
          approval === 0 ? { actionOnTimeout: "CONTINUE_DEPLOYMENT" } : { actionOnTimeout: "STOP_DEPLOYMENT", waitTimeInMinutes: approval },
        terminateBlueInstancesOnDeploymentSuccess: { action: "TERMINATE", terminationWaitTimeInMinutes: termination },
      },
      ecsService: { clusterName: props.clusterName, serviceName: props.serviceName },
      loadBalancerInfo: {
        targetGroupPairInfo: {
          prodTrafficRoute: { listenerArns: [props.productionListenerArn] },
          testTrafficRoute: props.testListenerArn ? { listenerArns: [props.testListenerArn] } : undefined,
          targetGroup: props.targetGroupNames.map((name) => ({ name })),
        },
      },
      autoRollbackConfiguration: {
        enabled: true,
        events: this.alarm ? ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] : ["DEPLOYMENT_FAILURE"],
      },
      alarmConfiguration: this.alarm ? { enabled: true, alarms: [this.alarm.alarmName] } : undefined,
      dependsOn: props.dependsOn,
    });
  }
}
