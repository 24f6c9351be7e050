/**
 * The role an application repository's GitHub Actions jobs assume to ship the application (OIDC
 * federation, no stored keys), with exactly what a deploy does and nothing else:
 *
 * - push: `ecr:GetAuthorizationToken` (it takes no resource) and the push actions on exactly the
 *   given repositories;
 * - roll: `ecs:RegisterTaskDefinition` on exactly the given task definition families (any
 *   revision), `ecs:DescribeTaskDefinition` (it takes no resource), `ecs:UpdateService` and
 *   `ecs:DescribeServices` on exactly the given services, and `iam:PassRole` on exactly the task
 *   and execution roles, only to `ecs-tasks.amazonaws.com`;
 * - blue/green (optional): `codedeploy:CreateDeployment` / `GetDeployment` / `GetDeploymentGroup`
 *   on exactly the deployment groups, `RegisterApplicationRevision` / `GetApplicationRevision` on
 *   the application, `GetDeploymentConfig` on the configurations the groups use;
 * - the static site (a second inline policy, `DeliverySitePolicy`, added by the layer that owns the
 *   site): objects of exactly the site bucket, invalidations of exactly the distribution, and the
 *   bucket's KMS key through S3 only.
 *
 * The trust accepts only `sts.amazonaws.com` as audience and exactly the given `sub` claims
 * (StringEquals, no wildcards). Inline policies go through `policyJson` (no `*` actions).
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import { policyJson, type PolicyStatement } from "../core/policy";

const OIDC_HOST = "token.actions.githubusercontent.com";
const STS_AUDIENCE = "sts.amazonaws.com";

/** The ECR actions of `docker push` (and the layer reads a push of a shared base makes). */
export const ECR_PUSH_ACTIONS = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:BatchGetImage",
  "ecr:CompleteLayerUpload",
  "ecr:DescribeImages",
  "ecr:GetDownloadUrlForLayer",
  "ecr:InitiateLayerUpload",
  "ecr:PutImage",
  "ecr:UploadLayerPart",
] as const;

export interface DeliveryBlueGreen {
  /** CodeDeploy application name. */
  readonly applicationName: string;
  /** Its deployment groups the role may deploy. */
  readonly deploymentGroupNames: readonly string[];
  /** Deployment configurations those groups use (CodeDeployDefault.* or custom). */
  readonly deploymentConfigNames: readonly string[];
}

export interface DeliveryRoleProps {
  /** Role name (64 characters at most). */
  readonly name: string;
  readonly description: string;
  /** The account's GitHub OIDC provider. */
  readonly oidcProviderArn: string;
  /** Exact `sub` claims allowed to assume the role (`repo:<owner>/<repo>:environment:<name>`). */
  readonly subjects: readonly string[];
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  /** ECR repository names the role pushes to. */
  readonly repositoryNames: readonly string[];
  /** ECS cluster of the services. */
  readonly clusterName: string;
  /** ECS service names (in `clusterName`) the role rolls (rolling services: UpdateService; all: DescribeServices). */
  readonly serviceNames: readonly string[];
  /** Task definition families the role registers revisions of. */
  readonly taskDefinitionFamilies: readonly string[];
  /** Task and execution roles the task definitions name (passed to ecs-tasks.amazonaws.com only). */
  readonly passRoleArns: readonly string[];
  /** Blue/green services' CodeDeploy resources. @default none (rolling services only) */
  readonly blueGreen?: DeliveryBlueGreen;
}

