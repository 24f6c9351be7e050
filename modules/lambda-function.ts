/**
 * A VPC Lambda function with everything a reviewer expects around it: its code packaged at synth
 * (TerraformAsset, content-hashed, deterministic), a KMS-encrypted log group with retention,
 * X-Ray active tracing, explicit memory and timeout, optional reserved concurrency, a published
 * version and an alias, and an encrypted SQS queue receiving failed asynchronous invocations
 * (the alias's on-failure destination). Used by the GenAI function (layer 06) and reusable for
 * the mailer and webhook functions.
 *
 * The execution role is not created here: it comes from the security layer, which must grant
 * logs:CreateLogStream/PutLogEvents on the log group, the VPC network-interface actions, X-Ray
 * writes, sqs:SendMessage on the queue and kms:GenerateDataKey/Decrypt on the queue's key.
 *
 * Grants (core/grants.ts): `grantInvoke(grantee)`: lambda:InvokeFunction on the function and its
 * versions and aliases (`Invoke<Id>Function`; literal ARNs from `functionName`, `LambdaFunction.arnOf`).
 * The code is not encrypted with a customer key here, so there is no key to grant.
 * `LambdaFunction.grantFailureDestination(grantee, deadLetterQueue)` (static, for the role written
 * before the function): sqs:SendMessage on the failure queue and its key through SQS only.
 *
 * Addresses, for a construct id `genai`: aws_lambda_function.genai, aws_cloudwatch_log_group.genai_logs,
 * aws_lambda_alias.genai_live, aws_sqs_queue.genai_dlq, aws_sqs_queue_policy.genai_dlq_policy,
 * aws_lambda_function_event_invoke_config.genai_async; the package lands in
 * assets/genai_code/<hash>/archive.zip next to the stack's Terraform.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaAlias } from "@cdktf/provider-aws/lib/lambda-alias";
import { LambdaFunction as AwsLambdaFunction, type LambdaFunctionConfig } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import type { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { SqsQueuePolicy } from "@cdktf/provider-aws/lib/sqs-queue-policy";
import { App, AssetType, TerraformAsset } from "cdktf";
import { buildSync } from "esbuild";
import { Construct } from "constructs";
import { type Grantee, sidName } from "../core/grants";
import type { Arns } from "../core/policy";
import { LOG_RETENTION_DAYS } from "../core/config/constants";
import { denyInsecureTransport, policyJson } from "../core/policy";
import { reviewException } from "../core/review";
import type { Metric } from "./alarm-set";
import { checkWholeNumber } from "./checks";

// -------------------------------------------------------------------------------------------------
// Code

/** A directory ready to be zipped, and a hash of its content (names and bytes). */
export interface StagedCode {
  readonly directory: string;
  readonly hash: string;
}

export interface TypeScriptOptions {
  /**
   * Packages left out of the bundle besides the runtime's `@aws-sdk/*` (a sub-path such as
   * `mysql2/promise` goes with its package): optional modules a dependency requires only when
   * asked (`pg-native`), or a driver this function's configuration never loads. Every other
   * package the entry imports is bundled from this project's node_modules; one that is not
   * installed fails the synthesis. @default none
   */
  readonly external?: readonly string[];
}

/** Where a function's code comes from. */
export abstract class LambdaCode {
  /** A directory that already holds the deployable files (zipped as is). */
  static fromDirectory(directory: string): LambdaCode {
    return new DirectoryCode(path.resolve(directory));
  }

  /**
   * The function's entry (`index.ts`, else `index.js`, in `sourceDirectory`) bundled at synth time
   * with esbuild into one CommonJS `index.js`: its own modules and what it imports from elsewhere
   * in the project (functions/shared: the logger and settings readers every function shares) go in;
   * the AWS SDK v3 (`@aws-sdk/*`) stays out, the Node.js runtime provides it. Only what the entry
   * imports is packaged, so tests never are. The output is deterministic (paths relative to the
   * project root, no source maps), so the same sources give the same hash and archive.
   */
  static fromTypeScript(sourceDirectory: string, options: TypeScriptOptions = {}): LambdaCode {
    return new TypeScriptCode(path.resolve(sourceDirectory), options.external ?? []);
  }

  /** Produces the directory to package (under `<app outdir>/staging/` when transpiling is needed). */
  abstract stage(scope: Construct): StagedCode;
}

/** What a function built in `scope` starts from: its code, staged and zipped (construct id `code`), and its log group. */
export interface FunctionCodeAndLogs {
  readonly staged: StagedCode;
  readonly asset: TerraformAsset;
  /** `/aws/lambda/<functionName>`, created here so it has retention and encryption. */
  readonly logGroupName: string;
  readonly logGroup: CloudwatchLogGroup;
}

