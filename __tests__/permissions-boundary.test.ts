/**
 * The permissions boundary and the CI apply role that may only create bounded roles
 * (core/permissions-boundary.ts, modules/ci-identity.ts; issue 10). The apply role's synthesized
 * policies are evaluated with tools/review/iam-eval.ts the way IAM would, with the request context
 * CreateRole / PutRolePolicy / PassRole carry, to show it cannot mint itself an administrator role.
 */
import { boundaryDocument, permissionsBoundary } from "../core/permissions-boundary";
import { evaluate, type PolicyDoc, type Request } from "../tools/review/iam-eval";
import { rolesWithoutBoundary, type StackJson } from "../tools/review/boundary";
import { ALL_ENVIRONMENTS, synthesizeEnvironment } from "./fixtures/all-environments";
import { envWith, policy, resource, resources } from "./helpers";

/**
 * The AWS managed policy PowerUserAccess (the apply role's default), as AWS publishes it:
 * https://docs.aws.amazon.com/aws-managed-policy/latest/reference/PowerUserAccess.html
 */
const POWER_USER_ACCESS: PolicyDoc = {
  Statement: [
    { Effect: "Allow", NotAction: ["iam:*", "organizations:*", "account:*"], Resource: "*" },
    {
      Effect: "Allow",
      Action: [
        "iam:CreateServiceLinkedRole",
        "iam:DeleteServiceLinkedRole",
        "iam:ListRoles",
        "organizations:DescribeOrganization",
        "account:ListRegions",
        "account:GetAccountInformation",
      ],
      Resource: "*",
    },
  ],
};

const cfg = envWith("prod", { ci: { github: { repository: "acme/petclinic-platform" } } });
const target = permissionsBoundary(cfg);
const platform = synthesizeEnvironment("prod-with-ci", cfg);
const bootstrap = platform.stacks.get("bootstrap")!;
const account = cfg.aws.accountId;
const role = (n: string) => `arn:aws:iam::${account}:role/${n}`;
const applyPolicies: PolicyDoc[] = [
  ...Object.entries(resources(bootstrap, "aws_iam_role_policy"))
    .filter(([n]) => n.startsWith("github_apply_"))
    .map(([, p]) => policy(p.policy) as PolicyDoc),
  POWER_USER_ACCESS,
];
const apply = (req: Request) => evaluate(applyPolicies, req);

describe("the CI apply role", () => {
  it("reads the synthesized apply role's policies (state, iam, guardrails)", () => {
    expect(
      Object.keys(resources(bootstrap, "aws_iam_role_policy"))
        .filter((n) => n.startsWith("github_apply_"))
        .sort(),
    ).toEqual(["github_apply_guardrails", "github_apply_iam", "github_apply_state"]);
  });

  it("creates, writes and attaches to a platform role only with the platform's boundary on it", () => {
    const r = role("petclinic-prod-orders-task");
    for (const action of ["iam:CreateRole", "iam:PutRolePolicy", "iam:PutRolePermissionsBoundary"]) {
      expect(apply({ action, resource: r, context: { "iam:PermissionsBoundary": target.arn } })).toBe("allow");
      expect(apply({ action, resource: r })).toBe("implicit-deny");
      expect(
        apply({ action, resource: r, context: { "iam:PermissionsBoundary": `arn:aws:iam::${account}:policy/petclinic-prod-wide-open` } }),
      ).toBe("implicit-deny");
    }
    const attach = (policyArn: string, bounded: boolean) =>
      apply({
        action: "iam:AttachRolePolicy",
        resource: r,
        context: { "iam:PolicyARN": policyArn, ...(bounded ? { "iam:PermissionsBoundary": target.arn } : {}) },
      });
    expect(attach("arn:aws:iam::aws:policy/AdministratorAccess", true)).toBe("implicit-deny");
    expect(attach("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", true)).toBe("allow");
    expect(attach("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", false)).toBe("implicit-deny");
    expect(attach(`arn:aws:iam::${account}:policy/petclinic-prod-parameters-read`, true)).toBe("allow");
    // The boundary grants broadly (NotAction): it may never become a permissions policy.
    expect(attach(target.arn, true)).toBe("deny");
  });

  it("cannot create a role outside the platform's names, even with the boundary", () => {
    expect(
      apply({ action: "iam:CreateRole", resource: role("break-glass-admin"), context: { "iam:PermissionsBoundary": target.arn } }),
    ).toBe("implicit-deny");
  });

  it("cannot change, delete or detach the boundary", () => {
    for (const action of ["iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]) {
      expect(apply({ action, resource: target.arn })).toBe("deny");
    }
    expect(apply({ action: "iam:DeleteRolePermissionsBoundary", resource: role("petclinic-prod-orders-task") })).toBe("deny");
    // Another platform policy stays manageable.
    expect(apply({ action: "iam:CreatePolicyVersion", resource: `arn:aws:iam::${account}:policy/petclinic-prod-parameters-read` })).toBe(
      "allow",
    );
  });

  it("cannot edit its own role or the plan role", () => {
    for (const n of ["petclinic-prod-github-apply", "petclinic-prod-github-plan"]) {
      for (const action of [
        "iam:PutRolePolicy",
        "iam:AttachRolePolicy",
        "iam:UpdateAssumeRolePolicy",
        "iam:PutRolePermissionsBoundary",
        "iam:DeleteRolePolicy",
      ]) {
        expect(
          apply({
            action,
            resource: role(n),
            context: { "iam:PermissionsBoundary": target.arn, "iam:PolicyARN": `arn:aws:iam::${account}:policy/petclinic-prod-x` },
          }),
        ).toBe("deny");
      }
    }
  });

  it("passes the platform's roles only to the services that use them", () => {
    const r = role("petclinic-prod-orders-task");
    expect(apply({ action: "iam:PassRole", resource: r, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } })).toBe("allow");
    expect(apply({ action: "iam:PassRole", resource: r, context: { "iam:PassedToService": "ec2.amazonaws.com" } })).toBe("implicit-deny");
    expect(apply({ action: "iam:PassRole", resource: r })).toBe("implicit-deny");
    expect(
      apply({
        action: "iam:PassRole",
        resource: role("petclinic-prod-github-apply"),
        context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" },
      }),
    ).toBe("deny");
    expect(
      apply({ action: "iam:PassRole", resource: role("other-team-admin"), context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }),
    ).toBe("implicit-deny");
  });

  it("would have been able to mint an unbounded role with the old policy (the evaluator sees the difference)", () => {
    const old: PolicyDoc = {
      Statement: [{ Effect: "Allow", Action: ["iam:CreateRole", "iam:PutRolePolicy"], Resource: role("petclinic-prod-*") }],
    };
    expect(evaluate([old], { action: "iam:CreateRole", resource: role("petclinic-prod-admin") })).toBe("allow");
  });
});

