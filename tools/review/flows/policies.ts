/**
 * Where the policies of a request are: a role's identity policies (inline blocks, aws_iam_role_policy,
 * customer policies attached with aws_iam_role_policy_attachment), a resource's own policy (topic,
 * queue, bucket, secret, function permissions) and the KMS key that encrypts it, each rendered
 * (symbols.ts) so references compare as values.
 */
import type { EnvModel, Resource } from "../model";
import { block, blocks, isObj } from "../tf";
import { statementsOf, type Caller, type Sourced, type Statement } from "./iam";
import type { Symbols } from "./symbols";

export class Policies {
  private readonly roleCache = new Map<string, { statements: Sourced[]; managed: string[] }>();

  constructor(
    readonly model: EnvModel,
    readonly sym: Symbols,
  ) {}

  /** Rendered statements of a policy document held in `r[key]`. */
  doc(r: Resource, key = "policy", where = r.id): Sourced[] {
    const raw = r.attrs[key];
    const stmts = statementsOf(typeof raw === "string" ? raw : raw);
    return stmts.map((s) => ({ stmt: this.sym.renderValue(r.stack, s) as Statement, where }));
  }

  /** The role a value (`task_role_arn`, `role`) names, across stacks. */
  roleOf(stack: string, value: unknown): Resource | undefined {
    return this.model.resolve(stack, value).find((r) => r.type === "aws_iam_role");
  }

  caller(role: Resource): Extract<Caller, { kind: "role" }> {
    return { kind: "role", arn: this.sym.arn(role), account: this.sym.env.accountId };
  }

  /** Identity statements of a role, and the AWS managed policies attached to it (not evaluated). */
  role(role: Resource): { statements: Sourced[]; managed: string[] } {
    const hit = this.roleCache.get(role.id);
    if (hit) return hit;
    const statements: Sourced[] = [];
    const managed: string[] = [];
    for (const b of blocks(role.attrs.inline_policy)) {
      const s = statementsOf(b.policy).map((stmt) => ({
        stmt: this.sym.renderValue(role.stack, stmt) as Statement,
        where: `${role.id} inline ${String(b.name ?? "")}`,
      }));
      statements.push(...s);
    }
    for (const rp of this.model.resources("aws_iam_role_policy"))
      if (this.model.refersTo(rp, role, "role")) statements.push(...this.doc(rp));
    for (const att of this.model.resources("aws_iam_role_policy_attachment")) {
      if (!this.model.refersTo(att, role, "role")) continue;
      const policy = this.model.resolve(att.stack, att.config.policy_arn).find((r) => r.type === "aws_iam_policy");
      if (policy) statements.push(...this.doc(policy));
      else if (typeof att.config.policy_arn === "string") managed.push(att.config.policy_arn);
    }
    for (const arn of Array.isArray(role.attrs.managed_policy_arns) ? role.attrs.managed_policy_arns : [])
      if (typeof arn === "string") managed.push(arn);
    const out = { statements, managed };
    this.roleCache.set(role.id, out);
    return out;
  }

  /** The resource policy of a target; undefined when it has none. */
  resourcePolicy(target: Resource): Sourced[] | undefined {
    const own = typeof target.attrs.policy === "string" ? this.doc(target) : [];
    const byType: Record<string, [string, string]> = {
      aws_sns_topic: ["aws_sns_topic_policy", "arn"],
      aws_sqs_queue: ["aws_sqs_queue_policy", "queue_url"],
      aws_s3_bucket: ["aws_s3_bucket_policy", "bucket"],
      aws_secretsmanager_secret: ["aws_secretsmanager_secret_policy", "secret_arn"],
      aws_kms_key: ["aws_kms_key_policy", "key_id"],
    };
    const spec = byType[target.type];
    const attached = spec
      ? this.model
          .resources(spec[0])
          .filter((p) => this.model.refersTo(p, target, spec[1]))
          .flatMap((p) => this.doc(p))
      : [];
    if (target.type === "aws_lambda_function") return this.lambdaPermissions(target);
    const all = [...own, ...attached];
    return all.length || typeof target.attrs.policy === "string" || attached.length ? all : undefined;
  }

  /** aws_lambda_permission resources of a function as statements (qualifier kept in the resource ARN). */
  lambdaPermissions(fn: Resource): Sourced[] {
    const out: Sourced[] = [];
    for (const p of this.model.resources("aws_lambda_permission")) {
      const targets = this.model.resolve(p.stack, p.config.function_name);
      const direct = targets.some((t) => t.id === fn.id);
      const viaAlias = targets.some((t) => t.type === "aws_lambda_alias" && this.model.refersTo(t, fn));
      if (!direct && !viaAlias) continue;
      const qualifier = typeof p.attrs.qualifier === "string" ? this.sym.render(p.stack, p.attrs.qualifier) : undefined;
      const cond: Record<string, Record<string, string>> = {};
      if (typeof p.attrs.source_arn === "string") cond.ArnLike = { "aws:SourceArn": this.sym.render(p.stack, p.attrs.source_arn) };
      if (typeof p.attrs.source_account === "string")
        cond.StringEquals = { "aws:SourceAccount": this.sym.render(p.stack, p.attrs.source_account) };
      const principal = this.sym.render(p.stack, String(p.attrs.principal ?? ""));
      out.push({
        stmt: {
          Sid: String(p.attrs.statement_id ?? p.name),
          Effect: "Allow",
          Principal: /^\d{12}$|^arn:/.test(principal) ? { AWS: principal } : { Service: principal },
          Action: this.sym.render(p.stack, String(p.attrs.action ?? "")),
          Resource: `${this.sym.arn(fn)}${qualifier ? `:${qualifier}` : ""}`,
          Condition: Object.keys(cond).length ? cond : undefined,
        },
        where: p.id,
      });
    }
    return out;
  }

  /** The customer managed KMS key encrypting a resource, if any. */
  keyOf(target: Resource): Resource | undefined {
    const attrs: Record<string, string[]> = {
      aws_sns_topic: ["kms_master_key_id"],
      aws_sqs_queue: ["kms_master_key_id"],
      aws_ssm_parameter: ["key_id"],
      aws_secretsmanager_secret: ["kms_key_id"],
      aws_cloudwatch_log_group: ["kms_key_id"],
      aws_db_instance: ["master_user_secret_kms_key_id"],
      aws_rds_cluster: ["master_user_secret_kms_key_id"],
      aws_lambda_function: ["kms_key_arn"],
    };
    for (const a of attrs[target.type] ?? []) {
      const key = this.model.resolve(target.stack, target.config[a]).find((r) => r.type === "aws_kms_key");
      if (key) return key;
    }
    if (target.type === "aws_s3_bucket") {
      for (const sse of this.model.referrers(target, "aws_s3_bucket_server_side_encryption_configuration", "bucket")) {
        const rule = block(sse.config.rule);
        const def = rule ? block(rule.apply_server_side_encryption_by_default) : undefined;
        const key = def ? this.model.resolve(sse.stack, def.kms_master_key_id).find((r) => r.type === "aws_kms_key") : undefined;
        if (key) return key;
      }
    }
    return undefined;
  }

  keyPolicy(key: Resource): Sourced[] {
    return this.resourcePolicy(key) ?? [];
  }
}

export const isStatement = (v: unknown): v is Statement => isObj(v) && typeof v.Effect === "string";
