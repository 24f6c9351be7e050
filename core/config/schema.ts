/**
 * The configuration schema: the single source of truth for the environment YAML files.
 * It gives the TypeScript types (`PlatformConfig`), the defaults, the validation of shapes, and
 * the generated JSON Schema in environments/schema.json (`npm run schema`). The keys of every
 * environment and the sections several layers read are composed here; each layer's own sections come
 * from its descriptor in the registry (layers/registry.ts), in registry order.
 *
 * Conventions:
 * - Every object is strict: an unknown key is an error with a did-you-mean.
 * - Custom error texts are phrased as what was *expected*; the loader adds what it *found*.
 * - Defaults that depend on the environment's tier live in ./tiers.ts, not here; the descriptions
 *   below name them. Cross-field rules (CIDRs inside the VPC, AZs in the region, ...) live in
 *   ./semantic.ts.
 */
import { z } from "zod";
import { GATEWAY_ENDPOINT_SERVICES, INTERFACE_ENDPOINT_SERVICES, TIERS } from "./constants";
import { cidr, iamRoleArn, logRetention, matching, NAME_RE, port, s3BucketName, WafRuleGroupSchema, wholeNumber } from "./fields";
import { REGION_RE } from "./regions";
import { sectionShape, type SectionsOf } from "../layer-descriptor";
import { LAYER_NAMES } from "../registry";
import { LAYER_DESCRIPTORS } from "../../layers/registry";
// Sections read by several layers, composed here rather than by one layer's descriptor.
import { ServiceSchema } from "../../layers/07-application/config";
import { CiSchema } from "../../layers/bootstrap/config";
import { DeliverySchema } from "../../layers/07-application/delivery";
import { LogArchiveSchema } from "../../layers/10-monitoring/logging";

export * from "./constants";
export { LAYER_NAMES } from "../registry";
export type { LayerName } from "./types";

const AwsSchema = z
  .strictObject({
    accountId: z
      .string({ error: "a 12-digit AWS account id, quoted as a string" })
      .regex(/^\d{12}$/, { error: "a 12-digit AWS account id" })
      .describe(
        "The AWS account the environment lives in. Becomes the provider's allowed_account_ids, so a plan against another account fails.",
      ),
    region: matching(REGION_RE, "an AWS region name such as us-west-2").describe("The AWS region of every layer."),
    azs: z
      .array(z.string(), { error: "a list of availability zone names" })
      .min(1, { error: "at least one availability zone" })
      .max(6, { error: "at most six availability zones" })
      .describe(
        "Availability zones, in order. Subnets, NAT gateways and route tables are created per AZ; append new AZs at the end (existing addresses do not change).",
      ),
    assumeRole: z
      .strictObject({
        roleArn: iamRoleArn.describe("Role the AWS provider assumes for every layer."),
        sessionName: z
          .string()
          .regex(/^[\w+=,.@-]{2,64}$/, { error: "a session name of 2-64 characters [\\w+=,.@-]" })
          .optional(),
        externalId: z.string().min(2).max(1224).optional(),
      })
      .optional()
      .describe("Optional role to assume (for deployments from a tooling account). Omitted: the caller's credentials are used."),
  })
  .describe("Account, region and availability zones.");

