/**
 * examples/regenzet (seed 001, the ReGenZet EV garage system) synthesizes the seed's signature
 * features in dev and prod: the Amplify-hosted SPA, RDS MySQL in the data subnets (KMS; Multi-AZ in
 * prod), API Gateway as the single HTTPS entry point with throttling and WAF, the S3 media bucket
 * with CORS for presigned uploads, the SNS -> Lambda -> SES e-mail pipeline, the /api/genai route to
 * the Bedrock function, VPC endpoints.
 */
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import type { PlatformConfig } from "../core/config/schema";
import { LAYER_NAMES } from "../core/config/schema";
import { NetworkStack } from "../layers/01-network/stack";
import { SecurityStack } from "../layers/02-security/stack";
import { DatabaseStack } from "../layers/03-database/stack";
import { LambdaGenaiStack } from "../layers/06-lambda-genai/stack";
import { ApplicationStack } from "../layers/07-application/stack";
import { ApiGatewayStack } from "../layers/08-api-gateway/stack";
import { NativeStack } from "../layers/09-native/stack";
import { FrontendStack } from "../layers/11-frontend/stack";
import { expectExampleProject, policy, resource, resources, synth } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
const load = (name: string): PlatformConfig => loadConfigFile(`examples/regenzet/${name}.yaml`, ROOT).config;
const enabledLayers = (cfg: PlatformConfig) => LAYER_NAMES.filter((l) => cfg.layers[l]?.enabled !== false);
const REMOTE = (layer: string, output: string) => `\${data.terraform_remote_state.${layer}.outputs.${output}}`;

