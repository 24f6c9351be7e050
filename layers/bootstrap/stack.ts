/**
 * The bootstrap stack: the S3 bucket and DynamoDB table that hold and lock every layer's state,
 * and, when ci.github.repository is set, the CI identity (GitHub OIDC provider, plan and apply
 * roles; modules/ci-identity.ts, docs/operations.md).
 * It keeps its own state locally (terraform.bootstrap.<project>-<env>.tfstate in the project root,
 * git-ignored); deploy it once per environment before any layer, then optionally migrate its state
 * into the bucket (see README, "Bootstrap").
 */
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import type { Construct } from "constructs";
import { LocalBackend, TerraformOutput } from "cdktf";
import type { PlatformConfig } from "../../core/config/types";
import type { LayerName } from "../../core/config/types";
import { LayerStack, PlatformStack } from "../../core/layer-stack";
import { boundaryDocument, permissionsBoundary } from "../../core/permissions-boundary";
import { reviewException } from "../../core/review";
import { BOOTSTRAP_STACK } from "../../core/registry";
import { ciTarget, policyArn } from "./config";
import { awsManagedPoliciesAttached, CiIdentity, servicesTrusted } from "../../modules/ci-identity";
import { PROTECTED } from "../../modules/data-protection";
import { lockTable } from "../../modules/lock-table";
import { SecureBucket } from "../../modules/secure-bucket";

export class BootstrapStack extends PlatformStack {
  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, BOOTSTRAP_STACK, config, { Layer: BOOTSTRAP_STACK });
    const { backend } = config;
    // Relative to cdktf.out/stacks/bootstrap, where cdktf runs Terraform: the project root.
    new LocalBackend(this, { path: `../../../terraform.${BOOTSTRAP_STACK}.${config.project}-${config.environment}.tfstate` });

    const state = new SecureBucket(this, "state", {
      bucketName: backend.bucket,
      kmsKeyArn: backend.kmsKeyId,
      // Old state versions are the undo history of every layer: keep them a year.
      noncurrentVersionExpirationDays: 365,
      // Protected in every environment, whatever protection.data says: losing the state bucket
      // orphans every layer's resources.
      dataProtection: PROTECTED,
    });

    if (backend.lockMode !== "s3" && backend.lockTable) {
      const table = lockTable(this, "lock_table", {
        name: backend.lockTable,
        kmsKeyArn: backend.kmsKeyId?.startsWith("arn:") ? backend.kmsKeyId : undefined,
        // Protected like the state bucket: a deleted lock table lets two applies race.
        dataProtection: PROTECTED,
      });
      new TerraformOutput(this, "lock_table_name", { value: table.name, description: "DynamoDB table that locks layer state." });
    }
    new TerraformOutput(this, "state_bucket", { value: state.bucketName, description: "S3 bucket holding every layer's state." });

    // The boundary every layer's roles carry (core/permissions-boundary.ts): created here, before any
    // layer, by the people who bootstrap the environment; CI may never change it.
    const boundary = permissionsBoundary(config);
    const boundaryPolicy = new IamPolicy(this, "permissions_boundary", {
      name: boundary.name,
      description: `Permissions boundary of every ${this.naming.prefix} role: no IAM beyond passing the platform's roles, no changes to itself`,
      policy: boundaryDocument(boundary),
    });
    reviewException(
      boundaryPolicy,
      "PK-IAM-001",
      "A permissions boundary caps, it grants nothing: NotAction iam:*/organizations:*/account:* is the ceiling of every platform role, whose own policies name the actions (docs/decisions.md)",
    );
    new TerraformOutput(this, "permissions_boundary_arn", {
      value: boundary.arn,
      description: "Permissions boundary every platform role carries.",
    });

    this.ciIdentity(config);
  }

  /** The layer stacks built beside this one in the same app (empty when bootstrap is synthesized alone). */
  private layerStacks(): Construct[] {
    return (this.node.scope?.node.children ?? []).filter((c): c is LayerStack<LayerName> => c instanceof LayerStack);
  }

  /**
   * The GitHub Actions identity of this environment (ci.github.repository set): the account's OIDC
   * provider (optional), a plan role and an apply role. Lives here because it must exist before any
   * pipeline runs and because CI must never be able to change it (the apply role is denied that).
   */
  private ciIdentity(config: PlatformConfig): void {
    const ci = ciTarget(config);
    if (!ci) return;
    const { backend } = config;
    const settings = config.ci;
    const partition = ci.partition;
    const identity = new CiIdentity(this, "github", {
      partition,
      accountId: ci.accountId,
      createOidcProvider: settings.github.createOidcProvider,
      thumbprints: settings.github.thumbprints,
      state: {
        bucket: backend.bucket,
        keyPrefix: `${backend.keyPrefix}/${config.project}/${config.environment}`,
        region: backend.region ?? config.aws.region,
        lockTable:
          backend.lockMode !== "s3" && backend.lockTable
            ? { name: backend.lockTable, region: backend.region ?? config.aws.region }
            : undefined,
        s3LockFiles: backend.lockMode !== "dynamodb",
        kmsKeyId: backend.kmsKeyId,
      },
      assumableRoleArns: [...new Set([config.aws.assumeRole?.roleArn, backend.roleArn].filter((r): r is string => !!r))],
      plan: {
        name: ci.planRoleName,
        description: `Plans ${this.naming.prefix} from GitHub Actions (${ci.repository}: pull requests, ${settings.github.planBranches.join(", ")}); read-only`,
        subjects: ci.planSubjects,
        managedPolicyArns: settings.plan.managedPolicies.map((p) => policyArn(p, partition)),
        deniedActions: settings.plan.deniedActions,
      },
      apply: {
        name: ci.applyRoleName,
        description: `Applies ${this.naming.prefix} from GitHub Actions (${ci.repository}, environment ${ci.githubEnvironment})`,
        subject: ci.applySubject,
        managedPolicyArns: settings.apply.managedPolicies.map((p) => policyArn(p, partition)),
        permissionsBoundaryArn: settings.apply.permissionsBoundary ? policyArn(settings.apply.permissionsBoundary, partition) : undefined,
        maxSessionDurationSeconds: settings.apply.sessionDurationSeconds,
        iam: {
          namePrefix: `${this.naming.prefix}-`,
          boundaryArn: permissionsBoundary(config).arn,
          // What the layers attach and the services their roles trust, read at synth from the layer
          // stacks themselves (no hand-kept list to forget), plus any extra policies from config.
          attachablePolicyArns: () => [
            ...awsManagedPoliciesAttached(this.layerStacks()),
            ...settings.apply.attachablePolicies.map((p) => policyArn(p, partition)),
          ],
          passedToServices: () => servicesTrusted(this.layerStacks()),
        },
      },
    });
    new TerraformOutput(this, "ci_oidc_provider_arn", {
      value: identity.oidcProviderArn,
      description: "GitHub Actions OIDC provider of the account.",
    });
    new TerraformOutput(this, "ci_plan_role_arn", {
      value: identity.planRole.arn,
      description: "Role the pipelines plan with (pull requests and the deploy branch).",
    });
    new TerraformOutput(this, "ci_apply_role_arn", {
      value: identity.applyRole.arn,
      description: `Role the pipelines apply with (GitHub environment ${ci.githubEnvironment} only).`,
    });
  }
}
