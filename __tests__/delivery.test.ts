/**
 * Application delivery (config `delivery:`, modules/delivery-role.ts, layers 07 and 11): off by
 * default; bad input refused with file:line:col; in every shipped configuration that turns it on,
 * one role trusted only by the application repository's GitHub environment (aud sts.amazonaws.com),
 * carrying the permissions boundary, whose statements name exactly this environment's repositories,
 * task definition families, services, task and execution roles (passed to ECS tasks only), blue/green
 * deployment groups, site bucket and distribution; and the contract publishes its ARN.
 */
import * as path from "node:path";
import { Testing } from "cdktf";
import { loadConfigFile } from "../core/config/loader";
import { deliveryTarget } from "../layers/07-application/delivery";
import { blueGreenServices } from "../layers/07-application/config";
import { applicationContract } from "../layers/07-application/contract";
import { permissionsBoundary } from "../core/permissions-boundary";
import { fitName, Naming, NAME_RULES } from "../core/naming";
import { DeliveryRole } from "../modules/delivery-role";
import { proveFlows } from "../tools/review/flows/index";
import { EnvModel, type StackInput } from "../tools/review/model";
import { parseTemplateJson } from "../tools/review/tf";
import { fixtureChecks } from "./config-fixtures";
import { synthesizedStacks } from "./fixtures/synth-cache";
import { ALL_CONFIGS, anyConfig, envWith, policy, resource, resources, synthAll, type TerraformJson } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
const DIR = "__tests__/fixtures/config/delivery";
const { itRefusesFixtures } = fixtureChecks(DIR);
const OIDC = "token.actions.githubusercontent.com";

describe("config", () => {
  it("is off by default: no repository, no role name", () => {
    const cfg = loadConfigFile(path.join(DIR, "../valid.yaml"), ROOT).config;
    expect(cfg.delivery).toEqual({ github: { branches: [] }, sessionDurationSeconds: 3600 });
    expect(deliveryTarget(cfg)).toBeUndefined();
    expect(applicationContract.delivery_role_arn.mock(cfg)).toBe("");
  });

  // Each fixture's header names the test and the problems it is refused with.
  itRefusesFixtures();
});

describe("module", () => {
  const base = {
    name: "x-dev-app-delivery",
    description: "d",
    oidcProviderArn: `arn:aws:iam::111111111111:oidc-provider/${OIDC}`,
    partition: "aws",
    region: "us-west-2",
    accountId: "111111111111",
    repositoryNames: ["x-dev/api"],
    clusterName: "x-dev",
    serviceNames: ["api"],
    taskDefinitionFamilies: ["x-dev-api"],
    passRoleArns: ["arn:aws:iam::111111111111:role/x-dev-api-task"],
  };
  it.each([["repo:acme/*:environment:dev"], ["repo:acme/app:*"], ["acme/app"]])(
    "refuses the subject %s (no wildcard, always repo:owner/name:...)",
    (subject) => {
      expect(() => new DeliveryRole(Testing.stubVersion(Testing.app()) as never, "d", { ...base, subjects: [subject] })).toThrow(
        /not an exact repo/,
      );
    },
  );
  it("refuses a role with nothing to deploy", () => {
    expect(
      () => new DeliveryRole(Testing.app() as never, "d", { ...base, subjects: ["repo:acme/app:environment:dev"], serviceNames: [] }),
    ).toThrow(/nothing to deploy/);
  });
});

const ENABLED = ALL_CONFIGS.filter((c) => deliveryTarget(anyConfig(c)));

it("is on in every environment of every system (PetClinic and the four examples)", () => {
  expect(ENABLED).toEqual(
    expect.arrayContaining([
      "dev",
      "staging",
      "prod",
      ...[
        "ims/dev",
        "ims/prod",
        "business-suite/dev",
        "business-suite/prod",
        "regenzet/dev",
        "regenzet/prod",
        "ims2/dev",
        "ims2/staging",
        "ims2/prod",
      ].map((e) => `examples/${e}.yaml`),
    ]),
  );
});

type Stmt = { Sid: string; Action: string | string[]; Resource: string | string[]; Condition?: Record<string, Record<string, unknown>> };
/** Statements by Sid; Terraform references keep their own quotes (`task_role_arns["admin-server"]`): parsed as the review does. */
const bySid = (doc: unknown): Record<string, Stmt> =>
  Object.fromEntries((parseTemplateJson(String(doc)) as { Statement: Stmt[] }).Statement.map((s) => [s.Sid, s]));
const ref = (s: string) => (/^[a-z0-9_]+$/.test(s) ? `.${s}` : `["${s}"]`);

