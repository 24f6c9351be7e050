/**
 * Layer 12 notification: the monitoring layer's alarm topic delivered to people, and platform
 * events published to it.
 *
 * - Slack (notification.slack), one of:
 *   - chatbot: an AWS Chatbot Slack channel configuration subscribed to the alarm topic, its channel
 *     role (CloudWatch reads, to render alarms) and read-only guardrails (modules/chatbot-slack-channel);
 *   - webhook: the function in functions/webhook (modules/lambda-function), subscribed to the topic,
 *     posting each message to an incoming webhook whose URL operators keep in the SecureString
 *     /<project>/<env>/notification/webhook-url (created here with a placeholder, data key,
 *     ignore_changes = [value]); its own role (modules/service-role): that one parameter, KMS
 *     decrypt through SSM, its log group, its failure-destination queue, VPC interfaces, X-Ray.
 * - E-mail: one SNS e-mail subscription per notification.email.addresses entry.
 * - SMS: one SNS sms subscription per notification.sms.numbers entry (E.164); paging: one SNS https
 *   subscription per notification.page.endpoints entry (a paging service's integration URL).
 * - Severity routing (monitoring.severityTopics): each of the monitoring layer's topics
 *   (alarm_topic_arns: WARNING, ERROR, CRITICAL) is delivered only to the channels
 *   notification.routing gives its severity; without it every channel subscribes to the one topic.
 *   Subscriptions of the WARNING / only topic keep their addresses (`email_<address>`,
 *   `webhook-subscription`); the others add the severity (`email_error_<address>`, `sms_critical_<digits>`).
 * - Events (notification.events), EventBridge rules on the default bus with the alarm topic as
 *   target and an input transformer writing AWS Chatbot custom notifications (readable in Slack,
 *   e-mail and by the webhook function); undeliverable events go to an encrypted queue:
 *   - ecs-deployment-failed: SERVICE_DEPLOYMENT_FAILED of the cluster's services (application layer);
 *   - ecs-task-stopped: tasks of the cluster stopped for another reason than scale-in, a
 *     deployment replacing them, or an ignored stop code (application layer);
 *   - rds-event: RDS events of the configured categories for the database's cluster and
 *     instances (database layer);
 *   - ecs-deployment-completed: SERVICE_DEPLOYMENT_COMPLETED of the cluster's rolling services, the
 *     outcome of every successful deployment (application layer; off by default);
 *   - codedeploy-deployment: CodeDeploy Deployment State-change Notification of the application's
 *     CodeDeploy application (blue/green services) in the configured states (SUCCESS, FAILURE,
 *     STOP by default; off by default).
 *   A rule exists only while the layer it watches is enabled.
 *
 * Reads: monitoring (alarm_topic_arn, alarm_topic_arns with severityTopics; the layer refuses to exist without monitoring), security
 * (KMS keys, lambda security group), network (app subnets), application (cluster), database
 * (identifier). The monitoring layer's topic policy must let events.amazonaws.com publish.
 */
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { dependable } from "cdktf";
import type { Construct } from "constructs";
import { partitionOf } from "../../core/config/regions";
import type { PlatformConfig } from "../../core/config/types";
import { SEVERITIES, type Severity } from "../10-monitoring/config";
import { notificationEventKinds, notificationRouting, type NotificationChannel, type NotificationEventKind } from "./config";
import { LayerStack } from "../../core/layer-stack";
import { PolicyGrants } from "../../core/grants";
import { Arns, LAMBDA_VPC_ACCESS, policyJson, type PolicyStatement, XRAY_WRITE } from "../../core/policy";
import { WEBHOOK_ENV, WEBHOOK_HANDLER, WEBHOOK_RUNTIME, WEBHOOK_SOURCE_DIR, WEBHOOK_URL_PLACEHOLDER } from "../../functions/webhook/build";
import { consoleBase as partitionConsoleBase } from "../../functions/webhook/src/message";
import { ChatbotSlackChannel } from "../../modules/chatbot-slack-channel";
import { chatNotificationTemplate, EventRule, type EventInputTransformer } from "../../modules/event-rule";
import { LambdaCode, LambdaFunction } from "../../modules/lambda-function";
import { grantReadParameter } from "../../modules/parameter-hierarchy";
import { ServiceRole } from "../../modules/service-role";

