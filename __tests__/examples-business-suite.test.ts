/**
 * examples/business-suite (seed 002, the cloud-native business management SaaS) synthesizes the
 * seed's signature features in dev and prod: CodeDeploy blue/green deployments with two target
 * groups, 0.5 vCPU / 1 GB tasks scaling on CPU and memory at 70 %, the Cognito user pool with MFA and
 * the post-confirmation e-mail validation function with its SQS dead-letter queues, GuardDuty,
 * CloudTrail, X-Ray and dashboards, security groups "ALB 443 only / ECS only from the ALB / RDS only
 * from ECS", the SPA on S3 + CloudFront with its Route 53 name and ACM certificate, RDS MySQL
 * (dev; prod Multi-AZ with a read replica for reporting whose master secret the kit rotates) with
 * 7-day backups.
 */
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import { LAYER_NAMES, type PlatformConfig } from "../core/config/schema";
import { blueGreenServices } from "../layers/07-application/config";
import { SecurityStack } from "../layers/02-security/stack";
import { DatabaseStack } from "../layers/03-database/stack";
import { ApplicationStack } from "../layers/07-application/stack";
import { NativeStack } from "../layers/09-native/stack";
import { MonitoringStack } from "../layers/10-monitoring/stack";
import { FrontendStack } from "../layers/11-frontend/stack";
import { NotificationStack } from "../layers/12-notification/stack";
import { resource, resources, synth } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
const load = (name: string): PlatformConfig => loadConfigFile(`examples/business-suite/${name}.yaml`, ROOT).config;
const enabledLayers = (cfg: PlatformConfig) => LAYER_NAMES.filter((l) => cfg.layers[l]?.enabled !== false);
const REMOTE = (layer: string, output: string) => `\${data.terraform_remote_state.${layer}.outputs.${output}}`;

