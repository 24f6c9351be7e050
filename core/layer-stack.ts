/**
 * Stack base classes.
 *
 * PlatformStack: the AWS provider (region, allowed account, optional assume role, default tags)
 * and readable, stable resource addresses (snake_case construct paths, no hash suffixes).
 *
 * LayerStack: one of the twelve layers. Adds the S3 backend at
 * `<prefix>/<project>/<env>/<NN>-<layer>.tfstate` with the configured locking, typed reads of
 * earlier layers' contracts through terraform_remote_state, and publication of its own contract.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Construct, Node } from "constructs";
import {
  DataTerraformRemoteStateS3,
  Fn,
  S3Backend,
  TerraformDataSource,
  TerraformElement,
  TerraformOutput,
  TerraformResource,
  TerraformStack,
  Token,
} from "cdktf";
import type { LayerName, PlatformConfig } from "./config/types";
import { CONTRACTS, contractOf, type ContractLayer, type Contracts, type OutputValue } from "./contracts";
import { Naming, snakeCase } from "./naming";

export { snakeCase };
import { applyPermissionsBoundary } from "./permissions-boundary";
import { layer, type LayerDefinition } from "./registry";
import { layerOn } from "./config/layer-switch";

export const MANAGED_BY = "cdktf-platform-kit";

/** Construct ids left out of addresses (cdktf's own conventions for "the main resource"). */
const TRANSPARENT_IDS = new Set(["Default", "Resource"]);

function elementKind(el: TerraformElement): string {
  if (el instanceof TerraformResource) return `resource ${el.terraformResourceType}`;
  if (el instanceof TerraformDataSource) return `data ${el.terraformResourceType}`;
  if (el instanceof TerraformOutput) return "output";
  return el.constructor.name;
}

export abstract class PlatformStack extends TerraformStack {
  readonly config: PlatformConfig;
  readonly naming: Naming;
  private readonly addresses = new Map<string, string>();

  protected constructor(scope: Construct, id: string, config: PlatformConfig, tags: Record<string, string>) {
    super(scope, id);
    this.config = config;
    this.naming = new Naming(config.project, config.environment);
    const assume = config.aws.assumeRole;
    new AwsProvider(this, "aws", {
      region: config.aws.region,
      allowedAccountIds: [config.aws.accountId],
      assumeRole: assume ? [{ roleArn: assume.roleArn, sessionName: assume.sessionName, externalId: assume.externalId }] : undefined,
      defaultTags: [
        {
          tags: {
            Project: config.project,
            Environment: config.environment,
            ManagedBy: MANAGED_BY,
            ...tags,
            ...config.tags,
          },
        },
      ],
    });
  }

  /**
   * Addresses are the snake_case construct path below the stack (`vpc/app-us-west-2a` ->
   * `vpc_app_us_west_2a`). They depend only on construct ids, never on order or count, so adding an
   * AZ or a service never renames an existing resource. Two elements that would share an address
   * fail the synth with both paths named.
   */
  protected allocateLogicalId(element: TerraformElement | Node): string {
    const node = element instanceof Node ? element : element.node;
    const scopes = node.scopes;
    const components = scopes
      .slice(scopes.indexOf(this) + 1)
      .map((c) => c.node.id)
      .filter((id) => !TRANSPARENT_IDS.has(id));
    const id = snakeCase(components.join("_"));
    if (element instanceof TerraformElement) {
      const key = `${elementKind(element)}.${id}`;
      const owner = this.addresses.get(key);
      if (owner !== undefined && owner !== node.path) {
        throw new Error(`address ${key} is claimed by both ${owner} and ${node.path}; give one construct a different id`);
      }
      this.addresses.set(key, node.path);
    }
    return id;
  }
}

/** Constructor signature every layer stack class implements. */
export type LayerStackClass = new (scope: Construct, config: PlatformConfig) => LayerStack<LayerName>;

/** The S3 object key of a layer's state. */
export function stateKey(config: PlatformConfig, def: LayerDefinition): string {
  return `${config.backend.keyPrefix}/${config.project}/${config.environment}/${def.number}-${def.name}.tfstate`;
}

type ContractOf<L> = L extends ContractLayer ? Contracts[L] : Record<string, never>;
type PublishValues<L> = {
  [K in keyof ContractOf<L>]: ContractOf<L>[K] extends { kind: infer Kd }
    ? Kd extends "string" | "list" | "map"
      ? OutputValue<Kd>
      : never
    : never;
};

export abstract class LayerStack<L extends LayerName> extends PlatformStack {
  readonly layer: LayerDefinition;
  private readonly remotes = new Map<LayerName, DataTerraformRemoteStateS3>();
  private published = false;

