/**
 * The CI identity in the bootstrap stack (modules/ci-identity.ts, config `ci:`): created only when
 * ci.github.repository is set, trust pinned to exact OIDC subjects, no wildcard Allow actions, the
 * plan role read-only on state, the apply role's IAM limited to the platform's own roles, and the
 * existing bootstrap resources untouched.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { loadConfigFile } from "../core/config/loader";
import { ConfigError } from "../core/config/errors";
import type { PlatformConfig } from "../core/config/schema";
import { CiSchema, ciRoleName, ciTarget } from "../layers/bootstrap/config";
import { isWildcardAction } from "../core/policy";
import { BootstrapStack } from "../layers/bootstrap/stack";
import { CiIdentity } from "../modules/ci-identity";
import { synthesizeEnvironment } from "./fixtures/all-environments";
import { addresses, env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";

/** AWS managed policy ARNs a stack attaches (role policy attachments and managed_policy_arns). */
function managedPolicyArns(json: TerraformJson): string[] {
  const attached = Object.values(resources(json, "aws_iam_role_policy_attachment")).map((a) => String(a.policy_arn));
  const inline = Object.values(resources(json, "aws_iam_role")).flatMap((r) => list(r.managed_policy_arns));
  return [...attached, ...inline].filter((a) => /^arn:[^:]+:iam::aws:policy\//.test(a));
}

const REPO = "acme/petclinic-platform";
const OIDC = "token.actions.githubusercontent.com";

/** The bootstrap stack's addresses before the CI identity existed: they must never change. */
const BOOTSTRAP_ADDRESSES = [
  "aws_dynamodb_table.lock_table",
  "aws_iam_policy.permissions_boundary",
  "aws_s3_bucket.state",
  "aws_s3_bucket_lifecycle_configuration.state_lifecycle",
  "aws_s3_bucket_ownership_controls.state_ownership",
  "aws_s3_bucket_policy.state_policy",
  "aws_s3_bucket_public_access_block.state_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration.state_encryption",
  "aws_s3_bucket_versioning.state_versioning",
];

const CI_ADDRESSES = [
  "aws_iam_openid_connect_provider.github_oidc_provider",
  "aws_iam_role.github_apply",
  "aws_iam_role.github_plan",
  "aws_iam_role_policy.github_apply_guardrails",
  "aws_iam_role_policy.github_apply_iam",
  "aws_iam_role_policy.github_apply_state",
  "aws_iam_role_policy.github_plan_guardrails",
  "aws_iam_role_policy.github_plan_state",
  "aws_iam_role_policy_attachment.github_apply_policy_power_user_access",
  "aws_iam_role_policy_attachment.github_plan_policy_read_only_access",
];

type Statement = Record<string, unknown> & { Sid?: string; Effect: string; Action: string | string[]; Resource?: string | string[] };

const withCi = (name: string, ci: Record<string, unknown> = {}, more: Record<string, unknown> = {}): PlatformConfig =>
  envWith(name, { ...more, ci: { ...ci, github: { repository: REPO, ...((ci.github as object) ?? {}) } } });

/** The environment without a CI identity (null unsets a repository its files may set). */
const withoutCi = (name: string): PlatformConfig =>
  env(name).ci.github.repository
    ? envWith(name, { ci: { github: { repository: null } }, delivery: { github: { repository: null } } })
    : env(name);

function statements(tf: TerraformJson, name: string): Statement[] {
  return policy(resource(tf, "aws_iam_role_policy", name).policy).Statement as Statement[];
}
const actions = (s: Statement): string[] => (typeof s.Action === "string" ? [s.Action] : s.Action);
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? (v as string[]) : [v as string]);

describe("without ci.github.repository", () => {
  it.each(ENVIRONMENTS)("%s: the bootstrap stack is exactly the state bucket and lock table", (name) => {
    const cfg = withoutCi(name);
    expect(cfg.ci.github.repository).toBeUndefined();
    expect(ciTarget(cfg)).toBeUndefined();
    const { tf } = synth(BootstrapStack, cfg);
    expect(addresses(tf)).toEqual(BOOTSTRAP_ADDRESSES);
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(["lock_table_name", "permissions_boundary_arn", "state_bucket"]);
  });
});

