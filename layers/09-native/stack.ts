/**
 * Layer 09 native: the AWS-native services the applications call directly, all from the
 * `native` config section, each keyed by its config name.
 *
 * - Buckets (modules/secure-bucket.ts): private, SSE-KMS with the data key, versioned, TLS only,
 *   ACLs disabled; lifecycle rules and CORS (presigned browser uploads) from config.
 * - Queues (modules/encrypted-queue.ts): messaging key, a dead-letter queue each (redrive after
 *   maxReceiveCount, redrive allowed from the source only), TLS-only policies that also let the
 *   topics and EventBridge rules that feed a queue send to it (aws:SourceArn).
 * - Topics (modules/encrypted-topic.ts): messaging key, TLS-only publishing, subscriptions to
 *   queues (raw delivery optional), the mailer (with the Lambda permission) and e-mail addresses.
 * - EventBridge (modules/event-bus.ts): a custom bus, rules with patterns from config, targets
 *   queues and topics.
 * - SES (modules/ses-domain.ts): the domain identity (Easy DKIM), custom MAIL FROM, the
 *   configuration set with event destinations, templates read from files at synth, and the DNS
 *   records when a hosted zone is configured.
 * - The mailer (functions/mailer) and the Cognito post-confirmation trigger
 *   (functions/post-confirmation): VPC functions (modules/lambda-function.ts) with their own roles,
 *   logs, alias and failure queue.
 * - Cognito (modules/user-pool.ts): user pool, SPA client (PKCE), hosted UI domain; with
 *   `cognito.federation`, Google and Facebook sign-in created at apply time by a function that reads
 *   the client secrets from Secrets Manager (modules/identity-providers.ts; the secrets are never in
 *   Terraform), the SPA client offering them once they exist; with `cognito.identityPool`, an
 *   identity pool trusting the SPA client and its roles (modules/identity-pool.ts).
 * - Grants: one inline policy `native-resources` per grantee (a service's task role, or the GenAI
 *   function's role), listing exactly the actions on exactly the resources the config names. The
 *   modules write the statements (`bucket.grantRead(grants)`, `queue.grantConsume(grants)`, ...,
 *   core/grants.ts), each with its own key's use through its service.
 * - Parameter Store: every identifier the applications need, below /<project>/<env>/native/.
 *
 * Reads layer 01 (app subnets) and layer 02 (KMS keys, task and Lambda roles, lambda security
 * group), only for what is configured: an empty section reads nothing and creates nothing.
 *
 * Addresses come from config names under one scope per kind (`aws_s3_bucket.buckets_documents`,
 * `aws_sqs_queue.queues_jobs_dlq`, `aws_sns_topic_subscription.topics_events_queue_jobs`,
 * `aws_iam_role_policy.access_service_customers`, `aws_ssm_parameter.parameters_queues_jobs_url`),
 * never from positions, so adding an entry renames nothing.
 */
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaEventSourceMapping } from "@cdktf/provider-aws/lib/lambda-event-source-mapping";
import { dependable } from "cdktf";
import { Construct } from "constructs";
import type { PlatformConfig } from "../../core/config/types";
import {
  GENAI_PRINCIPAL,
  loadTemplate,
  nativeGrants,
  nativeHasResources,
  nativeNames,
  subscriptionId,
  targetId,
  type MailerConfig,
  type NativeNames,
  type PostConfirmationConfig,
} from "./config";
import { PolicyGrants, sidName } from "../../core/grants";
import { LayerStack } from "../../core/layer-stack";
import { Arns, LAMBDA_VPC_ACCESS, type PolicyStatement, XRAY_WRITE } from "../../core/policy";
import { MAILER_ENV, MAILER_HANDLER, MAILER_SOURCE_DIR } from "../../functions/mailer/build";
import { POST_CONFIRMATION_ENV, POST_CONFIRMATION_HANDLER, POST_CONFIRMATION_SOURCE_DIR } from "../../functions/post-confirmation/build";
import { EncryptedQueue, type QueueSender } from "../../modules/encrypted-queue";
import { EncryptedTopic, type TopicPublisher } from "../../modules/encrypted-topic";
import { EventBus } from "../../modules/event-bus";
import { LambdaCode, LambdaFunction } from "../../modules/lambda-function";
import { ParameterHierarchy, type ParameterSpec } from "../../modules/parameter-hierarchy";
import { SecureBucket } from "../../modules/secure-bucket";
import { SesDomain } from "../../modules/ses-domain";
import { ServiceRole } from "../../modules/service-role";
import { IDP_HANDLER, IDP_SOURCE_DIR } from "../../functions/identity-providers/build";
import { IdentityPool } from "../../modules/identity-pool";
import { IdentityProviders, type IdentityProviderSpec } from "../../modules/identity-providers";
import { UserPool } from "../../modules/user-pool";