describe.each([
  [
    "dev",
    { account: "777788889999", multiAz: false, site: "https://dev.regenzet.example.com", stage: "DEVELOPMENT", throttle: [200, 400] },
  ],
  [
    "prod",
    { account: "999988887777", multiAz: true, site: "https://app.regenzet.example.com", stage: "PRODUCTION", throttle: [500, 1000] },
  ],
] as const)("examples/regenzet %s", (name, want) => {
  const cfg = load(name);
  const prefix = `regenzet-${name}`;

  it("is the regenzet project in us-west-2 with every layer but cloud-map (one backend service)", () => {
    expectExampleProject(cfg, "regenzet", name, want.account);
    expect(enabledLayers(cfg)).not.toContain("cloud-map");
    expect(enabledLayers(cfg)).toEqual(expect.arrayContaining(["lambda-genai", "api-gateway", "native", "frontend"]));
    expect(Object.keys(cfg.services)).toEqual(["garage"]);
  });

  it("hosts the SPA on Amplify: an app, the main branch at the tier's stage, the custom domain", () => {
    const { tf } = synth(FrontendStack, cfg);
    expect(resource(tf, "aws_amplify_app", "amplify")).toMatchObject({ name: `${prefix}-web`, platform: "WEB" });
    expect(resource(tf, "aws_amplify_branch", "amplify_branch")).toMatchObject({
      branch_name: "main",
      stage: want.stage,
      framework: "React",
    });
    expect(resource(tf, "aws_amplify_domain_association", "amplify_domain")).toMatchObject({
      domain_name: "regenzet.example.com",
      sub_domain: [{ prefix: new URL(want.site).hostname.split(".")[0] }],
    });
    expect(resources(tf, "aws_cloudfront_distribution")).toEqual({});
  });

  it("runs RDS MySQL in the data subnets, encrypted with the data key, never public; Multi-AZ in prod", () => {
    const { tf } = synth(DatabaseStack, cfg);
    expect(resource(tf, "aws_db_instance", "rds")).toMatchObject({
      engine: "mysql",
      multi_az: want.multiAz,
      storage_encrypted: true,
      kms_key_id: "${data.terraform_remote_state.security.outputs.kms_key_arns.data}",
      publicly_accessible: false,
      manage_master_user_password: true,
    });
    expect(resource(tf, "aws_db_subnet_group", "rds_subnet_group").subnet_ids).toBe(REMOTE("network", "data_subnet_ids"));
    expect(resources(tf, "aws_rds_cluster")).toEqual({});
  });

  it("makes API Gateway the single HTTPS entry point: throttled, behind the WAF, /api/* to the internal ALB and POST /api/genai to the function", () => {
    const { tf } = synth(ApiGatewayStack, cfg);
    const [rate, burst] = want.throttle;
    expect(resource(tf, "aws_api_gateway_method_settings", "api_all_methods").settings).toMatchObject({
      throttling_rate_limit: rate,
      throttling_burst_limit: burst,
    });
    expect(resource(tf, "aws_wafv2_web_acl_association", "api_waf")).toEqual({
      resource_arn: "${aws_api_gateway_stage.api_stage.arn}",
      web_acl_arn: REMOTE("security", "waf_web_acl_arn"),
    });
    expect(resource(tf, "aws_api_gateway_resource", "api_api_genai").path_part).toBe("genai");
    expect(resource(tf, "aws_api_gateway_method", "api_api_genai_post").http_method).toBe("POST");
    expect(resource(tf, "aws_api_gateway_integration", "api_api_genai_post_integration")).toMatchObject({ type: "AWS_PROXY" });
    expect(resource(tf, "aws_api_gateway_integration", "api_api_proxy_any_integration")).toMatchObject({
      type: "HTTP_PROXY",
      connection_type: "VPC_LINK",
    });
    const { tf: app } = synth(ApplicationStack, cfg);
    expect(resource(app, "aws_lb", "load_balancer").internal).toBe(true);
    expect(cfg.security.alb.ingressCidrs).toEqual([]);
    if (name === "prod") {
      expect(resource(tf, "aws_api_gateway_domain_name", "api_domain")).toMatchObject({
        domain_name: "api.regenzet.example.com",
        security_policy: "TLS_1_2",
      });
      expect(resource(tf, "aws_route53_record", "dns_api_regenzet_example_com_a")).toMatchObject({
        name: "api.regenzet.example.com",
        type: "A",
        zone_id: "Z0123456789REGENPRD1",
      });
    }
  });

  it("has the Bedrock chat function behind /api/genai", () => {
    const { tf } = synth(LambdaGenaiStack, cfg);
    expect(resource(tf, "aws_lambda_function", "genai")).toMatchObject({ function_name: `${prefix}-genai` });
    expect(JSON.stringify(tf)).toContain("bedrock:InvokeModel");
  });

  it("keeps media in a private KMS bucket with CORS for presigned uploads from the site, signed by the backend", () => {
    const { tf } = synth(NativeStack, cfg);
    const bucketName = `${prefix}-media-${want.account}`;
    expect(resource(tf, "aws_s3_bucket", "buckets_media").bucket).toBe(bucketName);
    const [rule] = resource(tf, "aws_s3_bucket_cors_configuration", "buckets_media_cors").cors_rule as Array<Record<string, string[]>>;
    expect(rule.allowed_origins).toContain(want.site);
    expect(rule.allowed_methods).toEqual(expect.arrayContaining(["PUT", "GET"]));
    expect(rule.allowed_headers).toContain("x-amz-*");
    expect(resource(tf, "aws_s3_bucket_public_access_block", "buckets_media_public_access_block")).toMatchObject({
      block_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(JSON.stringify(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "buckets_media_encryption"))).toContain(
      "aws:kms",
    );
    const grants = JSON.stringify(policy(resource(tf, "aws_iam_role_policy", "access_service_garage").policy));
    expect(grants).toContain("s3:PutObject");
    expect(grants).toContain(`arn:aws:s3:::${bucketName}/*`);
  });

  it("sends e-mail as backend -> SNS -> mailer -> SES: the topic, the mailer's subscription and invoke permission, its SES grant", () => {
    const { tf } = synth(NativeStack, cfg);
    expect(resource(tf, "aws_sns_topic_subscription", "topics_email_mailer")).toMatchObject({
      protocol: "lambda",
      topic_arn: "${aws_sns_topic.topics_email.arn}",
      endpoint: "${aws_lambda_alias.mailer_live.arn}",
    });
    expect(resource(tf, "aws_lambda_permission", "topics_email_mailer_invoke")).toMatchObject({
      principal: "sns.amazonaws.com",
      source_arn: "${aws_sns_topic.topics_email.arn}",
    });
    const send = policy(resource(tf, "aws_iam_role_policy", "mailer_role_ses_send").policy).Statement[0];
    expect(send.Action).toEqual(["ses:SendEmail", "ses:SendTemplatedEmail"]);
    expect(send.Resource).toEqual(expect.arrayContaining([`arn:aws:ses:us-west-2:${want.account}:template/${prefix}-booking-confirmed`]));
    expect(Object.keys(resources(tf, "aws_ses_template")).sort()).toEqual([
      "ses_template_booking_confirmed",
      "ses_template_inspection_ready",
    ]);
    // The backend publishes; it does not send mail itself.
    const garage = JSON.stringify(policy(resource(tf, "aws_iam_role_policy", "access_service_garage").policy));
    expect(garage).toContain("sns:Publish");
    expect(garage).not.toContain("ses:SendEmail");
  });

  it("uses VPC endpoints: S3 and DynamoDB gateways, and in prod the interface endpoints of SNS and Bedrock", () => {
    const { tf } = synth(NetworkStack, cfg);
    const endpoints = Object.keys(resources(tf, "aws_vpc_endpoint"));
    expect(endpoints).toEqual(
      expect.arrayContaining(["endpoints_s3", "endpoints_dynamodb", "endpoints_ecr_api", "endpoints_ecr_dkr", "endpoints_logs"]),
    );
    if (name === "prod")
      expect(endpoints).toEqual(expect.arrayContaining(["endpoints_sns", "endpoints_bedrock_runtime", "endpoints_secretsmanager"]));
  });

  it("has the seed's NACLs: an ACL per tier, the data tier open only to MySQL from the app subnets, nothing below 1024 from the internet", () => {
    const { tf } = synth(NetworkStack, cfg);
    expect(Object.keys(resources(tf, "aws_network_acl")).sort()).toEqual(["app", "data", "public"]);
    expect(Object.keys(resources(tf, "aws_network_acl_association"))).toHaveLength(6);
    const rules = Object.values(resources(tf, "aws_network_acl_rule"));
    const of = (acl: string, egress: boolean) =>
      rules
        .filter((r) => r.network_acl_id === `\${aws_network_acl.${acl}.id}` && r.egress === egress)
        .map((r) => `${r.from_port}-${r.to_port} ${r.cidr_block}`)
        .sort();
    expect(of("data", false)).toEqual(["3306-3306 10.30.16.0/24", "3306-3306 10.30.17.0/24"]);
    expect(of("data", true)).toEqual(["1024-65535 10.30.16.0/24", "1024-65535 10.30.17.0/24"]);
    for (const acl of ["app", "data"])
      for (const r of of(acl, false).filter((x) => x.endsWith(" 0.0.0.0/0"))) expect(r).toBe("1024-65535 0.0.0.0/0");
  });

  it("lets only the app and lambda tiers and the database user provisioner reach the database, through security groups", () => {
    const { tf } = synth(SecurityStack, cfg);
    const ingress = Object.keys(resources(tf, "aws_vpc_security_group_ingress_rule")).filter((r) => r.startsWith("data_"));
    expect(ingress.sort()).toEqual(["data_3306_from_app", "data_3306_from_db_admin", "data_3306_from_lambda"]);
  });
});