describe.each(ENVIRONMENTS)("with ci.github.repository (%s)", (name) => {
  const base = synth(BootstrapStack, withoutCi(name)).tf;
  const cfg = withCi(name);
  // The whole platform: the apply role's attach and pass lists are read from the layer stacks.
  const platform = synthesizeEnvironment(`ci-${name}`, cfg);
  const tf = platform.stacks.get("bootstrap")!;
  const account = cfg.aws.accountId;
  const boundary = `arn:aws:iam::${account}:policy/petclinic-${name}-permissions-boundary`;

  it("adds only the CI identity: every existing address and its configuration stay as they were", () => {
    expect(addresses(tf)).toEqual([...BOOTSTRAP_ADDRESSES, ...CI_ADDRESSES].sort());
    for (const [type, byName] of Object.entries(base.resource ?? {})) {
      for (const [n, body] of Object.entries(byName)) expect(resource(tf, type, n)).toEqual(body);
    }
    expect(tf.terraform?.backend).toEqual(base.terraform?.backend);
    expect(Object.keys(tf.output ?? {}).sort()).toEqual([
      "ci_apply_role_arn",
      "ci_oidc_provider_arn",
      "ci_plan_role_arn",
      "lock_table_name",
      "permissions_boundary_arn",
      "state_bucket",
    ]);
  });

  it("creates the GitHub OIDC provider for sts.amazonaws.com without thumbprints (AWS fills them in)", () => {
    const provider = resource(tf, "aws_iam_openid_connect_provider", "github_oidc_provider");
    expect(provider).toMatchObject({ url: `https://${OIDC}`, client_id_list: ["sts.amazonaws.com"] });
    expect(provider).not.toHaveProperty("thumbprint_list");
  });

  it("lets pull requests and pushes to main assume the plan role, nothing else", () => {
    const role = resource(tf, "aws_iam_role", "github_plan");
    expect(role.name).toBe(`petclinic-${name}-github-plan`);
    const [trust, ...others] = policy(role.assume_role_policy).Statement;
    expect(others).toEqual([]);
    expect(trust).toEqual({
      Effect: "Allow",
      Sid: "GithubActions",
      Action: "sts:AssumeRoleWithWebIdentity",
      Principal: { Federated: "${aws_iam_openid_connect_provider.github_oidc_provider.arn}" },
      Condition: {
        StringEquals: {
          [`${OIDC}:aud`]: "sts.amazonaws.com",
          [`${OIDC}:sub`]: [`repo:${REPO}:pull_request`, `repo:${REPO}:ref:refs/heads/main`],
        },
      },
    });
  });

  it("lets only jobs in the GitHub environment assume the apply role", () => {
    const role = resource(tf, "aws_iam_role", "github_apply");
    expect(role).toMatchObject({ name: `petclinic-${name}-github-apply`, max_session_duration: 7200 });
    const [trust, ...others] = policy(role.assume_role_policy).Statement;
    expect(others).toEqual([]);
    expect(trust.Condition).toEqual({
      StringEquals: { [`${OIDC}:aud`]: "sts.amazonaws.com", [`${OIDC}:sub`]: `repo:${REPO}:environment:${name}` },
    });
  });

  it("trusts exact subjects only: StringEquals, no wildcard anywhere in a trust policy", () => {
    for (const r of ["github_plan", "github_apply"]) {
      const trust = policy(resource(tf, "aws_iam_role", r).assume_role_policy).Statement[0] as {
        Condition: Record<string, Record<string, unknown>>;
      };
      expect(Object.keys(trust.Condition)).toEqual(["StringEquals"]);
      for (const v of Object.values(trust.Condition.StringEquals).flatMap(list)) expect(v).not.toMatch(/[*?]/);
    }
  });

  it("allows no wildcard action in any inline policy (denies may name whole services)", () => {
    for (const [n, p] of Object.entries(resources(tf, "aws_iam_role_policy"))) {
      for (const s of policy(p.policy).Statement as Statement[]) {
        if (s.Effect !== "Allow") continue;
        for (const a of actions(s))
          expect(`${n}: ${a} wildcard=${isWildcardAction(a) || a.includes("*")}`).toBe(`${n}: ${a} wildcard=false`);
      }
    }
  });

  it("attaches broad permissions only as AWS managed policies by constant ARN", () => {
    expect(resource(tf, "aws_iam_role_policy_attachment", "github_plan_policy_read_only_access").policy_arn).toBe(
      "arn:aws:iam::aws:policy/ReadOnlyAccess",
    );
    expect(resource(tf, "aws_iam_role_policy_attachment", "github_apply_policy_power_user_access").policy_arn).toBe(
      "arn:aws:iam::aws:policy/PowerUserAccess",
    );
    expect(tf.data ?? {}).toEqual({});
  });

  it("gives the plan role read and lock access to this environment's state, and no state writes", () => {
    const s = statements(tf, "github_plan_state");
    const bucket = `arn:aws:s3:::${cfg.backend.bucket}`;
    const prefix = `${bucket}/platform/petclinic/${name}`;
    expect(s.find((x) => x.Sid === "ListStateBucket")).toMatchObject({ Action: "s3:ListBucket", Resource: bucket });
    expect(s.find((x) => x.Sid === "ReadState")).toMatchObject({ Action: "s3:GetObject", Resource: `${prefix}/*` });
    expect(s.find((x) => x.Sid === "StateLockTable")).toMatchObject({
      Action: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      Resource: `arn:aws:dynamodb:us-west-2:${account}:table/${cfg.backend.lockTable}`,
    });
    const writes = s.filter((x) => actions(x).includes("s3:PutObject"));
    // Only lock files, and only where S3-native locking is on (staging: lockMode both).
    expect(writes.map((x) => x.Resource)).toEqual(cfg.backend.lockMode === "dynamodb" ? [] : [`${prefix}/*.tflock`]);
    expect(statements(tf, "github_plan_guardrails")).toEqual([
      { Effect: "Deny", Sid: "DenyOutsidePlan", Action: ["secretsmanager:GetSecretValue"], Resource: "*" },
    ]);
  });

  it("gives the apply role state writes under this environment's prefix only", () => {
    const s = statements(tf, "github_apply_state");
    expect(s.find((x) => x.Sid === "WriteState")).toMatchObject({
      Action: "s3:PutObject",
      Resource: `arn:aws:s3:::${cfg.backend.bucket}/platform/petclinic/${name}/*.tfstate`,
    });
  });

  it("limits the apply role's IAM to the platform's own roles and policies, always with the permissions boundary", () => {
    const s = statements(tf, "github_apply_iam");
    const roles = `arn:aws:iam::${account}:role/petclinic-${name}-*`;
    const own = `arn:aws:iam::${account}:policy/petclinic-${name}-*`;
    for (const x of s.filter((y) => y.Sid !== "ServiceLinkedRoles")) expect([roles, own]).toContain(x.Resource);
    const grant = (action: string) => s.filter((x) => actions(x).includes(action));
    for (const a of ["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:PutRolePermissionsBoundary"]) {
      expect(grant(a).length).toBeGreaterThan(0);
      for (const x of grant(a))
        expect((x.Condition as Record<string, Record<string, unknown>>).StringEquals["iam:PermissionsBoundary"]).toBe(boundary);
    }
    expect(grant("iam:PassRole")).toHaveLength(1);
    expect(grant("iam:PassRole")[0].Condition).toEqual({
      StringEquals: { "iam:PassedToService": expect.arrayContaining(["ecs-tasks.amazonaws.com", "lambda.amazonaws.com"]) },
    });
    expect(s.find((x) => x.Sid === "AttachPlatformPolicies")!.Condition).toEqual({
      StringEquals: { "iam:PermissionsBoundary": boundary },
      ArnLike: { "iam:PolicyARN": own },
    });
    expect(s.find((x) => x.Sid === "ServiceLinkedRoles")).toMatchObject({
      Action: "iam:CreateServiceLinkedRole",
      Resource: `arn:aws:iam::${account}:role/aws-service-role/*`,
    });
  });

  it("keeps the apply role away from the CI identity, the state bucket's settings and old state versions", () => {
    const s = statements(tf, "github_apply_guardrails");
    expect(s.every((x) => x.Effect === "Deny")).toBe(true);
    const ci = s.find((x) => x.Sid === "DenyChangingTheCiIdentity")!;
    expect(ci.Resource).toEqual([
      `arn:aws:iam::${account}:role/petclinic-${name}-github-plan`,
      `arn:aws:iam::${account}:role/petclinic-${name}-github-apply`,
    ]);
    expect(actions(ci)).toEqual(
      expect.arrayContaining([
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DeleteRolePermissionsBoundary",
      ]),
    );
    expect(s.find((x) => x.Sid === "DenyChangingTheOidcProvider")!.Resource).toBe(`arn:aws:iam::${account}:oidc-provider/${OIDC}`);
    expect(actions(s.find((x) => x.Sid === "DenyChangingTheStateBucket")!)).toEqual(
      expect.arrayContaining(["s3:DeleteBucket", "s3:PutBucketPolicy", "s3:PutBucketVersioning"]),
    );
    expect(s.find((x) => x.Sid === "DenyDeletingStateVersions")).toMatchObject({ Action: "s3:DeleteObjectVersion" });
    expect(s.find((x) => x.Sid === "DenyChangingTheLockTable")).toMatchObject({ Action: ["dynamodb:DeleteTable", "dynamodb:UpdateTable"] });
  });

  it("names the same roles the pipelines assume (ciTarget)", () => {
    const t = ciTarget(cfg)!;
    expect(t.planRoleArn).toBe(`arn:aws:iam::${account}:role/${resource(tf, "aws_iam_role", "github_plan").name}`);
    expect(t.applyRoleArn).toBe(`arn:aws:iam::${account}:role/${resource(tf, "aws_iam_role", "github_apply").name}`);
    expect(t.applySubject).toBe(`repo:${REPO}:environment:${name}`);
  });

  it("can manage every IAM role and policy the layers create, and attach every managed policy they attach", () => {
    // The attach list is derived from the layers at synth; this reads it back from the synthesized
    // bootstrap stack and checks it against every attachment of every layer stack.
    const known = statements(tf, "github_apply_iam").find((x) => x.Sid === "AttachKnownPolicies");
    const allowed = new Set(list((known?.Condition as Record<string, Record<string, unknown>> | undefined)?.ArnEquals?.["iam:PolicyARN"]));
    const prefix = `petclinic-${name}-`;
    for (const [layer, json] of platform.stacks) {
      if (layer === "bootstrap") continue;
      for (const r of Object.values(resources(json, "aws_iam_role")))
        expect(`${layer}: ${String(r.name)}`).toMatch(new RegExp(`^${layer}: ${prefix}`));
      for (const r of Object.values(resources(json, "aws_iam_policy")))
        expect(`${layer}: ${String(r.name)}`).toMatch(new RegExp(`^${layer}: ${prefix}`));
      for (const arn of managedPolicyArns(json))
        expect(`${layer}: ${arn} allowed=${allowed.has(arn)}`).toBe(`${layer}: ${arn} allowed=true`);
    }
  });
});

