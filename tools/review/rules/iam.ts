/** IAM rules: wildcard actions, wildcard resources, open trust policies, user policies, admin policies. */
import type { RuleChecks, RuleCode } from "../policy";
import { blocks, str, strings } from "../tf";
import { check, identityPolicies, isUnrestrictable, pass, statements, type Statement, perResource } from "./helpers";
import type { EnvModel, Resource } from "../model";
import { checkIamData, type StacksJson } from "../iam-data";

interface Doc {
  resource: Resource;
  where: string;
  stmts: Statement[] | undefined;
}

function docs(model: EnvModel): Doc[] {
  return identityPolicies(model).map((p) => ({ resource: p.resource, where: p.where, stmts: statements(model, p.resource, p.value) }));
}

/** A rule on identity policies: one check per policy document; `bad` lists what is wrong with an Allow statement. */
function perStatement(bad: (s: Statement) => string | undefined): RuleCode {
  return {
    types: ["aws_iam_policy", "aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy", "aws_iam_role"],
    check: ({ model }) =>
      docs(model).map((d) => {
        if (!d.stmts) return pass(d.resource, "policy not readable (expression)");
        const problems = d.stmts
          .filter((s) => s.effect === "Allow")
          .map((s) => ({ s, why: bad(s) }))
          .filter((x) => x.why);
        return check(
          d.resource,
          problems.length === 0,
          problems.map(({ s, why }) => `${d.where}${s.sid ? ` ${s.sid}` : ""}: ${why}`).join("; "),
        );
      }),
  };
}

export const iamChecks: RuleChecks = {
  "PK-IAM-001": perStatement((s) =>
    s.actions.some((a) => a === "*" || a === "*:*")
      ? `Action "*"${s.resources.includes("*") ? ' on Resource "*" (full admin)' : ""}`
      : s.notActions.length
        ? "NotAction in an Allow grants everything else"
        : undefined,
  ),
  "PK-IAM-002": perStatement((s) => {
    const wide = s.actions.filter((a) => /^[a-z0-9-]+:\*$/i.test(a));
    return wide.length ? `${wide.join(", ")}` : undefined;
  }),
  "PK-IAM-003": perStatement((s) => {
    const partial = s.actions.filter((a) => a.includes("*") && !/^[a-z0-9-]+:\*$/i.test(a) && a !== "*" && a !== "*:*");
    return partial.length ? partial.join(", ") : undefined;
  }),
  "PK-IAM-004": perStatement((s) => {
    if (!s.resources.includes("*") || s.hasCondition) return undefined;
    const scoped = s.actions.filter((a) => a !== "*" && !isUnrestrictable(a));
    return scoped.length ? `${scoped.join(", ")} on Resource "*"` : undefined;
  }),
  "PK-IAM-005": perResource({
    types: ["aws_iam_role"],
    each: (r, { model }) => {
      const stmts = statements(model, r, r.attrs.assume_role_policy);
      if (!stmts) return pass(r, "trust policy not readable (expression)");
      const open = stmts.filter((s) => s.effect === "Allow" && s.principals.some((p) => p === "*") && !s.hasCondition);
      return check(r, open.length === 0, "any AWS principal may assume the role");
    },
  }),
  "PK-IAM-006": {
    types: ["aws_iam_user_policy", "aws_iam_user_policy_attachment", "aws_iam_policy_attachment"],
    check: ({ model }) => [
      ...model.resources(["aws_iam_user_policy", "aws_iam_user_policy_attachment"]).map((p) => check(p, false, "a policy on an IAM user")),
      ...model.resources("aws_iam_policy_attachment").map((p) => check(p, strings(p.attrs.users).length === 0, "attached to IAM users")),
    ],
  },
  "PK-IAM-007": {
    types: ["aws_iam_role_policy_attachment", "aws_iam_policy_attachment", "aws_iam_group_policy_attachment", "aws_iam_role"],
    check: ({ model }) => {
      const admin = (arn: unknown) => /:policy\/(AdministratorAccess|PowerUserAccess|IAMFullAccess)$/.test(String(arn ?? ""));
      return [
        ...model
          .resources([
            "aws_iam_role_policy_attachment",
            "aws_iam_policy_attachment",
            "aws_iam_group_policy_attachment",
            "aws_iam_user_policy_attachment",
          ])
          .map((a) => check(a, !admin(a.attrs.policy_arn), `attaches ${String(a.attrs.policy_arn)}`)),
        ...model.resources("aws_iam_role").map((r) => {
          const arns = [...strings(r.attrs.managed_policy_arns), ...blocks(r.attrs.managed_policy_arns).map((b) => str(b.arn) ?? "")];
          return check(r, !arns.some(admin), `managed_policy_arns includes ${arns.filter(admin).join(", ")}`);
        }),
      ];
    },
  },
  "PK-IAM-008": {
    types: [
      "aws_iam_role",
      "aws_iam_role_policy",
      "aws_iam_policy",
      "aws_s3_bucket_policy",
      "aws_sns_topic_policy",
      "aws_sqs_queue_policy",
      "aws_kms_key",
      "aws_lambda_permission",
      "aws_kms_grant",
    ],
    check: ({ model }) => {
      const report = checkIamData(new Map(model.stacks.map((s) => [s.name, s.tf])) as unknown as StacksJson);
      return [...report.checked].flatMap((id) => {
        const r = model.resource(id);
        if (!r) return [];
        const problems = report.findings.filter((f) => `${f.stack}/${f.address}` === id);
        return [check(r, problems.length === 0, problems.map((f) => `${f.where}: ${f.kind} ${f.value}: ${f.message}`).join("; "))];
      });
    },
  },
  "PK-IAM-009": {
    types: ["aws_iam_role"],
    check: ({ model }) => {
      // The boundary the bootstrap stack creates, when the environment's bootstrap stack is in the model.
      const boundary = model.resources("aws_iam_policy").find((r) => r.stack === "bootstrap" && r.name === "permissions_boundary");
      const name = boundary ? str(boundary.attrs.name) : undefined;
      return model
        .resources("aws_iam_role")
        .filter((r) => r.stack !== "bootstrap")
        .map((r) => {
          const pb = str(r.attrs.permissions_boundary);
          if (!pb) return check(r, false, "no permissions boundary: nothing caps what a policy written to this role grants");
          return check(r, !name || pb.endsWith(`:policy/${name}`), `permissions boundary ${pb} is not the platform's ${name}`);
        });
    },
  },
};
