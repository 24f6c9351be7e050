/**
 * The telemetry collector sidecar (application.collector), the Prometheus workspace of IMS 2.0 and
 * the GenAI function's own database user (genai.database):
 * - config: bad values refused with file:line:col;
 * - synth, for every shipped configuration: where the collector is on, each task carries the ADOT
 *   container (not essential, its CPU/memory inside the unchanged task size, its own encrypted log
 *   group) and the application container is told where to send; where Prometheus is on, the
 *   workspace is encrypted with the data key, logs to its log group, and each task role may
 *   aps:RemoteWrite on exactly it; where neither is on, nothing of it is written;
 * - the flow proof: service -> X-Ray, service -> workspace and function -> database hold in the
 *   shipped configurations, and each breaks at the right hop when one piece is taken away.
 */
import { loadConfigFile } from "../core/config/loader";
import { genaiDatabaseUser } from "../layers/06-lambda-genai/config";
import { collectorEnabled, prometheusEnabled } from "../layers/07-application/telemetry";
import { ApplicationStack } from "../layers/07-application/stack";
import { DatabaseStack } from "../layers/03-database/stack";
import { LambdaGenaiStack } from "../layers/06-lambda-genai/stack";
import { SecurityStack } from "../layers/02-security/stack";
import { FargateService } from "../modules/fargate-service";
import { COLLECTOR_CONTAINER_NAME, OtelCollectorSidecar } from "../modules/otel-collector";
import { discoverEnvironments } from "../tools/lib/environments";
import { proveFlows } from "../tools/review/flows/index";
import { environmentInfo, flowFacts } from "../tools/review/index";
import { EnvModel, type StackInput } from "../tools/review/model";
import { TerraformStack, Testing } from "cdktf";
import { fixtureChecks } from "./config-fixtures";
import { synthesizedStacks } from "./fixtures/synth-cache";
import { ALL_CONFIGS, anyConfig, policy, resource, resources, synth } from "./helpers";

type Container = {
  name: string;
  essential: boolean;
  cpu?: number;
  memory?: number;
  command?: string[];
  environment: { name: string; value: string }[];
  dependsOn?: { containerName: string; condition: string }[];
  logConfiguration: { options: Record<string, string> };
  readonlyRootFilesystem: boolean;
  portMappings?: unknown[];
};
const containers = (td: Record<string, unknown>) => JSON.parse(String(td.container_definitions)) as Container[];
const envOf = (c: Container) => Object.fromEntries(c.environment.map((e) => [e.name, e.value]));
const key = (service: string) => service.replace(/-/g, "_");

