/**
 * IAM policy documents as plain JSON (no aws_iam_policy_document data source, so plans stay
 * readable and offline). `policyJson` refuses `*` and `service:*` actions: least privilege is
 * checked at synth, not in review.
 */
import { partitionOf } from "./config/regions";

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect?: "Allow" | "Deny";
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: Record<string, string | readonly string[]> | "*";
  readonly Condition?: Record<string, Record<string, string | readonly string[] | boolean>>;
  readonly NotPrincipal?: Record<string, string | readonly string[]>;
}

/** The resource-policy statement that denies `action` on `resource` to any request made without TLS. */
export function denyInsecureTransport(action: string, resource: string | readonly string[]): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: action,
    Resource: resource,
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

/**
 * What Lambda needs on a VPC function's execution role to manage its network interfaces (the actions
 * of AWSLambdaVPCAccessExecutionRole). EC2 offers no resource-level scoping for them, so the set is
 * the one AWS documents, on `*`.
 */
export const LAMBDA_VPC_ACCESS: PolicyStatement = {
  Sid: "VpcNetworkInterfaces",
  Action: [
    "ec2:CreateNetworkInterface",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
  ],
  Resource: "*",
};

/** X-Ray active tracing from a function or task: segments, telemetry and sampling (no resource-level scoping). */
export const XRAY_WRITE: PolicyStatement = {
  Sid: "XRay",
  Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
  Resource: "*",
};

/** True for `*` and `service:*`, which the kit never grants. */
export function isWildcardAction(action: string): boolean {
  return action === "*" || /^[a-z0-9-]+:\*$/i.test(action);
}

/** A policy document as a JSON string. Throws on a wildcard Allow action. */
export function policyJson(statements: readonly PolicyStatement[]): string {
  for (const s of statements) {
    const actions = typeof s.Action === "string" ? [s.Action] : s.Action;
    const bad = actions.filter(isWildcardAction);
    if ((s.Effect ?? "Allow") === "Allow" && bad.length) {
      throw new Error(
        `policy statement ${s.Sid ?? JSON.stringify(actions)} allows the wildcard action(s) ${bad.join(", ")}; list the actions it needs`,
      );
    }
  }
  return JSON.stringify({ Version: "2012-10-17", Statement: statements.map((s) => ({ Effect: "Allow", ...s })) });
}

/**
 * Trust policy for an AWS service principal. With `sourceAccount` the trust is pinned to the
 * account (confused-deputy guard) for the services that send aws:SourceAccount.
 */
export function serviceTrustPolicy(
  service: string | readonly string[],
  sourceAccount?: string,
  extra: PolicyStatement["Condition"] = {},
): string {
  const condition = { ...(sourceAccount ? { StringEquals: { "aws:SourceAccount": sourceAccount } } : {}), ...extra };
  return policyJson([
    {
      Sid: "TrustService",
      Action: "sts:AssumeRole",
      Principal: { Service: service },
      ...(Object.keys(condition).length ? { Condition: condition } : {}),
    },
  ]);
}

/** ARN builder for one environment's partition, region and account. */
export class Arns {
  readonly partition: string;
  constructor(
    readonly region: string,
    readonly accountId: string,
  ) {
    this.partition = partitionOf(region);
  }
  /** `arn:<partition>:<service>:<region>:<account>:<resource>`; region omitted for global services. */
  arn(service: string, resource: string, opts: { global?: boolean; noAccount?: boolean } = {}): string {
    return `arn:${this.partition}:${service}:${opts.global ? "" : this.region}:${opts.noAccount ? "" : this.accountId}:${resource}`;
  }
  /** The account root principal. */
  get root(): string {
    return `arn:${this.partition}:iam::${this.accountId}:root`;
  }
  /** A function writing its own log group `logGroupName` (a `*` suffix covers a prefix): streams and events. */
  functionLogs(logGroupName: string): PolicyStatement {
    return {
      Sid: "FunctionLogs",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: [this.arn("logs", `log-group:${logGroupName}`), this.arn("logs", `log-group:${logGroupName}:log-stream:*`)],
    };
  }
}

/** Condition: a KMS key is used only by Secrets Manager in `region` (decrypting the secrets it holds). */
export function viaSecretsManager(region: string): NonNullable<PolicyStatement["Condition"]> {
  return { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } };
}