/** The trust policy: GitHub's OIDC tokens with audience sts.amazonaws.com and exactly these subjects. */
export function githubTrustPolicy(oidcProviderArn: string, subjects: readonly string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "GitHubActionsOidc",
        Effect: "Allow",
        Principal: { Federated: oidcProviderArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${OIDC_HOST}:aud`]: STS_AUDIENCE, [`${OIDC_HOST}:sub`]: [...subjects] } },
      },
    ],
  });
}

export class DeliveryRole extends Construct {
  readonly role: IamRole;
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: DeliveryRoleProps) {
    super(scope, id);
    if (props.name.length > 64) throw new Error(`DeliveryRole ${id}: role name ${props.name} is longer than 64 characters`);
    if (!props.subjects.length) throw new Error(`DeliveryRole ${id}: at least one subject`);
    for (const s of props.subjects) {
      if (!/^repo:[^:*?]+\/[^:*?]+:/.test(s) || /[*?]/.test(s))
        throw new Error(`DeliveryRole ${id}: subject ${JSON.stringify(s)} is not an exact repo:<owner>/<repo>:... claim`);
    }
    if (!props.repositoryNames.length || !props.serviceNames.length)
      throw new Error(`DeliveryRole ${id}: nothing to deploy (no repository or no service)`);

    const { partition, region, accountId } = props;
    const arn = (service: string, resource: string) => `arn:${partition}:${service}:${region}:${accountId}:${resource}`;
    const sorted = (xs: readonly string[]) => [...new Set(xs)].sort();

    this.role = new IamRole(this, "Resource", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: githubTrustPolicy(props.oidcProviderArn, props.subjects),
      maxSessionDuration: props.maxSessionDurationSeconds ?? 3600,
    });

    const bg = props.blueGreen;
    const service = (s: string) => arn("ecs", `service/${props.clusterName}/${s}`);
    const rolling = sorted(props.serviceNames).filter((s) => !bg?.deploymentGroupNames.includes(s));
    const statements: PolicyStatement[] = [
      // GetAuthorizationToken takes no resource: a specific ARN never authorizes it.
      { Sid: "EcrLogin", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      {
        Sid: "PushImages",
        Action: [...ECR_PUSH_ACTIONS],
        Resource: sorted(props.repositoryNames).map((r) => arn("ecr", `repository/${r}`)),
      },
      // DescribeTaskDefinition takes no resource; the workflow reads the family's latest revision.
      { Sid: "ReadTaskDefinitions", Action: "ecs:DescribeTaskDefinition", Resource: "*" },
      {
        Sid: "RegisterTaskDefinitions",
        Action: "ecs:RegisterTaskDefinition",
        Resource: sorted(props.taskDefinitionFamilies).map((f) => arn("ecs", `task-definition/${f}:*`)),
      },
      { Sid: "DescribeServices", Action: "ecs:DescribeServices", Resource: sorted(props.serviceNames).map(service) },
      // Blue/green services change task definitions through CodeDeploy only (its own service role).
      ...(rolling.length ? [{ Sid: "RollServices", Action: "ecs:UpdateService", Resource: rolling.map(service) }] : []),
      {
        // A task definition names its task and execution roles: registering it passes them to ECS.
        Sid: "PassTaskRoles",
        Action: "iam:PassRole",
        Resource: [...new Set(props.passRoleArns)],
        Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
      },
      ...(bg && bg.deploymentGroupNames.length
        ? [
            {
              Sid: "BlueGreenDeployments",
              Action: ["codedeploy:CreateDeployment", "codedeploy:GetDeployment", "codedeploy:GetDeploymentGroup"],
              Resource: sorted(bg.deploymentGroupNames).map((g) => arn("codedeploy", `deploymentgroup:${bg.applicationName}/${g}`)),
            },
            {
              Sid: "BlueGreenRevisions",
              Action: ["codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"],
              Resource: arn("codedeploy", `application:${bg.applicationName}`),
            },
            {
              Sid: "BlueGreenDeploymentConfigs",
              Action: "codedeploy:GetDeploymentConfig",
              Resource: sorted(bg.deploymentConfigNames).map((c) => arn("codedeploy", `deploymentconfig:${c}`)),
            },
          ]
        : []),
    ];
    this.policy = new IamRolePolicy(this, "deploy", { name: "deploy", role: this.role.id, policy: policyJson(statements) });
  }
}

export interface DeliverySitePolicyProps {
  /** The delivery role's name (from the layer that created it). */
  readonly roleName: string;
  readonly partition: string;
  readonly accountId: string;
  /** Site bucket name. */
  readonly bucketName: string;
  /** Distribution id. */
  readonly distributionId: string;
  /** KMS key of the bucket (SSE-KMS) and the region it lives in. @default none (SSE-S3) */
  readonly kms?: { readonly keyArn: string; readonly region: string };
}

/**
 * The static site's part of the delivery role: sync the build output to the bucket (list, put,
 * delete objects) and invalidate the distribution's cache.
 */
export class DeliverySitePolicy extends Construct {
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: DeliverySitePolicyProps) {
    super(scope, id);
    const bucket = `arn:${props.partition}:s3:::${props.bucketName}`;
    const statements: PolicyStatement[] = [
      { Sid: "ListSiteBucket", Action: "s3:ListBucket", Resource: bucket },
      { Sid: "SyncSiteObjects", Action: ["s3:DeleteObject", "s3:PutObject"], Resource: `${bucket}/*` },
      {
        Sid: "InvalidateSite",
        Action: ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
        Resource: `arn:${props.partition}:cloudfront::${props.accountId}:distribution/${props.distributionId}`,
      },
      ...(props.kms
        ? [
            {
              // SSE-KMS: S3 asks for a data key on PutObject (and decrypts parts of a multipart upload).
              Sid: "SiteKeyThroughS3",
              Action: ["kms:Decrypt", "kms:GenerateDataKey"],
              Resource: props.kms.keyArn,
              Condition: { StringEquals: { "kms:ViaService": `s3.${props.kms.region}.amazonaws.com` } },
            },
          ]
        : []),
    ];
    this.policy = new IamRolePolicy(this, "Resource", { name: "site", role: props.roleName, policy: policyJson(statements) });
  }
}