describe("config: application.collector and genai.database are checked", () => {
  const t = fixtureChecks("__tests__/fixtures/config/telemetry");
  const g = fixtureChecks("__tests__/fixtures/config/genai");

  test("the collector may not take more than a quarter of a task's memory", () => {
    t.expectRefused("collector-memory.yaml", [
      6,
      5,
      "memoryMiB: 256",
      "application.collector.memoryMiB: expected at most a quarter of the memory of every service's task (services.customers.memory is 512 MiB: at most 128), found number 256",
    ]);
  });

  test("without NAT, the ECR Public image and X-Ray are out of reach", () => {
    t.expectRefused(
      "collector-no-nat.yaml",
      [
        5,
        1,
        "network:",
        'network.interfaceEndpoints: expected a list with "xray" (application.collector.traces is on and network.nat is none, so the collector cannot reach AWS X-Ray otherwise), found a list ["ecr.api","ecr.dkr","logs"]',
      ],
      [
        8,
        3,
        "collector:",
        "application.collector.image: expected an image of this account's private ECR registry (a pull-through cache of ECR Public), since network.nat is none: ECR Public has no VPC endpoint, so the tasks cannot pull from it, found nothing (the key is missing)",
      ],
    );
  });

  test("without NAT, a private pull-through image and the xray endpoint are accepted", () => {
    const cfg = loadConfigFile("__tests__/fixtures/config/telemetry/collector-private-image.yaml").config;
    expect(collectorEnabled(cfg)).toBe(true);
  });

  test("Prometheus without NAT needs the aps-workspaces endpoint", () => {
    t.expectRefused("prometheus-no-endpoint.yaml", [
      7,
      3,
      "interfaceEndpoints: [ecr.api, ecr.dkr, logs]",
      'network.interfaceEndpoints: expected a list with "aps-workspaces" (application.collector.prometheus is on and network.nat is none, so the collector cannot remote-write to the workspace otherwise), found a list ["ecr.api","ecr.dkr","logs"]',
    ]);
  });

  test("Prometheus needs the collector", () => {
    t.expectRefused("prometheus-without-collector.yaml", [
      5,
      5,
      "enabled: false",
      "application.collector.enabled: expected true (application.collector.prometheus.enabled needs the collector to scrape and remote-write), found false",
    ]);
  });

  test("a scrape interval under 5 s and an untagged image are refused", () => {
    t.expectRefused("scrape-interval.yaml", [
      7,
      7,
      "scrapeIntervalSeconds: 2",
      "application.collector.prometheus.scrapeIntervalSeconds: expected a scrape interval in seconds: a whole number from 5 to 300, found number 2",
    ]);
    t.expectRefused("image-untagged.yaml", [
      5,
      5,
      "image: public.ecr.aws/aws-observability/aws-otel-collector",
      'application.collector.image: expected a container image with a registry, a repository and a pinned tag or digest, such as public.ecr.aws/aws-observability/aws-otel-collector:v0.43.2, found "public.ecr.aws/aws-observability/aws-otel-collector"',
    ]);
  });

  test("genai.database needs the lambda tier on the database, IAM authentication and a user of its own", () => {
    g.expectRefused("database-lambda-not-client.yaml", [
      4,
      3,
      "databaseClients: [app]",
      `security.databaseClients: expected a list with "lambda" (genai.database: the function connects from the lambda tier's security group), found ["app"]`,
    ]);
    g.expectRefused("database-user-clash.yaml", [
      7,
      5,
      "user: customers",
      'genai.database.user: expected a database user no service uses, found "customers", also the user of services.customers',
    ]);
    g.expectRefused("database-iam-off.yaml", [
      4,
      3,
      "iamAuthentication: false",
      "database.iamAuthentication: expected true (genai.database signs in with an IAM token; the function never holds a password), found false",
    ]);
  });
});

const WITH_COLLECTOR = ALL_CONFIGS.filter((n) => collectorEnabled(anyConfig(n)));
const WITHOUT_COLLECTOR = ALL_CONFIGS.filter((n) => !collectorEnabled(anyConfig(n)));
const WITH_PROMETHEUS = ALL_CONFIGS.filter((n) => prometheusEnabled(anyConfig(n)));
const WITH_GENAI_DB = ALL_CONFIGS.filter((n) => genaiDatabaseUser(anyConfig(n)) !== undefined);

test("the examples that ask for them switch them on, the others do not", () => {
  expect(WITH_COLLECTOR).toEqual(
    expect.arrayContaining([
      "dev",
      "staging",
      "prod",
      "examples/business-suite/dev.yaml",
      "examples/business-suite/prod.yaml",
      "examples/ims2/dev.yaml",
      "examples/ims2/staging.yaml",
      "examples/ims2/prod.yaml",
    ]),
  );
  expect(WITH_PROMETHEUS.sort()).toEqual(["examples/ims2/dev.yaml", "examples/ims2/prod.yaml", "examples/ims2/staging.yaml"]);
  expect(WITH_GENAI_DB.sort()).toEqual(["dev", "prod", "staging"]);
  expect(WITHOUT_COLLECTOR).toEqual(expect.arrayContaining(["examples/ims/prod.yaml", "examples/regenzet/prod.yaml"]));
});

