/**
 * Layer 11 frontend and its modules (modules/static-site.ts, dns-validated-certificate.ts,
 * alias-records.ts, amplify-site.ts): what a reviewer checks, for every environment and for the
 * variants the configuration offers.
 */
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { CloudfrontDistribution } from "@cdktf/provider-aws/lib/cloudfront-distribution";
import { CloudfrontOriginAccessControl } from "@cdktf/provider-aws/lib/cloudfront-origin-access-control";
import { Wafv2WebAcl } from "@cdktf/provider-aws/lib/wafv2-web-acl";
import type { PlatformConfig } from "../core/config/schema";
import { DEFAULT_BUILD_SPEC, DEFAULT_CSP } from "../layers/11-frontend/config";
import { frontendContract } from "../layers/11-frontend/contract";
import { API_PATH_PATTERN, FrontendStack } from "../layers/11-frontend/stack";
import { SPA_REWRITE_SOURCE } from "../modules/amplify-site";
import { MANAGED_POLICY_IDS, spaRoutingCode } from "../modules/static-site";
import { offlineStack } from "../tools/lib/offline";
import { addresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";

const API = (o: string) => `\${data.terraform_remote_state.api_gateway.outputs.${o}}`;
const DIST = (attr: string) => `\${aws_cloudfront_distribution.site.${attr}}`;
/** A statement that allows CloudFront one action, on behalf of this distribution only. */
const forThisDistribution = (Sid: string, Action: string, Resource: string) => ({
  Sid,
  Effect: "Allow",
  Principal: { Service: "cloudfront.amazonaws.com" },
  Action,
  Resource,
  Condition: { StringEquals: { "AWS:SourceArn": DIST("arn") } },
});
const REPO = "https://github.com/example/web-app";
const synthOf = (cfg: PlatformConfig) => synth(FrontendStack, cfg);
const distribution = (tf: TerraformJson) => resource(tf, "aws_cloudfront_distribution", "site");
const providers = (tf: TerraformJson) => (tf.provider?.aws ?? []) as Record<string, unknown>[];
const accounts: Record<string, string> = { dev: "111111111111", staging: "222222222222", prod: "333333333333" };

describe.each(ENVIRONMENTS)("frontend layer, S3 + CloudFront (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synthOf(cfg);
  const dist = distribution(tf);
  const tier = {
    dev: { priceClass: "PriceClass_100", logs: false, waf: false },
    staging: { priceClass: "PriceClass_100", logs: true, waf: true },
    prod: { priceClass: "PriceClass_All", logs: true, waf: true },
  }[name];

  it("keeps its state at platform/petclinic/<env>/11-frontend.tfstate", () => {
    expect(tf.terraform?.backend?.s3).toMatchObject({ key: `platform/petclinic/${name}/11-frontend.tfstate`, encrypt: true });
  });

  it("publishes exactly its contract", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(frontendContract).sort());
    expect(tf.output).toMatchObject({
      hosting: { value: "s3-cloudfront" },
      bucket_name: { value: "${aws_s3_bucket.site_bucket.bucket}" },
      distribution_id: { value: DIST("id") },
      distribution_domain_name: { value: DIST("domain_name") },
      site_url: { value: name === "prod" ? "https://www.petclinic.example.com" : `https://${DIST("domain_name")}` },
    });
  });

  it("keeps the site in a private, versioned, encrypted bucket", () => {
    expect(resource(tf, "aws_s3_bucket", "site_bucket")).toMatchObject({
      bucket: `petclinic-${name}-site-${accounts[name]}`,
      force_destroy: name !== "prod",
    });
    expect(resource(tf, "aws_s3_bucket_public_access_block", "site_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    expect(resource(tf, "aws_s3_bucket_ownership_controls", "site_bucket_ownership")).toMatchObject({
      rule: { object_ownership: "BucketOwnerEnforced" },
    });
    expect(resource(tf, "aws_s3_bucket_versioning", "site_bucket_versioning")).toMatchObject({
      versioning_configuration: { status: "Enabled" },
    });
    expect(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "site_bucket_encryption")).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "AES256" } }],
    });
  });

  it("reads the bucket through an Origin Access Control that always signs with SigV4 (no legacy OAI)", () => {
    expect(resource(tf, "aws_cloudfront_origin_access_control", "site_oac")).toMatchObject({
      name: `petclinic-${name}-site`,
      origin_access_control_origin_type: "s3",
      signing_behavior: "always",
      signing_protocol: "sigv4",
    });
    expect(resources(tf, "aws_cloudfront_origin_access_identity")).toEqual({});
    const site = (dist.origin as Record<string, unknown>[]).find((o) => o.origin_id === "site");
    expect(site).toEqual({
      origin_id: "site",
      domain_name: "${aws_s3_bucket.site_bucket.bucket_regional_domain_name}",
      origin_access_control_id: "${aws_cloudfront_origin_access_control.site_oac.id}",
    });
    expect(raw).toHaveResourceWithProperties(CloudfrontOriginAccessControl, { signing_behavior: "always" });
  });

  it("lets CloudFront read objects only for this distribution (AWS:SourceArn), and only over TLS", () => {
    const statements = policy(resource(tf, "aws_s3_bucket_policy", "site_bucket_policy").policy).Statement;
    expect(statements).toEqual([
      expect.objectContaining({ Sid: "DenyInsecureTransport", Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
      forThisDistribution("CloudFrontReadsThroughOriginAccessControl", "s3:GetObject", "${aws_s3_bucket.site_bucket.arn}/*"),
    ]);
  });

  it("serves index.html at the root and routes SPA paths with a viewer-request function (the API's own 403/404 stay intact)", () => {
    expect(dist.default_root_object).toBe("index.html");
    expect(resource(tf, "aws_cloudfront_function", "site_spa_routing")).toEqual({
      name: `petclinic-${name}-site-spa-routing`,
      comment: `SPA routes of petclinic-${name}-site serve /index.html`,
      runtime: "cloudfront-js-2.0",
      publish: true,
      code: spaRoutingCode("index.html"),
    });
    expect((dist.default_cache_behavior as Record<string, unknown>).function_association).toEqual([
      { event_type: "viewer-request", function_arn: "${aws_cloudfront_function.site_spa_routing.arn}" },
    ]);
    expect(dist.custom_error_response).toBeUndefined();
  });

  it("adds HSTS (preload, sub-domains), nosniff, DENY framing, a referrer policy, XSS protection and the CSP to every response", () => {
    expect(resource(tf, "aws_cloudfront_response_headers_policy", "site_security_headers")).toEqual({
      name: `petclinic-${name}-site-security-headers`,
      comment: `Security headers of petclinic-${name}-site`,
      security_headers_config: {
        strict_transport_security: { access_control_max_age_sec: 63072000, include_subdomains: true, preload: true, override: true },
        content_type_options: { override: true },
        frame_options: { frame_option: "DENY", override: true },
        referrer_policy: { referrer_policy: "strict-origin-when-cross-origin", override: true },
        xss_protection: { protection: true, mode_block: true, override: true },
        content_security_policy: { content_security_policy: DEFAULT_CSP, override: true },
      },
    });
  });

  it("caches the site with the managed CachingOptimized policy over HTTPS, HTTP/2 and 3, IPv6", () => {
    expect(dist.default_cache_behavior).toMatchObject({
      target_origin_id: "site",
      viewer_protocol_policy: "redirect-to-https",
      allowed_methods: ["GET", "HEAD", "OPTIONS"],
      cached_methods: ["GET", "HEAD"],
      compress: true,
      cache_policy_id: MANAGED_POLICY_IDS.cachingOptimized,
      response_headers_policy_id: "${aws_cloudfront_response_headers_policy.site_security_headers.id}",
    });
    expect(dist).toMatchObject({
      enabled: true,
      http_version: "http2and3",
      is_ipv6_enabled: true,
      restrictions: { geo_restriction: { restriction_type: "none" } },
    });
    expect(MANAGED_POLICY_IDS).toEqual({
      cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
      cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      allViewerExceptHostHeader: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
    });
  });

  it("sends /api/* and the public routes it does not cover (/admin) to the API Gateway stage: https only, TLSv1.2, no caching, every header but Host", () => {
    expect(tf.data?.terraform_remote_state?.api_gateway).toMatchObject({
      backend: "s3",
      config: { key: `platform/petclinic/${name}/08-api-gateway.tfstate` },
    });
    const api = (dist.origin as Record<string, unknown>[]).find((o) => o.origin_id === "api");
    expect(api).toEqual({
      origin_id: "api",
      domain_name: `\${element(split("/", data.terraform_remote_state.api_gateway.outputs.invoke_url), 2)}`,
      origin_path: `/${API("stage_name")}`,
      custom_origin_config: { http_port: 80, https_port: 443, origin_protocol_policy: "https-only", origin_ssl_protocols: ["TLSv1.2"] },
    });
    // PetClinic's admin-server is public at /admin: the site's domain must send it to the API, not to the SPA.
    expect((dist.ordered_cache_behavior as { path_pattern: string }[]).map((b) => b.path_pattern)).toEqual([
      API_PATH_PATTERN,
      "/admin",
      "/admin/*",
    ]);
    expect((dist.ordered_cache_behavior as unknown[])[0]).toEqual({
      path_pattern: API_PATH_PATTERN,
      target_origin_id: "api",
      viewer_protocol_policy: "https-only",
      allowed_methods: ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"],
      cached_methods: ["GET", "HEAD"],
      compress: false,
      cache_policy_id: MANAGED_POLICY_IDS.cachingDisabled,
      origin_request_policy_id: MANAGED_POLICY_IDS.allViewerExceptHostHeader,
      response_headers_policy_id: "${aws_cloudfront_response_headers_policy.site_security_headers.id}",
    });
    for (const b of dist.ordered_cache_behavior as { target_origin_id: string; cache_policy_id: string }[]) {
      expect(b).toMatchObject({ target_origin_id: "api", cache_policy_id: MANAGED_POLICY_IDS.cachingDisabled });
    }
  });

  it(`uses price class ${tier.priceClass}`, () => {
    expect(dist.price_class).toBe(tier.priceClass);
    expect(raw).toHaveResourceWithProperties(CloudfrontDistribution, { price_class: tier.priceClass });
  });

  it(`${tier.logs ? "writes" : "does not write"} access logs`, () => {
    if (!tier.logs) {
      expect(dist.logging_config).toBeUndefined();
      expect(resources(tf, "aws_s3_bucket").site_logs).toBeUndefined();
      return;
    }
    expect(dist.logging_config).toEqual({
      bucket: "${aws_s3_bucket.site_logs.bucket_domain_name}",
      prefix: "cloudfront/",
      include_cookies: false,
    });
    expect(resource(tf, "aws_s3_bucket", "site_logs")).toMatchObject({ bucket: `petclinic-${name}-cloudfront-logs-${accounts[name]}` });
    // The documented exception: CloudFront's log delivery writes through an ACL grant.
    expect(resource(tf, "aws_s3_bucket_ownership_controls", "site_logs_ownership")).toMatchObject({
      rule: { object_ownership: "BucketOwnerPreferred" },
    });
    expect(dist.depends_on).toEqual(["aws_s3_bucket_ownership_controls.site_logs_ownership"]);
    const rules = resource(tf, "aws_s3_bucket_lifecycle_configuration", "site_logs_lifecycle").rule as Record<string, unknown>[];
    expect(rules).toContainEqual(expect.objectContaining({ id: "expire-objects", expiration: [{ days: cfg.logging.retentionDays }] }));
  });

  it(`${tier.waf ? "protects the distribution with a CLOUDFRONT-scope web ACL in us-east-1" : "has no web ACL"}`, () => {
    if (!tier.waf) {
      expect(dist.web_acl_id).toBeUndefined();
      expect(resources(tf, "aws_wafv2_web_acl")).toEqual({});
      return;
    }
    expect(dist.web_acl_id).toBe("${aws_wafv2_web_acl.waf.arn}");
    const acl = resource(tf, "aws_wafv2_web_acl", "waf");
    expect(acl).toMatchObject({ name: `petclinic-${name}-cloudfront`, scope: "CLOUDFRONT", provider: "aws.us_east_1" });
    const rules = acl.rule as Record<string, unknown>[];
    expect(rules[0]).toMatchObject({
      name: "rate-limit",
      statement: { rate_based_statement: { limit: cfg.security.waf.rateLimit, aggregate_key_type: "IP" } },
    });
    // /api/genai takes question + context (12 KB): the Common Rule Set's 8 KB body rule counts, a 13 KB bound blocks.
    expect(rules[1]).toMatchObject({
      name: "body-size",
      action: { block: {} },
      statement: {
        size_constraint_statement: { comparison_operator: "GT", size: 13_312, field_to_match: { body: { oversize_handling: "MATCH" } } },
      },
    });
    expect(rules.slice(2).map((r) => r.name)).toEqual(cfg.security.waf.managedRuleGroups.map((g) => g.name));
    expect(resource(tf, "aws_cloudwatch_log_group", "waf_logs")).toMatchObject({
      name: `aws-waf-logs-petclinic-${name}-cloudfront`,
      provider: "aws.us_east_1",
    });
    expect(resource(tf, "aws_wafv2_web_acl_logging_configuration", "waf_logging")).toMatchObject({ provider: "aws.us_east_1" });
    expect(raw).toHaveResourceWithProperties(Wafv2WebAcl, { scope: "CLOUDFRONT" });
  });

  it("gives the us-east-1 provider the stack provider's account guard and default tags, only when it is needed", () => {
    const [base, ...others] = providers(tf);
    expect(base).toMatchObject({ region: "us-west-2", allowed_account_ids: [accounts[name]] });
    expect(base.alias).toBeUndefined();
    if (!tier.waf && name !== "prod") {
      expect(others).toEqual([]);
      return;
    }
    expect(others).toEqual([{ ...base, alias: "us_east_1", region: "us-east-1" }]);
  });

  it(
    name === "prod"
      ? "serves its own names with a DNS-validated us-east-1 certificate, TLSv1.2_2021"
      : "uses CloudFront's default certificate",
    () => {
      if (name !== "prod") {
        expect(dist.viewer_certificate).toEqual({ cloudfront_default_certificate: true });
        expect(dist.aliases).toBeUndefined();
        expect(resources(tf, "aws_acm_certificate")).toEqual({});
        return;
      }
      expect(dist.aliases).toEqual(["www.petclinic.example.com", "petclinic.example.com"]);
      expect(dist.viewer_certificate).toEqual({
        acm_certificate_arn: "${aws_acm_certificate_validation.certificate_validation.certificate_arn}",
        ssl_support_method: "sni-only",
        minimum_protocol_version: "TLSv1.2_2021",
      });
      expect(resource(tf, "aws_acm_certificate", "certificate")).toEqual({
        provider: "aws.us_east_1",
        domain_name: "www.petclinic.example.com",
        subject_alternative_names: ["petclinic.example.com"],
        validation_method: "DNS",
        key_algorithm: "RSA_2048",
        lifecycle: { create_before_destroy: true },
      });
      const pick = (domain: string, attr: string) =>
        `\${one([ for key, val in toset(tolist(aws_acm_certificate.certificate.domain_validation_options)): val.${attr} if val.domain_name == "${domain}"])}`;
      for (const domain of ["www.petclinic.example.com", "petclinic.example.com"]) {
        expect(resource(tf, "aws_route53_record", `certificate_validation_record_${domain.replace(/\./g, "_")}`)).toEqual({
          zone_id: "Z0123456789PETCLINIC",
          name: pick(domain, "resource_record_name"),
          type: pick(domain, "resource_record_type"),
          records: [pick(domain, "resource_record_value")],
          ttl: 300,
          allow_overwrite: true,
        });
        for (const type of ["A", "AAAA"]) {
          expect(resource(tf, "aws_route53_record", `dns_${domain.replace(/\./g, "_")}_${type.toLowerCase()}`)).toEqual({
            zone_id: "Z0123456789PETCLINIC",
            name: domain,
            type,
            alias: { name: DIST("domain_name"), zone_id: DIST("hosted_zone_id"), evaluate_target_health: false },
          });
        }
      }
      expect(resource(tf, "aws_acm_certificate_validation", "certificate_validation")).toEqual({
        provider: "aws.us_east_1",
        certificate_arn: "${aws_acm_certificate.certificate.arn}",
        validation_record_fqdns: [
          "${aws_route53_record.certificate_validation_record_www_petclinic_example_com.fqdn}",
          "${aws_route53_record.certificate_validation_record_petclinic_example_com.fqdn}",
        ],
        timeouts: { create: "45m" },
      });
      expect(raw).toHaveResourceWithProperties(AcmCertificate, { validation_method: "DNS" });
    },
  );

  it("has readable snake_case addresses, no data source but the api-gateway remote state (and application's, for the delivery role)", () => {
    for (const a of addresses(tf))
      expect(a).toMatch(/^(data\.)?aws_[a-z0-9_]+\.[a-z0-9_]+$|^data\.terraform_remote_state\.(api_gateway|application)$/);
    expect(Object.keys(tf.data ?? {})).toEqual(["terraform_remote_state"]);
  });
});

