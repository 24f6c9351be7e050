/**
 * examples/ims: the IMS seed (000) as configuration of the kit. Every environment is loaded with
 * the real loader, the whole platform is synthesized (as `PLATFORM_ENV=examples/ims/<env>.yaml
 * npm run synth` does), and the seed's signature features are asserted on the stacks: RDS
 * PostgreSQL, the documents / artifacts / backups buckets, background-job queues with dead-letter
 * queues, the alerts and status-update topics, SES with the OTP template shipped in
 * examples/ims/templates, CloudFront with Route 53 alias records for the site's names, and the
 * API's custom domain with its own alias record.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import { LAYER_NAMES } from "../core/config/schema";
import { exampleEnvironment, expectExampleProject, policy, resource, resources } from "./helpers";
import { expandTemplateFile } from "../layers/09-native/template-layout";

const ROOT = path.resolve(__dirname, "..");
const ENVS = ["dev", "prod"] as const;
type Env = (typeof ENVS)[number];

/** What differs per environment, from the example's files. */
const EXPECTED: Record<
  Env,
  { account: string; zone: string; site: string[]; api: string; sesDomain: string; multiAz: boolean; backupDays: number; minTasks: number }
> = {
  dev: {
    account: "444444444444",
    zone: "Z0444DEVIMSEXAMPLE01",
    site: ["dev.ims.example.com"],
    api: "api.dev.ims.example.com",
    sesDomain: "dev.ims.example.com",
    multiAz: false,
    backupDays: 7,
    minTasks: 1,
  },
  prod: {
    account: "555555555555",
    zone: "Z0555PRODIMSEXAMPLE1",
    site: ["www.ims.example.com", "ims.example.com"],
    api: "api.ims.example.com",
    sesDomain: "ims.example.com",
    multiAz: true,
    backupDays: 30,
    minTasks: 2,
  },
};

const snake = (s: string) => s.replace(/[^a-zA-Z0-9]+/g, "_");

