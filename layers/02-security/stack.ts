/**
 * Layer 02 security: who may talk to whom, who may do what, and the keys that encrypt the data.
 *
 * - Security groups for every tier: alb, app (ECS tasks), data (database), cache, lambda, each rule
 *   its own resource with a description, peers named by security group wherever one exists.
 *   The interface endpoints' group belongs to the network layer (created empty); its ingress
 *   rules are added here, from the tiers that use the endpoints.
 * - KMS keys by purpose: logs (CloudWatch Logs), data (RDS, Secrets Manager, SSM, S3),
 *   messaging (SNS, SQS, EventBridge, CloudWatch alarms).
 * - IAM roles: the ECS task execution role, one task role per service, the GenAI Lambda's role
 *   (only with the lambda-genai layer; its Bedrock grant is added by layer 06).
 * - The regional WAF web ACL (security.waf), for the REST API stage and an internet-facing ALB (never
 *   an internal ALB, which sees only private proxy addresses); its rate rule counts per client IP,
 *   and per X-Forwarded-For client where a proxy (CloudFront, API Gateway) stands in front.
 *
 * Naming conventions this layer grants access to, and the layers that create them must follow:
 * - ECS log groups:      /ecs/<project>/<env>/<service>           (layer 07 application)
 * - ECR repositories:    <project>-<env>/<service>                (layer 07 application)
 * - Parameters:          /<project>/<env>/...                     (layer 04 parameters)
 * - Secrets:             <project>-<env>/...  (layer 09); the RDS-managed master secret (rds!...) is
 *                        read only by layer 03's user provisioner and by tasks with database.auth secret
 * - Lambda log groups:   /aws/lambda/<project>-<env>-genai...     (layer 06 lambda-genai)
 * - GenAI queues:        <project>-<env>-genai-...                (layer 06 lambda-genai)
 * - Custom metrics:      CloudWatch namespace <project>/<env>
 *
 * Addresses: security groups are top-level constructs named by tier (`aws_security_group.app`);
 * rules are named `<port>_<from|to>_<peer>` under their group
 * (`aws_vpc_security_group_ingress_rule.app_8080_from_alb`), 443 reading `https` and 80 `http`.
 * Ids come from ports and names, never from list positions, so adding a service never renames
 * an existing resource.
 */
import type { Construct } from "constructs";
import type { PlatformConfig } from "../../core/config/types";
import type { KmsKeyPurpose } from "../../core/contracts";
import { iamDatabaseUsers } from "../07-application/config";
import { prometheusEnabled } from "../07-application/telemetry";
import { LayerStack } from "../../core/layer-stack";
import { reviewException } from "../../core/review";
import { Arns, LAMBDA_VPC_ACCESS, type PolicyStatement, XRAY_WRITE } from "../../core/policy";
import { KMS_CALLER_CONTEXT } from "../../core/service-facts";
import { regionalWafForwardedHeader, apiWafMaxBodyBytes } from "../08-api-gateway/config";
import { KMS_USE_ACTIONS, KmsKey } from "../../modules/kms-key";
import { SecurityGroup } from "../../modules/security-group";
import { ServiceRole } from "../../modules/service-role";
import { WafWebAcl } from "../../modules/waf-web-acl";

const HTTPS = 443;
const ECS_TASKS = "ecs-tasks.amazonaws.com";

/** Rule-id label of a port: `https` for 443, `http` for 80, else the number. */
const portLabel = (port: number): string => (port === HTTPS ? "https" : port === 80 ? "http" : String(port));
/** Rule-id label of a CIDR block: `internet` for 0.0.0.0/0, else the block with `_` separators. */
const cidrLabel = (cidr: string): string => (cidr === "0.0.0.0/0" ? "internet" : cidr.replace(/[./]/g, "_"));

interface TierGroups {
  readonly alb: SecurityGroup;
  readonly app: SecurityGroup;
  readonly data: SecurityGroup;
  readonly cache: SecurityGroup;
  readonly lambda: SecurityGroup;
  readonly apiLink: SecurityGroup;
  readonly dbAdmin: SecurityGroup;
}

