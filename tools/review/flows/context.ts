/** What every flow derivation shares: the model, symbolic values, policies and the network. */
import type { EnvModel, Resource } from "../model";
import { evaluate, roleContext, serviceContext, type Caller, type Sourced } from "./iam";
import { Network } from "./network";
import { Policies } from "./policies";
import { contextFor, contextRow, type ContextKey } from "./service-context";
import { Symbols, type EnvFacts } from "./symbols";
import { hop, type Hop, type HopKind } from "./types";

/** The hop a caller and target kind without a reviewed service-context row fail with. */
function noContextRow(kind: HopKind, caller: string, targetKind: string): Hop {
  return hop(
    kind,
    `${caller} -> ${targetKind}`,
    false,
    `no service-context row for ${caller} calling ${targetKind}`,
    "add a reviewed row to tools/review/flows/service-context.ts",
  );
}

export class FlowContext {
  readonly sym: Symbols;
  readonly policies: Policies;
  readonly network: Network;

  constructor(
    readonly model: EnvModel,
    readonly env: EnvFacts,
  ) {
    this.sym = new Symbols(model, env);
    this.policies = new Policies(model, this.sym);
    this.network = new Network(model, this.sym);
  }

  /** A short readable name of a resource: `monitoring/aws_sns_topic.alarm_topic` -> `sns_topic.alarm_topic`. */
  label(r: Resource): string {
    return `${r.type.replace(/^aws_/, "")}.${r.name}`;
  }

  /** The Lambda function or alias `value` names in `stack` (what a service or a mapping invokes). */
  invoked(stack: string, value: unknown): Resource | undefined {
    return this.model.resolve(stack, value).find((r) => r.type === "aws_lambda_function" || r.type === "aws_lambda_alias");
  }

  /** The function behind an invoked resource: an alias's function; any other resource is itself. */
  functionOf(r: Resource): Resource | undefined {
    return r.type === "aws_lambda_alias"
      ? this.model.resolve(r.stack, r.config.function_name).find((f) => f.type === "aws_lambda_function")
      : r;
  }

  /**
   * A service principal's delivery to a target, judged by the target's resource policy with the
   * context the service-context table says the caller sends.
   */
  serviceToResource(
    caller: string,
    targetKind: string,
    target: Resource,
    facts: Partial<Record<ContextKey, string>>,
    resourceArn = this.sym.arn(target),
  ): Hop[] {
    const row = contextRow(caller, targetKind);
    if (!row) return [noContextRow("resource-policy", caller, targetKind)];
    const policy = this.policies.resourcePolicy(target) ?? [];
    const out: Hop[] = [];
    for (const action of row.actions) {
      const d = evaluate(
        { action, resource: resourceArn, caller: { kind: "service", service: caller }, context: serviceContext(contextFor(row, facts)) },
        [],
        policy,
        "resource",
      );
      out.push(
        hop(
          "resource-policy",
          `${this.label(target)} policy: ${caller} ${action}`,
          d.allowed,
          d.reason,
          `allow ${caller} ${action} in the ${this.label(target)} policy (conditions on keys it sends: ${row.sends.join(", ") || "none"}; ${row.source})`,
        ),
      );
    }
    return out;
  }

  /** A service principal's use of the key encrypting `target` (if a customer managed key does). */
  serviceToKey(caller: string, keyKind: string, target: Resource, facts: Partial<Record<ContextKey, string>>): Hop[] {
    const key = this.policies.keyOf(target);
    if (!key) return [];
    const row = contextRow(caller, keyKind);
    if (!row) return [noContextRow("key-policy", caller, keyKind)];
    const policy = this.policies.keyPolicy(key);
    // SNS passes the topic ARN as encryption context (service-context.ts).
    const all = target.type === "aws_sns_topic" ? { ...facts, "kms:EncryptionContext:aws:sns:topicArn": this.sym.arn(target) } : facts;
    return row.actions.map((action) => {
      const d = evaluate(
        {
          action,
          resource: this.sym.arn(key),
          caller: { kind: "service", service: caller },
          context: serviceContext(contextFor(row, all)),
        },
        [],
        policy,
        "kms",
      );
      const lacks = row.lacks.length ? `; ${caller} sends no ${row.lacks.join(" / ")} to KMS here` : "";
      return hop(
        "key-policy",
        `${this.label(key)} key policy: ${caller} ${action}`,
        d.allowed,
        `${d.reason}${d.allowed ? "" : lacks}`,
        `allow ${caller} ${action} on ${this.label(key)} with conditions only on keys it sends (${row.sends.join(", ") || "none"}): ${row.source}`,
      );
    });
  }

  /** A role's request: its identity policies and the target's resource policy. */
  roleToResource(role: Resource, action: string, target: Resource, resourceArn = this.sym.arn(target)): Hop {
    const caller = this.policies.caller(role);
    const { statements, managed } = this.policies.role(role);
    const d = evaluate(
      { action, resource: resourceArn, caller, context: roleContext(caller) },
      statements,
      this.policies.resourcePolicy(target),
      "resource",
    );
    const note = !d.allowed && managed.length ? ` (AWS managed policies not evaluated: ${managed.join(", ")})` : "";
    return hop(
      "identity",
      `${role.name} ${action} ${this.label(target)}`,
      d.allowed,
      `${d.reason}${note}`,
      `grant ${action} on ${this.label(target)} to role ${role.name}`,
    );
  }

  /** A role's request on an ARN with no resource of its own in the model (elasticache:Connect, rds-db:connect). */
  roleToArn(role: Resource, action: string, arn: string, label: string, extra: Record<string, string[]> = {}): Hop {
    const caller = this.policies.caller(role);
    const d = evaluate(
      { action, resource: arn, caller, context: roleContext(caller, extra) },
      this.policies.role(role).statements,
      undefined,
      "resource",
    );
    return hop(
      "identity",
      `${role.name} ${action} ${label}`,
      d.allowed,
      d.allowed ? d.reason : `no policy of role ${role.name} allows ${action} on ${arn}`,
      `grant ${action} on ${arn} to role ${role.name}`,
    );
  }

  /** A role decrypting with the key of `target` through `service` (kms:ViaService). */
  roleToKey(role: Resource, target: Resource, service: string, action = "kms:Decrypt"): Hop[] {
    const key = this.policies.keyOf(target);
    if (!key) return [];
    const caller: Extract<Caller, { kind: "role" }> = this.policies.caller(role);
    const ctx = roleContext(caller, {
      "kms:viaservice": [`${service}.${this.env.region}.amazonaws.com`],
      "kms:calleraccount": [this.env.accountId],
    });
    const d = evaluate(
      { action, resource: this.sym.arn(key), caller, context: ctx },
      this.policies.role(role).statements,
      this.policies.keyPolicy(key),
      "kms",
    );
    return [
      hop(
        "key-policy",
        `${this.label(key)}: ${role.name} ${action} via ${service}`,
        d.allowed,
        d.reason,
        `allow ${action} on ${this.label(key)} to role ${role.name} (key policy and role policy)`,
      ),
    ];
  }

  statementsOfRole(role: Resource): Sourced[] {
    return this.policies.role(role).statements;
  }
}
