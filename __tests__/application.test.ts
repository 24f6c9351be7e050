// Loads the type declarations of cdktf's jest matchers (Testing.setupJest() in setup.ts installs them).
import { EcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { Lb } from "@cdktf/provider-aws/lib/lb";
import { LbListener } from "@cdktf/provider-aws/lib/lb-listener";
import type { PlatformConfig } from "../core/config/schema";
import { SECRET_NAME_RE, serviceCapacity, serviceDesiredCount, servicePaths, servicePriority } from "../layers/07-application/config";
import { applicationContract } from "../layers/07-application/contract";
import { ApplicationStack } from "../layers/07-application/stack";
import { fargateStrategy } from "../modules/ecs-cluster";
import type { ContainerDefinition } from "../modules/fargate-service";
import { COLLECTOR_CONTAINER_NAME } from "../modules/otel-collector";
import { collectorEnabled } from "../layers/07-application/telemetry";
import { addresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";

const REMOTE = (layer: string, output: string) => `\${data.terraform_remote_state.${layer}.outputs.${output}}`;
const ENTRY = (layer: string, output: string, key: string) =>
  /^[a-z_][a-z0-9_]*$/.test(key)
    ? `\${data.terraform_remote_state.${layer}.outputs.${output}.${key}}`
    : `\${data.terraform_remote_state.${layer}.outputs.${output}["${key}"]}`;
/** Address part of a service name (`admin-server` -> `admin_server`). */
const id = (service: string) => service.replace(/-/g, "_");

/** The container definitions of a task definition. */
function containers(tf: TerraformJson, service: string): ContainerDefinition[] {
  return JSON.parse(
    resource(tf, "aws_ecs_task_definition", `${id(service)}_task`).container_definitions as string,
  ) as ContainerDefinition[];
}

function synthApp(cfg: PlatformConfig) {
  return synth(ApplicationStack, cfg);
}

describe.each(ENVIRONMENTS)("application layer (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synthApp(cfg);
  const prefix = `${cfg.project}-${cfg.environment}`;
  const services = Object.entries(cfg.services);
  const https = cfg.application.alb.https;

  it("keeps its state at platform/petclinic/<env>/07-application.tfstate and reads earlier layers only", () => {
    expect(tf.terraform?.backend?.s3).toMatchObject({ key: `platform/petclinic/${name}/07-application.tfstate`, encrypt: true });
    expect(Object.keys(tf.data?.terraform_remote_state ?? {}).sort()).toEqual(["cloud_map", "database", "network", "security"]);
    expect(tf.data?.terraform_remote_state?.network).toMatchObject({ config: { key: `platform/petclinic/${name}/01-network.tfstate` } });
  });

  it("publishes exactly the contract", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(applicationContract).sort());
    const out = (o: string) => tf.output![o].value;
    expect(out("cluster_name")).toBe("${aws_ecs_cluster.ecs_cluster.name}");
    expect(out("alb_arn")).toBe("${aws_lb.load_balancer.arn}");
    expect(out("alb_arn_suffix")).toBe("${aws_lb.load_balancer.arn_suffix}");
    expect(out("https_listener_arn")).toBe(https ? "${aws_lb_listener.load_balancer_https.arn}" : "");
    expect(out("http_listener_arn")).toBe("${aws_lb_listener.load_balancer_http.arn}");
    expect(out("nlb_arn")).toBe("${aws_lb.api_link_nlb.arn}");
    for (const map of ["service_names", "target_group_arns", "target_group_arn_suffixes", "ecr_repository_urls", "log_group_names"]) {
      expect(Object.keys(out(map) as object).sort()).toEqual(Object.keys(cfg.services).sort());
    }
    expect((out("target_group_arns") as Record<string, string>)["admin-server"]).toBe("${aws_lb_target_group.admin_server_target.arn}");
    expect((out("log_group_names") as Record<string, string>).customers).toBe("${aws_cloudwatch_log_group.customers_logs.name}");
  });

  it("the contract's mocks describe this configuration", () => {
    expect(applicationContract.https_listener_arn.mock(cfg) === "").toBe(!https);
    expect(applicationContract.nlb_arn.mock(cfg)).toMatch(/^arn:aws:elasticloadbalancing:us-west-2:\d{12}:loadbalancer\/net\//);
    expect(applicationContract.ecr_repository_urls.mock(cfg).customers).toBe(
      `${cfg.aws.accountId}.dkr.ecr.us-west-2.amazonaws.com/${prefix}/customers`,
    );
  });

  describe("ECR", () => {
    it("one repository per service: <project>-<env>/<service>, immutable tags, scan on push, the data key", () => {
      expect(Object.keys(resources(tf, "aws_ecr_repository")).sort()).toEqual(services.map(([s]) => `${id(s)}_ecr`).sort());
      for (const [s] of services) {
        expect(resource(tf, "aws_ecr_repository", `${id(s)}_ecr`)).toMatchObject({
          name: `${prefix}/${s}`,
          image_tag_mutability: "IMMUTABLE",
          image_scanning_configuration: { scan_on_push: true },
          encryption_configuration: [{ encryption_type: "KMS", kms_key: ENTRY("security", "kms_key_arns", "data") }],
          force_delete: !cfg.protection.data,
        });
      }
      expect(raw).toHaveResourceWithProperties(EcrRepository, { name: `${prefix}/vets`, image_tag_mutability: "IMMUTABLE" });
    });

    it("keeps the newest images and expires untagged ones", () => {
      const rules = JSON.parse(resource(tf, "aws_ecr_lifecycle_policy", "customers_ecr_lifecycle").policy as string).rules;
      expect(rules).toEqual([
        expect.objectContaining({
          rulePriority: 1,
          selection: expect.objectContaining({ tagStatus: "untagged", countNumber: cfg.application.ecr.untaggedExpiryDays }),
        }),
        expect.objectContaining({
          rulePriority: 2,
          selection: expect.objectContaining({
            tagStatus: "any",
            countType: "imageCountMoreThan",
            countNumber: cfg.application.ecr.keepImages,
          }),
        }),
      ]);
    });

    it("prevents destroying repositories where data is protected", () => {
      const lifecycle = resource(tf, "aws_ecr_repository", "customers_ecr").lifecycle;
      expect(lifecycle).toEqual(cfg.protection.data ? { prevent_destroy: true } : undefined);
    });
  });

  describe("cluster", () => {
    it("has Container Insights and the Fargate capacity providers", () => {
      expect(resource(tf, "aws_ecs_cluster", "ecs_cluster")).toEqual({
        name: prefix,
        setting: [{ name: "containerInsights", value: "enabled" }],
      });
      expect(resource(tf, "aws_ecs_cluster_capacity_providers", "ecs_cluster")).toMatchObject({
        cluster_name: "${aws_ecs_cluster.ecs_cluster.name}",
        capacity_providers: ["FARGATE", "FARGATE_SPOT"],
      });
    });
  });

  describe.each(Object.keys(cfg.services))("service %s", (service) => {
    const svc = cfg.services[service];
    const sid = id(service);
    const [container] = containers(tf, service);
    const task = resource(tf, "aws_ecs_task_definition", `${sid}_task`);
    const ecs = resource(tf, "aws_ecs_service", sid);

    it("task definition: Fargate, awsvpc, size and architecture from config, roles from the security layer", () => {
      expect(task).toMatchObject({
        family: `${prefix}-${service}`,
        requires_compatibilities: ["FARGATE"],
        network_mode: "awsvpc",
        cpu: String(svc.cpu),
        memory: String(svc.memory),
        runtime_platform: { operating_system_family: "LINUX", cpu_architecture: svc.architecture },
        execution_role_arn: REMOTE("security", "ecs_execution_role_arn"),
        task_role_arn: ENTRY("security", "task_role_arns", service),
      });
      // application.collector (PetClinic): the ADOT sidecar beside the application container.
      expect(containers(tf, service).map((c) => c.name)).toEqual([service, ...(collectorEnabled(cfg) ? [COLLECTOR_CONTAINER_NAME] : [])]);
      expect(container).toMatchObject({ name: service, essential: true, portMappings: [{ containerPort: svc.port, protocol: "tcp" }] });
      expect(container.image).toBe(`\${aws_ecr_repository.${sid}_ecr.repository_url}:${cfg.application.imageTag}`);
    });

    it("read-only root file system with a writable /tmp volume", () => {
      expect(container.readonlyRootFilesystem).toBe(true);
      expect(task.volume).toEqual([{ name: "tmp" }]);
      expect(container.mountPoints).toEqual([{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }]);
    });

    it("logs with awslogs to /ecs/<project>/<env>/<service>, retention, the logs key", () => {
      expect(resource(tf, "aws_cloudwatch_log_group", `${sid}_logs`)).toEqual({
        name: `/ecs/${cfg.project}/${name}/${service}`,
        retention_in_days: cfg.logging.retentionDays,
        kms_key_id: ENTRY("security", "kms_key_arns", "logs"),
      });
      expect(container.logConfiguration).toEqual({
        logDriver: "awslogs",
        options: {
          "awslogs-group": `\${aws_cloudwatch_log_group.${sid}_logs.name}`,
          "awslogs-region": "us-west-2",
          "awslogs-stream-prefix": service,
          mode: "non-blocking",
          "max-buffer-size": "25m",
        },
      });
    });

    it("secrets are Parameter Store valueFrom ARNs only: the database's master secret is never injected; no secret in plain text", () => {
      const expected: Record<string, string> = {};
      for (const [variable, key] of Object.entries(svc.secrets))
        expected[variable] = `arn:aws:ssm:us-west-2:${cfg.aws.accountId}:parameter/${cfg.project}/${name}/${key}`;
      expect(Object.fromEntries(container.secrets.map((s) => [s.name, s.valueFrom]))).toEqual(expected);
      expect(JSON.stringify(container.secrets)).not.toMatch(/db_master_secret|secretsmanager|rds!/);
      for (const { name: variable, value } of container.environment) {
        expect([variable, SECRET_NAME_RE.test(variable)]).toEqual([variable, false]);
        expect(value).not.toMatch(/^arn:|password|secret/i);
      }
    });

    it("environment: the service's own plus, with services.<name>.database, the connection and its own IAM user (no password)", () => {
      const db = svc.database
        ? {
            [svc.database.variables.host]: REMOTE("database", "db_writer_endpoint"),
            [svc.database.variables.port]: REMOTE("database", "db_port"),
            [svc.database.variables.name]: REMOTE("database", "db_name"),
            [svc.database.variables.sslMode]: "VERIFY_IDENTITY",
            [svc.database.variables.region]: "us-west-2",
            [svc.database.variables.user]: service.replace(/-/g, "_"),
          }
        : {};
      // application.collector with traces: where the application sends them, under the name the sampling rule matches.
      const collector =
        collectorEnabled(cfg) && cfg.application.collector.traces
          ? {
              OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
              OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
              OTEL_SERVICE_NAME: `${prefix}-${service}`,
              AWS_XRAY_DAEMON_ADDRESS: "127.0.0.1:2000",
              AWS_XRAY_TRACING_NAME: `${prefix}-${service}`,
            }
          : {};
      expect(Object.fromEntries(container.environment.map((e) => [e.name, e.value]))).toEqual({ ...collector, ...svc.environment, ...db });
    });

    it("service: circuit breaker with rollback, no public IP, app subnets and group, tags, no steady-state wait", () => {
      expect(ecs).toMatchObject({
        name: service,
        cluster: "${aws_ecs_cluster.ecs_cluster.arn}",
        task_definition: `\${aws_ecs_task_definition.${sid}_task.arn}`,
        desired_count: serviceDesiredCount(svc),
        deployment_circuit_breaker: { enable: true, rollback: true },
        deployment_minimum_healthy_percent: 100,
        deployment_maximum_percent: 200,
        network_configuration: {
          assign_public_ip: false,
          subnets: REMOTE("network", "app_subnet_ids"),
          security_groups: [REMOTE("security", "app_security_group_id")],
        },
        propagate_tags: "SERVICE",
        enable_ecs_managed_tags: true,
        wait_for_steady_state: false,
        enable_execute_command: cfg.security.ecsExec,
        capacity_provider_strategy: fargateStrategy(serviceCapacity(cfg, svc).spotPercent, serviceCapacity(cfg, svc).onDemandBase).map(
          (s) => ({ capacity_provider: s.capacityProvider, weight: s.weight, ...(s.base ? { base: s.base } : {}) }),
        ),
        lifecycle: { ignore_changes: ["desired_count"] },
      });
      expect(ecs).not.toHaveProperty("launch_type");
      expect(raw).toHaveResourceWithProperties(EcsService, { name: service, deployment_circuit_breaker: { enable: true, rollback: true } });
    });

    it("service: registered in Cloud Map and in its target group, created after the listener rule", () => {
      expect(ecs.service_registries).toEqual({
        registry_arn: ENTRY("cloud_map", "service_arns", service),
        container_name: service,
        container_port: svc.port,
      });
      expect(ecs.load_balancer).toEqual([
        { target_group_arn: `\${aws_lb_target_group.${sid}_target.arn}`, container_name: service, container_port: svc.port },
      ]);
      expect(ecs.health_check_grace_period_seconds).toBe(svc.healthCheck.gracePeriodSeconds);
      expect(ecs.depends_on).toEqual([`aws_lb_listener_rule.${sid}_target_rule`, "aws_ecs_cluster_capacity_providers.ecs_cluster"]);
    });

    it("target group: ip targets on the service port with the configured health check", () => {
      expect(resource(tf, "aws_lb_target_group", `${sid}_target`)).toMatchObject({
        name: `${prefix}-${service}`,
        target_type: "ip",
        protocol: "HTTP",
        port: svc.port,
        vpc_id: REMOTE("network", "vpc_id"),
        health_check: {
          enabled: true,
          path: svc.healthCheck.path,
          matcher: svc.healthCheck.matcher,
          interval: svc.healthCheck.intervalSeconds,
          timeout: svc.healthCheck.timeoutSeconds,
          healthy_threshold: svc.healthCheck.healthyThreshold,
          unhealthy_threshold: svc.healthCheck.unhealthyThreshold,
        },
      });
    });

    it("listener rule: the service's path patterns at its priority, on the serving listener", () => {
      expect(resource(tf, "aws_lb_listener_rule", `${sid}_target_rule`)).toEqual({
        listener_arn: `\${aws_lb_listener.load_balancer_${https ? "https" : "http"}.arn}`,
        priority: servicePriority(service, svc),
        action: [{ type: "forward", target_group_arn: `\${aws_lb_target_group.${sid}_target.arn}` }],
        condition: [{ path_pattern: { values: servicePaths(service, svc) } }],
      });
    });

    it("autoscaling: min/max from config, target tracking on CPU with cooldowns", () => {
      expect(resource(tf, "aws_appautoscaling_target", `${sid}_scaling`)).toEqual({
        service_namespace: "ecs",
        scalable_dimension: "ecs:service:DesiredCount",
        resource_id: `service/\${aws_ecs_cluster.ecs_cluster.name}/\${aws_ecs_service.${sid}.name}`,
        min_capacity: svc.minCount,
        max_capacity: svc.maxCount,
      });
      expect(resource(tf, "aws_appautoscaling_policy", `${sid}_scaling_cpu`)).toMatchObject({
        policy_type: "TargetTrackingScaling",
        resource_id: `\${aws_appautoscaling_target.${sid}_scaling.resource_id}`,
        target_tracking_scaling_policy_configuration: {
          target_value: svc.autoscaling.cpuPercent,
          scale_in_cooldown: svc.autoscaling.scaleInCooldownSeconds,
          scale_out_cooldown: svc.autoscaling.scaleOutCooldownSeconds,
          predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageCPUUtilization" },
        },
      });
    });
  });

  it("the default system: 70 % CPU, 1-4 tasks outside protected environments, two where availability is protected", () => {
    for (const [, svc] of services) {
      expect(svc.autoscaling.cpuPercent).toBe(70);
      expect([svc.minCount, svc.maxCount]).toEqual([cfg.protection.availability ? 2 : 1, 4]);
    }
    expect(Object.keys(resources(tf, "aws_appautoscaling_policy")).sort()).toEqual(services.map(([s]) => `${id(s)}_scaling_cpu`).sort());
  });

  describe("load balancer", () => {
    const alb = resource(tf, "aws_lb", "load_balancer");

    it("internal in the app subnets, in the ALB group, dropping invalid headers", () => {
      expect(alb).toMatchObject({
        name: prefix,
        load_balancer_type: "application",
        internal: true,
        subnets: REMOTE("network", "app_subnet_ids"),
        security_groups: [REMOTE("security", "alb_security_group_id")],
        drop_invalid_header_fields: true,
        enable_deletion_protection: cfg.protection.availability,
      });
      expect(raw).toHaveResourceWithProperties(Lb, { load_balancer_type: "application", drop_invalid_header_fields: true });
    });

    it(
      https
        ? "HTTPS with the TLS 1.3 policy and the certificate; HTTP redirects"
        : "HTTP only (no certificate): the HTTP listener serves, unmatched paths get 404",
      () => {
        const listeners = resources(tf, "aws_lb_listener");
        const notFound = {
          type: "fixed-response",
          fixed_response: { content_type: "application/json", status_code: "404", message_body: '{"message":"no route"}' },
        };
        if (https) {
          expect(listeners.load_balancer_https).toEqual({
            load_balancer_arn: "${aws_lb.load_balancer.arn}",
            port: 443,
            protocol: "HTTPS",
            ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            certificate_arn: cfg.application.alb.certificateArn,
            default_action: [notFound],
          });
          expect(listeners.load_balancer_http.default_action).toEqual([
            { type: "redirect", redirect: { protocol: "HTTPS", port: "443", status_code: "HTTP_301" } },
          ]);
          expect(raw).toHaveResourceWithProperties(LbListener, { protocol: "HTTPS", ssl_policy: "ELBSecurityPolicy-TLS13-1-2-2021-06" });
        } else {
          expect(listeners).not.toHaveProperty("load_balancer_https");
          expect(listeners.load_balancer_http).toMatchObject({ port: 80, protocol: "HTTP", default_action: [notFound] });
        }
      },
    );

    it("does not associate the regional WAF with the internal ALB (it sees only the NLB's addresses; the API stage carries the ACL)", () => {
      expect(cfg.security.waf.enabled).toBe(true);
      expect(cfg.application.alb.internal).toBe(true);
      expect(resources(tf, "aws_wafv2_web_acl_association")).toEqual({});
    });

    it(
      cfg.application.alb.accessLogs.enabled
        ? "writes access logs to an SSE-S3 bucket ELB log delivery may write to"
        : "writes no access logs",
      () => {
        if (!cfg.application.alb.accessLogs.enabled) {
          expect(alb).not.toHaveProperty("access_logs");
          expect(resources(tf, "aws_s3_bucket")).toEqual({});
          return;
        }
        const bucket = `${prefix}-alb-logs-${cfg.aws.accountId}`;
        expect(resource(tf, "aws_s3_bucket", "alb_access_logs")).toMatchObject({ bucket, force_destroy: !cfg.protection.data });
        expect(resource(tf, "aws_s3_bucket", "alb_access_logs").lifecycle).toEqual(
          cfg.protection.data ? { prevent_destroy: true } : undefined,
        );
        expect(alb.access_logs).toEqual({ enabled: true, bucket: "${aws_s3_bucket.alb_access_logs.bucket}", prefix: "alb" });
        expect(alb.depends_on).toEqual(["aws_s3_bucket_policy.alb_access_logs_policy"]);
        const sse = resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "alb_access_logs_encryption") as {
          rule: Array<Record<string, unknown>>;
        };
        expect(sse.rule[0].apply_server_side_encryption_by_default).toEqual({ sse_algorithm: "AES256" });
        const statements = policy(resource(tf, "aws_s3_bucket_policy", "alb_access_logs_policy").policy).Statement;
        const objects = `arn:aws:s3:::${bucket}/alb/AWSLogs/${cfg.aws.accountId}/*`;
        expect(statements).toEqual(
          expect.arrayContaining([
            expect.objectContaining({ Sid: "DenyInsecureTransport", Effect: "Deny" }),
            {
              Sid: "ElbLogDelivery",
              Effect: "Allow",
              Principal: { Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
              Action: "s3:PutObject",
              Resource: objects,
            },
            {
              Sid: "ElbRegionalAccountLogDelivery",
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::797873946194:root" },
              Action: "s3:PutObject",
              Resource: objects,
            },
          ]),
        );
      },
    );
  });

  describe("network load balancer front (REST API VPC link)", () => {
    const port = https ? 443 : 80;

    it("internal NLB in the app subnets with the api_link group, PrivateLink traffic not filtered", () => {
      expect(resource(tf, "aws_lb", "api_link_nlb")).toEqual({
        name: `${prefix}-nlb`,
        load_balancer_type: "network",
        internal: true,
        subnets: REMOTE("network", "app_subnet_ids"),
        security_groups: [REMOTE("security", "api_link_security_group_id")],
        enforce_security_group_inbound_rules_on_private_link_traffic: "off",
        enable_cross_zone_load_balancing: true,
        enable_deletion_protection: cfg.protection.availability,
        ip_address_type: "ipv4",
      });
    });

    it(`forwards TCP ${port} to a target group of type alb that holds the ALB`, () => {
      expect(resource(tf, "aws_lb_listener", "api_link_nlb_listener")).toEqual({
        load_balancer_arn: "${aws_lb.api_link_nlb.arn}",
        port,
        protocol: "TCP",
        default_action: [{ type: "forward", target_group_arn: "${aws_lb_target_group.api_link_nlb_alb.arn}" }],
      });
      expect(resource(tf, "aws_lb_target_group", "api_link_nlb_alb")).toMatchObject({
        name: `${prefix}-nlb`,
        target_type: "alb",
        protocol: "TCP",
        port,
        health_check: { protocol: https ? "HTTPS" : "HTTP", matcher: "200-499" },
      });
      expect(resource(tf, "aws_lb_target_group_attachment", "api_link_nlb_alb_attachment")).toEqual({
        target_group_arn: "${aws_lb_target_group.api_link_nlb_alb.arn}",
        target_id: "${aws_lb.load_balancer.arn}",
        port,
        depends_on: [`aws_lb_listener.load_balancer_${https ? "https" : "http"}`],
      });
    });
  });
});

