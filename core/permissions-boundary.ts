/**
 * The platform's IAM permissions boundary: one customer-managed policy per environment,
 * `<project>-<env>-permissions-boundary`, created by the bootstrap stack and carried by every role
 * the layers create (an aspect on every LayerStack sets `permissions_boundary` on each aws_iam_role,
 * so a role added later cannot forget it). The CI apply role may create or change a role only with
 * this boundary on it (modules/ci-identity.ts, iam:PermissionsBoundary), so whatever policy it
 * writes, the role stays below the boundary: no IAM but passing the platform's own roles, no users
 * or access keys, no touching the boundary. See docs/decisions.md ("Permissions boundary").
 *
 * The ARN is deterministic from the account id (config, DESIGN rule 6) and the name: layers reference
 * it without reading the bootstrap stack's state.
 */
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Aspects, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { partitionOf } from "./config/regions";
import type { PlatformConfig } from "./config/types";
import { Naming } from "./naming";

export interface BoundaryTarget {
  readonly name: string;
  readonly arn: string;
  /** ARN pattern of every role the kit creates in the environment (`role/<project>-<env>-*`). */
  readonly platformRoles: string;
}

/** The boundary's name and ARN, from config alone. */
export function permissionsBoundary(cfg: Pick<PlatformConfig, "project" | "environment" | "aws">): BoundaryTarget {
  const naming = new Naming(cfg.project, cfg.environment);
  const partition = partitionOf(cfg.aws.region);
  const name = naming.name("iamPolicy", "permissions-boundary");
  return {
    name,
    arn: `arn:${partition}:iam::${cfg.aws.accountId}:policy/${name}`,
    platformRoles: `arn:${partition}:iam::${cfg.aws.accountId}:role/${naming.prefix}-*`,
  };
}

/** IAM actions that would let a bounded role lift itself or anyone else: denied outright. */
export const BOUNDARY_DENIED_IAM = [
  "iam:CreateUser",
  "iam:CreateAccessKey",
  "iam:CreateLoginProfile",
  "iam:UpdateLoginProfile",
  "iam:CreateRole",
  "iam:PutRolePolicy",
  "iam:AttachRolePolicy",
  "iam:UpdateAssumeRolePolicy",
  "iam:PutRolePermissionsBoundary",
  "iam:DeleteRolePermissionsBoundary",
  "iam:PutUserPolicy",
  "iam:AttachUserPolicy",
  "iam:PutGroupPolicy",
  "iam:AttachGroupPolicy",
  "iam:AddUserToGroup",
] as const;

/** Actions on the boundary policy itself: denied to every bounded role and to the CI apply role. */
export const BOUNDARY_POLICY_CHANGES = [
  "iam:CreatePolicyVersion",
  "iam:DeletePolicy",
  "iam:DeletePolicyVersion",
  "iam:SetDefaultPolicyVersion",
  "iam:TagPolicy",
  "iam:UntagPolicy",
] as const;

/**
 * The boundary document. A boundary grants nothing by itself: a role's effective permissions are
 * its own policies intersected with this. It allows every action outside IAM, Organizations and
 * Account (the workloads' own policies decide which of them a role really has), allows iam:PassRole
 * only for the environment's own roles (CodeDeploy passes the ECS task roles), and denies the IAM
 * calls that escalate privileges and any change to this policy.
 */
export function boundaryDocument(target: BoundaryTarget): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        // NotAction in a boundary caps, it does not grant: the role's own policies name the actions.
        Sid: "WorkloadServices",
        Effect: "Allow",
        NotAction: ["iam:*", "organizations:*", "account:*"],
        Resource: "*",
      },
      { Sid: "PassPlatformRoles", Effect: "Allow", Action: ["iam:PassRole", "iam:GetRole"], Resource: target.platformRoles },
      { Sid: "DenyPrivilegeEscalation", Effect: "Deny", Action: [...BOUNDARY_DENIED_IAM], Resource: "*" },
      { Sid: "DenyChangingTheBoundary", Effect: "Deny", Action: [...BOUNDARY_POLICY_CHANGES], Resource: target.arn },
    ],
  });
}

/** Sets the boundary on every aws_iam_role below a construct (a layer stack) that has none. */
class BoundaryAspect implements IAspect {
  constructor(private readonly arn: string) {}

  visit(node: IConstruct): void {
    if (node instanceof IamRole && node.permissionsBoundaryInput === undefined) node.permissionsBoundary = this.arn;
  }
}

/** Puts the environment's permissions boundary on every role created under `scope`. */
export function applyPermissionsBoundary(scope: IConstruct, cfg: Pick<PlatformConfig, "project" | "environment" | "aws">): void {
  Aspects.of(scope).add(new BoundaryAspect(permissionsBoundary(cfg).arn));
}
