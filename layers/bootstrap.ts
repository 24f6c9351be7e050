/**
 * The bootstrap stack: the S3 bucket and DynamoDB table that hold and lock every layer's state.
 * It keeps its own state locally (terraform.bootstrap.<project>-<env>.tfstate in the project root,
 * git-ignored); deploy it once per environment before any layer, then optionally migrate its state
 * into the bucket (see README, "Bootstrap").
 */
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import type { Construct } from "constructs";
import { LocalBackend, TerraformOutput } from "cdktf";
import type { PlatformConfig } from "../core/config/schema";
import { PlatformStack } from "../core/layer-stack";
import { BOOTSTRAP_STACK } from "../core/registry";
import { SecureBucket } from "../modules/secure-bucket";

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
    });
    // Losing the state bucket orphans every layer's resources.
    state.bucket.addOverride("lifecycle.prevent_destroy", true);

    if (backend.lockMode !== "s3" && backend.lockTable) {
      const table = new DynamodbTable(this, "lock_table", {
        name: backend.lockTable,
        billingMode: "PAY_PER_REQUEST",
        hashKey: "LockID",
        attribute: [{ name: "LockID", type: "S" }],
        pointInTimeRecovery: { enabled: true },
        serverSideEncryption: { enabled: true, kmsKeyArn: backend.kmsKeyId?.startsWith("arn:") ? backend.kmsKeyId : undefined },
        deletionProtectionEnabled: true,
      });
      new TerraformOutput(this, "lock_table_name", { value: table.name, description: "DynamoDB table that locks layer state." });
    }
    new TerraformOutput(this, "state_bucket", { value: state.bucketName, description: "S3 bucket holding every layer's state." });
  }
}
