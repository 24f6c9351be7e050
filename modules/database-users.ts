/**
 * Database users for IAM authentication, one per service, created by a small function that signs
 * in as the master user (functions/db-users), and the grants that let each service's task role
 * connect as exactly its own user.
 *
 * - The function: packaged at synth with the database driver of the engine (LambdaCode with
 *   packages), in the given subnets and security group, its own log group (retention, KMS), X-Ray,
 *   explicit memory and timeout. Its role reads the master secret (that ARN only) and decrypts it
 *   with the data key; the password is read at run time, so the secret's rotation never matters,
 *   and it is never in Terraform state or the function's configuration.
 * - The invocation (aws_lambda_invocation): Terraform invokes the function at apply time with the
 *   list of users; a changed list (a service added, a privilege changed), a replaced database
 *   (new resource id) or new function code invokes it again. The function's statements are
 *   idempotent. A failure fails the apply with the function's error.
 * - `grantConnect(id, roleName, user)`: rds-db:connect on
 *   `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>` as an inline policy
 *   on a role created elsewhere (the security layer's task roles).
 *
 * Addresses for a construct id `db_users`: aws_lambda_function.db_users, aws_cloudwatch_log_group.db_users_logs,
 * aws_iam_role.db_users_role, aws_iam_role_policy.db_users_role_<policy>, aws_lambda_invocation.db_users_invocation;
 * grants: aws_iam_role_policy.<id>.
 */
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction as AwsLambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { LOG_RETENTION_DAYS } from "../core/config/constants";
import { Arns, policyJson, viaSecretsManager } from "../core/policy";
import { provisionerFunction, type ProvisionerProps } from "./provisioner-function";
import type { ServiceRole } from "./service-role";

export interface DatabaseUser {
  /** Database user name (also the last part of the rds-db:connect ARN). */
  readonly name: string;
  /** What the user may do on the application database (functions/db-users: owner, read-write, read-only). */
  readonly privileges: string;
}

export interface DatabaseUsersProps extends ProvisionerProps {
  /** Environment of the function: engine, host, port, database, secret ARN (functions/db-users ENV). Never a password. */
  readonly environment: Readonly<Record<string, string>>;
  /** The master secret the function reads, and the key it is encrypted with. */
  readonly masterSecretArn: string;
  readonly secretKmsKeyArn: string;
  /** cluster_resource_id (Aurora) or resource_id (RDS instance). */
  readonly databaseResourceId: string;
  /**
   * Resource ids of the database's read replicas: the users exist there by replication, and an
   * IAM token for a replica is checked against the replica's own id. @default none
   */
  readonly replicaResourceIds?: readonly string[];
  readonly users: readonly DatabaseUser[];
  /** What must be available before the function can connect (the writer instance). @default none */
  readonly dependsOn?: ITerraformDependable[];
}

export class DatabaseUsers extends Construct {
  readonly function: AwsLambdaFunction;
  readonly role: ServiceRole;
  readonly logGroup: CloudwatchLogGroup;
  readonly invocation: LambdaInvocation;
  private readonly arns: Arns;
  private readonly resourceId: string;
  private readonly replicaResourceIds: string[];

  constructor(scope: Construct, id: string, props: DatabaseUsersProps) {
    super(scope, id);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
      throw new Error(
        `DatabaseUsers ${id}: logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}, got ${props.logRetentionDays}`,
      );
    }
    const names = props.users.map((u) => u.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) throw new Error(`DatabaseUsers ${id}: user ${twice} is listed twice`);
    this.arns = new Arns(props.region, props.accountId);
    this.resourceId = props.databaseResourceId;
    this.replicaResourceIds = [...(props.replicaResourceIds ?? [])];

    const provisioner = provisionerFunction(this, props, {
      description: "Creates the services' IAM-authenticated database users (invoked by Terraform at apply time)",
      roleDescription: `Execution role of ${props.functionName}: reads the database master secret, manages its network interfaces, writes its logs`,
      policies: {
        "master-secret": [
          // The password is read at run time, the current version after every rotation.
          { Sid: "ReadMasterSecret", Action: "secretsmanager:GetSecretValue", Resource: props.masterSecretArn },
          {
            Sid: "DecryptMasterSecret",
            Action: "kms:Decrypt",
            Resource: props.secretKmsKeyArn,
            Condition: viaSecretsManager(props.region),
          },
        ],
      },
      xray: { Sid: "XRay", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" },
      environment: props.environment,
    });
    this.logGroup = provisioner.pkg.logGroup;
    this.role = provisioner.role;
    this.function = provisioner.function;

    this.invocation = new LambdaInvocation(this, "invocation", {
      functionName: this.function.functionName,
      input: JSON.stringify({
        users: props.users.map((u) => ({ name: u.name, privileges: u.privileges })),
        database: props.databaseResourceId,
      }),
      // New function code (other statements) runs again over the same users.
      triggers: { code: provisioner.pkg.staged.hash },
      dependsOn: [this.function, ...(props.dependsOn ?? [])],
    });
  }

  /** rds-db:connect as `user` for the role named `roleName` (an inline policy `<id>`). */
  grantConnect(scope: Construct, id: string, roleName: string, user: string): IamRolePolicy {
    return new IamRolePolicy(scope, id, {
      name: "database-connect",
      role: roleName,
      policy: policyJson([
        {
          Sid: "ConnectAsOwnDatabaseUser",
          Action: "rds-db:connect",
          // The writer, and each read replica (the same user, replicated).
          Resource: this.replicaResourceIds.length
            ? [this.resourceId, ...this.replicaResourceIds].map((id) => this.arns.arn("rds-db", `dbuser:${id}/${user}`))
            : this.arns.arn("rds-db", `dbuser:${this.resourceId}/${user}`),
        },
      ]),
    });
  }
}