const BackendSchema = z
  .strictObject({
    bucket: s3BucketName.describe("S3 bucket holding every layer's state (created by the bootstrap stack)."),
    region: matching(REGION_RE, "an AWS region name such as us-west-2")
      .optional()
      .describe("Region of the state bucket. Default: aws.region."),
    keyPrefix: z
      .string()
      .regex(/^[a-zA-Z0-9!_.*'()-]+(\/[a-zA-Z0-9!_.*'()-]+)*$/, { error: "an S3 key prefix without leading or trailing slash" })
      .default("platform")
      .describe("Prefix of every state key: <keyPrefix>/<project>/<environment>/<NN>-<layer>.tfstate. Default: platform."),
    lockTable: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{3,255}$/, { error: "a DynamoDB table name (3-255 of a-z A-Z 0-9 _ . -)" })
      .optional()
      .describe("DynamoDB lock table (created by the bootstrap stack). Required when lockMode is dynamodb or both."),
    lockMode: z
      .enum(["dynamodb", "s3", "both"])
      .default("dynamodb")
      .describe(
        "State locking: dynamodb (lock table), s3 (S3-native lock file, Terraform >= 1.10), or both during a migration. Default: dynamodb.",
      ),
    kmsKeyId: z
      .string()
      .regex(/^(arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:(key|alias)\/[\w/-]+|alias\/[\w/-]+)$/, {
        error: "a KMS key ARN or alias (arn:aws:kms:... or alias/...)",
      })
      .optional()
      .describe("KMS key for state encryption. Omitted: SSE-S3 (AES-256) bucket encryption; the bootstrap stack then creates no key."),
    roleArn: iamRoleArn.optional().describe("Role to assume for state access (backend and remote-state reads)."),
  })
  .describe("Remote state: one S3 object per layer, encrypted and locked.");

const LayerToggleSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("Write a stack for this layer. Layers that read it handle its absence explicitly."),
});

const SubnetListsSchema = z
  .strictObject({
    public: z.array(cidr).describe("One CIDR per AZ, in aws.azs order."),
    app: z.array(cidr).describe("One CIDR per AZ, in aws.azs order."),
    data: z.array(cidr).describe("One CIDR per AZ, in aws.azs order."),
  })
  .describe("Explicit subnet CIDRs per tier. When omitted, subnets are computed from network.subnetLayout.");

const NetworkSchema = z
  .strictObject({
    cidr: cidr.default("10.0.0.0/16").describe("VPC CIDR block. Default: 10.0.0.0/16."),
    subnets: SubnetListsSchema.optional(),
    subnetLayout: z
      .strictObject({
        newbits: z
          .number()
          .int()
          .min(1)
          .max(16)
          .default(8)
          .describe("Bits added to the VPC prefix for every subnet. Default: 8 (/24 in a /16)."),
        offsets: z
          .strictObject({
            public: z.number().int().min(0).default(0),
            app: z.number().int().min(0).default(16),
            data: z.number().int().min(0).default(32),
          })
          .prefault({})
          .describe("Subnet number of the first AZ of each tier; AZ i gets offset + i. Defaults: public 0, app 16, data 32."),
      })
      .prefault({})
      .describe("Computed subnets: cidrsubnet(network.cidr, newbits, offset[tier] + azIndex). Adding an AZ never moves existing subnets."),
    nat: z
      .enum(["per-az", "single", "none"])
      .describe(
        "NAT gateways: per-az (survives an AZ loss), single (cheaper, one AZ), none (no egress from private subnets). Tier default: dev single, staging and prod per-az.",
      ),
    publicSubnetsMapPublicIp: z
      .boolean()
      .default(false)
      .describe("Auto-assign public IPs in the public tier. Default false: NAT gateways and load balancers get their own addresses."),
    gatewayEndpoints: z
      .array(z.enum(GATEWAY_ENDPOINT_SERVICES))
      .default(["s3", "dynamodb"])
      .describe("Gateway endpoints (free), attached to the app and data route tables."),
    interfaceEndpoints: z
      .array(z.enum(INTERFACE_ENDPOINT_SERVICES))
      .describe(
        "Interface endpoints with private DNS in the app subnets. Tier default: dev a minimal set, staging and prod the full set the platform uses.",
      ),
    flowLogs: z
      .strictObject({
        enabled: z.boolean().default(true),
        trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default("ALL"),
        retentionDays: logRetention.optional().describe("Default: logging.retentionDays."),
        maxAggregationInterval: z.union([z.literal(60), z.literal(600)]).default(600),
        kmsEncrypted: z
          .boolean()
          .default(true)
          .describe("Encrypt the flow-log group with a key owned by the network layer. Default: true."),
      })
      .prefault({})
      .describe("VPC flow logs to CloudWatch Logs."),
    networkAcls: z
      .strictObject({
        enabled: z
          .boolean()
          .default(false)
          .describe(
            "One network ACL per subnet tier (public, app, data) with rules derived from the flows the security groups open, return traffic on the ephemeral ports 1024-65535 included. Default: false (every subnet keeps the VPC's default ACL, which allows all traffic; the security groups are the firewall).",
          ),
        defaultNetworkAcl: z
          .enum(["deny-all", "aws-default"])
          .default("deny-all")
          .describe(
            "With enabled: deny-all adopts the VPC's default ACL with no rules, so a subnet created outside the kit carries no traffic; aws-default leaves it as AWS creates it (allow all). Default: deny-all.",
          ),
        ruleQuota: wholeNumber(
          "a number of rules per ACL and direction",
          "a whole number of rules",
          [20, "at least 20 (the default AWS quota of rules per network ACL and direction)"],
          [40, "at most 40 (the highest AWS quota of rules per network ACL and direction)"],
        )
          .default(20)
          .describe(
            "Rules per ACL and direction the account's quota allows (AWS: 20 by default, 40 at most). The config is refused when a tier needs more. Default: 20.",
          ),
      })
      .prefault({})
      .describe("Network ACLs: a stateless subnet-level firewall in front of the security groups."),
  })
  .describe("The VPC and its subnets, NAT, endpoints, flow logs and network ACLs.");

