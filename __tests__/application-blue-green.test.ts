/**
 * Blue/green deployments through CodeDeploy (services.<name>.deployment: blue-green, or
 * application.deployment.strategy): the CodeDeploy application and service role, a deployment group
 * per service with two target groups, the test listener, the ECS service under the CODE_DEPLOY
 * controller with what CodeDeploy owns ignored, the rollback alarm; and rolling services left exactly
 * as they were. Variants of the PetClinic environments (envWith), so the default system stays rolling.
 */
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { Testing } from "cdktf";
import { ConfigError, formatProblem } from "../core/config/errors";
import type { PlatformConfig } from "../core/config/schema";
import { blueGreenServices, serviceDeployment, trafficRoutingName } from "../layers/07-application/config";
import { applicationContract } from "../layers/07-application/contract";
import { ApplicationStack } from "../layers/07-application/stack";
import { SecurityStack } from "../layers/02-security/stack";
import { addedAddresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";

const synthApp = (cfg: PlatformConfig) => synth(ApplicationStack, cfg).tf;
const id = (service: string) => service.replace(/-/g, "_");

/** The config refuses the overrides; returns the problem lines without their file position. */
function refused(name: string, overrides: Record<string, unknown>): string[] {
  try {
    envWith(name, overrides);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => formatProblem(p).replace(/^\S+ /, ""));
    throw e;
  }
  throw new Error("expected the configuration to be refused");
}

describe.each(ENVIRONMENTS)("the default system stays rolling (%s)", (name) => {
  const cfg = env(name);
  const tf = synthApp(cfg);

  it("has no blue-green service and no CodeDeploy resource, test listener or second target group", () => {
    expect(blueGreenServices(cfg)).toEqual([]);
    expect(cfg.application.deployment.strategy).toBe("rolling");
    for (const type of ["aws_codedeploy_app", "aws_codedeploy_deployment_group", "aws_codedeploy_deployment_config"])
      expect(resources(tf, type)).toEqual({});
    expect(Object.keys(resources(tf, "aws_lb_listener"))).not.toContain("load_balancer_test");
    expect(Object.keys(resources(tf, "aws_lb_target_group")).filter((n) => n.endsWith("_green"))).toEqual([]);
    expect(tf.output?.codedeploy_app_name.value).toBe("");
    expect(tf.output?.green_target_group_arn_suffixes.value).toEqual({});
  });

  it("every service keeps the ECS controller with the circuit breaker, forced deployments and AZ rebalancing", () => {
    for (const s of Object.keys(cfg.services)) {
      const svc = resource(tf, "aws_ecs_service", id(s));
      expect(svc).toMatchObject({
        deployment_controller: { type: "ECS" },
        deployment_circuit_breaker: { enable: true, rollback: true },
        force_new_deployment: true,
        availability_zone_rebalancing: "ENABLED",
        lifecycle: { ignore_changes: ["desired_count"] },
      });
      expect(resource(tf, "aws_ecs_task_definition", `${id(s)}_task`).skip_destroy).toBeUndefined();
      expect(resource(tf, "aws_lb_listener_rule", `${id(s)}_target_rule`).lifecycle).toBeUndefined();
    }
  });
});