/** Stages `code` as the asset `code` and creates the log group `logs` of the function `functionName` in `scope`. */
export function functionCodeAndLogs(
  scope: Construct,
  code: LambdaCode,
  functionName: string,
  logs: { readonly retentionDays: number; readonly kmsKeyArn?: string },
): FunctionCodeAndLogs {
  const staged = code.stage(scope);
  const asset = new TerraformAsset(scope, "code", { path: staged.directory, type: AssetType.ARCHIVE, assetHash: staged.hash });
  const logGroupName = `/aws/lambda/${functionName}`;
  const logGroup = new CloudwatchLogGroup(scope, "logs", {
    name: logGroupName,
    retentionInDays: logs.retentionDays,
    kmsKeyId: logs.kmsKeyArn,
  });
  return { staged, asset, logGroupName, logGroup };
}

/** What a function's `aws_lambda_function` takes from its package and sizing, the same for every function the kit builds. */
export interface PackagedFunctionSettings {
  readonly roleArn: string;
  readonly runtime: string;
  readonly handler: string;
  /** @default "arm64" */
  readonly architecture?: "arm64" | "x86_64";
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  /** X-Ray tracing mode. @default "Active" */
  readonly tracing?: "Active" | "PassThrough";
}

/** The role, code, runtime, size, tracing and logging (plain text into its own log group) of a function packaged by functionCodeAndLogs. */
export function packagedFunction(pkg: FunctionCodeAndLogs, s: PackagedFunctionSettings) {
  return {
    role: s.roleArn,
    runtime: s.runtime,
    handler: s.handler,
    architectures: [s.architecture ?? "arm64"],
    filename: pkg.asset.path,
    sourceCodeHash: pkg.staged.hash,
    memorySize: s.memoryMb,
    timeout: s.timeoutSeconds,
    tracingConfig: { mode: s.tracing ?? "Active" },
    // Naming the group makes the function depend on it: Lambda never creates it without retention.
    loggingConfig: { logFormat: "Text", logGroup: pkg.logGroup.name },
  } satisfies Partial<LambdaFunctionConfig>;
}

/**
 * The review exceptions every apply-time provisioner (a VPC function Terraform invokes through
 * aws_lambda_invocation) carries: its role's network-interface policy cannot be scoped, and a
 * synchronous invocation has no asynchronous events for a dead-letter queue.
 */
export function provisionerReviewExceptions(vpcAccessPolicy: IamRolePolicy, fn: AwsLambdaFunction): void {
  reviewException(
    vpcAccessPolicy,
    "PK-IAM-004",
    "Lambda creates the function's network interfaces with this role; EC2 offers no resource-level scoping for them",
  );
  reviewException(
    fn,
    "PK-LAMBDA-002",
    "Invoked synchronously by Terraform only (aws_lambda_invocation): a failure fails the apply and names the error; there are no asynchronous events to keep",
  );
}

/** Files of a tree as sorted relative posix paths (sorted, so hashes and zips do not depend on readdir order). */
function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) out.push(child);
    }
  };
  walk("");
  return out.sort();
}