export class SecurityStack extends LayerStack<"security"> {
  private readonly arns: Arns;

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "security", config);
    this.arns = new Arns(config.aws.region, config.aws.accountId);

    const sg = this.securityGroups();
    this.tierRules(sg);
    this.endpointRules(sg);
    this.dbAdminRules(sg);
    const kms = this.kmsKeys();
    const execution = this.ecsExecutionRole(kms.data);
    const tasks = this.taskRoles();
    const lambdas: Record<string, ServiceRole> = this.isEnabled("lambda-genai") ? { genai: this.genaiLambdaRole(kms.messaging) } : {};
    const waf = config.security.waf.enabled ? this.webAcl(kms.logs) : undefined;

    const each = (roles: Record<string, ServiceRole>, pick: (r: ServiceRole) => string) =>
      Object.fromEntries(Object.entries(roles).map(([k, r]) => [k, pick(r)]));
    this.publish({
      alb_security_group_id: sg.alb.securityGroupId,
      app_security_group_id: sg.app.securityGroupId,
      data_security_group_id: sg.data.securityGroupId,
      cache_security_group_id: sg.cache.securityGroupId,
      lambda_security_group_id: sg.lambda.securityGroupId,
      api_link_security_group_id: sg.apiLink.securityGroupId,
      db_admin_security_group_id: sg.dbAdmin.securityGroupId,
      ecs_execution_role_arn: execution.arn,
      ecs_execution_role_name: execution.roleName,
      task_role_arns: each(tasks, (r) => r.arn),
      task_role_names: each(tasks, (r) => r.roleName),
      lambda_role_arns: each(lambdas, (r) => r.arn),
      lambda_role_names: each(lambdas, (r) => r.roleName),
      kms_key_arns: { logs: kms.logs.arn, data: kms.data.arn, messaging: kms.messaging.arn },
      waf_web_acl_arn: waf?.arn ?? "",
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Security groups

  /** One group per tier. The cache group exists even without a cache: it is in the contract. */
  private securityGroups(): TierGroups {
    const vpcId = this.read("network", "vpc_id");
    const group = (tier: string, purpose: string) =>
      new SecurityGroup(this, tier, {
        name: this.naming.name("securityGroup", tier),
        description: `${purpose} of ${this.naming.prefix}`,
        vpcId,
      });
    return {
      alb: group("alb", "Application load balancer"),
      app: group("app", "ECS tasks of the application services"),
      data: group("data", "Database"),
      cache: group("cache", "Cache"),
      lambda: group("lambda", "VPC-attached Lambda functions"),
      apiLink: group("api_link", "Private path from API Gateway to the load balancer (VPC link)"),
      dbAdmin: group("db_admin", "Database user provisioning function (signs in as the master user)"),
    };
  }

  /** Who talks to whom, on ports from config only. */
  private tierRules({ alb, app, data, cache, lambda, apiLink }: TierGroups): void {
    const { security, cache: cacheCfg } = this.config;
    const dbPort = this.databasePort();
    const servicePorts = [...new Set(Object.values(this.config.services).map((s) => s.port))].sort((a, b) => a - b);

    // Exception to "peers, not CIDRs": clients of the load balancer (the internet by default)
    // have no security group to name. security.alb.ingressCidrs says who may connect.
    for (const cidr of security.alb.ingressCidrs) {
      const who = cidr === "0.0.0.0/0" ? "the internet" : cidr;
      for (const port of security.alb.ports) {
        const rule = alb.ingressFromCidr(`${portLabel(port)}_from_${cidrLabel(cidr)}`, cidr, {
          port,
          description: `Port ${port} from ${who}: load balancer clients have no security group (security.alb.ingressCidrs)`,
        });
        if (cidr === "0.0.0.0/0") {
          reviewException(
            rule,
            "PK-SG-005",
            "Public entry point named by config (security.alb.ingressCidrs): internet clients have no security group",
          );
        }
      }
    }

    // API Gateway's private path (REST: the NLB of the VPC link; HTTP: the VPC link ENIs) -> ALB.
    for (const port of security.alb.ports) {
      apiLink.egressToGroup(`${portLabel(port)}_to_alb`, alb.securityGroupId, { port, description: `Port ${port} to the load balancer` });
      alb.ingressFromGroup(`${portLabel(port)}_from_api_link`, apiLink.securityGroupId, {
        port,
        description: `Port ${port} from the API Gateway VPC link`,
      });
    }

    // Load balancer -> application tasks, on each distinct service port.
    for (const port of servicePorts) {
      alb.egressToGroup(`${portLabel(port)}_to_app`, app.securityGroupId, { port, description: `Port ${port} to the application tasks` });
      app.ingressFromGroup(`${portLabel(port)}_from_alb`, alb.securityGroupId, {
        port,
        description: `Port ${port} from the load balancer`,
      });
    }

    // Application tasks -> application tasks (east-west through Cloud Map names), when allowed.
    if (security.serviceToService) {
      for (const port of servicePorts) {
        app.egressToGroup(`${portLabel(port)}_to_app`, app.securityGroupId, {
          port,
          description: `Port ${port} to the other application services`,
        });
        app.ingressFromGroup(`${portLabel(port)}_from_app`, app.securityGroupId, {
          port,
          description: `Port ${port} from the other application services`,
        });
      }
    }

    // Application tasks and Lambda functions -> database (and cache), for the tiers in
    // security.databaseClients (default both).
    for (const [tier, group] of [
      ["app", app],
      ["lambda", lambda],
    ] as const) {
      const reachesData = security.databaseClients.includes(tier);
      this.tierEgress(tier, group, { data, cache }, reachesData);
      if (!reachesData) continue;
      data.ingressFromGroup(`${portLabel(dbPort)}_from_${tier}`, group.securityGroupId, {
        port: dbPort,
        description: `Database port ${dbPort} from the ${tier} tier`,
      });
      if (cacheCfg.enabled) {
        cache.ingressFromGroup(`${portLabel(cacheCfg.port)}_from_${tier}`, group.securityGroupId, {
          port: cacheCfg.port,
          description: `Cache port ${cacheCfg.port} from the ${tier} tier`,
        });
      }
    }
  }

  /** Egress of a compute tier (app, lambda): data and cache (when it is a database client), AWS endpoints, optional internet HTTPS. */
  private tierEgress(tier: string, group: SecurityGroup, peers: Pick<TierGroups, "data" | "cache">, reachesData: boolean): void {
    const { security, cache, network } = this.config;
    const dbPort = this.databasePort();
    if (reachesData) {
      group.egressToGroup(`${portLabel(dbPort)}_to_data`, peers.data.securityGroupId, {
        port: dbPort,
        description: `Database port ${dbPort} to the data tier`,
      });
    }
    if (reachesData && cache.enabled) {
      group.egressToGroup(`${portLabel(cache.port)}_to_cache`, peers.cache.securityGroupId, {
        port: cache.port,
        description: `Cache port ${cache.port} to the cache tier`,
      });
    }
    if (network.interfaceEndpoints.length) {
      group.egressToGroup("https_to_endpoints", this.read("network", "endpoint_security_group_id"), {
        port: HTTPS,
        description: `HTTPS to the VPC interface endpoints of the ${tier} tier`,
      });
    }
    for (const service of network.gatewayEndpoints) {
      group.egressToPrefixList(`https_to_${service}`, this.readEntry("network", "gateway_endpoint_prefix_list_ids", service), {
        port: HTTPS,
        description: `HTTPS to the ${service} gateway endpoint (prefix list)`,
      });
    }
    if (security.egress.internetHttps) {
      // Exception to "peers, not CIDRs": internet services have no security group to name.
      const rule = group.egressToCidr("https_to_internet", "0.0.0.0/0", {
        port: HTTPS,
        description: "HTTPS to the internet through NAT: third-party APIs have no security group (security.egress.internetHttps)",
      });
      reviewException(rule, "PK-SG-007", "HTTPS to third-party APIs and image registries through NAT (security.egress.internetHttps)");
    }
  }

  /** The network layer's interface endpoint group accepts HTTPS from the tiers that call AWS APIs. */
  private endpointRules({ app, lambda, dbAdmin }: TierGroups): void {
    if (!this.config.network.interfaceEndpoints.length) return;
    const endpoints = SecurityGroup.fromId(this, "endpoints", this.read("network", "endpoint_security_group_id"));
    for (const [tier, group] of [
      ["app", app],
      ["lambda", lambda],
    ] as const) {
      endpoints.ingressFromGroup(`https_from_${tier}`, group.securityGroupId, {
        port: HTTPS,
        description: `HTTPS from the ${tier} tier to the interface endpoints`,
      });
    }
    if (this.provisionsDatabaseUsers()) {
      endpoints.ingressFromGroup("https_from_db_admin", dbAdmin.securityGroupId, {
        port: HTTPS,
        description: "HTTPS from the database user provisioner to the interface endpoints",
      });
    }
  }

  /**
   * The database user provisioner (layer 03): the database port, and HTTPS to Secrets Manager (the
   * interface endpoints, or the internet through NAT where security.egress.internetHttps allows).
   * Its own group, so security.databaseClients can keep every other function off the database.
   */
  private dbAdminRules({ dbAdmin, data }: TierGroups): void {
    if (!this.provisionsDatabaseUsers()) return;
    const { network, security } = this.config;
    const dbPort = this.databasePort();
    dbAdmin.egressToGroup(`${portLabel(dbPort)}_to_data`, data.securityGroupId, {
      port: dbPort,
      description: `Database port ${dbPort} to the data tier`,
    });
    data.ingressFromGroup(`${portLabel(dbPort)}_from_db_admin`, dbAdmin.securityGroupId, {
      port: dbPort,
      description: `Database port ${dbPort} from the database user provisioner`,
    });
    if (network.interfaceEndpoints.length) {
      // The endpoints' side of this path is endpointRules' https_from_db_admin.
      dbAdmin.egressToGroup("https_to_endpoints", this.read("network", "endpoint_security_group_id"), {
        port: HTTPS,
        description: "HTTPS to the VPC interface endpoints (Secrets Manager)",
      });
    }
    if (!network.interfaceEndpoints.includes("secretsmanager") && security.egress.internetHttps) {
      // Exception to "peers, not CIDRs": Secrets Manager's public endpoint has no security group.
      const rule = dbAdmin.egressToCidr("https_to_internet", "0.0.0.0/0", {
        port: HTTPS,
        description: "HTTPS to the Secrets Manager public endpoint through NAT (no secretsmanager interface endpoint)",
      });
      reviewException(rule, "PK-SG-007", "HTTPS to the Secrets Manager public endpoint through NAT (no secretsmanager interface endpoint)");
    }
  }

  /** Layer 03 runs its user provisioner: the database exists and some service connects with IAM authentication. */
  private provisionsDatabaseUsers(): boolean {
    return this.isEnabled("database") && iamDatabaseUsers(this.config).length > 0;
  }

  /** database.port, else the engine's default port. */
  private databasePort(): number {
    const db = this.config.database;
    return db.port ?? (db.engine.includes("postgres") ? 5432 : 3306);
  }

  // ---------------------------------------------------------------------------------------------
  // KMS keys

  /** One key per purpose; the account root administers each, and each names the services that use it. */
  private kmsKeys(): Record<KmsKeyPurpose, KmsKey> {
    const { region, accountId } = this.config.aws;
    const key = (purpose: KmsKeyPurpose, description: string, statements: PolicyStatement[]) =>
      new KmsKey(this, `kms-${purpose}`, {
        alias: this.naming.name("kmsAlias", purpose),
        description: `${description} (${this.naming.prefix})`,
        adminPrincipalArn: this.arns.root,
        deletionWindowDays: this.config.security.kms.deletionWindowDays,
        statements,
      });
    return {
      logs: key("logs", "CloudWatch Logs log groups", [
        {
          Sid: "CloudWatchLogsOfThisAccount",
          Principal: { Service: `logs.${region}.amazonaws.com` },
          Action: KMS_USE_ACTIONS,
          Resource: "*",
          Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": this.arns.arn("logs", "log-group:*") } },
        },
      ]),
      data: key("data", "Databases, caches, secrets, parameters, buckets and image repositories", [
        {
          // Principal "*" is confined by kms:CallerAccount to this account, and by kms:ViaService
          // to calls these services make on a principal's behalf (the AWS managed key pattern).
          Sid: "AccountPrincipalsThroughDataServices",
          Principal: { AWS: "*" },
          Action: [...KMS_USE_ACTIONS, "kms:CreateGrant", "kms:ListGrants"],
          Resource: "*",
          Condition: {
            StringEquals: {
              "kms:CallerAccount": accountId,
              "kms:ViaService": [
                "rds",
                "secretsmanager",
                "ssm",
                "s3",
                "elasticache",
                "ecr",
                "dynamodb",
                // The Prometheus workspace of layer 07 (application.collector.prometheus) creates its grants through aps.
                ...(prometheusEnabled(this.config) ? ["aps"] : []),
              ].map((s) => `${s}.${region}.amazonaws.com`),
            },
          },
        },
      ]),
      messaging: key("messaging", "Topics, queues and event buses", this.messagingServiceStatements()),
    };
  }

  /**
   * One statement per AWS service that encrypts or decrypts messages with the messaging key, each
   * guarded only by the condition keys that service really sends to KMS (core/service-facts.ts).
   * EventBridge and SES send none: their guard is the topic's or queue's policy (aws:SourceArn of
   * the rule or configuration set, layers 09, 10, 12), which they are evaluated against.
   */
  private messagingServiceStatements(): PolicyStatement[] {
    const { accountId } = this.config.aws;
    const services: [sid: string, principal: string, sourceResource?: string][] = [
      ["SnsDeliversToQueues", "sns.amazonaws.com", "*"],
      ["SqsRedrive", "sqs.amazonaws.com"],
      ["EventBridgeDeliversToTargets", "events.amazonaws.com"],
      ["CloudWatchAlarmsPublish", "cloudwatch.amazonaws.com", "alarm:*"],
      ["SesPublishesEvents", "ses.amazonaws.com"],
    ];
    return services.map(([sid, principal, sourceResource]) => {
      const facts = KMS_CALLER_CONTEXT[principal];
      const condition: NonNullable<PolicyStatement["Condition"]> = {};
      if (facts.sends.includes("aws:SourceAccount")) condition.StringEquals = { "aws:SourceAccount": accountId };
      if (facts.sends.includes("aws:SourceArn") && facts.sourceService && sourceResource) {
        condition.ArnLike = { "aws:SourceArn": this.arns.arn(facts.sourceService, sourceResource) };
      }
      return {
        Sid: sid,
        Principal: { Service: principal },
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "*",
        ...(Object.keys(condition).length ? { Condition: condition } : {}),
      };
    });
  }

  // ---------------------------------------------------------------------------------------------
  // IAM roles

  /** What ECS does before a container starts: pull the image, ship logs, inject secrets and parameters. */
  private ecsExecutionRole(dataKey: KmsKey): ServiceRole {
    const { project, environment } = this.config;
    const prefix = this.naming.prefix;
    return new ServiceRole(this, "ecs-execution", {
      name: this.naming.name("iamRole", "ecs-execution"),
      description: `ECS task execution role of ${prefix}: image pulls, logs, secrets and parameters`,
      service: ECS_TASKS,
      policies: {
        "ecr-pull": [
          // GetAuthorizationToken has no resource-level permissions: AWS accepts only "*".
          { Sid: "EcrLogin", Action: "ecr:GetAuthorizationToken", Resource: "*" },
          {
            Sid: "EcrPull",
            Action: ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Resource: this.arns.arn("ecr", `repository/${prefix}/*`),
          },
        ],
        logs: [
          {
            Sid: "EcsLogGroups",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [
              this.arns.arn("logs", `log-group:/ecs/${project}/${environment}/*`),
              this.arns.arn("logs", `log-group:/ecs/${project}/${environment}/*:log-stream:*`),
            ],
          },
        ],
        secrets: [
          {
            // What task definitions inject: common, database and native values and each service's
            // subtree; not other layers' parameters (the notification webhook URL, for one).
            Sid: "Parameters",
            Action: "ssm:GetParameters",
            Resource: ["common", "database", "native", ...Object.keys(this.config.services)].map((p) =>
              this.arns.arn("ssm", `parameter${this.naming.path(p)}/*`),
            ),
          },
          {
            // Not the RDS-managed master secret (rds!...): no task definition injects it, since an
            // injected value outlives a rotation (layer 03 gives services their own IAM users).
            Sid: "Secrets",
            Action: "secretsmanager:GetSecretValue",
            Resource: this.arns.arn("secretsmanager", `secret:${prefix}/*`),
          },
          { Sid: "DecryptWithDataKey", Action: "kms:Decrypt", Resource: dataKey.arn },
        ],
      },
    });
  }

  /** One role per service for what the application itself calls; baseline observability only. */
  private taskRoles(): Record<string, ServiceRole> {
    const { aws, security } = this.config;
    const observability: PolicyStatement[] = [
      XRAY_WRITE,
      {
        Sid: "MetricsInProjectNamespace",
        Action: "cloudwatch:PutMetricData",
        Resource: "*",
        Condition: { StringEquals: { "cloudwatch:namespace": `${this.config.project}/${this.config.environment}` } },
      },
    ];
    const ecsExec: PolicyStatement[] = [
      {
        Sid: "EcsExecSessions",
        Action: [
          "ssmmessages:CreateControlChannel",
          "ssmmessages:CreateDataChannel",
          "ssmmessages:OpenControlChannel",
          "ssmmessages:OpenDataChannel",
        ],
        Resource: "*",
      },
    ];
    return Object.fromEntries(
      Object.keys(this.config.services).map((service) => [
        service,
        new ServiceRole(this, `${service}-task`, {
          name: this.naming.name("iamRole", service, "task"),
          description: `ECS task role of the ${service} service of ${this.naming.prefix}`,
          service: ECS_TASKS,
          sourceAccount: aws.accountId,
          trustConditions: { ArnLike: { "aws:SourceArn": this.arns.arn("ecs", "*") } },
          policies: { observability, ...(security.ecsExec ? { "ecs-exec": ecsExec } : {}) },
        }),
      ]),
    );
  }

  /** The GenAI function's execution role (layer 06 adds its Bedrock grant). */
  private genaiLambdaRole(messagingKey: KmsKey): ServiceRole {
    const prefix = this.naming.prefix;
    const logGroup = `/aws/lambda/${prefix}-genai`;
    const role = new ServiceRole(this, "genai-lambda", {
      name: this.naming.name("iamRole", "genai", "lambda"),
      description: `Execution role of the GenAI Lambda function of ${prefix}`,
      service: "lambda.amazonaws.com",
      policies: {
        "vpc-access": [LAMBDA_VPC_ACCESS],
        logs: [this.arns.functionLogs(`${logGroup}*`)],
        xray: [XRAY_WRITE],
        "failure-destination": [
          { Sid: "GenaiQueues", Action: "sqs:SendMessage", Resource: this.arns.arn("sqs", `${prefix}-genai-*`) },
          // The queues are encrypted with the messaging key: sending needs a data key.
          { Sid: "MessagingKey", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: messagingKey.arn },
        ],
      },
    });
    reviewException(
      role.policies["vpc-access"],
      "PK-IAM-004",
      "Lambda creates the function's network interfaces with this role; EC2 offers no resource-level scoping for them",
    );
    return role;
  }

  // ---------------------------------------------------------------------------------------------
  // WAF

  /** Regional web ACL shared by the ALB and API Gateway; logs encrypted with the logs key. */
  private webAcl(logsKey: KmsKey): WafWebAcl {
    const waf = this.config.security.waf;
    return new WafWebAcl(this, "waf", {
      name: this.naming.name("wafAcl"),
      description: `Regional web ACL of ${this.naming.prefix}`,
      scope: "REGIONAL",
      rateLimit: waf.rateLimit,
      // Behind CloudFront (or in front of an internet-facing ALB the API calls) the source address
      // is the proxy's: those requests are counted per X-Forwarded-For client instead.
      forwardedIpHeader: regionalWafForwardedHeader(this.config),
      managedRuleGroups: waf.managedRuleGroups,
      // The GenAI route takes more than the Common Rule Set's 8 KB: bound the body at what it accepts.
      maxBodyBytes: apiWafMaxBodyBytes(this.config),
      logging: { retentionDays: this.config.logging.retentionDays, kmsKeyArn: logsKey.arn },
    });
  }
}
