import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";
import type { PolicyGrants } from "../core/grants";
import { policyJson, serviceTrustPolicy, type PolicyStatement } from "../core/policy";

export interface ServiceRoleProps {
  /** Role name (fit it with Naming first: 64 characters at most). */
  readonly name: string;
  readonly description: string;
  /** Service principal(s) that may assume the role, e.g. `ecs-tasks.amazonaws.com`. */
  readonly service: string | readonly string[];
  /**
   * Account the trust is pinned to with aws:SourceAccount. Leave unset for services that do not
   * send the key when assuming the role (Lambda and the ECS task execution role).
   * @default no source-account condition
   */
  readonly sourceAccount?: string;
  /** Extra trust conditions (e.g. ArnLike aws:SourceArn). @default none */
  readonly trustConditions?: PolicyStatement["Condition"];
  /** Inline policies by name; each becomes its own aws_iam_role_policy. @default none */
  readonly policies?: Readonly<Record<string, readonly PolicyStatement[]>>;
  /** @default 3600 */
  readonly maxSessionDurationSeconds?: number;
}

/**
 * An IAM role for an AWS service with a source-account-pinned trust policy and least-privilege
 * inline policies (wildcard actions are refused at synth).
 *
 * As a grantee: collect a resource module's grants in a `PolicyGrants` (core/grants.ts, e.g.
 * `bucket.grantRead(grants)`) and write them with `addGrants(name, grants)`, one inline policy.
 */
export class ServiceRole extends Construct {
  readonly role: IamRole;
  readonly arn: string;
  readonly roleName: string;
  /** The inline policies by name. */
  readonly policies: Record<string, IamRolePolicy> = {};

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    if (props.name.length > 64) throw new Error(`ServiceRole ${id}: name ${props.name} is longer than 64 characters`);
    this.role = new IamRole(this, "Resource", {
      name: props.name,
      description: props.description,
      assumeRolePolicy: serviceTrustPolicy(props.service, props.sourceAccount, props.trustConditions),
      maxSessionDuration: props.maxSessionDurationSeconds ?? 3600,
    });
    this.arn = this.role.arn;
    this.roleName = this.role.name;
    for (const [name, statements] of Object.entries(props.policies ?? {})) {
      this.addPolicy(name, statements);
    }
  }

  /** Adds an inline policy as its own resource (address `<id>_<name>`). */
  addPolicy(name: string, statements: readonly PolicyStatement[]): IamRolePolicy {
    const policy = new IamRolePolicy(this, name, { name, role: this.role.id, policy: policyJson(statements) });
    this.policies[name] = policy;
    return policy;
  }

  /** Adds the statements a `PolicyGrants` collected (resource modules' `grant…()` methods) as one inline policy. */
  addGrants(name: string, grants: PolicyGrants): IamRolePolicy {
    if (grants.isEmpty) throw new Error(`ServiceRole ${this.node.id}: the grants for policy ${name} are empty`);
    return this.addPolicy(name, grants.statements());
  }
}