describe.each(WITH_COLLECTOR)("collector in %s", (name) => {
  const cfg = anyConfig(name);
  const c = cfg.application.collector;
  const app = synth(ApplicationStack, cfg).tf;

  test.each(Object.keys(cfg.services))("task of %s: app + collector inside the unchanged task size", (service) => {
    const svc = cfg.services[service];
    const td = resource(app, "aws_ecs_task_definition", `${key(service)}_task`);
    expect([td.cpu, td.memory]).toEqual([String(svc.cpu), String(svc.memory)]);
    const [main, collector, ...rest] = containers(td);
    expect(rest).toEqual([]);
    expect(main.name).toBe(service);
    expect(main.essential).toBe(true);
    expect(main.dependsOn).toEqual([{ containerName: COLLECTOR_CONTAINER_NAME, condition: "START" }]);
    expect(collector).toMatchObject({
      name: COLLECTOR_CONTAINER_NAME,
      essential: c.essential,
      cpu: c.cpu,
      memory: c.memoryMiB,
      readonlyRootFilesystem: true,
    });
    expect(collector.portMappings).toBeUndefined();
    expect(collector.logConfiguration.options["awslogs-group"]).toBe(`\${aws_cloudwatch_log_group.${key(service)}_collector_logs.name}`);
    const group = resource(app, "aws_cloudwatch_log_group", `${key(service)}_collector_logs`);
    expect(group.name).toBe(`/ecs/${cfg.project}/${cfg.environment}/${service}/collector`);
    expect(group.kms_key_id).toBe("${data.terraform_remote_state.security.outputs.kms_key_arns.logs}");

    const config = JSON.parse(envOf(collector).OTEL_COLLECTOR_CONFIG) as Record<string, Record<string, unknown>>;
    expect(collector.command).toEqual(["--config=env:OTEL_COLLECTOR_CONFIG"]);
    const pipelines = config.service.pipelines as Record<string, { exporters: string[] }>;
    const env = envOf(main);
    if (c.traces) {
      expect(pipelines.traces.exporters).toEqual(["awsxray"]);
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://127.0.0.1:4318");
      expect(env.AWS_XRAY_DAEMON_ADDRESS).toBe("127.0.0.1:2000");
      // The monitoring layer's sampling rule matches <project>-<env>-*.
      expect(env.OTEL_SERVICE_NAME).toBe(`${cfg.project}-${cfg.environment}-${service}`);
    } else {
      expect(pipelines.traces).toBeUndefined();
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBeUndefined();
    }
    if (c.prometheus.enabled) {
      expect(pipelines.metrics.exporters).toEqual(["prometheusremotewrite"]);
      const scrape = JSON.stringify(config.receivers.prometheus);
      expect(scrape).toContain(`"scrape_interval":"${c.prometheus.scrapeIntervalSeconds}s"`);
      expect(scrape).toContain(`"targets":["127.0.0.1:${svc.port}"]`);
      expect((config.exporters.prometheusremotewrite as { endpoint: string }).endpoint).toBe(
        "${aws_prometheus_workspace.prometheus.prometheus_endpoint}api/v1/remote_write",
      );
      expect(config.extensions.sigv4auth).toEqual({ region: cfg.aws.region, service: "aps" });
    }
  });
});