describe.each(ENABLED)("%s", (name) => {
  const cfg = anyConfig(name);
  const target = deliveryTarget(cfg)!;
  const stacks: Record<string, TerraformJson> = synthAll(cfg);
  const app = stacks.application;
  const { accountId: account, region } = cfg.aws;
  const prefix = new Naming(cfg.project, cfg.environment).prefix;
  const services = Object.keys(cfg.services).sort();
  const blueGreen = blueGreenServices(cfg);
  const rolling = services.filter((s) => !blueGreen.includes(s));
  const role = resource(app, "aws_iam_role", "app_delivery");
  const deploy = bySid(resource(app, "aws_iam_role_policy", "app_delivery_deploy").policy);

  it("one role, named from config, with the permissions boundary and the configured session", () => {
    expect(Object.keys(resources(app, "aws_iam_role")).filter((k) => k.includes("delivery"))).toEqual(["app_delivery"]);
    expect(role).toMatchObject({
      name: target.roleName,
      max_session_duration: cfg.delivery.sessionDurationSeconds,
      permissions_boundary: permissionsBoundary(cfg).arn,
    });
    expect(target.roleArn).toBe(`arn:aws:iam::${account}:role/${role.name}`);
  });

  it("trusts only GitHub's OIDC tokens for sts.amazonaws.com from the application repository's GitHub environment", () => {
    const [trust, ...more] = policy(role.assume_role_policy).Statement;
    expect(more).toEqual([]);
    expect(trust).toEqual({
      Sid: "GitHubActionsOidc",
      Effect: "Allow",
      Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${OIDC}` },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${OIDC}:aud`]: "sts.amazonaws.com",
          [`${OIDC}:sub`]: [`repo:${cfg.delivery.github.repository}:environment:${cfg.delivery.github.environment ?? cfg.environment}`],
        },
      },
    });
    expect(cfg.delivery.github.repository).not.toBe(cfg.ci.github.repository);
  });

  it("pushes to exactly this environment's repositories (login on *, which takes no resource)", () => {
    expect(deploy.EcrLogin).toMatchObject({ Action: "ecr:GetAuthorizationToken", Resource: "*" });
    expect(deploy.PushImages.Resource).toEqual(
      services.map((s) => `arn:aws:ecr:${region}:${account}:repository/${fitName(`${prefix}/${s}`, NAME_RULES.ecr)}`),
    );
    expect(deploy.PushImages.Action).toEqual(
      expect.arrayContaining([
        "ecr:PutImage",
        "ecr:InitiateLayerUpload",
        "ecr:UploadLayerPart",
        "ecr:CompleteLayerUpload",
        "ecr:BatchCheckLayerAvailability",
      ]),
    );
    expect(
      Object.values(resources(app, "aws_ecr_repository"))
        .map((r) => r.name)
        .sort(),
    ).toEqual(services.map((s) => fitName(`${prefix}/${s}`, NAME_RULES.ecr)));
  });

  it("registers revisions of exactly the services' families and rolls exactly the rolling services", () => {
    const families = Object.values(resources(app, "aws_ecs_task_definition"))
      .map((t) => t.family as string)
      .sort();
    expect(deploy.RegisterTaskDefinitions.Resource).toEqual(families.map((f) => `arn:aws:ecs:${region}:${account}:task-definition/${f}:*`));
    const cluster = resource(app, "aws_ecs_cluster", "ecs_cluster").name;
    expect(deploy.DescribeServices.Resource).toEqual(services.map((s) => `arn:aws:ecs:${region}:${account}:service/${cluster}/${s}`));
    if (rolling.length)
      expect(deploy.RollServices.Resource).toEqual(rolling.map((s) => `arn:aws:ecs:${region}:${account}:service/${cluster}/${s}`));
    else expect(deploy.RollServices).toBeUndefined();
  });

  it("passes exactly the execution role and the services' task roles, to ECS tasks only", () => {
    expect(deploy.PassTaskRoles).toEqual({
      Effect: "Allow",
      Sid: "PassTaskRoles",
      Action: "iam:PassRole",
      Resource: [
        "${data.terraform_remote_state.security.outputs.ecs_execution_role_arn}",
        ...Object.keys(cfg.services).map((s) => `\${data.terraform_remote_state.security.outputs.task_role_arns${ref(s)}}`),
      ],
      Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
    });
  });

  it("deploys exactly the blue/green services' deployment groups (none without them)", () => {
    if (!blueGreen.length) {
      expect(Object.keys(deploy).filter((s) => s.startsWith("BlueGreen"))).toEqual([]);
      return;
    }
    const groups = Object.values(resources(app, "aws_codedeploy_deployment_group"));
    expect(deploy.BlueGreenDeployments.Resource).toEqual(
      groups.map((g) => `arn:aws:codedeploy:${region}:${account}:deploymentgroup:${prefix}/${g.deployment_group_name as string}`).sort(),
    );
    expect(deploy.BlueGreenRevisions.Resource).toBe(
      `arn:aws:codedeploy:${region}:${account}:application:${resource(app, "aws_codedeploy_app", "codedeploy").name as string}`,
    );
    // The configuration the groups really use: a CodeDeployDefault name, or the custom one the layer creates.
    const custom = Object.values(resources(app, "aws_codedeploy_deployment_config"));
    const used = [...new Set(groups.map((g) => g.deployment_config_name as string))].map((c) =>
      c.startsWith("${") ? (custom.find(() => c.includes("aws_codedeploy_deployment_config."))?.deployment_config_name as string) : c,
    );
    expect(deploy.BlueGreenDeploymentConfigs.Resource).toEqual(
      used.map((c) => `arn:aws:codedeploy:${region}:${account}:deploymentconfig:${c}`),
    );
  });

  it("publishes the role's ARN and name in the application contract", () => {
    expect(app.output?.delivery_role_arn?.value).toBe("${aws_iam_role.app_delivery.arn}");
    expect(app.output?.delivery_role_name?.value).toBe("${aws_iam_role.app_delivery.name}");
    expect(applicationContract.delivery_role_arn.mock(cfg)).toBe(target.roleArn);
  });

  it("the front end: sync exactly the site bucket, invalidate exactly the distribution (s3-cloudfront only)", () => {
    const fe = stacks.frontend;
    const site = fe ? resources(fe, "aws_iam_role_policy").app_delivery_site : undefined;
    if (cfg.frontend.hosting !== "s3-cloudfront" || !fe) {
      expect(site).toBeUndefined();
      return;
    }
    expect(site!.role).toBe("${data.terraform_remote_state.application.outputs.delivery_role_name}");
    const s = bySid(site!.policy);
    const bucket = resource(fe, "aws_s3_bucket", "site_bucket").bucket as string;
    expect(s.ListSiteBucket).toMatchObject({ Action: "s3:ListBucket", Resource: `arn:aws:s3:::${bucket}` });
    expect(s.SyncSiteObjects).toMatchObject({ Action: ["s3:DeleteObject", "s3:PutObject"], Resource: `arn:aws:s3:::${bucket}/*` });
    expect(s.InvalidateSite).toMatchObject({
      Action: ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
      Resource: `arn:aws:cloudfront::${account}:distribution/\${aws_cloudfront_distribution.site.id}`,
    });
    expect(Object.keys(s).sort()).toEqual(
      [
        "InvalidateSite",
        "ListSiteBucket",
        "SyncSiteObjects",
        ...(cfg.frontend.cloudfront.bucketEncryption === "kms" ? ["SiteKeyThroughS3"] : []),
      ].sort(),
    );
  });
});

