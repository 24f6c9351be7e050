/**
 * The AWS Distro for OpenTelemetry (ADOT) collector as a sidecar container of one ECS task: its log
 * group, its container definition (for FargateService's `sidecars`) and the variables that tell
 * the application container where to send.
 *
 * What the collector does (its configuration is generated here and passed in an environment
 * variable, read with the collector's `env:` config provider; no file, no parameter):
 * - traces (`traces`): receives OTLP (127.0.0.1:4317 gRPC, 127.0.0.1:4318 HTTP) and the X-Ray
 *   daemon protocol (127.0.0.1:2000/udp), proxies the X-Ray sampling API (127.0.0.1:2000/tcp, so
 *   the environment's sampling rule applies to the application), and exports to AWS X-Ray with
 *   the task role;
 * - metrics (`prometheus`): scrapes the application's endpoint on 127.0.0.1:<port><path> every
 *   `scrapeIntervalSeconds` and remote-writes to an Amazon Managed Service for Prometheus
 *   workspace, signing with SigV4 (service `aps`) with the task role.
 * Every receiver listens on the loopback address only: the task's security group opens nothing
 * for it. A memory limiter keeps the collector under its hard limit (80 %); its health check is
 * the image's own `/healthcheck` against the health_check extension.
 *
 * Secure defaults: read-only root file system, no port mappings, not essential unless asked (a
 * crashed collector loses telemetry, not the service), logs to its own encrypted log group.
 *
 * Address (construct id `collector` under a service's scope):
 * `aws_cloudwatch_log_group.<service>_collector_logs`.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Construct } from "constructs";

/** Name of the collector container in the task. */
export const COLLECTOR_CONTAINER_NAME = "aws-otel-collector";

/** The environment variable that carries the collector's configuration (read with `--config=env:`). */
export const COLLECTOR_CONFIG_VARIABLE = "OTEL_COLLECTOR_CONFIG";

/** Where the application sends (loopback: containers of a Fargate task share one network namespace). */
export const COLLECTOR_ENDPOINTS = {
  otlpGrpc: "127.0.0.1:4317",
  otlpHttp: "127.0.0.1:4318",
  xrayDaemon: "127.0.0.1:2000",
  health: "127.0.0.1:13133",
} as const;

/** A non-application container of a task (FargateService `sidecars`). */
export interface SidecarContainer {
  readonly name: string;
  readonly image: string;
  readonly essential: boolean;
  /** CPU units reserved for it (the application container shares the rest of the task's). */
  readonly cpu: number;
  /** Hard memory limit in MiB. */
  readonly memory: number;
  readonly readonlyRootFilesystem: boolean;
  readonly command?: string[];
  readonly environment: { name: string; value: string }[];
  readonly healthCheck?: { command: string[]; interval: number; timeout: number; retries: number; startPeriod: number };
  readonly logConfiguration: { logDriver: "awslogs"; options: Record<string, string> };
}

export interface CollectorPrometheusProps {
  /** The workspace's remote write URL (`<prometheus_endpoint>api/v1/remote_write`). */
  readonly remoteWriteUrl: string;
  /** @default 15 */
  readonly scrapeIntervalSeconds?: number;
  /** @default "/metrics" */
  readonly metricsPath?: string;
  /** The application container's port the endpoint is on. */
  readonly port: number;
  /** Labels added to every scraped series (service, environment). @default none */
  readonly labels?: Readonly<Record<string, string>>;
}

export interface OtelCollectorProps {
  /** The service (the scrape job's name). */
  readonly serviceName: string;
  /** The name the application's traces carry (OTEL_SERVICE_NAME, AWS_XRAY_TRACING_NAME): `<project>-<env>-<service>`. */
  readonly tracingName: string;
  /** Collector image (pinned tag or digest). */
  readonly image: string;
  /** CPU units reserved for the collector. @default 64 */
  readonly cpu?: number;
  /** Hard memory limit in MiB. @default 128 */
  readonly memoryMiB?: number;
  /** Stop the task when the collector stops. @default false */
  readonly essential?: boolean;
  /** Region of X-Ray, the workspace and the log group. */
  readonly region: string;
  /** The collector's log group (created here). */
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  /** KMS key of the log group. @default CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
  /** Receive traces and export them to X-Ray. @default true */
  readonly traces?: boolean;
  /** Scrape and remote-write Prometheus metrics. @default none */
  readonly prometheus?: CollectorPrometheusProps;
}