describe.each(WITH_PROMETHEUS)("Prometheus workspace in %s", (name) => {
  const cfg = anyConfig(name);
  const app = synth(ApplicationStack, cfg).tf;

  test("one workspace, encrypted with the data key, logging to its encrypted log group", () => {
    expect(Object.keys(resources(app, "aws_prometheus_workspace"))).toEqual(["prometheus"]);
    const ws = resource(app, "aws_prometheus_workspace", "prometheus");
    expect(ws.alias).toBe(`${cfg.project}-${cfg.environment}`);
    expect(ws.kms_key_arn).toBe("${data.terraform_remote_state.security.outputs.kms_key_arns.data}");
    expect(ws.logging_configuration).toEqual({ log_group_arn: "${aws_cloudwatch_log_group.prometheus_logs.arn}:*" });
    expect(resource(app, "aws_cloudwatch_log_group", "prometheus_logs").kms_key_id).toBe(
      "${data.terraform_remote_state.security.outputs.kms_key_arns.logs}",
    );
    expect(ws.lifecycle).toEqual(cfg.protection.data ? { prevent_destroy: true } : undefined);
  });

  test("each task role may aps:RemoteWrite on exactly this workspace, and nothing else is granted here", () => {
    // Policies on the task roles (the delivery role's own policy is delivery.test.ts's).
    const grants = Object.fromEntries(
      Object.entries(resources(app, "aws_iam_role_policy")).filter(([, p]) => String(p.role).includes(".outputs.task_role_names.")),
    );
    expect(Object.keys(grants).sort()).toEqual(
      Object.keys(cfg.services)
        .map((s) => `${key(s)}_prometheus_write`)
        .sort(),
    );
    for (const service of Object.keys(cfg.services)) {
      const p = resource(app, "aws_iam_role_policy", `${key(service)}_prometheus_write`);
      expect(p.role).toBe(`\${data.terraform_remote_state.security.outputs.task_role_names.${service}}`);
      expect(policy(p.policy).Statement).toEqual([
        {
          Effect: "Allow",
          Sid: "RemoteWriteToWorkspace",
          Action: "aps:RemoteWrite",
          Resource: "${aws_prometheus_workspace.prometheus.arn}",
        },
      ]);
    }
  });

  test("the data key lets AMP create its grants (kms:ViaService aps)", () => {
    const sec = synth(SecurityStack, cfg).tf;
    expect(JSON.stringify(resource(sec, "aws_kms_key", "kms_data").policy)).toContain(`aps.${cfg.aws.region}.amazonaws.com`);
  });
});

describe.each(WITHOUT_COLLECTOR)("no collector in %s", (name) => {
  const cfg = anyConfig(name);
  test("one container per task, no workspace, no aps on the data key", () => {
    const app = synth(ApplicationStack, cfg).tf;
    for (const td of Object.values(resources(app, "aws_ecs_task_definition"))) expect(containers(td).map((x) => x.name)).toHaveLength(1);
    expect(resources(app, "aws_prometheus_workspace")).toEqual({});
    expect(JSON.stringify(synth(SecurityStack, cfg).tf)).not.toContain("aps.");
  });
});

describe.each(WITH_GENAI_DB)("GenAI function's database user in %s", (name) => {
  const cfg = anyConfig(name);
  const user = genaiDatabaseUser(cfg)!;

  test("layer 03 creates the user and grants rds-db:connect on exactly it to the function's role", () => {
    const db = synth(DatabaseStack, cfg).tf;
    const inv = resource(db, "aws_lambda_invocation", "db_users_invocation");
    expect(JSON.parse(String(inv.input)).users).toContainEqual({ name: user.user, privileges: user.privileges });
    const grant = resource(db, "aws_iam_role_policy", "genai_function_db_connect");
    expect(grant.role).toBe("${data.terraform_remote_state.security.outputs.lambda_role_names.genai}");
    expect(policy(grant.policy).Statement).toEqual([
      expect.objectContaining({
        Action: "rds-db:connect",
        Resource: expect.stringMatching(new RegExp(`:dbuser:\\$\\{aws_rds_cluster\\.aurora\\.cluster_resource_id\\}/${user.user}$`)),
      }),
    ]);
  });

  test("layer 06 tells the function where and as whom, TLS on, no password or secret", () => {
    const fn = resource(synth(LambdaGenaiStack, cfg).tf, "aws_lambda_function", "genai");
    const vars = (fn.environment as { variables: Record<string, string> }).variables;
    expect(vars).toMatchObject({
      DB_HOST: "${data.terraform_remote_state.database.outputs.db_writer_endpoint}",
      DB_PORT: "${data.terraform_remote_state.database.outputs.db_port}",
      DB_NAME: "${data.terraform_remote_state.database.outputs.db_name}",
      DB_USER: user.user,
      DB_SSL_MODE: "VERIFY_IDENTITY",
    });
    expect(JSON.stringify(vars)).not.toMatch(/secret|password/i);
  });
});

