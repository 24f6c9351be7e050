/**
 * Configuration of layer 07 application: the services map (`services.<name>`) and the cluster,
 * registry and load balancer settings (`application`).
 *
 * Shapes and ranges are checked by the schema; cross-field rules (Fargate CPU/memory pairs, path
 * patterns and listener priorities unique across services, HTTPS where availability is protected,
 * who may reach the load balancer, ...) are `applicationRules` at the end of this file.
 *
 * Listener rule priorities: `services.<name>.priority` when given; otherwise derived from the
 * service *name alone* (`derivedPriority`: 10000 + SHA-256(name) mod 40000), so adding, removing
 * or reordering services never changes the priority of another service (no rule is rewritten).
 * Two services that land on the same priority, or overlapping path patterns evaluated in the wrong
 * order, are refused with a request to set `priority` explicitly. Explicit priorities below 10000
 * never collide with derived ones.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import { FARGATE_CPU_UNITS, fargateMemoryText, isFargateSize } from "../../modules/fargate-sizes";
import { logRetention, matching, port, s3BucketName, wholeNumber, wholeRange } from "../../core/config/fields";
import type { PlatformConfig } from "../../core/config/types";
import type { Rule, SemanticIssue } from "../../core/config/types";
import { CollectorSchema } from "./telemetry";
import { genaiDatabaseUser } from "../06-lambda-genai/config";
import {
  PRIVILEGES as DB_USER_PRIVILEGES,
  RESERVED_USERS as DB_RESERVED_USERS,
  USER_NAME_RE as DB_USER_NAME_RE,
} from "../../functions/db-users/src/statements";
import { parameterPlan } from "../04-parameters/config";
import { deliveryRules } from "./delivery";
import { collectorRules } from "./telemetry";
import type { LayerConfig } from "../../core/layer-descriptor";
import { layerOn } from "../../core/config/layer-switch";

// -------------------------------------------------------------------------------------------------
// Constants

/** TLS policies the kit accepts on the HTTPS listener: TLS 1.2+ with forward secrecy (AWS's TLS13 family). */
export const TLS_POLICIES = [
  "ELBSecurityPolicy-TLS13-1-2-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
  "ELBSecurityPolicy-TLS13-1-3-2021-06",
  "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
  "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
] as const;
export const DEFAULT_TLS_POLICY = TLS_POLICIES[0];

/** Listener rule priorities AWS accepts. */
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX = 50000;
/** Derived priorities fall in [DERIVED_PRIORITY_MIN, PRIORITY_MAX); explicit ones below it never collide with them. */
export const DERIVED_PRIORITY_MIN = 10000;

/** Path patterns per listener rule (AWS: five condition values per rule). */
export const MAX_PATHS = 5;

/** How a service's new task definitions reach production (services.<name>.deployment). */
export const DEPLOYMENT_STRATEGIES = ["rolling", "blue-green"] as const;
export type DeploymentStrategy = (typeof DEPLOYMENT_STRATEGIES)[number];

/** CodeDeploy's predefined ECS deployment configurations (traffic shifting of a blue/green deployment). */
export const CODEDEPLOY_ECS_CONFIGS = [
  "CodeDeployDefault.ECSAllAtOnce",
  "CodeDeployDefault.ECSLinear10PercentEvery1Minutes",
  "CodeDeployDefault.ECSLinear10PercentEvery3Minutes",
  "CodeDeployDefault.ECSCanary10Percent5Minutes",
  "CodeDeployDefault.ECSCanary10Percent15Minutes",
] as const;
export const DEFAULT_CODEDEPLOY_ECS_CONFIG = "CodeDeployDefault.ECSLinear10PercentEvery1Minutes";

/**
 * Service names the layer cannot give a service, and why: the NLB target group is
 * `<project>-<env>-nlb`; every service's constructs sit under a construct named after it at the top
 * of the stack, where cdktf's state backend (`backend`) and the AWS provider (`aws`) already are.
 */
export const RESERVED_SERVICE_NAME_REASONS = {
  nlb: "the application layer's own target group uses <project>-<env>-nlb",
  backend: "every layer stack has a construct named backend, its state backend; name the service api or server, for example",
  aws: "every layer stack has a construct named aws, its AWS provider",
} as const;
export const RESERVED_SERVICE_NAMES = Object.keys(RESERVED_SERVICE_NAME_REASONS) as readonly (keyof typeof RESERVED_SERVICE_NAME_REASONS)[];

/** Environment variable names that hold secrets; such values belong under `secrets`. */
export const SECRET_NAME_RE = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|CREDENTIAL)/i;

