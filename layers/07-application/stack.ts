/**
 * Layer 07 application: the container platform the services run on, driven by `services.<name>`
 * and the `application` section.
 *
 * - ECS cluster with Container Insights and the FARGATE / FARGATE_SPOT capacity providers.
 * - The application load balancer: internal in the app subnets or internet-facing in the public
 *   subnets (application.alb.internal), HTTPS with a current TLS policy and HTTP redirecting to it
 *   (HTTP-only where the config allows it), optional access logs, deletion protection where
 *   availability is protected, the regional WAF when security.waf.enabled and the ALB is internet-facing.
 * - The front door for the API Gateway (application.alb.networkLoadBalancer with an internal ALB):
 *   an internal NLB in the app subnets, in the security layer's api_link group, forwarding TCP on
 *   the ALB's port to the ALB (target type alb). Its ARN is the contract's nlb_arn.
 * - Per service: an ECR repository `<project>-<env>/<service>` (immutable tags, scan on push, data
 *   key, lifecycle), an `ip` target group with its listener rule, the log group
 *   `/ecs/<project>/<env>/<service>` (logs key), the task definition (read-only root file system,
 *   secrets from Parameter Store, database connection variables but never a password), the service (app subnets, app
 *   security group, no public IP, circuit breaker with rollback, Cloud Map registration) and target
 *   tracking autoscaling.
 *
 * Reads: network (VPC, subnets), security (groups, roles, KMS keys, WAF), database (endpoint, port,
 * name, master secret ARN for auth secret; when enabled), cloud-map (discovery services, when enabled). Parameter ARNs are built from the
 * parameters layer's naming convention (/<project>/<env>/<key>); the config rules check every key
 * is one that layer writes.
 *
 * Addresses (stable, from names): `aws_ecs_cluster.ecs_cluster`, `aws_lb.load_balancer`,
 * `aws_lb_listener.load_balancer_https` / `_http`, `aws_lb.api_link_nlb`; per service
 * `aws_ecs_service.<service>`, `aws_ecs_task_definition.<service>_task`,
 * `aws_cloudwatch_log_group.<service>_logs`, `aws_ecr_repository.<service>_ecr`,
 * `aws_lb_target_group.<service>_target`, `aws_lb_listener_rule.<service>_target_rule`,
 * `aws_appautoscaling_target.<service>_scaling`, `aws_appautoscaling_policy.<service>_scaling_cpu`.
 * The layer's own construct ids contain `_`, which service names cannot, so no service can clash.
 */