describe("frontend layer variants", () => {
  it("without the api-gateway layer: no API origin, no remote state, SPA routing by error responses", () => {
    // Delivery off as well: with it, the layer reads the delivery role's name from the application layer.
    const { tf } = synthOf(envWith("dev", { layers: { "api-gateway": { enabled: false } }, delivery: { github: { repository: null } } }));
    const dist = distribution(tf);
    expect(tf.data).toBeUndefined();
    expect((dist.origin as Record<string, unknown>[]).map((o) => o.origin_id)).toEqual(["site"]);
    expect(dist.ordered_cache_behavior).toBeUndefined();
    expect(resources(tf, "aws_cloudfront_function")).toEqual({});
    expect(dist.custom_error_response).toEqual(
      [403, 404].map((code) => ({ error_code: code, response_code: 200, response_page_path: "/index.html", error_caching_min_ttl: 10 })),
    );
  });

  it("error responses on request, with the API origin kept", () => {
    const { tf } = synthOf(
      envWith("dev", { frontend: { cloudfront: { spaRouting: "error-responses", errorCachingMinTtl: 0, defaultRootObject: "app.html" } } }),
    );
    const dist = distribution(tf);
    expect(dist.custom_error_response).toEqual(
      [403, 404].map((code) => ({ error_code: code, response_code: 200, response_page_path: "/app.html", error_caching_min_ttl: 0 })),
    );
    expect((dist.ordered_cache_behavior as { path_pattern: string }[]).map((b) => b.path_pattern)).toEqual([
      "/api/*",
      "/admin",
      "/admin/*",
    ]);
  });

  it("an HTTP API on the $default stage: no origin path", () => {
    const { tf } = synthOf(envWith("dev", { apiGateway: { type: "http", stageName: "$default" } }));
    const api = (distribution(tf).origin as Record<string, unknown>[]).find((o) => o.origin_id === "api");
    expect(api?.origin_path).toBeUndefined();
  });

  it("a certificate of its own: no ACM resources, records still written", () => {
    const arn = "arn:aws:acm:us-east-1:111111111111:certificate/0f6b3c2a-1d4e-4a5b-9c8d-7e6f5a4b3c2d";
    const { tf } = synthOf(
      envWith("dev", { frontend: { domain: { name: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ", certificateArn: arn } } }),
    );
    expect(resources(tf, "aws_acm_certificate")).toEqual({});
    expect(resources(tf, "aws_acm_certificate_validation")).toEqual({});
    expect(distribution(tf).viewer_certificate).toEqual({
      acm_certificate_arn: arn,
      ssl_support_method: "sni-only",
      minimum_protocol_version: "TLSv1.2_2021",
    });
    expect(Object.keys(resources(tf, "aws_route53_record")).sort()).toEqual(["dns_www_example_com_a", "dns_www_example_com_aaaa"]);
    // dev has no WAF: nothing needs us-east-1.
    expect(providers(tf)).toHaveLength(1);
  });

  it("adding an alias adds records and renames none", () => {
    const one = synthOf(envWith("dev", { frontend: { domain: { name: "www.example.com", hostedZoneId: "Z0123456789ABCDEFGHIJ" } } })).tf;
    const two = synthOf(
      envWith("dev", {
        frontend: { domain: { name: "www.example.com", aliases: ["example.com"], hostedZoneId: "Z0123456789ABCDEFGHIJ" } },
      }),
    ).tf;
    const before = addresses(one);
    const after = addresses(two);
    expect(after).toEqual(expect.arrayContaining(before));
    expect(after.filter((a) => !before.includes(a)).sort()).toEqual([
      "aws_route53_record.certificate_validation_record_example_com",
      "aws_route53_record.dns_example_com_a",
      "aws_route53_record.dns_example_com_aaaa",
    ]);
  });

  it("a CloudFront WAF with its own rate limit and rule groups, and the assume role copied to the us-east-1 provider", () => {
    const roleArn = "arn:aws:iam::111111111111:role/deployer";
    const { tf } = synthOf(
      envWith("dev", {
        aws: { assumeRole: { roleArn, sessionName: "platform" } },
        frontend: { cloudfront: { waf: { enabled: true, rateLimit: 300, managedRuleGroups: [{ name: "AWSManagedRulesCommonRuleSet" }] } } },
      }),
    );
    const rules = resource(tf, "aws_wafv2_web_acl", "waf").rule as Record<string, unknown>[];
    expect(rules.map((r) => r.name)).toEqual(["rate-limit", "body-size", "AWSManagedRulesCommonRuleSet"]);
    expect(rules[2]).toMatchObject({
      statement: {
        managed_rule_group_statement: { rule_action_override: [{ name: "SizeRestrictions_BODY", action_to_use: { count: {} } }] },
      },
    });
    expect(rules[0]).toMatchObject({ statement: { rate_based_statement: { limit: 300 } } });
    const [base, east] = providers(tf);
    expect(base.assume_role).toEqual([{ role_arn: roleArn, session_name: "platform" }]);
    expect(east).toEqual({ ...base, alias: "us_east_1", region: "us-east-1" });
  });

  it("SSE-KMS on request: a key of the layer that only this distribution may decrypt with", () => {
    const { tf } = synthOf(envWith("dev", { frontend: { cloudfront: { bucketEncryption: "kms" } } }));
    expect(resource(tf, "aws_s3_bucket_server_side_encryption_configuration", "site_bucket_encryption")).toMatchObject({
      rule: [
        {
          apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: "${aws_kms_key.site_key.arn}" },
          bucket_key_enabled: true,
        },
      ],
    });
    expect(resource(tf, "aws_kms_alias", "site_key_alias")).toMatchObject({ name: "alias/petclinic-dev-site" });
    const statements = policy(resource(tf, "aws_kms_key", "site_key").policy).Statement;
    expect(statements).toContainEqual(forThisDistribution("CloudFrontDecryptsForThisDistribution", "kms:Decrypt", "*"));
  });

  it("the offline plan mocks both AWS providers", () => {
    const cfg = env("prod");
    const { tf } = offlineStack(
      JSON.parse(synthOf(cfg).raw) as Parameters<typeof offlineStack>[0],
      cfg,
      (layer) => `/mock/${layer}.tfstate`,
    );
    const blocks = (tf.provider?.aws ?? []) as Record<string, unknown>[];
    expect(blocks.map((b) => b.alias ?? "default")).toEqual(["default", "us_east_1"]);
    for (const b of blocks) {
      expect(b).toMatchObject({
        access_key: "mock",
        secret_key: "mock",
        skip_credentials_validation: true,
        skip_requesting_account_id: true,
      });
      expect(b.allowed_account_ids).toBeUndefined();
    }
  });
});

describe("frontend layer, Amplify", () => {
  const cfg = envWith("staging", {
    frontend: {
      hosting: "amplify",
      amplify: {
        repository: REPO,
        branch: "release/web",
        framework: "React",
        environmentVariables: { VITE_STAGE: "staging" },
        apiUrlVariable: "VITE_API_URL",
        domain: { name: "example.com", prefix: "app" },
      },
    },
    apiGateway: { cors: { allowOrigins: ["https://app.example.com"] } },
  });
  const { tf } = synthOf(cfg);

  it("creates the app without a repository or token, and leaves the connection operators make alone", () => {
    const app = resource(tf, "aws_amplify_app", "amplify");
    expect(app).toMatchObject({
      name: "petclinic-staging-web",
      platform: "WEB",
      build_spec: DEFAULT_BUILD_SPEC,
      environment_variables: { VITE_STAGE: "staging", VITE_API_URL: API("invoke_url") },
      custom_rule: [{ source: SPA_REWRITE_SOURCE, target: "/index.html", status: "200" }],
      enable_branch_auto_build: true,
      lifecycle: { ignore_changes: ["repository", "access_token", "oauth_token"] },
    });
    expect(app.description).toContain(REPO);
    for (const key of ["repository", "access_token", "oauth_token", "basic_auth_credentials"]) expect(app[key]).toBeUndefined();
    expect(app.custom_headers).toContain("Strict-Transport-Security");
    expect(app.custom_headers).toContain("max-age=63072000; includeSubDomains; preload");
  });

  it("deploys the branch at the tier's stage under the custom domain", () => {
    expect(resource(tf, "aws_amplify_branch", "amplify_branch")).toMatchObject({
      app_id: "${aws_amplify_app.amplify.id}",
      branch_name: "release/web",
      stage: "BETA",
      framework: "React",
      enable_auto_build: true,
      enable_pull_request_preview: false,
    });
    expect(resource(tf, "aws_amplify_domain_association", "amplify_domain")).toMatchObject({
      app_id: "${aws_amplify_app.amplify.id}",
      domain_name: "example.com",
      sub_domain: [{ branch_name: "${aws_amplify_branch.amplify_branch.branch_name}", prefix: "app" }],
      wait_for_verification: false,
    });
  });

  it("creates nothing of the CloudFront hosting and publishes the Amplify URL", () => {
    expect(resources(tf, "aws_cloudfront_distribution")).toEqual({});
    expect(resources(tf, "aws_s3_bucket")).toEqual({});
    expect(providers(tf)).toHaveLength(1);
    expect(tf.output).toEqual({
      hosting: expect.objectContaining({ value: "amplify" }),
      bucket_name: expect.objectContaining({ value: "" }),
      distribution_id: expect.objectContaining({ value: "" }),
      distribution_domain_name: expect.objectContaining({ value: "" }),
      site_url: expect.objectContaining({ value: "https://app.example.com" }),
    });
  });

  it("without a domain, the branch's amplifyapp.com URL", () => {
    const plain = synthOf(
      envWith("dev", {
        frontend: { hosting: "amplify", amplify: { repository: REPO, branch: "feature/x", buildSpec: "version: 1\nfrontend: {}\n" } },
      }),
    ).tf;
    expect(plain.output?.site_url.value).toBe("https://feature-x.${aws_amplify_app.amplify.default_domain}");
    expect(resource(plain, "aws_amplify_app", "amplify").build_spec).toBe("version: 1\nfrontend: {}\n");
    expect(resource(plain, "aws_amplify_branch", "amplify_branch")).toMatchObject({ stage: "DEVELOPMENT" });
    expect(resources(plain, "aws_amplify_domain_association")).toEqual({});
  });
});

describe("frontend layer, external", () => {
  it("creates no resource, reads nothing, publishes the configured URL", () => {
    const cfg = envWith("dev", {
      frontend: { hosting: "external", siteUrl: "https://ims.vercel.app" },
      apiGateway: { cors: { allowOrigins: ["https://ims.vercel.app"] } },
    });
    const { tf } = synthOf(cfg);
    expect(tf.resource).toBeUndefined();
    expect(tf.data).toBeUndefined();
    expect(Object.fromEntries(Object.entries(tf.output ?? {}).map(([k, o]) => [k, o.value]))).toEqual({
      hosting: "external",
      bucket_name: "",
      distribution_id: "",
      distribution_domain_name: "",
      site_url: "https://ims.vercel.app",
    });
  });
});