/** What the Chatbot channel role may read: alarms and their metrics, to render notifications with graphs. */
export const CHATBOT_READ_ACTIONS = [
  "cloudwatch:DescribeAlarms",
  "cloudwatch:DescribeAlarmHistory",
  "cloudwatch:GetMetricData",
  "cloudwatch:GetMetricStatistics",
  "cloudwatch:GetMetricWidgetImage",
  "cloudwatch:ListMetrics",
];

/** Stopped-task reasons that are routine: scale-in and deployments replacing tasks. */
export const ROUTINE_STOP_REASON_PREFIX = "Scaling activity initiated by";

/** The AWS console of an environment's region (its partition's console, as the webhook function links it). */
export function consoleBase(region: string): string {
  return partitionConsoleBase(partitionOf(region), region);
}

/** An alarm topic and the channels it is delivered to. */
interface Topic {
  readonly severity: Severity;
  readonly arn: string;
  readonly channels: readonly NotificationChannel[];
}

/** The rule's pattern and message for one event kind. */
interface EventSpec {
  readonly description: string;
  readonly pattern: Record<string, unknown>;
  readonly input: EventInputTransformer;
}

export class NotificationStack extends LayerStack<"notification"> {
  private readonly arns: Arns;

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "notification", config);
    if (!this.isEnabled("monitoring")) {
      throw new Error(
        "layer notification delivers the monitoring layer's alarm topic, but monitoring is disabled in config.layers; disable notification too",
      );
    }
    this.arns = new Arns(config.aws.region, config.aws.accountId);
    const topicArn = this.read("monitoring", "alarm_topic_arn");
    const { slack, email, sms, page } = config.notification;

    // The topic of each severity: with monitoring.severityTopics its own, else the one alarm topic
    // (WARNING's address and name; every channel then hears every alarm, as before).
    const routing = notificationRouting(config);
    const topics: Topic[] = config.monitoring.severityTopics
      ? SEVERITIES.map((severity) => ({
          severity,
          arn: severity === "WARNING" ? topicArn : this.readEntry("monitoring", "alarm_topic_arns", severity),
          channels: routing[severity],
        }))
      : [{ severity: "WARNING", arn: topicArn, channels: routing.WARNING }];
    const routed = (channel: NotificationChannel) => topics.filter((t) => t.channels.includes(channel));

    const channels: Record<string, string> = {};
    if (slack?.mode === "chatbot") channels.slack = this.chatbot(routed("slack").map((t) => t.arn)).arn;
    if (slack?.mode === "webhook") channels.slack = this.webhook(routed("slack")).functionArn;
    if (email.addresses.length) channels.email = this.email(routed("email"));
    if (sms.numbers.length) channels.sms = this.sms(routed("sms"));
    if (page.endpoints.length) channels.page = this.page(routed("page"));

    this.publish({
      channels,
      routing: Object.fromEntries(Object.entries(routing).map(([severity, list]) => [severity, list.join(",")])),
      event_rule_arns: this.eventRules(topicArn),
    });
  }

  /** Construct-id suffix of a severity's subscriptions: none for WARNING (the one topic's addresses stay as they were). */
  private static suffix(severity: Severity, sep: string): string {
    return severity === "WARNING" ? "" : `${sep}${severity.toLowerCase()}`;
  }

  // ---------------------------------------------------------------------------------------------
  // Slack through AWS Chatbot

  private chatbot(topicArns: string[]): ChatbotSlackChannel {
    const slack = this.config.notification.slack!;
    return new ChatbotSlackChannel(this, "slack", {
      configurationName: this.naming.name("generic", "alarms"),
      // The loader requires both ids in chatbot mode.
      workspaceId: slack.workspaceId!,
      channelId: slack.channelId!,
      topicArns,
      roleName: this.naming.name("iamRole", "chatbot"),
      rolePolicies: {
        // Read-only actions without resource-level scoping (GetMetricData, ListMetrics ...): "*" is what AWS accepts.
        "read-alarms": [{ Sid: "RenderAlarmNotifications", Action: CHATBOT_READ_ACTIONS, Resource: "*" }],
      },
      guardrailPolicyArns: slack.chatbot.guardrailPolicies.map((name) => `arn:${this.arns.partition}:iam::aws:policy/${name}`),
      loggingLevel: slack.chatbot.loggingLevel,
      userAuthorizationRequired: false,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Slack (or Teams) through the webhook function

  private webhook(topics: Topic[]): LambdaFunction {
    const { notification, logging } = this.config;
    const options = notification.slack!.webhook;
    const functionName = this.naming.name("lambda", "notification-webhook");
    const queueName = this.naming.name("sqs", "notification-webhook", "dlq");
    const logGroup = `/aws/lambda/${functionName}`;
    const dataKey = this.readEntry("security", "kms_key_arns", "data");
    const messagingKey = this.readEntry("security", "kms_key_arns", "messaging");

    // The URL is a secret set by operators; Terraform creates the parameter once and never reverts it.
    const url = new SsmParameter(this, "webhook-url", {
      name: this.naming.path("notification", "webhook-url"),
      description:
        "Incoming webhook URL the notification function posts alarms to; set by operators with aws ssm put-parameter (docs/layers/notification.md)",
      type: "SecureString",
      tier: "Standard",
      keyId: dataKey,
      value: WEBHOOK_URL_PLACEHOLDER,
      lifecycle: { ignoreChanges: ["value"] },
    });

    const role = new ServiceRole(this, "webhook-role", {
      name: this.naming.name("iamRole", "notification-webhook"),
      description: `Execution role of the notification webhook function of ${this.naming.prefix}`,
      service: "lambda.amazonaws.com",
    });
    const collector = () => new PolicyGrants(this.arns, { keyNames: { [dataKey]: "Data", [messagingKey]: "Messaging" } });
    // The SecureString is encrypted with the data key; decrypting is allowed only through Parameter Store.
    const readUrl = collector();
    grantReadParameter(readUrl, this.naming.path("notification", "webhook-url"), dataKey);
    // The failure queue is encrypted with the messaging key: sending needs a data key (through SQS only).
    const deadLetterQueue = { name: queueName, kmsKeyArn: messagingKey, retentionSeconds: 14 * 24 * 3600 };
    const failure = collector();
    LambdaFunction.grantFailureDestination(failure, deadLetterQueue);
    const grants: Record<string, PolicyStatement[]> = {
      "webhook-url": readUrl.statements(),
      logs: [this.arns.functionLogs(logGroup)],
      "failure-destination": failure.statements(),
      "vpc-access": [LAMBDA_VPC_ACCESS],
      xray: [XRAY_WRITE],
    };
    const policies = Object.entries(grants).map(([name, statements]) => role.addPolicy(name, statements));

    const fn = new LambdaFunction(this, "webhook", {
      functionName,
      description: `Posts the alarm topic of ${this.naming.prefix} to a ${options.format === "teams" ? "Teams" : "Slack"} incoming webhook`,
      code: LambdaCode.fromTypeScript(WEBHOOK_SOURCE_DIR),
      handler: WEBHOOK_HANDLER,
      runtime: WEBHOOK_RUNTIME,
      architecture: "arm64",
      memoryMb: options.memoryMb,
      timeoutSeconds: options.timeoutSeconds,
      roleArn: role.arn,
      vpc: {
        subnetIds: this.read("network", "app_subnet_ids"),
        securityGroupIds: [this.read("security", "lambda_security_group_id")],
      },
      environment: {
        [WEBHOOK_ENV.parameterName]: url.name,
        [WEBHOOK_ENV.format]: options.format,
        [WEBHOOK_ENV.urlCacheSeconds]: String(options.urlCacheSeconds),
        [WEBHOOK_ENV.logLevel]: options.logLevel,
      },
      tracing: "Active",
      logs: {
        retentionDays: options.logRetentionDays ?? logging.retentionDays,
        kmsKeyArn: this.readEntry("security", "kms_key_arns", "logs"),
      },
      aliasName: "live",
      deadLetterQueue,
      maxRetryAttempts: 2,
      maxEventAgeSeconds: 6 * 3600,
    });
    // Lambda checks the role when it creates the network interfaces and the failure destination.
    fn.function.dependsOn = policies.map((p) => dependable(p));

    // SNS invokes the alias asynchronously: Lambda's retries and the failure destination apply.
    // One permission and subscription per topic routed to slack.
    for (const { severity, arn } of topics) {
      const suffix = NotificationStack.suffix(severity, "-");
      new LambdaPermission(this, `webhook-from-alarm-topic${suffix}`, {
        statementId: `AlarmTopic${severity === "WARNING" ? "" : severity.charAt(0) + severity.slice(1).toLowerCase()}`,
        action: "lambda:InvokeFunction",
        functionName: fn.functionName,
        qualifier: fn.aliasName,
        principal: "sns.amazonaws.com",
        sourceArn: arn,
      });
      new SnsTopicSubscription(this, `webhook-subscription${suffix}`, { topicArn: arn, protocol: "lambda", endpoint: fn.aliasArn });
    }
    return fn;
  }

  // ---------------------------------------------------------------------------------------------
  // E-mail

  /** One subscription per address and routed topic (each is confirmed from the mail SNS sends); returns the addresses. */
  private email(topics: Topic[]): string {
    const addresses = this.config.notification.email.addresses;
    for (const { severity, arn } of topics) {
      for (const address of addresses) {
        new SnsTopicSubscription(this, `email${NotificationStack.suffix(severity, "_")}_${address}`, {
          topicArn: arn,
          protocol: "email",
          endpoint: address,
        });
      }
    }
    return addresses.join(",");
  }

  // ---------------------------------------------------------------------------------------------
  // SMS and paging

  /**
   * One SNS sms subscription per number and routed topic (no confirmation; SNS honours opt-outs).
   * Addresses `sms_<severity>_<digits>`: stable when another number is added or removed.
   */
  private sms(topics: Topic[]): string {
    const numbers = this.config.notification.sms.numbers;
    for (const { severity, arn } of topics) {
      for (const number of numbers) {
        new SnsTopicSubscription(this, `sms_${severity.toLowerCase()}_${number.slice(1)}`, {
          topicArn: arn,
          protocol: "sms",
          endpoint: number,
        });
      }
    }
    return `${numbers.length} number(s)`;
  }

  /**
   * One SNS https subscription per paging endpoint and routed topic, confirmed by the service
   * (endpoint_auto_confirms). Addresses `page_<severity>_<n>` (the URL carries a key, not an id).
   */
  private page(topics: Topic[]): string {
    const { endpoints, autoConfirms } = this.config.notification.page;
    for (const { severity, arn } of topics) {
      endpoints.forEach((endpoint, i) => {
        new SnsTopicSubscription(this, `page_${severity.toLowerCase()}_${i + 1}`, {
          topicArn: arn,
          protocol: "https",
          endpoint,
          endpointAutoConfirms: autoConfirms,
          confirmationTimeoutInMinutes: 5,
        });
      });
    }
    return `${endpoints.length} endpoint(s)`;
  }

  // ---------------------------------------------------------------------------------------------
  // Platform events

  /** One rule per enabled kind, all targeting the alarm topic; returns their ARNs by kind. */
  private eventRules(topicArn: string): Record<string, string> {
    const kinds = notificationEventKinds(this.config);
    if (!kinds.length) return {};
    const queue = new SqsQueue(this, "events-dlq", {
      name: this.naming.name("sqs", "notification-events", "dlq"),
      messageRetentionSeconds: 14 * 24 * 3600,
      kmsMasterKeyId: this.readEntry("security", "kms_key_arns", "messaging"),
      kmsDataKeyReusePeriodSeconds: 300,
    });
    const rules: Partial<Record<NotificationEventKind, EventRule>> = {};
    for (const kind of kinds) {
      const spec = this.eventSpec(kind);
      rules[kind] = new EventRule(this, kind, {
        name: this.naming.name("generic", kind),
        description: spec.description,
        eventPattern: spec.pattern,
        targets: [
          { id: "alarm-topic", arn: topicArn, inputTransformer: spec.input, deadLetterQueueArn: queue.arn, maxEventAgeSeconds: 3600 },
        ],
      });
    }
    new SqsQueuePolicy(this, "events-dlq-policy", {
      queueUrl: queue.url,
      policy: policyJson([
        {
          Sid: "UndeliveredEventsOfTheseRules",
          Principal: { Service: "events.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: queue.arn,
          Condition: { ArnEquals: { "aws:SourceArn": Object.values(rules).map((r) => r!.arn) } },
        },
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "sqs:*",
          Resource: queue.arn,
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });
    return Object.fromEntries(Object.entries(rules).map(([kind, rule]) => [kind, rule!.arn]));
  }

  private eventSpec(kind: NotificationEventKind): EventSpec {
    const { region } = this.config.aws;
    const prefix = this.naming.prefix;
    const console = consoleBase(region);
    if (kind === "rds-event") {
      const id = this.read("database", "db_identifier");
      const aurora = this.config.database.engine.startsWith("aurora");
      return {
        description: `RDS events (${this.config.notification.events.rds.categories.join(", ")}) of the ${prefix} database, to the alarm topic`,
        pattern: {
          source: ["aws.rds"],
          "detail-type": aurora ? ["RDS DB Cluster Event", "RDS DB Instance Event"] : ["RDS DB Instance Event"],
          detail: {
            // Aurora: the cluster and its instances <id>-writer and <id>-reader-<n> (modules/aurora-cluster.ts).
            SourceIdentifier: aurora ? [id, `${id}-writer`, { prefix: `${id}-reader-` }] : [id],
            EventCategories: [...this.config.notification.events.rds.categories],
          },
        },
        input: {
          inputPaths: {
            source: "$.detail.SourceIdentifier",
            sourceType: "$.detail.SourceType",
            message: "$.detail.Message",
            eventId: "$.detail.EventID",
            time: "$.time",
          },
          inputTemplate: chatNotificationTemplate({
            title: `RDS event: <source> (${prefix})`,
            description: `<message>\nSource: <sourceType> <source>, event <eventId>, at <time>.`,
            nextSteps: [`Database: ${console}/rds/home?region=${region}#database:id=${id};is-cluster=${aurora}`],
            keywords: [prefix, "rds"],
            eventType: kind,
            additionalContext: { severity: "warning" },
          }),
        },
      };
    }
    if (kind === "codedeploy-deployment") {
      const app = this.read("application", "codedeploy_app_name");
      const states = this.config.notification.events.codeDeploy.states;
      return {
        description: `CodeDeploy blue/green deployments (${states.join(", ")}) of the ${prefix} services, to the alarm topic`,
        pattern: {
          source: ["aws.codedeploy"],
          "detail-type": ["CodeDeploy Deployment State-change Notification"],
          detail: { application: [app], state: [...states] },
        },
        input: {
          inputPaths: { group: "$.detail.deploymentGroup", deployment: "$.detail.deploymentId", state: "$.detail.state", time: "$.time" },
          inputTemplate: chatNotificationTemplate({
            title: `Blue/green deployment <state>: <group> (${prefix})`,
            description: `CodeDeploy deployment <deployment> of <group> is <state> at <time>. FAILURE and STOP mean traffic stayed on (or returned to) the original task set.`,
            nextSteps: [`Deployment: ${console}/codesuite/codedeploy/deployments/<deployment>?region=${region}`],
            keywords: [prefix, "codedeploy"],
            eventType: kind,
            additionalContext: { severity: "info" },
          }),
        },
      };
    }
    const cluster = this.read("application", "cluster_name");
    const services = `${console}/ecs/v2/clusters/${cluster}/services?region=${region}`;
    /** Deployment state changes of the cluster's services with this event name. */
    const deploymentPattern = (eventName: string) => ({
      source: ["aws.ecs"],
      "detail-type": ["ECS Deployment State Change"],
      // Service ARNs are arn:<partition>:ecs:<region>:<account>:service/<cluster>/<service>.
      resources: [{ prefix: this.arns.arn("ecs", `service/${cluster}/`) }],
      detail: { eventName: [eventName] },
    });
    if (kind === "ecs-deployment-completed") {
      return {
        description: `Completed ECS deployments of the ${prefix} cluster, to the alarm topic`,
        pattern: deploymentPattern("SERVICE_DEPLOYMENT_COMPLETED"),
        input: {
          inputPaths: { service: "$.resources[0]", deployment: "$.detail.deploymentId", time: "$.time" },
          inputTemplate: chatNotificationTemplate({
            title: `ECS deployment completed (${prefix})`,
            description: `Deployment <deployment> of <service> completed at <time>: the service reached a steady state.`,
            nextSteps: [`Services: ${services}`],
            keywords: [prefix, "ecs"],
            eventType: kind,
            additionalContext: { severity: "info" },
          }),
        },
      };
    }
    if (kind === "ecs-deployment-failed") {
      return {
        description: `Failed ECS deployments of the ${prefix} cluster, to the alarm topic`,
        pattern: deploymentPattern("SERVICE_DEPLOYMENT_FAILED"),
        input: {
          inputPaths: { service: "$.resources[0]", deployment: "$.detail.deploymentId", reason: "$.detail.reason", time: "$.time" },
          inputTemplate: chatNotificationTemplate({
            title: `ECS deployment failed (${prefix})`,
            description: `Deployment <deployment> of <service> failed: <reason>\nAt <time>. The deployment circuit breaker stopped it; the service rolls back to its last completed deployment.`,
            nextSteps: [`Service events and stopped tasks: ${services}`],
            keywords: [prefix, "ecs"],
            eventType: kind,
            additionalContext: { severity: "alarm" },
          }),
        },
      };
    }
    const ignored = this.config.notification.events.ecsTaskStopped.ignoredStopCodes;
    return {
      description: `ECS tasks of the ${prefix} cluster that stop unexpectedly, to the alarm topic`,
      pattern: {
        source: ["aws.ecs"],
        "detail-type": ["ECS Task State Change"],
        detail: {
          clusterArn: [this.read("application", "cluster_arn")],
          lastStatus: ["STOPPED"],
          ...(ignored.length ? { stopCode: [{ "anything-but": [...ignored] }] } : {}),
          // Scale-in and deployments replacing tasks stop them with this reason: routine, not reported.
          stoppedReason: [{ "anything-but": { prefix: ROUTINE_STOP_REASON_PREFIX } }],
        },
      },
      input: {
        inputPaths: {
          group: "$.detail.group",
          stopCode: "$.detail.stopCode",
          reason: "$.detail.stoppedReason",
          task: "$.detail.taskArn",
          taskDefinition: "$.detail.taskDefinitionArn",
          time: "$.detail.stoppedAt",
        },
        inputTemplate: chatNotificationTemplate({
          title: `ECS task stopped: <group> (${prefix})`,
          description: `A task of <group> stopped (<stopCode>): <reason>\nTask <task>, task definition <taskDefinition>, stopped at <time>.`,
          nextSteps: [`Services and their stopped tasks: ${services}`],
          keywords: [prefix, "ecs"],
          eventType: kind,
          additionalContext: { severity: "warning" },
        }),
      },
    };
  }
}