test("without genai.database the function gets no connection settings", () => {
  const cfg = anyConfig("examples/regenzet/prod.yaml");
  expect(genaiDatabaseUser(cfg)).toBeUndefined();
  if (cfg.layers["lambda-genai"]?.enabled === false) return;
  const fn = resource(synth(LambdaGenaiStack, cfg).tf, "aws_lambda_function", "genai");
  expect(JSON.stringify(fn.environment)).not.toContain("DB_HOST");
});

describe("modules", () => {
  test("a collector with nothing to collect, and sidecars that leave the application nothing, are refused", () => {
    const scope = new TerraformStack(Testing.app(), "s");
    const base = {
      serviceName: "api",
      tracingName: "p-e-api",
      image: "x/y:1",
      region: "us-west-2",
      logGroupName: "/g",
      logRetentionDays: 7,
    };
    expect(() => new OtelCollectorSidecar(scope, "c1", { ...base, traces: false })).toThrow(/nothing to collect/);
    const side = new OtelCollectorSidecar(scope, "c2", { ...base, cpu: 256, memoryMiB: 512 });
    expect(
      () =>
        new FargateService(scope, "svc", {
          name: "api",
          family: "f",
          clusterArn: "c",
          image: "i:1",
          cpu: 256,
          memory: 512,
          port: 80,
          executionRoleArn: "e",
          taskRoleArn: "t",
          logGroupName: "/l",
          logRetentionDays: 7,
          region: "us-west-2",
          subnetIds: [],
          securityGroupIds: [],
          sidecars: [side.container],
        }),
    ).toThrow(/leaving nothing to the application/);
  });
});

