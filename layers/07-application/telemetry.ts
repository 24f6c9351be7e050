/**
 * Configuration of the telemetry collector sidecar of the ECS services (application.collector,
 * layer 07): an AWS Distro for OpenTelemetry (ADOT) collector in every task that receives the
 * application's traces (OTLP and the X-Ray daemon protocol) and sends them to AWS X-Ray, and, with
 * `prometheus`, scrapes the application's metrics endpoint and remote-writes them (SigV4) to an
 * Amazon Managed Service for Prometheus workspace the layer creates.
 *
 * Why ADOT and not the X-Ray daemon, and why the sidecar is not essential: docs/decisions.md
 * ("Telemetry collector sidecar").
 */
import { z } from "zod";
import { logRetention, matching, wholeNumberOr } from "../../core/config/fields";
import type { PlatformConfig } from "../../core/config/types";
import type { Rule, SemanticIssue } from "../../core/config/types";

/** The collector image the kit pins: ADOT from ECR Public (docs/decisions.md). */
export const DEFAULT_COLLECTOR_IMAGE = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.2";

/** An image reference pinned to a tag or a digest (never an implicit latest). */
const IMAGE_RE =
  /^[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:[0-9]+)?(\/[a-z0-9]+([._-][a-z0-9]+)*)+(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$/;
const IMAGE_ERROR =
  "a container image with a registry, a repository and a pinned tag or digest, such as public.ecr.aws/aws-observability/aws-otel-collector:v0.43.2";

/** A metrics path: absolute, no query. */
const METRICS_PATH_RE = /^\/[A-Za-z0-9._~/-]*$/;

export const PrometheusSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(false)
      .describe(
        "Create an Amazon Managed Service for Prometheus workspace (<project>-<env>, data key, log group) and let each service's collector scrape its metrics endpoint and remote-write to it (aps:RemoteWrite on exactly that workspace). Default: false.",
      ),
    scrapeIntervalSeconds: wholeNumberOr(5, 300, "a scrape interval in seconds", 15).describe(
      "How often the collector scrapes the application's metrics endpoint. Default: 15 (the Prometheus default).",
    ),
    metricsPath: z
      .string({ error: "an absolute HTTP path such as /metrics" })
      .regex(METRICS_PATH_RE, { error: "an absolute HTTP path such as /metrics (no query string)" })
      .default("/metrics")
      .describe(
        "Path of the application's Prometheus endpoint, scraped on the service's container port over localhost. Default: /metrics.",
      ),
  })
  .prefault({})
  .describe(
    "Prometheus metrics of the services into Amazon Managed Service for Prometheus (the collector scrapes; nothing listens on the network for it).",
  );

export const CollectorSchema = z
  .strictObject({
    enabled: z.boolean().default(false).describe("Run the ADOT collector as a sidecar in every service's task. Default: false."),
    image: matching(IMAGE_RE, IMAGE_ERROR)
      .default(DEFAULT_COLLECTOR_IMAGE)
      .describe(
        `Collector image. ECR Public has no VPC endpoint: the default is pulled through NAT (network.nat and security.egress.internetHttps); point it at a pull-through cache repository of your private registry to pull through the ecr endpoints instead. Default: ${DEFAULT_COLLECTOR_IMAGE}.`,
      ),
    cpu: wholeNumberOr(0, 1024, "CPU units of the collector container", 64).describe(
      "CPU units reserved for the collector out of the task's (services.<name>.cpu, unchanged); the application container gets the rest. At most half the task's. Default: 64.",
    ),
    memoryMiB: wholeNumberOr(32, 2048, "memory of the collector container in MiB", 128).describe(
      "Hard memory limit of the collector container out of the task's (services.<name>.memory, unchanged); its memory_limiter starts refusing data at 80 % of it. At most a quarter of the task's. Default: 128.",
    ),
    essential: z
      .boolean()
      .default(false)
      .describe(
        "Stop the whole task when the collector stops. Default: false (telemetry is best effort: a collector crash must not take the service down).",
      ),
    traces: z
      .boolean()
      .default(true)
      .describe(
        "Receive traces (OTLP on 127.0.0.1:4317/4318, X-Ray daemon protocol on 127.0.0.1:2000/udp) and send them to AWS X-Ray with the task role. Default: true.",
      ),
    prometheus: PrometheusSchema,
    logRetentionDays: logRetention
      .optional()
      .describe(
        "Retention of the collectors' log groups /ecs/<project>/<env>/<service>/collector. Default: application.logRetentionDays, else logging.retentionDays.",
      ),
  })
  .prefault({})
  .describe(
    "Telemetry collector sidecar (AWS Distro for OpenTelemetry) in the ECS tasks: traces to X-Ray, optional Prometheus metrics to Amazon Managed Service for Prometheus.",
  );