describe("one blue-green service beside rolling ones (prod, HTTPS)", () => {
  const base = env("prod");
  const cfg = envWith("prod", { services: { customers: { deployment: "blue-green" } } });
  const tf = synthApp(cfg);
  const plain = synthApp(base);
  const prefix = "petclinic-prod";

  it("resolves the strategy per service: its own, else application.deployment.strategy", () => {
    expect(blueGreenServices(cfg)).toEqual(["customers"]);
    expect(serviceDeployment(cfg, cfg.services.customers)).toBe("blue-green");
    expect(serviceDeployment(cfg, cfg.services.vets)).toBe("rolling");
    const all = envWith("prod", { application: { deployment: { strategy: "blue-green" } }, services: { vets: { deployment: "rolling" } } });
    expect(blueGreenServices(all)).toEqual(["customers", "visits", "admin-server"]);
  });

  it("leaves the rolling services byte-identical and only adds addresses", () => {
    const rolling = ["vets", "visits", "admin-server"];
    const typesOf = (t: TerraformJson) => Object.keys(t.resource ?? {});
    for (const type of typesOf(plain)) {
      for (const [name, body] of Object.entries(resources(plain, type))) {
        if (name.startsWith("customers_") || name === "customers") continue;
        // The delivery role's grants follow the strategy (UpdateService vs CodeDeploy): __tests__/delivery.test.ts.
        if (name === "app_delivery_deploy") continue;
        expect([type, name, resource(tf, type, name)]).toEqual([type, name, body]);
      }
    }
    for (const s of rolling) expect(resource(tf, "aws_ecs_service", id(s))).toEqual(resource(plain, "aws_ecs_service", id(s)));
    expect(addedAddresses(plain, tf)).toEqual([
      "aws_cloudwatch_metric_alarm.customers_deployment_5xx",
      "aws_codedeploy_app.codedeploy",
      "aws_codedeploy_deployment_group.customers_deployment",
      "aws_iam_role.codedeploy_role",
      "aws_iam_role_policy_attachment.codedeploy_role_ecs",
      "aws_lb_listener.load_balancer_test",
      "aws_lb_listener_rule.customers_target_test_rule",
      "aws_lb_target_group.customers_target_green",
    ]);
  });

  it("creates the CodeDeploy application for ECS and its service role with AWSCodeDeployRoleForECS by constant ARN", () => {
    expect(resource(tf, "aws_codedeploy_app", "codedeploy")).toMatchObject({ name: prefix, compute_platform: "ECS" });
    const role = resource(tf, "aws_iam_role", "codedeploy_role");
    expect(role.name).toBe(`${prefix}-codedeploy`);
    const trust = policy(role.assume_role_policy).Statement[0];
    expect(trust).toMatchObject({
      Action: "sts:AssumeRole",
      Principal: { Service: "codedeploy.amazonaws.com" },
      Condition: {
        StringEquals: { "aws:SourceAccount": cfg.aws.accountId },
        ArnLike: { "aws:SourceArn": `arn:aws:codedeploy:us-west-2:${cfg.aws.accountId}:deploymentgroup:${prefix}/*` },
      },
    });
    expect(resource(tf, "aws_iam_role_policy_attachment", "codedeploy_role_ecs")).toEqual({
      role: "${aws_iam_role.codedeploy_role.name}",
      policy_arn: "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS",
    });
    expect(JSON.stringify(tf.data ?? {})).not.toContain("aws_iam_policy");
  });

  it("gives the service a second target group, identical but for its name", () => {
    const blue = resource(tf, "aws_lb_target_group", "customers_target");
    const green = resource(tf, "aws_lb_target_group", "customers_target_green");
    expect(green.name).toBe(`${prefix}-customers-green`);
    expect({ ...green, name: blue.name }).toEqual(blue);
  });

  it("adds the test listener (HTTPS, the production listener's policy and certificate, 404 by default) with the service's rule on it", () => {
    const https = resource(tf, "aws_lb_listener", "load_balancer_https");
    const test = resource(tf, "aws_lb_listener", "load_balancer_test");
    expect(test).toMatchObject({
      load_balancer_arn: "${aws_lb.load_balancer.arn}",
      port: 8443,
      protocol: "HTTPS",
      ssl_policy: https.ssl_policy,
      certificate_arn: https.certificate_arn,
      default_action: https.default_action,
    });
    const prodRule = resource(tf, "aws_lb_listener_rule", "customers_target_rule");
    const testRule = resource(tf, "aws_lb_listener_rule", "customers_target_test_rule");
    expect(testRule).toEqual({ ...prodRule, listener_arn: "${aws_lb_listener.load_balancer_test.arn}" });
    // CodeDeploy rewrites the forward actions while it shifts traffic.
    for (const rule of [prodRule, testRule]) {
      expect(rule).toMatchObject({
        action: [{ type: "forward", target_group_arn: "${aws_lb_target_group.customers_target.arn}" }],
        lifecycle: { ignore_changes: ["action"] },
      });
    }
  });

  it("runs the service under the CODE_DEPLOY controller, leaving task definition and load balancer to CodeDeploy", () => {
    const svc = resource(tf, "aws_ecs_service", "customers");
    expect(svc).toMatchObject({
      deployment_controller: { type: "CODE_DEPLOY" },
      force_new_deployment: false,
      availability_zone_rebalancing: "DISABLED",
      task_definition: "${aws_ecs_task_definition.customers_task.arn}",
      load_balancer: [
        { target_group_arn: "${aws_lb_target_group.customers_target.arn}", container_name: "customers", container_port: 8080 },
      ],
      lifecycle: { ignore_changes: ["task_definition", "load_balancer", "desired_count"] },
    });
    expect(svc.deployment_circuit_breaker).toBeUndefined();
    // A rollback starts the previous revision again: Terraform keeps the revisions it replaces.
    expect(resource(tf, "aws_ecs_task_definition", "customers_task").skip_destroy).toBe(true);
  });

  it("creates a blue/green deployment group with traffic control, both target groups, both listeners and automatic rollback", () => {
    const group = resource(tf, "aws_codedeploy_deployment_group", "customers_deployment");
    expect(group).toMatchObject({
      app_name: "${aws_codedeploy_app.codedeploy.name}",
      deployment_group_name: "customers",
      service_role_arn: "${aws_iam_role.codedeploy_role.arn}",
      deployment_config_name: "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
      deployment_style: { deployment_type: "BLUE_GREEN", deployment_option: "WITH_TRAFFIC_CONTROL" },
      blue_green_deployment_config: {
        deployment_ready_option: { action_on_timeout: "CONTINUE_DEPLOYMENT" },
        terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 5 },
      },
      ecs_service: { cluster_name: "${aws_ecs_cluster.ecs_cluster.name}", service_name: "${aws_ecs_service.customers.name}" },
      load_balancer_info: {
        target_group_pair_info: {
          prod_traffic_route: { listener_arns: ["${aws_lb_listener.load_balancer_https.arn}"] },
          test_traffic_route: { listener_arns: ["${aws_lb_listener.load_balancer_test.arn}"] },
          target_group: [
            { name: "${aws_lb_target_group.customers_target.name}" },
            { name: "${aws_lb_target_group.customers_target_green.name}" },
          ],
        },
      },
      auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] },
      alarm_configuration: { enabled: true, alarms: ["${aws_cloudwatch_metric_alarm.customers_deployment_5xx.alarm_name}"] },
    });
    expect(group.depends_on).toEqual(
      expect.arrayContaining([
        "aws_ecs_service.customers",
        "aws_lb_listener_rule.customers_target_rule",
        "aws_lb_listener_rule.customers_target_test_rule",
      ]),
    );
  });

  it("rolls back on the 5XX share of both target groups (marked as read by CodeDeploy, not by people)", () => {
    const alarm = resource(tf, "aws_cloudwatch_metric_alarm", "customers_deployment_5xx");
    expect(alarm).toMatchObject({
      alarm_name: `${prefix}-customers-deployment-5xx`,
      comparison_operator: "GreaterThanThreshold",
      threshold: 5,
      evaluation_periods: 3,
      datapoints_to_alarm: 2,
      treat_missing_data: "notBreaching",
    });
    const queries = alarm.metric_query as Array<{
      id: string;
      expression?: string;
      metric?: { dimensions: Record<string, string>; metric_name: string };
    }>;
    expect(queries.map((q) => q.id)).toEqual(["errors_blue", "errors_green", "requests_blue", "requests_green", "error_rate"]);
    expect(queries[1].metric).toMatchObject({
      metric_name: "HTTPCode_Target_5XX_Count",
      dimensions: {
        LoadBalancer: "${aws_lb.load_balancer.arn_suffix}",
        TargetGroup: "${aws_lb_target_group.customers_target_green.arn_suffix}",
      },
    });
    expect(queries[4].expression).toContain("/ (FILL(requests_blue, 0) + FILL(requests_green, 0))");
    // The review exception is cdktf's `//` comment key (Testing.synth drops those; toTerraform keeps them).
    const stack = new ApplicationStack(Testing.app(), cfg);
    const construct = stack.node.findAll().find((c) => c instanceof CloudwatchMetricAlarm) as CloudwatchMetricAlarm;
    const body = (
      construct.toTerraform() as { resource: Record<string, Record<string, { "//": { review_exceptions: Record<string, string> } }>> }
    ).resource;
    expect(body.aws_cloudwatch_metric_alarm.customers_deployment_5xx["//"].review_exceptions["PK-CW-001"]).toMatch(/^Read by CodeDeploy/);
  });

  it("publishes the green target group and the CodeDeploy application; the mocks have the same keys", () => {
    expect(tf.output?.green_target_group_arn_suffixes.value).toEqual({
      customers: "${aws_lb_target_group.customers_target_green.arn_suffix}",
    });
    expect(tf.output?.codedeploy_app_name.value).toBe("${aws_codedeploy_app.codedeploy.name}");
    expect(Object.keys(applicationContract.green_target_group_arn_suffixes.mock(cfg))).toEqual(["customers"]);
    expect(applicationContract.codedeploy_app_name.mock(cfg)).toBe(prefix);
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(applicationContract).sort());
  });

  it("does not open the test listener's port: the security layer opens only security.alb.ports", () => {
    const security = JSON.stringify(synth(SecurityStack, cfg).tf);
    expect(security).not.toMatch(/8443/);
  });
});