describe("flow proof over the synthesized environments", () => {
  const inputsOf = (envName: string) => {
    const ref = discoverEnvironments().find((e) => e.name === envName)!;
    const { config } = loadConfigFile(ref.file);
    const inputs = synthesizedStacks(config) as StackInput[];
    return { inputs, facts: flowFacts(environmentInfo(config, ref)) };
  };
  /** The inputs with one stack's JSON changed by `edit` (a deep copy: the cache stays intact). */
  type Tf = { resource: Record<string, Record<string, Record<string, unknown>>> };
  type CollectorCfg = {
    receivers: { prometheus: { config: { scrape_configs: { static_configs: { targets: string[] }[] }[] } } };
    service: { extensions: string[] };
  };
  const edited = (inputs: readonly StackInput[], stackName: string, edit: (tf: Tf) => void): StackInput[] =>
    inputs.map((s) => {
      if (s.name !== stackName) return s;
      const tf = JSON.parse(JSON.stringify(s.tf));
      edit(tf);
      return { ...s, tf };
    });
  const flow = (inputs: readonly StackInput[], facts: ReturnType<typeof flowFacts>, id: string) => {
    const f = proveFlows(new EnvModel([...inputs]), facts).flows.find((x) => x.id === id);
    if (!f) throw new Error(`no flow ${id}`);
    return f;
  };
  /** The flow holds in a configuration's stacks, through (at least) these hops; returns the stacks and facts to break it in. */
  const holds = (config: string, id: string, hops: string[]) => {
    const { inputs, facts } = inputsOf(config);
    const ok = flow(inputs, facts, id);
    expect(ok.status).toBe("ok");
    expect(ok.hops.map((h) => h.name)).toEqual(expect.arrayContaining(hops));
    return { inputs, facts };
  };

  test("IMS 2.0 prod: api -> workspace holds, and breaks without the grant, the scrape target, the SigV4 extension or the NAT route", () => {
    const id = "service:api->prometheus:prometheus";
    const { inputs, facts } = holds("examples/ims2/prod.yaml", id, [
      "workspace exists",
      "scrape target is the application",
      "SigV4 for aps",
      "route to aps-workspaces: NAT",
    ]);

    const noGrant = edited(inputs, "application", (tf) => delete tf.resource.aws_iam_role_policy.api_prometheus_write);
    expect(flow(noGrant, facts, id).broken).toMatchObject({ kind: "identity" });

    const rewrite = (mutate: (cfg: CollectorCfg) => void) =>
      edited(inputs, "application", (tf) => {
        const td = tf.resource.aws_ecs_task_definition.api_task;
        const cds = JSON.parse(String(td.container_definitions)) as { environment: { value: string }[] }[];
        const env = cds[1].environment[0];
        const cfg = JSON.parse(env.value) as CollectorCfg;
        mutate(cfg);
        env.value = JSON.stringify(cfg);
        td.container_definitions = JSON.stringify(cds);
      });
    expect(
      flow(
        rewrite((cfg) => (cfg.receivers.prometheus.config.scrape_configs[0].static_configs[0].targets = ["127.0.0.1:9999"])),
        facts,
        id,
      ).broken,
    ).toMatchObject({
      hop: "scrape target is the application",
    });
    expect(
      flow(
        rewrite((cfg) => (cfg.service.extensions = ["health_check"])),
        facts,
        id,
      ).broken,
    ).toMatchObject({ hop: "SigV4 for aps" });

    const noNat = edited(inputs, "network", (tf) => {
      for (const [n, r] of Object.entries(tf.resource.aws_route ?? {})) if (r.nat_gateway_id) delete tf.resource.aws_route[n];
    });
    expect(flow(noNat, facts, id).broken).toMatchObject({ kind: "network", hop: "route to aps-workspaces: NAT" });
    expect(flow(noNat, facts, "service:api->image:aws-otel-collector").broken).toMatchObject({
      kind: "network",
      hop: "route to ecr-public: NAT",
    });
  });

  test("PetClinic dev: customers -> X-Ray holds through the xray endpoint, and breaks when the application is not told the collector", () => {
    const id = "service:customers->xray";
    const { inputs, facts } = holds("dev", id, ["route to xray: interface endpoint"]);
    const untold = edited(inputs, "application", (tf) => {
      const td = tf.resource.aws_ecs_task_definition.customers_task;
      const cds = JSON.parse(String(td.container_definitions)) as { environment: { name: string }[] }[];
      cds[0].environment = cds[0].environment.filter((e) => !["OTEL_EXPORTER_OTLP_ENDPOINT", "AWS_XRAY_DAEMON_ADDRESS"].includes(e.name));
      td.container_definitions = JSON.stringify(cds);
    });
    expect(flow(untold, facts, id).broken).toMatchObject({ kind: "route", hop: "application sends to the collector" });
  });

  test("PetClinic dev: the GenAI function -> Aurora holds with its IAM user, and breaks without rds-db:connect or without the user", () => {
    const id = "function:genai->database:aurora";
    const { inputs, facts } = holds("dev", id, ["IAM database authentication on", "database user genai exists", "TLS"]);
    const noGrant = edited(inputs, "database", (tf) => delete tf.resource.aws_iam_role_policy.genai_function_db_connect);
    expect(flow(noGrant, facts, id).broken).toMatchObject({ kind: "identity" });
    const noUser = edited(inputs, "database", (tf) => {
      const inv = tf.resource.aws_lambda_invocation.db_users_invocation;
      const input = JSON.parse(String(inv.input)) as { users: { name: string }[] };
      input.users = input.users.filter((u) => u.name !== "genai");
      inv.input = JSON.stringify(input);
    });
    expect(flow(noUser, facts, id).broken).toMatchObject({ hop: "database user genai exists" });
  });
});
