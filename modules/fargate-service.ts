/**
 * One container service on ECS Fargate: its log group, task definition, service and autoscaling.
 *
 * Secure and reliable defaults: a read-only root file system with writable scratch volumes (task
 * storage) only where listed (`/tmp`), an optional non-root user, secrets injected by ECS from
 * Parameter Store / Secrets Manager (`valueFrom` ARNs, never values), logs to an encrypted log group
 * with retention (awslogs, non-blocking), private subnets without public IPs, rolling deployments
 * with the circuit breaker and rollback (or blue/green through CodeDeploy with
 * `deploymentController: "CODE_DEPLOY"`), tags propagated from the service with ECS managed tags,
 * and `wait_for_steady_state` off (a deployment's health is the circuit breaker's job, not the
 * apply's). With autoscaling, Terraform creates the service with `desiredCount` and then leaves the
 * count to Application Auto Scaling (`desired_count` is ignored after creation).
 *
 * Addresses: the service takes the construct's id (`aws_ecs_service.<id>`); the task definition is
 * `<id>_task`, the log group `<id>_logs`, the scalable target `<id>_scaling` and its policies
 * `<id>_scaling_cpu` / `_memory` / `_requests`.
 */
import { AppautoscalingPolicy } from "@cdktf/provider-aws/lib/appautoscaling-policy";
import { AppautoscalingTarget } from "@cdktf/provider-aws/lib/appautoscaling-target";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { fargateStrategy } from "./ecs-cluster";
import { fargateMemoryText, isFargateSize } from "./fargate-sizes";
import type { Metric } from "./alarm-set";
import type { SidecarContainer } from "./otel-collector";

/**
 * Directories the ECS Exec (SSM) agent writes to. ECS Exec is not supported with a read-only root
 * file system (aws/containers-roadmap#1359); giving the agent these as writable volumes keeps the
 * root read-only.
 */
export const ECS_EXEC_AGENT_PATHS = ["/var/lib/amazon/ssm", "/var/log/amazon/ssm"] as const;

export interface ServiceLoadBalancing {
  /** Target group (type ip) the tasks register in. */
  readonly targetGroupArn: string;
  /** Seconds ECS ignores failing load balancer health checks after a task starts. @default 60 */
  readonly healthCheckGracePeriodSeconds?: number;
  /**
   * What the service must wait for: the listener rule that attaches the target group to a load
   * balancer (ECS refuses a target group without one).
   */
  readonly dependsOn?: ITerraformDependable[];
}

export interface ServiceAutoscalingProps {
  /** Name of the cluster (part of the scalable target's resource id). */
  readonly clusterName: string;
  readonly minCount: number;
  readonly maxCount: number;
  /** Target average CPU utilisation. @default 70 */
  readonly cpuPercent?: number;
  /** Target average memory utilisation. @default none */
  readonly memoryPercent?: number;
  /** Target requests per task per minute, with the `<alb suffix>/<target group suffix>` label. @default none */
  readonly requestsPerTarget?: { readonly value: number; readonly resourceLabel: string };
  /** @default 300 */
  readonly scaleInCooldownSeconds?: number;
  /** @default 60 */
  readonly scaleOutCooldownSeconds?: number;
}

