/**
 * Layer 12 notification, for every environment: Slack through AWS Chatbot (channel configuration
 * on the alarm topic, channel role trusted by chatbot.amazonaws.com, read-only guardrails), e-mail
 * subscriptions from config, EventBridge rules for failed ECS deployments, stopped tasks and RDS
 * events with readable messages (AWS Chatbot custom notifications the webhook function also
 * formats), their encrypted dead-letter queue, the state key and the contract. Then the variants:
 * the webhook function (package, role, SecureString, subscription, permission), e-mail on and off,
 * application / database disabled (no rule, no read), every event off, monitoring disabled, and the
 * EventRule and ChatbotSlackChannel modules.
 */
import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import { LambdaFunction as AwsLambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Testing } from "cdktf";
import type { PlatformConfig } from "../core/config/schema";
import { notificationContract } from "../layers/12-notification/contract";
import { isWildcardAction } from "../core/policy";
import { toNotification } from "../functions/webhook/src/message";
import { WEBHOOK_URL_PLACEHOLDER } from "../functions/webhook/build";
import { CHATBOT_READ_ACTIONS, consoleBase, NotificationStack } from "../layers/12-notification/stack";
import { ChatbotSlackChannel } from "../modules/chatbot-slack-channel";
import { chatNotificationTemplate, checkInputTransformer, EventRule } from "../modules/event-rule";
import { addresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";
import { denyInsecureTransport, keyThrough, packagedFunction } from "./fixtures/expected";

const REMOTE = (layer: string, output: string) => `\${data.terraform_remote_state.${layer}.outputs.${output}}`;
const TOPIC = REMOTE("monitoring", "alarm_topic_arn");
const MESSAGING_KEY = "${data.terraform_remote_state.security.outputs.kms_key_arns.messaging}";
const DATA_KEY = "${data.terraform_remote_state.security.outputs.kms_key_arns.data}";
const LOGS_KEY = "${data.terraform_remote_state.security.outputs.kms_key_arns.logs}";

type Statement = Record<string, unknown>;

/** Every policy document in the stack (inline, queue, trust), by address. */
function policies(tf: TerraformJson): Array<[string, Statement[]]> {
  const out: Array<[string, Statement[]]> = [];
  for (const [type, byName] of Object.entries(tf.resource ?? {})) {
    for (const [name, r] of Object.entries(byName)) {
      for (const key of ["policy", "assume_role_policy"]) if (key in r) out.push([`${type}.${name}`, policy(r[key]).Statement]);
    }
  }
  return out;
}

/** An event pattern or input template with Terraform references replaced by sample values. */
function resolved(text: unknown, samples: Record<string, string> = {}): string {
  return String(text).replace(/\$\{([^}]+)\}/g, (_m, expr: string) => samples[expr] ?? `SAMPLE(${expr})`);
}

/** A rule's event pattern, with the cluster's name and ARN and the database's identifier (remote-state outputs) standing as CLUSTER, CLUSTER_ARN and DB. */
function eventPattern(rule: Record<string, unknown>): unknown {
  return JSON.parse(
    resolved(rule.event_pattern, {
      "data.terraform_remote_state.application.outputs.cluster_name": "CLUSTER",
      "data.terraform_remote_state.application.outputs.cluster_arn": "CLUSTER_ARN",
      "data.terraform_remote_state.database.outputs.db_identifier": "DB",
    }),
  );
}

/** The only resource of a type (module tests synthesize outside a PlatformStack, so addresses carry hashes). */
function only(tf: TerraformJson, type: string): Record<string, unknown> {
  const all = Object.values(resources(tf, type));
  expect(all).toHaveLength(1);
  return all[0];
}

/** What EventBridge sends to the topic: the template with its variables filled in (escaped inside JSON strings, as EventBridge does). */
function transformed(target: Record<string, unknown>, values: Record<string, string>): unknown {
  const t = target.input_transformer as { input_paths: Record<string, string>; input_template: string };
  expect(Object.keys(values).sort()).toEqual(Object.keys(t.input_paths).sort());
  const filled = resolved(t.input_template, {
    "data.terraform_remote_state.application.outputs.cluster_name": "petclinic-x",
    "data.terraform_remote_state.database.outputs.db_identifier": "petclinic-x",
  }).replace(/<([^<>]+)>/g, (_m, name: string) => (name in values ? JSON.stringify(values[name]).slice(1, -1) : `<${name}>`));
  return JSON.parse(filled);
}

/** What the webhook function makes of the topic message the target sends for these event values. */
function notificationOf(target: Record<string, unknown>, values: Record<string, string>) {
  return toNotification({ messageId: "m", topicArn: "t", message: JSON.stringify(transformed(target, values)) });
}

