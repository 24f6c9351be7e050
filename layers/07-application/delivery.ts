/**
 * Configuration of application delivery (`delivery:`): who may ship the application itself (images,
 * task definitions, service roll-outs, the front end's files) from the application's repository.
 *
 * Off until `delivery.github.repository` is set. Then layer 07 (application) creates the role
 * `<project>-<env>-app-delivery`, trusted only by GitHub Actions jobs of that repository that run in
 * the GitHub environment `environment` (and, if listed, pushes to `branches`), with exactly the
 * permissions a deploy needs on this environment's repositories, services, task roles and (blue/green)
 * deployment groups; layer 11 (frontend) adds the site bucket and the distribution's invalidations
 * when it serves the site from S3 + CloudFront. See modules/delivery-role.ts and docs/operations.md
 * ("Application delivery").
 *
 * The role trusts the account's GitHub OIDC provider, which the bootstrap stack creates with the CI
 * identity: delivery needs `ci.github.repository` set (with `ci.github.createOidcProvider: false`
 * another environment of the account creates it).
 */
import { z } from "zod";
import { partitionOf } from "../../core/config/regions";
import type { PlatformConfig } from "../../core/config/types";
import type { Rule, SemanticIssue } from "../../core/config/types";
import { BRANCH_RE, GITHUB_ENVIRONMENT_RE, GITHUB_OIDC_HOST, GITHUB_REPOSITORY_RE, sessionSeconds } from "../bootstrap/config";
import { matching } from "../../core/config/fields";
import { layerOn } from "../../core/config/layer-switch";

const REPOSITORY_ERROR = "a GitHub repository as owner/name, such as acme/web-app (letters, digits, - . _)";
const ENVIRONMENT_ERROR = "a GitHub environment name (letters, digits, _ . -)";
const BRANCH_ERROR = "a branch name without wildcards, such as main";

const GithubSchema = z
  .strictObject({
    repository: matching(GITHUB_REPOSITORY_RE, REPOSITORY_ERROR)
      .optional()
      .describe(
        "The application's repository, whose GitHub Actions jobs may assume this environment's delivery role, exactly as GitHub spells it (the OIDC subject is compared case-sensitively). Unset (default): no delivery role.",
      ),
    environment: matching(GITHUB_ENVIRONMENT_RE, ENVIRONMENT_ERROR)
      .optional()
      .describe(
        "GitHub environment of the application repository's deploy job; the role trusts repo:<repository>:environment:<this>. Give it required reviewers where a person must approve a release and allow only the default branch to deploy. Default: the platform environment name.",
      ),
    branches: z
      .array(matching(BRANCH_RE, BRANCH_ERROR))
      .max(5, { error: "at most 5 branches" })
      .default([])
      .describe(
        "Branches whose pushes may also assume the role from a job without a GitHub environment (repo:<repository>:ref:refs/heads/<branch>). Such jobs skip the environment's reviewers: leave empty where a release needs approval. Default: none.",
      ),
  })
  .prefault({})
  .describe("The application repository and the GitHub environment (OIDC subject) its deploy jobs run in.");

export const DeliverySchema = z
  .strictObject({
    github: GithubSchema,
    sessionDurationSeconds: sessionSeconds(900, 3600).describe(
      "Longest session of the delivery role: a deploy job builds, pushes and waits for the service to become stable (or a blue/green deployment to finish) with one set of credentials. Default: 3600.",
    ),
  })
  .prefault({})
  .describe(
    "Application delivery from the application's repository: a GitHub OIDC role per environment that pushes images, rolls the services and publishes the front end, on this environment's resources only. Off until delivery.github.repository is set.",
  );

export type DeliveryConfig = z.output<typeof DeliverySchema>;

/** Names of an environment's delivery role, from config alone; undefined when delivery is off. */
export interface DeliveryTarget {
  readonly repository: string;
  readonly githubEnvironment: string;
  readonly roleName: string;
  readonly roleArn: string;
  readonly oidcProviderArn: string;
  /** The `sub` claims the role accepts, environment first. */
  readonly subjects: readonly string[];
  readonly sessionSeconds: number;
}

/** `<project>-<env>-app-delivery` (project ≤ 20 and environment ≤ 12 characters keep it within 64). */
export function deliveryRoleName(cfg: Pick<PlatformConfig, "project" | "environment">): string {
  return `${cfg.project}-${cfg.environment}-app-delivery`;
}

export function deliveryTarget(cfg: Pick<PlatformConfig, "project" | "environment" | "aws" | "delivery">): DeliveryTarget | undefined {
  const gh = cfg.delivery.github;
  if (!gh.repository) return undefined;
  const partition = partitionOf(cfg.aws.region);
  const githubEnvironment = gh.environment ?? cfg.environment;
  const roleName = deliveryRoleName(cfg);
  return {
    repository: gh.repository,
    githubEnvironment,
    roleName,
    roleArn: `arn:${partition}:iam::${cfg.aws.accountId}:role/${roleName}`,
    oidcProviderArn: `arn:${partition}:iam::${cfg.aws.accountId}:oidc-provider/${GITHUB_OIDC_HOST}`,
    subjects: [
      `repo:${gh.repository}:environment:${githubEnvironment}`,
      ...gh.branches.map((b) => `repo:${gh.repository}:ref:refs/heads/${b}`),
    ],
    sessionSeconds: cfg.delivery.sessionDurationSeconds,
  };
}

/**
 * Delivery needs the account's GitHub OIDC provider (created by the bootstrap stack with the CI
 * identity) and the application layer (where the role and what it deploys live); branches make
 * sense only with a repository.
 */
const deliveryRule: Rule = (cfg) => {
  const gh = cfg.delivery.github;
  const issues: SemanticIssue[] = [];
  if (!gh.repository) {
    if (gh.environment !== undefined)
      issues.push({ path: ["delivery", "github", "environment"], expected: "no GitHub environment without delivery.github.repository" });
    if (gh.branches.length)
      issues.push({
        path: ["delivery", "github", "branches"],
        expected: "no branches without delivery.github.repository",
        found: gh.branches.join(", "),
      });
    return issues;
  }
  if (!cfg.ci.github.repository) {
    issues.push({
      path: ["delivery", "github", "repository"],
      expected:
        "ci.github.repository set as well (the delivery role trusts the account's GitHub OIDC provider, which the bootstrap stack creates with the CI identity)",
      found: `${JSON.stringify(gh.repository)} with no CI identity`,
      hint: "set ci.github.repository; with ci.github.createOidcProvider false when another environment of the account creates the provider",
    });
  }
  if (!layerOn(cfg, "application")) {
    issues.push({
      path: ["delivery", "github", "repository"],
      expected: "the application layer enabled (the delivery role lives there, beside the repositories and services it deploys)",
      found: `${JSON.stringify(gh.repository)} with layers.application.enabled false`,
    });
  }
  return issues;
};

export const deliveryRules: readonly Rule[] = [deliveryRule];
