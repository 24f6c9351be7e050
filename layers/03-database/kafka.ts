/**
 * Configuration of the optional Apache Kafka cluster (Amazon MSK) in layer 03 database, the data
 * tier: the seed system 002's "Kafka (MSK), only when interacting with backend microservices".
 *
 *   kafka:
 *     enabled: false
 *     mode: serverless            # serverless | provisioned
 *     clients: [api]              # services whose task roles get kafka-cluster grants and whose tasks reach it
 *     provisioned: { kafkaVersion, instanceType, brokersPerAz, storageGb }
 *
 * Always IAM access control (SASL/IAM on 9098) and TLS between clients and brokers; in the data
 * subnets behind its own security group that admits the application tasks only.
 */
import { z } from "zod";
import { didYouMean } from "../../core/config/errors";
import type { PlatformConfig } from "../../core/config/types";
import type { Rule, SemanticIssue } from "../../core/config/types";
import { wholeNumberOr } from "../../core/config/fields";
import { layerOn } from "../../core/config/layer-switch";

export const KAFKA_MODES = ["serverless", "provisioned"] as const;

const SERVICE_ERROR = "a service name (a key of services)";

export const KafkaSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Create the cluster (layer 03). Default: false."),
    mode: z
      .enum(KAFKA_MODES)
      .default("serverless")
      .describe(
        "serverless: MSK Serverless (pay per partition-hour and GB; encrypted at rest by MSK with a service-managed key); provisioned: brokers you size, encrypted at rest with the data key. Default: serverless.",
      ),
    clients: z
      .array(z.string({ error: SERVICE_ERROR }).regex(/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/, { error: SERVICE_ERROR }), {
        error: "a list of service names",
      })
      .default([])
      .describe(
        "Services that produce and consume: their tasks reach the brokers on 9098 and their task roles get kafka-cluster actions on this cluster only. Default: none.",
      ),
    provisioned: z
      .strictObject({
        kafkaVersion: z
          .string()
          .regex(/^[0-9]+\.[0-9]+\.[0-9]+(\.x)?$/, { error: "a Kafka version such as 3.6.0" })
          .default("3.6.0")
          .describe("Default: 3.6.0."),
        instanceType: z
          .string()
          .regex(/^kafka\.[a-z0-9]+\.[a-z0-9]+$/, { error: "an MSK broker instance type such as kafka.t3.small or kafka.m7g.large" })
          .default("kafka.t3.small")
          .describe("Default: kafka.t3.small."),
        brokersPerAz: wholeNumberOr(1, 4, "brokers per AZ", 1).describe("Brokers in each AZ of aws.azs. Default: 1."),
        storageGb: wholeNumberOr(1, 16384, "a volume size in GiB", 100).describe("EBS storage per broker. Default: 100."),
      })
      .prefault({})
      .describe("Options of mode provisioned."),
  })
  .prefault({})
  .describe(
    "Amazon MSK (Apache Kafka) in the data subnets: IAM authentication, TLS in transit, encryption at rest. Omitted or enabled: false: none.",
  );

export type KafkaConfig = z.output<typeof KafkaSchema>;

const K = ["kafka"] as const;

const kafkaRule: Rule = (cfg: PlatformConfig) => {
  const k = cfg.kafka;
  if (!k.enabled) return [];
  const issues: SemanticIssue[] = [];
  if (!layerOn(cfg, "database")) {
    issues.push({
      path: [...K, "enabled"],
      expected: "false, or layers.database enabled (the cluster lives in the database layer, the data tier)",
    });
  }
  if (!k.clients.length)
    issues.push({
      path: [...K, "clients"],
      expected: "at least one service that uses the cluster (nothing else can reach it)",
      found: "none",
    });
  const services = Object.keys(cfg.services);
  k.clients.forEach((c, i) => {
    if (!services.includes(c)) {
      const guess = didYouMean(c, services);
      issues.push({
        path: [...K, "clients", i],
        expected: `a service of services (${services.join(", ") || "none"})`,
        found: `unknown service ${JSON.stringify(c)}`,
        hint: guess ? `did you mean ${guess}?` : undefined,
      });
    }
    if (k.clients.indexOf(c) !== i)
      issues.push({ path: [...K, "clients", i], expected: "each service once", found: `duplicate ${JSON.stringify(c)}` });
  });
  if (cfg.aws.azs.length < 2)
    issues.push({
      path: ["aws", "azs"],
      expected: "at least two AZs (MSK places brokers, and MSK Serverless its endpoints, in subnets of two or more AZs)",
    });
  return issues;
};

/** Cross-field rules of the kafka section. */
export const kafkaRules: readonly Rule[] = [kafkaRule];