  protected constructor(scope: Construct, name: L, config: PlatformConfig) {
    super(scope, name, config, { Layer: name });
    this.layer = layer(name);
    // Every role of every layer carries the environment's permissions boundary (core/permissions-boundary.ts).
    applyPermissionsBoundary(this, config);
    const b = config.backend;
    new S3Backend(this, {
      bucket: b.bucket,
      key: stateKey(config, this.layer),
      region: b.region ?? config.aws.region,
      encrypt: true,
      kmsKeyId: b.kmsKeyId,
      dynamodbTable: b.lockMode === "s3" ? undefined : b.lockTable,
      assumeRole: b.roleArn ? { roleArn: b.roleArn } : undefined,
    });
    // cdktf 0.21 has no typed use_lockfile (S3-native locking, Terraform >= 1.10).
    if (b.lockMode !== "dynamodb") this.addOverride("terraform.backend.s3.use_lockfile", true);

    this.node.addValidation({
      validate: () => (contractOf(name) && !this.published ? [`layer ${name} declares a contract but never called publish()`] : []),
    });
  }

  /** Whether another layer is enabled in this environment. Read it before reading that layer. */
  isEnabled(other: LayerName): boolean {
    return layerOn(this.config, other);
  }

  /** Refuses to build this layer without `other`, saying what it takes from it (`why`) and the two ways out. */
  protected requireLayer(other: LayerName, why: string): void {
    if (!this.isEnabled(other))
      throw new Error(
        `layer ${this.layer.name} needs layer ${other} (${why}); enable layers.${other} or disable layers.${this.layer.name}`,
      );
  }

  private remote(producer: LayerName, output: string): DataTerraformRemoteStateS3 {
    const def = layer(producer);
    if (def.order >= this.layer.order) {
      throw new Error(
        `layer ${this.layer.name} (${this.layer.number}) cannot read ${producer} (${def.number}): a layer reads only earlier layers`,
      );
    }
    if (!this.isEnabled(producer)) {
      throw new Error(
        `layer ${this.layer.name} reads ${producer}.${output}, but ${producer} is disabled in config.layers; check isEnabled("${producer}") and handle its absence`,
      );
    }
    const contract = contractOf(producer);
    if (!contract || !(output in contract)) {
      const known = contract ? Object.keys(contract).join(", ") : "none";
      throw new Error(
        `layer ${this.layer.name} reads ${producer}.${output}, which ${producer}'s contract does not declare (declared: ${known})`,
      );
    }
    let remote = this.remotes.get(producer);
    if (!remote) {
      const b = this.config.backend;
      remote = new DataTerraformRemoteStateS3(this, producer, {
        bucket: b.bucket,
        key: stateKey(this.config, def),
        region: b.region ?? this.config.aws.region,
        assumeRole: b.roleArn ? { roleArn: b.roleArn } : undefined,
      });
      this.remotes.set(producer, remote);
    }
    return remote;
  }

  /** A declared output of an earlier layer, read from its remote state. */
  read<P extends ContractLayer, K extends keyof Contracts[P] & string>(
    producer: P,
    output: K,
  ): OutputValue<Contracts[P][K] extends { kind: infer Kd } ? (Kd extends "string" | "list" | "map" ? Kd : never) : never> {
    const remote = this.remote(producer, output);
    const kind = (CONTRACTS[producer] as Record<string, { kind: string }>)[output].kind;
    if (kind === "list") return remote.getList(output) as never;
    if (kind === "map") return Token.asStringMap(remote.get(output)) as never;
    return remote.getString(output) as never;
  }

  /** One entry of a map output of an earlier layer (fails at plan when the key is absent). */
  readEntry<P extends ContractLayer, K extends keyof Contracts[P] & string>(producer: P, output: K, key: string): string {
    const remote = this.remote(producer, output);
    return Token.asString(Fn.lookup(remote.get(output), key));
  }

  /** Emits this layer's contract as named outputs. Every declared output must be given, nothing else. */
  protected publish(values: PublishValues<L>): void {
    const contract = contractOf(this.layer.name) ?? {};
    const given = Object.keys(values);
    const extra = given.filter((k) => !(k in contract));
    const missing = Object.keys(contract).filter((k) => !given.includes(k));
    if (extra.length || missing.length) {
      throw new Error(
        `layer ${this.layer.name} publishes outputs its contract does not match: extra [${extra.join(", ")}], missing [${missing.join(", ")}]`,
      );
    }
    for (const [name, spec] of Object.entries(contract)) {
      new TerraformOutput(this, name, { value: (values as Record<string, unknown>)[name], description: spec.description });
    }
    this.published = true;
  }
}
