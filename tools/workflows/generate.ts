/**
 * The GitHub Actions workflows, generated from the layer registry, the implemented layers
 * (layers/index.ts) and the environments that set ci.github.repository:
 *
 * - ci.yml                      every pull request and push: install, test, synth; then validate,
 *                               HCL validate, offline plan (no AWS credentials). Pull requests, after
 *                               the tests: the stacks whose synthesized JSON differs from the base
 *                               (tools/affected.ts), planned per environment with the plan role; the
 *                               plans and the review report in one PR comment.
 * - deploy.yml                  pushes to main: for each environment in promotion order, each
 *                               affected layer after the layers it reads, through layer.yml.
 * - layer.yml                   reusable (workflow_call), the layer's stack name as input: plan with
 *                               the plan role, save the plan; apply that saved plan with the apply
 *                               role in the GitHub environment.
 *
 * Output is deterministic: the same registry and environments give the same text.
 */
import { Document, isMap, isPair, isScalar, isSeq, visit } from "yaml";
import type { CiEnvironment, StackInfo } from "./environments";
import {
  ACTIONS,
  actionRef,
  COMMENT_MARKER,
  DEFAULT_BRANCH,
  GENERATED_HEADER,
  LOCK_TIMEOUT,
  NODE_VERSION,
  PLAN_RETENTION_DAYS,
  REPORT_RETENTION_DAYS,
  RUNNER,
  TERRAFORM_VERSION,
  type PinnedAction,
} from "./settings";

export interface EnvironmentStacks {
  readonly env: CiEnvironment;
  /** Its synthesized stacks (bootstrap first, then layers in registry order). */
  readonly stacks: readonly StackInfo[];
}

export interface GeneratedFile {
  /** File name inside .github/workflows. */
  readonly name: string;
  readonly text: string;
}

