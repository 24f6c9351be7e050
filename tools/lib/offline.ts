/**
 * The offline plan's pure parts: turning a synthesized stack into one Terraform plans with no AWS
 * account (local backend, mock credentials, no STS, remote state read from mock state files), the
 * mock state of a layer built from its contract, and counting a plan's actions.
 */
import type { LayerName, PlatformConfig } from "../../core/config/schema";
import { contractOf, type OutputKind } from "../../core/contracts";
import { snakeCase, stateKey } from "../../core/layer-stack";
import { LAYERS, type LayerDefinition } from "../../core/registry";
import type { TerraformJson } from "./synth";

/** Provider arguments that make the AWS provider configure without calling AWS. */
export const MOCK_PROVIDER_SETTINGS: Readonly<Record<string, unknown>> = {
  access_key: "mock",
  secret_key: "mock",
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  // A string in the provider schema (it also accepts "false"/"true" from AWS_EC2_METADATA_DISABLED).
  skip_metadata_api_check: "true",
  skip_region_validation: true,
};

/**
 * Provider arguments removed for the offline plan:
 * - assume_role / assume_role_with_web_identity would call STS;
 * - allowed_account_ids / forbidden_account_ids: with skip_requesting_account_id the provider
 *   knows no account id and fails with "AWS account ID not allowed: " (checked with 5.100.0);
 * - profile, token and shared config/credential files would read the caller's AWS setup.
 */
export const PROVIDER_SETTINGS_REMOVED = [
  "assume_role",
  "assume_role_with_web_identity",
  "allowed_account_ids",
  "forbidden_account_ids",
  "profile",
  "token",
  "shared_config_files",
  "shared_credentials_files",
] as const;

/** The state file name of the offline plan's local backend (relative to the work dir). */
export const LOCAL_STATE = "terraform.tfstate";

/** Terraform's type expression for a contract output kind. */
export function typeExpression(kind: OutputKind): string | [string, string] {
  switch (kind) {
    case "string":
      return "string";
    case "list":
      return ["list", "string"];
    case "map":
      return ["map", "string"];
  }
}

export interface MockState {
  readonly version: 4;
  readonly terraform_version: string;
  readonly serial: number;
  readonly lineage: string;
  readonly outputs: Record<string, { value: unknown; type: string | [string, string] }>;
  readonly resources: [];
}

/**
 * A Terraform state (v4) holding a layer's contract outputs with their mock values, for the
 * terraform_remote_state of the layers that read it.
 */
export function mockState(layer: LayerName, config: PlatformConfig, terraformVersion = "1.11.4"): MockState {
  const contract = contractOf(layer);
  if (!contract) throw new Error(`layer ${layer} declares no contract, so no mock state can be built for it (add it to core/contracts/)`);
  const outputs: MockState["outputs"] = {};
  for (const [name, spec] of Object.entries(contract)) {
    outputs[name] = { value: spec.mock(config), type: typeExpression(spec.kind) };
  }
  return { version: 4, terraform_version: terraformVersion, serial: 1, lineage: `mock-${layer}`, outputs, resources: [] };
}

/**
 * The layer a `data.terraform_remote_state` block reads: the layer whose state key it names, or,
 * failing that, the layer its address is named after.
 */
export function remoteStateProducer(name: string, block: Record<string, unknown>, config: PlatformConfig): LayerDefinition {
  const key = ((block.config ?? {}) as Record<string, unknown>).key;
  const byKey = typeof key === "string" ? LAYERS.find((l) => stateKey(config, l) === key) : undefined;
  const found = byKey ?? LAYERS.find((l) => l.name === name || snakeCase(l.name) === name);
  if (!found) {
    throw new Error(
      `data.terraform_remote_state.${name} reads ${typeof key === "string" ? key : "an unknown key"}, which is no layer's state`,
    );
  }
  return found;
}

export interface OfflineStack {
  /** The configuration to plan. */
  readonly tf: TerraformJson;
  /** The layers whose mock state it reads. */
  readonly reads: readonly LayerName[];
}

/**
 * The synthesized stack rewritten for an offline plan:
 * - `terraform.backend` becomes `local` (terraform.tfstate in the work dir);
 * - every aws provider block gets mock credentials and the skip_* switches and loses the
 *   settings in PROVIDER_SETTINGS_REMOVED;
 * - every `data.terraform_remote_state` reads the producer's mock state file instead of S3.
 * The input is not modified.
 */
export function offlineStack(input: TerraformJson, config: PlatformConfig, mockStatePath: (layer: LayerName) => string): OfflineStack {
  const tf = structuredClone(input);
  tf.terraform = { ...(tf.terraform ?? {}), backend: { local: { path: LOCAL_STATE } } };

  const aws = tf.provider?.aws;
  if (aws) {
    const blocks = Array.isArray(aws) ? aws : [aws];
    const mocked = blocks.map((b) => {
      const out: Record<string, unknown> = { ...b };
      for (const k of PROVIDER_SETTINGS_REMOVED) delete out[k];
      return { ...out, ...MOCK_PROVIDER_SETTINGS };
    });
    tf.provider = { ...tf.provider, aws: Array.isArray(aws) ? mocked : mocked[0] };
  }

  const reads: LayerName[] = [];
  const remotes = tf.data?.terraform_remote_state;
  if (remotes) {
    for (const [name, block] of Object.entries(remotes)) {
      const producer = remoteStateProducer(name, block, config);
      const rest: Record<string, unknown> = { ...block };
      delete rest.backend;
      delete rest.config;
      delete rest.workspace;
      remotes[name] = { ...rest, backend: "local", config: { path: mockStatePath(producer.name) } };
      if (!reads.includes(producer.name)) reads.push(producer.name);
    }
  }
  return { tf, reads };
}

// ---------------------------------------------------------------------------------------------
// Counting a plan's actions

export interface ActionCounts {
  readonly create: number;
  readonly update: number;
  readonly delete: number;
  readonly replace: number;
  readonly forget: number;
  readonly noop: number;
}

interface PlanJson {
  resource_changes?: Array<{ address?: string; mode?: string; change?: { actions?: string[] } }>;
}

/** Counts the actions on managed resources in `terraform show -json` output. */
export function countActions(plan: PlanJson): ActionCounts {
  const c = { create: 0, update: 0, delete: 0, replace: 0, forget: 0, noop: 0 };
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === "data") continue;
    const a = rc.change?.actions ?? [];
    if (a.includes("create") && a.includes("delete")) c.replace++;
    else if (a.includes("create")) c.create++;
    else if (a.includes("update")) c.update++;
    else if (a.includes("delete")) c.delete++;
    else if (a.includes("forget")) c.forget++;
    else if (a.includes("no-op")) c.noop++;
  }
  return c;
}

/** Terraform's own totals: a replacement is one to add and one to destroy. */
export function planTotals(c: ActionCounts): { add: number; change: number; destroy: number } {
  return { add: c.create + c.replace, change: c.update, destroy: c.delete + c.replace };
}

/** `N to add, N to change, N to destroy` (plus `N to forget` when there are any). */
export function summaryLine(c: ActionCounts): string {
  const t = planTotals(c);
  return `${t.add} to add, ${t.change} to change, ${t.destroy} to destroy${c.forget ? `, ${c.forget} to forget` : ""}`;
}
