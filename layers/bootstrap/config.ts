/**
 * Configuration of the CI identity and pipelines (`ci:`): who may plan and apply an environment
 * from GitHub Actions.
 *
 * The bootstrap stack creates, when `ci.github.repository` is set:
 * - the account's GitHub OIDC provider (token.actions.githubusercontent.com, audience
 *   sts.amazonaws.com), unless `createOidcProvider: false` (one per account: when two environments
 *   share an account, exactly one of them creates it);
 * - `<project>-<env>-github-plan`: read-only plus state read and locking, assumable from pull
 *   requests and from pushes to `planBranches` of the repository;
 * - `<project>-<env>-github-apply`: deploys the platform, assumable only from jobs that run in the
 *   GitHub environment `environment` (which carries the required reviewers).
 *
 * The workflows in .github/workflows (npm run workflows) plan and apply every environment that sets
 * a repository. See docs/operations.md.
 */
import { z } from "zod";
import { partitionOf } from "../../core/config/regions";
import type { PlatformConfig } from "../../core/config/types";
import { matching, wholeNumber } from "../../core/config/fields";

/** A role's longest session in seconds, from `min` to IAM's 43,200 (12 hours), defaulting to `fallback`. */
export function sessionSeconds(min: number, fallback: number) {
  const error = `a session length in seconds from ${min} to 43200`;
  return wholeNumber(error, "a whole number of seconds", [min, error], [43200, error]).default(fallback);
}

/** `owner/repo` as GitHub spells it: owner 1-39 of [A-Za-z0-9-] (no leading hyphen), repo 1-100 of [A-Za-z0-9._-]. */
export const GITHUB_REPOSITORY_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/(?!\.\.?$)[A-Za-z0-9._-]{1,100}$/;
/** A GitHub environment name the OIDC subject can carry verbatim (no spaces, no `:`). */
export const GITHUB_ENVIRONMENT_RE = /^[A-Za-z0-9_.-]{1,255}$/;
/** A branch name without wildcards (the trust policy matches it exactly). */
export const BRANCH_RE = /^(?!\/|.*\/\/|.*\/$|.*\.\.)[A-Za-z0-9._/-]{1,255}$/;
/** An AWS managed policy (`ReadOnlyAccess`, `service-role/...`) or a policy ARN. */
export const POLICY_REF_RE =
  /^(?:arn:aws[a-z-]*:iam::(?:aws|\d{12}):policy\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128}|(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,128})$/;
/** An IAM action (`service:Action`, a trailing `*` allowed only in Deny lists). */
export const IAM_ACTION_RE = /^[a-z0-9-]+:[A-Za-z0-9*]+$/;

/** The host and audience of GitHub's OIDC tokens for AWS. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

const REPOSITORY_ERROR = "a GitHub repository as owner/name, such as acme/platform (letters, digits, - . _)";
const POLICY_ERROR = "an AWS managed policy name such as ReadOnlyAccess (service-role/... allowed) or an IAM policy ARN";

const policyRef = matching(POLICY_REF_RE, POLICY_ERROR);

const GithubSchema = z
  .strictObject({
    repository: matching(GITHUB_REPOSITORY_RE, REPOSITORY_ERROR)
      .optional()
      .describe(
        "The repository whose workflows may assume this environment's CI roles, exactly as GitHub spells it (the OIDC subject is compared case-sensitively). " +
          "Unset (default): no CI identity is created and the pipelines leave the environment out.",
      ),
    createOidcProvider: z
      .boolean()
      .default(true)
      .describe(
        "Create the account's GitHub OIDC provider in this environment's bootstrap stack. An account has one provider per URL: when environments share an account, set false in all but one. Default: true.",
      ),
    thumbprints: z
      .array(z.string().regex(/^[0-9a-fA-F]{40}$/, { error: "a SHA-1 thumbprint: 40 hex digits" }))
      .max(5, { error: "at most 5 thumbprints" })
      .optional()
      .describe(
        "Server certificate thumbprints of the OIDC provider. AWS no longer uses them for GitHub (it trusts GitHub's certificate through its own CA library) and hashicorp/aws 5.100.0 makes them optional. Default: none (AWS fills in its own).",
      ),
    environment: matching(GITHUB_ENVIRONMENT_RE, "a GitHub environment name (letters, digits, _ . -)")
      .optional()
      .describe(
        "GitHub environment the apply jobs run in; the apply role trusts only repo:<repository>:environment:<this>. Give it required reviewers (staging, prod) and allow only the default branch to deploy. Default: the platform environment name.",
      ),
    planBranches: z
      .array(
        z.string({ error: "a branch name without wildcards" }).regex(BRANCH_RE, { error: "a branch name without wildcards, such as main" }),
      )
      .min(1, { error: "at least one branch (the branch the deploy pipeline runs on)" })
      .default(["main"])
      .describe(
        "Branches whose pushes may assume the plan role (the deploy pipeline plans there before it applies). Pull requests may always assume it. Default: [main].",
      ),
  })
  .prefault({})
  .describe("GitHub Actions identity: the repository, its OIDC provider and the GitHub environment.");

/** A role's managed policies: at least one, at most 8, with one by default. */
const managedPolicies = (atLeastOne: string, byDefault: string) =>
  z
    .array(policyRef)
    .min(1, { error: atLeastOne })
    .max(8, { error: "at most 8 policies (a role takes 10 attachments by default)" })
    .default([byDefault]);

