/**
 * Configuration of layer 04 parameters: the SSM Parameter Store hierarchy that replaces a config
 * server (Spring Cloud Config in the seed).
 *
 *   /<project>/<environment>/common/...      every service reads it
 *   /<project>/<environment>/database/...    the connection of layer 03 (never the password)
 *   /<project>/<environment>/<service>/...   one subtree per application service (`services` keys)
 *
 * Some keys are written by the kit (generated): `common/environment`, `common/discovery/namespace`,
 * `<service>/server/port` and the `database/...` keys. The YAML adds free-form keys to `common` and
 * to each service: `values` (String or StringList) and `secrets` (SecureString, value set outside
 * Terraform). `parameterPlan()` lists every parameter the layer writes; the layer, the contract's
 * mock and the rules below all use it, so they cannot disagree.
 */
import { z } from "zod";
import { didYouMean } from "../../core/config/errors";
import { partitionOf } from "../../core/config/regions";
import type { PlatformConfig } from "../../core/config/types";
import type { KeyPath, Rule, SemanticIssue } from "../../core/config/types";
import { namespaceName } from "../05-cloud-map/config";
import { matching } from "../../core/config/fields";
import { snakeCase } from "../../core/naming";
import type { LayerConfig } from "../../core/layer-descriptor";
import { layerOn, whenLayerOn } from "../../core/config/layer-switch";

// ---------------------------------------------------------------------------------------------
// Limits of Parameter Store (SSM PutParameter documentation)

/** Characters of a name segment; `/` separates the levels of a hierarchy. */
export const PARAMETER_KEY_RE = /^[a-zA-Z0-9_.-]+(\/[a-zA-Z0-9_.-]+)*$/;
/** Levels of a hierarchy, counting /<project>/<environment>. */
export const PARAMETER_MAX_LEVELS = 15;
/** Characters of a parameter's ARN (`arn:aws:ssm:<region>:<account>:parameter/<name>`), which AWS counts as the name's limit. */
export const PARAMETER_MAX_ARN_LENGTH = 1011;
/** Bytes of a value per tier. */
export const PARAMETER_VALUE_LIMITS = { Standard: 4096, Advanced: 8192, "Intelligent-Tiering": 8192 } as const;
export const PARAMETER_TIERS = ["Standard", "Advanced", "Intelligent-Tiering"] as const;
export type ParameterTier = (typeof PARAMETER_TIERS)[number];

/** Subtrees the layer keeps for itself; no application service may have these names. */
export const COMMON_SUBTREE = "common";
export const DATABASE_SUBTREE = "database";
export const RESERVED_SUBTREES: readonly string[] = [COMMON_SUBTREE, DATABASE_SUBTREE];

// ---------------------------------------------------------------------------------------------
// Schema

const KEY_ERROR = "a parameter key (segments of a-z A-Z 0-9 _ . - joined by single slashes, no leading or trailing slash)";
const parameterKey = matching(PARAMETER_KEY_RE, KEY_ERROR);

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const parameterValue = z.union([z.string(), z.number(), z.boolean(), z.array(scalar)], {
  error: "a parameter value: a string, number or boolean (a String parameter) or a list of them (a StringList)",
});

const parameterSet = {
  values: z
    .record(parameterKey, parameterValue)
    .default({})
    .describe(
      "Plain parameters by key below the subtree (`vets/cache/ttl: 60`). A string, number or boolean becomes a String parameter; " +
        "a list becomes a StringList (items joined with commas, so no item may contain one). Default: none.",
    ),
  secrets: z
    .array(parameterKey)
    .default([])
    .describe(
      "Keys of SecureString parameters below the subtree, encrypted with the security layer's data key. Terraform creates each with a " +
        "placeholder and never reads or reverts its value: operators set it with `aws ssm put-parameter --overwrite` (docs/layers/parameters.md). Default: none.",
    ),
};

const ServiceParametersSchema = z
  .strictObject({
    ...parameterSet,
    readsDatabase: z
      .boolean()
      .default(true)
      .describe("Let the service's task role read the database subtree (connection settings; never a password). Default: true."),
  })
  .describe("Free-form parameters of one application service, below /<project>/<environment>/<service>/.");