export interface FargateServiceProps {
  /** ECS service name; also the container's name. */
  readonly name: string;
  /** Task definition family. */
  readonly family: string;
  readonly clusterArn: string;
  /** Image reference (repository URL with tag, or an external URI). */
  readonly image: string;
  /** Task CPU units (a Fargate size). */
  readonly cpu: number;
  /** Task memory in MiB (a size Fargate accepts with `cpu`). */
  readonly memory: number;
  /** @default "X86_64" */
  readonly architecture?: "X86_64" | "ARM64";
  /** Container port (TCP). */
  readonly port: number;
  /** Plain environment variables. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Variables ECS injects at start: name -> ARN (SSM parameter, or secret[:json-key::]). @default none */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Non-root user to run as (uid[:gid] or name). @default the image's USER */
  readonly user?: string;
  /** Writable scratch volumes on the read-only root file system. @default ["/tmp"] */
  readonly writablePaths?: readonly string[];
  /** Task execution role (image pull, logs, secrets). */
  readonly executionRoleArn: string;
  /** Task role (what the application calls). */
  readonly taskRoleArn: string;
  /** Log group created for the service. */
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  /** KMS key of the log group. @default CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
  /** Region of the log group (awslogs-region). */
  readonly region: string;
  /** Private subnets the tasks run in. */
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  /** Tasks at creation. @default 1 */
  readonly desiredCount?: number;
  /** Register the tasks in a target group. @default none */
  readonly loadBalancer?: ServiceLoadBalancing;
  /** Cloud Map discovery service to register the tasks in (A and SRV records). @default none */
  readonly serviceRegistryArn?: string;
  /** Share of tasks on FARGATE_SPOT, 0-100. @default 0 */
  readonly spotPercent?: number;
  /**
   * Tasks placed on FARGATE before the Spot share applies (the capacity provider strategy's base).
   * @default 1 when spotPercent is 1-99, 0 at 100 (modules/ecs-cluster.ts fargateStrategy)
   */
  readonly onDemandBase?: number;
  /** ECS Exec into the tasks. @default false */
  readonly enableExecuteCommand?: boolean;
  /** @default 100 */
  readonly minimumHealthyPercent?: number;
  /** @default 200 */
  readonly maximumPercent?: number;
  /**
   * Who deploys new task definitions: `ECS` (rolling updates with the circuit breaker and rollback)
   * or `CODE_DEPLOY` (blue/green through a CodeDeploy deployment group, which then owns the
   * service's task definition and load balancer: Terraform sets them at creation and ignores them
   * afterwards). Changing it replaces the service. @default "ECS"
   */
  readonly deploymentController?: "ECS" | "CODE_DEPLOY";
  /** Target tracking autoscaling. @default none (the count stays desiredCount) */
  readonly autoscaling?: ServiceAutoscalingProps;
  /** What the service waits for besides the load balancer (the cluster's capacity providers). @default none */
  readonly dependsOn?: ITerraformDependable[];
  /**
   * Other containers of the task (the telemetry collector). The application container starts after
   * each has started (dependsOn START, not HEALTHY: a sidecar must not hold the application back).
   * Their CPU and memory come out of the task's `cpu` / `memory`, which stay as given. @default none
   */
  readonly sidecars?: readonly SidecarContainer[];
}

/** Container definition fields the kit writes (a subset of the ECS API's). */
export interface ContainerDefinition {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  readonly readonlyRootFilesystem: boolean;
  readonly user?: string;
  readonly portMappings: { containerPort: number; protocol: "tcp"; name: string; appProtocol: "http" }[];
  readonly environment: { name: string; value: string }[];
  readonly secrets: { name: string; valueFrom: string }[];
  readonly mountPoints: { sourceVolume: string; containerPath: string; readOnly: boolean }[];
  readonly linuxParameters?: { initProcessEnabled: boolean };
  readonly logConfiguration: { logDriver: "awslogs"; options: Record<string, string> };
  readonly dependsOn?: { containerName: string; condition: "START" }[];
}

/** Volume name of a writable path: `tmp` for /tmp, `var-lib-amazon-ssm` for /var/lib/amazon/ssm. */
export function volumeName(path: string): string {
  return path.replace(/^\/+|\/+$/g, "").replace(/[^A-Za-z0-9_-]+/g, "-") || "root";
}