const ENV_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ENV_NAME_ERROR = "an environment variable name (letters, digits, _; not starting with a digit)";
const envName = (fallback: string) => matching(ENV_NAME_RE, ENV_NAME_ERROR).default(fallback);
/** An ECR / Docker image tag. */
const IMAGE_TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
/** `[registry/]repository(:tag|@sha256:digest)`: a pinned reference to an image outside the service's ECR repository. */
const IMAGE_URI_RE =
  /^(?:[a-zA-Z0-9.-]+(?::\d+)?\/)?[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;
/** ALB path patterns: up to 128 characters of A-Z a-z 0-9 _ - . $ / ~ " ' @ : + & * ?, starting with /. */
const PATH_PATTERN_RE = /^\/[A-Za-z0-9_\-.$/~"'@:+&*?]{0,127}$/;
/** A parameter path below /<project>/<env>/ (`customers/api-key`, `database/url`). */
const PARAMETER_KEY_RE = /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/;
const ACM_ARN_RE = /^arn:aws[a-z-]*:acm:([a-z]{2}(?:-[a-z]+)+-\d):(\d{12}):certificate\/[0-9a-f-]{36}$/;
/** A lower-case DNS name of two or more labels (the same rule as the API Gateway section's; not imported, which would be a cycle). */
const DNS_NAME_RE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** A container user: uid[:gid] or name[:group]. */
const USER_RE = /^(?:\d{1,10}(?::\d{1,10})?|[a-z_][a-z0-9_-]{0,31}(?::[a-z_][a-z0-9_-]{0,31})?)$/;

// -------------------------------------------------------------------------------------------------
// Fields

const imageTag = z
  .string({ error: "an image tag (such as 1.4.2 or a commit id)" })
  .regex(IMAGE_TAG_RE, { error: "an image tag: 1-128 of A-Z a-z 0-9 _ . -, not starting with . or -" });

const seconds = (min: number, max: number, what: string) =>
  wholeNumber(
    `${what} in whole seconds (${min}-${max})`,
    `${what} in whole seconds (${min}-${max})`,
    [min, `${what} of ${min} to ${max} seconds`],
    [max, `${what} of ${min} to ${max} seconds`],
  );

const percent = (what: string, min = 1) =>
  z
    .number({ error: `${what} of ${min} to 100 percent` })
    .min(min, { error: `${what} of ${min} to 100 percent` })
    .max(100, { error: `${what} of ${min} to 100 percent` });

const taskCount = (what: string) =>
  wholeNumber(
    `${what}: a whole number of tasks`,
    `${what}: a whole number of tasks`,
    [0, `${what}: 0 or more tasks`],
    [1000, `${what}: at most 1000 tasks (the ECS service quota)`],
  );

const HealthCheckSchema = z
  .strictObject({
    path: matching(/^\/[\x21-\x7e]{0,1023}$/, "an HTTP path starting with / (such as /actuator/health)")
      .default("/")
      .describe(
        "Path the target group probes on the container port. Default: / (AWS's default); Spring Boot services use /actuator/health.",
      ),
    matcher: z
      .string()
      .regex(/^[2-4]\d\d(-[2-4]\d\d)?(,[2-4]\d\d(-[2-4]\d\d)?)*$/, { error: "HTTP codes such as 200, 200,204 or 200-299" })
      .default("200")
      .describe("HTTP codes that count as healthy. Default: 200."),
    gracePeriodSeconds: seconds(0, 2147483647, "a health check grace period")
      .default(60)
      .describe("Seconds ECS ignores failing load balancer health checks after a task starts (JVM start-up). Default: 60."),
    intervalSeconds: seconds(5, 300, "a health check interval").default(30).describe("Seconds between probes. Default: 30."),
    timeoutSeconds: seconds(2, 120, "a health check timeout").default(5).describe("Seconds before a probe fails. Default: 5."),
    healthyThreshold: z.number().int().min(2).max(10).default(3).describe("Consecutive successes before a target is healthy. Default: 3."),
    unhealthyThreshold: z
      .number()
      .int()
      .min(2)
      .max(10)
      .default(3)
      .describe("Consecutive failures before a target is unhealthy. Default: 3."),
  })
  .prefault({})
  .describe("Target group health check and ECS grace period.");

const AutoscalingSchema = z
  .strictObject({
    cpuPercent: percent("a CPU target").default(70).describe("Target tracking on average CPU utilisation of the service. Default: 70."),
    memoryPercent: percent("a memory target").optional().describe("Target tracking on average memory utilisation. Default: none."),
    requestsPerTarget: z
      .number({ error: "a number of requests per target per minute" })
      .int()
      .min(1, { error: "at least 1 request per target per minute" })
      .optional()
      .describe("Target tracking on ALB requests per task per minute (ALBRequestCountPerTarget). Default: none."),
    scaleInCooldownSeconds: seconds(0, 3600, "a scale-in cooldown")
      .default(300)
      .describe("Seconds after a scale-in before another. Default: 300."),
    scaleOutCooldownSeconds: seconds(0, 3600, "a scale-out cooldown")
      .default(60)
      .describe("Seconds after a scale-out before another. Default: 60."),
  })
  .prefault({})
  .describe("Target tracking autoscaling between minCount and maxCount.");

const ImageSchema = z
  .strictObject({
    tag: imageTag.optional().describe("Tag in the service's ECR repository (<project>-<env>/<service>). Default: application.imageTag."),
    uri: matching(IMAGE_URI_RE, "an image reference with a tag or digest (registry/repository:tag or @sha256:...)")
      .optional()
      .describe("An image outside the service's ECR repository, pinned by tag or digest. The repository is still created."),
  })
  .prefault({})
  .describe("Image the service runs: a tag in its own ECR repository (default) or an external image URI.");

/** How a service authenticates to the database (services.<name>.database.auth). */
export const DATABASE_AUTH_MODES = ["iam", "secret"] as const;
export type DatabaseAuthMode = (typeof DATABASE_AUTH_MODES)[number];

/** Variables a service receives about its database connection, by what they hold. */
const DatabaseVariablesSchema = z
  .strictObject({
    host: envName("DB_HOST").describe("Variable receiving the writer endpoint host name. Default: DB_HOST."),
    port: envName("DB_PORT").describe("Variable receiving the port. Default: DB_PORT."),
    name: envName("DB_NAME").describe("Variable receiving the application database name. Default: DB_NAME."),
    user: envName("DB_USER").describe(
      "Variable receiving the database user name (auth iam: the service's own user; auth secret: unset). Default: DB_USER.",
    ),
    sslMode: envName("DB_SSL_MODE").describe(
      "Variable receiving the TLS mode the client must use: VERIFY_IDENTITY (MySQL Connector/J sslMode) or verify-full (PostgreSQL sslmode). Default: DB_SSL_MODE.",
    ),
    region: envName("DB_REGION").describe(
      "Variable receiving the AWS Region (IAM authentication tokens are signed for it). Default: DB_REGION.",
    ),
    secretArn: envName("DB_SECRET_ARN").describe(
      "auth secret: variable receiving the ARN of the managed master secret the application reads at run time. Default: DB_SECRET_ARN.",
    ),
  })
  .prefault({})
  .describe("Names of the plain environment variables carrying the connection settings (never a password).");

const DatabaseAccessSchema = z
  .strictObject({
    auth: z
      .enum(DATABASE_AUTH_MODES)
      .optional()
      .describe(
        "iam: the service connects as its own database user with an IAM authentication token (rds-db:connect on exactly that user in its task role; the user is created by layer 03's provisioning function). " +
          "secret: for applications that cannot use IAM tokens; the task receives the managed master secret's ARN and reads it at run time with GetSecretValue, refreshing it when a login fails (the password rotates). " +
          "Default: iam when database.iamAuthentication is true, else secret.",
      ),
    user: z
      .string({ error: "a database user name" })
      .regex(DB_USER_NAME_RE, {
        error: "a database user name: a lower-case letter, then up to 31 lower-case letters, digits or underscores",
      })
      .optional()
      .describe("auth iam: the service's database user. Default: the service name with - as _."),
    privileges: z
      .enum(DB_USER_PRIVILEGES)
      .default("owner")
      .describe(
        "auth iam: what the user may do on the application database. owner: data and schema (DDL, for applications that migrate their own tables); read-write: data only; read-only: SELECT. Default: owner.",
      ),
    variables: DatabaseVariablesSchema,
  })
  .describe(
    "The service uses the database layer's database: connection settings as environment variables, credentials per database.auth. Needs the database layer.",
  );

/** One application service (config.services.<name>). */
export const ServiceSchema = z.strictObject({
  port: port.describe("Container port the service listens on (target group port, Cloud Map SRV port)."),
  image: ImageSchema,
  cpu: z
    .literal(FARGATE_CPU_UNITS, { error: `Fargate task CPU units (one of ${FARGATE_CPU_UNITS.join(", ")})` })
    .default(256)
    .describe("Task CPU units. Default: 256 (a quarter vCPU)."),
  memory: z
    .number({ error: "task memory in MiB" })
    .int({ error: "task memory in whole MiB" })
    .default(512)
    .describe("Task memory in MiB; must be a size Fargate accepts with cpu (see modules/fargate-sizes.ts). Default: 512."),
  architecture: z.enum(["X86_64", "ARM64"]).default("X86_64").describe("CPU architecture of the image. Default: X86_64."),
  desiredCount: taskCount("a desired count")
    .optional()
    .describe("Tasks at creation; autoscaling owns the count afterwards (Terraform ignores drift). Default: minCount."),
  minCount: taskCount("a minimum").default(1).describe("Fewest tasks autoscaling keeps. Default: 1."),
  maxCount: taskCount("a maximum").default(4).describe("Most tasks autoscaling starts. Default: 4."),
  spotPercent: wholeNumber(
    "a Fargate Spot share of 0 to 100 percent",
    "a Fargate Spot share of 0 to 100 percent (whole number)",
    [0, "a Fargate Spot share of 0 to 100 percent"],
    [100, "a Fargate Spot share of 0 to 100 percent"],
  )
    .optional()
    .describe(
      "Share of tasks on FARGATE_SPOT (capacity provider weights), overriding what `critical` and application.spot give. " +
        "An on-demand base stays on FARGATE (serviceCapacity: minCount where protection.availability, else 1 task below 100 %). " +
        "Refused on blue-green services. Default: 0 for a critical service, application.spot.nonCriticalPercent otherwise.",
    ),
  critical: z
    .boolean()
    .default(true)
    .describe(
      "The service must not be interrupted: it runs on FARGATE only. false: it tolerates Fargate Spot reclaims (two minutes' notice), and " +
        "application.spot.nonCriticalPercent of its tasks above the on-demand base run on FARGATE_SPOT. Default: true.",
    ),
  healthCheck: HealthCheckSchema,
  autoscaling: AutoscalingSchema,
  paths: z
    .array(
      z
        .string({ error: "an ALB path pattern" })
        .regex(PATH_PATTERN_RE, { error: "an ALB path pattern starting with / (up to 128 of A-Z a-z 0-9 _ - . $ / ~ \" ' @ : + & * ?)" }),
    )
    .min(1, { error: "at least one path pattern" })
    .max(MAX_PATHS, { error: `at most ${MAX_PATHS} path patterns (one listener rule)` })
    .optional()
    .describe(
      "ALB path patterns routed to the service. Default: /api/<service> and /api/<service>/* (the API Gateway forwards /api/... unchanged).",
    ),
  public: z
    .boolean()
    .default(true)
    .describe(
      "Route the service's paths from the API Gateway (its front door): each path pattern becomes an API route through the VPC link to the load balancer " +
        "(/x -> /x, /x/* -> /x/{proxy+}). false: reachable only inside the VPC (load balancer from the app tier, Cloud Map). Default: true.",
    ),
  priority: wholeNumber(
    `a listener rule priority (${PRIORITY_MIN}-${PRIORITY_MAX})`,
    `a whole listener rule priority (${PRIORITY_MIN}-${PRIORITY_MAX})`,
    [PRIORITY_MIN, `a listener rule priority of ${PRIORITY_MIN} to ${PRIORITY_MAX}`],
    [PRIORITY_MAX, `a listener rule priority of ${PRIORITY_MIN} to ${PRIORITY_MAX}`],
  )
    .optional()
    .describe(
      `Listener rule priority (lower is evaluated first). Default: derived from the service name (${DERIVED_PRIORITY_MIN}-${PRIORITY_MAX - 1}), stable when services are added.`,
    ),
  deregistrationDelaySeconds: seconds(0, 3600, "a deregistration delay")
    .default(30)
    .describe("Seconds a draining target keeps its connections. Default: 30."),
  environment: z
    .record(z.string().regex(ENV_NAME_RE, { error: ENV_NAME_ERROR }), z.string({ error: "a string value (quote numbers and booleans)" }))
    .default({})
    .describe("Plain environment variables. Values are visible in the task definition: secrets go under secrets."),
  secrets: z
    .record(
      z.string().regex(ENV_NAME_RE, { error: ENV_NAME_ERROR }),
      z.string({ error: "a parameter path below /<project>/<env>/ (such as customers/api-key)" }).regex(PARAMETER_KEY_RE, {
        error: "a parameter path below /<project>/<env>/ (such as customers/api-key), without a leading /",
      }),
    )
    .default({})
    .describe(
      "Variables injected from SSM Parameter Store at task start: NAME -> path below /<project>/<env>/ (the parameters layer's hierarchy).",
    ),
  database: DatabaseAccessSchema.optional(),
  databaseCredentials: z
    .unknown()
    .optional()
    .describe(
      "Removed: the master password is no longer injected into tasks (it rotates; tasks would keep the old one). Use services.<name>.database.",
    ),
  user: matching(USER_RE, "a user as uid[:gid] or name[:group]")
    .optional()
    .describe("Run the container as this non-root user; set it only when the image supports it. Default: the image's USER."),
  writablePaths: z
    .array(z.string().regex(/^\/[A-Za-z0-9_.\-/]*$/, { error: "an absolute path" }))
    .default(["/tmp"])
    .describe("Writable scratch volumes (task storage) on the otherwise read-only root file system. Default: [/tmp]."),
  deployment: z
    .enum(DEPLOYMENT_STRATEGIES)
    .optional()
    .describe(
      "rolling: ECS replaces tasks in place (circuit breaker with rollback). blue-green: CodeDeploy starts the new tasks beside the old ones in a second target group and shifts traffic (application.deployment.blueGreen). Switching an existing service replaces its ECS service. Default: application.deployment.strategy.",
    ),
});

export type ServiceConfig = z.output<typeof ServiceSchema>;

const minutes = (min: number, max: number, what: string) => {
  const error = `${what}: a whole number of minutes from ${min} to ${max}`;
  return wholeRange(error, min, max);
};

const CustomTrafficSchema = z
  .strictObject({
    type: z
      .enum(["canary", "linear"])
      .describe("canary: shift percent, wait intervalMinutes, shift the rest. linear: shift percent every intervalMinutes."),
    percent: wholeNumber(
      "a percentage of traffic from 1 to 99",
      "a whole percentage of traffic from 1 to 99",
      [1, "a percentage of traffic from 1 to 99"],
      [99, "a percentage of traffic from 1 to 99"],
    ).describe("Share of the production traffic moved per step."),
    intervalMinutes: minutes(1, 2880, "an interval").describe("Minutes between steps."),
  })
  .describe("A custom time-based traffic shift (an aws_codedeploy_deployment_config of this layer).");

const BlueGreenSchema = z
  .strictObject({
    trafficRouting: z
      .union([
        z.enum(CODEDEPLOY_ECS_CONFIGS, {
          error: `a CodeDeploy ECS configuration (${CODEDEPLOY_ECS_CONFIGS.join(", ")}) or {type, percent, intervalMinutes}`,
        }),
        CustomTrafficSchema,
      ])
      .default(DEFAULT_CODEDEPLOY_ECS_CONFIG)
      .describe(
        `How production traffic moves to the new tasks: a predefined CodeDeploy ECS configuration or a custom canary / linear shift. Default: ${DEFAULT_CODEDEPLOY_ECS_CONFIG}.`,
      ),
    testListenerPort: port
      .default(8443)
      .describe(
        "Port of the ALB test listener: CodeDeploy routes it to the new tasks before any production traffic (for AfterAllowTestTraffic hooks and smoke tests). It is reachable only when the port is also in security.alb.ports. Default: 8443.",
      ),
    approvalWaitMinutes: minutes(0, 2880, "an approval wait")
      .default(0)
      .describe(
        "0: shift traffic as soon as the new tasks are healthy. N: wait up to N minutes for `aws deploy continue-deployment`, then stop and roll back. Default: 0.",
      ),
    terminationWaitMinutes: minutes(0, 2880, "a termination wait")
      .default(5)
      .describe("Minutes the old tasks keep running after a successful shift (the window for an instant rollback). Default: 5."),
    rollbackAlarm: z
      .strictObject({
        enabled: z.boolean().default(true).describe("Create the alarm and roll back when it fires during a deployment. Default: true."),
        errorRatePercent: percent("an error rate")
          .default(5)
          .describe(
            "5XX responses of the service's two target groups, as a percentage of their requests, over 2 of 3 one-minute periods. Default: 5.",
          ),
      })
      .prefault({})
      .describe("A CloudWatch alarm per blue-green service that stops a deployment and rolls it back (DEPLOYMENT_STOP_ON_ALARM)."),
  })
  .prefault({})
  .describe(
    "CodeDeploy blue/green deployments of the services with deployment: blue-green: traffic shifting, test listener, approval and termination waits, rollback alarm. Deployment failures always roll back.",
  );

export const ApplicationSchema = z
  .strictObject({
    imageTag: imageTag
      .default("initial")
      .describe("Tag every service runs unless services.<name>.image sets one. Default: initial (what the first pipeline run pushes)."),
    containerInsights: z
      .enum(["enabled", "enhanced", "disabled"])
      .default("enabled")
      .describe("CloudWatch Container Insights on the cluster. Default: enabled."),
    logRetentionDays: logRetention
      .optional()
      .describe("Retention of the /ecs/<project>/<env>/<service> log groups. Default: logging.retentionDays."),
    ecr: z
      .strictObject({
        immutableTags: z.boolean().default(true).describe("Refuse pushing a tag twice. Default: true."),
        scanOnPush: z.boolean().default(true).describe("Basic vulnerability scan of every pushed image. Default: true."),
        keepImages: z
          .number()
          .int()
          .min(1)
          .max(10000)
          .default(30)
          .describe("Images kept per repository (the newest); older ones expire. Default: 30."),
        untaggedExpiryDays: z.number().int().min(1).max(3650).default(7).describe("Days before untagged images expire. Default: 7."),
      })
      .prefault({})
      .describe("One ECR repository per service, <project>-<env>/<service>, encrypted with the security layer's data key."),
    spot: z
      .strictObject({
        nonCriticalPercent: wholeNumber(
          "a Fargate Spot share of 0 to 100 percent",
          "a Fargate Spot share of 0 to 100 percent (whole number)",
          [0, "a Fargate Spot share of 0 to 100 percent"],
          [100, "a Fargate Spot share of 0 to 100 percent"],
        )
          .default(0)
          .describe(
            "Share of the tasks above the on-demand base that run on FARGATE_SPOT for services with critical: false. Tier default: dev 100, staging 100, prod 50.",
          ),
      })
      .prefault({})
      .describe("Fargate Spot for services that are not critical (services.<name>.critical: false); critical services stay on FARGATE."),
    deployment: z
      .strictObject({
        strategy: z
          .enum(DEPLOYMENT_STRATEGIES)
          .default("rolling")
          .describe("Deployment of every service that does not set services.<name>.deployment: rolling or blue-green. Default: rolling."),
        minimumHealthyPercent: z
          .number()
          .int()
          .min(0)
          .max(100)
          .default(100)
          .describe("Healthy share kept during a rolling deployment. Default: 100."),
        maximumPercent: z
          .number()
          .int()
          .min(100)
          .max(200)
          .default(200)
          .describe("Upper bound of running tasks during a rolling deployment. Default: 200."),
        blueGreen: BlueGreenSchema,
      })
      .prefault({})
      .describe("Rolling deployments (circuit breaker and rollback, always on) or CodeDeploy blue/green deployments, per service."),
    alb: z
      .strictObject({
        internal: z
          .boolean()
          .default(false)
          .describe(
            "Internal load balancer in the app subnets (reached through the API Gateway VPC link); false: internet-facing in the public subnets. Default: false.",
          ),
        networkLoadBalancer: z
          .boolean()
          .default(false)
          .describe(
            "Put an internal NLB in front of the internal ALB, the target of a REST API VPC link. Needs internal: true. Default: false.",
          ),
        certificateArn: matching(ACM_ARN_RE, "an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)")
          .optional()
          .describe("ACM certificate of the HTTPS listener, in aws.region."),
        https: z
          .boolean()
          .optional()
          .describe(
            "Serve HTTPS on 443 with certificateArn, HTTP on 80 redirecting to it. false: plain HTTP on 80 only, refused where protection.data is true (prod). Default: true with certificateArn, else false.",
          ),
        sslPolicy: z
          .enum(TLS_POLICIES)
          .default(DEFAULT_TLS_POLICY)
          .describe(`TLS policy of the HTTPS listener. Default: ${DEFAULT_TLS_POLICY}.`),
        idleTimeoutSeconds: seconds(1, 4000, "an idle timeout").default(60).describe("Connection idle timeout. Default: 60."),
        deletionProtection: z.boolean().optional().describe("Deletion protection on the load balancers. Default: protection.availability."),
        accessLogs: z
          .strictObject({
            enabled: z.boolean().default(false).describe("Write access logs to S3. Default: false."),
            bucket: s3BucketName
              .optional()
              .describe(
                "Existing bucket (SSE-S3, with the ELB log-delivery policy). Default: a bucket created here, <project>-<env>-alb-logs-<account>.",
              ),
            prefix: z
              .string()
              .regex(/^[a-zA-Z0-9!_.*'()-]+(\/[a-zA-Z0-9!_.*'()-]+)*$/, { error: "an S3 key prefix without leading or trailing slash" })
              .default("alb")
              .describe("Key prefix of the log objects. Default: alb."),
          })
          .prefault({})
          .describe("ALB access logs."),
        dnsRecords: z
          .strictObject({
            hostedZoneId: z
              .string()
              .regex(/^Z[A-Z0-9]{1,31}$/, { error: "a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ" })
              .describe("Hosted zone the alias records are written to (public for an internet-facing ALB, private for an internal one)."),
            names: z
              .array(z.string({ error: "a DNS name" }).regex(DNS_NAME_RE, { error: "a lower-case DNS name such as api.example.com" }))
              .min(1, { error: "at least one name" })
              .describe(
                "Names that point at the load balancer (A alias records); with HTTPS they must be on application.alb.certificateArn.",
              ),
          })
          .optional()
          .describe("Route 53 alias records for the load balancer (clients calling it by name). Default: none."),
      })
      // Resolved once, so every reader (this layer, the API Gateway layer, tools) sees the same answer.
      .transform((alb) => ({ ...alb, https: alb.https ?? alb.certificateArn !== undefined }))
      .prefault({})
      .describe("The application load balancer: scheme, listeners, TLS, access logs; and the optional NLB in front of it."),
    collector: CollectorSchema,
  })
  .prefault({})
  .describe("ECS cluster, ECR, load balancer and deployment settings (layer 07).");

export type ApplicationConfig = z.output<typeof ApplicationSchema>;

// -------------------------------------------------------------------------------------------------
// Derived settings (one definition for the rules, the layer, the contract mocks and the tools)

type Cfg = Pick<PlatformConfig, "application" | "protection">;

/** True when the load balancer serves plain HTTP only (application.alb.https is false). */
export function albHttpOnly(cfg: Pick<PlatformConfig, "application">): boolean {
  return !cfg.application.alb.https;
}

/** True when an internal NLB fronts the ALB (REST API VPC link target). */
export function hasNetworkFront(cfg: Pick<PlatformConfig, "application">): boolean {
  return cfg.application.alb.internal && cfg.application.alb.networkLoadBalancer;
}

/** The port clients and the NLB use: 443, or 80 when HTTP-only. */
export function albServingPort(cfg: Pick<PlatformConfig, "application">): number {
  return albHttpOnly(cfg) ? 80 : 443;
}

/** Deletion protection of the load balancers: explicit, else protection.availability. */
export function albDeletionProtection(cfg: Cfg): boolean {
  return cfg.application.alb.deletionProtection ?? cfg.protection.availability;
}

/** The listener rule priority a name alone gives: 10000 + SHA-256(name) mod 40000. */
export function derivedPriority(name: string): number {
  const n = parseInt(createHash("sha256").update(name).digest("hex").slice(0, 8), 16);
  return DERIVED_PRIORITY_MIN + (n % (PRIORITY_MAX - DERIVED_PRIORITY_MIN));
}

/** The service's listener rule priority: explicit, else derived from its name. */
export function servicePriority(name: string, svc: ServiceConfig): number {
  return svc.priority ?? derivedPriority(name);
}

/** The service's path patterns: explicit, else /api/<service> and /api/<service>/*. */
export function servicePaths(name: string, svc: ServiceConfig): string[] {
  return svc.paths ?? [`/api/${name}`, `/api/${name}/*`];
}

/** The tag the service runs from its ECR repository (ignored with image.uri). */
export function serviceImageTag(cfg: Pick<PlatformConfig, "application">, svc: ServiceConfig): string {
  return svc.image.tag ?? cfg.application.imageTag;
}

/** The service's deployment: its own `deployment`, else application.deployment.strategy. */
export function serviceDeployment(cfg: Pick<PlatformConfig, "application">, svc: ServiceConfig): DeploymentStrategy {
  return svc.deployment ?? cfg.application.deployment.strategy;
}

/** Names of the services CodeDeploy deploys blue/green, in config order. */
export function blueGreenServices(cfg: Pick<PlatformConfig, "application" | "services">): string[] {
  return Object.entries(cfg.services)
    .filter(([, svc]) => serviceDeployment(cfg, svc) === "blue-green")
    .map(([name]) => name);
}

/**
 * The CodeDeploy deployment configuration blue/green deployments use: a predefined name, or the
 * name of the custom configuration the layer creates (`<project>-<env>-linear-10pct-every-1min`).
 */
export function trafficRoutingName(cfg: Pick<PlatformConfig, "application" | "project" | "environment">): string {
  const t = cfg.application.deployment.blueGreen.trafficRouting;
  if (typeof t === "string") return t;
  const step = t.type === "linear" ? `every-${t.intervalMinutes}min` : `then-${t.intervalMinutes}min`;
  return `${cfg.project}-${cfg.environment}-${t.type}-${t.percent}pct-${step}`;
}

/** Where a service's tasks run: the FARGATE_SPOT share and the tasks always on FARGATE. */
export interface ServiceCapacity {
  /** Share (0-100) of the tasks above the base on FARGATE_SPOT. */
  readonly spotPercent: number;
  /** Tasks placed on FARGATE before any weight applies (0 without Spot). */
  readonly onDemandBase: number;
  /** Where the share comes from, for reviewers: `spotPercent`, `critical` or `application.spot`. */
  readonly source: "spotPercent" | "critical" | "application.spot";
}

/**
 * A service's capacity: spotPercent when set, else 0 for a critical service and
 * application.spot.nonCriticalPercent for one that is not. With Spot, the on-demand base is the
 * service's minCount where protection.availability (a Spot reclaim never takes it below the
 * minimum the environment promises), else one task when some tasks stay on-demand.
 */
export function serviceCapacity(cfg: Pick<PlatformConfig, "application" | "protection">, svc: ServiceConfig): ServiceCapacity {
  const source = svc.spotPercent !== undefined ? "spotPercent" : svc.critical ? "critical" : "application.spot";
  const spotPercent = svc.spotPercent ?? (svc.critical ? 0 : cfg.application.spot.nonCriticalPercent);
  if (spotPercent === 0) return { spotPercent, onDemandBase: 0, source };
  const onDemandBase = cfg.protection.availability ? Math.max(1, svc.minCount) : spotPercent < 100 ? 1 : 0;
  return { spotPercent, onDemandBase, source };
}

/** Tasks at creation: desiredCount, else minCount. */
export function serviceDesiredCount(svc: ServiceConfig): number {
  return svc.desiredCount ?? svc.minCount;
}

/** How one service reaches the database, defaults applied (services.<name>.database). */
export interface ServiceDatabaseAccess {
  readonly auth: DatabaseAuthMode;
  /** auth iam: the service's database user; auth secret: the master user's (read from the secret). */
  readonly user?: string;
  readonly privileges: (typeof DB_USER_PRIVILEGES)[number];
  readonly variables: z.output<typeof DatabaseVariablesSchema>;
}

/** The database user a service gets when services.<name>.database.user is unset: its name with - as _. */
export const defaultDatabaseUser = (service: string): string => service.replace(/-/g, "_");

/**
 * A service's database access with defaults applied, or undefined when the service does not use
 * the database (no services.<name>.database, or layer 03 switched off).
 */
export function serviceDatabaseAccess(
  cfg: Pick<PlatformConfig, "database" | "layers">,
  name: string,
  svc: ServiceConfig,
): ServiceDatabaseAccess | undefined {
  const db = svc.database;
  if (!db || !layerOn(cfg, "database")) return undefined;
  const auth = db.auth ?? (cfg.database.iamAuthentication ? "iam" : "secret");
  return {
    auth,
    user: auth === "iam" ? (db.user ?? defaultDatabaseUser(name)) : undefined,
    privileges: db.privileges,
    variables: db.variables,
  };
}

/** One IAM-authenticated database user, as layer 03 creates and grants it. */
export interface DatabaseUserPlan {
  /** The service whose task role signs in; for the GenAI function, "genai". */
  readonly service: string;
  readonly user: string;
  readonly privileges: (typeof DB_USER_PRIVILEGES)[number];
  /** Who signs in: a service's task role (default), or the GenAI function's role (genai.database). */
  readonly principal?: "genai-function";
}

/** The services that connect with IAM authentication, and their users, in config order; then the GenAI function's (genai.database). */
export function iamDatabaseUsers(
  cfg: Pick<PlatformConfig, "database" | "layers" | "services"> & Partial<Pick<PlatformConfig, "genai">>,
): DatabaseUserPlan[] {
  const services: DatabaseUserPlan[] = Object.entries(cfg.services).flatMap(([service, svc]) => {
    const access = serviceDatabaseAccess(cfg, service, svc);
    return access?.auth === "iam" ? [{ service, user: access.user!, privileges: access.privileges }] : [];
  });
  const genai = cfg.genai ? genaiDatabaseUser({ genai: cfg.genai, layers: cfg.layers }) : undefined;
  return genai
    ? [...services, { service: "genai", user: genai.user, privileges: genai.privileges, principal: "genai-function" }]
    : services;
}

// -------------------------------------------------------------------------------------------------
// Rules

/** ALB path pattern (with * and ?) as a regular expression over request paths. */
function globRegex(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${body}$`);
}

/** Fargate accepts the CPU/memory pair. */
const fargateSizeRule: Rule = (cfg) =>
  Object.entries(cfg.services).flatMap(([name, svc]) =>
    isFargateSize(svc.cpu, svc.memory)
      ? []
      : [
          {
            path: ["services", name, "memory"],
            expected: `a memory size Fargate accepts with cpu ${svc.cpu} (${fargateMemoryText(svc.cpu)})`,
          },
        ],
  );

/** min <= desired <= max. */
const countRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  for (const [name, svc] of Object.entries(cfg.services)) {
    if (svc.minCount > svc.maxCount) {
      issues.push({ path: ["services", name, "minCount"], expected: `at most maxCount (${svc.maxCount})`, found: `${svc.minCount}` });
      continue;
    }
    if (svc.desiredCount !== undefined && (svc.desiredCount < svc.minCount || svc.desiredCount > svc.maxCount)) {
      issues.push({
        path: ["services", name, "desiredCount"],
        expected: `a count between minCount and maxCount (${svc.minCount}..${svc.maxCount})`,
        found: `${svc.desiredCount}`,
      });
    }
  }
  return issues;
};

/** Image: one source, a pinned tag. */
const imageRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const immutable = cfg.application.ecr.immutableTags;
  if (immutable && cfg.application.imageTag === "latest") {
    issues.push({
      path: ["application", "imageTag"],
      expected: "a release tag, not latest (application.ecr.immutableTags is true: latest could be pushed only once and would never move)",
    });
  }
  for (const [name, svc] of Object.entries(cfg.services)) {
    const { tag, uri } = svc.image;
    if (tag !== undefined && uri !== undefined) {
      issues.push({
        path: ["services", name, "image", "uri"],
        expected: "either image.tag (the service's ECR repository) or image.uri, not both",
      });
    }
    if (immutable && tag === "latest") {
      issues.push({
        path: ["services", name, "image", "tag"],
        expected:
          "a release tag, not latest (application.ecr.immutableTags is true: latest could be pushed only once and would never move)",
      });
    }
    if (uri !== undefined && /:latest$/.test(uri)) {
      issues.push({
        path: ["services", name, "image", "uri"],
        expected:
          "an image pinned by a release tag or @sha256 digest, not :latest (a task restart could run other code than the plan shows)",
      });
    }
  }
  return issues;
};

/** Path patterns unique; overlapping patterns evaluated most specific first; priorities unique. */
const routingRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const entries = Object.entries(cfg.services);
  const owner = new Map<string, string>();
  const routes: { name: string; pattern: string; index: number; priority: number }[] = [];
  for (const [name, svc] of entries) {
    const paths = servicePaths(name, svc);
    const priority = servicePriority(name, svc);
    paths.forEach((pattern, i) => {
      const first = owner.get(pattern);
      if (first !== undefined) {
        issues.push({
          path: svc.paths ? ["services", name, "paths", i] : ["services", name],
          expected: "a path pattern no other service routes",
          found: `${JSON.stringify(pattern)}, also routed to ${first}`,
        });
      } else {
        owner.set(pattern, name);
        routes.push({ name, pattern, index: i, priority });
      }
    });
  }

  const byPriority = new Map<number, string>();
  for (const [name, svc] of entries) {
    const priority = servicePriority(name, svc);
    const first = byPriority.get(priority);
    if (first === undefined) {
      byPriority.set(priority, name);
      continue;
    }
    issues.push(
      svc.priority !== undefined
        ? {
            path: ["services", name, "priority"],
            expected: "a listener rule priority no other service uses",
            found: `${priority}, also the priority of ${first}`,
          }
        : {
            path: ["services", name],
            expected: `an explicit priority (services.${name}.priority): the priority derived from the name collides with another service`,
            found: `derived priority ${priority}, also the priority of ${first}`,
          },
    );
  }

  // A pattern that matches another service's pattern must be evaluated after it.
  for (const general of routes) {
    const re = globRegex(general.pattern);
    for (const specific of routes) {
      if (specific.name === general.name || !re.test(specific.pattern) || globRegex(specific.pattern).test(general.pattern)) continue;
      if (specific.priority < general.priority) continue;
      const svc = cfg.services[specific.name];
      issues.push({
        path: svc.priority !== undefined ? ["services", specific.name, "priority"] : ["services", specific.name],
        expected:
          `a priority below ${general.priority} of ${general.name} (its path ${JSON.stringify(general.pattern)} also matches ` +
          `${JSON.stringify(specific.pattern)}; the load balancer evaluates lower priorities first; set both priorities explicitly)`,
        found: svc.priority !== undefined ? `${specific.priority}` : `derived priority ${specific.priority}`,
      });
    }
  }
  return issues;
};

/** Variables: no secret-looking plain values, no name twice, credentials only with a database. */
const environmentRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const parametersEnabled = layerOn(cfg, "parameters");
  const planned = parametersEnabled ? new Set(parameterPlan(cfg).map((p) => p.key)) : undefined;
  for (const [name, svc] of Object.entries(cfg.services)) {
    for (const key of Object.keys(svc.environment)) {
      if (SECRET_NAME_RE.test(key)) {
        issues.push({
          path: ["services", name, "environment", key],
          expected: `no secret in plain text (a variable named like a secret belongs under services.${name}.secrets, read from Parameter Store at task start)`,
          found: `the variable ${key}`,
        });
      }
    }
    for (const [key, parameter] of Object.entries(svc.secrets)) {
      if (!parametersEnabled) {
        issues.push({
          path: ["services", name, "secrets", key],
          expected: "no secrets from Parameter Store (layers.parameters.enabled is false: no parameter exists to inject)",
          found: JSON.stringify(parameter),
        });
      } else if (!planned!.has(parameter)) {
        const near = [...planned!].filter((k) => k.split("/")[0] === parameter.split("/")[0]).slice(0, 6);
        issues.push({
          path: ["services", name, "secrets", key],
          expected: `a parameter the parameters layer writes below /${cfg.project}/${cfg.environment}/ (${near.length ? near.join(", ") : "see parameters.*"})`,
          found: JSON.stringify(parameter),
        });
      }
      if (key in svc.environment) {
        issues.push({
          path: ["services", name, "secrets", key],
          expected: "a variable name not also under environment",
          found: `${key}, also under environment`,
        });
      }
    }
    if (svc.user !== undefined && /^(0|root)(:|$)/.test(svc.user)) {
      issues.push({ path: ["services", name, "user"], expected: "a non-root user (omit user to run as the image's own USER)" });
    }
  }
  return issues;
};

/**
 * services.<name>.database: a database to use, an authentication the database accepts, one user
 * per service that neither the engine nor the master user owns, variables that clash with nothing.
 */
const databaseAccessRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const databaseEnabled = layerOn(cfg, "database");
  const users = new Map<string, string>();
  for (const [name, svc] of Object.entries(cfg.services)) {
    if (svc.databaseCredentials !== undefined) {
      issues.push({
        path: ["services", name, "databaseCredentials"],
        expected:
          `services.${name}.database instead (databaseCredentials injected the master password once at task start; it rotates and the tasks kept the old one. ` +
          "database gives the service its own IAM-authenticated user, or with auth: secret the secret's ARN to read at run time; see docs/layers/application.md)",
      });
    }
    const db = svc.database;
    if (!db) continue;
    const at = (...keys: string[]) => ["services", name, "database", ...keys];
    if (!databaseEnabled) {
      issues.push({ path: at(), expected: "no database (layers.database.enabled is false: there is no database to connect to)" });
      continue;
    }
    const access = serviceDatabaseAccess(cfg, name, svc)!;
    if (access.auth === "iam" && !cfg.database.iamAuthentication) {
      issues.push({
        path: at("auth"),
        expected: "secret, or database.iamAuthentication: true (IAM authentication is switched off on the database)",
        found: JSON.stringify("iam"),
      });
    }
    if (access.auth === "secret" && db.user !== undefined) {
      issues.push({
        path: at("user"),
        expected: "no user with auth: secret (the application signs in with the secret's user)",
        found: JSON.stringify(db.user),
      });
    }
    if (access.user !== undefined) {
      const userPath = db.user !== undefined ? at("user") : at();
      const derived = db.user === undefined ? ` (derived from the service name; set services.${name}.database.user)` : "";
      if ((DB_RESERVED_USERS as readonly string[]).includes(access.user) || access.user === cfg.database.masterUsername.toLowerCase()) {
        issues.push({
          path: userPath,
          expected: `a user name other than the master user's and the engine's own (${DB_RESERVED_USERS.join(", ")})${derived}`,
          found: JSON.stringify(access.user),
        });
      }
      const first = users.get(access.user);
      if (first !== undefined) {
        issues.push({
          path: userPath,
          expected: `a database user no other service uses${derived}`,
          found: `${JSON.stringify(access.user)}, also the user of ${first}`,
        });
      } else users.set(access.user, name);
    }
    const seen = new Map<string, string>();
    for (const [what, variable] of Object.entries(access.variables)) {
      if (access.auth === "iam" && what === "secretArn") continue;
      if (access.auth === "secret" && what === "user") continue;
      const clash = seen.get(variable) ?? (variable in svc.environment ? "environment" : variable in svc.secrets ? "secrets" : undefined);
      if (clash !== undefined) {
        issues.push({ path: at("variables", what), expected: `a variable name not also used by ${clash}`, found: variable });
      }
      seen.set(variable, `database.variables.${what}`);
    }
  }
  return issues;
};

/** Names the layer reserves. */
const reservedNameRule: Rule = (cfg) =>
  Object.keys(cfg.services)
    .filter((name): name is keyof typeof RESERVED_SERVICE_NAME_REASONS => (RESERVED_SERVICE_NAMES as readonly string[]).includes(name))
    .map((name) => ({
      path: ["services", name],
      expected: `a service name other than ${name} (${RESERVED_SERVICE_NAME_REASONS[name]})`,
      found: `the service name ${JSON.stringify(name)}`,
    }));

/** HTTPS where data is protected; certificate in the region; the listener's port open. */
const tlsRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const alb = cfg.application.alb;
  if (alb.https && !alb.certificateArn) {
    issues.push({
      path: ["application", "alb", "certificateArn"],
      expected: "an ACM certificate ARN for the HTTPS listener (application.alb.https is true)",
    });
  }
  if (!alb.https && alb.certificateArn) {
    issues.push({
      path: ["application", "alb", "https"],
      expected: "true or no key (application.alb.certificateArn is set: the load balancer serves HTTPS)",
    });
  }
  if (!alb.https && !alb.certificateArn && cfg.protection.data) {
    issues.push({
      path: ["application", "alb", "certificateArn"],
      expected:
        "an ACM certificate ARN for the HTTPS listener (protection.data is true: data is encrypted in transit too; " +
        "HTTP only, application.alb.https: false, is for environments that do not protect their data)",
    });
  }
  const m = alb.certificateArn ? ACM_ARN_RE.exec(alb.certificateArn) : null;
  if (m && m[1] !== cfg.aws.region) {
    issues.push({
      path: ["application", "alb", "certificateArn"],
      expected: `a certificate of ${cfg.aws.region} (a load balancer uses certificates of its own region)`,
    });
  }
  const needed = alb.https ? 443 : 80;
  if (!cfg.security.alb.ports.includes(needed)) {
    issues.push({
      path: ["security", "alb", "ports"],
      expected: `a list with ${needed} (the load balancer serves ${alb.https ? "HTTPS on 443" : "HTTP on 80"})`,
    });
  }
  return issues;
};

/** Who may reach the load balancer matches its scheme; the NLB fronts an internal ALB only. */
const exposureRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const { internal, networkLoadBalancer } = cfg.application.alb;
  const cidrs = cfg.security.alb.ingressCidrs;
  if (!internal && cidrs.length === 0) {
    issues.push({
      path: ["security", "alb", "ingressCidrs"],
      expected:
        "at least one client CIDR block (application.alb.internal is false: an internet-facing load balancer that no client may reach serves nothing; " +
        "set application.alb.internal: true for a private one reached through the API Gateway VPC link)",
    });
  }
  if (internal) {
    cidrs.forEach((cidr, i) => {
      if (cidr === "0.0.0.0/0") {
        issues.push({
          path: ["security", "alb", "ingressCidrs", i],
          expected:
            "private client CIDR blocks or none (application.alb.internal is true: the load balancer is private and its front door, " +
            "the API Gateway VPC link, is allowed by security group; 0.0.0.0/0 contradicts the private scheme)",
        });
      }
    });
  }
  if (networkLoadBalancer && !internal) {
    issues.push({
      path: ["application", "alb", "networkLoadBalancer"],
      expected: "false, or application.alb.internal: true (the NLB fronts an internal load balancer for a REST API VPC link)",
    });
  }
  return issues;
};

/** Health check timing AWS accepts. */
const healthCheckRule: Rule = (cfg) =>
  Object.entries(cfg.services).flatMap(([name, svc]) =>
    svc.healthCheck.timeoutSeconds >= svc.healthCheck.intervalSeconds
      ? [
          {
            path: ["services", name, "healthCheck", "timeoutSeconds"],
            expected: `a timeout shorter than the interval (${svc.healthCheck.intervalSeconds} s)`,
            found: `${svc.healthCheck.timeoutSeconds}`,
          },
        ]
      : [],
  );

/** Blue/green: the test listener must not take a port of the production listeners (443 and 80). */
const blueGreenRule: Rule = (cfg) => {
  if (blueGreenServices(cfg).length === 0) return [];
  const port = cfg.application.deployment.blueGreen.testListenerPort;
  return port === 80 || port === 443
    ? [
        {
          path: ["application", "deployment", "blueGreen", "testListenerPort"],
          expected: "a port other than 80 and 443 (the load balancer's production listeners), such as 8443",
          found: `${port}`,
        },
      ]
    : [];
};

/**
 * No Fargate Spot on blue/green services: every CodeDeploy deployment creates the replacement task
 * set with the AppSpec's CapacityProviderStrategy (or the cluster default), so the share and the
 * on-demand base Terraform writes hold only until the first release (docs/decisions.md).
 */
const spotRule: Rule = (cfg) =>
  Object.entries(cfg.services).flatMap(([name, svc]) => {
    const cap = serviceCapacity(cfg, svc);
    if (cap.spotPercent === 0 || serviceDeployment(cfg, svc) !== "blue-green") return [];
    return [
      {
        path: ["services", name, cap.source === "spotPercent" ? "spotPercent" : "critical"],
        expected:
          "no Fargate Spot on a blue-green service: CodeDeploy starts each release's task set with the AppSpec's capacity provider strategy, " +
          "not the service's, so the Spot share and on-demand base would hold only until the first deployment (set critical: true and no spotPercent, or deploy it rolling)",
        found:
          cap.source === "spotPercent"
            ? `${svc.spotPercent}`
            : `false (application.spot.nonCriticalPercent ${cfg.application.spot.nonCriticalPercent})`,
      },
    ];
  });

/** Cross-field rules of the application section (see ../semantic.ts). */
export const applicationRules: readonly Rule[] = [
  fargateSizeRule,
  countRule,
  imageRule,
  routingRule,
  environmentRule,
  databaseAccessRule,
  reservedNameRule,
  tlsRule,
  exposureRule,
  healthCheckRule,
  blueGreenRule,
  spotRule,
];

/** The layer's part of the configuration (layer.ts declares it): its sections and its cross-field rules (core/config/semantic.ts). */
export const applicationConfig: LayerConfig<{ application: typeof ApplicationSchema }> = {
  sections: { application: ApplicationSchema },
  rules: [...applicationRules, ...deliveryRules, ...collectorRules],
};