const SecuritySchema = z
  .strictObject({
    alb: z
      .strictObject({
        ingressCidrs: z
          .array(cidr)
          .default(["0.0.0.0/0"])
          .describe("Who may reach the load balancer listeners. Default: the internet, the platform's front door."),
        ports: z
          .array(port)
          .min(1)
          .default([443, 80])
          .describe("Listener ports opened on the ALB security group. Default: 443 and 80 (80 only redirects)."),
      })
      .prefault({}),
    egress: z
      .strictObject({
        internetHttps: z
          .boolean()
          .default(true)
          .describe("Let app and lambda tasks reach HTTPS on the internet through NAT (image pulls, third-party APIs). Default: true."),
      })
      .prefault({}),
    kms: z
      .strictObject({
        deletionWindowDays: z
          .number()
          .int()
          .min(7)
          .max(30)
          .describe("Waiting period before a scheduled key deletion. Tier default: dev 7, staging and prod 30."),
      })
      .describe("Customer-managed keys (the tier preset always supplies this block)."),
    waf: z
      .strictObject({
        enabled: z.boolean().default(true),
        rateLimit: z
          .number()
          .int()
          .min(10, { error: "a rate limit of at least 10 requests per 5 minutes (the WAF minimum)" })
          .max(2_000_000_000)
          .default(2000)
          .describe("Requests per 5 minutes per client IP before the rate-based rule blocks. Default: 2000."),
        managedRuleGroups: z
          .array(WafRuleGroupSchema)
          .default([
            { name: "AWSManagedRulesCommonRuleSet", excludedRules: [] },
            { name: "AWSManagedRulesKnownBadInputsRuleSet", excludedRules: [] },
            { name: "AWSManagedRulesAmazonIpReputationList", excludedRules: [] },
            { name: "AWSManagedRulesSQLiRuleSet", excludedRules: [] },
          ])
          .describe("AWS managed rule groups, evaluated in order after the rate rule."),
      })
      .prefault({})
      .describe("Regional WAF web ACL for the ALB and API Gateway."),
    serviceToService: z
      .boolean()
      .default(true)
      .describe(
        "Let application services call each other on their service ports (discovery through Cloud Map, Spring Boot Admin polling). Default: true.",
      ),
    databaseClients: z
      .array(z.enum(["app", "lambda"]))
      .min(1, { error: "at least one tier (app, lambda)" })
      .refine((tiers) => new Set(tiers).size === tiers.length, { error: "each tier once" })
      .default(["app", "lambda"])
      .describe(
        "Compute tiers whose security groups may reach the database (and cache) port: app (ECS tasks), lambda (VPC functions). Default: both.",
      ),
    ecsExec: z.boolean().default(false).describe("Allow ECS Exec (SSM session) into tasks. Default: false."),
  })
  .describe("Security groups, IAM roles, KMS keys and WAF.");