/** sha256 over every file's relative path and bytes; 32 hex characters. */
function hashFiles(files: ReadonlyArray<readonly [string, Buffer | string]>): string {
  const h = crypto.createHash("sha256");
  for (const [rel, content] of [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    h.update(rel).update("\0").update(content).update("\0");
  }
  return h.digest("hex").slice(0, 32);
}

class DirectoryCode extends LambdaCode {
  constructor(private readonly directory: string) {
    super();
  }

  stage(): StagedCode {
    if (!fs.existsSync(this.directory) || !fs.statSync(this.directory).isDirectory()) {
      throw new Error(`LambdaCode.fromDirectory: ${this.directory} is not a directory`);
    }
    const files = listFiles(this.directory).map((rel) => [rel, fs.readFileSync(path.join(this.directory, rel))] as const);
    if (!files.length) throw new Error(`LambdaCode.fromDirectory: ${this.directory} is empty`);
    return { directory: this.directory, hash: hashFiles(files) };
  }
}

/** Packages the Node.js runtimes provide: left out of the bundle. */
const RUNTIME_PROVIDED = ["@aws-sdk/*"];
/** Zip entries take their date from the files: a fixed one keeps the archive byte-identical. */
const FIXED_MTIME = new Date("2000-01-01T00:00:00Z");

/** The nearest directory at or above `dir` holding a package.json: paths in the bundle are relative to it. */
function projectRoot(dir: string): string {
  for (let d = dir; ; d = path.dirname(d)) {
    if (fs.existsSync(path.join(d, "package.json"))) return d;
    if (path.dirname(d) === d) return dir;
  }
}

/** A bundle this process already built, and the size and mtime of every file it was built from. */
interface BuiltBundle {
  readonly inputs: ReadonlyArray<readonly [file: string, size: number, mtimeMs: number]>;
  readonly outputs: ReadonlyArray<readonly [string, string]>;
}
const bundles = new Map<string, BuiltBundle>();

function fileStamp(file: string): [number, number] | undefined {
  try {
    const st = fs.statSync(file);
    return [st.size, st.mtimeMs];
  } catch {
    return undefined;
  }
}

/**
 * esbuild's bundle of `entry`: one build per function and process. A synthesis packages the same
 * function in several stacks (and a test run synthesizes many times); the build is reused while
 * every input file esbuild read keeps its size and mtime, and rebuilt as soon as one changes.
 */
function bundle(root: string, entry: string, external: string[]): ReadonlyArray<readonly [string, string]> {
  const key = JSON.stringify([root, entry, external]);
  const known = bundles.get(key);
  if (
    known &&
    known.inputs.every(([file, size, mtime]) => {
      const now = fileStamp(file);
      return now !== undefined && now[0] === size && now[1] === mtime;
    })
  )
    return known.outputs;
  const result = buildSync({
    entryPoints: [path.relative(root, entry)],
    absWorkingDir: root,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    external,
    write: false,
    outfile: "index.js",
    sourcemap: false,
    legalComments: "none",
    charset: "utf8",
    logLevel: "silent",
    metafile: true,
  });
  const outputs = result.outputFiles.map((f) => [path.basename(f.path), f.text] as const);
  const inputs: [string, number, number][] = [];
  for (const rel of Object.keys(result.metafile?.inputs ?? {})) {
    const file = path.resolve(root, rel);
    const stamp = fileStamp(file);
    if (!stamp) return outputs; // an input esbuild names but we cannot stat: never reuse this build
    inputs.push([file, ...stamp]);
  }
  bundles.set(key, { inputs, outputs });
  return outputs;
}

class TypeScriptCode extends LambdaCode {
  constructor(
    private readonly sourceDirectory: string,
    private readonly external: readonly string[],
  ) {
    super();
  }

  stage(scope: Construct): StagedCode {
    if (!fs.existsSync(this.sourceDirectory)) throw new Error(`LambdaCode.fromTypeScript: ${this.sourceDirectory} does not exist`);
    const entry = ["index.ts", "index.js"].map((f) => path.join(this.sourceDirectory, f)).find((f) => fs.existsSync(f));
    if (!entry) throw new Error(`LambdaCode.fromTypeScript: no entry (index.ts or index.js) in ${this.sourceDirectory}`);
    const outputs = bundle(projectRoot(this.sourceDirectory), entry, [...RUNTIME_PROVIDED, ...this.external]);
    const hash = hashFiles(outputs);
    // <outdir>/staging/<construct path>/<hash>: one folder per function, older hashes removed.
    const home = path.join(App.of(scope).outdir, "staging", scope.node.path.replace(/[^\w.-]+/g, "_"));
    const directory = path.join(home, hash);
    if (fs.existsSync(home)) {
      for (const old of fs.readdirSync(home)) if (old !== hash) fs.rmSync(path.join(home, old), { recursive: true, force: true });
    }
    for (const [rel, code] of outputs) {
      const file = path.join(directory, rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, code, { mode: 0o644 });
      fs.chmodSync(file, 0o644); // the umask must not change the archive
      fs.utimesSync(file, FIXED_MTIME, FIXED_MTIME);
    }
    return { directory, hash };
  }
}

// -------------------------------------------------------------------------------------------------
// Function

export interface LambdaFunctionVpcProps {
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
}

export interface LambdaFunctionLogProps {
  /** Retention in days (a value CloudWatch Logs accepts). */
  readonly retentionDays: number;
  /** KMS key encrypting the log group. @default the CloudWatch Logs service key */
  readonly kmsKeyArn?: string;
}

export interface LambdaDeadLetterQueueProps {
  /** Queue name (fit it with Naming: 80 characters at most). */
  readonly name: string;
  /** KMS key encrypting the queue. @default SQS-managed encryption (SSE-SQS) */
  readonly kmsKeyArn?: string;
  /** How long failed events are kept, 60-1209600 seconds. @default 1209600 (14 days, the SQS maximum) */
  readonly retentionSeconds?: number;
}

/** The function a construct packages and sizes: name, code, entry point, runtime, memory and timeout. */
export interface FunctionPackageProps {
  /** Function name (64 characters at most). */
  readonly functionName: string;
  readonly code: LambdaCode;
  /** `<file>.<export>` inside the package, e.g. `index.handler`. */
  readonly handler: string;
  /** Lambda runtime identifier, e.g. `nodejs22.x`. */
  readonly runtime: string;
  /** @default "arm64" */
  readonly architecture?: "arm64" | "x86_64";
  /** Memory in MB, 128-10240. Required: the default of 128 MB is rarely a decision. */
  readonly memoryMb: number;
  /** Timeout in seconds, 1-900. Required: the default of 3 s is rarely a decision. */
  readonly timeoutSeconds: number;
}

export interface LambdaFunctionProps extends FunctionPackageProps {
  /** @default none */
  readonly description?: string;
  /** Execution role ARN (see the module comment for what it must allow). */
  readonly roleArn: string;
  /** Subnets and security groups of the function's network interfaces. */
  readonly vpc: LambdaFunctionVpcProps;
  /** Environment variables; never secrets (they are visible to anyone who can read the function). @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Reserved (and capped) concurrency. @default none: the function shares the account's unreserved pool */
  readonly reservedConcurrency?: number;
  /** X-Ray tracing mode. @default "Active" */
  readonly tracing?: "Active" | "PassThrough";
  /** The log group `/aws/lambda/<functionName>`, created here so it has retention and encryption. */
  readonly logs: LambdaFunctionLogProps;
  /** Name of the alias callers invoke, pointing at the version this configuration publishes. @default "live" */
  readonly aliasName?: string;
  /** Queue for failed asynchronous invocations of the alias. */
  readonly deadLetterQueue: LambdaDeadLetterQueueProps;
  /**
   * Also set the function's `dead_letter_config` to the queue. The alias's on-failure destination
   * already receives every failed asynchronous event, with more detail (the error, the request
   * context); the DLQ would receive a second copy. @default false
   */
  readonly legacyDeadLetterConfig?: boolean;
  /** Retries of a failed asynchronous invocation, 0-2. @default 2 */
  readonly maxRetryAttempts?: number;
  /** Oldest asynchronous event still processed, 60-21600 seconds. @default 21600 (6 hours) */
  readonly maxEventAgeSeconds?: number;
}

export class LambdaFunction extends Construct {
  readonly function: AwsLambdaFunction;
  readonly alias: LambdaAlias;
  readonly logGroup: CloudwatchLogGroup;
  readonly deadLetterQueue: SqsQueue;
  readonly eventInvokeConfig: LambdaFunctionEventInvokeConfig;
  readonly asset: TerraformAsset;

  readonly functionName: string;
  /** Unqualified function ARN. */
  readonly functionArn: string;
  /** The version this configuration publishes. */
  readonly version: string;
  readonly aliasName: string;
  readonly aliasArn: string;
  /** API Gateway integration URI of the alias. */
  readonly aliasInvokeArn: string;
  readonly deadLetterQueueArn: string;
  readonly logGroupName: string;
  /** Content hash of the package (also its source_code_hash). */
  readonly codeHash: string;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: LambdaFunctionProps,
  ) {
    super(scope, id);
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(props.functionName))
      throw new Error(`LambdaFunction ${id}: invalid function name ${JSON.stringify(props.functionName)} (1-64 of a-z A-Z 0-9 _ -)`);
    checkWholeNumber(`LambdaFunction ${id}`, "memoryMb", props.memoryMb, 128, 10240);
    checkWholeNumber(`LambdaFunction ${id}`, "timeoutSeconds", props.timeoutSeconds, 1, 900);
    checkWholeNumber(`LambdaFunction ${id}`, "reservedConcurrency", props.reservedConcurrency, 0, 100000);
    checkWholeNumber(`LambdaFunction ${id}`, "maxRetryAttempts", props.maxRetryAttempts, 0, 2);
    checkWholeNumber(`LambdaFunction ${id}`, "maxEventAgeSeconds", props.maxEventAgeSeconds, 60, 21600);
    checkWholeNumber(`LambdaFunction ${id}`, "deadLetterQueue.retentionSeconds", props.deadLetterQueue.retentionSeconds, 60, 1209600);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logs.retentionDays)) {
      throw new Error(
        `LambdaFunction ${id}: logs.retentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}, got ${props.logs.retentionDays}`,
      );
    }
    const aliasName = props.aliasName ?? "live";
    if (!/^(?!^[0-9]+$)[a-zA-Z0-9_-]{1,128}$/.test(aliasName))
      throw new Error(`LambdaFunction ${id}: invalid alias name ${JSON.stringify(aliasName)}`);

    // Code: staged, hashed, zipped by cdktf next to the stack (assets/<id>_code/<hash>/archive.zip).
    const pkg = functionCodeAndLogs(this, props.code, props.functionName, props.logs);
    this.codeHash = pkg.staged.hash;
    this.asset = pkg.asset;
    this.logGroup = pkg.logGroup;

    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: props.deadLetterQueue.name,
      messageRetentionSeconds: props.deadLetterQueue.retentionSeconds ?? 1209600,
      ...(props.deadLetterQueue.kmsKeyArn
        ? { kmsMasterKeyId: props.deadLetterQueue.kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 }
        : { sqsManagedSseEnabled: true }),
    });
    new SqsQueuePolicy(this, "dlq-policy", {
      queueUrl: this.deadLetterQueue.url,
      policy: policyJson([denyInsecureTransport("sqs:*", this.deadLetterQueue.arn)]),
    });

    this.function = new AwsLambdaFunction(this, "Resource", {
      functionName: props.functionName,
      description: props.description,
      ...packagedFunction(pkg, props),
      reservedConcurrentExecutions: props.reservedConcurrency,
      publish: true,
      vpcConfig: { subnetIds: props.vpc.subnetIds, securityGroupIds: props.vpc.securityGroupIds },
      environment: props.environment && Object.keys(props.environment).length ? { variables: { ...props.environment } } : undefined,
      deadLetterConfig: props.legacyDeadLetterConfig ? { targetArn: this.deadLetterQueue.arn } : undefined,
    });

    this.alias = new LambdaAlias(this, aliasName, {
      name: aliasName,
      description: `Version of ${props.functionName} that callers invoke`,
      functionName: this.function.functionName,
      functionVersion: this.function.version,
    });

    this.eventInvokeConfig = new LambdaFunctionEventInvokeConfig(this, "async", {
      functionName: this.function.functionName,
      qualifier: this.alias.name,
      maximumRetryAttempts: props.maxRetryAttempts ?? 2,
      maximumEventAgeInSeconds: props.maxEventAgeSeconds ?? 21600,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
    });

    this.functionName = this.function.functionName;
    this.functionArn = this.function.arn;
    this.version = this.function.version;
    this.aliasName = this.alias.name;
    this.aliasArn = this.alias.arn;
    this.aliasInvokeArn = this.alias.invokeArn;
    this.deadLetterQueueArn = this.deadLetterQueue.arn;
    this.logGroupName = this.logGroup.name;
  }

  // ---------------------------------------------------------------------------------------------
  // Grants

  /** The unqualified ARN a function named `name` has (a literal, for policies written before it exists). */
  static arnOf(arns: Arns, name: string): string {
    return arns.arn("lambda", `function:${name}`);
  }

  /** Invoke the function, its versions and its aliases. */
  grantInvoke(grantee: Grantee): void {
    const arn = LambdaFunction.arnOf(grantee.arns, this.props.functionName);
    grantee.addStatement({ Sid: `Invoke${sidName(this.node.id)}Function`, Action: ["lambda:InvokeFunction"], Resource: [arn, `${arn}:*`] });
  }

  /**
   * What the execution role needs for the failure destination (the function's own queue, named
   * in `deadLetterQueue`): sqs:SendMessage on it (`FailureQueue`) and, with a customer managed key,
   * kms:Decrypt and kms:GenerateDataKey through SQS only. Static: the role's policies are written
   * before the function exists (Lambda checks them when it creates the function).
   */
  static grantFailureDestination(grantee: Grantee, deadLetterQueue: LambdaDeadLetterQueueProps): void {
    grantee.addStatement({ Sid: "FailureQueue", Action: ["sqs:SendMessage"], Resource: grantee.arns.arn("sqs", deadLetterQueue.name) });
    if (deadLetterQueue.kmsKeyArn)
      grantee.useKey({ keyArn: deadLetterQueue.kmsKeyArn, service: "sqs", actions: ["kms:Decrypt", "kms:GenerateDataKey"] });
  }
}

// ---------------------------------------------------------------------------------------------
// Metrics (what layer 10 alarms on and draws; names from the owning layer's outputs)

/** An AWS/Lambda metric of a function (`FunctionName`). */
export function lambdaMetric(metricName: string, stat: string, functionName: string): Metric {
  return { namespace: "AWS/Lambda", metricName, dimensions: { FunctionName: functionName }, stat };
}