describe.each([
  ["dev", { account: "111122223333", site: "dev.bsuite.example.com", api: "api.dev.bsuite.example.com", minCount: 1, maxCount: 2 }],
  ["prod", { account: "444455556666", site: "app.bsuite.example.com", api: "api.bsuite.example.com", minCount: 2, maxCount: 6 }],
] as const)("examples/business-suite %s", (name, want) => {
  const cfg = load(name);
  const prefix = `bsuite-${name}`;

  it("is the bsuite project in us-west-2 without API Gateway, GenAI or Cloud Map (the ALB is the front door)", () => {
    expect(cfg).toMatchObject({ project: "bsuite", environment: name, tier: name, aws: { region: "us-west-2", accountId: want.account } });
    expect(enabledLayers(cfg)).toEqual([
      "network",
      "security",
      "database",
      "parameters",
      "application",
      "native",
      "monitoring",
      "frontend",
      "notification",
    ]);
    expect(blueGreenServices(cfg)).toEqual(["api"]);
  });

  describe("application", () => {
    const { tf } = synth(ApplicationStack, cfg);

    it("runs 0.5 vCPU / 1 GB tasks behind an internet-facing ALB with HTTPS and the WAF", () => {
      expect(resource(tf, "aws_ecs_task_definition", "api_task")).toMatchObject({ cpu: "512", memory: "1024" });
      expect(resource(tf, "aws_lb", "load_balancer")).toMatchObject({
        internal: false,
        subnets: REMOTE("network", "public_subnet_ids"),
        drop_invalid_header_fields: true,
      });
      expect(resource(tf, "aws_lb_listener", "load_balancer_https")).toMatchObject({ port: 443, protocol: "HTTPS" });
      expect(resource(tf, "aws_wafv2_web_acl_association", "load_balancer_waf").web_acl_arn).toBe(REMOTE("security", "waf_web_acl_arn"));
      expect(resource(tf, "aws_route53_record", `load_balancer_dns_${want.api.replace(/\./g, "_")}_a`)).toMatchObject({
        name: want.api,
        type: "A",
      });
    });

    it("scales between its bounds on CPU and on memory, both at 70 %", () => {
      expect(resource(tf, "aws_appautoscaling_target", "api_scaling")).toMatchObject({
        min_capacity: want.minCount,
        max_capacity: want.maxCount,
      });
      for (const [policyName, metric] of [
        ["api_scaling_cpu", "ECSServiceAverageCPUUtilization"],
        ["api_scaling_memory", "ECSServiceAverageMemoryUtilization"],
      ]) {
        expect(resource(tf, "aws_appautoscaling_policy", policyName).target_tracking_scaling_policy_configuration).toMatchObject({
          target_value: 70,
          predefined_metric_specification: { predefined_metric_type: metric },
        });
      }
    });

    it("deploys blue/green through CodeDeploy: two target groups, traffic shifting, test listener, rollback on failure and alarm", () => {
      expect(resource(tf, "aws_ecs_service", "api").deployment_controller).toEqual({ type: "CODE_DEPLOY" });
      expect(Object.keys(resources(tf, "aws_lb_target_group")).sort()).toEqual(["api_target", "api_target_green"]);
      expect(resource(tf, "aws_codedeploy_app", "codedeploy")).toMatchObject({ name: prefix, compute_platform: "ECS" });
      expect(resource(tf, "aws_codedeploy_deployment_group", "api_deployment")).toMatchObject({
        deployment_config_name: "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
        deployment_style: { deployment_type: "BLUE_GREEN", deployment_option: "WITH_TRAFFIC_CONTROL" },
        blue_green_deployment_config: {
          terminate_blue_instances_on_deployment_success: { action: "TERMINATE", termination_wait_time_in_minutes: 15 },
        },
        load_balancer_info: {
          target_group_pair_info: {
            prod_traffic_route: { listener_arns: ["${aws_lb_listener.load_balancer_https.arn}"] },
            test_traffic_route: { listener_arns: ["${aws_lb_listener.load_balancer_test.arn}"] },
            target_group: [{ name: "${aws_lb_target_group.api_target.name}" }, { name: "${aws_lb_target_group.api_target_green.name}" }],
          },
        },
        auto_rollback_configuration: { enabled: true, events: ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"] },
      });
      expect(resource(tf, "aws_iam_role_policy_attachment", "codedeploy_role_ecs").policy_arn).toBe(
        "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS",
      );
    });
  });

  it("security groups: the ALB takes 443 only from the internet, the tasks only the ALB, the database only the tasks and the user provisioner", () => {
    const { tf } = synth(SecurityStack, cfg);
    const ingress = resources(tf, "aws_vpc_security_group_ingress_rule");
    const on = (group: string) =>
      Object.keys(ingress)
        .filter((r) => r.startsWith(`${group}_`))
        .sort();
    // api_link is the (empty) group of an API Gateway VPC link: no ENI or NLB is in it without the api-gateway layer.
    expect(on("alb")).toEqual(["alb_https_from_api_link", "alb_https_from_internet"]);
    expect(resource(tf, "aws_vpc_security_group_ingress_rule", "alb_https_from_internet")).toMatchObject({
      cidr_ipv4: "0.0.0.0/0",
      from_port: 443,
      to_port: 443,
    });
    expect(Object.values(ingress).filter((r) => r.cidr_ipv4 !== undefined)).toHaveLength(1);
    expect(on("app")).toEqual(["app_8080_from_alb"]);
    // db_admin: layer 03's database user provisioner (security.databaseClients keeps the other functions out).
    expect(on("data")).toEqual(["data_3306_from_app", "data_3306_from_db_admin"]);
    expect(Object.keys(resources(tf, "aws_vpc_security_group_egress_rule")).filter((r) => r.endsWith("_to_data"))).toEqual([
      "app_3306_to_data",
      "db_admin_3306_to_data",
    ]);
  });

  it("signs users in with Cognito: optional TOTP MFA, 1-hour tokens, refresh token rotation, the post-confirmation trigger", () => {
    const { tf } = synth(NativeStack, cfg);
    expect(resource(tf, "aws_cognito_user_pool", "cognito")).toMatchObject({
      mfa_configuration: "OPTIONAL",
      software_token_mfa_configuration: { enabled: true },
      lambda_config: { post_confirmation: "${aws_lambda_alias.post_confirmation_live.arn}" },
    });
    expect(resource(tf, "aws_cognito_user_pool_client", "cognito_spa_client")).toMatchObject({
      access_token_validity: 60,
      id_token_validity: 60,
      generate_secret: false,
      refresh_token_rotation: [{ feature: "ENABLED" }],
    });
    expect(resource(tf, "aws_lambda_permission", "cognito_post_confirmation_invoke")).toMatchObject({
      principal: "cognito-idp.amazonaws.com",
    });
  });

  it("validates e-mail after confirmation: a 512 MB function, the emails queue to the mailer, SQS dead-letter queues", () => {
    const { tf } = synth(NativeStack, cfg);
    expect(resource(tf, "aws_lambda_function", "post_confirmation")).toMatchObject({ memory_size: 512, runtime: "nodejs22.x" });
    expect(resource(tf, "aws_lambda_function_event_invoke_config", "post_confirmation_async").destination_config).toEqual({
      on_failure: { destination: "${aws_sqs_queue.post_confirmation_dlq.arn}" },
    });
    expect(JSON.parse(resource(tf, "aws_sqs_queue", "queues_emails").redrive_policy as string)).toEqual({
      deadLetterTargetArn: "${aws_sqs_queue.queues_emails_dlq.arn}",
      maxReceiveCount: 5,
    });
    expect(resource(tf, "aws_lambda_event_source_mapping", "queues_emails_trigger")).toMatchObject({
      event_source_arn: "${aws_sqs_queue.queues_emails.arn}",
      function_name: "${aws_lambda_alias.mailer_live.arn}",
    });
    expect(resource(tf, "aws_ses_template", "ses_template_email_verified")).toMatchObject({ name: `${prefix}-email-verified` });
  });

  it("watches with GuardDuty, CloudTrail, X-Ray, dashboards and alarms", () => {
    const { tf } = synth(MonitoringStack, cfg);
    expect(resource(tf, "aws_guardduty_detector", "guardduty")).toMatchObject({ enable: true });
    expect(resource(tf, "aws_cloudtrail", "trail")).toMatchObject({
      name: prefix,
      is_multi_region_trail: true,
      enable_log_file_validation: true,
    });
    expect(Object.keys(resources(tf, "aws_xray_sampling_rule"))).toEqual(["xray"]);
    expect(Object.keys(resources(tf, "aws_cloudwatch_dashboard"))).toEqual(
      expect.arrayContaining(["dashboard_overview", "dashboard_application", "dashboard_database"]),
    );
    expect(Object.keys(resources(tf, "aws_cloudwatch_metric_alarm"))).toEqual(
      expect.arrayContaining(["alb_api_5xx", "ecs_api_cpu", "ecs_api_memory", "db_connections"]),
    );
  });

  it("serves the SPA from S3 + CloudFront under its own name (ACM certificate in us-east-1, Route 53 alias records)", () => {
    const { tf } = synth(FrontendStack, cfg);
    expect(resource(tf, "aws_cloudfront_distribution", "site").aliases).toEqual([want.site]);
    expect(resource(tf, "aws_acm_certificate", "certificate")).toMatchObject({
      domain_name: want.site,
      validation_method: "DNS",
      provider: "aws.us_east_1",
    });
    const key = want.site.replace(/\./g, "_");
    expect(Object.keys(resources(tf, "aws_route53_record"))).toEqual(expect.arrayContaining([`dns_${key}_a`, `dns_${key}_aaaa`]));
  });

  it("keeps 7 days of automated snapshots; dev is RDS MySQL in one AZ, prod RDS MySQL Multi-AZ with a read replica for reporting", () => {
    const { tf } = synth(DatabaseStack, cfg);
    if (name === "dev") {
      expect(resource(tf, "aws_db_instance", "rds")).toMatchObject({
        engine: "mysql",
        instance_class: "db.t4g.micro",
        multi_az: false,
        backup_retention_period: 7,
        manage_master_user_password: true,
      });
      expect(resources(tf, "aws_secretsmanager_secret")).toEqual({});
    } else {
      const primary = resource(tf, "aws_db_instance", "rds");
      expect(primary).toMatchObject({
        engine: "mysql",
        engine_version: "8.0",
        instance_class: "db.t3.small",
        multi_az: true,
        backup_retention_period: 7,
        storage_encrypted: true,
        deletion_protection: true,
      });
      // RDS refuses replicas under a managed password: a write-only one from uuid(), no password in plan or state.
      expect(primary.manage_master_user_password).toBeUndefined();
      expect(primary).toMatchObject({ password_wo: "${local.rds_initial_password}", password_wo_version: 1 });
      expect(primary.password).toBeUndefined();
      expect(tf.locals).toEqual({ rds_initial_password: "${uuid()}" });
      // The replica: same key, data subnets, data group, IAM authentication, monitoring; reporting reads go to it.
      expect(resource(tf, "aws_db_instance", "rds_replica_1")).toMatchObject({
        identifier: "bsuite-prod-replica-1",
        replicate_source_db: "${aws_db_instance.rds.arn}",
        instance_class: "db.t3.small",
        storage_encrypted: true,
        kms_key_id: primary.kms_key_id,
        db_subnet_group_name: "${aws_db_subnet_group.rds_subnet_group.name}",
        vpc_security_group_ids: primary.vpc_security_group_ids,
        iam_database_authentication_enabled: true,
        publicly_accessible: false,
        monitoring_interval: 60,
        performance_insights_enabled: false,
      });
      expect(tf.output?.db_reader_endpoint.value).toBe("${aws_db_instance.rds_replica_1.address}");
      // The master secret is the kit's, rotated every 30 days (the seed) by the function, first right away.
      expect(tf.output?.db_master_secret_arn.value).toBe("${aws_secretsmanager_secret.master_secret.arn}");
      expect(resource(tf, "aws_secretsmanager_secret_rotation", "master_secret_rotation")).toMatchObject({
        rotation_lambda_arn: "${aws_lambda_function.master_secret_function.arn}",
        rotate_immediately: true,
        rotation_rules: { schedule_expression: "rate(30 days)" },
      });
      // The service may connect as its user on the writer and on the replica.
      const connect = JSON.parse(String(resource(tf, "aws_iam_role_policy", "api_db_connect").policy));
      expect(connect.Statement[0].Resource).toEqual([
        "arn:aws:rds-db:us-west-2:444455556666:dbuser:${aws_db_instance.rds.resource_id}/api",
        "arn:aws:rds-db:us-west-2:444455556666:dbuser:${aws_db_instance.rds_replica_1.resource_id}/api",
      ]);
    }
    expect(Object.keys(resources(tf, "aws_secretsmanager_secret_rotation"))).toHaveLength(1);
  });
});

// Issue 11 (seed 002 gaps): deployment outcomes, federation, the identity pool, MSK.
describe.each(["dev", "prod"] as const)("examples/business-suite %s: the seed's pipeline notifications", (name) => {
  const cfg = load(name);

  it("every blue/green outcome (SUCCESS, FAILURE, STOP) of the CodeDeploy application reaches the alarm topic", () => {
    const { tf } = synth(NotificationStack, cfg);
    const rule = resource(tf, "aws_cloudwatch_event_rule", "codedeploy_deployment");
    expect(JSON.parse(String(rule.event_pattern))).toEqual({
      source: ["aws.codedeploy"],
      "detail-type": ["CodeDeploy Deployment State-change Notification"],
      detail: { application: [REMOTE("application", "codedeploy_app_name")], state: ["SUCCESS", "FAILURE", "STOP"] },
    });
    const target = resource(tf, "aws_cloudwatch_event_target", "codedeploy_deployment_alarm_topic");
    expect(target).toMatchObject({
      arn: REMOTE("monitoring", "alarm_topic_arn"),
      dead_letter_config: { arn: "${aws_sqs_queue.events_dlq.arn}" },
    });
    // The queue for undeliverable events accepts this rule too.
    expect(String(resource(tf, "aws_sqs_queue_policy", "events_dlq_policy").policy)).toContain(
      "${aws_cloudwatch_event_rule.codedeploy_deployment.arn}",
    );
    // No rule for completed ECS deployments: the only service deploys through CodeDeploy.
    expect(resources(tf, "aws_cloudwatch_event_rule").ecs_deployment_completed).toBeUndefined();
  });
});

describe.each([
  ["dev", "111122223333"],
  ["prod", "444455556666"],
] as const)("examples/business-suite %s: Google and Facebook sign-in, the identity pool", (name, account) => {
  const cfg = load(name);
  const prefix = `bsuite-${name}`;
  const { tf } = synth(NativeStack, cfg);
  const text = JSON.stringify(tf);

  it("creates the providers at apply time from Secrets Manager: the input names the secrets, never a client secret", () => {
    const invocation = resource(tf, "aws_lambda_invocation", "identity_providers_invocation");
    expect(invocation).toMatchObject({ function_name: "${aws_lambda_function.identity_providers.function_name}", lifecycle_scope: "CRUD" });
    const input = JSON.parse(String(invocation.input)) as { userPoolId: string; providers: Array<Record<string, unknown>> };
    expect(input.userPoolId).toBe("${aws_cognito_user_pool.cognito.id}");
    expect(input.providers).toEqual([
      {
        name: "Google",
        secretId: `${prefix}/cognito/google`,
        scopes: "openid email profile",
        attributeMapping: { email: "email", email_verified: "email_verified", name: "name", username: "sub" },
      },
      {
        name: "Facebook",
        secretId: `${prefix}/cognito/facebook`,
        scopes: "public_profile,email",
        attributeMapping: { email: "email", name: "name", username: "id" },
      },
    ]);
    // No identity provider resource (its provider_details would put the secret in state), no secret anywhere.
    expect(resources(tf, "aws_cognito_identity_provider")).toEqual({});
    expect(text).not.toMatch(/provider_details|client_secret(?!s)/);
  });

  it("the SPA client offers Google and Facebook once they exist", () => {
    expect(resource(tf, "aws_cognito_user_pool_client", "cognito_spa_client")).toMatchObject({
      supported_identity_providers: ["COGNITO", "Google", "Facebook"],
      depends_on: ["aws_lambda_invocation.identity_providers_invocation"],
    });
  });

  it("the function's role reads exactly the two secrets, decrypts only through Secrets Manager and manages only this pool's providers", () => {
    const policies = resources(tf, "aws_iam_role_policy");
    expect(JSON.parse(String(policies.identity_providers_role_client_secrets.policy)).Statement).toEqual([
      {
        Effect: "Allow",
        Sid: "ReadClientSecrets",
        Action: "secretsmanager:GetSecretValue",
        Resource: [
          `arn:aws:secretsmanager:us-west-2:${account}:secret:${prefix}/cognito/google-??????`,
          `arn:aws:secretsmanager:us-west-2:${account}:secret:${prefix}/cognito/facebook-??????`,
        ],
      },
      {
        Effect: "Allow",
        Sid: "DecryptClientSecrets",
        Action: "kms:Decrypt",
        Resource: REMOTE("security", "kms_key_arns.data"),
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-west-2.amazonaws.com" } },
      },
    ]);
    expect(JSON.parse(String(policies.identity_providers_role_identity_providers.policy)).Statement[0]).toMatchObject({
      Action: [
        "cognito-idp:DescribeIdentityProvider",
        "cognito-idp:CreateIdentityProvider",
        "cognito-idp:UpdateIdentityProvider",
        "cognito-idp:DeleteIdentityProvider",
      ],
      Resource: "${aws_cognito_user_pool.cognito.arn}",
    });
  });

  it("the identity pool trusts the SPA client only, no guests; its role is trusted for this pool's signed-in identities and carries the boundary", () => {
    expect(resource(tf, "aws_cognito_identity_pool", "identity_pool")).toMatchObject({
      identity_pool_name: prefix,
      allow_unauthenticated_identities: false,
      allow_classic_flow: false,
      cognito_identity_providers: [
        {
          client_id: "${aws_cognito_user_pool_client.cognito_spa_client.id}",
          provider_name: "cognito-idp.us-west-2.amazonaws.com/${aws_cognito_user_pool.cognito.id}",
          server_side_token_check: true,
        },
      ],
    });
    expect(resource(tf, "aws_cognito_identity_pool_roles_attachment", "identity_pool_roles").roles).toEqual({
      authenticated: "${aws_iam_role.identity_pool_authenticated.arn}",
    });
    expect(resources(tf, "aws_iam_role").identity_pool_unauthenticated).toBeUndefined();
    const role = resource(tf, "aws_iam_role", "identity_pool_authenticated");
    expect(role.permissions_boundary).toBe(`arn:aws:iam::${account}:policy/${prefix}-permissions-boundary`);
    expect(JSON.parse(String(role.assume_role_policy)).Statement).toEqual([
      {
        Effect: "Allow",
        Sid: "SignedInIdentitiesOfThisPool",
        Principal: { Federated: "cognito-identity.amazonaws.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "cognito-identity.amazonaws.com:aud": "${aws_cognito_identity_pool.identity_pool.id}" },
          "ForAnyValue:StringLike": { "cognito-identity.amazonaws.com:amr": "authenticated" },
        },
      },
    ]);
  });

  it("signed-in users reach only their own prefix of the documents bucket (the IAM policy variable, escaped for Terraform)", () => {
    const statements = JSON.parse(
      String(resource(tf, "aws_iam_role_policy", "identity_pool_authenticated_bucket_documents").policy),
    ).Statement;
    const bucket = `arn:aws:s3:::${prefix}-documents-${account}`;
    expect(statements.map((s: { Sid: string; Resource: string }) => [s.Sid, s.Resource])).toEqual([
      ["ListOwnPrefix", bucket],
      ["ReadWriteOwnObjects", `${bucket}/private/$\${cognito-identity.amazonaws.com:sub}/*`],
      ["BucketKeyThroughS3", REMOTE("security", "kms_key_arns.data")],
    ]);
    expect(statements[0].Condition).toEqual({ StringLike: { "s3:prefix": ["private/$${cognito-identity.amazonaws.com:sub}/*"] } });
    expect(resource(tf, "aws_ssm_parameter", "parameters_cognito_identity-pool-id".replace(/-/g, "_"))).toMatchObject({
      value: "${aws_cognito_identity_pool.identity_pool.id}",
    });
  });
});