export type CollectorConfig = z.output<typeof CollectorSchema>;

/** The collector is on and does something (traces or Prometheus). */
export function collectorEnabled(cfg: Pick<PlatformConfig, "application">): boolean {
  const c = cfg.application.collector;
  return c.enabled && (c.traces || c.prometheus.enabled);
}

/** The layer creates the Prometheus workspace (the collector is on with prometheus). */
export function prometheusEnabled(cfg: Pick<PlatformConfig, "application">): boolean {
  return collectorEnabled(cfg) && cfg.application.collector.prometheus.enabled;
}

/** Images from a private ECR registry are pulled through the ecr.api / ecr.dkr endpoints; anything else needs the internet. */
export function isPrivateEcrImage(image: string): boolean {
  return /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//.test(image);
}

const natHttps = (cfg: PlatformConfig) => cfg.network.nat !== "none" && cfg.security.egress.internetHttps;
const natWhy = (cfg: PlatformConfig) => (cfg.network.nat === "none" ? "network.nat is none" : "security.egress.internetHttps is false");

/** The collector gets its share of each task without starving the application. */
const collectorSizeRule: Rule = (cfg) => {
  if (!collectorEnabled(cfg)) return [];
  const c = cfg.application.collector;
  const issues: SemanticIssue[] = [];
  for (const [name, svc] of Object.entries(cfg.services)) {
    if (c.cpu * 2 > svc.cpu) {
      issues.push({
        path: ["application", "collector", "cpu"],
        expected: `at most half the CPU of every service's task (services.${name}.cpu is ${svc.cpu}: at most ${Math.floor(svc.cpu / 2)})`,
      });
    }
    if (c.memoryMiB * 4 > svc.memory) {
      issues.push({
        path: ["application", "collector", "memoryMiB"],
        expected: `at most a quarter of the memory of every service's task (services.${name}.memory is ${svc.memory} MiB: at most ${Math.floor(svc.memory / 4)})`,
      });
    }
  }
  return issues;
};

/** The tasks can pull the collector image and reach X-Ray and the workspace. */
const collectorReachRule: Rule = (cfg) => {
  if (!collectorEnabled(cfg)) return [];
  const c = cfg.application.collector;
  const issues: SemanticIssue[] = [];
  const endpoints = cfg.network.interfaceEndpoints as readonly string[];
  if (!isPrivateEcrImage(c.image) && !natHttps(cfg)) {
    issues.push({
      path: ["application", "collector", "image"],
      expected: `an image of this account's private ECR registry (a pull-through cache of ECR Public), since ${natWhy(cfg)}: ECR Public has no VPC endpoint, so the tasks cannot pull from it`,
    });
  }
  if (c.traces && !endpoints.includes("xray") && !natHttps(cfg)) {
    issues.push({
      path: ["network", "interfaceEndpoints"],
      expected: `a list with "xray" (application.collector.traces is on and ${natWhy(cfg)}, so the collector cannot reach AWS X-Ray otherwise)`,
    });
  }
  if (c.prometheus.enabled && !endpoints.includes("aps-workspaces") && !natHttps(cfg)) {
    issues.push({
      path: ["network", "interfaceEndpoints"],
      expected: `a list with "aps-workspaces" (application.collector.prometheus is on and ${natWhy(cfg)}, so the collector cannot remote-write to the workspace otherwise)`,
    });
  }
  return issues;
};

/** Prometheus without the collector does nothing: say so rather than create an unused workspace. */
const prometheusNeedsCollectorRule: Rule = (cfg) => {
  const c = cfg.application.collector;
  if (c.enabled || !c.prometheus.enabled) return [];
  return [
    {
      path: ["application", "collector", "enabled"],
      expected: "true (application.collector.prometheus.enabled needs the collector to scrape and remote-write)",
      found: "false",
    },
  ];
};

/** Cross-field rules of application.collector (see ../semantic.ts). */
export const collectorRules: readonly Rule[] = [collectorSizeRule, collectorReachRule, prometheusNeedsCollectorRule];
