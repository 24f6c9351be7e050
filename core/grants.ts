/**
 * Grants as the constructs give them (aws-cdk style): a resource module's `grant…()` method adds
 * the statement for its own resource and records the use of its own KMS key on a `Grantee`; a
 * `PolicyGrants` collects them for one principal and renders one policy's statements.
 *
 * - Statements keep the order they were granted in; one statement per Sid: a Sid granted twice
 *   keeps the wider statement (the one whose actions include the other's), and two different
 *   statements under one Sid are refused.
 * - KMS uses are merged per (key, service, region) into one statement each, after the resource
 *   statements, in order of first use, with the actions sorted and `kms:ViaService` pinning the key
 *   to the service that encrypts the resource (the key is usable only through that service).
 * - ARNs are literals built from the names the config gives (plans show them): the grantee carries
 *   the partition, region and account (`arns`); the kit grants only within one account.
 *
 * Core code: imports no module.
 */
import { type Arns, policyJson, type PolicyStatement } from "./policy";

/** Statement-id part from a config name: `my-docs` -> `MyDocs`. */
export function sidName(text: string): string {
  return text.replace(/(^|[^A-Za-z0-9]+)([A-Za-z0-9])/g, (_m, _s, c: string) => c.toUpperCase());
}

/** A resource's KMS key used through its service: `kms:ViaService <service>.<region>.amazonaws.com`. */
export interface KeyUse {
  /** The key ARN (merged by this exact string: pass the same string for the same key). */
  readonly keyArn: string;
  /** Service endpoint prefix, e.g. `s3`, `sqs`, `sns`, `secretsmanager`. */
  readonly service: string;
  /** @default the grantee's region */
  readonly region?: string;
  readonly actions: readonly string[];
}

/** What a module's `grant…()` method writes to: the principal's statements and key uses. */
export interface Grantee {
  /** Partition, region and account the grants are in (literal ARNs). */
  readonly arns: Arns;
  addStatement(statement: PolicyStatement): void;
  useKey(use: KeyUse): void;
}

export interface PolicyGrantsOptions {
  /**
   * Names of keys for the KMS statements' Sids (`<Name>KeyThrough<Service>`), by key ARN.
   * @default Key1, Key2, ... in order of first use
   */
  readonly keyNames?: Readonly<Record<string, string>>;
}

const actionsOf = (s: PolicyStatement): string[] => (typeof s.Action === "string" ? [s.Action] : [...s.Action]);
const withoutAction = (s: PolicyStatement): string => JSON.stringify({ ...s, Action: undefined });

/** The grants of one principal: collects statements and key uses, renders them in a fixed order. */
export class PolicyGrants implements Grantee {
  private readonly bySid = new Map<string, PolicyStatement>();
  private readonly keys = new Map<string, { keyArn: string; service: string; region: string; actions: Set<string> }>();
  private unnamed = 0;

  constructor(
    readonly arns: Arns,
    private readonly options: PolicyGrantsOptions = {},
  ) {}

  addStatement(statement: PolicyStatement): void {
    const sid = statement.Sid ?? `\u0000${this.unnamed++}`;
    const existing = this.bySid.get(sid);
    if (!existing) {
      this.bySid.set(sid, statement);
      return;
    }
    if (withoutAction(existing) !== withoutAction(statement))
      throw new Error(`grants: two different statements with the Sid ${sid} (resources or conditions differ)`);
    const had = actionsOf(existing);
    const adds = actionsOf(statement);
    if (adds.every((a) => had.includes(a))) return;
    if (!had.every((a) => adds.includes(a)))
      throw new Error(`grants: two statements with the Sid ${sid} whose actions neither include the other (${had} / ${adds})`);
    // The wider statement replaces the narrower one, in its place.
    this.bySid.set(sid, statement);
  }

  useKey(use: KeyUse): void {
    const region = use.region ?? this.arns.region;
    const id = `${use.keyArn}\n${use.service}\n${region}`;
    const entry = this.keys.get(id) ?? { keyArn: use.keyArn, service: use.service, region, actions: new Set<string>() };
    use.actions.forEach((a) => entry.actions.add(a));
    this.keys.set(id, entry);
  }

  /** True when nothing was granted. */
  get isEmpty(): boolean {
    return this.bySid.size === 0 && this.keys.size === 0;
  }

  /** The resource statements in grant order, then one KMS statement per (key, service, region). */
  statements(): PolicyStatement[] {
    const names = new Map<string, string>();
    const nameOf = (keyArn: string) => {
      if (!names.has(keyArn)) names.set(keyArn, this.options.keyNames?.[keyArn] ?? `Key${names.size + 1}`);
      return names.get(keyArn)!;
    };
    const kms = [...this.keys.values()].map(({ keyArn, service, region, actions }): PolicyStatement => ({
      Sid: `${nameOf(keyArn)}KeyThrough${sidName(service)}`,
      Action: [...actions].sort(),
      Resource: keyArn,
      Condition: { StringEquals: { "kms:ViaService": `${service}.${region}.amazonaws.com` } },
    }));
    return [...this.bySid.values(), ...kms];
  }

  /** The statements (and `extra` after them) as one policy document. */
  document(extra: readonly PolicyStatement[] = []): string {
    return policyJson([...this.statements(), ...extra]);
  }
}
