/**
 * examples/ims2: the IMS 2.0 seed (004) as configuration of the kit. Every environment is loaded
 * with the real loader and the whole platform synthesized; the seed's signature features are
 * asserted on the stacks: the FastAPI service (256 CPU / 512 MiB, GET /health every 30 s, three
 * tasks in prod), RDS PostgreSQL 15 (Multi-AZ, KMS, 30-day backups in prod), Redis 7 (1 node in dev,
 * 3 nodes with failover in prod, encrypted), WAF on the API, no GenAI layer and no /api/genai
 * route, and the Vercel-hosted frontend whose origin the API allows (CORS from config).
 */
import { exampleEnvironment, expectExampleProject, resource, resources } from "./helpers";

const ENVS = ["dev", "staging", "prod"] as const;
type Env = (typeof ENVS)[number];

interface Expected {
  readonly account: string;
  readonly tasks: number;
  readonly dbClass: string;
  readonly multiAz: boolean;
  readonly backupDays: number;
  readonly cacheType: string;
  readonly cacheNodes: number;
  readonly failover: boolean;
  /** Redis cluster mode: shards of cacheNodes nodes each (undefined: cluster mode disabled). */
  readonly cacheShards?: number;
  readonly site: string;
  readonly origins: string[];
  readonly api: string;
  /** The API's capacity provider strategy: Spot where it is not critical (dev, staging). */
  readonly capacity: { capacity_provider: string; weight: number; base?: number }[];
}

const EXPECTED: Record<Env, Expected> = {
  dev: {
    account: "666666666666",
    tasks: 1,
    dbClass: "db.t3.micro",
    multiAz: false,
    backupDays: 7,
    cacheType: "cache.t3.micro",
    cacheNodes: 1,
    failover: false,
    site: "https://dev.ims-2.0.com",
    origins: ["https://dev.ims-2.0.com", "http://localhost:5173"],
    api: "api.dev.ims-2.0.com",
    capacity: [{ capacity_provider: "FARGATE_SPOT", weight: 1 }],
  },
  staging: {
    account: "777777777777",
    tasks: 2,
    dbClass: "db.t3.small",
    multiAz: true,
    backupDays: 7,
    cacheType: "cache.t3.micro",
    cacheNodes: 2,
    failover: true,
    site: "https://staging.ims-2.0.com",
    origins: ["https://staging.ims-2.0.com"],
    api: "api.staging.ims-2.0.com",
    capacity: [
      { capacity_provider: "FARGATE", weight: 0, base: 2 },
      { capacity_provider: "FARGATE_SPOT", weight: 100 },
    ],
  },
  prod: {
    account: "888888888888",
    tasks: 3,
    dbClass: "db.t3.small",
    multiAz: true,
    backupDays: 30,
    cacheType: "cache.t3.small",
    cacheNodes: 3,
    failover: true,
    cacheShards: 1,
    site: "https://ims-2.0.com",
    origins: ["https://ims-2.0.com"],
    api: "api.ims-2.0.com",
    capacity: [{ capacity_provider: "FARGATE", weight: 1 }],
  },
};

const REMOTE = (layer: string, output: string) => `\${data.terraform_remote_state.${layer}.outputs.${output}}`;

