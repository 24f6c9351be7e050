/**
 * A private ECR repository with the kit's defaults: immutable tags, scan on push, encryption at
 * rest (KMS when a key is given), and a lifecycle policy that expires untagged images and keeps
 * only the newest images.
 *
 * Addresses: the repository takes the construct's id (`aws_ecr_repository.<id>`), the lifecycle
 * policy `<id>_lifecycle`.
 */
import { EcrLifecyclePolicy } from "@cdktf/provider-aws/lib/ecr-lifecycle-policy";
import { EcrRepository as AwsEcrRepository } from "@cdktf/provider-aws/lib/ecr-repository";
import { Construct } from "constructs";
import { preventDestroy, type DataProtection } from "./data-protection";

/** ECR repository names: lower-case path segments of a-z 0-9 . _ -, 2-256 characters. */
const NAME_RE = /^(?=.{2,256}$)[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$/;

export interface EcrRepositoryProps {
  /** Repository name, such as `<project>-<env>/<service>`. */
  readonly name: string;
  /** KMS key ARN for encryption at rest. @default AES256 (ECR-managed keys) */
  readonly kmsKeyArn?: string;
  /** Refuse pushing an existing tag again. @default true */
  readonly immutableTags?: boolean;
  /** Basic vulnerability scan of every pushed image. @default true */
  readonly scanOnPush?: boolean;
  /** Images kept, the newest first; older images expire. 1-10000. @default 30 */
  readonly keepImages?: number;
  /** Days before untagged images expire. @default 7 */
  readonly untaggedExpiryDays?: number;
  /**
   * Protected: `lifecycle.prevent_destroy` and no `force_delete`. Unprotected: `force_delete`, so
   * `terraform destroy` deletes the repository with its images (modules/data-protection.ts).
   */
  readonly dataProtection: DataProtection;
}

export class EcrRepository extends Construct {
  readonly repository: AwsEcrRepository;
  readonly repositoryUrl: string;
  readonly arn: string;
  readonly name: string;

  constructor(scope: Construct, id: string, props: EcrRepositoryProps) {
    super(scope, id);
    if (!NAME_RE.test(props.name))
      throw new Error(
        `${this.node.path}: ECR repository name ${JSON.stringify(props.name)} must be lower-case path segments of a-z 0-9 . _ -`,
      );
    const keep = props.keepImages ?? 30;
    if (!Number.isInteger(keep) || keep < 1 || keep > 10000) throw new Error(`${this.node.path}: keepImages must be 1-10000, got ${keep}`);
    const untaggedDays = props.untaggedExpiryDays ?? 7;

    this.repository = new AwsEcrRepository(this, "Resource", {
      name: props.name,
      imageTagMutability: props.immutableTags === false ? "MUTABLE" : "IMMUTABLE",
      imageScanningConfiguration: { scanOnPush: props.scanOnPush ?? true },
      encryptionConfiguration: [props.kmsKeyArn ? { encryptionType: "KMS", kmsKey: props.kmsKeyArn } : { encryptionType: "AES256" }],
      forceDelete: !props.dataProtection.protect,
    });
    preventDestroy(this.repository, props.dataProtection);
    this.repositoryUrl = this.repository.repositoryUrl;
    this.arn = this.repository.arn;
    this.name = props.name;

    new EcrLifecyclePolicy(this, "lifecycle", {
      repository: this.repository.name,
      policy: JSON.stringify({
        rules: [
          {
            rulePriority: 1,
            description: `Expire untagged images after ${untaggedDays} days`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: untaggedDays },
            action: { type: "expire" },
          },
          {
            rulePriority: 2,
            description: `Keep the newest ${keep} images`,
            selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: keep },
            action: { type: "expire" },
          },
        ],
      }),
    });
  }
}
