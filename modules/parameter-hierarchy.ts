import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Construct } from "constructs";
import { type Grantee, sidName } from "../core/grants";
import { Arns, policyJson, type PolicyStatement } from "../core/policy";

/** Characters Parameter Store accepts in a name; `/` separates levels. */
const KEY_RE = /^[a-zA-Z0-9_.-]+(\/[a-zA-Z0-9_.-]+)*$/;
const PATH_RE = /^(\/[a-zA-Z0-9_.-]+)+$/;

/**
 * Initial value of a SecureString: obviously not a secret, and telling whoever reads it what to do.
 * Terraform ignores later changes of the value, so operators set the real one with
 * `aws ssm put-parameter --overwrite` and Terraform never sees it again.
 */
export const SECRET_PLACEHOLDER = "UNSET: set this SecureString outside Terraform with aws ssm put-parameter --overwrite";

export interface ParameterSpec {
  /** Key below the hierarchy's root (`customers/server/port`): segments of a-z A-Z 0-9 _ . - joined by `/`. */
  readonly key: string;
  /**
   * The value: a string gives a String parameter, a list a StringList (items must not contain commas).
   * Ignored for secure parameters. Required otherwise.
   */
  readonly value?: string | readonly string[];
  /** A SecureString encrypted with `kmsKeyArn`, created with `secretPlaceholder` and never updated by Terraform. @default false */
  readonly secure?: boolean;
  /** @default none */
  readonly description?: string;
}

export interface ParameterHierarchyProps {
  /** Path every key is below, without a trailing slash (`/petclinic/dev`). */
  readonly root: string;
  readonly parameters: readonly ParameterSpec[];
  /** KMS key (ARN, id or alias) of the SecureStrings. Required when a parameter is secure. @default none */
  readonly kmsKeyArn?: string;
  /** @default "Standard" */
  readonly tier?: "Standard" | "Advanced" | "Intelligent-Tiering";
  /** Initial value of secure parameters. @default SECRET_PLACEHOLDER */
  readonly secretPlaceholder?: string;
}

/**
 * SSM parameters below one root path. Each parameter's construct id is its key with `/` read as
 * `_` (address `<id>_customers_server_port`), so adding a key never renames another.
 * SecureStrings are encrypted with the given key and carry `lifecycle { ignore_changes = [value] }`:
 * their value lives outside Terraform (the state only ever holds the placeholder).
 */
export class ParameterHierarchy extends Construct {
  /** The parameters by key. */
  readonly parameters: Readonly<Record<string, SsmParameter>>;
  /** Parameter ARNs by key. */
  readonly arns: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: ParameterHierarchyProps) {
    super(scope, id);
    if (!PATH_RE.test(props.root))
      throw new Error(`ParameterHierarchy ${id}: root ${JSON.stringify(props.root)} is not a path such as /project/env`);
    const ids = new Map<string, string>();
    const parameters: Record<string, SsmParameter> = {};
    for (const spec of props.parameters) {
      if (!KEY_RE.test(spec.key))
        throw new Error(
          `ParameterHierarchy ${id}: key ${JSON.stringify(spec.key)} has characters Parameter Store refuses (a-z A-Z 0-9 _ . - and / only)`,
        );
      // Construct ids are addresses: "Resource"/"Default" would be transparent, so they are lower-cased.
      const raw = spec.key.replace(/\//g, "_");
      const childId = raw === "Resource" || raw === "Default" ? raw.toLowerCase() : raw;
      const other = ids.get(childId);
      if (other !== undefined)
        throw new Error(
          `ParameterHierarchy ${id}: keys ${JSON.stringify(other)} and ${JSON.stringify(spec.key)} would share one construct id`,
        );
      ids.set(childId, spec.key);
      parameters[spec.key] = this.parameter(id, childId, spec, props);
    }
    this.parameters = parameters;
    this.arns = Object.fromEntries(Object.entries(parameters).map(([k, p]) => [k, p.arn]));
  }

  private parameter(id: string, childId: string, spec: ParameterSpec, props: ParameterHierarchyProps): SsmParameter {
    const name = `${props.root}/${spec.key}`;
    const common = { name, description: spec.description, tier: props.tier ?? "Standard" };
    if (spec.secure) {
      if (!props.kmsKeyArn) throw new Error(`ParameterHierarchy ${id}: ${spec.key} is secure but no kmsKeyArn was given`);
      const param = new SsmParameter(this, childId, {
        ...common,
        type: "SecureString",
        keyId: props.kmsKeyArn,
        value: props.secretPlaceholder ?? SECRET_PLACEHOLDER,
      });
      // The real value is set outside Terraform; never revert it to the placeholder.
      param.addOverride("lifecycle.ignore_changes", ["value"]);
      return param;
    }
    const value = spec.value;
    if (value === undefined || (typeof value === "string" ? value === "" : value.length === 0)) {
      throw new Error(`ParameterHierarchy ${id}: ${spec.key} has no value (Parameter Store refuses empty values)`);
    }
    if (typeof value !== "string") {
      const bad = value.find((v) => v === "" || v.includes(","));
      if (bad !== undefined)
        throw new Error(
          `ParameterHierarchy ${id}: ${spec.key} has the list item ${JSON.stringify(bad)}; StringList items must be non-empty and without commas`,
        );
    }
    return new SsmParameter(this, childId, {
      ...common,
      type: typeof value === "string" ? "String" : "StringList",
      value: typeof value === "string" ? value : value.join(","),
    });
  }
}

