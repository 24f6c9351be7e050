/**
 * The master user secret of an RDS instance that has read replicas, kept by the kit and rotated by
 * a function (functions/db-rotation), because RDS refuses read replicas of an instance whose
 * master password it manages in Secrets Manager (core/config/rds-facts.ts).
 *
 * - `aws_secretsmanager_secret.<id>` encrypted with the given key, created without a value: no
 *   password is ever in Terraform's configuration, plan or state. The instance is created with a
 *   write-only password (`password_wo`, from Terraform's `uuid()`, never stored and known to
 *   nobody) and the rotation below replaces it at once.
 * - `aws_lambda_function.<id>_function`: sets each new password through the RDS API
 *   (ModifyDBInstance MasterUserPassword on the instance only; replicas follow by replication) and
 *   moves AWSCURRENT once RDS has applied it. It never connects to the database, so it runs outside
 *   the VPC (it reaches the Secrets Manager and RDS API endpoints only).
 * - its role: DescribeSecret / GetSecretValue / PutSecretValue / UpdateSecretVersionStage on this
 *   secret, the data key through Secrets Manager only, GetRandomPassword (no resource), and
 *   ModifyDBInstance / DescribeDBInstances on this instance only; its log group and X-Ray.
 * - `aws_lambda_permission.<id>_secretsmanager`: Secrets Manager may invoke it for this secret only.
 * - `aws_secretsmanager_secret_rotation.<id>_rotation`: `rate(N days)`, rotate_immediately, after
 *   the instance and its replicas exist (the first rotation gives the secret its first value);
 *   `aws_lambda_invocation.<id>_first_value` returns once that value exists.
 *
 * Grants (core/grants.ts):
 * - `grantRead(grantee)`: secretsmanager:GetSecretValue and DescribeSecret on this secret
 *   (`Read<Id>Secret`, the literal `secret:<name>-??????`: Secrets Manager appends six random
 *   characters), kms:Decrypt on its key through Secrets Manager only.
 */
