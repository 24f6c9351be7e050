/**
 * Application delivery: each role an application repository's GitHub Actions jobs assume (OIDC
 * federation, created by a layer rather than by the bootstrap stack: modules/delivery-role.ts) ->
 * every step of a deploy, judged on the role's own policies with the request context the step sends:
 *
 * - per ECS service: log in to ECR, push to the repository its image comes from, register a revision
 *   of its task definition family, pass its task and execution roles (iam:PassedToService
 *   ecs-tasks.amazonaws.com), then roll it: ecs:UpdateService (rolling) or, for a service under a
 *   CodeDeploy deployment group, register the revision and create the deployment on that group;
 * - per CloudFront distribution with an S3 origin: list the bucket, put and delete objects (the
 *   bucket's KMS key through S3, when it has one) and invalidate the distribution.
 */
import type { Resource } from "../model";
import { block, blocks } from "../tf";
import type { FlowContext } from "./context";
import { statementsOf } from "./iam";
import { isIdentityPoolRole } from "./identity-pool";
import { hop, makeFlow, type Flow, type Hop } from "./types";

/** What `docker push` calls on the repository. */
const PUSH = [
  "ecr:BatchCheckLayerAvailability",
  "ecr:InitiateLayerUpload",
  "ecr:UploadLayerPart",
  "ecr:CompleteLayerUpload",
  "ecr:PutImage",
];

/** A role GitHub Actions assumes through OIDC that a layer (not the bootstrap stack's CI identity) creates. */
export function isDeliveryRole(role: Resource): boolean {
  return (
    role.stack !== "bootstrap" &&
    !isIdentityPoolRole(role) &&
    statementsOf(role.attrs.assume_role_policy).some((s) => String(s.Action ?? "").includes("AssumeRoleWithWebIdentity"))
  );
}

export function appDeliveryFlows(c: FlowContext): Flow[] {
  const out: Flow[] = [];
  const arn = (service: string, resource: string) => `arn:${c.env.partition}:${service}:${c.env.region}:${c.env.accountId}:${resource}`;
  for (const role of c.model.resources("aws_iam_role").filter(isDeliveryRole)) {
    const from = `delivery role ${c.sym.nameOf(role)}`;
    const login = c.roleToArn(role, "ecr:GetAuthorizationToken", "*", "ECR login");

    for (const svc of c.model.resources("aws_ecs_service")) {
      const hops: Hop[] = [login];
      const td = c.model.resolve(svc.stack, svc.config.task_definition).find((r) => r.type === "aws_ecs_task_definition");
      // The repository the service's image comes from: a reference to its repository_url, or a literal ECR image URL.
      const images = td ? parseContainers(td.config.container_definitions) : [];
      const repos = td
        ? c.model
            .resources("aws_ecr_repository")
            .filter(
              (r) =>
                c.model.resolve(td.stack, td.config.container_definitions).some((x) => x.id === r.id) ||
                images.some((i) => imageRepository(i) === c.sym.nameOf(r)),
            )
        : [];
      if (!repos.length && td)
        hops.push(
          hop(
            "identity",
            "image",
            true,
            `${images.join(", ") || "the image"} is not in a platform repository: the deploy does not push it`,
          ),
        );
      for (const repo of repos) for (const action of PUSH) hops.push(c.roleToResource(role, action, repo));
      if (td) {
        const family = c.sym.literal(td, "family") ?? "";
        hops.push(c.roleToArn(role, "ecs:RegisterTaskDefinition", arn("ecs", `task-definition/${family}:1`), `task definition ${family}`));
        for (const key of ["task_role_arn", "execution_role_arn"]) {
          const passed = c.model.resolve(td.stack, td.config[key]).find((r) => r.type === "aws_iam_role");
          if (passed)
            hops.push(
              c.roleToArn(
                role,
                "iam:PassRole",
                c.sym.arn(passed),
                `${key.replace(/_arn$/, "").replace("_", " ")} ${c.sym.nameOf(passed)} to ECS tasks`,
                { "iam:passedtoservice": ["ecs-tasks.amazonaws.com"] },
              ),
            );
        }
      } else
        hops.push(
          hop(
            "identity",
            "task definition",
            false,
            `${c.label(svc)} has no task definition in the model`,
            "give the service a task definition",
          ),
        );
      const cluster = c.model.resolve(svc.stack, svc.config.cluster).find((r) => r.type === "aws_ecs_cluster");
      const clusterName = cluster ? c.sym.nameOf(cluster) : "default";
      const serviceName = c.sym.literal(svc, "name") ?? svc.name;
      const group = c.model
        .resources("aws_codedeploy_deployment_group")
        .find((g) => blocks(g.config.ecs_service).some((e) => c.model.resolve(g.stack, e.service_name).some((r) => r.id === svc.id)));
      if (group) {
        const app = c.sym.render(group.stack, String(group.config.app_name ?? ""));
        const name = c.sym.render(group.stack, String(group.config.deployment_group_name ?? group.name));
        hops.push(
          c.roleToArn(
            role,
            "codedeploy:RegisterApplicationRevision",
            arn("codedeploy", `application:${app}`),
            `CodeDeploy application ${app}`,
          ),
        );
        for (const action of ["codedeploy:CreateDeployment", "codedeploy:GetDeployment"])
          hops.push(c.roleToArn(role, action, arn("codedeploy", `deploymentgroup:${app}/${name}`), `deployment group ${app}/${name}`));
      } else {
        hops.push(
          c.roleToArn(
            role,
            "ecs:UpdateService",
            arn("ecs", `service/${clusterName}/${serviceName}`),
            `service ${clusterName}/${serviceName}`,
          ),
        );
      }
      out.push(
        makeFlow(
          `delivery:${role.name}->${svc.stack}/${svc.name}`,
          "delivery",
          from,
          `${group ? "blue/green " : ""}service ${serviceName}`,
          hops,
        ),
      );
    }

    for (const dist of c.model.resources("aws_cloudfront_distribution")) {
      const origins = blocks(dist.config.origin);
      const bucket = origins.flatMap((o) => c.model.resolve(dist.stack, o.domain_name)).find((r) => r.type === "aws_s3_bucket");
      if (!bucket) continue; // an API-only distribution: nothing to publish
      const objects = `${c.sym.arn(bucket)}/index.html`;
      const hops: Hop[] = [
        c.roleToResource(role, "s3:ListBucket", bucket),
        c.roleToResource(role, "s3:PutObject", bucket, objects),
        c.roleToResource(role, "s3:DeleteObject", bucket, objects),
        ...c.roleToKey(role, bucket, "s3", "kms:GenerateDataKey"),
        c.roleToArn(role, "cloudfront:CreateInvalidation", c.sym.arn(dist), `distribution ${c.label(dist)}`),
      ];
      out.push(
        makeFlow(
          `delivery:${role.name}->${dist.stack}/${dist.name}`,
          "delivery",
          from,
          `site ${c.sym.nameOf(bucket)} and its distribution`,
          hops,
        ),
      );
    }
  }
  return out;
}

/** Images of a task definition's containers (container_definitions is a JSON string). */
function parseContainers(value: unknown): string[] {
  if (typeof value !== "string") return [];
  try {
    const list = JSON.parse(value) as unknown;
    return Array.isArray(list) ? list.map((c) => String(block(c)?.image ?? "")).filter(Boolean) : [];
  } catch {
    return [];
  }
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<name>:<tag>` -> `<name>` (undefined for other registries). */
function imageRepository(image: string): string | undefined {
  const m = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/([^:@]+)/.exec(image);
  return m?.[1];
}