/** The keys of every environment, and the sections several layers read: composed here, before the layers' own. */
const CORE_HEAD = {
  extends: z
    .string()
    .optional()
    .describe(
      "Parent file, resolved next to this one: a name (base) or a relative path (../base.yaml). Objects deep-merge, lists are replaced, and null removes an inherited key.",
    ),
  project: z
    .string({ error: "a project name" })
    .regex(NAME_RE, { error: "a lower-case project name (letters, digits, hyphens; starts with a letter)" })
    .max(20, { error: "a project name of at most 20 characters (it prefixes every resource name)" })
    .describe("Project name; prefixes resource names and the Parameter Store hierarchy."),
  environment: z
    .string({ error: "an environment name" })
    .regex(NAME_RE, { error: "a lower-case environment name (letters, digits, hyphens)" })
    .max(12, { error: "an environment name of at most 12 characters" })
    .describe("Environment name (dev, staging, prod, ...)."),
  tier: z.enum(TIERS).describe("Tier: picks defaults (see core/config/tiers.ts) and the rules the environment must meet."),
  aws: AwsSchema,
  tags: z
    .record(
      z.string().regex(/^[\w .:/=+@-]{1,128}$/, { error: "a tag key of 1-128 characters" }),
      z.string({ error: "a tag value (string)" }).max(256),
    )
    .default({})
    .describe("Tags added to every resource, after Project, Environment, Layer and ManagedBy."),
  backend: BackendSchema,
  layers: z
    .partialRecord(z.enum(LAYER_NAMES), LayerToggleSchema)
    .default({})
    .describe("Per-layer switches; every layer is enabled unless set here."),
  protection: z
    .strictObject({
      data: z
        .boolean()
        .describe("Protect stateful resources: deletion protection, final snapshots, prevent_destroy. Tier default: prod true."),
      availability: z
        .boolean()
        .describe("Require survival of one AZ loss: several AZs, NAT per AZ, Multi-AZ data. Tier default: staging and prod true."),
    })
    .describe("What the environment protects; rules and defaults follow from it."),
  logging: z
    .strictObject({
      retentionDays: logRetention.describe("Default retention of every log group. Tier default: dev 30, staging 90, prod 365."),
      archive: LogArchiveSchema,
    })
    .describe("Log defaults."),
  network: NetworkSchema,
  security: SecuritySchema,
  services: z
    .record(
      z.string().regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, { error: "a DNS-safe service name (a-z, 0-9, -; 2-32 characters)" }),
      ServiceSchema,
    )
    .default({})
    .describe("Application services by name (the default system: customers, vets, visits, admin-server)."),
};

/** Sections of no single layer (the bootstrap stack's CI identity, the delivery roles), after the layers' own. */
const CORE_TAIL = { ci: CiSchema, delivery: DeliverySchema };

/** Every layer's own sections, in registry order (`sections` of layers/NN-<layer>/layer.ts); a key claimed twice is refused. */
const LAYER_SECTIONS: SectionsOf<typeof LAYER_DESCRIPTORS> = sectionShape(LAYER_DESCRIPTORS, [
  ...Object.keys(CORE_HEAD),
  ...Object.keys(CORE_TAIL),
]);

export const ConfigSchema = z.strictObject({ ...CORE_HEAD, ...LAYER_SECTIONS, ...CORE_TAIL }).describe("One environment of the platform.");

declare module "./types" {
  interface ConfigTypes {
    output: z.output<typeof ConfigSchema>;
    input: z.input<typeof ConfigSchema>;
  }
}

/** The validated, defaulted configuration. */
export type PlatformConfig = z.output<typeof ConfigSchema>;
/** What a YAML file may contain. */
export type PlatformConfigInput = z.input<typeof ConfigSchema>;