describe("blue/green settings", () => {
  it("an HTTP-only load balancer (dev) gets an HTTP test listener without a certificate", () => {
    const tf = synthApp(envWith("dev", { application: { deployment: { strategy: "blue-green" } } }));
    const test = resource(tf, "aws_lb_listener", "load_balancer_test");
    expect(test).toMatchObject({ port: 8443, protocol: "HTTP" });
    expect(test.certificate_arn).toBeUndefined();
    expect(test.ssl_policy).toBeUndefined();
    expect(resource(tf, "aws_codedeploy_deployment_group", "vets_deployment")).toMatchObject({
      load_balancer_info: {
        target_group_pair_info: { prod_traffic_route: { listener_arns: ["${aws_lb_listener.load_balancer_http.arn}"] } },
      },
    });
    expect(Object.keys(resources(tf, "aws_codedeploy_deployment_group")).sort()).toEqual(
      ["admin_server_deployment", "customers_deployment", "vets_deployment", "visits_deployment"].sort(),
    );
  });

  it("takes a predefined configuration, the test port, the approval and termination waits from config", () => {
    const cfg = envWith("prod", {
      services: { vets: { deployment: "blue-green" } },
      application: {
        deployment: {
          blueGreen: {
            trafficRouting: "CodeDeployDefault.ECSCanary10Percent5Minutes",
            testListenerPort: 9443,
            approvalWaitMinutes: 60,
            terminationWaitMinutes: 30,
          },
        },
      },
    });
    const tf = synthApp(cfg);
    expect(resource(tf, "aws_lb_listener", "load_balancer_test").port).toBe(9443);
    expect(resource(tf, "aws_codedeploy_deployment_group", "vets_deployment")).toMatchObject({
      deployment_config_name: "CodeDeployDefault.ECSCanary10Percent5Minutes",
      blue_green_deployment_config: {
        deployment_ready_option: { action_on_timeout: "STOP_DEPLOYMENT", wait_time_in_minutes: 60 },
        terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 30 },
      },
    });
    expect(resources(tf, "aws_codedeploy_deployment_config")).toEqual({});
  });

  it("creates a custom time-based shift as a deployment configuration of the layer", () => {
    const cfg = envWith("prod", {
      services: { vets: { deployment: "blue-green" } },
      application: { deployment: { blueGreen: { trafficRouting: { type: "linear", percent: 20, intervalMinutes: 2 } } } },
    });
    expect(trafficRoutingName(cfg)).toBe("petclinic-prod-linear-20pct-every-2min");
    const tf = synthApp(cfg);
    expect(resource(tf, "aws_codedeploy_deployment_config", "codedeploy_traffic")).toEqual({
      deployment_config_name: "petclinic-prod-linear-20pct-every-2min",
      compute_platform: "ECS",
      traffic_routing_config: { type: "TimeBasedLinear", time_based_linear: { interval: 2, percentage: 20 } },
    });
    expect(resource(tf, "aws_codedeploy_deployment_group", "vets_deployment").deployment_config_name).toBe(
      "${aws_codedeploy_deployment_config.codedeploy_traffic.deployment_config_name}",
    );
    const canary = envWith("prod", {
      services: { vets: { deployment: "blue-green" } },
      application: { deployment: { blueGreen: { trafficRouting: { type: "canary", percent: 10, intervalMinutes: 15 } } } },
    });
    expect(resource(synthApp(canary), "aws_codedeploy_deployment_config", "codedeploy_traffic").traffic_routing_config).toEqual({
      type: "TimeBasedCanary",
      time_based_canary: { interval: 15, percentage: 10 },
    });
  });

  it("without the rollback alarm, rolls back on deployment failure only", () => {
    const tf = synthApp(
      envWith("prod", {
        services: { vets: { deployment: "blue-green" } },
        application: { deployment: { blueGreen: { rollbackAlarm: { enabled: false } } } },
      }),
    );
    expect(resources(tf, "aws_cloudwatch_metric_alarm")).toEqual({});
    const group = resource(tf, "aws_codedeploy_deployment_group", "vets_deployment");
    expect(group.auto_rollback_configuration).toEqual({ enabled: true, events: ["DEPLOYMENT_FAILURE"] });
    expect(group.alarm_configuration).toBeUndefined();
  });

  it("takes the rollback threshold from config", () => {
    const tf = synthApp(
      envWith("prod", {
        services: { vets: { deployment: "blue-green" } },
        application: { deployment: { blueGreen: { rollbackAlarm: { errorRatePercent: 2 } } } },
      }),
    );
    expect(resource(tf, "aws_cloudwatch_metric_alarm", "vets_deployment_5xx").threshold).toBe(2);
  });

  it("refuses a test port of a production listener, unknown strategies and configurations, out-of-range waits", () => {
    expect(
      refused("prod", {
        services: { vets: { deployment: "blue-green" } },
        application: { deployment: { blueGreen: { testListenerPort: 443 } } },
      }),
    ).toEqual([
      "application.deployment.blueGreen.testListenerPort: expected a port other than 80 and 443 (the load balancer's production listeners), such as 8443, found 443",
    ]);
    // Without a blue-green service the test port is not used, so it is not checked.
    expect(() => envWith("prod", { application: { deployment: { blueGreen: { testListenerPort: 443 } } } })).not.toThrow();
    expect(refused("prod", { services: { vets: { deployment: "blue-grene" } } })).toEqual([
      'services.vets.deployment: expected one of "rolling", "blue-green", found "blue-grene" (did you mean blue-green?)',
    ]);
    expect(refused("prod", { application: { deployment: { blueGreen: { trafficRouting: "CodeDeployDefault.AllAtOnce" } } } })[0]).toMatch(
      /^application\.deployment\.blueGreen\.trafficRouting: expected one of CodeDeployDefault\.ECSAllAtOnce, .*found "CodeDeployDefault\.AllAtOnce"/,
    );
    expect(refused("prod", { application: { deployment: { blueGreen: { terminationWaitMinutes: 3000 } } } })[0]).toMatch(
      /^application\.deployment\.blueGreen\.terminationWaitMinutes: expected a termination wait: a whole number of minutes from 0 to 2880/,
    );
    expect(
      refused("prod", {
        application: { deployment: { blueGreen: { trafficRouting: { type: "linear", percent: 100, intervalMinutes: 1 } } } },
      })[0],
    ).toMatch(/trafficRouting/);
  });
});

describe("load balancer DNS records (application.alb.dnsRecords)", () => {
  it("writes an A alias record per name to the load balancer, evaluating its health", () => {
    const tf = synthApp(
      envWith("prod", {
        application: { alb: { dnsRecords: { hostedZoneId: "Z0123456789PETCLINIC", names: ["alb.prod.petclinic.example.com"] } } },
      }),
    );
    expect(resources(tf, "aws_route53_record")).toEqual({
      load_balancer_dns_alb_prod_petclinic_example_com_a: {
        zone_id: "Z0123456789PETCLINIC",
        name: "alb.prod.petclinic.example.com",
        type: "A",
        alias: { name: "${aws_lb.load_balancer.dns_name}", zone_id: "${aws_lb.load_balancer.zone_id}", evaluate_target_health: true },
      },
    });
    expect(resources(synthApp(env("prod")), "aws_route53_record")).toEqual({});
  });
});