describe("a site bucket under its own KMS key (frontend.cloudfront.bucketEncryption kms)", () => {
  const cfg = envWith("dev", { frontend: { cloudfront: { bucketEncryption: "kms" } } });
  const stacks = synthesizedStacks(cfg) as StackInput[];
  const fe = stacks.find((s) => s.name === "frontend")!.tf as unknown as TerraformJson;

  it("the role uses the site key through S3 only (the key policy delegates its data-key actions to the account's IAM)", () => {
    const s = bySid(resource(fe, "aws_iam_role_policy", "app_delivery_site").policy);
    expect(s.SiteKeyThroughS3).toEqual({
      Effect: "Allow",
      Sid: "SiteKeyThroughS3",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "${aws_kms_key.site_key.arn}",
      Condition: { StringEquals: { "kms:ViaService": `s3.${cfg.aws.region}.amazonaws.com` } },
    });
    const key = bySid(resource(fe, "aws_kms_key", "site_key").policy);
    expect(key.AccountAdministration.Action).toEqual(expect.arrayContaining(["kms:Decrypt", "kms:GenerateDataKey"]));
  });

  it("the flow proof holds every delivery step, the key included", () => {
    const facts = {
      accountId: cfg.aws.accountId,
      region: cfg.aws.region,
      partition: "aws",
      namePrefix: `${cfg.project}-${cfg.environment}-`,
    };
    const report = proveFlows(new EnvModel(stacks), facts);
    const site = report.flows.find((f) => f.kind === "delivery" && f.to.startsWith("site "))!;
    expect(site.status).toBe("ok");
    expect(site.hops.map((h) => h.kind)).toContain("key-policy");
    expect(report.flows.filter((f) => f.kind === "delivery" && f.status !== "ok")).toEqual([]);
    // Without the role's key statement, the site flow breaks at the key.
    const copy = JSON.parse(JSON.stringify(stacks)) as typeof stacks;
    const grant = (copy.find((x) => x.name === "frontend")!.tf as unknown as TerraformJson).resource!.aws_iam_role_policy
      .app_delivery_site as { policy: string };
    const doc = parseTemplateJson(grant.policy) as { Statement: { Sid: string }[] };
    grant.policy = JSON.stringify({ ...doc, Statement: doc.Statement.filter((x) => x.Sid !== "SiteKeyThroughS3") });
    const broken = proveFlows(new EnvModel(copy), facts).flows.find((f) => f.id === site.id)!;
    expect(broken.broken).toMatchObject({ kind: "key-policy" });
    expect(broken.broken!.reason).toMatch(/delegates to IAM but no policy of the caller allows kms:GenerateDataKey/);
  });
});