describe("CI identity options", () => {
  it("uses the account's existing OIDC provider by its ARN when another environment creates it", () => {
    const cfg = withCi("staging", { github: { createOidcProvider: false } });
    const { tf } = synth(BootstrapStack, cfg);
    expect(resources(tf, "aws_iam_openid_connect_provider")).toEqual({});
    const trust = policy(resource(tf, "aws_iam_role", "github_plan").assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({ Federated: `arn:aws:iam::222222222222:oidc-provider/${OIDC}` });
    expect(tf.output?.ci_oidc_provider_arn.value).toBe(`arn:aws:iam::222222222222:oidc-provider/${OIDC}`);
  });

  it("takes the GitHub environment, plan branches, thumbprints, policies and a permissions boundary from config", () => {
    const cfg = withCi("prod", {
      github: {
        environment: "production",
        planBranches: ["main", "release/v2"],
        thumbprints: ["6938fd4d98bab03faadb97b34396831e3780aea1"],
      },
      plan: {
        managedPolicies: ["arn:aws:iam::333333333333:policy/platform-plan-read"],
        deniedActions: ["secretsmanager:GetSecretValue", "ssm:GetParameter*"],
      },
      apply: {
        managedPolicies: ["AdministratorAccess"],
        permissionsBoundary: "arn:aws:iam::333333333333:policy/platform-boundary",
        sessionDurationSeconds: 10800,
      },
    });
    const { tf } = synth(BootstrapStack, cfg);
    expect(resource(tf, "aws_iam_openid_connect_provider", "github_oidc_provider").thumbprint_list).toEqual([
      "6938fd4d98bab03faadb97b34396831e3780aea1",
    ]);
    const plan = policy(resource(tf, "aws_iam_role", "github_plan").assume_role_policy).Statement[0] as {
      Condition: { StringEquals: Record<string, unknown> };
    };
    expect(plan.Condition.StringEquals[`${OIDC}:sub`]).toEqual([
      `repo:${REPO}:pull_request`,
      `repo:${REPO}:ref:refs/heads/main`,
      `repo:${REPO}:ref:refs/heads/release/v2`,
    ]);
    const apply = resource(tf, "aws_iam_role", "github_apply");
    expect(apply).toMatchObject({
      permissions_boundary: "arn:aws:iam::333333333333:policy/platform-boundary",
      max_session_duration: 10800,
    });
    expect(
      (policy(apply.assume_role_policy).Statement[0] as { Condition: { StringEquals: Record<string, unknown> } }).Condition.StringEquals[
        `${OIDC}:sub`
      ],
    ).toBe(`repo:${REPO}:environment:production`);
    expect(resource(tf, "aws_iam_role_policy_attachment", "github_plan_policy_platform_plan_read").policy_arn).toBe(
      "arn:aws:iam::333333333333:policy/platform-plan-read",
    );
    expect(resource(tf, "aws_iam_role_policy_attachment", "github_apply_policy_administrator_access").policy_arn).toBe(
      "arn:aws:iam::aws:policy/AdministratorAccess",
    );
    expect(statements(tf, "github_plan_guardrails")[0].Action).toEqual(["secretsmanager:GetSecretValue", "ssm:GetParameter*"]);
  });

  it("grants S3 lock files without a lock table for lockMode s3, and the state key for SSE-KMS", () => {
    const key = "arn:aws:kms:us-west-2:111111111111:key/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b";
    const { tf } = synth(BootstrapStack, withCi("dev", {}, { backend: { lockMode: "s3", kmsKeyId: key } }));
    const s = statements(tf, "github_plan_state");
    expect(s.find((x) => x.Sid === "StateLockTable")).toBeUndefined();
    expect(s.find((x) => x.Sid === "StateLockFiles")).toMatchObject({ Action: ["s3:PutObject", "s3:DeleteObject"] });
    expect(s.find((x) => x.Sid === "StateKey")).toEqual({
      Effect: "Allow",
      Sid: "StateKey",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: key,
    });
    expect(statements(tf, "github_apply_guardrails").find((x) => x.Sid === "DenyChangingTheLockTable")).toBeUndefined();
  });

  it("matches a state key given by alias through kms:ResourceAliases", () => {
    const { tf } = synth(BootstrapStack, withCi("dev", {}, { backend: { kmsKeyId: "alias/platform-state" } }));
    expect(statements(tf, "github_plan_state").find((x) => x.Sid === "StateKey")).toMatchObject({
      Resource: "arn:aws:kms:us-west-2:111111111111:key/*",
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/platform-state" } },
    });
  });

  it("lets both roles assume the provider's and the backend's roles when the environment uses them", () => {
    const { tf } = synth(
      BootstrapStack,
      withCi(
        "dev",
        {},
        {
          aws: { assumeRole: { roleArn: "arn:aws:iam::111111111111:role/deployer" } },
          backend: { roleArn: "arn:aws:iam::999999999999:role/state" },
        },
      ),
    );
    for (const p of ["github_plan_state", "github_apply_state"]) {
      expect(statements(tf, p).find((x) => x.Sid === "AssumeDeploymentRoles")).toMatchObject({
        Action: "sts:AssumeRole",
        Resource: ["arn:aws:iam::111111111111:role/deployer", "arn:aws:iam::999999999999:role/state"],
      });
    }
  });

  it("keeps role names within IAM's 64 characters for the longest project and environment names", () => {
    const cfg = { project: "p".repeat(20), environment: "e".repeat(12) };
    expect(ciRoleName(cfg, "apply").length).toBeLessThanOrEqual(64);
  });

  it("refuses a subject that is not an exact repository claim", () => {
    const app = Testing.app();
    const stack = new BootstrapStack(app, env("dev"));
    const props = (subject: string) => ({
      partition: "aws",
      accountId: "111111111111",
      state: { bucket: "b", keyPrefix: "p", region: "us-west-2" },
      plan: { name: "plan", description: "d", managedPolicyArns: [], subjects: ["repo:acme/x:pull_request"] },
      apply: {
        name: "apply",
        description: "d",
        managedPolicyArns: [],
        subject,
        iam: {
          namePrefix: "x-",
          boundaryArn: "arn:aws:iam::111111111111:policy/x-permissions-boundary",
          attachablePolicyArns: () => [],
          passedToServices: () => [],
        },
      },
    });
    expect(() => new CiIdentity(stack, "ci_wild", props("repo:acme/*:environment:prod"))).toThrow(/not an exact/);
    expect(() => new CiIdentity(stack, "ci_bad", props("environment:prod"))).toThrow(/not an exact/);
  });
});

describe("ci config section", () => {
  const refused = (overrides: Record<string, unknown>): string => {
    try {
      envWith("dev", overrides);
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    throw new Error("the configuration was accepted");
  };

  it("defaults to no CI identity, one OIDC provider, plan from main, ReadOnlyAccess / PowerUserAccess", () => {
    expect(CiSchema.parse(undefined)).toEqual({
      github: { createOidcProvider: true, planBranches: ["main"] },
      plan: { managedPolicies: ["ReadOnlyAccess"], deniedActions: ["secretsmanager:GetSecretValue"] },
      apply: {
        managedPolicies: ["PowerUserAccess"],
        attachablePolicies: [],
        sessionDurationSeconds: 7200,
      },
    });
  });

  it("refuses a repository that is not owner/name", () => {
    expect(refused({ ci: { github: { repository: "petclinic-platform" } } })).toMatch(
      /ci\.github\.repository: expected a GitHub repository as owner\/name/,
    );
    expect(refused({ ci: { github: { repository: "acme/platform/extra" } } })).toMatch(/ci\.github\.repository/);
    expect(refused({ ci: { github: { repository: "-acme/platform" } } })).toMatch(/ci\.github\.repository/);
  });

  it("refuses wildcard branches, bad GitHub environments, session lengths and policy names", () => {
    expect(refused({ ci: { github: { repository: REPO, planBranches: ["release/*"] } } })).toMatch(
      /ci\.github\.planBranches\[0\]: expected a branch name without wildcards/,
    );
    expect(refused({ ci: { github: { repository: REPO, environment: "prod env" } } })).toMatch(/ci\.github\.environment/);
    expect(refused({ ci: { apply: { sessionDurationSeconds: 600 } } })).toMatch(
      /ci\.apply\.sessionDurationSeconds: expected a session length in seconds from 3600 to 43200/,
    );
    expect(refused({ ci: { plan: { managedPolicies: ["Read Only"] } } })).toMatch(/ci\.plan\.managedPolicies\[0\]/);
    expect(refused({ ci: { gitub: {} } })).toMatch(/did you mean github/);
  });
});

describe("blue/green with the CI identity (examples/business-suite/prod.yaml + ci.github)", () => {
  // The apply failure of issue 10: the application layer attaches AWSCodeDeployRoleForECS to the
  // CodeDeploy role, which a hand-kept allow-list did not name.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ci-bg-"));
  const file = path.join(dir, "prod-ci.yaml");
  fs.writeFileSync(
    file,
    `extends: ${path.resolve(__dirname, "..", "examples", "business-suite", "prod")}\nci:\n  github:\n    repository: ${REPO}\n`,
  );
  const cfg = loadConfigFile(file).config;
  fs.rmSync(dir, { recursive: true, force: true });
  const platform = synthesizeEnvironment("business-suite-prod-ci", cfg);
  const iam = statements(platform.stacks.get("bootstrap")!, "github_apply_iam");
  const codeDeploy = "arn:aws:iam::aws:policy/AWSCodeDeployRoleForECS";

  it("attaches AWSCodeDeployRoleForECS in the application layer", () => {
    expect(managedPolicyArns(platform.stacks.get("application")!)).toContain(codeDeploy);
  });

  it("lets the apply role attach it (derived from the layers), with the boundary on the role", () => {
    const known = iam.find((x) => x.Sid === "AttachKnownPolicies")!;
    expect(list((known.Condition as Record<string, Record<string, unknown>>).ArnEquals["iam:PolicyARN"])).toContain(codeDeploy);
    expect((known.Condition as Record<string, Record<string, unknown>>).StringEquals["iam:PermissionsBoundary"]).toBe(
      `arn:aws:iam::${cfg.aws.accountId}:policy/bsuite-prod-permissions-boundary`,
    );
  });

  it("lets the apply role pass the CodeDeploy role to CodeDeploy", () => {
    const pass = iam.find((x) => x.Sid === "PassPlatformRoles")!;
    expect(list((pass.Condition as Record<string, Record<string, unknown>>).StringEquals["iam:PassedToService"])).toContain(
      "codedeploy.amazonaws.com",
    );
  });
});