export interface ParameterReadPolicyProps {
  /** Policy name (fit it with Naming first: 128 characters at most). */
  readonly name: string;
  readonly description: string;
  /** Region and account of the parameters. */
  readonly region: string;
  readonly accountId: string;
  /** Paths whose parameters the policy reads, each without a trailing slash (`/petclinic/dev/customers`). */
  readonly paths: readonly string[];
  /**
   * KMS key of the SecureStrings below the paths: the policy may decrypt with it, only through
   * Parameter Store (kms:ViaService). @default no decrypt permission
   */
  readonly decryptKeyArn?: string;
  /** Roles to attach the policy to, by label (address `<id>_<label>`). @default none */
  readonly roleNames?: Readonly<Record<string, string>>;
}

/**
 * A managed policy that reads parameters below some paths, and its attachments.
 * GetParameter(s) are granted on `<path>/*`; GetParametersByPath on `<path>` and `<path>/*`,
 * because IAM checks that call against the path as the caller writes it, with or without a
 * trailing slash.
 */
export class ParameterReadPolicy extends Construct {
  readonly policy: IamPolicy;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ParameterReadPolicyProps) {
    super(scope, id);
    if (!props.paths.length) throw new Error(`ParameterReadPolicy ${id}: no paths to read`);
    const bad = props.paths.find((p) => !PATH_RE.test(p));
    if (bad !== undefined) throw new Error(`ParameterReadPolicy ${id}: ${JSON.stringify(bad)} is not a path such as /project/env/service`);
    if (props.name.length > 128) throw new Error(`ParameterReadPolicy ${id}: name ${props.name} is longer than 128 characters`);
    const arns = new Arns(props.region, props.accountId);
    const parameter = (path: string) => arns.arn("ssm", `parameter${path}`);
    const statements: PolicyStatement[] = [
      {
        Sid: "ReadParameters",
        Action: ["ssm:GetParameter", "ssm:GetParameters"],
        Resource: props.paths.map((p) => parameter(`${p}/*`)),
      },
      {
        Sid: "ReadParametersByPath",
        Action: "ssm:GetParametersByPath",
        Resource: props.paths.flatMap((p) => [parameter(p), parameter(`${p}/*`)]),
      },
    ];
    if (props.decryptKeyArn) {
      statements.push({
        Sid: "DecryptSecureStringsThroughSsm",
        Action: "kms:Decrypt",
        Resource: props.decryptKeyArn,
        Condition: { StringEquals: { "kms:ViaService": `ssm.${props.region}.amazonaws.com` } },
      });
    }
    this.policy = new IamPolicy(this, "Resource", { name: props.name, description: props.description, policy: policyJson(statements) });
    this.arn = this.policy.arn;
    for (const [label, roleName] of Object.entries(props.roleNames ?? {})) {
      new IamRolePolicyAttachment(this, label, { role: roleName, policyArn: this.policy.arn });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Grants (core/grants.ts)

/**
 * Read one parameter by its full name (`/acme/dev/notification/webhook-url`): ssm:GetParameter on
 * it (`Read<LastSegment>Parameter`) and, for a SecureString under a customer managed key,
 * kms:Decrypt with that key through Parameter Store only. The ARN is a literal from the name.
 */
export function grantReadParameter(grantee: Grantee, name: string, kmsKeyArn?: string): void {
  if (!PATH_RE.test(name)) throw new Error(`grantReadParameter: ${JSON.stringify(name)} is not a parameter name such as /project/env/key`);
  grantee.addStatement({
    Sid: `Read${sidName(name.slice(name.lastIndexOf("/") + 1))}Parameter`,
    Action: ["ssm:GetParameter"],
    Resource: grantee.arns.arn("ssm", `parameter${name}`),
  });
  if (kmsKeyArn) grantee.useKey({ keyArn: kmsKeyArn, service: "ssm", actions: ["kms:Decrypt"] });
}
