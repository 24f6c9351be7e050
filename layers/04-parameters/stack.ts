/**
 * Layer 04 parameters: the SSM Parameter Store hierarchy /<project>/<environment>/... that
 * replaces the config server (Spring Cloud Config in the seed).
 *
 * - common/...     the environment, the service-discovery namespace, free-form keys (parameters.common)
 * - database/...   the connection of layer 03: hosts, port, name, JDBC URLs, user name, and the name
 *                  and ARN of the managed secret (never the password); cache hosts with cache.enabled
 * - <service>/...  per application service: its port, free-form keys (parameters.services.<name>)
 *
 * Plain values are String (or StringList for lists); secrets are SecureString with the security
 * layer's data key and `ignore_changes = [value]` (operators set them, layers/04-parameters/README.md).
 * Each service gets a managed policy that reads its own subtree, common and database, attached
 * to its task role from layer 02.
 *
 * The list of parameters is `parameterPlan()` (layers/04-parameters/config.ts), shared with
 * the config rules and the contract's mock. Addresses: `aws_ssm_parameter.config_<key>` with `/`
 * as `_` (`config_customers_server_port`), `aws_iam_policy.<service>_parameters` and
 * `aws_iam_role_policy_attachment.<service>_parameters_task_role`: named by keys and services,
 * so adding either renames nothing.
 */
import type { Construct } from "constructs";
import { Fn } from "cdktf";
import type { PlatformConfig } from "../../core/config/types";
import {
  parameterPlan,
  readableSubtrees,
  type CACHE_PARAMETERS,
  type DATABASE_PARAMETERS,
  type DatabaseParameterKey,
  type PlannedParameter,
} from "./config";
import { LayerStack } from "../../core/layer-stack";
import { ParameterHierarchy, ParameterReadPolicy, type ParameterSpec } from "../../modules/parameter-hierarchy";

/**
 * JDBC sub-protocol per database engine (every engine the schema accepts, checked by the type).
 * The engine comes from layer 03's state; one missing here would fail the plan (an index, no default).
 */
const JDBC_SCHEMES: Readonly<Record<PlatformConfig["database"]["engine"], string>> = {
  "aurora-mysql": "mysql",
  mysql: "mysql",
  "aurora-postgresql": "postgresql",
  postgres: "postgresql",
};

/**
 * TLS settings of the JDBC URL for IAM authentication, per engine: the server certificate
 * verified (MySQL Connector/J sslMode, PgJDBC sslmode), as IAM authentication needs TLS.
 */
const JDBC_IAM_TLS: Readonly<Record<PlatformConfig["database"]["engine"], string>> = {
  "aurora-mysql": "sslMode=VERIFY_IDENTITY",
  mysql: "sslMode=VERIFY_IDENTITY",
  "aurora-postgresql": "sslmode=verify-full",
  postgres: "sslmode=verify-full",
};

/** Values of the database subtree by key (cache keys only with cache.enabled). */
type DatabaseValues = Partial<Record<DatabaseParameterKey, string>>;

export class ParametersStack extends LayerStack<"parameters"> {
  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "parameters", config);
    // Layer 02 is not optional here: its data key encrypts the SecureStrings and its task roles
    // receive the read policies. Say so plainly instead of failing on the first remote read.
    this.requireLayer("security", "its data KMS key and task roles");
    const plan = parameterPlan(config);
    const root = this.naming.path();
    const dataKeyArn = this.readEntry("security", "kms_key_arns", "data");

    // Layer 03 may be switched off (layers.database.enabled: false). Then there is no database to
    // describe: the plan holds no database/* key, nothing reads layer 03's state, and no policy
    // grants the database subtree (readableSubtrees). Reading a disabled layer would fail the synth.
    const database = this.isEnabled("database") ? this.databaseValues() : undefined;

    const hierarchy = new ParameterHierarchy(this, "config", {
      root,
      tier: config.parameters.tier,
      kmsKeyArn: dataKeyArn,
      parameters: plan.map((p) => this.spec(p, database)),
    });

    const policies = Object.fromEntries(
      Object.keys(config.services).map((service) => {
        const subtrees = readableSubtrees(config, service);
        const secure = plan.some((p) => p.type === "SecureString" && subtrees.includes(p.subtree));
        const policy = new ParameterReadPolicy(this, `${service}-parameters`, {
          name: this.naming.name("iamPolicy", service, "parameters"),
          description: `Reads the Parameter Store configuration of the ${service} service of ${this.naming.prefix}`,
          region: config.aws.region,
          accountId: config.aws.accountId,
          paths: subtrees.map((s) => this.naming.path(s)),
          // Decrypting is granted only where a readable subtree holds a SecureString.
          decryptKeyArn: secure ? dataKeyArn : undefined,
          roleNames: { "task-role": this.readEntry("security", "task_role_names", service) },
        });
        return [service, policy.arn];
      }),
    );

    this.publish({
      parameter_prefix: root,
      parameter_arns: { ...hierarchy.arns },
      read_policy_arns: policies,
    });
  }

  /** The module's view of a planned parameter. */
  private spec(p: PlannedParameter, database: DatabaseValues | undefined): ParameterSpec {
    const base = { key: p.key, description: p.description };
    switch (p.source.kind) {
      case "secret":
        return { ...base, secure: true };
      case "value":
        return { ...base, value: p.source.value };
      case "database": {
        const value = database?.[p.source.key];
        if (value === undefined) throw new Error(`parameters: ${p.key} is planned but layer 03 gives no value for it`);
        return { ...base, value };
      }
    }
  }

  /** The database subtree's values, read from layer 03's contract. */
  private databaseValues(): DatabaseValues {
    const engine = this.read("database", "db_engine");
    const writer = this.read("database", "db_writer_endpoint");
    const reader = this.read("database", "db_reader_endpoint");
    const port = this.read("database", "db_port");
    const name = this.read("database", "db_name");
    const scheme = Fn.lookup(JDBC_SCHEMES, engine) as string;
    const jdbc = (host: string) => `jdbc:${scheme}://${host}:${port}/${name}`;
    // The cache outputs are empty strings without a cache, and Parameter Store refuses empty
    // values, so the cache keys exist only with cache.enabled (parameterPlan does the same).
    const cache: Record<keyof typeof CACHE_PARAMETERS, string> | undefined = this.config.cache.enabled
      ? {
          "cache/host": this.read("database", "cache_primary_endpoint"),
          "cache/reader-host": this.read("database", "cache_reader_endpoint"),
          "cache/port": this.read("database", "cache_port"),
          "cache/user": this.read("database", "cache_user_id"),
          "cache/replication-group-id": this.read("database", "cache_replication_group_id"),
          "cache/tls": this.read("database", "cache_tls"),
        }
      : undefined;
    const connection: Record<keyof typeof DATABASE_PARAMETERS, string> = {
      engine,
      host: writer,
      "reader-host": reader,
      port,
      name,
      url: jdbc(writer),
      "reader-url": jdbc(reader),
      "iam-url": `jdbc:aws-wrapper:${scheme}://${writer}:${port}/${name}?wrapperPlugins=iam&${Fn.lookup(JDBC_IAM_TLS, engine) as string}`,
      username: this.read("database", "db_master_username"),
      "secret-name": this.read("database", "db_master_secret_name"),
      "secret-arn": this.read("database", "db_master_secret_arn"),
    };
    return { ...connection, ...cache };
  }
}