export const ParametersSchema = z
  .strictObject({
    tier: z
      .enum(PARAMETER_TIERS)
      .default("Standard")
      .describe(
        "Parameter tier of every parameter: Standard (free, values up to 4 KB), Advanced (charged per parameter, 8 KB) or Intelligent-Tiering. " +
          "Moving a parameter from Advanced back to Standard replaces it. Default: Standard.",
      ),
    common: z
      .strictObject(parameterSet)
      .prefault({})
      .describe("Free-form parameters every service reads, below /<project>/<environment>/common/."),
    services: z
      .record(z.string(), ServiceParametersSchema)
      .default({})
      .describe("Free-form parameters per application service (a name under `services`), below /<project>/<environment>/<service>/."),
  })
  .prefault({})
  .describe("SSM Parameter Store hierarchy /<project>/<environment>/... (layer 04): common, database and one subtree per service.");

// ---------------------------------------------------------------------------------------------
// The plan: every parameter the layer writes

export type ParameterType = "String" | "StringList" | "SecureString";

/** Keys of the database subtree, from layer 03's contract, with what they hold. */
export const DATABASE_PARAMETERS = {
  engine: "Database engine (aurora-mysql, aurora-postgresql, mysql or postgres), from layer 03 database.",
  host: "Writer endpoint host name, from layer 03 database.",
  "reader-host": "Reader endpoint host name (the writer's when there is no reader), from layer 03 database.",
  port: "Database port, from layer 03 database.",
  name: "Name of the application database, from layer 03 database.",
  url: "JDBC URL of the writer (jdbc:mysql://... or jdbc:postgresql://...), built from layer 03 database.",
  "reader-url": "JDBC URL of the reader endpoint, built from layer 03 database.",
  "iam-url":
    "JDBC URL of the writer for IAM database authentication through the AWS Advanced JDBC Wrapper (jdbc:aws-wrapper:...?wrapperPlugins=iam, TLS with the server verified), built from layer 03 database.",
  username:
    "Master user name, from layer 03 database, for operators: services sign in as their own IAM-authenticated users (services.<name>.database); the password is only in the secret named by database/secret-arn.",
  "secret-name": "Name of the Secrets Manager secret holding the database credentials (managed by RDS), from layer 03 database.",
  "secret-arn": "ARN of the Secrets Manager secret holding the database credentials (managed by RDS), from layer 03 database.",
} as const;

/** Keys of the database subtree written when cache.enabled is true. */
export const CACHE_PARAMETERS = {
  "cache/host": "Redis primary endpoint host name, from layer 03 database.",
  "cache/reader-host": "Redis reader endpoint host name, from layer 03 database.",
  "cache/port": "Redis port, from layer 03 database.",
  "cache/user": "Redis user id and name (the same) to sign in as with an IAM authentication token (no password), from layer 03 database.",
  "cache/replication-group-id":
    "Redis replication group id: the cache name the IAM authentication token is signed for, from layer 03 database.",
  "cache/tls": "true: the cache accepts TLS connections only, from layer 03 database.",
} as const;

export type DatabaseParameterKey = keyof typeof DATABASE_PARAMETERS | keyof typeof CACHE_PARAMETERS;

/** Where a parameter's value comes from. */
export type PlannedSource =
  /** A value known from the configuration (a generated key or a YAML value). */
  | { readonly kind: "value"; readonly value: string | readonly string[] }
  /** A value read from layer 03's remote state (database subtree). */
  | { readonly kind: "database"; readonly key: DatabaseParameterKey }
  /** A SecureString whose value is set outside Terraform. */
  | { readonly kind: "secret" };