describe("the boundary", () => {
  const boundary = policy(resource(bootstrap, "aws_iam_policy", "permissions_boundary").policy) as PolicyDoc;
  const wide: PolicyDoc = { Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };
  const bounded = (req: Request) => evaluate([wide], req, boundary);

  it("is created by bootstrap under its deterministic name, with the document the layers expect", () => {
    expect(resource(bootstrap, "aws_iam_policy", "permissions_boundary").name).toBe("petclinic-prod-permissions-boundary");
    expect(target.arn).toBe(`arn:aws:iam::${account}:policy/petclinic-prod-permissions-boundary`);
    expect(boundary).toEqual(JSON.parse(boundaryDocument(target)));
  });

  it("keeps even an administrator policy from escalating: no users, keys, roles, policy writes or boundary changes", () => {
    for (const action of [
      "iam:CreateUser",
      "iam:CreateAccessKey",
      "iam:CreateRole",
      "iam:PutRolePolicy",
      "iam:AttachRolePolicy",
      "iam:DeleteRolePermissionsBoundary",
    ]) {
      expect(`${action} ${bounded({ action, resource: "*" })}`).not.toBe(`${action} allow`);
    }
    expect(bounded({ action: "iam:CreatePolicyVersion", resource: target.arn })).toBe("deny");
    expect(bounded({ action: "organizations:LeaveOrganization", resource: "*" })).toBe("implicit-deny");
  });

  it("lets workload roles do what their own policies grant outside IAM, and pass the platform's roles", () => {
    expect(bounded({ action: "s3:GetObject", resource: "arn:aws:s3:::petclinic-prod-docs/x" })).toBe("allow");
    expect(bounded({ action: "ecs:CreateTaskSet", resource: "*" })).toBe("allow");
    expect(bounded({ action: "iam:PassRole", resource: role("petclinic-prod-orders-task") })).toBe("allow");
    expect(bounded({ action: "iam:PassRole", resource: role("other-admin") })).toBe("implicit-deny");
  });
});

describe.each(ALL_ENVIRONMENTS)("%s", (name) => {
  it("puts the permissions boundary on every role of every layer", () => {
    const e = synthesizeEnvironment(name);
    const arn = permissionsBoundary(e.config).arn;
    const roles = [...e.stacks].filter(([s]) => s !== "bootstrap").flatMap(([, j]) => Object.keys(resources(j, "aws_iam_role")));
    expect(roles.length).toBeGreaterThan(0);
    expect(rolesWithoutBoundary(e.stacks, arn)).toEqual([]);
    expect(resource(e.stacks.get("bootstrap")!, "aws_iam_policy", "permissions_boundary").name).toBe(permissionsBoundary(e.config).name);
  });
});

describe("rolesWithoutBoundary", () => {
  it("flags a layer role without the boundary or with another one, not the bootstrap's CI roles", () => {
    const arn = "arn:aws:iam::111111111111:policy/p-dev-permissions-boundary";
    const stacks = new Map<string, StackJson>([
      ["bootstrap", { resource: { aws_iam_role: { github_apply: {} } } }],
      [
        "security",
        {
          resource: {
            aws_iam_role: {
              ok: { permissions_boundary: arn },
              bare: {},
              other: { permissions_boundary: "arn:aws:iam::111111111111:policy/x" },
            },
          },
        },
      ],
    ]);
    expect(rolesWithoutBoundary(stacks, arn)).toEqual([
      "security aws_iam_role.bare (permissions_boundary null)",
      'security aws_iam_role.other (permissions_boundary "arn:aws:iam::111111111111:policy/x")',
    ]);
  });
});