import { LambdaFunction as AwsLambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaInvocation } from "@cdktf/provider-aws/lib/lambda-invocation";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretRotation } from "@cdktf/provider-aws/lib/secretsmanager-secret-rotation";
import type { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { LOG_RETENTION_DAYS } from "../core/config/constants";
import { type Grantee, sidName } from "../core/grants";
import { Arns, viaSecretsManager } from "../core/policy";
import { reviewException } from "../core/review";
import { functionCodeAndLogs, type LambdaCode, packagedFunction } from "./lambda-function";
import { ServiceRole } from "./service-role";

export interface RotatedMasterSecretProps {
  /** Secret name. */
  readonly secretName: string;
  /** KMS key ARN encrypting the secret. */
  readonly kmsKeyArn: string;
  /** Rotation period, days (1-365). */
  readonly rotationDays: number;
  readonly functionName: string;
  readonly roleName: string;
  readonly code: LambdaCode;
  readonly handler: string;
  readonly runtime: string;
  /** @default 128 */
  readonly memoryMb?: number;
  /** @default 180 (testSecret waits up to two minutes for RDS to apply the password) */
  readonly timeoutSeconds?: number;
  readonly logRetentionDays: number;
  /** @default CloudWatch Logs' own encryption */
  readonly logKmsKeyArn?: string;
  readonly region: string;
  readonly accountId: string;
  /** DB instance identifier (the function's ModifyDBInstance target). */
  readonly instanceIdentifier: string;
  /** The function's environment: the connection settings the secret's JSON carries. */
  readonly environment: Readonly<Record<string, string>>;
  /** What must exist before the first rotation (the instance and its replicas). */
  readonly dependsOn: ITerraformDependable[];
}

export class RotatedMasterSecret extends Construct {
  readonly secret: SecretsmanagerSecret;
  readonly secretArn: string;
  readonly function: AwsLambdaFunction;
  readonly role: ServiceRole;
  readonly rotation: SecretsmanagerSecretRotation;
  /** Returns once the first rotation has given the secret a current value (depend on it before reading the secret). */
  readonly firstValue: LambdaInvocation;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: RotatedMasterSecretProps,
  ) {
    super(scope, id);
    if (!Number.isInteger(props.rotationDays) || props.rotationDays < 1 || props.rotationDays > 365) {
      throw new Error(`RotatedMasterSecret ${id}: rotationDays must be 1-365, got ${props.rotationDays}`);
    }
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
      throw new Error(
        `RotatedMasterSecret ${id}: logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}, got ${props.logRetentionDays}`,
      );
    }
    const arns = new Arns(props.region, props.accountId);

    this.secret = new SecretsmanagerSecret(this, "Resource", {
      name: props.secretName,
      description: `Master user of RDS instance ${props.instanceIdentifier} (rotated by ${props.functionName})`,
      kmsKeyId: props.kmsKeyArn,
    });
    this.secretArn = this.secret.arn;

    const pkg = functionCodeAndLogs(this, props.code, props.functionName, {
      retentionDays: props.logRetentionDays,
      kmsKeyArn: props.logKmsKeyArn,
    });
    const { logGroupName } = pkg;

    this.role = new ServiceRole(this, "role", {
      name: props.roleName,
      description: `Execution role of ${props.functionName}: rotates the master secret of ${props.instanceIdentifier} through the RDS API`,
      service: "lambda.amazonaws.com",
      policies: {
        secret: [
          {
            Sid: "RotateThisSecret",
            Action: [
              "secretsmanager:DescribeSecret",
              "secretsmanager:GetSecretValue",
              "secretsmanager:PutSecretValue",
              "secretsmanager:UpdateSecretVersionStage",
            ],
            Resource: this.secret.arn,
          },
          {
            Sid: "SecretKey",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: props.kmsKeyArn,
            Condition: viaSecretsManager(props.region),
          },
          // GetRandomPassword acts on no resource (Secrets Manager's authorization reference).
          { Sid: "GeneratePassword", Action: "secretsmanager:GetRandomPassword", Resource: "*" },
        ],
        database: [
          {
            Sid: "SetMasterPassword",
            Action: ["rds:ModifyDBInstance", "rds:DescribeDBInstances"],
            Resource: arns.arn("rds", `db:${props.instanceIdentifier}`),
          },
        ],
        logs: [arns.functionLogs(logGroupName)],
        xray: [{ Sid: "XRay", Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], Resource: "*" }],
      },
    });

    this.function = new AwsLambdaFunction(this, "function", {
      functionName: props.functionName,
      description: `Rotates the master secret of RDS instance ${props.instanceIdentifier} (invoked by Secrets Manager)`,
      ...packagedFunction(pkg, {
        roleArn: this.role.arn,
        runtime: props.runtime,
        handler: props.handler,
        memoryMb: props.memoryMb ?? 128,
        timeoutSeconds: props.timeoutSeconds ?? 180,
      }),
      // One rotation at a time.
      reservedConcurrentExecutions: 1,
      environment: { variables: { ...props.environment } },
      dependsOn: Object.values(this.role.policies),
    });
    reviewException(
      this.function,
      "PK-LAMBDA-004",
      "Calls only the Secrets Manager and RDS APIs (the new password is set with ModifyDBInstance) and never connects to the database: no VPC path is needed",
    );
    reviewException(
      this.function,
      "PK-LAMBDA-002",
      "Invoked by Secrets Manager once per rotation step; a failed step fails the rotation, which Secrets Manager reports and retries, and the old version stays current",
    );

    const permission = new LambdaPermission(this, "secretsmanager", {
      statementId: "SecretsManagerRotation",
      action: "lambda:InvokeFunction",
      functionName: this.function.functionName,
      principal: "secretsmanager.amazonaws.com",
      sourceArn: this.secret.arn,
    });

    this.rotation = new SecretsmanagerSecretRotation(this, "rotation", {
      secretId: this.secret.id,
      rotationLambdaArn: this.function.arn,
      // The first rotation gives the secret its first value (and replaces the write-only password).
      rotateImmediately: true,
      rotationRules: { scheduleExpression: `rate(${props.rotationDays} ${props.rotationDays === 1 ? "day" : "days"})` },
      dependsOn: [permission, ...props.dependsOn],
    });

    // RotateSecret returns before the rotation has run: wait for the first value here, so the user
    // provisioner (and anything else that depends on this) finds the secret readable.
    this.firstValue = new LambdaInvocation(this, "first-value", {
      functionName: this.function.functionName,
      input: JSON.stringify({ WaitForCurrent: true, SecretId: this.secret.arn }),
      dependsOn: [this.rotation],
    });
  }

  // ---------------------------------------------------------------------------------------------
  // Grants

  /** The ARN pattern of a secret named `name` (Secrets Manager appends `-` and six random characters). */
  static arnOf(arns: Arns, name: string): string {
    return arns.arn("secretsmanager", `secret:${name}-??????`);
  }

  /** Read the current value (and decrypt it with the secret's key, through Secrets Manager only). */
  grantRead(grantee: Grantee): void {
    const arns = new Arns(this.props.region, this.props.accountId);
    grantee.addStatement({
      Sid: `Read${sidName(this.node.id)}Secret`,
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: RotatedMasterSecret.arnOf(arns, this.props.secretName),
    });
    grantee.useKey({ keyArn: this.props.kmsKeyArn, service: "secretsmanager", region: this.props.region, actions: ["kms:Decrypt"] });
  }
}
