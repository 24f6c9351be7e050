/**
 * The function of an apply-time provisioner (a small function Terraform invokes through
 * aws_lambda_invocation: modules/database-users.ts, modules/identity-providers.ts): its code and
 * log group, its ServiceRole, the function itself in the VPC with one run at a time, and the review
 * exceptions every provisioner carries. The caller adds its invocation.
 *
 * Addresses for a construct id `x`: aws_lambda_function.x, aws_cloudwatch_log_group.x_logs,
 * aws_iam_role.x_role, aws_iam_role_policy.x_role_<policy>.
 */
import { LambdaFunction as AwsLambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import type { Construct } from "constructs";
import { Arns, LAMBDA_VPC_ACCESS, type PolicyStatement } from "../core/policy";
import {
  functionCodeAndLogs,
  type FunctionCodeAndLogs,
  type FunctionPackageProps,
  packagedFunction,
  provisionerReviewExceptions,
} from "./lambda-function";
import { ServiceRole } from "./service-role";

/** The props every provisioner construct takes for its function. */
export interface ProvisionerProps extends FunctionPackageProps {
  readonly roleName: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly logRetentionDays: number;
  /** @default the CloudWatch Logs service key */
  readonly logKmsKeyArn?: string;
  /** Region and account of the resources the function works on (ARNs). */
  readonly region: string;
  readonly accountId: string;
}

/** What the provisioner's own construct says of its function. */
export interface ProvisionerOwn {
  readonly description: string;
  readonly roleDescription: string;
  /** The role's own inline policies, by name; its logs, network interfaces and `xray` follow them. */
  readonly policies: Readonly<Record<string, PolicyStatement[]>>;
  readonly xray: PolicyStatement;
  readonly environment?: Readonly<Record<string, string>>;
}

export interface Provisioner {
  readonly pkg: FunctionCodeAndLogs;
  readonly role: ServiceRole;
  readonly function: AwsLambdaFunction;
}

/** The function of a provisioner in `scope` (its construct), as the module comment says. */
export function provisionerFunction(scope: Construct, props: ProvisionerProps, own: ProvisionerOwn): Provisioner {
  const pkg = functionCodeAndLogs(scope, props.code, props.functionName, {
    retentionDays: props.logRetentionDays,
    kmsKeyArn: props.logKmsKeyArn,
  });
  const role = new ServiceRole(scope, "role", {
    name: props.roleName,
    description: own.roleDescription,
    service: "lambda.amazonaws.com",
    policies: {
      ...own.policies,
      logs: [new Arns(props.region, props.accountId).functionLogs(pkg.logGroupName)],
      "vpc-access": [LAMBDA_VPC_ACCESS],
      xray: [own.xray],
    },
  });
  const fn = new AwsLambdaFunction(scope, "Resource", {
    functionName: props.functionName,
    description: own.description,
    ...packagedFunction(pkg, {
      roleArn: role.arn,
      runtime: props.runtime,
      handler: props.handler,
      architecture: props.architecture,
      memoryMb: props.memoryMb,
      timeoutSeconds: props.timeoutSeconds,
    }),
    // One run at a time: two applies must not interleave their work.
    reservedConcurrentExecutions: 1,
    vpcConfig: { subnetIds: props.subnetIds, securityGroupIds: props.securityGroupIds },
    environment: own.environment ? { variables: { ...own.environment } } : undefined,
    // Lambda checks the role's network-interface permissions when it creates the function.
    dependsOn: Object.values(role.policies),
  });
  provisionerReviewExceptions(role.policies["vpc-access"], fn);
  return { pkg, role, function: fn };
}