/** Name of the inline policy each grantee gets. */
export const ACCESS_POLICY_NAME = "native-resources";

/** AWS counts inline policies of a role together (10,240 characters): keep ours well below. */
const ACCESS_POLICY_BUDGET = 6144;

/** The resources the grants name. */
interface Granted {
  readonly buckets: Record<string, SecureBucket>;
  readonly queues: Record<string, EncryptedQueue>;
  readonly topics: Record<string, EncryptedTopic>;
  readonly bus: EventBus | undefined;
  readonly ses: SesDomain | undefined;
}

/** A function of this layer, as topics, queues and Cognito invoke it. */
interface OwnFunction {
  readonly fn: LambdaFunction;
  readonly role: ServiceRole;
}

export class NativeStack extends LayerStack<"native"> {
  private readonly arns: Arns;
  private readonly names: NativeNames;
  /** Set once the identity pool exists (Parameter Store). */
  private identityPoolId?: string;
  /** Key ARNs by purpose, each read once (the grants merge key uses by ARN). */
  private readonly keys = new Map<"data" | "messaging" | "logs", string>();

  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "native", config);
    this.arns = new Arns(config.aws.region, config.aws.accountId);
    this.names = nativeNames(config);
    const n = config.native;
    if (nativeHasResources(n) && !this.isEnabled("security")) {
      throw new Error("layer native needs layer security (its KMS keys and roles); enable layers.security or remove the native resources");
    }

    const buckets = this.buckets();
    const queues = this.queues();
    const topics = this.topics();
    const bus = this.eventBus();
    const ses = this.ses(topics);
    const mailer = n.mailer ? this.mailer(queues, ses!) : undefined;
    this.subscriptions(topics, queues, mailer);
    const postConfirmation = n.cognito?.postConfirmation ? this.postConfirmation(n.cognito.postConfirmation, queues, topics) : undefined;
    const pool = this.userPool(ses, postConfirmation);
    this.access({ buckets, queues, topics, bus, ses });

    const functions = {
      ...(mailer ? { mailer: mailer.fn } : {}),
      ...(postConfirmation ? { "post-confirmation": postConfirmation.fn } : {}),
    };
    const each = <T>(obj: Record<string, T>, pick: (v: T) => string) =>
      Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, pick(v)]));
    // Names are known from the config: published as literals (plans show them; monitoring builds
    // metric dimensions from them). ARNs, URLs and ids are the resources' own attributes.
    const n2 = this.names;
    const outputs = {
      bucket_names: { ...n2.buckets },
      bucket_arns: each(buckets, (b) => b.arn),
      queue_urls: each(queues, (q) => q.url),
      queue_arns: each(queues, (q) => q.arn),
      queue_names: each(n2.queues, (q) => q.queue),
      dead_letter_queue_arns: each(queues, (q) => q.deadLetterArn),
      dead_letter_queue_names: each(n2.queues, (q) => q.deadLetter),
      topic_arns: each(topics, (t) => t.arn),
      topic_names: { ...n2.topics },
      event_bus_name: bus?.name ?? "",
      event_bus_arn: bus?.arn ?? "",
      ses_identity: n.ses?.domain ?? "",
      ses_configuration_set: n2.ses?.configurationSet ?? "",
      user_pool_id: pool?.userPoolId ?? "",
      user_pool_arn: pool?.arn ?? "",
      user_pool_client_id: pool?.clientId ?? "",
      user_pool_domain: pool ? this.names.userPool!.domain : "",
      function_arns: each(functions, (f) => f.functionArn),
      function_names: { ...n2.functions },
      function_dead_letter_queue_arns: each(functions, (f) => f.deadLetterQueueArn),
    };
    // Parameters reference the resources, so each is written once its resource exists.
    this.parameters({ ...outputs, bucket_names: each(buckets, (b) => b.bucketName) });
    this.publish(outputs);
  }

  // ---------------------------------------------------------------------------------------------
  // Keys and ARNs

  private key(purpose: "data" | "messaging" | "logs"): string {
    if (!this.keys.has(purpose)) this.keys.set(purpose, this.readEntry("security", "kms_key_arns", purpose));
    return this.keys.get(purpose)!;
  }

  private bucketArn(key: string): string {
    return SecureBucket.arnOf(this.arns.partition, this.names.buckets[key]);
  }
  private queueArn(key: string): string {
    return EncryptedQueue.arnOf(this.arns, this.names.queues[key].queue);
  }
  private topicArn(key: string): string {
    return EncryptedTopic.arnOf(this.arns, this.names.topics[key]);
  }
  private ruleArn(key: string): string {
    return EventBus.ruleArn(this.arns.partition, this.arns.region, this.arns.accountId, this.names.eventBus!, this.names.eventRules[key]);
  }
  /** SES ARNs needed before the SES resources exist (topic and identity policies). */
  private sesArns(): { identity: string; configurationSet: string } {
    const ses = this.names.ses!;
    return {
      identity: this.arns.arn("ses", `identity/${this.config.native.ses!.domain}`),
      configurationSet: this.arns.arn("ses", `configuration-set/${ses.configurationSet}`),
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Buckets

  private buckets(): Record<string, SecureBucket> {
    const { native, protection } = this.config;
    const scope = new Construct(this, "buckets");
    const out: Record<string, SecureBucket> = {};
    for (const [key, b] of Object.entries(native.buckets)) {
      const bucket = new SecureBucket(scope, key, {
        bucketName: this.names.buckets[key],
        kmsKeyArn: this.key("data"),
        versioned: b.versioned,
        noncurrentVersionExpirationDays: b.noncurrentVersionExpirationDays ?? native.versionRetentionDays,
        lifecycleRules: Object.entries(b.lifecycle).map(([id, r]) => ({
          id,
          prefix: r.prefix,
          transitions: r.transitions,
          expirationDays: r.expirationDays,
          noncurrentExpirationDays: r.noncurrentExpirationDays,
        })),
        cors: b.cors ? [b.cors] : undefined,
        dataProtection: { protect: protection.data },
      });
      bucket.bucket.tags = { Purpose: b.purpose };
      out[key] = bucket;
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Queues and topics

  /** Who sends to each queue: topics subscribing it, rules targeting it. */
  private queueSenders(key: string): QueueSender[] {
    const n = this.config.native;
    const topics = Object.entries(n.topics)
      .filter(([, t]) => t.subscriptions.some((s) => s.queue === key))
      .map(([t]) => this.topicArn(t));
    const rules = Object.entries(n.eventBus?.rules ?? {})
      .filter(([, r]) => r.targets.some((t) => t.queue === key))
      .map(([r]) => this.ruleArn(r));
    return [
      { service: "sns.amazonaws.com", sourceArns: topics },
      { service: "events.amazonaws.com", sourceArns: rules },
    ];
  }

  private queues(): Record<string, EncryptedQueue> {
    const scope = new Construct(this, "queues");
    const out: Record<string, EncryptedQueue> = {};
    for (const [key, q] of Object.entries(this.config.native.queues)) {
      out[key] = new EncryptedQueue(scope, key, {
        name: this.names.queues[key].queue,
        deadLetterName: this.names.queues[key].deadLetter,
        kmsKeyArn: this.key("messaging"),
        fifo: q.fifo,
        contentBasedDeduplication: q.fifo ? q.contentBasedDeduplication : undefined,
        visibilityTimeoutSeconds: q.visibilityTimeoutSeconds,
        retentionSeconds: q.retentionSeconds,
        delaySeconds: q.delaySeconds,
        receiveWaitSeconds: q.receiveWaitSeconds,
        maxReceiveCount: q.deadLetter.maxReceiveCount,
        deadLetterRetentionSeconds: q.deadLetter.retentionSeconds,
        senders: this.queueSenders(key),
      });
    }
    return out;
  }

  private topics(): Record<string, EncryptedTopic> {
    const n = this.config.native;
    const scope = new Construct(this, "topics");
    const out: Record<string, EncryptedTopic> = {};
    for (const [key, t] of Object.entries(n.topics)) {
      const rules = Object.entries(n.eventBus?.rules ?? {})
        .filter(([, r]) => r.targets.some((x) => x.topic === key))
        .map(([r]) => this.ruleArn(r));
      const sesEvents = Object.values(n.ses?.events ?? {}).some((e) => e.topic === key);
      const publishers: TopicPublisher[] = [
        { service: "events.amazonaws.com", sourceArns: rules },
        // SES publishes configuration set events; the messaging key must also let SES use it.
        ...(sesEvents
          ? [{ service: "ses.amazonaws.com", sourceArns: [this.sesArns().configurationSet], sourceAccount: this.config.aws.accountId }]
          : []),
      ];
      out[key] = new EncryptedTopic(scope, key, {
        name: this.names.topics[key],
        displayName: t.displayName,
        kmsKeyArn: this.key("messaging"),
        publishers,
      });
    }
    return out;
  }

  private subscriptions(
    topics: Record<string, EncryptedTopic>,
    queues: Record<string, EncryptedQueue>,
    mailer: OwnFunction | undefined,
  ): void {
    for (const [key, t] of Object.entries(this.config.native.topics)) {
      for (const s of t.subscriptions) {
        const id = subscriptionId(s);
        const opts = { filterPolicy: s.filterPolicy, filterPolicyScope: s.filterPolicyScope };
        if (s.queue) topics[key].subscribeQueue(id, queues[s.queue].arn, { ...opts, rawMessageDelivery: s.rawMessageDelivery });
        else if (s.function === "mailer" && mailer) {
          topics[key].subscribeFunction(
            id,
            { functionArn: mailer.fn.aliasArn, functionName: mailer.fn.functionName, qualifier: mailer.fn.aliasName },
            opts,
          );
        } else if (s.email) topics[key].subscribeEmail(id, s.email, opts);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // EventBridge

  private eventBus(): EventBus | undefined {
    const bus = this.config.native.eventBus;
    if (!bus) return undefined;
    return new EventBus(this, "events", {
      name: this.names.eventBus!,
      description: `Application events of ${this.naming.prefix}`,
      rules: Object.fromEntries(
        Object.entries(bus.rules).map(([key, r]) => [
          key,
          {
            name: this.names.eventRules[key],
            description: r.description,
            pattern: r.pattern,
            enabled: r.enabled,
            targets: Object.fromEntries(r.targets.map((t) => [targetId(t), t.queue ? this.queueArn(t.queue) : this.topicArn(t.topic!)])),
          },
        ]),
      ),
    });
  }

  // ---------------------------------------------------------------------------------------------
  // SES

  private ses(topics: Record<string, EncryptedTopic>): SesDomain | undefined {
    const ses = this.config.native.ses;
    if (!ses) return undefined;
    const names = this.names.ses!;
    const cognito = this.config.native.cognito;
    return new SesDomain(this, "ses", {
      domain: ses.domain,
      region: this.config.aws.region,
      accountId: this.config.aws.accountId,
      mailFromDomain: names.mailFromDomain,
      configurationSetName: names.configurationSet,
      tlsRequired: ses.configurationSet.tlsRequired,
      reputationMetrics: ses.configurationSet.reputationMetrics,
      suppressedReasons: ses.configurationSet.suppressedReasons,
      hostedZoneId: ses.hostedZoneId,
      eventDestinations: Object.fromEntries(
        Object.entries(ses.events).map(([key, e]) => [
          key,
          {
            types: e.types,
            topicArn: e.topic ? topics[e.topic].arn : undefined,
            cloudwatch: e.cloudwatch ? { dimensionName: "template", defaultValue: "none" } : undefined,
          },
        ]),
      ),
      templates: Object.fromEntries(
        Object.entries(ses.templates).map(([key, t]) => {
          const loaded = loadTemplate(t);
          return [key, { name: names.templates[key], subject: loaded.subject, html: loaded.html, text: loaded.text }];
        }),
      ),
      // Cognito sends its e-mails through the identity only with this authorization.
      identityPolicies: cognito?.emailFromSes
        ? {
            "cognito-send": [
              {
                Sid: "CognitoSendsForThisAccount",
                Principal: { Service: "cognito-idp.amazonaws.com" },
                Action: ["ses:SendEmail", "ses:SendRawEmail"],
                Resource: this.sesArns().identity,
                Condition: { StringEquals: { "aws:SourceAccount": this.config.aws.accountId } },
              },
            ],
          }
        : undefined,
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Functions

  /** A VPC function of this layer with its own role (logs, network interfaces, X-Ray, its failure queue) plus `policies`. */
  private ownFunction(
    id: string,
    opts: {
      description: string;
      source: string;
      handler: string;
      settings: MailerConfig | PostConfirmationConfig;
      environment: Record<string, string>;
      policies: Record<string, PolicyStatement[]>;
    },
  ): OwnFunction {
    const name = this.names.functions[id];
    const dlqName = this.naming.name("sqs", id, "dlq");
    const logGroup = `/aws/lambda/${name}`;
    const messagingKey = this.key("messaging");
    const deadLetterQueue = { name: dlqName, kmsKeyArn: messagingKey, retentionSeconds: 14 * 24 * 3600 };
    const failure = this.grants();
    LambdaFunction.grantFailureDestination(failure, deadLetterQueue);
    const role = new ServiceRole(this, `${id}-role`, {
      name: this.naming.name("iamRole", id, "lambda"),
      description: `Execution role of the ${id} function of ${this.naming.prefix}`,
      service: "lambda.amazonaws.com",
      policies: {
        logs: [this.arns.functionLogs(logGroup)],
        "vpc-access": [LAMBDA_VPC_ACCESS],
        xray: [XRAY_WRITE],
        "failure-destination": failure.statements(),
        ...opts.policies,
      },
    });
    const s = opts.settings;
    const fn = new LambdaFunction(this, id, {
      functionName: name,
      description: opts.description,
      code: LambdaCode.fromTypeScript(opts.source),
      handler: opts.handler,
      runtime: s.runtime,
      architecture: s.architecture,
      memoryMb: s.memoryMb,
      timeoutSeconds: s.timeoutSeconds,
      reservedConcurrency: s.reservedConcurrency,
      roleArn: role.arn,
      vpc: { subnetIds: this.read("network", "app_subnet_ids"), securityGroupIds: [this.read("security", "lambda_security_group_id")] },
      environment: { ...opts.environment, LOG_LEVEL: s.logLevel },
      tracing: "Active",
      logs: { retentionDays: s.logRetentionDays ?? this.config.logging.retentionDays, kmsKeyArn: this.key("logs") },
      aliasName: "live",
      deadLetterQueue,
    });
    // Lambda checks the role's network-interface permissions when it creates the function.
    fn.function.dependsOn = this.rolePolicies(role);
    return { fn, role };
  }

  /** A collector for one role of this layer; key statements named after the key's purpose (`MessagingKeyThroughSqs`). */
  private grants(): PolicyGrants {
    return new PolicyGrants(this.arns, { keyNames: Object.fromEntries([...this.keys].map(([purpose, arn]) => [arn, sidName(purpose)])) });
  }

  /** The inline policies of a role, as depends_on entries. */
  private rolePolicies(role: ServiceRole): string[] {
    return role.node.children.filter((c): c is IamRolePolicy => c instanceof IamRolePolicy).map((p) => dependable(p));
  }

  private mailer(queues: Record<string, EncryptedQueue>, ses: SesDomain): OwnFunction {
    const n = this.config.native;
    const mailer = n.mailer!;
    const names = this.names.ses!;
    // SendEmail with a template is authorized on the identity, the configuration set and the template.
    const send = new PolicyGrants(this.arns);
    ses.grantSend(send, { sid: "SendAsConfiguredSender", fromAddress: names.fromAddress });
    const triggers = Object.entries(n.queues).filter(([, q]) => q.trigger?.function === "mailer");
    // Lambda polls each trigger queue with the function's role: consume it, its key through SQS only.
    const consume = this.grants();
    for (const [key] of triggers) queues[key].grantConsume(consume);
    const templates = Object.fromEntries(
      Object.entries(n.ses!.templates).map(([key, t]) => [key, { name: names.templates[key], required: loadTemplate(t).required }]),
    );
    const own = this.ownFunction("mailer", {
      description: `Sends SES templated e-mail for ${this.naming.prefix}: {template, to, data} messages from SNS or SQS`,
      source: MAILER_SOURCE_DIR,
      handler: MAILER_HANDLER,
      settings: mailer,
      environment: {
        [MAILER_ENV.fromAddress]: names.fromAddress,
        [MAILER_ENV.configurationSet]: names.configurationSet,
        [MAILER_ENV.templates]: JSON.stringify(templates),
        [MAILER_ENV.maxRecipients]: String(mailer.maxRecipients),
      },
      policies: {
        "ses-send": send.statements(),
        ...(consume.isEmpty ? {} : { "queue-trigger": consume.statements() }),
      },
    });
    for (const [key, q] of triggers) {
      const mapping = new LambdaEventSourceMapping(queues[key], "trigger", {
        eventSourceArn: queues[key].arn,
        functionName: own.fn.aliasArn,
        batchSize: q.trigger!.batchSize,
        maximumBatchingWindowInSeconds: q.trigger!.maxBatchingWindowSeconds,
        functionResponseTypes: ["ReportBatchItemFailures"],
      });
      // Lambda checks the role can read the queue when it creates the mapping.
      mapping.dependsOn = this.rolePolicies(own.role);
    }
    return own;
  }

  private postConfirmation(
    pc: PostConfirmationConfig,
    queues: Record<string, EncryptedQueue>,
    topics: Record<string, EncryptedTopic>,
  ): OwnFunction {
    const target = this.grants();
    if (pc.queue) queues[pc.queue].grantSend(target);
    else topics[pc.topic!].grantPublish(target);
    const dlqUrl = `https://sqs.${this.config.aws.region}.amazonaws.com/${this.config.aws.accountId}/${this.naming.name("sqs", "post-confirmation", "dlq")}`;
    return this.ownFunction("post-confirmation", {
      description: `Cognito post-confirmation trigger of ${this.naming.prefix}: sends ${pc.template ? `the ${pc.template} e-mail` : "user.confirmed"} to the ${pc.queue ? `${pc.queue} queue` : `${pc.topic} topic`}`,
      source: POST_CONFIRMATION_SOURCE_DIR,
      handler: POST_CONFIRMATION_HANDLER,
      settings: pc,
      environment: {
        ...(pc.queue
          ? { [POST_CONFIRMATION_ENV.targetQueueUrl]: queues[pc.queue].url }
          : { [POST_CONFIRMATION_ENV.targetTopicArn]: topics[pc.topic!].arn }),
        [POST_CONFIRMATION_ENV.deadLetterQueueUrl]: dlqUrl,
        ...(pc.template ? { [POST_CONFIRMATION_ENV.template]: pc.template } : {}),
      },
      policies: {
        target: target.statements(),
      },
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Cognito

  private userPool(ses: SesDomain | undefined, trigger: OwnFunction | undefined): UserPool | undefined {
    const c = this.config.native.cognito;
    if (!c) return undefined;
    const names = this.names.userPool!;
    const pool = new UserPool(this, "cognito", {
      name: names.pool,
      domainPrefix: names.domainPrefix,
      mfa: c.mfa === "required" ? "ON" : "OPTIONAL",
      password: c.password,
      advancedSecurity: c.advancedSecurity,
      customAttributes: c.customAttributes,
      dataProtection: { protect: this.config.protection.data },
      ses:
        c.emailFromSes && ses
          ? { identityArn: ses.identityArn, fromAddress: this.names.ses!.fromAddress, configurationSet: ses.configurationSetName }
          : undefined,
      postConfirmation: trigger
        ? { functionArn: trigger.fn.aliasArn, functionName: trigger.fn.functionName, qualifier: trigger.fn.aliasName }
        : undefined,
      client: { name: names.client, ...c.client },
    });
    if (c.federation) this.federation(pool);
    if (c.identityPool) this.identityPool(pool);
    return pool;
  }

  /** Google and Facebook sign-in: the providers are created at apply time from Secrets Manager; the SPA client offers them after that. */
  private federation(pool: UserPool): void {
    const f = this.config.native.cognito!.federation!;
    const names = this.names.federation!;
    const providers: IdentityProviderSpec[] = [];
    if (f.google)
      providers.push({
        name: "Google",
        secretName: names.providers.Google!,
        scopes: f.google.scopes,
        attributeMapping: f.google.attributeMapping,
      });
    if (f.facebook) {
      providers.push({
        name: "Facebook",
        secretName: names.providers.Facebook!,
        scopes: f.facebook.scopes,
        attributeMapping: f.facebook.attributeMapping,
        apiVersion: f.facebook.apiVersion,
      });
    }
    const idps = new IdentityProviders(this, "identity-providers", {
      functionName: names.function,
      roleName: names.role,
      code: LambdaCode.fromTypeScript(IDP_SOURCE_DIR),
      handler: IDP_HANDLER,
      runtime: "nodejs22.x",
      memoryMb: f.memoryMb,
      timeoutSeconds: f.timeoutSeconds,
      subnetIds: this.read("network", "app_subnet_ids"),
      securityGroupIds: [this.read("security", "lambda_security_group_id")],
      logRetentionDays: this.config.logging.retentionDays,
      logKmsKeyArn: this.key("logs"),
      secretKmsKeyArn: this.key("data"),
      region: this.config.aws.region,
      accountId: this.config.aws.accountId,
      userPoolId: pool.userPoolId,
      userPoolArn: pool.arn,
      providers,
      secretsVersion: f.secretsVersion,
    });
    // Cognito refuses a client naming a provider that does not exist yet.
    pool.client.supportedIdentityProviders = ["COGNITO", ...providers.map((p) => p.name)];
    pool.client.dependsOn = [dependable(idps.invocation)];
  }

  /** The identity pool trusting the SPA client, its roles and the authenticated role's private bucket prefixes. */
  private identityPool(pool: UserPool): void {
    const ip = this.config.native.cognito!.identityPool!;
    const names = this.names.identityPool!;
    const identity = new IdentityPool(this, "identity-pool", {
      name: names.pool,
      userPoolProviderName: `cognito-idp.${this.config.aws.region}.amazonaws.com/${pool.userPoolId}`,
      clientId: pool.clientId,
      authenticatedRoleName: names.authenticatedRole,
      unauthenticatedRoleName: names.unauthenticatedRole,
    });
    for (const [bucket, mode] of Object.entries(ip.authenticated.buckets)) {
      identity.grantPrivatePrefix(bucket, this.bucketArn(bucket), this.key("data"), this.config.aws.region, mode);
    }
    this.identityPoolId = identity.pool.id;
  }

  // ---------------------------------------------------------------------------------------------
  // Grants

  /** What every grantee gets besides its grants: the identifiers below /<project>/<env>/native. */
  private parameterStatements(): PolicyStatement[] {
    const root = this.names.parameterRoot;
    return [
      {
        Sid: "ReadNativeParameters",
        Action: ["ssm:GetParameter", "ssm:GetParameters"],
        Resource: this.arns.arn("ssm", `parameter${root}/*`),
      },
      {
        Sid: "ReadNativeParametersByPath",
        Action: "ssm:GetParametersByPath",
        Resource: [this.arns.arn("ssm", `parameter${root}`), this.arns.arn("ssm", `parameter${root}/*`)],
      },
    ];
  }

  /**
   * One policy per grantee: its grants in config order, written by the modules (the resource
   * statement and the key's use through its service), the KMS statements merged per key and
   * service, then the parameters. A bucket granted read and readWrite keeps both object statements
   * (read is a subset) and one list statement; the key statement gets the wider actions.
   */
  private access(r: Granted): void {
    const grants = nativeGrants(this.config);
    if (!grants.length) return;
    const scope = new Construct(this, "access");
    const services = new Construct(scope, "service");
    const functions = new Construct(scope, "function");
    for (const principal of [...new Set(grants.map((g) => g.principal))]) {
      const collector = this.grants();
      for (const g of grants.filter((x) => x.principal === principal)) {
        switch (g.kind) {
          case "bucket":
            if (g.mode === "read") r.buckets[g.resource].grantRead(collector);
            else r.buckets[g.resource].grantReadWrite(collector);
            break;
          case "queue":
            if (g.mode === "consume") r.queues[g.resource].grantConsume(collector);
            else r.queues[g.resource].grantSend(collector);
            break;
          case "topic":
            r.topics[g.resource].grantPublish(collector);
            break;
          case "eventBus":
            r.bus!.grantPutEvents(collector);
            break;
          case "ses":
            r.ses!.grantSend(collector);
            break;
          case "parameters":
            break;
        }
      }
      const document = collector.document(this.parameterStatements());
      if (document.length > ACCESS_POLICY_BUDGET) {
        throw new Error(
          `native: the ${ACCESS_POLICY_NAME} policy of ${principal} is ${document.length} characters; IAM allows 10,240 for all inline policies of a role together. Grant fewer resources to it, or split them across services`,
        );
      }
      const genai = principal === GENAI_PRINCIPAL;
      new IamRolePolicy(genai ? functions : services, genai ? "genai" : principal, {
        name: ACCESS_POLICY_NAME,
        role: genai ? this.readEntry("security", "lambda_role_names", "genai") : this.readEntry("security", "task_role_names", principal),
        policy: document,
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Parameter Store

  private parameters(o: {
    bucket_names: Record<string, string>;
    queue_urls: Record<string, string>;
    queue_arns: Record<string, string>;
    topic_arns: Record<string, string>;
    event_bus_name: string;
    event_bus_arn: string;
    user_pool_id: string;
    user_pool_client_id: string;
  }): void {
    const n = this.config.native;
    const specs: ParameterSpec[] = [];
    const add = (key: string, value: string, description: string) => specs.push({ key, value, description });
    for (const k of Object.keys(n.buckets)) add(`buckets/${k}/name`, o.bucket_names[k], `Name of the ${k} bucket`);
    for (const k of Object.keys(n.queues)) {
      add(`queues/${k}/url`, o.queue_urls[k], `URL of the ${k} queue`);
      add(`queues/${k}/arn`, o.queue_arns[k], `ARN of the ${k} queue`);
    }
    for (const k of Object.keys(n.topics)) add(`topics/${k}/arn`, o.topic_arns[k], `ARN of the ${k} topic`);
    if (n.eventBus) {
      add("event-bus/name", o.event_bus_name, "Name of the application event bus");
      add("event-bus/arn", o.event_bus_arn, "ARN of the application event bus");
    }
    if (n.ses) {
      const ses = this.names.ses!;
      add("ses/domain", n.ses.domain, "SES domain identity");
      add("ses/from-address", ses.fromAddress, "Default sender address");
      add("ses/configuration-set", ses.configurationSet, "SES configuration set to send with");
      for (const [k, t] of Object.entries(ses.templates)) add(`ses/templates/${k}/name`, t, `SES name of the ${k} template`);
    }
    if (n.cognito) {
      const pool = this.names.userPool!;
      add("cognito/user-pool-id", o.user_pool_id, "Cognito user pool id");
      add("cognito/client-id", o.user_pool_client_id, "Cognito SPA app client id");
      add("cognito/domain", pool.domain, "Cognito hosted UI domain");
      add(
        "cognito/issuer",
        `https://cognito-idp.${this.config.aws.region}.amazonaws.com/${o.user_pool_id}`,
        "Issuer of the user pool's tokens (JWKS at <issuer>/.well-known/jwks.json)",
      );
      if (this.identityPoolId)
        add("cognito/identity-pool-id", this.identityPoolId, "Cognito identity pool id (AWS credentials for signed-in users)");
      const idps = this.config.native.cognito?.federation;
      if (idps)
        add(
          "cognito/identity-providers",
          [idps.google ? "Google" : "", idps.facebook ? "Facebook" : ""].filter(Boolean).join(","),
          "Identity providers of the hosted UI besides e-mail (identity_provider= of /oauth2/authorize)",
        );
    }
    if (specs.length) new ParameterHierarchy(this, "parameters", { root: this.names.parameterRoot, parameters: specs });
  }
}
