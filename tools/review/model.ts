/**
 * The review's view of one environment: its synthesized stacks (bootstrap and the layers, in
 * registry order), their resources with the attributes to check, and reference resolution inside a
 * stack and across stacks through `terraform_remote_state` (a consumer's
 * `data.terraform_remote_state.security.outputs.kms_key_arns.logs` resolves to the security stack's
 * output value `${aws_kms_key.kms_logs.arn}`, i.e. that key).
 *
 * Attributes are the synthesized configuration; when an offline plan of the stack is given
 * (`terraform show -json`), values the configuration leaves unset are taken from the plan, which
 * holds the provider's defaults (`enable_key_rotation = false` on a key that does not set it).
 */
import { BOOTSTRAP_STACK, LAYERS } from "../../core/registry";
import { refAddress, refsOf, type Ref } from "./refs";
import { block, isObj, type Obj } from "./tf";

/** A Terraform JSON configuration, loosely typed. */
export interface TerraformJson {
  terraform?: Obj;
  provider?: Record<string, unknown>;
  resource?: Record<string, Record<string, Obj>>;
  data?: Record<string, Record<string, Obj>>;
  output?: Record<string, Obj>;
  [key: string]: unknown;
}

/** The parts of `terraform show -json` the review reads. */
export interface PlanJson {
  resource_changes?: { address: string; mode?: string; change?: { after?: Obj | null } }[];
  configuration?: { root_module?: { resources?: { address: string; mode?: string }[] } };
}

export interface StackInput {
  /** Stack name: `bootstrap` or a layer name. */
  readonly name: string;
  readonly tf: TerraformJson;
  /** The stack's offline plan, when one is used. */
  readonly plan?: PlanJson;
}

export interface Resource {
  /** The stack (layer) holding it. */
  readonly stack: string;
  readonly type: string;
  readonly name: string;
  /** `aws_s3_bucket.logs`. */
  readonly address: string;
  /** `<stack>/<address>`: unique in the environment. */
  readonly id: string;
  /** The configuration as synthesized (without the `//` comment key). */
  readonly config: Obj;
  /** What rules check: the configuration, with unset values filled from the plan when given. */
  readonly attrs: Obj;
  /** cdktf's `//` comment object (metadata, review exceptions). */
  readonly comment: Obj;
  /** True when a plan filled any value. */
  readonly planned: boolean;
}

export interface RemoteRead {
  /** Name of the data source: `data.terraform_remote_state.<name>`. */
  readonly name: string;
  /** The producer layer, from the state key (`.../NN-<layer>.tfstate`) or the name. */
  readonly layer: string | undefined;
  /** Outputs of the producer the stack uses. */
  readonly outputs: readonly string[];
}

export interface Stack {
  readonly name: string;
  /** Registry order (bootstrap 0; unknown stacks last). */
  readonly order: number;
  /** Two-digit layer number (`01`), `--` for bootstrap. */
  readonly number: string;
  readonly tf: TerraformJson;
  readonly resources: readonly Resource[];
  readonly remoteReads: readonly RemoteRead[];
  readonly planUsed: boolean;
}

/** Deploy order of a stack name. */
export function stackOrder(name: string): number {
  if (name === BOOTSTRAP_STACK) return 0;
  return LAYERS.find((l) => l.name === name)?.order ?? 1000;
}

const snake = (s: string) => s.replace(/-/g, "_");

/** The layer a remote-state block reads: from its key (`<prefix>/<project>/<env>/NN-<layer>.tfstate`) or its name. */
export function remoteLayer(name: string, blockValue: Obj | undefined): string | undefined {
  const key = (block(blockValue?.config) ?? {}).key;
  if (typeof key === "string") {
    const m = /(\d\d)-([a-z0-9-]+)\.tfstate$/.exec(key);
    if (m && LAYERS.some((l) => l.name === m[2])) return m[2];
  }
  return LAYERS.find((l) => l.name === name || snake(l.name) === name)?.name;
}

export class EnvModel {
  readonly stacks: readonly Stack[];
  private readonly byStack = new Map<string, Stack>();
  private readonly byId = new Map<string, Resource>();
  private readonly targetCache = new Map<string, Map<string, Set<string>>>();

  constructor(inputs: readonly StackInput[]) {
    const stacks = inputs.map((input) => buildStack(input)).sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
    this.stacks = stacks;
    for (const s of stacks) {
      this.byStack.set(s.name, s);
      for (const r of s.resources) this.byId.set(r.id, r);
    }
  }

  stack(name: string): Stack | undefined {
    return this.byStack.get(name);
  }

  /** Resources of the given types (all when omitted), in stack order then address order. */
  resources(types?: string | readonly string[]): Resource[] {
    const wanted = types === undefined ? undefined : new Set(typeof types === "string" ? [types] : types);
    return this.stacks.flatMap((s) => s.resources.filter((r) => !wanted || wanted.has(r.type)));
  }

  resource(id: string): Resource | undefined {
    return this.byId.get(id);
  }

  /**
   * The resources a value refers to, seen from `stack`: direct references (`${aws_x.y.id}`) and,
   * through remote state, the producer's resources behind the output (and key) read.
   */
  resolve(stack: string, value: unknown): Resource[] {
    const out = new Map<string, Resource>();
    for (const ref of refsOf(value)) for (const r of this.resolveRef(stack, ref, 0)) out.set(r.id, r);
    return [...out.values()];
  }