describe.each(ENVS)("examples/ims2/%s.yaml", (envName) => {
  const want = EXPECTED[envName];
  const { cfg, layers, stack } = exampleEnvironment("ims2", envName);

  it("is project ims2 in us-west-2 with the example's account", () => {
    expectExampleProject(cfg, "ims2", envName, want.account);
  });

  it("writes no lambda-genai, cloud-map or native stack (the seed has no GenAI function, no discovery, no native services)", () => {
    expect(Object.keys(layers)).toEqual([
      "network",
      "security",
      "database",
      "parameters",
      "application",
      "api-gateway",
      "monitoring",
      "frontend",
      "notification",
    ]);
    for (const off of ["lambda-genai", "cloud-map", "native"]) expect(Object.keys(layers)).not.toContain(off);
    // Nothing reads the disabled layers.
    for (const l of Object.keys(layers)) {
      const reads = Object.keys(stack(l).data?.terraform_remote_state ?? {});
      expect(reads).not.toContain("lambda_genai");
      expect(reads).not.toContain("cloud_map");
      expect(reads).not.toContain("native");
    }
    // The security layer creates no GenAI role.
    expect(Object.keys(resources(stack("security"), "aws_iam_role"))).not.toEqual(
      expect.arrayContaining([expect.stringContaining("genai")]),
    );
  });

  it("runs the FastAPI backend as one service of 256 CPU / 512 MiB on port 8000, health check GET /health", () => {
    const app = stack("application");
    expect(Object.keys(resources(app, "aws_ecs_service"))).toEqual(["api"]);
    expect(resource(app, "aws_ecs_task_definition", "api_task")).toMatchObject({
      cpu: "256",
      memory: "512",
      requires_compatibilities: ["FARGATE"],
    });
    expect(resource(app, "aws_lb_target_group", "api_target")).toMatchObject({
      port: 8000,
      health_check: { path: "/health", interval: 30, timeout: 10, healthy_threshold: 2, matcher: "200" },
    });
    expect(resource(app, "aws_lb_listener_rule", "api_target_rule").condition).toEqual([
      { path_pattern: { values: ["/api/v1", "/api/v1/*"] } },
    ]);
  });

  it(`keeps ${want.tasks} task(s) running and scales on CPU 70 %, memory 80 % and requests per task`, () => {
    const app = stack("application");
    expect(resource(app, "aws_ecs_service", "api")).toMatchObject({ desired_count: want.tasks });
    expect(resource(app, "aws_appautoscaling_target", "api_scaling")).toMatchObject({ min_capacity: want.tasks });
    const policies = resources(app, "aws_appautoscaling_policy");
    expect(Object.keys(policies).sort()).toEqual(["api_scaling_cpu", "api_scaling_memory", "api_scaling_requests"]);
    expect(JSON.stringify(policies.api_scaling_cpu)).toContain('"target_value":70');
    expect(JSON.stringify(policies.api_scaling_memory)).toContain('"target_value":80');
    expect(JSON.stringify(policies.api_scaling_requests)).toContain('"target_value":60000');
  });

  it(`runs the API ${envName === "prod" ? "on FARGATE only (critical)" : "on Fargate Spot (not critical), minCount on FARGATE where availability is protected"}`, () => {
    expect(cfg.services.api.critical).toBe(envName === "prod");
    expect(resource(stack("application"), "aws_ecs_service", "api").capacity_provider_strategy).toEqual(want.capacity);
  });

  it("runs PostgreSQL 15 on RDS with the customer-managed data key; Multi-AZ and 30-day backups in prod", () => {
    const db = resource(stack("database"), "aws_db_instance", "rds");
    expect(db).toMatchObject({
      engine: "postgres",
      engine_version: "15",
      instance_class: want.dbClass,
      storage_encrypted: true,
      kms_key_id: REMOTE("security", "kms_key_arns.data"),
      multi_az: want.multiAz,
      backup_retention_period: want.backupDays,
      backup_window: "03:00-04:00",
      deletion_protection: envName === "prod",
    });
    const tf = stack("database");
    if (envName === "prod") {
      // The seed's "read replicas in same region": one, the reader endpoint the api is told.
      expect(resource(tf, "aws_db_instance", "rds_replica_1")).toMatchObject({
        engine: "postgres",
        replicate_source_db: "${aws_db_instance.rds.arn}",
        instance_class: want.dbClass,
        kms_key_id: REMOTE("security", "kms_key_arns.data"),
        iam_database_authentication_enabled: true,
        performance_insights_enabled: true,
      });
      expect(tf.output?.db_reader_endpoint.value).toBe("${aws_db_instance.rds_replica_1.address}");
      expect(db.manage_master_user_password).toBeUndefined();
    } else {
      expect(resources(tf, "aws_db_instance")).not.toHaveProperty("rds_replica_1");
      expect(db.manage_master_user_password).toBe(true);
    }
  });

  if (envName === "prod") {
    it("pins what RTO 15 min / RPO 5 min rests on (examples/ims2/README.md, Disaster recovery)", () => {
      const tf = stack("database");
      const db = resource(tf, "aws_db_instance", "rds");
      // RPO: automated backups on (retention > 0) give point-in-time restore to within about 5
      // minutes (transaction logs go to S3 every 5 minutes); the seed's 30 days of them.
      expect(db.backup_retention_period).toBe(30);
      // RTO of an AZ or instance failure: the synchronous Multi-AZ standby takes over (60-120 s).
      expect(db.multi_az).toBe(true);
      // The backups outlive a deleted instance, which leaves a final snapshot; nothing deletes it by accident.
      expect(db).toMatchObject({
        delete_automated_backups: false,
        final_snapshot_identifier: "ims2-prod-final",
        skip_final_snapshot: false,
        deletion_protection: true,
      });
      expect(db.lifecycle).toEqual({ prevent_destroy: true });
      // The cache: a replica takes over (automatic failover, Multi-AZ) and daily snapshots are kept.
      expect(resource(tf, "aws_elasticache_replication_group", "redis")).toMatchObject({
        automatic_failover_enabled: true,
        multi_az_enabled: true,
        snapshot_retention_limit: 7,
      });
    });
  }

  it(`runs Redis 7 with ${want.cacheNodes} node(s)${want.cacheShards ? " per shard in cluster mode" : ""}${want.failover ? ", automatic failover across AZs" : ""}, encrypted at rest and in transit`, () => {
    const db = stack("database");
    const redis = resource(db, "aws_elasticache_replication_group", "redis");
    const params = resource(db, "aws_elasticache_parameter_group", "redis_parameters");
    if (want.cacheShards) {
      // The seed's "cluster mode, 3 nodes, automatic failover": one shard, a primary and two replicas.
      expect(redis).toMatchObject({
        cluster_mode: "enabled",
        num_node_groups: want.cacheShards,
        replicas_per_node_group: want.cacheNodes - 1,
      });
      expect(redis.num_cache_clusters).toBeUndefined();
      expect(params.parameter).toEqual([{ name: "cluster-enabled", value: "yes" }]);
      // Clients find the shards through the configuration endpoint.
      expect(db.output?.cache_primary_endpoint.value).toBe("${aws_elasticache_replication_group.redis.configuration_endpoint_address}");
    } else {
      expect(redis).toMatchObject({ num_cache_clusters: want.cacheNodes });
      expect(redis.cluster_mode).toBeUndefined();
      expect(params.parameter).toBeUndefined();
      expect(db.output?.cache_primary_endpoint.value).toBe("${aws_elasticache_replication_group.redis.primary_endpoint_address}");
    }
    expect(redis).toMatchObject({
      engine: "redis",
      engine_version: "7.0",
      node_type: want.cacheType,
      automatic_failover_enabled: want.failover,
      multi_az_enabled: want.failover,
      transit_encryption_enabled: true,
      kms_key_id: REMOTE("security", "kms_key_arns.data"),
    });
    expect(String(redis.at_rest_encryption_enabled)).toBe("true");
  });

  it("puts the API behind WAF and a custom domain, with no /api/genai route", () => {
    const api = stack("api-gateway");
    expect(resource(api, "aws_wafv2_web_acl_association", "api_waf")).toMatchObject({ web_acl_arn: REMOTE("security", "waf_web_acl_arn") });
    expect(resource(api, "aws_api_gateway_domain_name", "api_domain")).toMatchObject({ domain_name: want.api });
    expect(resource(api, "aws_route53_record", `dns_${want.api.replace(/[^a-z0-9]+/g, "_")}_a`)).toMatchObject({
      name: want.api,
      type: "A",
    });
    // The service's public paths /api/v1 and /api/v1/* only.
    expect(Object.keys(resources(api, "aws_api_gateway_resource")).sort()).toEqual(["api_api", "api_api_v1", "api_api_v1_proxy"]);
    expect(JSON.stringify(api)).not.toContain("genai");
    expect(resources(api, "aws_lambda_permission")).toEqual({});
    expect(resource(api, "aws_api_gateway_rest_api", "api").description).toBe(
      `REST API of ims2-${envName}: the public paths of api to the load balancer`,
    );
  });

  it("publishes the Vercel site's URL and lets its origin call the API (CORS from config)", () => {
    const fe = stack("frontend");
    expect(fe.resource ?? {}).toEqual({});
    expect(fe.output?.hosting.value).toBe("external");
    expect(fe.output?.site_url.value).toBe(want.site);
    expect(cfg.apiGateway.cors.allowOrigins).toEqual(want.origins);
    const preflight = resource(stack("api-gateway"), "aws_api_gateway_integration_response", "api_api_v1_proxy_options_204_mapping");
    if (want.origins.length === 1) {
      expect(preflight.response_parameters).toMatchObject({ "method.response.header.Access-Control-Allow-Origin": `'${want.site}'` });
    } else {
      // Several origins: a mapping template echoes the request's Origin when it is listed.
      expect(JSON.stringify(preflight)).toContain(want.site);
    }
    // The service adds the same origins to real responses (FastAPI's CORSMiddleware).
    expect(cfg.services.api.environment.CORS_ALLOW_ORIGINS.split(",")).toEqual(want.origins);
  });

  it(
    envName === "prod"
      ? "escalates by severity: WARNING to Slack, ERROR to Slack + SMS + mail, CRITICAL to Slack + SMS + page + mail (one topic each)"
      : "sends every alarm, whatever its severity, to the one topic and its Slack channel",
    () => {
      const mon = stack("monitoring");
      const notif = stack("notification");
      const topics = resources(mon, "aws_sns_topic");
      const alarms = Object.values(resources(mon, "aws_cloudwatch_metric_alarm")) as {
        tags?: { Severity?: string };
        alarm_actions: string[];
      }[];
      for (const a of alarms) expect(["WARNING", "ERROR", "CRITICAL"]).toContain(a.tags?.Severity);
      const subs = Object.values(resources(notif, "aws_sns_topic_subscription")) as {
        protocol: string;
        endpoint: string;
        topic_arn: string;
      }[];
      if (envName !== "prod") {
        expect(Object.keys(topics)).toEqual(["alarm_topic"]);
        expect(subs).toEqual([]);
        expect(resource(notif, "aws_chatbot_slack_channel_configuration", "slack").sns_topic_arns).toEqual([
          REMOTE("monitoring", "alarm_topic_arn"),
        ]);
        return;
      }
      expect(
        Object.values(topics)
          .map((t) => t.name)
          .sort(),
      ).toEqual(["ims2-prod-alarms", "ims2-prod-alarms-critical", "ims2-prod-alarms-error"]);
      const T = {
        WARNING: "${aws_sns_topic.alarm_topic.arn}",
        ERROR: "${aws_sns_topic.alarm_topic_error.arn}",
        CRITICAL: "${aws_sns_topic.alarm_topic_critical.arn}",
      };
      // Each severity of the seed's escalation is used, and each alarm notifies its own topic.
      const used = new Set(alarms.map((a) => a.tags!.Severity!));
      expect([...used].sort()).toEqual(["CRITICAL", "ERROR", "WARNING"]);
      for (const a of alarms) expect(a.alarm_actions).toEqual([T[a.tags!.Severity as keyof typeof T]]);
      expect(resource(mon, "aws_cloudwatch_composite_alarm", "service_api_unhealthy")).toMatchObject({
        alarm_actions: [T.CRITICAL],
        tags: { Severity: "CRITICAL" },
      });
      const R = {
        WARNING: REMOTE("monitoring", "alarm_topic_arn"),
        ERROR: `\${data.terraform_remote_state.monitoring.outputs.alarm_topic_arns.ERROR}`,
        CRITICAL: `\${data.terraform_remote_state.monitoring.outputs.alarm_topic_arns.CRITICAL}`,
      };
      expect(resource(notif, "aws_chatbot_slack_channel_configuration", "slack").sns_topic_arns).toEqual([R.WARNING, R.ERROR, R.CRITICAL]);
      const to = (severity: keyof typeof R) =>
        subs
          .filter((x) => x.topic_arn === R[severity])
          .map((x) => `${x.protocol} ${x.endpoint}`)
          .sort();
      expect(to("WARNING")).toEqual([]);
      expect(to("ERROR")).toEqual(["email oncall@ims-2.0.com", "sms +12065550100", "sms +12065550101"]);
      expect(to("CRITICAL")).toEqual([
        "email oncall@ims-2.0.com",
        "https https://events.pagerduty.com/integration/00000000000000000000000000000000/enqueue",
        "sms +12065550100",
        "sms +12065550101",
      ]);
    },
  );

  it("alarms on the load balancer, the service, the database and the cache", () => {
    const alarms = Object.keys(resources(stack("monitoring"), "aws_cloudwatch_metric_alarm"));
    expect(alarms).toEqual(
      expect.arrayContaining([
        "alb_5xx",
        "alb_api_unhealthy_hosts",
        "ecs_api_cpu",
        "ecs_api_memory",
        "db_cpu",
        "db_free_storage",
        "cache_cpu",
        "cache_memory",
      ]),
    );
    // The read replica's lag (prod only), on the replica layer 03 names, in seconds.
    const lag = resources(stack("monitoring"), "aws_cloudwatch_metric_alarm").db_replica_lag_replica_1;
    if (envName !== "prod") expect(lag).toBeUndefined();
    else
      expect(lag).toMatchObject({
        metric_name: "ReplicaLag",
        namespace: "AWS/RDS",
        dimensions: { DBInstanceIdentifier: `\${element(${REMOTE("database", "db_reader_identifiers").slice(2, -1)}, 0)}` },
      });
  });

  it(`${envName === "prod" ? "archives" : "does not archive"} the flow logs', the service's and the trail's logs to S3 then Glacier (logging.archive)`, () => {
    const mon = stack("monitoring");
    const filters = Object.values(resources(mon, "aws_cloudwatch_log_subscription_filter")) as Record<string, unknown>[];
    if (envName !== "prod") {
      expect(filters).toEqual([]);
      return;
    }
    const streams = resources(mon, "aws_kinesis_firehose_delivery_stream");
    expect(Object.keys(streams)).toEqual(["log_archive_stream"]);
    // The service's group comes from layer 07's contract; the trail's group is this stack's own resource.
    expect(filters.map((f) => f.log_group_name).sort()).toEqual(
      [
        REMOTE("network", "flow_log_group_name"),
        REMOTE("application", "log_group_names.api"),
        "${aws_cloudwatch_log_group.trail_logs.name}",
      ].sort(),
    );
    for (const f of filters)
      expect(f).toMatchObject({ destination_arn: "${aws_kinesis_firehose_delivery_stream.log_archive_stream.arn}", filter_pattern: "" });
    const rules = JSON.stringify(resources(mon, "aws_s3_bucket_lifecycle_configuration"));
    expect(rules).toContain("GLACIER");
  });
});
