/**
 * The DynamoDB table that locks Terraform state (the S3 backend's `dynamodb_table`): on-demand,
 * key `LockID`, encrypted (with the given KMS key, else DynamoDB's AWS managed key), point-in-time
 * recovery on.
 *
 * A function, not a construct: the table is created directly in the scope under `id`
 * (`aws_dynamodb_table.<id>`, construct path `<scope>/<id>`), as it was before this helper existed.
 */
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { Construct } from "constructs";
import { deletionProtectionOf, type DataProtection } from "./data-protection";

export interface LockTableProps {
  /** Table name, the backend's `dynamodb_table`. */
  readonly name: string;
  /** KMS key ARN of the table. @default the AWS managed key of DynamoDB */
  readonly kmsKeyArn?: string;
  /**
   * Protected: DynamoDB deletion protection (`deletion_protection_enabled`), which refuses every
   * delete, Terraform's included; on this type it stands in for prevent_destroy (SERVICE_GUARDED).
   */
  readonly dataProtection: DataProtection;
}

export function lockTable(scope: Construct, id: string, props: LockTableProps): DynamodbTable {
  return new DynamodbTable(scope, id, {
    name: props.name,
    billingMode: "PAY_PER_REQUEST",
    hashKey: "LockID",
    attribute: [{ name: "LockID", type: "S" }],
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
    deletionProtectionEnabled: deletionProtectionOf(`${scope.node.path}/${id}`, props.dataProtection),
  });
}