describe("application layer options", () => {
  const base = synthApp(env("dev")).tf;

  it("adding a service renames nothing", () => {
    const { tf } = synthApp(envWith("dev", { services: { owners: { port: 8081, priority: 500 } } }));
    const before = addresses(base);
    const after = addresses(tf);
    expect(after).toEqual(expect.arrayContaining(before));
    const added = after.filter((a) => !before.includes(a));
    expect(added.length).toBeGreaterThan(0);
    for (const a of added) expect(a).toMatch(/\.owners(_|$)/);
    // Existing services keep their rules and priorities.
    for (const s of ["customers", "vets", "visits", "admin_server"]) {
      expect(resource(tf, "aws_lb_listener_rule", `${s}_target_rule`)).toEqual(resource(base, "aws_lb_listener_rule", `${s}_target_rule`));
    }
  });

  it("an internet-facing ALB: public subnets, no NLB, nlb_arn empty", () => {
    const cfg = envWith("dev", {
      application: { alb: { internal: false, networkLoadBalancer: false } },
      security: { alb: { ingressCidrs: ["0.0.0.0/0"] } },
      apiGateway: { type: "http" },
    });
    const { tf } = synthApp(cfg);
    expect(resource(tf, "aws_lb", "load_balancer")).toMatchObject({ internal: false, subnets: REMOTE("network", "public_subnet_ids") });
    expect(Object.keys(resources(tf, "aws_lb"))).toEqual(["load_balancer"]);
    expect(tf.output?.nlb_arn.value).toBe("");
    expect(applicationContract.nlb_arn.mock(cfg)).toBe("");
  });

  it("Fargate Spot for non-critical services: all Spot in dev, scale-out only above minCount where availability is protected", () => {
    const strategy = (tf: TerraformJson, name: string) => resource(tf, "aws_ecs_service", name).capacity_provider_strategy;
    const dev = synthApp(envWith("dev", { services: { vets: { critical: false } } })).tf;
    expect(strategy(dev, "vets")).toEqual([{ capacity_provider: "FARGATE_SPOT", weight: 1 }]);
    expect(strategy(dev, "customers")).toEqual([{ capacity_provider: "FARGATE", weight: 1 }]);
    const staging = synthApp(envWith("staging", { services: { vets: { critical: false, minCount: 2 } } })).tf;
    expect(strategy(staging, "vets")).toEqual([
      { capacity_provider: "FARGATE", weight: 0, base: 2 },
      { capacity_provider: "FARGATE_SPOT", weight: 100 },
    ]);
    const prod = synthApp(envWith("prod", { services: { vets: { critical: false } } })).tf;
    const min = env("prod").services.vets.minCount;
    expect(strategy(prod, "vets")).toEqual([
      { capacity_provider: "FARGATE", weight: 50, base: min },
      { capacity_provider: "FARGATE_SPOT", weight: 50 },
    ]);
    expect(strategy(prod, "customers")).toEqual([{ capacity_provider: "FARGATE", weight: 1 }]);
  });

  it("HTTPS in dev once a certificate is given", () => {
    const cert = "arn:aws:acm:us-west-2:111111111111:certificate/5b2c4f0e-8a4d-4c1e-9f3a-2d7e6b1a0c41";
    const { tf } = synthApp(
      envWith("dev", { application: { alb: { https: null, certificateArn: cert } }, apiGateway: { backendHost: "alb.dev.example.com" } }),
    );
    expect(resource(tf, "aws_lb_listener", "load_balancer_https")).toMatchObject({ certificate_arn: cert, port: 443 });
    expect(resource(tf, "aws_lb_listener", "api_link_nlb_listener")).toMatchObject({ port: 443 });
  });

  it("Spot share, memory and request scaling, ARM64, a non-root user, an external image", () => {
    const cfg = envWith("dev", {
      services: {
        vets: {
          spotPercent: 60,
          architecture: "ARM64",
          user: "1000:1000",
          image: { uri: "public.ecr.aws/docker/library/nginx:1.27" },
          autoscaling: { memoryPercent: 75, requestsPerTarget: 500, scaleInCooldownSeconds: 600 },
        },
      },
    });
    const { tf } = synthApp(cfg);
    expect(resource(tf, "aws_ecs_service", "vets").capacity_provider_strategy).toEqual([
      { capacity_provider: "FARGATE", weight: 40, base: 1 },
      { capacity_provider: "FARGATE_SPOT", weight: 60 },
    ]);
    expect(resource(tf, "aws_ecs_task_definition", "vets_task").runtime_platform).toEqual({
      operating_system_family: "LINUX",
      cpu_architecture: "ARM64",
    });
    const [container] = containers(tf, "vets");
    expect(container).toMatchObject({ user: "1000:1000", image: "public.ecr.aws/docker/library/nginx:1.27" });
    const policyOf = (p: string) =>
      resource(tf, "aws_appautoscaling_policy", `vets_scaling_${p}`).target_tracking_scaling_policy_configuration as Record<
        string,
        unknown
      >;
    expect(policyOf("memory")).toMatchObject({
      target_value: 75,
      scale_in_cooldown: 600,
      predefined_metric_specification: { predefined_metric_type: "ECSServiceAverageMemoryUtilization" },
    });
    expect(policyOf("requests")).toMatchObject({
      target_value: 500,
      predefined_metric_specification: {
        predefined_metric_type: "ALBRequestCountPerTarget",
        resource_label: "${aws_lb.load_balancer.arn_suffix}/${aws_lb_target_group.vets_target.arn_suffix}",
      },
    });
    expect(resource(tf, "aws_ecs_service", "customers").capacity_provider_strategy).toEqual([{ capacity_provider: "FARGATE", weight: 1 }]);
  });

  it("ECS Exec keeps the root read-only and gives the agent writable volumes", () => {
    const { tf } = synthApp(envWith("dev", { security: { ecsExec: true } }));
    expect(resource(tf, "aws_ecs_service", "customers").enable_execute_command).toBe(true);
    const [container] = containers(tf, "customers");
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(container.linuxParameters).toEqual({ initProcessEnabled: true });
    expect(container.mountPoints.map((m) => m.containerPath)).toEqual(["/tmp", "/var/lib/amazon/ssm", "/var/log/amazon/ssm"]);
    expect(resource(tf, "aws_ecs_task_definition", "customers_task").volume).toEqual([
      { name: "tmp" },
      { name: "var-lib-amazon-ssm" },
      { name: "var-log-amazon-ssm" },
    ]);
  });

  it("without cloud-map and database layers: no registry, no credentials, no reads of them", () => {
    const noDb = Object.fromEntries(["customers", "vets", "visits"].map((s) => [s, { database: null, secrets: null }]));
    const cfg = envWith("dev", {
      layers: { "cloud-map": { enabled: false }, database: { enabled: false } },
      services: noDb,
      genai: { database: null },
    });
    const { tf } = synthApp(cfg);
    expect(Object.keys(tf.data?.terraform_remote_state ?? {}).sort()).toEqual(["network", "security"]);
    expect(resource(tf, "aws_ecs_service", "customers")).not.toHaveProperty("service_registries");
    expect(containers(tf, "customers")[0].secrets).toEqual([]);
  });

  it("without WAF: no association; with an existing log bucket: no bucket created", () => {
    const { tf } = synthApp(
      envWith("dev", {
        security: { waf: { enabled: false } },
        application: { alb: { accessLogs: { enabled: true, bucket: "central-alb-logs" } } },
      }),
    );
    expect(resources(tf, "aws_wafv2_web_acl_association")).toEqual({});
    expect(resources(tf, "aws_s3_bucket")).toEqual({});
    expect(resource(tf, "aws_lb", "load_balancer").access_logs).toEqual({ enabled: true, bucket: "central-alb-logs", prefix: "alb" });
  });
});