export interface GenerateInput {
  /** Every environment of environments/ (ci.yml synthesizes each). */
  readonly environments: readonly string[];
  /** The environments with a CI identity, in promotion order, with their stacks. */
  readonly ci: readonly EnvironmentStacks[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json | undefined };
type Step = Record<string, Json | undefined>;
type Job = Record<string, Json | undefined>;

/** The reusable workflow every layer's deploy job calls with its stack name as `layer`. */
export const LAYER_WORKFLOW_FILE = "layer.yml";

/** A deploy job id: `dev-network`. */
export function deployJobId(env: string, stack: string): string {
  return `${env}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-");
}

// ---------------------------------------------------------------------------------------------
// Steps shared by the workflows

const uses = (a: PinnedAction, extra: Step = {}): Step => ({ uses: actionRef(a), ...extra });

const checkout = (extra: Record<string, Json> = {}): Step => ({
  name: "Check out",
  ...uses(ACTIONS.checkout, { with: { "persist-credentials": false, ...extra } }),
});

const setupNode = (): Step => ({
  name: "Set up Node.js",
  ...uses(ACTIONS.setupNode, { with: { "node-version": NODE_VERSION, cache: "npm" } }),
});

const npmCi = (): Step => ({ name: "Install", run: "npm ci --no-audit --no-fund" });

const setupTerraform = (): Step => ({
  name: `Set up Terraform ${TERRAFORM_VERSION}`,
  // The wrapper rewrites exit codes and output; the scripts read plan's -detailed-exitcode themselves.
  ...uses(ACTIONS.setupTerraform, { with: { terraform_version: TERRAFORM_VERSION, terraform_wrapper: false } }),
});

const awsCredentials = (name: string, role: string, region: string, session: string, durationSeconds?: string): Step => ({
  name,
  ...uses(ACTIONS.awsCredentials, {
    with: {
      "role-to-assume": role,
      "aws-region": region,
      "role-session-name": session,
      ...(durationSeconds ? { "role-duration-seconds": durationSeconds } : {}),
    },
  }),
});

/**
 * init + plan with -detailed-exitcode into plan.log; plan.txt (terraform show) when there are
 * changes; `changes` output. `lock: false` for pull requests: their runs are cancelled by newer
 * pushes, and a plan killed while holding the state lock would leave it behind and block applies;
 * a plan only reads, so it need not lock.
 */
const planScript = (lock: boolean): string =>
  [
    "code=0",
    "terraform init -input=false -no-color > init.log 2>&1 || code=$?",
    'if [ "$code" -ne 0 ]; then',
    "  cp init.log plan.log",
    "  cat plan.log",
    '  echo "$code" > plan.exitcode',
    '  echo "::error title=terraform init failed::${PLATFORM_ENV}/${STACK}"',
    "  exit 1",
    "fi",
    `terraform plan -input=false -no-color ${lock ? `-lock-timeout=${LOCK_TIMEOUT}` : "-lock=false"} -detailed-exitcode -out=plan.tfplan > plan.log 2>&1 || code=$?`,
    "cat plan.log",
    'echo "$code" > plan.exitcode',
    'case "$code" in',
    '  0) echo "changes=false" >> "$GITHUB_OUTPUT" ;;',
    '  2) echo "changes=true" >> "$GITHUB_OUTPUT"',
    "     terraform show -no-color plan.tfplan > plan.txt ;;",
    '  *) echo "::error title=terraform plan failed::${PLATFORM_ENV}/${STACK} (exit ${code})"',
    "     exit 1 ;;",
    "esac",
    "",
  ].join("\n");

const SUMMARY_SCRIPT = [
  "{",
  '  echo "### ${PLATFORM_ENV} / ${STACK}"',
  "  echo",
  "  if [ -f plan.txt ]; then",
  "    grep -E '^Plan: ' plan.log || true",
  "    echo",
  "    echo '<details><summary>terraform show</summary>'",
  "    echo",
  "    echo '```'",
  "    head -c 900000 plan.txt",
  "    echo '```'",
  "    echo '</details>'",
  "  elif grep -qs '^No changes\\.' plan.log; then",
  "    echo 'No changes.'",
  "  else",
  "    echo 'No plan: see the log of the failed step.'",
  "  fi",
  '} >> "$GITHUB_STEP_SUMMARY"',
  "",
].join("\n");

interface PlanStepsInput {
  /** Expressions for the environment's values. */
  readonly region: string;
  readonly role: string;
  readonly artifact: string;
  readonly session: string;
  /** Also upload plan.log/plan.txt as a small report (pull requests: for the comment), even on failure. */
  readonly reportArtifact?: string;
  /** Take the state lock while planning. */
  readonly lock: boolean;
}

/** Check out, install, synthesize the environment, plan one stack with the plan role, save the plan. */
function planSteps(p: PlanStepsInput): Step[] {
  return [
    checkout(),
    setupNode(),
    npmCi(),
    setupTerraform(),
    { name: "Synthesize", run: 'npm run -s synth -- --env "$PLATFORM_ENV"' },
    awsCredentials("AWS credentials (plan role)", p.role, p.region, p.session),
    { name: "Plan", id: "plan", "working-directory": "${{ env.STACK_DIR }}", run: planScript(p.lock) },
    { name: "Summary", if: "${{ always() }}", "working-directory": "${{ env.STACK_DIR }}", run: SUMMARY_SCRIPT },
    {
      name: "Save the plan",
      if: "${{ steps.plan.outcome == 'success' }}",
      ...uses(ACTIONS.uploadArtifact, {
        with: {
          name: p.artifact,
          // The whole stack directory: the plan, the configuration and assets it was made from, and
          // the provider lock file, so the apply job needs no checkout, install or synth.
          path: "${{ env.STACK_DIR }}\n!${{ env.STACK_DIR }}/.terraform/**\n",
          "include-hidden-files": true,
          "if-no-files-found": "error",
          "retention-days": PLAN_RETENTION_DAYS,
          overwrite: true,
        },
      }),
    },
    ...(p.reportArtifact
      ? [
          {
            name: "Save the plan report",
            if: "${{ always() }}",
            ...uses(ACTIONS.uploadArtifact, {
              with: {
                name: p.reportArtifact,
                path: "${{ env.STACK_DIR }}/plan.log\n${{ env.STACK_DIR }}/plan.txt\n${{ env.STACK_DIR }}/plan.exitcode\n",
                "if-no-files-found": "ignore",
                "retention-days": REPORT_RETENTION_DAYS,
                overwrite: true,
              },
            }),
          },
        ]
      : []),
  ];
}

const COMMON_ENV = {
  CHECKPOINT_DISABLE: "1",
  TF_IN_AUTOMATION: "1",
  TF_INPUT: "0",
  NPM_CONFIG_UPDATE_NOTIFIER: "false",
};

// ---------------------------------------------------------------------------------------------
// ci.yml

function ciWorkflow(environments: readonly string[], repository: string | undefined): Json {
  return {
    name: "ci",
    on: {
      pull_request: {},
      push: { branches: [DEFAULT_BRANCH] },
      workflow_dispatch: {},
    },
    permissions: { contents: "read" },
    concurrency: { group: "ci-${{ github.ref }}", "cancel-in-progress": "${{ github.event_name == 'pull_request' }}" },
    env: COMMON_ENV,
    jobs: {
      test: {
        name: "install, test, synth",
        "runs-on": RUNNER,
        "timeout-minutes": 30,
        steps: [
          checkout(),
          setupNode(),
          npmCi(),
          { name: "Lint (tsc + eslint)", run: "npm run lint" },
          { name: "Test (jest)", run: "npm test" },
          { name: "Integration tests (jest)", run: "npm run test:integration" },
          { name: "Workflows are up to date", run: "npm run -s workflows -- --check" },
          {
            name: "Synthesize every environment",
            run: environments.map((e) => `npm run -s synth -- --env ${e} --out cdktf.out/${e}`).join("\n") + "\n",
          },
        ],
      },
      validate: {
        name: "validate, offline plan",
        needs: "test",
        "runs-on": RUNNER,
        "timeout-minutes": 60,
        steps: [
          checkout(),
          setupNode(),
          setupTerraform(),
          npmCi(),
          { name: "Validate the HCL output", run: "npm run -s validate:hcl" },
          // One pass: a plan validates every stack; --validate also checks the provider settings the offline plan removes.
          { name: "Validate and plan offline (every layer, mock state)", run: "npm run -s plan -- --validate" },
          {
            name: "Save the offline plans",
            if: "${{ always() }}",
            ...uses(ACTIONS.uploadArtifact, {
              with: {
                name: "offline-plans",
                path: ".work/plan/**/plan.json\n",
                "if-no-files-found": "ignore",
                "include-hidden-files": true,
                "retention-days": REPORT_RETENTION_DAYS,
              },
            }),
          },
        ],
      },
      ...(repository ? pullRequestPlanJobs(repository) : {}),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pull request plans (jobs of ci.yml, after the tests)

/** Installs the base checkout's dependencies: the same node_modules when the lock files match. */
const BASE_DEPS_SCRIPT = [
  "if cmp -s package-lock.json .base/package-lock.json; then",
  '  ln -s "$GITHUB_WORKSPACE/node_modules" .base/node_modules',
  "else",
  "  npm ci --prefix .base --no-audit --no-fund",
  "fi",
  "",
].join("\n");

function pullRequestPlanJobs(repository: string): Record<string, Job> {
  const samePr = [
    "github.event_name == 'pull_request'",
    `github.base_ref == '${DEFAULT_BRANCH}'`,
    `github.repository == '${repository}'`,
    "github.event.pull_request.head.repo.full_name == github.repository",
  ].join(" && ");
  return {
    affected: {
      name: "affected stacks",
      needs: "test",
      // Forks get no OIDC token: their pull requests get the test and validate jobs only.
      if: `\${{ ${samePr} }}`,
      "runs-on": RUNNER,
      "timeout-minutes": 20,
      outputs: {
        matrix: "${{ steps.affected.outputs.matrix }}",
        any: "${{ steps.affected.outputs.any }}",
        envs: "${{ steps.affected.outputs.envs }}",
        report: "${{ steps.affected.outputs.report }}",
      },
      steps: [
        // The merge commit GitHub made for the pull request; its first parent is the base it merges into.
        checkout({ "fetch-depth": 2 }),
        { name: "Base commit", id: "base", run: 'echo "sha=$(git rev-parse HEAD^1)" >> "$GITHUB_OUTPUT"\n' },
        {
          name: "Check out the base",
          ...uses(ACTIONS.checkout, { with: { ref: "${{ steps.base.outputs.sha }}", path: ".base", "persist-credentials": false } }),
        },
        setupNode(),
        npmCi(),
        { name: "Install the base", run: BASE_DEPS_SCRIPT },
        {
          name: "Compare the synthesized stacks with the base",
          id: "affected",
          run: "node -r ./tools/register.js tools/affected.ts --base .base --github-output\n",
        },
      ],
    },
    plan: {
      name: "plan ${{ matrix.env }} / ${{ matrix.number }} ${{ matrix.stack }}",
      needs: "affected",
      if: "${{ needs.affected.outputs.any == 'true' }}",
      "runs-on": RUNNER,
      "timeout-minutes": 30,
      permissions: { contents: "read", "id-token": "write" },
      strategy: { "fail-fast": false, matrix: "${{ fromJSON(needs.affected.outputs.matrix) }}" },
      env: {
        PLATFORM_ENV: "${{ matrix.env }}",
        STACK: "${{ matrix.stack }}",
        STACK_DIR: "cdktf.out/stacks/${{ matrix.stack }}",
      },
      steps: planSteps({
        region: "${{ matrix.region }}",
        role: "${{ matrix.planRole }}",
        session: "plan-pr${{ github.event.pull_request.number }}-${{ matrix.env }}-${{ matrix.stack }}",
        artifact: "plan-${{ matrix.env }}-${{ matrix.stack }}",
        reportArtifact: "plan-report-${{ matrix.env }}-${{ matrix.stack }}",
        lock: false,
      }),
    },
    comment: {
      name: "plan comment",
      needs: ["affected", "plan"],
      if: "${{ always() && needs.affected.result == 'success' }}",
      "runs-on": RUNNER,
      "timeout-minutes": 20,
      permissions: { contents: "read", "pull-requests": "write" },
      steps: [
        checkout(),
        setupNode(),
        setupTerraform(),
        npmCi(),
        {
          name: "Download the plan reports",
          if: "${{ needs.plan.result != 'skipped' }}",
          ...uses(ACTIONS.downloadArtifact, { with: { pattern: "plan-report-*", path: "plan-reports" } }),
        },
        {
          name: "Review report",
          env: { ENVS: "${{ needs.affected.outputs.envs }}" },
          run: REVIEW_SCRIPT,
        },
        {
          name: "Post or update the plan comment",
          env: { AFFECTED: "${{ needs.affected.outputs.report }}", MATRIX: "${{ needs.affected.outputs.matrix }}" },
          ...uses(ACTIONS.githubScript, {
            with: {
              script: [
                "const post = require('./tools/workflows/pr-comment.js');",
                "await post({ github, context, core, reportsDir: 'plan-reports', reviewDir: 'review', affected: process.env.AFFECTED, matrix: process.env.MATRIX });",
                "",
              ].join("\n"),
            },
          }),
        },
      ],
    },
  };
}

/**
 * `npm run review` per affected environment when the script exists (tools/review.ts): its Markdown
 * report (.work/review/<env>/report.md) goes into the comment. `--fail-on none`: the comment shows
 * the findings; gating on them is the review tool's own job.
 */
const REVIEW_SCRIPT = [
  "mkdir -p review",
  `if ! node -e "process.exit(require('./package.json').scripts?.review ? 0 : 1)"; then`,
  "  echo 'npm run review is not available in this commit; the comment carries the plans only.' > review/unavailable.txt",
  "  exit 0",
  "fi",
  "for env in $(node -e 'for (const e of JSON.parse(process.env.ENVS || \"[]\")) console.log(e)'); do",
  '  if npm run -s review -- --env "$env" --fail-on none --out review-out > "review/$env.log" 2>&1 && [ -f "review-out/$env/report.md" ]; then',
  '    cp "review-out/$env/report.md" "review/$env.md"',
  "  else",
  '    echo "::warning title=review report failed::$env (see this step\'s log)"',
  '    cat "review/$env.log"',
  '    echo "The review report of $env failed; see the log of the plan comment job." > "review/$env.md"',
  "  fi",
  "done",
  "",
].join("\n");

// ---------------------------------------------------------------------------------------------
// layer.yml (reusable, one for every layer: plan, then apply the saved plan)

function layerWorkflow(): Json {
  const layer = "${{ inputs.layer }}";
  const artifact = `plan-\${{ inputs.environment }}-${layer}`;
  return {
    name: "layer",
    on: {
      workflow_call: {
        inputs: {
          layer: { description: "The layer's stack name (core/registry.ts): network, security, ...", type: "string", required: true },
          environment: { description: "Platform environment (environments/<name>.yaml).", type: "string", required: true },
          "github-environment": {
            description: "GitHub environment of the apply job (its reviewers approve the apply).",
            type: "string",
            required: true,
          },
          region: { description: "AWS region of the environment.", type: "string", required: true },
          "plan-role": { description: "ARN of the environment's plan role.", type: "string", required: true },
          "apply-role": { description: "ARN of the environment's apply role.", type: "string", required: true },
          "session-seconds": {
            description: "Session length of the apply role (ci.apply.sessionDurationSeconds).",
            type: "number",
            default: 3600,
          },
          apply: { description: "Apply the saved plan when it has changes.", type: "boolean", default: false },
        },
      },
    },
    permissions: { contents: "read" },
    env: COMMON_ENV,
    jobs: {
      plan: {
        name: "plan",
        "runs-on": RUNNER,
        "timeout-minutes": 30,
        permissions: { contents: "read", "id-token": "write" },
        outputs: { changes: "${{ steps.plan.outputs.changes }}" },
        env: { PLATFORM_ENV: "${{ inputs.environment }}", STACK: layer, STACK_DIR: `cdktf.out/stacks/${layer}` },
        steps: planSteps({
          region: "${{ inputs.region }}",
          role: "${{ inputs.plan-role }}",
          session: `plan-\${{ inputs.environment }}-${layer}-\${{ github.run_id }}`,
          artifact,
          lock: true,
        }),
      },
      apply: {
        name: "apply",
        needs: "plan",
        if: "${{ inputs.apply && needs.plan.outputs.changes == 'true' }}",
        "runs-on": RUNNER,
        "timeout-minutes": 120,
        // The GitHub environment holds the reviewers; the apply role trusts only jobs that run in it.
        environment: "${{ inputs.github-environment }}",
        // One apply per environment and layer at a time, and never cancelled half-way.
        concurrency: { group: `apply-\${{ inputs.environment }}-${layer}`, "cancel-in-progress": false },
        permissions: { contents: "read", "id-token": "write" },
        env: { PLATFORM_ENV: "${{ inputs.environment }}", STACK: layer, STACK_DIR: "stack" },
        steps: [
          { name: "Download the saved plan", ...uses(ACTIONS.downloadArtifact, { with: { name: artifact, path: "stack" } }) },
          setupTerraform(),
          awsCredentials(
            "AWS credentials (apply role)",
            "${{ inputs.apply-role }}",
            "${{ inputs.region }}",
            `apply-\${{ inputs.environment }}-${layer}-\${{ github.run_id }}`,
            "${{ inputs.session-seconds }}",
          ),
          {
            name: "Apply the saved plan",
            "working-directory": "stack",
            run: [
              // The lock file came with the plan: insist on exactly the providers that planned.
              "terraform init -input=false -no-color -lockfile=readonly",
              // A saved plan applies only to the state it was made from: if anything changed the
              // state since, Terraform refuses ("Saved plan is stale") and nothing is applied.
              `terraform apply -input=false -no-color -lock-timeout=${LOCK_TIMEOUT} plan.tfplan`,
              "",
            ].join("\n"),
          },
        ],
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// deploy.yml (main)

const CHANGES_SCRIPT = [
  // The last deploy run that succeeded: every change since then is planned, also the changes of
  // runs that were replaced in the concurrency queue or failed.
  `sha=$(gh run list --repo "$GITHUB_REPOSITORY" --workflow deploy.yml --branch ${DEFAULT_BRANCH} --status success --limit 1 --json headSha --jq '.[0].headSha // ""')`,
  'echo "sha=$sha" >> "$GITHUB_OUTPUT"',
  'if [ -z "$sha" ]; then echo "No successful deploy yet: every stack is planned."; else echo "Last successful deploy: $sha"; fi',
  "",
].join("\n");

const AFFECTED_SCRIPT = [
  "args=(--readers --github-output)",
  'if [ -n "$BASE_SHA" ]; then args+=(--base .base); fi',
  'if [ -n "$FORCE" ]; then args+=(--force "$FORCE"); fi',
  'node -r ./tools/register.js tools/affected.ts "${args[@]}"',
  "",
].join("\n");

function deployWorkflow(ci: readonly EnvironmentStacks[]): Json {
  const repository = ci[0].env.target.repository;
  const jobs: Record<string, Job> = {
    changes: {
      name: "affected stacks",
      if: `\${{ github.repository == '${repository}' }}`,
      "runs-on": RUNNER,
      "timeout-minutes": 20,
      permissions: { contents: "read", actions: "read" },
      outputs: { stacks: "${{ steps.affected.outputs.stacks }}" },
      steps: [
        checkout(),
        { name: "Last deployed commit", id: "base", env: { GH_TOKEN: "${{ github.token }}" }, run: CHANGES_SCRIPT },
        {
          name: "Check out the last deployed commit",
          if: "${{ steps.base.outputs.sha != '' }}",
          ...uses(ACTIONS.checkout, { with: { ref: "${{ steps.base.outputs.sha }}", path: ".base", "persist-credentials": false } }),
        },
        setupNode(),
        npmCi(),
        { name: "Install the base", if: "${{ steps.base.outputs.sha != '' }}", run: BASE_DEPS_SCRIPT },
        {
          name: "Compare the synthesized stacks with the last deploy",
          id: "affected",
          env: { BASE_SHA: "${{ steps.base.outputs.sha }}", FORCE: "${{ inputs.stacks }}" },
          run: AFFECTED_SCRIPT,
        },
      ],
    },
  };
  // Each layer of an environment after the layers it reads, and after the same layer of the previous environment.
  const previous = new Map<string, string>();
  for (const { env, stacks } of ci) {
    const here = new Map<string, string>();
    for (const s of stacks) {
      if (!s.layer) continue;
      const id = deployJobId(env.name, s.stack);
      const needs = ["changes", ...s.reads.map((r) => here.get(r)).filter((x): x is string => !!x)];
      const before = previous.get(s.stack);
      if (before) needs.push(before);
      const t = env.target;
      jobs[id] = {
        name: `${env.name} / ${s.layer.number} ${s.stack}`,
        needs,
        // Run when affected, even if a job it needs was skipped (not affected); never after a failure.
        if: `\${{ !cancelled() && !failure() && needs.changes.result == 'success' && contains(fromJSON(needs.changes.outputs.stacks), '${env.name}/${s.stack}') }}`,
        uses: `./.github/workflows/${LAYER_WORKFLOW_FILE}`,
        permissions: { contents: "read", "id-token": "write" },
        with: {
          layer: s.stack,
          environment: env.name,
          "github-environment": t.githubEnvironment,
          region: t.region,
          "plan-role": t.planRoleArn,
          "apply-role": t.applyRoleArn,
          "session-seconds": t.applySessionSeconds,
          apply: true,
        },
      };
      here.set(s.stack, id);
    }
    for (const [stack, id] of here) previous.set(stack, id);
  }
  return {
    name: "deploy",
    on: {
      push: { branches: [DEFAULT_BRANCH] },
      workflow_dispatch: {
        inputs: {
          stacks: {
            description: "Also plan and apply these stacks whatever changed: env/stack, env/*, */stack or all (comma-separated).",
            type: "string",
            required: false,
            default: "",
          },
        },
      },
    },
    permissions: { contents: "read" },
    // One deploy at a time, never cancelled: a newer push waits; if several wait, GitHub keeps the
    // newest, which compares with the last successful deploy and so covers the ones it replaced.
    concurrency: { group: `deploy-${DEFAULT_BRANCH}`, "cancel-in-progress": false },
    env: COMMON_ENV,
    jobs,
  };
}

// ---------------------------------------------------------------------------------------------
// Rendering

/** YAML text of a workflow: header comment, action versions as comments, short lists inline, a blank line between jobs. */
export function renderWorkflow(value: Json, header: readonly string[]): string {
  const doc = new Document(value);
  const versions = new Map(Object.values(ACTIONS).map((a) => [actionRef(a), a.version]));
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === "uses" && isScalar(pair.value)) {
        const version = versions.get(String(pair.value.value));
        if (version) pair.value.comment = ` ${version}`;
      }
    },
    Seq(_, seq) {
      if (seq.items.every((i) => isScalar(i) && typeof i.value === "string" && !String(i.value).includes("\n")) && seq.items.length <= 6) {
        const width = seq.items.reduce<number>((n, i) => n + String((i as { value: unknown }).value).length + 2, 0);
        if (width <= 60) seq.flow = true;
      }
    },
  });
  if (isMap(doc.contents)) {
    for (const item of doc.contents.items) {
      if (!isPair(item) || !isScalar(item.key)) continue;
      if (item.key.value === "jobs") {
        item.key.spaceBefore = true;
        if (isMap(item.value))
          item.value.items.forEach((job, i) => isPair(job) && isScalar(job.key) && i > 0 && (job.key.spaceBefore = true));
      }
    }
    const on = doc.contents.items.find((i) => isPair(i) && isScalar(i.key) && i.key.value === "on");
    if (on && isPair(on) && isSeq(on.value)) on.value.flow = true;
  }
  doc.commentBefore = [GENERATED_HEADER.replace(/^# /, ""), ...header].map((l) => (l ? ` ${l}` : "")).join("\n");
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

const HEADER_COMMON = [
  "Regenerate with `npm run workflows` after changing the layers, the environments or tools/workflows/;",
  "ci.yml fails when a file here differs from what the generator writes. See docs/operations.md.",
];

/** Every workflow file, sorted by name. */
export function generateWorkflows(input: GenerateInput): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const repository = input.ci[0]?.env.target.repository;
  files.push({
    name: "ci.yml",
    text: renderWorkflow(ciWorkflow(input.environments, repository), [
      ...HEADER_COMMON,
      "",
      "Every pull request and push: install, test, synth; then validate and the offline plan (no AWS credentials).",
      ...(repository
        ? [
            "Pull requests from this repository, after the tests: the stacks whose synthesized Terraform differs from the base",
            `are planned in ${input.ci.map((c) => c.env.name).join(", ")} with each environment's plan role; one comment (${COMMENT_MARKER}) carries the plans and the review.`,
          ]
        : []),
    ]),
  });
  if (repository) {
    files.push({
      name: "deploy.yml",
      text: renderWorkflow(deployWorkflow(input.ci), [
        ...HEADER_COMMON,
        "",
        `Pushes to ${DEFAULT_BRANCH}: ${input.ci.map((c) => c.env.name).join(" -> ")}, each affected layer after the layers it reads;`,
        "every apply runs in the environment's GitHub environment (reviewers) with the saved plan.",
      ]),
    });
    files.push({
      name: LAYER_WORKFLOW_FILE,
      text: renderWorkflow(layerWorkflow(), [
        ...HEADER_COMMON,
        "",
        "One layer of one environment: plan with the plan role and save the plan; apply that saved plan with the apply role",
        "in the environment's GitHub environment. Called by deploy.yml once per environment and layer, with the layer's stack name.",
      ]),
    });
  }
  return files.sort((a, b) => a.name.localeCompare(b.name));
}