  /** The resources one reference leads to. */
  resolveRef(stack: string, ref: Ref, depth: number): Resource[] {
    if (depth > 4) return [];
    if (ref.kind === "resource") {
      const r = this.byId.get(`${stack}/${refAddress(ref)}`);
      return r ? [r] : [];
    }
    if (ref.kind !== "remote" || ref.path[0] !== "outputs" || !ref.path[1]) return [];
    const from = this.byStack.get(stack);
    const data = from?.tf.data?.terraform_remote_state?.[ref.name];
    const layer = remoteLayer(ref.name, data);
    const producer = layer ? this.byStack.get(layer) : undefined;
    const output = producer?.tf.output?.[ref.path[1]];
    if (!producer || !output) return [];
    let value: unknown = output.value;
    for (const key of ref.path.slice(2)) {
      if (Array.isArray(value) && /^\d+$/.test(key)) value = value[Number(key)];
      else if (isObj(value) && key in value) value = value[key];
      else break; // an expression (or an attribute of the resolved resource): keep what we have
    }
    const out: Resource[] = [];
    for (const inner of refsOf(value)) out.push(...this.resolveRef(producer.name, inner, depth + 1));
    return out;
  }

  /** Ids of the resources each top-level attribute of `r` refers to (cached). */
  targets(r: Resource): Map<string, Set<string>> {
    let t = this.targetCache.get(r.id);
    if (!t) {
      t = new Map();
      for (const [k, v] of Object.entries(r.config)) {
        const ids = new Set(this.resolve(r.stack, v).map((x) => x.id));
        if (ids.size) t.set(k, ids);
      }
      this.targetCache.set(r.id, t);
    }
    return t;
  }

  /** True when `r` refers to `target` (in `attribute` only, when given). */
  refersTo(r: Resource, target: Resource, attribute?: string): boolean {
    const t = this.targets(r);
    if (attribute !== undefined) return t.get(attribute)?.has(target.id) ?? false;
    for (const ids of t.values()) if (ids.has(target.id)) return true;
    return false;
  }

  /** Resources of `types` (any stack) that refer to `target` (through `attribute`, when given). */
  referrers(target: Resource, types: string | readonly string[], attribute?: string): Resource[] {
    return this.resources(types).filter((r) => r.id !== target.id && this.refersTo(r, target, attribute));
  }

  /** Every address of the environment, `<stack>/<address>`. */
  addresses(): string[] {
    return [...this.byId.keys()];
  }
}

function buildStack(input: StackInput): Stack {
  const order = stackOrder(input.name);
  const planned = planValues(input.plan, input.tf);
  const resources: Resource[] = [];
  for (const [type, byName] of Object.entries(input.tf.resource ?? {})) {
    for (const [name, raw] of Object.entries(byName ?? {})) {
      const { "//": comment, ...config } = raw;
      const address = `${type}.${name}`;
      const fromPlan = planned.get(address);
      const attrs: Obj = { ...config };
      let filled = false;
      if (fromPlan) {
        for (const [k, v] of Object.entries(fromPlan)) {
          if (attrs[k] === undefined && v !== null && v !== undefined) {
            attrs[k] = v;
            filled = true;
          }
        }
      }
      resources.push({
        stack: input.name,
        type,
        name,
        address,
        id: `${input.name}/${address}`,
        config,
        attrs,
        comment: isObj(comment) ? comment : {},
        planned: filled,
      });
    }
  }
  resources.sort((a, b) => a.address.localeCompare(b.address));
  const remote = input.tf.data?.terraform_remote_state ?? {};
  const used = new Map<string, Set<string>>();
  for (const ref of refsOf({ resource: input.tf.resource, output: input.tf.output, data: input.tf.data })) {
    if (ref.kind === "remote" && ref.path[0] === "outputs" && ref.path[1]) {
      const set = used.get(ref.name) ?? new Set<string>();
      set.add(ref.path[1]);
      used.set(ref.name, set);
    }
  }
  const remoteReads = Object.keys(remote)
    .sort()
    .map((name) => ({ name, layer: remoteLayer(name, remote[name]), outputs: [...(used.get(name) ?? [])].sort() }));
  const layer = LAYERS.find((l) => l.name === input.name);
  return {
    name: input.name,
    order,
    number: layer ? layer.number : input.name === BOOTSTRAP_STACK ? "--" : "??",
    tf: input.tf,
    resources,
    remoteReads,
    planUsed: planned.size > 0,
  };
}

/**
 * Planned values by address, only when the plan was made from this configuration (same managed
 * resource addresses); a stale plan is ignored.
 */
function planValues(plan: PlanJson | undefined, tf: TerraformJson): Map<string, Obj> {
  const out = new Map<string, Obj>();
  if (!plan?.resource_changes) return out;
  const synthesized = new Set(
    Object.entries(tf.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName ?? {}).map((n) => `${type}.${n}`)),
  );
  const planned = new Set(plan.resource_changes.filter((c) => (c.mode ?? "managed") === "managed").map((c) => c.address));
  if (synthesized.size !== planned.size || [...synthesized].some((a) => !planned.has(a))) return out;
  for (const c of plan.resource_changes) if (c.change?.after && isObj(c.change.after)) out.set(c.address, c.change.after);
  return out;
}