export class OtelCollectorSidecar extends Construct {
  readonly logGroup: CloudwatchLogGroup;
  readonly container: SidecarContainer;
  /** Variables for the application container: where to send traces, under which name. */
  readonly appEnvironment: Readonly<Record<string, string>>;
  /** The collector configuration (JSON, which the collector reads as YAML). */
  readonly config: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: OtelCollectorProps) {
    super(scope, id);
    const traces = props.traces ?? true;
    const prom = props.prometheus;
    if (!traces && !prom) throw new Error(`OtelCollectorSidecar ${id}: nothing to collect (traces off and no prometheus)`);
    const cpu = props.cpu ?? 64;
    const memory = props.memoryMiB ?? 128;
    if (!Number.isInteger(memory) || memory < 32)
      throw new Error(`OtelCollectorSidecar ${id}: memoryMiB must be a whole number of at least 32, got ${memory}`);
    const interval = prom?.scrapeIntervalSeconds ?? 15;
    if (prom && (!Number.isInteger(interval) || interval < 5 || interval > 300)) {
      throw new Error(`OtelCollectorSidecar ${id}: scrapeIntervalSeconds must be 5-300, got ${interval}`);
    }

    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays,
      kmsKeyId: props.logKmsKeyArn,
    });

    this.config = collectorConfig({ ...props, traces, memory, interval });
    this.container = {
      name: COLLECTOR_CONTAINER_NAME,
      image: props.image,
      essential: props.essential ?? false,
      cpu,
      memory,
      readonlyRootFilesystem: true,
      command: [`--config=env:${COLLECTOR_CONFIG_VARIABLE}`],
      environment: [{ name: COLLECTOR_CONFIG_VARIABLE, value: JSON.stringify(this.config) }],
      healthCheck: { command: ["/healthcheck"], interval: 30, timeout: 5, retries: 3, startPeriod: 10 },
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": this.logGroup.name,
          "awslogs-region": props.region,
          "awslogs-stream-prefix": "collector",
          mode: "non-blocking",
          "max-buffer-size": "4m",
        },
      },
    };
    this.appEnvironment = traces
      ? {
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://${COLLECTOR_ENDPOINTS.otlpHttp}`,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
          OTEL_SERVICE_NAME: props.tracingName,
          AWS_XRAY_DAEMON_ADDRESS: COLLECTOR_ENDPOINTS.xrayDaemon,
          AWS_XRAY_TRACING_NAME: props.tracingName,
        }
      : {};
  }
}

/** The collector's pipelines: traces to X-Ray, Prometheus to the workspace, each only when asked. */
function collectorConfig(p: OtelCollectorProps & { traces: boolean; memory: number; interval: number }): Record<string, unknown> {
  const prom = p.prometheus;
  const extensions: Record<string, unknown> = { health_check: { endpoint: COLLECTOR_ENDPOINTS.health } };
  const receivers: Record<string, unknown> = {};
  const exporters: Record<string, unknown> = {};
  const pipelines: Record<string, unknown> = {};
  const processors: Record<string, unknown> = {
    // Refuse data before the container's hard limit kills the collector.
    memory_limiter: { check_interval: "1s", limit_mib: Math.floor(p.memory * 0.8), spike_limit_mib: Math.floor(p.memory * 0.2) },
  };
  if (p.traces) {
    // The X-Ray daemon's layout: segments on 2000/udp, the sampling API proxied on 2000/tcp.
    extensions.awsproxy = { endpoint: COLLECTOR_ENDPOINTS.xrayDaemon, region: p.region };
    receivers.otlp = { protocols: { grpc: { endpoint: COLLECTOR_ENDPOINTS.otlpGrpc }, http: { endpoint: COLLECTOR_ENDPOINTS.otlpHttp } } };
    receivers.awsxray = { endpoint: COLLECTOR_ENDPOINTS.xrayDaemon, transport: "udp" };
    processors["batch/traces"] = { timeout: "1s", send_batch_size: 50 };
    exporters.awsxray = { region: p.region };
    pipelines.traces = { receivers: ["otlp", "awsxray"], processors: ["memory_limiter", "batch/traces"], exporters: ["awsxray"] };
  }
  if (prom) {
    extensions.sigv4auth = { region: p.region, service: "aps" };
    receivers.prometheus = {
      config: {
        global: { scrape_interval: `${p.interval}s`, scrape_timeout: `${Math.min(10, p.interval)}s` },
        scrape_configs: [
          {
            job_name: p.serviceName,
            metrics_path: prom.metricsPath ?? "/metrics",
            static_configs: [{ targets: [`127.0.0.1:${prom.port}`], ...(prom.labels ? { labels: prom.labels } : {}) }],
          },
        ],
      },
    };
    processors["batch/metrics"] = { timeout: `${p.interval}s` };
    exporters.prometheusremotewrite = {
      endpoint: prom.remoteWriteUrl,
      auth: { authenticator: "sigv4auth" },
      resource_to_telemetry_conversion: { enabled: true },
    };
    pipelines.metrics = {
      receivers: ["prometheus"],
      processors: ["memory_limiter", "batch/metrics"],
      exporters: ["prometheusremotewrite"],
    };
  }
  return { extensions, receivers, processors, exporters, service: { extensions: Object.keys(extensions), pipelines } };
}