describe.each(ENVS)("examples/ims/%s.yaml", (envName) => {
  const want = EXPECTED[envName];
  const { cfg, layers, stack } = exampleEnvironment("ims", envName);

  it("is project ims in us-west-2 with the example's account and state bucket", () => {
    expectExampleProject(cfg, "ims", envName, want.account);
    expect(cfg.backend.bucket).toBe(`ims-${envName}-tfstate-${want.account}`);
  });

  it("writes bootstrap and every layer except cloud-map and lambda-genai (the seed has neither)", () => {
    expect(Object.keys(layers)).toEqual(LAYER_NAMES.filter((l) => l !== "cloud-map" && l !== "lambda-genai"));
    expect(Object.keys(layers)).not.toContain("lambda-genai");
    expect(Object.keys(layers)).not.toContain("cloud-map");
  });

  it("runs the database on RDS PostgreSQL, encrypted with the data key; Multi-AZ, 30-day backups and deletion protection in prod", () => {
    const db = resource(stack("database"), "aws_db_instance", "rds");
    expect(db).toMatchObject({
      engine: "postgres",
      engine_version: "16",
      db_name: "ims",
      storage_encrypted: true,
      kms_key_id: "${data.terraform_remote_state.security.outputs.kms_key_arns.data}",
      manage_master_user_password: true,
      multi_az: want.multiAz,
      backup_retention_period: want.backupDays,
      deletion_protection: want.multiAz,
    });
  });

  it("runs the Spring Boot backend as service api on 8080 behind the ALB, /api/* routed, health at /actuator/health", () => {
    const app = stack("application");
    const tg = resource(app, "aws_lb_target_group", "api_target");
    expect(tg).toMatchObject({ port: 8080, health_check: { path: "/actuator/health" } });
    expect(resource(app, "aws_lb_listener_rule", "api_target_rule").condition).toEqual([{ path_pattern: { values: ["/api", "/api/*"] } }]);
    expect(resource(app, "aws_appautoscaling_target", "api_scaling")).toMatchObject({ min_capacity: want.minTasks });
    const task = resource(app, "aws_ecs_task_definition", "api_task");
    const [container] = JSON.parse(task.container_definitions as string) as Array<{ secrets: { name: string; valueFrom: string }[] }>;
    // No password: the service signs in as its own user `api` with IAM authentication.
    expect(container.secrets.map((s) => s.name).sort()).toEqual(["IMS_JWT_SIGNING_KEY", "SPRING_DATASOURCE_URL"]);
  });

  it("has the three S3 buckets: production documents (browser uploads), artifacts and backups, KMS-encrypted and versioned", () => {
    const native = stack("native");
    const buckets = resources(native, "aws_s3_bucket");
    expect(Object.keys(buckets).sort()).toEqual(["buckets_artifacts", "buckets_backups", "buckets_documents"]);
    for (const name of ["documents", "artifacts", "backups"]) {
      expect(buckets[`buckets_${name}`]).toMatchObject({ bucket: `ims-${envName}-${name}-${want.account}`, tags: { Purpose: name } });
      expect(resource(native, "aws_s3_bucket_versioning", `buckets_${name}_versioning`)).toMatchObject({
        versioning_configuration: { status: "Enabled" },
      });
      const sse = resource(native, "aws_s3_bucket_server_side_encryption_configuration", `buckets_${name}_encryption`);
      expect(JSON.stringify(sse)).toContain("aws:kms");
    }
    const cors = resource(native, "aws_s3_bucket_cors_configuration", "buckets_documents_cors") as {
      cors_rule: { allowed_origins: string[] }[];
    };
    expect(cors.cors_rule[0].allowed_origins).toEqual(expect.arrayContaining([`https://${want.site[0]}`]));
  });

  it("queues background jobs and notification e-mails in SQS, each with a dead-letter queue", () => {
    const native = stack("native");
    const queues = resources(native, "aws_sqs_queue");
    for (const [name, receives] of [
      ["jobs", 5],
      ["mail", 3],
    ] as const) {
      expect(queues[`queues_${name}`]).toMatchObject({ name: `ims-${envName}-${name}` });
      expect(queues[`queues_${name}_dlq`]).toMatchObject({ name: `ims-${envName}-${name}-dlq` });
      expect(JSON.parse(queues[`queues_${name}`].redrive_policy as string)).toEqual({
        deadLetterTargetArn: `\${aws_sqs_queue.queues_${name}_dlq.arn}`,
        maxReceiveCount: receives,
      });
    }
    // The mailer consumes the mail queue and sends SES templated e-mail.
    expect(resource(native, "aws_lambda_event_source_mapping", "queues_mail_trigger")).toMatchObject({
      event_source_arn: "${aws_sqs_queue.queues_mail.arn}",
    });
  });

  it("publishes alerts and status updates on SNS topics; e-mail status updates go to the mail queue", () => {
    const native = stack("native");
    const topics = resources(native, "aws_sns_topic");
    expect(Object.keys(topics).sort()).toEqual(["topics_alerts", "topics_status_updates"]);
    for (const t of Object.values(topics))
      expect(t.kms_master_key_id).toBe("${data.terraform_remote_state.security.outputs.kms_key_arns.messaging}");
    expect(resource(native, "aws_sns_topic_subscription", "topics_status_updates_queue_mail")).toMatchObject({
      protocol: "sqs",
      raw_message_delivery: true,
      filter_policy: JSON.stringify({ channel: ["email"] }),
    });
  });

  it("sends through an SES domain identity with the OTP template read from examples/ims/templates", () => {
    const native = stack("native");
    expect(resource(native, "aws_sesv2_email_identity", "ses")).toMatchObject({ email_identity: want.sesDomain });
    const otp = resource(native, "aws_ses_template", "ses_template_otp");
    expect(otp).toMatchObject({
      name: `ims-${envName}-otp`,
      subject: "Your IMS verification code: {{code}}",
      html: expandTemplateFile(ROOT, "examples/ims/templates/otp.html"),
      text: fs.readFileSync(path.join(ROOT, "examples/ims/templates/otp.txt"), "utf8"),
    });
    expect(otp.html).toContain("{{code}}");
    expect(otp.html).toMatch(/^<!DOCTYPE html>/);
    expect(otp.html).toContain("IMS &middot; Production and order management");
    expect(otp.html).not.toMatch(/\{\{[#/]?slot|^---$/m);
    // The DKIM and MAIL FROM records go to the environment's zone.
    expect(resource(native, "aws_route53_record", "ses_dkim_1")).toMatchObject({ zone_id: want.zone });
    // The backend may send with SES (OTP codes, synchronously) and use its buckets, queues and topics.
    const grants = policy(resource(native, "aws_iam_role_policy", "access_service_api").policy).Statement.flatMap((s) => [s.Action].flat());
    expect(grants).toEqual(expect.arrayContaining(["ses:SendTemplatedEmail", "sqs:SendMessage", "sns:Publish", "s3:PutObject"]));
  });

  it("serves the React SPA from CloudFront at the custom domain, with Route 53 alias records per name", () => {
    const fe = stack("frontend");
    const cf = resource(fe, "aws_cloudfront_distribution", "site");
    expect(cf.aliases).toEqual(want.site);
    for (const name of want.site) {
      for (const type of ["a", "aaaa"]) {
        expect(resource(fe, "aws_route53_record", `dns_${snake(name)}_${type}`)).toMatchObject({
          name,
          type: type.toUpperCase(),
          zone_id: want.zone,
          alias: { name: "${aws_cloudfront_distribution.site.domain_name}", zone_id: "${aws_cloudfront_distribution.site.hosted_zone_id}" },
        });
      }
    }
    // The certificate is requested in us-east-1 (CloudFront's region) and validated in the zone.
    expect(resource(fe, "aws_acm_certificate", "certificate")).toMatchObject({ domain_name: want.site[0], provider: "aws.us_east_1" });
  });

  it("gives the API its custom domain with an alias record to the regional endpoint, and no /api/genai route", () => {
    const api = stack("api-gateway");
    const domain = resource(api, "aws_api_gateway_domain_name", "api_domain");
    expect(domain).toMatchObject({ domain_name: want.api, endpoint_configuration: { types: ["REGIONAL"] }, security_policy: "TLS_1_2" });
    expect(domain.regional_certificate_arn).toMatch(new RegExp(`^arn:aws:acm:us-west-2:${want.account}:certificate/`));
    expect(resource(api, "aws_route53_record", `dns_${snake(want.api)}_a`)).toMatchObject({
      name: want.api,
      type: "A",
      zone_id: want.zone,
      alias: {
        name: "${aws_api_gateway_domain_name.api_domain.regional_domain_name}",
        zone_id: "${aws_api_gateway_domain_name.api_domain.regional_zone_id}",
      },
    });
    expect(Object.keys(resources(api, "aws_api_gateway_resource")).sort()).toEqual(["api_api", "api_api_proxy"]);
    expect(resources(api, "aws_lambda_permission")).toEqual({});
    expect(api.data?.terraform_remote_state).not.toHaveProperty("lambda_genai");
  });

  it("watches the queues' dead-letter queues and the database in CloudWatch", () => {
    const alarms = Object.keys(resources(stack("monitoring"), "aws_cloudwatch_metric_alarm"));
    expect(alarms).toEqual(
      expect.arrayContaining(["queue_jobs_dead_letters", "queue_mail_dead_letters", "db_cpu", "db_free_storage", "ecs_api_cpu"]),
    );
  });
});

describe("examples/ims: the seed's service name", () => {
  it("cannot be backend (every stack's state backend has that id), so the example names it api", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "examples-ims-backend-"));
    const file = path.join(dir, "dev-backend.yaml");
    fs.writeFileSync(
      file,
      `extends: ${path.join(ROOT, "examples", "ims", "dev.yaml")}\nservices:\n  backend: { port: 8080, paths: [/backend/*], priority: 200 }\n`,
    );
    try {
      expect(() => loadConfigFile(file)).toThrow(
        /services\.backend: expected a service name other than backend \(every layer stack has a construct named backend, its state backend/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