describe.each(ENVIRONMENTS)("notification layer (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synth(NotificationStack, cfg);
  const prefix = `petclinic-${name}`;
  const { region, accountId } = cfg.aws;
  const prod = cfg.tier === "prod";
  const stopped = cfg.tier !== "dev";

  it("creates the Chatbot channel, the event rules and their queue (and the e-mail subscription in prod), at readable addresses", () => {
    expect(addresses(tf)).toEqual(
      [
        "aws_chatbot_slack_channel_configuration.slack",
        "aws_cloudwatch_event_rule.ecs_deployment_failed",
        ...(stopped ? ["aws_cloudwatch_event_rule.ecs_task_stopped"] : []),
        "aws_cloudwatch_event_rule.rds_event",
        "aws_cloudwatch_event_target.ecs_deployment_failed_alarm_topic",
        ...(stopped ? ["aws_cloudwatch_event_target.ecs_task_stopped_alarm_topic"] : []),
        "aws_cloudwatch_event_target.rds_event_alarm_topic",
        "aws_iam_role.slack_role",
        "aws_iam_role_policy.slack_role_read_alarms",
        ...(prod ? ["aws_sns_topic_subscription.email_oncall_petclinic_example_com"] : []),
        "aws_sqs_queue.events_dlq",
        "aws_sqs_queue_policy.events_dlq_policy",
        "data.terraform_remote_state.application",
        "data.terraform_remote_state.database",
        "data.terraform_remote_state.monitoring",
        "data.terraform_remote_state.security",
      ].sort(),
    );
  });

  it(`keeps its state at platform/petclinic/${name}/12-notification.tfstate and reads earlier layers' states only`, () => {
    expect(tf.terraform?.backend?.s3).toMatchObject({ key: `platform/petclinic/${name}/12-notification.tfstate`, encrypt: true });
    expect(Object.keys(tf.data ?? {})).toEqual(["terraform_remote_state"]);
    const remotes = tf.data!.terraform_remote_state as Record<string, { config: Record<string, unknown> }>;
    expect(remotes.monitoring.config).toEqual({
      bucket: cfg.backend.bucket,
      key: `platform/petclinic/${name}/10-monitoring.tfstate`,
      region,
    });
  });

  describe("Slack through AWS Chatbot", () => {
    const chatbot = resource(tf, "aws_chatbot_slack_channel_configuration", "slack");

    it("delivers the alarm topic to the environment's channel of the authorized workspace", () => {
      expect(chatbot).toEqual({
        configuration_name: `${prefix}-alarms`,
        slack_team_id: "T01PETCLINIC",
        slack_channel_id: { dev: "C01PETDEV01", staging: "C01PETSTG01", prod: "C01PETPRD01" }[name],
        sns_topic_arns: [TOPIC],
        iam_role_arn: "${aws_iam_role.slack_role.arn}",
        guardrail_policy_arns: ["arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
        logging_level: "ERROR",
        user_authorization_required: false,
      });
      expect(raw).toHaveResourceWithProperties(ChatbotSlackChannelConfiguration, { slack_team_id: "T01PETCLINIC" });
    });

    it("its channel role is trusted by chatbot.amazonaws.com and may only read alarms and metrics", () => {
      const role = resource(tf, "aws_iam_role", "slack_role");
      expect(role.name).toBe(`${prefix}-chatbot`);
      expect(policy(role.assume_role_policy).Statement).toEqual([
        { Sid: "TrustService", Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "chatbot.amazonaws.com" } },
      ]);
      expect(policy(resource(tf, "aws_iam_role_policy", "slack_role_read_alarms").policy).Statement).toEqual([
        { Sid: "RenderAlarmNotifications", Effect: "Allow", Action: CHATBOT_READ_ACTIONS, Resource: "*" },
      ]);
      expect(CHATBOT_READ_ACTIONS.every((a) => /^cloudwatch:(Describe|Get|List)/.test(a))).toBe(true);
    });
  });

  describe("e-mail", () => {
    it(prod ? "subscribes the on-call address" : "has no subscription (no address configured)", () => {
      const subs = resources(tf, "aws_sns_topic_subscription");
      if (prod) {
        expect(subs).toEqual({
          email_oncall_petclinic_example_com: { topic_arn: TOPIC, protocol: "email", endpoint: "oncall@petclinic.example.com" },
        });
        expect(raw).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email" });
      } else {
        expect(subs).toEqual({});
      }
    });
  });

  describe("event rules", () => {
    const rules = resources(tf, "aws_cloudwatch_event_rule");
    const targets = resources(tf, "aws_cloudwatch_event_target");

    it("one rule per event kind on the default bus, named after the environment", () => {
      expect(Object.fromEntries(Object.entries(rules).map(([k, r]) => [k, [r.name, r.event_bus_name, r.state]]))).toEqual({
        ecs_deployment_failed: [`${prefix}-ecs-deployment-failed`, "default", "ENABLED"],
        ...(stopped ? { ecs_task_stopped: [`${prefix}-ecs-task-stopped`, "default", "ENABLED"] } : {}),
        rds_event: [`${prefix}-rds-event`, "default", "ENABLED"],
      });
    });

    it("failed deployments: SERVICE_DEPLOYMENT_FAILED of this cluster's services", () => {
      expect(eventPattern(rules.ecs_deployment_failed)).toEqual({
        source: ["aws.ecs"],
        "detail-type": ["ECS Deployment State Change"],
        resources: [{ prefix: `arn:aws:ecs:${region}:${accountId}:service/CLUSTER/` }],
        detail: { eventName: ["SERVICE_DEPLOYMENT_FAILED"] },
      });
    });

    if (stopped) {
      it("stopped tasks: STOPPED in this cluster, not user-initiated, not scale-in or deployment replacement", () => {
        expect(eventPattern(rules.ecs_task_stopped)).toEqual({
          source: ["aws.ecs"],
          "detail-type": ["ECS Task State Change"],
          detail: {
            clusterArn: ["CLUSTER_ARN"],
            lastStatus: ["STOPPED"],
            stopCode: [{ "anything-but": ["UserInitiated"] }],
            stoppedReason: [{ "anything-but": { prefix: "Scaling activity initiated by" } }],
          },
        });
      });
    }

    it("RDS: cluster and instance events of this database (writer, readers), in the configured categories", () => {
      expect(eventPattern(rules.rds_event)).toEqual({
        source: ["aws.rds"],
        "detail-type": ["RDS DB Cluster Event", "RDS DB Instance Event"],
        detail: {
          SourceIdentifier: ["DB", "DB-writer", { prefix: "DB-reader-" }],
          EventCategories: ["availability", "failover", "failure", "low storage", "maintenance", "recovery"],
        },
      });
    });

    it("every rule targets the alarm topic, retries for an hour, and parks undeliverable events in the queue", () => {
      for (const [address, target] of Object.entries(targets)) {
        const rule = address.replace(/_alarm_topic$/, "");
        expect(target).toMatchObject({
          rule: `\${aws_cloudwatch_event_rule.${rule}.name}`,
          event_bus_name: `\${aws_cloudwatch_event_rule.${rule}.event_bus_name}`,
          target_id: "alarm-topic",
          arn: TOPIC,
          retry_policy: { maximum_retry_attempts: 185, maximum_event_age_in_seconds: 3600 },
          dead_letter_config: { arn: "${aws_sqs_queue.events_dlq.arn}" },
        });
      }
      expect(Object.keys(targets).sort()).toEqual(
        Object.keys(rules)
          .map((r) => `${r}_alarm_topic`)
          .sort(),
      );
    });

    it("a failed deployment reads as an alarm with the service, the reason and a link to the services", () => {
      const message = transformed(targets.ecs_deployment_failed_alarm_topic, {
        service: "arn:aws:ecs:us-west-2:111111111111:service/petclinic-x/customers",
        deployment: "ecs-svc/1234567890",
        reason: "ECS deployment circuit breaker: tasks failed to start.",
        time: "2025-06-01T10:00:00Z",
      });
      expect(message).toMatchObject({
        version: "1.0",
        source: "custom",
        content: { textType: "client-markdown" },
        metadata: { eventType: "ecs-deployment-failed" },
      });
      expect(toNotification({ messageId: "m", topicArn: "t", message: JSON.stringify(message) })).toEqual({
        kind: "custom",
        severity: "alarm",
        title: `ECS deployment failed (${prefix})`,
        text:
          "Deployment ecs-svc/1234567890 of arn:aws:ecs:us-west-2:111111111111:service/petclinic-x/customers failed: ECS deployment circuit breaker: tasks failed to start.\n" +
          "At 2025-06-01T10:00:00Z. The deployment circuit breaker stopped it; the service rolls back to its last completed deployment.",
        facts: [],
        nextSteps: [`Service events and stopped tasks: ${consoleBase(region)}/ecs/v2/clusters/petclinic-x/services?region=${region}`],
      });
    });

    it("an RDS event reads as a warning with the message, the source and a link to the database", () => {
      expect(
        notificationOf(targets.rds_event_alarm_topic, {
          source: "petclinic-x-writer",
          sourceType: "DB_INSTANCE",
          message: 'A Multi-AZ failover has completed for "petclinic-x-writer".',
          eventId: "RDS-EVENT-0049",
          time: "2025-06-01T10:00:00Z",
        }),
      ).toMatchObject({
        severity: "warning",
        title: `RDS event: petclinic-x-writer (${prefix})`,
        text: 'A Multi-AZ failover has completed for "petclinic-x-writer".\nSource: DB_INSTANCE petclinic-x-writer, event RDS-EVENT-0049, at 2025-06-01T10:00:00Z.',
        nextSteps: [`Database: ${consoleBase(region)}/rds/home?region=${region}#database:id=petclinic-x;is-cluster=true`],
      });
    });

    if (stopped) {
      it("a stopped task reads as a warning with the service, the stop code and the reason", () => {
        expect(
          notificationOf(targets.ecs_task_stopped_alarm_topic, {
            group: "service:customers",
            stopCode: "EssentialContainerExited",
            reason: "Essential container in task exited",
            task: "arn:aws:ecs:us-west-2:111111111111:task/petclinic-x/0123",
            taskDefinition: "arn:aws:ecs:us-west-2:111111111111:task-definition/petclinic-x-customers:7",
            time: "2025-06-01T10:00:00Z",
          }),
        ).toMatchObject({
          severity: "warning",
          title: `ECS task stopped: service:customers (${prefix})`,
          text: expect.stringMatching(
            /^A task of service:customers stopped \(EssentialContainerExited\): Essential container in task exited\n/,
          ),
        });
      });
    }

    it("the dead-letter queue is encrypted with the messaging key and accepts only these rules, over TLS", () => {
      expect(resource(tf, "aws_sqs_queue", "events_dlq")).toEqual({
        name: `${prefix}-notification-events-dlq`,
        message_retention_seconds: 1209600,
        kms_master_key_id: MESSAGING_KEY,
        kms_data_key_reuse_period_seconds: 300,
      });
      const statements = policy(resource(tf, "aws_sqs_queue_policy", "events_dlq_policy").policy).Statement;
      expect(statements).toEqual([
        {
          Sid: "UndeliveredEventsOfTheseRules",
          Effect: "Allow",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: "${aws_sqs_queue.events_dlq.arn}",
          Condition: { ArnEquals: { "aws:SourceArn": Object.keys(rules).map((r) => `\${aws_cloudwatch_event_rule.${r}.arn}`) } },
        },
        denyInsecureTransport("sqs:*", "${aws_sqs_queue.events_dlq.arn}"),
      ]);
    });
  });

  it("grants no wildcard action anywhere", () => {
    for (const [address, statements] of policies(tf)) {
      for (const s of statements) {
        if (s.Effect === "Deny") continue;
        const actions = ([] as string[]).concat(s.Action as string | string[]);
        expect({ address, bad: actions.filter(isWildcardAction) }).toEqual({ address, bad: [] });
      }
    }
  });

  it("publishes exactly its contract: the channels and the rule ARNs by kind, with the mocks' keys", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(notificationContract).sort());
    expect(tf.output!.channels.value).toEqual({
      slack: "${aws_chatbot_slack_channel_configuration.slack.chat_configuration_arn}",
      ...(prod ? { email: "oncall@petclinic.example.com" } : {}),
    });
    expect(tf.output!.event_rule_arns.value).toEqual({
      "ecs-deployment-failed": "${aws_cloudwatch_event_rule.ecs_deployment_failed.arn}",
      ...(stopped ? { "ecs-task-stopped": "${aws_cloudwatch_event_rule.ecs_task_stopped.arn}" } : {}),
      "rds-event": "${aws_cloudwatch_event_rule.rds_event.arn}",
    });
    expect(Object.keys(tf.output!.channels.value as object).sort()).toEqual(Object.keys(notificationContract.channels.mock(cfg)).sort());
    expect(Object.keys(tf.output!.event_rule_arns.value as object).sort()).toEqual(
      Object.keys(notificationContract.event_rule_arns.mock(cfg)).sort(),
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Variants

/** An environment switched to the webhook mode (the Slack ids removed with null). */
const webhookEnv = (name: string, webhook: Record<string, unknown> = {}) =>
  envWith(name, { notification: { slack: { mode: "webhook", workspaceId: null, channelId: null, webhook } } });

describe("webhook mode (prod)", () => {
  const cfg = webhookEnv("prod");
  const { tf, raw } = synth(NotificationStack, cfg);
  const fn = resource(tf, "aws_lambda_function", "webhook");
  const parameter = "/petclinic/prod/notification/webhook-url";

  it("creates the function, its role, its parameter, subscription and permission instead of Chatbot", () => {
    const all = addresses(tf);
    expect(all.filter((a) => /webhook/.test(a))).toEqual([
      "aws_cloudwatch_log_group.webhook_logs",
      "aws_iam_role.webhook_role",
      "aws_iam_role_policy.webhook_role_failure_destination",
      "aws_iam_role_policy.webhook_role_logs",
      "aws_iam_role_policy.webhook_role_vpc_access",
      "aws_iam_role_policy.webhook_role_webhook_url",
      "aws_iam_role_policy.webhook_role_xray",
      "aws_lambda_alias.webhook_live",
      "aws_lambda_function.webhook",
      "aws_lambda_function_event_invoke_config.webhook_async",
      "aws_lambda_permission.webhook_from_alarm_topic",
      "aws_sns_topic_subscription.webhook_subscription",
      "aws_sqs_queue.webhook_dlq",
      "aws_sqs_queue_policy.webhook_dlq_policy",
      "aws_ssm_parameter.webhook_url",
    ]);
    expect(all.filter((a) => /chatbot|slack/.test(a))).toEqual([]);
    expect(all).toContain("data.terraform_remote_state.network");
  });

  it("runs the packaged TypeScript function on Node.js 22 (arm64) in the app subnets, traced, with its settings", () => {
    expect(fn).toMatchObject({
      ...packagedFunction("petclinic-prod-notification-webhook", "webhook_role"),
      memory_size: 128,
      timeout: 15,
      publish: true,
      environment: {
        variables: {
          WEBHOOK_URL_PARAMETER: "${aws_ssm_parameter.webhook_url.name}",
          MESSAGE_FORMAT: "slack",
          URL_CACHE_SECONDS: "300",
          LOG_LEVEL: "INFO",
        },
      },
    });
    expect(fn.filename).toMatch(/^assets\/webhook_code\/[0-9a-f]{32}\/archive\.zip$/);
    expect(fn.source_code_hash).toBe(String(fn.filename).split("/")[2]);
    expect(fn.reserved_concurrent_executions).toBeUndefined();
    expect(raw).toHaveResourceWithProperties(AwsLambdaFunction, { function_name: "petclinic-prod-notification-webhook" });
  });

  it("is created after its role's policies (Lambda checks them for the network interfaces and the destination)", () => {
    expect(fn.depends_on).toEqual([
      "aws_iam_role_policy.webhook_role_webhook_url",
      "aws_iam_role_policy.webhook_role_logs",
      "aws_iam_role_policy.webhook_role_failure_destination",
      "aws_iam_role_policy.webhook_role_vpc_access",
      "aws_iam_role_policy.webhook_role_xray",
    ]);
  });

  it("the URL lives in a SecureString with the data key, created with the placeholder and never reverted", () => {
    expect(resource(tf, "aws_ssm_parameter", "webhook_url")).toEqual({
      name: parameter,
      description: expect.stringContaining("set by operators"),
      type: "SecureString",
      tier: "Standard",
      key_id: DATA_KEY,
      value: WEBHOOK_URL_PLACEHOLDER,
      lifecycle: { ignore_changes: ["value"] },
    });
  });

  it("its role reads exactly that parameter, decrypts only through Parameter Store, and writes its logs and failures", () => {
    const doc = (n: string) => policy(resource(tf, "aws_iam_role_policy", `webhook_role_${n}`).policy).Statement;
    expect(doc("webhook_url")).toEqual([
      {
        Sid: "ReadWebhookUrlParameter",
        Effect: "Allow",
        Action: ["ssm:GetParameter"],
        Resource: `arn:aws:ssm:us-west-2:333333333333:parameter${parameter}`,
      },
      {
        Sid: "DataKeyThroughSsm",
        Effect: "Allow",
        Action: ["kms:Decrypt"],
        Resource: DATA_KEY,
        Condition: { StringEquals: { "kms:ViaService": "ssm.us-west-2.amazonaws.com" } },
      },
    ]);
    const logGroup = "arn:aws:logs:us-west-2:333333333333:log-group:/aws/lambda/petclinic-prod-notification-webhook";
    expect(doc("logs")).toEqual([
      {
        Sid: "FunctionLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: [logGroup, `${logGroup}:log-stream:*`],
      },
    ]);
    expect(doc("failure_destination")).toEqual([
      {
        Sid: "FailureQueue",
        Effect: "Allow",
        Action: ["sqs:SendMessage"],
        Resource: "arn:aws:sqs:us-west-2:333333333333:petclinic-prod-notification-webhook-dlq",
      },
      keyThrough("MessagingKeyThroughSqs", "messaging", "sqs"),
    ]);
    expect(policy(resource(tf, "aws_iam_role", "webhook_role").assume_role_policy).Statement[0].Principal).toEqual({
      Service: "lambda.amazonaws.com",
    });
    // The names in the grants are the names of the resources.
    expect(resource(tf, "aws_sqs_queue", "webhook_dlq").name).toBe("petclinic-prod-notification-webhook-dlq");
    expect(resource(tf, "aws_cloudwatch_log_group", "webhook_logs")).toMatchObject({
      name: "/aws/lambda/petclinic-prod-notification-webhook",
      retention_in_days: 365,
      kms_key_id: LOGS_KEY,
    });
  });

  it("SNS invokes the live alias (asynchronously: 2 retries, then the failure destination)", () => {
    expect(resource(tf, "aws_sns_topic_subscription", "webhook_subscription")).toEqual({
      topic_arn: TOPIC,
      protocol: "lambda",
      endpoint: "${aws_lambda_alias.webhook_live.arn}",
    });
    expect(resource(tf, "aws_lambda_permission", "webhook_from_alarm_topic")).toEqual({
      statement_id: "AlarmTopic",
      action: "lambda:InvokeFunction",
      function_name: "${aws_lambda_function.webhook.function_name}",
      qualifier: "${aws_lambda_alias.webhook_live.name}",
      principal: "sns.amazonaws.com",
      source_arn: TOPIC,
    });
    expect(resource(tf, "aws_lambda_function_event_invoke_config", "webhook_async")).toMatchObject({
      qualifier: "${aws_lambda_alias.webhook_live.name}",
      maximum_retry_attempts: 2,
      maximum_event_age_in_seconds: 21600,
      destination_config: { on_failure: { destination: "${aws_sqs_queue.webhook_dlq.arn}" } },
    });
    expect(resource(tf, "aws_sqs_queue", "webhook_dlq")).toMatchObject({
      kms_master_key_id: MESSAGING_KEY,
      message_retention_seconds: 1209600,
    });
  });

  it("publishes the function ARN as the slack channel", () => {
    expect(tf.output!.channels.value).toEqual({ slack: "${aws_lambda_function.webhook.arn}", email: "oncall@petclinic.example.com" });
    expect(Object.keys(notificationContract.channels.mock(cfg))).toEqual(["slack", "email"]);
  });

  it("the Teams format and the webhook options reach the function", () => {
    const teams = synth(
      NotificationStack,
      webhookEnv("dev", { format: "teams", memoryMb: 256, timeoutSeconds: 20, urlCacheSeconds: 0, logLevel: "DEBUG", logRetentionDays: 7 }),
    ).tf;
    const f = resource(teams, "aws_lambda_function", "webhook");
    expect(f).toMatchObject({ memory_size: 256, timeout: 20, description: expect.stringContaining("Teams") });
    expect((f.environment as { variables: Record<string, string> }).variables).toMatchObject({
      MESSAGE_FORMAT: "teams",
      URL_CACHE_SECONDS: "0",
      LOG_LEVEL: "DEBUG",
    });
    expect(resource(teams, "aws_cloudwatch_log_group", "webhook_logs").retention_in_days).toBe(7);
  });
});

describe("variants", () => {
  it("e-mail on in dev: one subscription per address, comma-joined in the contract", () => {
    const { tf } = synth(
      NotificationStack,
      envWith("dev", { notification: { email: { addresses: ["ops@example.com", "dev.team@example.org"] } } }),
    );
    expect(Object.keys(resources(tf, "aws_sns_topic_subscription")).sort()).toEqual([
      "email_dev_team_example_org",
      "email_ops_example_com",
    ]);
    expect(tf.output!.channels.value).toMatchObject({ email: "ops@example.com,dev.team@example.org" });
  });

  it("e-mail and Slack off: no channel, nothing subscribed (the events still reach the topic)", () => {
    const { tf } = synth(NotificationStack, envWith("staging", { notification: { slack: null } }));
    expect(tf.output!.channels.value).toEqual({});
    expect(resources(tf, "aws_sns_topic_subscription")).toEqual({});
    expect(resources(tf, "aws_chatbot_slack_channel_configuration")).toEqual({});
    expect(Object.keys(resources(tf, "aws_cloudwatch_event_rule"))).toHaveLength(3);
  });

  it("without the application layer: no ECS rules, and the application state is not read", () => {
    const cfg = envWith("staging", {
      layers: { application: { enabled: false }, "api-gateway": { enabled: false }, frontend: { enabled: false } },
      // The delivery role lives in the application layer: off with it.
      delivery: { github: { repository: null } },
    });
    const { tf } = synth(NotificationStack, cfg);
    expect(Object.keys(resources(tf, "aws_cloudwatch_event_rule"))).toEqual(["rds_event"]);
    expect(Object.keys(tf.data!.terraform_remote_state)).not.toContain("application");
    expect(tf.output!.event_rule_arns.value).toEqual({ "rds-event": "${aws_cloudwatch_event_rule.rds_event.arn}" });
  });

  it("without the database layer: no RDS rule, and the database state is not read", () => {
    const staging = env("staging");
    // A config object (not a file): the database being off is all that matters to this layer.
    const cfg: PlatformConfig = { ...staging, layers: { ...staging.layers, database: { enabled: false } } };
    const { tf } = synth(NotificationStack, cfg);
    expect(Object.keys(resources(tf, "aws_cloudwatch_event_rule"))).toEqual(["ecs_deployment_failed", "ecs_task_stopped"]);
    expect(Object.keys(tf.data!.terraform_remote_state)).not.toContain("database");
    expect(Object.keys(tf.output!.event_rule_arns.value as object).sort()).toEqual(
      Object.keys(notificationContract.event_rule_arns.mock(cfg)).sort(),
    );
  });

  it("every event off: no rule, no queue; only the alarm topic is read", () => {
    const cfg = envWith("prod", {
      notification: { slack: null, events: { ecsDeploymentFailed: false, ecsTaskStopped: { enabled: false }, rds: { enabled: false } } },
    });
    const { tf } = synth(NotificationStack, cfg);
    expect(addresses(tf)).toEqual([
      "aws_sns_topic_subscription.email_oncall_petclinic_example_com",
      "data.terraform_remote_state.monitoring",
    ]);
    expect(tf.output!.event_rule_arns.value).toEqual({});
  });

  it("an RDS instance engine: instance events of exactly that instance", () => {
    const dev = env("dev");
    const cfg: PlatformConfig = { ...dev, database: { ...dev.database, engine: "postgres" } };
    const rule = resource(synth(NotificationStack, cfg).tf, "aws_cloudwatch_event_rule", "rds_event");
    expect(eventPattern(rule)).toMatchObject({
      "detail-type": ["RDS DB Instance Event"],
      detail: { SourceIdentifier: ["DB"] },
    });
  });

  it("stop codes and RDS categories come from config; no ignored stop code drops that condition", () => {
    const cfg = envWith("prod", {
      notification: { events: { ecsTaskStopped: { ignoredStopCodes: [] }, rds: { categories: ["failover"] } } },
    });
    const rules = resources(synth(NotificationStack, cfg).tf, "aws_cloudwatch_event_rule");
    const stopped = JSON.parse(resolved(rules.ecs_task_stopped.event_pattern)) as { detail: Record<string, unknown> };
    expect(Object.keys(stopped.detail)).toEqual(["clusterArn", "lastStatus", "stoppedReason"]);
    expect(
      (JSON.parse(resolved(rules.rds_event.event_pattern)) as { detail: { EventCategories: string[] } }).detail.EventCategories,
    ).toEqual(["failover"]);
  });

  it("other guardrails and logging level reach the channel configuration", () => {
    const cfg = envWith("dev", {
      notification: { slack: { chatbot: { guardrailPolicies: ["ReadOnlyAccess", "CloudWatchReadOnlyAccess"], loggingLevel: "INFO" } } },
    });
    expect(resource(synth(NotificationStack, cfg).tf, "aws_chatbot_slack_channel_configuration", "slack")).toMatchObject({
      guardrail_policy_arns: ["arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/CloudWatchReadOnlyAccess"],
      logging_level: "INFO",
    });
  });

  it("refuses to exist without the monitoring layer (the loader refuses such a file first)", () => {
    const dev = env("dev");
    const cfg: PlatformConfig = { ...dev, layers: { ...dev.layers, monitoring: { enabled: false } } };
    expect(() => synth(NotificationStack, cfg)).toThrow(
      "layer notification delivers the monitoring layer's alarm topic, but monitoring is disabled in config.layers; disable notification too",
    );
  });

  it("the console of other partitions", () => {
    const CONSOLES = {
      "us-gov-west-1": "https://console.amazonaws-us-gov.com",
      "cn-north-1": "https://console.amazonaws.cn",
      "eu-central-1": "https://eu-central-1.console.aws.amazon.com",
    };
    for (const [region, url] of Object.entries(CONSOLES)) expect({ region, url: consoleBase(region) }).toEqual({ region, url });
  });
});

// ---------------------------------------------------------------------------------------------
// Modules

describe("EventRule module", () => {
  const base = { name: "r", description: "d", eventPattern: { source: ["aws.ecs"] } };

  it("writes the rule and one target per id, with EventBridge's retry defaults", () => {
    const tf = JSON.parse(
      Testing.synthScope(
        (scope) => new EventRule(scope, "rule", { ...base, targets: [{ id: "t", arn: "arn:aws:sns:us-west-2:111111111111:x" }] }),
      ),
    ) as TerraformJson;
    expect(only(tf, "aws_cloudwatch_event_rule")).toEqual({
      name: "r",
      description: "d",
      event_bus_name: "default",
      event_pattern: '{"source":["aws.ecs"]}',
      state: "ENABLED",
    });
    expect(only(tf, "aws_cloudwatch_event_target")).toMatchObject({
      target_id: "t",
      retry_policy: { maximum_retry_attempts: 185, maximum_event_age_in_seconds: 86400 },
    });
    expect(only(tf, "aws_cloudwatch_event_target").dead_letter_config).toBeUndefined();
  });

  it("refuses a template variable that is not defined (a typo), but knows the predefined ones", () => {
    expect(() =>
      checkInputTransformer("x", {
        inputPaths: { reason: "$.detail.reason" },
        inputTemplate: '"<reasn> at <aws.events.event.ingestion-time>"',
      }),
    ).toThrow("EventRule x: the input template uses <reasn>, which is neither an input path (reason) nor predefined");
    expect(() =>
      checkInputTransformer("x", { inputPaths: { reason: "$.detail.reason" }, inputTemplate: '"<reason> by <aws.events.rule-name>"' }),
    ).not.toThrow();
    expect(() => checkInputTransformer("x", { inputPaths: { "aws.x": "$.a" }, inputTemplate: "x" })).toThrow(/invalid input path variable/);
    expect(() => checkInputTransformer("x", { inputPaths: { a: "detail.a" }, inputTemplate: "x" })).toThrow(/is not a JSON path/);
  });

  it.each([
    [{ ...base, name: "bad name" }, /invalid rule name/],
    [{ ...base, targets: [] }, /at least one target/],
  ])("refuses %#", (props, error) => {
    expect(() => Testing.synthScope((scope) => new EventRule(scope, "rule", { targets: [{ id: "t", arn: "a" }], ...props }))).toThrow(
      error,
    );
  });

  it("the Chatbot custom notification template: version 1.0, custom source, client markdown", () => {
    expect(
      JSON.parse(chatNotificationTemplate({ title: "T <a>", description: "D", nextSteps: ["N"], eventType: "e", threadId: "th" })),
    ).toEqual({
      version: "1.0",
      source: "custom",
      content: { textType: "client-markdown", title: "T <a>", description: "D", nextSteps: ["N"] },
      metadata: { eventType: "e", threadId: "th" },
    });
  });
});

describe("ChatbotSlackChannel module", () => {
  const base = {
    configurationName: "c",
    workspaceId: "T01ABCDEF2G",
    channelId: "C01ABCDEF2G",
    topicArns: ["arn:aws:sns:us-west-2:111111111111:t"],
    roleName: "r",
    guardrailPolicyArns: ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
  };

  it("defaults: ERROR logging, no per-user roles, a role without policies", () => {
    const tf = JSON.parse(Testing.synthScope((scope) => new ChatbotSlackChannel(scope, "slack", base))) as TerraformJson;
    expect(only(tf, "aws_chatbot_slack_channel_configuration")).toMatchObject({
      logging_level: "ERROR",
      user_authorization_required: false,
    });
    expect(resources(tf, "aws_iam_role_policy")).toEqual({});
  });

  it.each([
    [{ guardrailPolicyArns: [] }, /at least one guardrail policy/],
    [{ workspaceId: "acme" }, /not a Slack workspace id/],
    [{ channelId: "#alerts" }, /not a Slack channel id/],
    [{ topicArns: [] }, /no SNS topic/],
    [{ configurationName: "a b" }, /invalid configuration name/],
  ])("refuses %j", (over, error) => {
    expect(() => Testing.synthScope((scope) => new ChatbotSlackChannel(scope, "slack", { ...base, ...over }))).toThrow(error);
  });
});

describe("deployment outcomes", () => {
  it("completed ECS deployments of the cluster's services, as information with a link to the services", () => {
    const { tf } = synth(NotificationStack, envWith("prod", { notification: { events: { ecsDeploymentCompleted: true } } }));
    const rule = resource(tf, "aws_cloudwatch_event_rule", "ecs_deployment_completed");
    expect(eventPattern(rule)).toEqual({
      source: ["aws.ecs"],
      "detail-type": ["ECS Deployment State Change"],
      resources: [{ prefix: "arn:aws:ecs:us-west-2:333333333333:service/CLUSTER/" }],
      detail: { eventName: ["SERVICE_DEPLOYMENT_COMPLETED"] },
    });
    const target = resource(tf, "aws_cloudwatch_event_target", "ecs_deployment_completed_alarm_topic");
    expect(target.arn).toBe(TOPIC);
    const message = transformed(target, { service: "arn:svc", deployment: "ecs-svc/1", time: "T" }) as {
      content: { title: string; description: string };
    };
    expect(message.content.description).toContain("Deployment ecs-svc/1 of arn:svc completed at T");
    expect(tf.output!.event_rule_arns.value).toMatchObject({
      "ecs-deployment-completed": "${aws_cloudwatch_event_rule.ecs_deployment_completed.arn}",
    });
  });

  it("without the application layer neither outcome rule exists (even when switched on)", () => {
    const staging = env("staging");
    const cfg: PlatformConfig = {
      ...staging,
      layers: { ...staging.layers, application: { enabled: false } },
      notification: {
        ...staging.notification,
        events: { ...staging.notification.events, ecsDeploymentCompleted: true, codeDeploy: { enabled: true, states: ["FAILURE"] } },
      },
    };
    expect(Object.keys(resources(synth(NotificationStack, cfg).tf, "aws_cloudwatch_event_rule"))).toEqual(["rds_event"]);
  });
});