export interface PlannedParameter {
  /** Key path below /<project>/<environment>: `<subtree>/<key>` (`customers/server/port`). */
  readonly key: string;
  /** `common`, `database` or a service name. */
  readonly subtree: string;
  /** The key below the subtree, as written in the YAML for free-form keys. */
  readonly relativeKey: string;
  readonly type: ParameterType;
  readonly description: string;
  readonly source: PlannedSource;
  /** Written by the kit (true) or listed in the YAML (false). */
  readonly generated: boolean;
  /** The configuration key it comes from (error locations). */
  readonly origin: KeyPath;
}

const asText = (v: string | number | boolean): string => String(v);

/** Free-form parameters of one subtree (values first, then secrets, in YAML order). */
function freeForm(
  subtree: string,
  set: { values: Record<string, unknown>; secrets: readonly string[] },
  base: KeyPath,
): PlannedParameter[] {
  const out: PlannedParameter[] = [];
  const where = formatKeyPath(base);
  for (const [relativeKey, raw] of Object.entries(set.values)) {
    const list = Array.isArray(raw);
    out.push({
      key: `${subtree}/${relativeKey}`,
      subtree,
      relativeKey,
      type: list ? "StringList" : "String",
      description: `From ${where}.values in the environment configuration.`,
      source: {
        kind: "value",
        value: list ? (raw as (string | number | boolean)[]).map(asText) : asText(raw as string | number | boolean),
      },
      generated: false,
      origin: [...base, "values", relativeKey],
    });
  }
  set.secrets.forEach((relativeKey, i) => {
    out.push({
      key: `${subtree}/${relativeKey}`,
      subtree,
      relativeKey,
      type: "SecureString",
      description: `Secret listed in ${where}.secrets; its value is set outside Terraform (aws ssm put-parameter --overwrite).`,
      source: { kind: "secret" },
      generated: false,
      origin: [...base, "secrets", i],
    });
  });
  return out;
}

function generated(subtree: string, relativeKey: string, description: string, source: PlannedSource, origin: KeyPath): PlannedParameter {
  return { key: `${subtree}/${relativeKey}`, subtree, relativeKey, type: "String", description, source, generated: true, origin };
}

/**
 * Every parameter layer 04 writes for a configuration, in a stable order: common, database,
 * then each service in `services` order. Database keys are absent when layer 03 is disabled,
 * cache keys when cache.enabled is false, `common/discovery/namespace` when layer 05 is disabled.
 */
export function parameterPlan(cfg: PlatformConfig): PlannedParameter[] {
  const plan: PlannedParameter[] = [];
  const p = cfg.parameters;

  plan.push(
    generated(COMMON_SUBTREE, "environment", "Name of the environment.", { kind: "value", value: cfg.environment }, ["environment"]),
  );
  if (layerOn(cfg, "cloud-map")) {
    plan.push(
      generated(
        COMMON_SUBTREE,
        "discovery/namespace",
        "Private DNS namespace of service discovery (layer 05): a service is reached at <service>.<namespace>.",
        { kind: "value", value: namespaceName(cfg) },
        ["cloudMap", "namespace"],
      ),
    );
  }
  plan.push(...freeForm(COMMON_SUBTREE, p.common, ["parameters", "common"]));

  // Layer 03 switched off: there is no database to describe, so no database/* key is planned.
  if (layerOn(cfg, "database")) {
    const keys: [DatabaseParameterKey, string][] = [
      ...Object.entries(DATABASE_PARAMETERS),
      ...(cfg.cache.enabled ? Object.entries(CACHE_PARAMETERS) : []),
    ] as [DatabaseParameterKey, string][];
    for (const [key, description] of keys)
      plan.push(generated(DATABASE_SUBTREE, key, description, { kind: "database", key }, ["database"]));
  }

  for (const [service, { port }] of Object.entries(cfg.services)) {
    plan.push(
      generated(
        service,
        "server/port",
        `Port the ${service} service listens on (services.${service}.port).`,
        { kind: "value", value: String(port) },
        ["services", service, "port"],
      ),
    );
    const set = p.services[service];
    if (set) plan.push(...freeForm(service, set, ["parameters", "services", service]));
  }
  return plan;
}