const PlanSchema = z
  .strictObject({
    managedPolicies: managedPolicies("at least one policy (a plan reads every resource of the layer)", "ReadOnlyAccess").describe(
      "Managed policies of the plan role: what `terraform plan` may read. ReadOnlyAccess covers every service the layers use and new ones without change, but it also reads data (S3 objects, DynamoDB items, parameters); a customer-managed policy listing the Describe/Get/List actions of the platform's services is tighter. Default: [ReadOnlyAccess].",
    ),
    deniedActions: z
      .array(matching(IAM_ACTION_RE, "an IAM action such as secretsmanager:GetSecretValue"))
      .default(["secretsmanager:GetSecretValue"])
      .describe(
        "Actions the plan role is explicitly denied, whatever its managed policies allow. Plans run code from pull requests, so secret values stay out of reach. Default: [secretsmanager:GetSecretValue].",
      ),
  })
  .prefault({})
  .describe("The plan role: read-only, assumed by pull requests and by the deploy pipeline's plan jobs.");

const ApplySchema = z
  .strictObject({
    managedPolicies: managedPolicies("at least one policy", "PowerUserAccess").describe(
      "Managed policies of the apply role. PowerUserAccess grants every service but IAM, Organizations and Account; the role's inline iam policy adds only the IAM the platform needs (its own <project>-<env>-* roles and policies). Default: [PowerUserAccess].",
    ),
    permissionsBoundary: policyRef
      .optional()
      .describe(
        "Permissions boundary of the apply role (a managed policy name or ARN): caps whatever the policies above grant. Default: none.",
      ),
    attachablePolicies: z
      .array(policyRef)
      .default([])
      .describe(
        "Extra AWS managed policies the apply role may attach to the platform's roles. The apply role may already attach every AWS managed policy the synthesized layers attach (derived at synth) and the platform's own <project>-<env>-* policies, always with the permissions boundary on the role; anything else, AdministratorAccess above all, cannot be attached. Default: none.",
      ),
    sessionDurationSeconds: sessionSeconds(3600, 7200).describe(
      "Longest session of the apply role, and what the apply jobs ask for: an apply that outlives its credentials fails half-way (an Aurora cluster or a CloudFront distribution takes 15-30 minutes). Default: 7200.",
    ),
  })
  .prefault({})
  .describe("The apply role: assumed only by jobs in the GitHub environment, after its reviewers approved.");

export const CiSchema = z
  .strictObject({
    github: GithubSchema,
    plan: PlanSchema,
    apply: ApplySchema,
  })
  .prefault({})
  .describe(
    "CI identity (GitHub OIDC provider, plan and apply roles in the bootstrap stack) and the pipelines in .github/workflows. Off until ci.github.repository is set.",
  );

export type CiConfig = z.output<typeof CiSchema>;

/** Names and ARNs of an environment's CI identity; undefined when ci.github.repository is unset. */
export interface CiTarget {
  readonly repository: string;
  /** The GitHub environment of the apply jobs. */
  readonly githubEnvironment: string;
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
  readonly planRoleName: string;
  readonly applyRoleName: string;
  readonly planRoleArn: string;
  readonly applyRoleArn: string;
  readonly oidcProviderArn: string;
  /** The `sub` claims the plan role accepts. */
  readonly planSubjects: readonly string[];
  /** The `sub` claim the apply role accepts. */
  readonly applySubject: string;
  readonly applySessionSeconds: number;
}

/** An IAM role name `<project>-<environment>-<suffix>` (project ≤ 20 and environment ≤ 12 characters keep it within 64). */
export function ciRoleName(cfg: Pick<PlatformConfig, "project" | "environment">, kind: "plan" | "apply"): string {
  return `${cfg.project}-${cfg.environment}-github-${kind}`;
}

/** A managed policy reference as an ARN: names are AWS managed policies of the partition. */
export function policyArn(ref: string, partition: string): string {
  return ref.startsWith("arn:") ? ref : `arn:${partition}:iam::aws:policy/${ref}`;
}

/** The environment's CI identity, computed from config alone (no AWS call), or undefined when CI is off. */
export function ciTarget(cfg: Pick<PlatformConfig, "project" | "environment" | "aws" | "ci">): CiTarget | undefined {
  const gh = cfg.ci.github;
  if (!gh.repository) return undefined;
  const partition = partitionOf(cfg.aws.region);
  const account = cfg.aws.accountId;
  const role = (name: string) => `arn:${partition}:iam::${account}:role/${name}`;
  const githubEnvironment = gh.environment ?? cfg.environment;
  return {
    repository: gh.repository,
    githubEnvironment,
    accountId: account,
    region: cfg.aws.region,
    partition,
    planRoleName: ciRoleName(cfg, "plan"),
    applyRoleName: ciRoleName(cfg, "apply"),
    planRoleArn: role(ciRoleName(cfg, "plan")),
    applyRoleArn: role(ciRoleName(cfg, "apply")),
    oidcProviderArn: `arn:${partition}:iam::${account}:oidc-provider/${GITHUB_OIDC_HOST}`,
    planSubjects: [`repo:${gh.repository}:pull_request`, ...gh.planBranches.map((b) => `repo:${gh.repository}:ref:refs/heads/${b}`)],
    applySubject: `repo:${gh.repository}:environment:${githubEnvironment}`,
    applySessionSeconds: cfg.ci.apply.sessionDurationSeconds,
  };
}
