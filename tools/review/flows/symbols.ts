/**
 * Symbolic values of Terraform expressions. A reference (`${aws_sns_topic.alarms.arn}`, or through
 * remote state `${data.terraform_remote_state.security.outputs.kms_key_arns.messaging}`) is replaced
 * by the value it names: the concrete text when the configuration fixes it (a topic's ARN follows
 * from its name, the account and the region), otherwise a token `⟦<stack>/<address>.<attribute>⟧`
 * that is the same wherever the same attribute is named. Policies and request contexts rendered this
 * way compare as plain strings: `*` in a policy matches a token, a literal does not.
 */
import type { EnvModel, Resource } from "../model";
import { remoteLayer } from "../model";
import { isObj } from "../tf";
import { interpolationEnd } from "../refs";

export interface EnvFacts {
  readonly accountId: string;
  readonly region: string;
  readonly partition: string;
}

export const token = (what: string) => `⟦${what}⟧`;
export const isToken = (s: string) => s.startsWith("⟦") && s.endsWith("⟧") && s.indexOf("⟦", 1) === -1;

const REF =
  /^((?:data\.)?[a-z][a-z0-9]*(?:_[a-z0-9]+)*)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\.[A-Za-z0-9_-]+|\[\s*\d+\s*\]|\[\s*"[^"]*"\s*\])*)$/;