import type { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import type { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { Construct } from "constructs";
import type { PlatformConfig } from "../../core/config/types";
import {
  albDeletionProtection,
  albHttpOnly,
  blueGreenServices,
  hasNetworkFront,
  serviceCapacity,
  serviceDeployment,
  serviceDesiredCount,
  serviceImageTag,
  servicePaths,
  servicePriority,
  serviceDatabaseAccess,
  trafficRoutingName,
  type ServiceConfig,
} from "./config";
import { albCarriesRegionalWaf } from "../08-api-gateway/config";
import { collectorEnabled, prometheusEnabled } from "./telemetry";
import { deliveryTarget } from "./delivery";
import { LayerStack } from "../../core/layer-stack";
import { reviewException } from "../../core/review";
import { fitName, NAME_RULES } from "../../core/naming";
import { Arns, type PolicyStatement } from "../../core/policy";
import { AliasRecords } from "../../modules/alias-records";
import { CodeDeployEcsApplication, EcsBlueGreenDeployment } from "../../modules/codedeploy-ecs";
import { DeliveryRole } from "../../modules/delivery-role";
import { EcrRepository } from "../../modules/ecr-repository";
import { EcsCluster } from "../../modules/ecs-cluster";
import { FargateService } from "../../modules/fargate-service";
import { OtelCollectorSidecar } from "../../modules/otel-collector";
import { PrometheusWorkspace } from "../../modules/prometheus-workspace";
import {
  type AlbTarget,
  ApplicationLoadBalancer,
  ELB_LOG_DELIVERY_ACCOUNTS,
  NetworkLoadBalancerFront,
  type AccessLogsProps,
} from "../../modules/load-balancer";
import { SecureBucket } from "../../modules/secure-bucket";

/** What one service contributes to the contract. */
interface DeployedService {
  readonly serviceName: string;
  readonly targetGroupArn: string;
  readonly targetGroupArnSuffix: string;
  readonly repositoryUrl: string;
  /** ECR repository name (`<project>-<env>/<service>`). */
  readonly repositoryName: string;
  /** Task definition family. */
  readonly family: string;
  /** Task role ARN (from the security layer). */
  readonly taskRoleArn: string;
  readonly blueGreen: boolean;
  readonly logGroupName: string;
  /** Blue-green services: the second target group's ARN suffix. */
  readonly greenTargetGroupArnSuffix?: string;
}

/** Shared inputs of every service, read once. */
interface ServiceContext {
  readonly cluster: EcsCluster;
  readonly alb: ApplicationLoadBalancer;
  readonly vpcId: string;
  readonly appSubnetIds: string[];
  readonly appSecurityGroupId: string;
  readonly executionRoleArn: string;
  readonly dataKeyArn: string;
  readonly logsKeyArn: string;
  /** The database layer's connection (when enabled): no password, ever. */
  readonly database?: { readonly host: string; readonly port: string; readonly name: string; readonly secretArn: string };
  /** The Prometheus workspace the collectors remote-write to (application.collector.prometheus). */
  readonly prometheus?: PrometheusWorkspace;
  /** Blue/green: the CodeDeploy application and the ALB's test listener (only with blue-green services). */
  readonly blueGreen?: { readonly codeDeploy: CodeDeployEcsApplication; readonly testListener: LbListener };
}

export class ApplicationStack extends LayerStack<"application"> {
  private readonly arns: Arns;

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "application", config);
    this.arns = new Arns(config.aws.region, config.aws.accountId);
    const { application: app, services } = config;

    const cluster = new EcsCluster(this, "ecs_cluster", {
      name: this.naming.name("ecsCluster"),
      containerInsights: app.containerInsights,
    });

    const logBucket = app.alb.accessLogs.enabled && !app.alb.accessLogs.bucket ? this.accessLogBucket() : undefined;
    const accessLogs: AccessLogsProps | undefined = app.alb.accessLogs.enabled
      ? { bucket: app.alb.accessLogs.bucket ?? logBucket!.bucketName, prefix: app.alb.accessLogs.prefix }
      : undefined;

    const alb = new ApplicationLoadBalancer(this, "load_balancer", {
      name: this.naming.name("alb"),
      internal: app.alb.internal,
      subnetIds: this.read("network", app.alb.internal ? "app_subnet_ids" : "public_subnet_ids"),
      securityGroupIds: [this.read("security", "alb_security_group_id")],
      certificateArn: albHttpOnly(config) ? undefined : app.alb.certificateArn,
      sslPolicy: app.alb.sslPolicy,
      idleTimeoutSeconds: app.alb.idleTimeoutSeconds,
      deletionProtection: albDeletionProtection(config),
      accessLogs,
      // Only an internet-facing ALB sees its clients' addresses; an internal one sees the NLB's or
      // the VPC link's private addresses, where a per-IP rate rule would throttle everyone at once.
      webAclArn: albCarriesRegionalWaf(config) ? this.read("security", "waf_web_acl_arn") : undefined,
      dependsOn: logBucket ? [logBucket.node.findChild("policy") as S3BucketPolicy] : undefined,
    });

    const front = hasNetworkFront(config)
      ? new NetworkLoadBalancerFront(this, "api_link_nlb", {
          name: this.naming.name("alb", "nlb"),
          targetGroupName: this.naming.name("targetGroup", "nlb"),
          alb,
          subnetIds: this.read("network", "app_subnet_ids"),
          securityGroupIds: [this.read("security", "api_link_security_group_id")],
          vpcId: this.read("network", "vpc_id"),
          deletionProtection: albDeletionProtection(config),
        })
      : undefined;

    if (app.alb.dnsRecords) {
      // Clients call the load balancer by name (A alias records; the ALB is IPv4 only).
      new AliasRecords(this, "load_balancer_dns", {
        names: app.alb.dnsRecords.names,
        zoneId: app.alb.dnsRecords.hostedZoneId,
        target: { dnsName: alb.dnsName, hostedZoneId: alb.zoneId },
        ipv6: false,
        evaluateTargetHealth: true,
      });
    }

    const ctx: ServiceContext = {
      cluster,
      alb,
      vpcId: this.read("network", "vpc_id"),
      appSubnetIds: this.read("network", "app_subnet_ids"),
      appSecurityGroupId: this.read("security", "app_security_group_id"),
      executionRoleArn: this.read("security", "ecs_execution_role_arn"),
      dataKeyArn: this.readEntry("security", "kms_key_arns", "data"),
      logsKeyArn: this.readEntry("security", "kms_key_arns", "logs"),
      // Layer 03 switched off: there is no database; the config rules refuse services.<name>.database then.
      database: this.isEnabled("database")
        ? {
            host: this.read("database", "db_writer_endpoint"),
            port: this.read("database", "db_port"),
            name: this.read("database", "db_name"),
            secretArn: this.read("database", "db_master_secret_arn"),
          }
        : undefined,
      blueGreen: blueGreenServices(config).length ? this.blueGreen(alb) : undefined,
      prometheus: prometheusEnabled(config) ? this.prometheusWorkspace() : undefined,
    };
    const deployed = Object.fromEntries(Object.entries(services).map(([name, svc]) => [name, this.service(name, svc, ctx)]));

    const delivery = this.deliveryRole(deployed, ctx);

    const each = (pick: (d: DeployedService) => string) => Object.fromEntries(Object.entries(deployed).map(([n, d]) => [n, pick(d)]));
    this.publish({
      cluster_name: cluster.name,
      cluster_arn: cluster.arn,
      service_names: each((d) => d.serviceName),
      alb_arn: alb.arn,
      alb_arn_suffix: alb.arnSuffix,
      alb_dns_name: alb.dnsName,
      alb_zone_id: alb.zoneId,
      https_listener_arn: alb.httpsListener?.arn ?? "",
      http_listener_arn: alb.httpListener.arn,
      target_group_arns: each((d) => d.targetGroupArn),
      target_group_arn_suffixes: each((d) => d.targetGroupArnSuffix),
      ecr_repository_urls: each((d) => d.repositoryUrl),
      log_group_names: each((d) => d.logGroupName),
      green_target_group_arn_suffixes: Object.fromEntries(
        Object.entries(deployed).flatMap(([n, d]) => (d.greenTargetGroupArnSuffix ? [[n, d.greenTargetGroupArnSuffix]] : [])),
      ),
      codedeploy_app_name: ctx.blueGreen?.codeDeploy.name ?? "",
      nlb_arn: front?.arn ?? "",
      delivery_role_arn: delivery?.role.arn ?? "",
      delivery_role_name: delivery?.role.name ?? "",
    });
  }

  /**
   * The application repository's delivery role (delivery.github.repository set): pushes to this
   * environment's repositories, registers revisions of its task definition families, rolls its
   * services (or deploys its blue/green deployment groups) and passes only its task and execution
   * roles to ECS. The frontend layer adds the site's bucket and distribution (modules/delivery-role.ts).
   */
  private deliveryRole(deployed: Record<string, DeployedService>, ctx: ServiceContext): DeliveryRole | undefined {
    const target = deliveryTarget(this.config);
    if (!target) return undefined;
    const all = Object.entries(deployed);
    const blueGreen = all.filter(([, d]) => d.blueGreen).map(([n]) => n);
    const codeDeploy = ctx.blueGreen?.codeDeploy;
    return new DeliveryRole(this, "app_delivery", {
      name: target.roleName,
      description: `Delivers ${this.naming.prefix} from GitHub Actions (${target.repository}, environment ${target.githubEnvironment}): images, task definitions, services`,
      oidcProviderArn: target.oidcProviderArn,
      subjects: target.subjects,
      maxSessionDurationSeconds: target.sessionSeconds,
      partition: this.arns.partition,
      region: this.config.aws.region,
      accountId: this.config.aws.accountId,
      repositoryNames: all.map(([, d]) => d.repositoryName),
      // Literal names (the cluster's and CodeDeploy's are set from config): the policy reads as the ARNs it grants.
      clusterName: this.naming.name("ecsCluster"),
      serviceNames: all.map(([n]) => n),
      taskDefinitionFamilies: all.map(([, d]) => d.family),
      passRoleArns: [ctx.executionRoleArn, ...all.map(([, d]) => d.taskRoleArn)],
      blueGreen:
        codeDeploy && blueGreen.length
          ? {
              applicationName: this.naming.prefix,
              deploymentGroupNames: blueGreen,
              deploymentConfigNames: [trafficRoutingName(this.config)],
            }
          : undefined,
    });
  }

  /** One service: repository, route, log group, task definition, service, autoscaling. */
  private service(name: string, svc: ServiceConfig, ctx: ServiceContext): DeployedService {
    const { application: app, aws, protection, security, logging } = this.config;
    const scope = new Construct(this, name);

    const repositoryName = fitName(`${this.naming.prefix}/${name}`, NAME_RULES.ecr);
    const repository = new EcrRepository(scope, "ecr", {
      name: repositoryName,
      kmsKeyArn: ctx.dataKeyArn,
      immutableTags: app.ecr.immutableTags,
      scanOnPush: app.ecr.scanOnPush,
      keepImages: app.ecr.keepImages,
      untaggedExpiryDays: app.ecr.untaggedExpiryDays,
      dataProtection: { protect: protection.data },
    });

    const blueGreen = serviceDeployment(this.config, svc) === "blue-green" ? ctx.blueGreen : undefined;
    const target = ctx.alb.addTarget(scope, "target", {
      name: this.naming.name("targetGroup", name),
      greenName: blueGreen ? this.naming.name("targetGroup", name, "green") : undefined,
      testListener: blueGreen?.testListener,
      port: svc.port,
      vpcId: ctx.vpcId,
      pathPatterns: servicePaths(name, svc),
      priority: servicePriority(name, svc),
      healthCheck: svc.healthCheck,
      deregistrationDelaySeconds: svc.deregistrationDelaySeconds,
    });

    const secrets: Record<string, string> = Object.fromEntries(
      Object.entries(svc.secrets).map(([variable, key]) => [variable, this.arns.arn("ssm", `parameter${this.naming.path(key)}`)]),
    );
    const logGroupName = `/ecs${this.naming.path(name)}`;
    const family = this.naming.name("generic", name);
    const taskRoleArn = this.readEntry("security", "task_role_arns", name);
    const collector = this.collector(scope, name, svc, family, ctx);
    // The collector's variables first: a service may set its own (another OTLP protocol, say).
    const environment = { ...collector?.appEnvironment, ...svc.environment, ...this.databaseEnvironment(name, svc, ctx) };
    const { autoscaling, minCount, maxCount } = svc;
    const capacity = serviceCapacity(this.config, svc);
    const fargate = new FargateService(scope, "Default", {
      name,
      family,
      clusterArn: ctx.cluster.arn,
      image: svc.image.uri ?? `${repository.repositoryUrl}:${serviceImageTag(this.config, svc)}`,
      cpu: svc.cpu,
      memory: svc.memory,
      architecture: svc.architecture,
      port: svc.port,
      environment,
      secrets,
      user: svc.user,
      writablePaths: svc.writablePaths,
      executionRoleArn: ctx.executionRoleArn,
      taskRoleArn,
      logGroupName,
      logRetentionDays: app.logRetentionDays ?? logging.retentionDays,
      logKmsKeyArn: ctx.logsKeyArn,
      region: aws.region,
      subnetIds: ctx.appSubnetIds,
      securityGroupIds: [ctx.appSecurityGroupId],
      desiredCount: serviceDesiredCount(svc),
      loadBalancer: {
        targetGroupArn: target.arn,
        healthCheckGracePeriodSeconds: svc.healthCheck.gracePeriodSeconds,
        dependsOn: [target.rule],
      },
      // Layer 05 switched off: the tasks are reachable through the load balancer only.
      serviceRegistryArn: this.isEnabled("cloud-map") ? this.readEntry("cloud-map", "service_arns", name) : undefined,
      // Fargate Spot: spotPercent, else by services.<name>.critical and application.spot (serviceCapacity).
      spotPercent: capacity.spotPercent,
      onDemandBase: capacity.onDemandBase,
      enableExecuteCommand: security.ecsExec,
      minimumHealthyPercent: app.deployment.minimumHealthyPercent,
      maximumPercent: app.deployment.maximumPercent,
      deploymentController: blueGreen ? "CODE_DEPLOY" : undefined,
      autoscaling: {
        clusterName: ctx.cluster.name,
        minCount,
        maxCount,
        cpuPercent: autoscaling.cpuPercent,
        memoryPercent: autoscaling.memoryPercent,
        requestsPerTarget:
          autoscaling.requestsPerTarget !== undefined
            ? { value: autoscaling.requestsPerTarget, resourceLabel: `${ctx.alb.arnSuffix}/${target.arnSuffix}` }
            : undefined,
        scaleInCooldownSeconds: autoscaling.scaleInCooldownSeconds,
        scaleOutCooldownSeconds: autoscaling.scaleOutCooldownSeconds,
      },
      dependsOn: [ctx.cluster.capacityProviders],
      sidecars: collector ? [collector.container] : undefined,
    });

    if (blueGreen) this.blueGreenDeployment(scope, name, fargate, target, ctx);

    return {
      serviceName: fargate.service.name,
      targetGroupArn: target.arn,
      targetGroupArnSuffix: target.arnSuffix,
      repositoryUrl: repository.repositoryUrl,
      repositoryName,
      family,
      taskRoleArn,
      blueGreen: !!blueGreen,
      logGroupName: fargate.logGroup.name,
      greenTargetGroupArnSuffix: target.greenTargetGroup?.arnSuffix,
    };
  }

  /**
   * The telemetry collector of a service's task (application.collector): the ADOT sidecar with its
   * log group /ecs/<project>/<env>/<service>/collector, traces to X-Ray (the security layer's task
   * role carries the X-Ray write statement) and, with prometheus, the scrape of the service's
   * metrics endpoint remote-written to the workspace, with aps:RemoteWrite on exactly it.
   */
  private collector(
    scope: Construct,
    name: string,
    svc: ServiceConfig,
    tracingName: string,
    ctx: ServiceContext,
  ): OtelCollectorSidecar | undefined {
    if (!collectorEnabled(this.config)) return undefined;
    const { application: app, logging, aws, environment } = this.config;
    const c = app.collector;
    const collector = new OtelCollectorSidecar(scope, "collector", {
      serviceName: name,
      tracingName,
      image: c.image,
      cpu: c.cpu,
      memoryMiB: c.memoryMiB,
      essential: c.essential,
      region: aws.region,
      logGroupName: `/ecs${this.naming.path(name)}/collector`,
      logRetentionDays: c.logRetentionDays ?? app.logRetentionDays ?? logging.retentionDays,
      logKmsKeyArn: ctx.logsKeyArn,
      traces: c.traces,
      prometheus: ctx.prometheus
        ? {
            remoteWriteUrl: ctx.prometheus.remoteWriteUrl,
            scrapeIntervalSeconds: c.prometheus.scrapeIntervalSeconds,
            metricsPath: c.prometheus.metricsPath,
            port: svc.port,
            labels: { service: name, environment },
          }
        : undefined,
    });
    if (ctx.prometheus) ctx.prometheus.grantRemoteWrite(scope, "prometheus_write", this.readEntry("security", "task_role_names", name));
    return collector;
  }

  /**
   * The Prometheus workspace `<project>-<env>` the services' collectors write to: its data under
   * the security layer's data key, its vended logs in /aws/prometheus/<project>/<env> (logs key).
   * Owned here, by the layer whose tasks write to it (the monitoring layer comes after this one).
   */
  private prometheusWorkspace(): PrometheusWorkspace {
    const { application: app, logging, protection } = this.config;
    return new PrometheusWorkspace(this, "prometheus", {
      alias: this.naming.prefix,
      kmsKeyArn: this.readEntry("security", "kms_key_arns", "data"),
      logGroupName: `/aws/prometheus${this.naming.path()}`,
      logRetentionDays: app.collector.logRetentionDays ?? app.logRetentionDays ?? logging.retentionDays,
      logKmsKeyArn: this.readEntry("security", "kms_key_arns", "logs"),
      dataProtection: { protect: protection.data },
    });
  }

  /**
   * The connection variables of a service that uses the database (services.<name>.database):
   * host, port, database name, TLS mode and Region, plus its own user name (auth iam: the client
   * signs in with an IAM token for that user) or the master secret's ARN (auth secret: the
   * application reads the secret at run time). Plain values: no password reaches the task
   * definition, so a rotation of the master secret never strands running tasks.
   */
  private databaseEnvironment(name: string, svc: ServiceConfig, ctx: ServiceContext): Record<string, string> {
    const access = serviceDatabaseAccess(this.config, name, svc);
    if (!access || !ctx.database) return {};
    const v = access.variables;
    const mysql = this.config.database.engine.includes("mysql");
    return {
      [v.host]: ctx.database.host,
      [v.port]: ctx.database.port,
      [v.name]: ctx.database.name,
      [v.sslMode]: mysql ? "VERIFY_IDENTITY" : "verify-full",
      [v.region]: this.config.aws.region,
      ...(access.auth === "iam" ? { [v.user]: access.user! } : { [v.secretArn]: ctx.database.secretArn }),
    };
  }

  /**
   * What every blue-green service shares: the CodeDeploy application (with its service role and a
   * custom traffic shift, when configured) and the ALB's test listener.
   */
  private blueGreen(alb: ApplicationLoadBalancer): NonNullable<ServiceContext["blueGreen"]> {
    const { aws, application } = this.config;
    const traffic = application.deployment.blueGreen.trafficRouting;
    const codeDeploy = new CodeDeployEcsApplication(this, "codedeploy", {
      name: this.naming.prefix,
      roleName: this.naming.name("iamRole", "codedeploy"),
      partition: this.arns.partition,
      region: aws.region,
      accountId: aws.accountId,
      customTraffic: typeof traffic === "string" ? undefined : { name: trafficRoutingName(this.config), shift: traffic },
    });
    return { codeDeploy, testListener: alb.addTestListener(application.deployment.blueGreen.testListenerPort) };
  }

  /** A blue-green service's deployment group (and rollback alarm): CodeDeploy owns its task definition and traffic from then on. */
  private blueGreenDeployment(scope: Construct, name: string, fargate: FargateService, target: AlbTarget, ctx: ServiceContext): void {
    const { codeDeploy, testListener } = ctx.blueGreen!;
    const bg = this.config.application.deployment.blueGreen;
    const deployment = new EcsBlueGreenDeployment(scope, "deployment", {
      application: codeDeploy,
      name,
      clusterName: ctx.cluster.name,
      serviceName: fargate.service.name,
      targetGroupNames: [target.targetGroup.name, target.greenTargetGroup!.name],
      metrics: { loadBalancer: ctx.alb.arnSuffix, targetGroups: [target.arnSuffix, target.greenTargetGroup!.arnSuffix] },
      productionListenerArn: ctx.alb.routingListener.arn,
      testListenerArn: testListener.arn,
      deploymentConfigName: codeDeploy.deploymentConfig?.deploymentConfigName ?? trafficRoutingName(this.config),
      approvalWaitMinutes: bg.approvalWaitMinutes,
      terminationWaitMinutes: bg.terminationWaitMinutes,
      rollbackErrorRatePercent: bg.rollbackAlarm.enabled ? bg.rollbackAlarm.errorRatePercent : undefined,
      alarmNamePrefix: this.naming.prefix,
      dependsOn: [fargate.service, target.rule, target.testRule!],
    });
    if (deployment.alarm) {
      reviewException(
        deployment.alarm,
        "PK-CW-001",
        "Read by CodeDeploy to stop and roll back a blue/green deployment (DEPLOYMENT_STOP_ON_ALARM); the monitoring layer's alarms notify people",
      );
    }
  }

  /**
   * The access log bucket: SSE-S3 (the only encryption ALB log delivery supports), private, TLS
   * only, writable by ELB log delivery for this account's prefix: the regional ELB account where
   * the region has one (regions before August 2022), and the log-delivery service principal.
   */
  private accessLogBucket(): SecureBucket {
    const { aws, protection, application } = this.config;
    const bucketName = this.naming.bucket("alb-logs", aws.accountId);
    const objects = `${this.arns.arn("s3", bucketName, { global: true, noAccount: true })}/${application.alb.accessLogs.prefix}/AWSLogs/${aws.accountId}/*`;
    const elbAccount = ELB_LOG_DELIVERY_ACCOUNTS[aws.region];
    const statements: PolicyStatement[] = [
      {
        Sid: "ElbLogDelivery",
        Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
        Action: "s3:PutObject",
        Resource: objects,
      },
      ...(elbAccount
        ? [
            {
              Sid: "ElbRegionalAccountLogDelivery",
              Principal: { AWS: `arn:${this.arns.partition}:iam::${elbAccount}:root` },
              Action: "s3:PutObject",
              Resource: objects,
            },
          ]
        : []),
    ];
    const bucket = new SecureBucket(this, "alb_access_logs", {
      bucketName,
      policyStatements: statements.map((s) => ({ Effect: "Allow" as const, ...s })),
      dataProtection: { protect: protection.data },
    });
    return bucket;
  }
}