export class FargateService extends Construct {
  readonly service: EcsService;
  readonly taskDefinition: EcsTaskDefinition;
  readonly logGroup: CloudwatchLogGroup;
  readonly container: ContainerDefinition;
  readonly scalingTarget?: AppautoscalingTarget;
  readonly name: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const where = this.node.path;
    if (!isFargateSize(props.cpu, props.memory)) {
      throw new Error(
        `${where}: Fargate does not run cpu ${props.cpu} with memory ${props.memory} MiB (with cpu ${props.cpu}: ${fargateMemoryText(props.cpu)})`,
      );
    }
    const spot = props.spotPercent ?? 0;
    if (!Number.isInteger(spot) || spot < 0 || spot > 100) throw new Error(`${where}: spotPercent must be 0-100, got ${spot}`);
    const scaling = props.autoscaling;
    if (scaling && (scaling.minCount > scaling.maxCount || scaling.minCount < 0)) {
      throw new Error(`${where}: autoscaling needs 0 <= minCount <= maxCount, got ${scaling.minCount}..${scaling.maxCount}`);
    }
    const sidecars = props.sidecars ?? [];
    const names = [props.name, ...sidecars.map((c) => c.name)];
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new Error(`${where}: two containers named ${twice}`);
    const sideCpu = sidecars.reduce((sum, c) => sum + c.cpu, 0);
    const sideMemory = sidecars.reduce((sum, c) => sum + c.memory, 0);
    if (sidecars.length && (sideCpu >= props.cpu || sideMemory >= props.memory)) {
      throw new Error(
        `${where}: the sidecars take ${sideCpu} CPU / ${sideMemory} MiB of the task's ${props.cpu} / ${props.memory}, leaving nothing to the application`,
      );
    }
    this.name = props.name;

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
    });

    const exec = props.enableExecuteCommand ?? false;
    const writable = [...new Set([...(props.writablePaths ?? ["/tmp"]), ...(exec ? ECS_EXEC_AGENT_PATHS : [])])];
    const sorted = (o: Readonly<Record<string, string>> | undefined) => Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b));
    this.container = {
      name: props.name,
      image: props.image,
      essential: true,
      readonlyRootFilesystem: true,
      ...(props.user ? { user: props.user } : {}),
      portMappings: [{ containerPort: props.port, protocol: "tcp", name: "http", appProtocol: "http" }],
      environment: sorted(props.environment).map(([name, value]) => ({ name, value })),
      secrets: sorted(props.secrets).map(([name, valueFrom]) => ({ name, valueFrom })),
      mountPoints: writable.map((p) => ({ sourceVolume: volumeName(p), containerPath: p, readOnly: false })),
      ...(exec ? { linuxParameters: { initProcessEnabled: true } } : {}),
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": this.logGroup.name,
          "awslogs-region": props.region,
          "awslogs-stream-prefix": props.name,
          // Never block the application on a slow log pipe; drop beyond the buffer instead.
          mode: "non-blocking",
          "max-buffer-size": "25m",
        },
      },
      ...(sidecars.length ? { dependsOn: sidecars.map((c) => ({ containerName: c.name, condition: "START" as const })) } : {}),
    };

    this.taskDefinition = new EcsTaskDefinition(this, "task", {
      family: props.family,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memory),
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: props.architecture ?? "X86_64" },
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: props.taskRoleArn,
      containerDefinitions: JSON.stringify([this.container, ...sidecars]),
      volume: writable.map((p) => ({ name: volumeName(p) })),
      // Blue/green: a rollback starts the previous revision again, so Terraform keeps revisions it replaces.
      skipDestroy: props.deploymentController === "CODE_DEPLOY" ? true : undefined,
    });

    const lb = props.loadBalancer;
    const codeDeploy = props.deploymentController === "CODE_DEPLOY";
    if (codeDeploy && !lb) throw new Error(`${where}: a CODE_DEPLOY (blue/green) service needs a load balancer`);
    // Rolling (ECS): what the kit always wrote. Blue/green (CODE_DEPLOY): ECS refuses the circuit
    // breaker, forced deployments and AZ rebalancing for it, and every later change of the task
    // definition or the load balancer goes through a CodeDeploy deployment.
    const controller = codeDeploy
      ? {
          forceNewDeployment: false,
          deploymentController: { type: "CODE_DEPLOY" },
          availabilityZoneRebalancing: "DISABLED",
        }
      : {
          forceNewDeployment: true,
          deploymentController: { type: "ECS" },
          deploymentCircuitBreaker: { enable: true, rollback: true },
          availabilityZoneRebalancing: "ENABLED",
        };
    const ignoreChanges = [...(codeDeploy ? ["task_definition", "load_balancer"] : []), ...(scaling ? ["desired_count"] : [])];
    this.service = new EcsService(this, "Resource", {
      name: props.name,
      cluster: props.clusterArn,
      taskDefinition: this.taskDefinition.arn,
      desiredCount: props.desiredCount ?? 1,
      // Capacity providers instead of a launch type; with force_new_deployment a change of the Spot
      // share updates the service in place (the provider replaces it otherwise).
      capacityProviderStrategy: fargateStrategy(spot, props.onDemandBase).map((s) => ({ ...s })),
      forceNewDeployment: controller.forceNewDeployment,
      platformVersion: "LATEST",
      networkConfiguration: { subnets: props.subnetIds, securityGroups: props.securityGroupIds, assignPublicIp: false },
      loadBalancer: lb ? [{ targetGroupArn: lb.targetGroupArn, containerName: props.name, containerPort: props.port }] : undefined,
      healthCheckGracePeriodSeconds: lb ? (lb.healthCheckGracePeriodSeconds ?? 60) : undefined,
      serviceRegistries: props.serviceRegistryArn
        ? { registryArn: props.serviceRegistryArn, containerName: props.name, containerPort: props.port }
        : undefined,
      deploymentController: controller.deploymentController,
      deploymentCircuitBreaker: controller.deploymentCircuitBreaker,
      deploymentMinimumHealthyPercent: props.minimumHealthyPercent ?? 100,
      deploymentMaximumPercent: props.maximumPercent ?? 200,
      availabilityZoneRebalancing: controller.availabilityZoneRebalancing,
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      enableExecuteCommand: exec,
      waitForSteadyState: false,
      dependsOn: [...(lb?.dependsOn ?? []), ...(props.dependsOn ?? [])],
      lifecycle: ignoreChanges.length ? { ignoreChanges } : undefined,
    });

    if (scaling) this.scalingTarget = this.autoscale(props.name, scaling);
  }

  private autoscale(serviceName: string, props: ServiceAutoscalingProps): AppautoscalingTarget {
    const target = new AppautoscalingTarget(this, "scaling", {
      serviceNamespace: "ecs",
      scalableDimension: "ecs:service:DesiredCount",
      resourceId: `service/${props.clusterName}/${this.service.name}`,
      minCapacity: props.minCount,
      maxCapacity: props.maxCount,
    });
    const cooldowns = { scaleInCooldown: props.scaleInCooldownSeconds ?? 300, scaleOutCooldown: props.scaleOutCooldownSeconds ?? 60 };
    const policy = (id: string, metric: string, targetValue: number, resourceLabel?: string) =>
      new AppautoscalingPolicy(target, id, {
        name: `${serviceName}-${id}`,
        policyType: "TargetTrackingScaling",
        serviceNamespace: target.serviceNamespace,
        scalableDimension: target.scalableDimension,
        resourceId: target.resourceId,
        targetTrackingScalingPolicyConfiguration: {
          targetValue,
          ...cooldowns,
          predefinedMetricSpecification: { predefinedMetricType: metric, resourceLabel },
        },
      });
    policy("cpu", "ECSServiceAverageCPUUtilization", props.cpuPercent ?? 70);
    if (props.memoryPercent !== undefined) policy("memory", "ECSServiceAverageMemoryUtilization", props.memoryPercent);
    if (props.requestsPerTarget)
      policy("requests", "ALBRequestCountPerTarget", props.requestsPerTarget.value, props.requestsPerTarget.resourceLabel);
    return target;
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on and draws; dimensions from the application layer's outputs)

/** A metric of an ECS service: AWS/ECS (CPUUtilization, MemoryUtilization) or, with Container Insights, ECS/ContainerInsights (RunningTaskCount). */
export function ecsServiceMetric(
  metricName: string,
  stat: string,
  dims: { readonly cluster: string; readonly service: string },
  namespace: "AWS/ECS" | "ECS/ContainerInsights" = "AWS/ECS",
): Metric {
  return { namespace, metricName, dimensions: { ClusterName: dims.cluster, ServiceName: dims.service }, stat };
}