/** Subtrees a service's task role reads: its own, common, and database when it reads the database and layer 03 exists. */
export function readableSubtrees(cfg: PlatformConfig, service: string): string[] {
  const readsDatabase = (cfg.parameters.services[service]?.readsDatabase ?? true) && layerOn(cfg, "database");
  return [service, COMMON_SUBTREE, ...(readsDatabase ? [DATABASE_SUBTREE] : [])];
}

/**
 * The Terraform address part of a key: the snake_case the stack gives the construct path
 * (core/naming.ts snakeCase, with `/` read as a separator). Two keys with the same address
 * part would claim one address; the rules refuse them.
 */
export function parameterAddressPart(key: string): string {
  return snakeCase(key.replace(/\//g, "_"));
}

// ---------------------------------------------------------------------------------------------
// Rules

function formatKeyPath(path: KeyPath): string {
  return path.reduce<string>((acc, k) => (typeof k === "number" ? `${acc}[${k}]` : acc ? `${acc}.${k}` : String(k)), "");
}

/** The project is the first level of every name, and Parameter Store refuses names that begin with aws or ssm. */
const projectPrefixRule: Rule = (cfg) =>
  /^(aws|ssm)/i.test(cfg.project)
    ? [
        {
          path: ["project"],
          expected:
            'a project name that does not begin with "aws" or "ssm" (Parameter Store refuses parameter names that do, and every name of the parameters layer begins with /<project>)',
        },
      ]
    : [];

/** A service named common or database would share its subtree with the layer's own. */
const reservedServiceRule: Rule = (cfg) =>
  Object.keys(cfg.services)
    .filter((s) => RESERVED_SUBTREES.includes(s))
    .map((s) => ({
      path: ["services", s],
      expected: `a service name other than ${RESERVED_SUBTREES.join(" and ")} (the parameters layer keeps /<project>/<environment>/${s} for shared keys)`,
      found: `the service ${JSON.stringify(s)}`,
    }));

/** parameters.services names only services that exist. */
const unknownServiceRule: Rule = (cfg) => {
  const known = Object.keys(cfg.services);
  return Object.keys(cfg.parameters.services)
    .filter((s) => !known.includes(s))
    .map((s) => {
      const guess = didYouMean(s, known);
      return {
        path: ["parameters", "services", s],
        expected: known.length
          ? `an application service named under services (${known.join(", ")})`
          : "no services here (services is empty)",
        found: `unknown service ${JSON.stringify(s)}`,
        hint: guess ? `did you mean ${guess}?` : undefined,
      };
    });
};

/** Within one subtree: each secret once, never both plain and secure, values Parameter Store accepts. */
const setRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const tier = cfg.parameters.tier;
  const limit = PARAMETER_VALUE_LIMITS[tier];
  const sets: [KeyPath, { values: Record<string, unknown>; secrets: readonly string[] }][] = [
    [["parameters", "common"], cfg.parameters.common],
    ...Object.entries(cfg.parameters.services).map(([s, set]): [KeyPath, typeof set] => [["parameters", "services", s], set]),
  ];
  for (const [base, set] of sets) {
    const where = formatKeyPath(base);
    set.secrets.forEach((key, i) => {
      if (set.secrets.indexOf(key) !== i)
        issues.push({ path: [...base, "secrets", i], expected: "each key once", found: `duplicate ${JSON.stringify(key)}` });
      else if (key in set.values) {
        issues.push({
          path: [...base, "secrets", i],
          expected: `a key that is not also under ${where}.values (a parameter is either plain or secure)`,
          found: `${JSON.stringify(key)}, also a plain value`,
        });
      }
    });
    for (const [key, value] of Object.entries(set.values)) {
      const at: KeyPath = [...base, "values", key];
      if (Array.isArray(value)) {
        if (!value.length) issues.push({ path: at, expected: "a list of at least one item (Parameter Store refuses empty values)" });
        value.forEach((item, i) => {
          const text = asText(item as string | number | boolean);
          if (!text.length) issues.push({ path: [...at, i], expected: "a non-empty list item" });
          else if (text.includes(","))
            issues.push({ path: [...at, i], expected: "a list item without commas (a StringList joins its items with commas)" });
        });
      } else if (asText(value as string | number | boolean).length === 0) {
        issues.push({ path: at, expected: "a non-empty value (Parameter Store refuses empty values)" });
      }
      const text = Array.isArray(value) ? value.map((v) => asText(v as string)).join(",") : asText(value as string);
      const bytes = Buffer.byteLength(text, "utf8");
      if (bytes > limit) {
        issues.push({
          path: at,
          expected: `a value of at most ${limit} bytes (the limit of the ${tier} tier${tier === "Standard" ? "; parameters.tier Advanced allows 8192" : ""})`,
          found: `${bytes} bytes`,
        });
      }
    }
  }
  return issues;
};

/** Across the whole hierarchy: no YAML key shadows a generated one, addresses unique, names within AWS limits. */
const planRule: Rule = (cfg) => {
  const issues: SemanticIssue[] = [];
  const plan = parameterPlan(cfg);
  const byKey = new Map<string, PlannedParameter>();
  const byAddress = new Map<string, PlannedParameter>();
  const arnPrefix = `arn:${partitionOf(cfg.aws.region)}:ssm:${cfg.aws.region}:${cfg.aws.accountId}:parameter/${cfg.project}/${cfg.environment}/`;

  for (const param of plan) {
    const first = byKey.get(param.key);
    if (first && !param.generated) {
      // Plain-versus-secure and repeated secrets are reported by setRule; here only generated keys.
      if (first.generated) {
        issues.push({
          path: param.origin,
          expected: `a key the kit does not write itself (it writes ${param.key} from ${formatKeyPath(first.origin)})`,
          found: `the key ${JSON.stringify(param.relativeKey)}`,
        });
      }
      continue;
    }
    if (!first) byKey.set(param.key, param);

    const address = parameterAddressPart(param.key);
    const twin = byAddress.get(address);
    if (twin && twin.key !== param.key) {
      issues.push({
        path: param.origin,
        expected: `a key that differs from ${twin.key} in more than case and the separators . - _ / (both would get the Terraform address ..._${address})`,
        found: `the key ${JSON.stringify(param.relativeKey)}`,
      });
    } else if (!twin) {
      byAddress.set(address, param);
    }

    if (param.generated) continue;
    const subtreeLevels = 3; // project, environment, subtree
    const levels = subtreeLevels + param.relativeKey.split("/").length;
    if (levels > PARAMETER_MAX_LEVELS) {
      issues.push({
        path: param.origin,
        expected: `a key of at most ${PARAMETER_MAX_LEVELS - subtreeLevels} levels (Parameter Store allows ${PARAMETER_MAX_LEVELS}, and /<project>/<environment>/<subtree> takes ${subtreeLevels})`,
        found: `${JSON.stringify(param.relativeKey)} (${levels - subtreeLevels} levels)`,
      });
    }
    const room = PARAMETER_MAX_ARN_LENGTH - `${arnPrefix}${param.subtree}/`.length;
    if (param.relativeKey.length > room) {
      issues.push({
        path: param.origin,
        expected: `a key of at most ${room} characters (a parameter's ARN, ${arnPrefix}${param.subtree}/<key>, may have at most ${PARAMETER_MAX_ARN_LENGTH})`,
        found: `a key of ${param.relativeKey.length} characters`,
      });
    }
  }
  return issues;
};

const RULES: readonly Rule[] = [projectPrefixRule, reservedServiceRule, unknownServiceRule, setRule, planRule];

/**
 * Cross-field rules of the parameters section (see ../semantic.ts). They apply when layer 04 is
 * enabled: a switched-off layer writes no parameter, so its names cannot be refused.
 */
export const parametersRules: readonly Rule[] = whenLayerOn("parameters", RULES);

/** The layer's part of the configuration (layer.ts declares it): its sections and its cross-field rules (core/config/semantic.ts). */
export const parametersConfig: LayerConfig<{ parameters: typeof ParametersSchema }> = {
  sections: { parameters: ParametersSchema },
  rules: parametersRules,
};