function splitPath(text: string): string[] {
  return [...text.matchAll(/\.([A-Za-z0-9_-]+)|\[\s*(\d+)\s*\]|\[\s*"([^"]*)"\s*\]/g)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Literal string attributes used as names (never expressions here: those are rendered). */
const NAME_ATTRS: Record<string, string> = {
  aws_sns_topic: "name",
  aws_sqs_queue: "name",
  aws_s3_bucket: "bucket",
  aws_iam_role: "name",
  aws_iam_policy: "name",
  aws_cloudwatch_event_rule: "name",
  aws_cloudwatch_metric_alarm: "alarm_name",
  aws_cloudwatch_composite_alarm: "alarm_name",
  aws_cloudwatch_log_group: "name",
  aws_ssm_parameter: "name",
  aws_secretsmanager_secret: "name",
  aws_lambda_function: "function_name",
  aws_elasticache_replication_group: "replication_group_id",
  aws_elasticache_user: "user_id",
  aws_elasticache_user_group: "user_group_id",
  aws_db_instance: "identifier",
  aws_rds_cluster: "cluster_identifier",
  aws_dynamodb_table: "name",
  aws_ecs_cluster: "name",
  aws_ecs_service: "name",
  aws_ecr_repository: "name",
};

export class Symbols {
  constructor(
    readonly model: EnvModel,
    readonly env: EnvFacts,
  ) {}

  /** `arn:<partition>:<service>:<region>:<account>:<rest>`. */
  arnOf(service: string, rest: string, opts: { region?: boolean; account?: boolean } = {}): string {
    return `arn:${this.env.partition}:${service}:${opts.region === false ? "" : this.env.region}:${opts.account === false ? "" : this.env.accountId}:${rest}`;
  }

  /** A string attribute of a resource as written (rendered when it is an expression); undefined when unset. */
  literal(r: Resource, key: string): string | undefined {
    const v = r.attrs[key];
    if (typeof v === "string") return this.render(r.stack, v);
    if (typeof v === "number") return String(v);
    return undefined;
  }

  /** The name a resource is known by (its NAME_ATTRS attribute), or a token. */
  nameOf(r: Resource): string {
    const key = NAME_ATTRS[r.type];
    return (key && this.literal(r, key)) ?? token(`${r.id}.name`);
  }

  /** The ARN of a resource: concrete when its name fixes it, a token otherwise. */
  arn(r: Resource): string {
    const n = () => this.nameOf(r);
    switch (r.type) {
      case "aws_sns_topic":
        return this.arnOf("sns", n());
      case "aws_sqs_queue":
        return this.arnOf("sqs", n());
      case "aws_s3_bucket":
        return this.arnOf("s3", n(), { region: false, account: false });
      case "aws_iam_role": {
        const p = this.literal(r, "path") ?? "/";
        return this.arnOf("iam", `role${p}${n()}`, { region: false });
      }
      case "aws_iam_policy":
        return this.arnOf("iam", `policy${this.literal(r, "path") ?? "/"}${n()}`, { region: false });
      case "aws_cloudwatch_event_rule": {
        const bus = this.literal(r, "event_bus_name");
        return this.arnOf("events", bus && bus !== "default" ? `rule/${bus}/${n()}` : `rule/${n()}`);
      }
      case "aws_cloudwatch_metric_alarm":
      case "aws_cloudwatch_composite_alarm":
        return this.arnOf("cloudwatch", `alarm:${n()}`);
      case "aws_cloudwatch_log_group":
        return this.arnOf("logs", `log-group:${n()}`);
      case "aws_ssm_parameter": {
        const name = n();
        return this.arnOf("ssm", `parameter${name.startsWith("/") ? "" : "/"}${name}`);
      }
      case "aws_secretsmanager_secret":
        return this.arnOf("secretsmanager", `secret:${n()}-${token(`${r.id}.suffix`)}`);
      case "aws_lambda_function":
        return this.arnOf("lambda", `function:${n()}`);
      case "aws_lambda_alias": {
        const fn = this.literal(r, "function_name") ?? token(`${r.id}.function_name`);
        const base = fn.startsWith("arn:") ? fn : this.arnOf("lambda", `function:${fn}`);
        return `${base}:${this.literal(r, "name") ?? token(`${r.id}.name`)}`;
      }
      case "aws_elasticache_replication_group":
        return this.arnOf("elasticache", `replicationgroup:${n()}`);
      case "aws_elasticache_user":
        return this.arnOf("elasticache", `user:${n()}`);
      case "aws_elasticache_user_group":
        return this.arnOf("elasticache", `usergroup:${n()}`);
      case "aws_db_instance":
        return this.arnOf("rds", `db:${n()}`);
      case "aws_rds_cluster":
        return this.arnOf("rds", `cluster:${n()}`);
      case "aws_dynamodb_table":
        return this.arnOf("dynamodb", `table/${n()}`);
      case "aws_ecr_repository":
        return this.arnOf("ecr", `repository/${n()}`);
      case "aws_ecs_cluster":
        return this.arnOf("ecs", `cluster/${n()}`);
      case "aws_cognito_user_pool":
        return this.arnOf("cognito-idp", `userpool/${token(`${r.id}.id`)}`);
      case "aws_cloudfront_distribution":
        return this.arnOf("cloudfront", `distribution/${token(`${r.id}.id`)}`, { region: false });
      case "aws_api_gateway_stage":
        return `arn:${this.env.partition}:apigateway:${this.env.region}::/restapis/${this.render(r.stack, String(r.attrs.rest_api_id ?? ""))}/stages/${this.literal(r, "stage_name") ?? token(`${r.id}.stage_name`)}`;
      default:
        return token(`${r.id}.arn`);
    }
  }

  /** An attribute of a resource, as a string. */
  attr(r: Resource, path: readonly string[]): string {
    const [head, ...rest] = path;
    if (head === "arn" && !rest.length) return this.arn(r);
    if (
      (r.type === "aws_db_instance" || r.type === "aws_rds_cluster") &&
      head === "master_user_secret" &&
      rest[rest.length - 1] === "secret_arn"
    ) {
      // RDS names the secret it manages rds!db-<uuid> / rds!cluster-<uuid> (see service-context.ts, RDS_MANAGED_SECRET).
      return this.arnOf(
        "secretsmanager",
        `secret:rds!${r.type === "aws_db_instance" ? "db" : "cluster"}-${token(`${r.id}.master_user_secret`)}`,
      );
    }
    if (head === "id" && !rest.length) {
      switch (r.type) {
        case "aws_sns_topic":
          return this.arn(r);
        case "aws_cognito_user_pool":
          return token(`${r.id}.id`);
        case "aws_sqs_queue":
          return this.attr(r, ["url"]);
        case "aws_s3_bucket":
        case "aws_iam_role":
        case "aws_ssm_parameter":
        case "aws_cloudwatch_log_group":
        case "aws_lambda_function":
        case "aws_elasticache_user":
        case "aws_elasticache_user_group":
        case "aws_elasticache_replication_group":
        case "aws_db_instance":
        case "aws_rds_cluster":
        case "aws_dynamodb_table":
          return this.nameOf(r);
      }
    }
    if (r.type === "aws_ecr_repository" && head === "repository_url")
      return `${this.env.accountId}.dkr.ecr.${this.env.region}.amazonaws.com/${this.nameOf(r)}`;
    if (r.type === "aws_sqs_queue" && head === "url")
      return `https://sqs.${this.env.region}.amazonaws.com/${this.env.accountId}/${this.nameOf(r)}`;
    if ((r.type === "aws_lambda_function" || r.type === "aws_lambda_alias") && head === "invoke_arn")
      return `arn:${this.env.partition}:apigateway:${this.env.region}:lambda:path/2015-03-31/functions/${this.arn(r)}/invocations`;
    if (r.type === "aws_lambda_alias" && head === "function_name")
      return this.literal(r, "function_name") ?? token(`${r.id}.function_name`);
    if (!rest.length && head === NAME_ATTRS[r.type]) return this.nameOf(r);
    if (!rest.length && typeof r.attrs[head] === "string") return this.literal(r, head)!;
    return token(`${r.id}.${path.join(".")}`);
  }

  /** The value one reference names, seen from `stack`: a string, or a list/object of rendered strings. */
  refValue(stack: string, head: string, name: string, path: readonly string[], depth = 0): unknown {
    if (depth > 6) return token(`${stack}:${head}.${name}`);
    if (head === "data.terraform_remote_state") {
      if (path[0] !== "outputs" || !path[1]) return token(`${stack}:remote.${name}.${path.join(".")}`);
      const from = this.model.stack(stack);
      const layer = remoteLayer(name, from?.tf.data?.terraform_remote_state?.[name]);
      const producer = layer ? this.model.stack(layer) : undefined;
      const out = producer?.tf.output?.[path[1]];
      if (!producer || !out) return token(`${stack}:remote.${name}.${path.slice(1).join(".")}`);
      let v: unknown = out.value;
      const rest = path.slice(2);
      for (let i = 0; i < rest.length; i++) {
        const k = rest[i];
        if (Array.isArray(v) && /^\d+$/.test(k)) v = v[Number(k)];
        else if (isObj(v) && k in v) v = v[k];
        else if (typeof v === "string") {
          // An attribute of what the output names: `${aws_x.y}` then `.arn`.
          const m = /^\$\{([^}]*)\}$/.exec(v);
          const ref = m ? REF.exec(m[1].trim()) : null;
          if (ref) return this.refValue(producer.name, ref[1], ref[2], [...splitPath(ref[3] ?? ""), ...rest.slice(i)], depth + 1);
          return token(`${producer.name}:output.${path.slice(1).join(".")}`);
        } else return token(`${producer.name}:output.${path.slice(1).join(".")}`);
      }
      return this.renderValue(producer.name, v, depth + 1);
    }
    if (head.startsWith("data.") || ["var", "local", "module", "each", "count", "path", "terraform", "self"].includes(head))
      return token(`${stack}:${head}.${name}${path.length ? `.${path.join(".")}` : ""}`);
    const r = this.model.resource(`${stack}/${head}.${name}`);
    if (!r) return token(`${stack}/${head}.${name}${path.length ? `.${path.join(".")}` : ""}`);
    if (!path.length) return token(`${r.id}`);
    return this.attr(r, path);
  }

  /** Renders every string inside a value (lists and objects kept). */
  renderValue(stack: string, v: unknown, depth = 0): unknown {
    if (typeof v === "string") {
      const whole = /^\$\{([^}]*)\}$/.exec(v);
      const ref = whole ? REF.exec(whole[1].trim()) : null;
      if (ref) return this.refValue(stack, ref[1], ref[2], splitPath(ref[3] ?? ""), depth);
      return this.render(stack, v, depth);
    }
    if (Array.isArray(v)) return v.map((x) => this.renderValue(stack, x, depth));
    if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.renderValue(stack, x, depth)]));
    return v;
  }

  /** Renders a string: each `${reference}` replaced by its value (a list value becomes a token); `$${` is a literal `${`. */
  render(stack: string, s: string, depth = 0): string {
    if (!s.includes("${")) return s;
    let out = "";
    let i = 0;
    while (i < s.length) {
      const start = s.indexOf("${", i);
      if (start === -1) {
        out += s.slice(i);
        break;
      }
      if (start > 0 && s[start - 1] === "$") {
        out += s.slice(i, start - 1) + "${";
        i = start + 2;
        continue;
      }
      out += s.slice(i, start);
      const j = interpolationEnd(s, start);
      const body = s.slice(start + 2, j - 1).trim();
      const ref = REF.exec(body);
      if (ref) {
        const v = this.refValue(stack, ref[1], ref[2], splitPath(ref[3] ?? ""), depth + 1);
        out += typeof v === "string" ? v : token(`${stack}:${body}`);
      } else out += token(`${stack}:${body}`);
      i = j;
    }
    return out;
  }

  /** Renders a value to a list of strings (a list output, a single string, or a list of references). */
  strings(stack: string, v: unknown): string[] {
    const r = this.renderValue(stack, v);
    if (Array.isArray(r))
      return r.flatMap((x) => (typeof x === "string" ? [x] : Array.isArray(x) ? x.filter((y): y is string => typeof y === "string") : []));
    return typeof r === "string" ? [r] : [];
  }
}
