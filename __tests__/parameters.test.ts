import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Testing } from "cdktf";
import type { PlatformConfig } from "../core/config/schema";
import { DATABASE_ENGINES } from "../layers/03-database/config";
import { parameterAddressPart, parameterPlan } from "../layers/04-parameters/config";
import { parametersContract } from "../layers/04-parameters/contract";
import { isWildcardAction } from "../core/policy";
import { ParametersStack } from "../layers/04-parameters/stack";
import { ParameterHierarchy, ParameterReadPolicy, SECRET_PLACEHOLDER } from "../modules/parameter-hierarchy";
import { addresses, env, ENVIRONMENTS, envWith, expectS3Backend, policy, resource, resources, synth, type TerraformJson } from "./helpers";

const DB = (output: string) => `\${data.terraform_remote_state.database.outputs.${output}}`;
const DATA_KEY = "${data.terraform_remote_state.security.outputs.kms_key_arns.data}";
const TASK_ROLE = (service: string) =>
  /^[a-z0-9_]+$/.test(service)
    ? `\${data.terraform_remote_state.security.outputs.task_role_names.${service}}`
    : `\${data.terraform_remote_state.security.outputs.task_role_names["${service}"]}`;
const SERVICES = ["customers", "vets", "visits", "admin-server"];
const DATABASE_KEYS = [
  "engine",
  "host",
  "reader-host",
  "port",
  "name",
  "url",
  "reader-url",
  "iam-url",
  "username",
  "secret-name",
  "secret-arn",
];

type Statement = Record<string, unknown>;

/** aws_ssm_parameter resources keyed by parameter name. */
function byName(tf: TerraformJson): Record<string, Record<string, unknown>> {
  return Object.fromEntries(Object.values(resources(tf, "aws_ssm_parameter")).map((p) => [String(p.name), p]));
}

const statementsOf = (tf: TerraformJson, service: string): Statement[] =>
  policy(resource(tf, "aws_iam_policy", `${service.replace(/-/g, "_")}_parameters`).policy).Statement;

describe.each(ENVIRONMENTS)("parameters layer (%s)", (name) => {
  const cfg = env(name);
  const { tf, raw } = synth(ParametersStack, cfg);
  const params = byName(tf);
  const prefix = `/petclinic/${name}`;
  const arn = (path: string) => `arn:aws:ssm:us-west-2:${cfg.aws.accountId}:parameter${prefix}/${path}`;

  it("writes exactly the planned hierarchy under /petclinic/<env>/: common, database and one subtree per service", () => {
    expect(Object.keys(params).sort()).toEqual(
      [
        "common/environment",
        "common/discovery/namespace",
        "common/spring/jpa/open-in-view",
        "common/logging/level/org/springframework",
        "common/management/endpoints/web/exposure/include",
        ...DATABASE_KEYS.map((k) => `database/${k}`),
        ...SERVICES.map((s) => `${s}/server/port`),
        "vets/vets/cache/ttl",
        "vets/vets/cache/heap-size",
        "admin-server/spring/security/user/name",
        "admin-server/spring/security/user/password",
      ]
        .map((k) => `${prefix}/${k}`)
        .sort(),
    );
    expect(Object.keys(params).every((n) => n.startsWith(`/petclinic/${name}/`))).toBe(true);
  });

  it("writes the generated common and per-service keys from config", () => {
    expect(params[`${prefix}/common/environment`]).toMatchObject({ type: "String", value: name });
    expect(params[`${prefix}/common/discovery/namespace`]).toMatchObject({ type: "String", value: "petclinic.local" });
    for (const s of SERVICES)
      expect(params[`${prefix}/${s}/server/port`]).toMatchObject({ type: "String", value: String(cfg.services[s].port) });
    expect(params[`${prefix}/vets/vets/cache/ttl`]).toMatchObject({ type: "String", value: "60" });
    expect(params[`${prefix}/common/spring/jpa/open-in-view`]).toMatchObject({ type: "String", value: "false" });
  });

  it("uses String for plain values, StringList for lists, SecureString with the data key for secrets", () => {
    expect(params[`${prefix}/common/management/endpoints/web/exposure/include`]).toMatchObject({
      type: "StringList",
      value: "health,info,metrics,prometheus",
    });
    const secure = Object.values(params).filter((p) => p.type === "SecureString");
    expect(secure.map((p) => p.name)).toEqual([`${prefix}/admin-server/spring/security/user/password`]);
    for (const p of Object.values(params)) {
      expect(p.tier).toBe("Standard");
      if (p.type === "SecureString") continue;
      expect(["String", "StringList"]).toContain(p.type);
      expect(p.key_id).toBeUndefined();
      expect(p.lifecycle).toBeUndefined();
    }
  });

  it("creates secrets with an obvious placeholder and ignores later value changes", () => {
    const secret = params[`${prefix}/admin-server/spring/security/user/password`];
    expect(secret).toMatchObject({
      type: "SecureString",
      key_id: DATA_KEY,
      value: SECRET_PLACEHOLDER,
      lifecycle: { ignore_changes: ["value"] },
    });
    expect(SECRET_PLACEHOLDER).toMatch(/^UNSET: .*aws ssm put-parameter --overwrite/);
    expect(raw).toHaveResourceWithProperties(SsmParameter, { type: "SecureString", key_id: DATA_KEY });
  });

  it("builds the database connection from layer 03's remote state, JDBC URLs included", () => {
    const scheme = `{"aurora-mysql" = "mysql", "mysql" = "mysql", "aurora-postgresql" = "postgresql", "postgres" = "postgresql"}[${DB("db_engine").slice(2, -1)}]`;
    expect(params[`${prefix}/database/url`].value).toBe(
      `jdbc:\${${scheme}}://${DB("db_writer_endpoint")}:${DB("db_port")}/${DB("db_name")}`,
    );
    expect(params[`${prefix}/database/reader-url`].value).toBe(
      `jdbc:\${${scheme}}://${DB("db_reader_endpoint")}:${DB("db_port")}/${DB("db_name")}`,
    );
    // IAM authentication through the AWS Advanced JDBC Wrapper, TLS with the server verified.
    const tls = `{"aurora-mysql" = "sslMode=VERIFY_IDENTITY", "mysql" = "sslMode=VERIFY_IDENTITY", "aurora-postgresql" = "sslmode=verify-full", "postgres" = "sslmode=verify-full"}[${DB("db_engine").slice(2, -1)}]`;
    expect(params[`${prefix}/database/iam-url`].value).toBe(
      `jdbc:aws-wrapper:\${${scheme}}://${DB("db_writer_endpoint")}:${DB("db_port")}/${DB("db_name")}?wrapperPlugins=iam&\${${tls}}`,
    );
    const from: Record<string, string> = {
      engine: "db_engine",
      host: "db_writer_endpoint",
      "reader-host": "db_reader_endpoint",
      port: "db_port",
      name: "db_name",
      username: "db_master_username",
      "secret-name": "db_master_secret_name",
      "secret-arn": "db_master_secret_arn",
    };
    for (const [key, output] of Object.entries(from))
      expect(params[`${prefix}/database/${key}`]).toMatchObject({ type: "String", value: DB(output) });
    const remote = tf.data?.terraform_remote_state?.database as { backend: string; config: Record<string, unknown> };
    expect(remote).toEqual({
      backend: "s3",
      config: { bucket: cfg.backend.bucket, key: `platform/petclinic/${name}/03-database.tfstate`, region: "us-west-2" },
    });
  });

  it("maps every database engine the schema accepts to a JDBC scheme", () => {
    const value = String(params[`${prefix}/database/url`].value);
    const schemes = Object.fromEntries([...value.matchAll(/"([a-z-]+)" = "([a-z]+)"/g)].map((m) => [m[1], m[2]]));
    expect(Object.keys(schemes).sort()).toEqual([...DATABASE_ENGINES].sort());
    for (const [engine, scheme] of Object.entries(schemes)) expect(scheme).toBe(engine.includes("postgres") ? "postgresql" : "mysql");
  });

  it("holds no password: no password output is read, and the only parameter named like one is a SecureString placeholder", () => {
    expect(raw).not.toMatch(/master_password|master_user_password|secret_string|password_wo/);
    expect(Object.keys(resources(tf, "aws_secretsmanager_secret_version"))).toEqual([]);
    for (const p of Object.values(params).filter((p) => /password|secret(?!-)/i.test(String(p.name)))) {
      expect(p).toMatchObject({ type: "SecureString", value: SECRET_PLACEHOLDER });
    }
    for (const k of DATABASE_KEYS) expect(String(params[`${prefix}/database/${k}`].value)).not.toMatch(/password/i);
  });

  it("gives every service a policy on exactly its subtree, common and (when it reads it) database, with no wildcard action", () => {
    for (const s of SERVICES) {
      const subtrees = s === "admin-server" ? [s, "common"] : [s, "common", "database"];
      const stmts = statementsOf(tf, s);
      const actions = stmts.flatMap((st) => [st.Action].flat() as string[]);
      expect(actions.filter(isWildcardAction)).toEqual([]);
      const read = stmts.find((st) => st.Sid === "ReadParameters")!;
      expect(read).toMatchObject({ Effect: "Allow", Action: ["ssm:GetParameter", "ssm:GetParameters"] });
      expect(read.Resource).toEqual(subtrees.map((t) => arn(`${t}/*`)));
      const byPath = stmts.find((st) => st.Sid === "ReadParametersByPath")!;
      expect(byPath).toMatchObject({ Effect: "Allow", Action: "ssm:GetParametersByPath" });
      expect(byPath.Resource).toEqual(subtrees.flatMap((t) => [arn(t).replace(/\/$/, ""), arn(`${t}/*`)]));
      // Nothing else is granted: the two read statements, and kms:Decrypt only where a SecureString is readable.
      expect(stmts.map((st) => st.Sid)).toEqual(
        s === "admin-server"
          ? ["ReadParameters", "ReadParametersByPath", "DecryptSecureStringsThroughSsm"]
          : ["ReadParameters", "ReadParametersByPath"],
      );
      expect(resource(tf, "aws_iam_policy", `${s.replace(/-/g, "_")}_parameters`).name).toBe(`petclinic-${name}-${s}-parameters`);
    }
    const decrypt = statementsOf(tf, "admin-server").find((st) => st.Sid === "DecryptSecureStringsThroughSsm");
    expect(decrypt).toEqual({
      Effect: "Allow",
      Sid: "DecryptSecureStringsThroughSsm",
      Action: "kms:Decrypt",
      Resource: DATA_KEY,
      Condition: { StringEquals: { "kms:ViaService": "ssm.us-west-2.amazonaws.com" } },
    });
    expect(raw).toHaveResourceWithProperties(IamPolicy, { name: `petclinic-${name}-customers-parameters` });
  });

  it("attaches each policy to the service's task role from layer 02", () => {
    const attachments = resources(tf, "aws_iam_role_policy_attachment");
    expect(Object.keys(attachments).sort()).toEqual(SERVICES.map((s) => `${s.replace(/-/g, "_")}_parameters_task_role`).sort());
    for (const s of SERVICES) {
      const id = s.replace(/-/g, "_");
      expect(attachments[`${id}_parameters_task_role`]).toEqual({
        role: TASK_ROLE(s),
        policy_arn: `\${aws_iam_policy.${id}_parameters.arn}`,
      });
    }
  });

  it("names every parameter's address after its key (config_<key>), never a position", () => {
    const names = Object.keys(resources(tf, "aws_ssm_parameter")).sort();
    expect(names).toEqual(
      parameterPlan(cfg)
        .map((p) => `config_${parameterAddressPart(p.key)}`)
        .sort(),
    );
    expect(names).toContain("config_database_url");
    expect(names).toContain("config_admin_server_spring_security_user_password");
  });

  it("stores state under its own key with encryption and the configured lock", () => {
    expectS3Backend(tf, cfg, `platform/petclinic/${name}/04-parameters.tfstate`);
  });

  it("reads only security and database, and calls no AWS data source", () => {
    expect(Object.keys(tf.data ?? {})).toEqual(["terraform_remote_state"]);
    expect(Object.keys(tf.data!.terraform_remote_state).sort()).toEqual(["database", "security"]);
  });

  it("publishes exactly the contract, with mocks that list the same keys", () => {
    expect(Object.keys(tf.output ?? {}).sort()).toEqual(Object.keys(parametersContract).sort());
    expect(tf.output!.parameter_prefix.value).toBe(prefix);
    const arns = tf.output!.parameter_arns.value as Record<string, string>;
    expect(Object.keys(arns).sort()).toEqual(Object.keys(parametersContract.parameter_arns.mock(cfg)).sort());
    expect(arns["database/url"]).toBe("${aws_ssm_parameter.config_database_url.arn}");
    expect(tf.output!.read_policy_arns.value).toEqual(
      Object.fromEntries(SERVICES.map((s) => [s, `\${aws_iam_policy.${s.replace(/-/g, "_")}_parameters.arn}`])),
    );
    expect(Object.keys(parametersContract.read_policy_arns.mock(cfg)).sort()).toEqual([...SERVICES].sort());
    expect(parametersContract.parameter_arns.mock(cfg)["database/url"]).toBe(arn("database/url"));
  });
});

describe("parameters layer options", () => {
  it("with the database layer switched off: no database parameter, no database read, no database grant", () => {
    // Set on the loaded config: other layers' rules about a missing database (the application's
    // injected credentials) are not what this test is about.
    const base = env("dev");
    const cfg: PlatformConfig = { ...base, layers: { ...base.layers, database: { enabled: false } } };
    const { tf, raw } = synth(ParametersStack, cfg);
    const names = Object.keys(byName(tf));
    expect(names.filter((n) => n.startsWith("/petclinic/dev/database/"))).toEqual([]);
    expect(names).toContain("/petclinic/dev/customers/server/port");
    expect(Object.keys(tf.data!.terraform_remote_state)).toEqual(["security"]);
    expect(raw).not.toContain("/petclinic/dev/database");
    for (const s of SERVICES) {
      expect(JSON.stringify(statementsOf(tf, s))).not.toContain("database");
    }
    expect(Object.keys(parametersContract.parameter_arns.mock(cfg)).filter((k) => k.startsWith("database/"))).toEqual([]);
  });

  it("with the cache on: the cache endpoints under database/cache/", () => {
    const { tf } = synth(ParametersStack, envWith("dev", { cache: { enabled: true } }));
    const params = byName(tf);
    expect(params["/petclinic/dev/database/cache/host"].value).toBe(DB("cache_primary_endpoint"));
    expect(params["/petclinic/dev/database/cache/reader-host"].value).toBe(DB("cache_reader_endpoint"));
    expect(params["/petclinic/dev/database/cache/port"].value).toBe(DB("cache_port"));
  });

  it("without the cache: no cache key (its outputs are empty, and Parameter Store refuses empty values)", () => {
    const { tf } = synth(ParametersStack, env("dev"));
    expect(Object.keys(byName(tf)).filter((n) => n.includes("/cache/") && n.startsWith("/petclinic/dev/database/"))).toEqual([]);
  });

  it("a common secret lets every service decrypt, through SSM only", () => {
    const cfg = envWith("dev", { parameters: { common: { secrets: ["mail/password"] } } });
    const { tf } = synth(ParametersStack, cfg);
    expect(byName(tf)["/petclinic/dev/common/mail/password"]).toMatchObject({
      type: "SecureString",
      key_id: DATA_KEY,
      lifecycle: { ignore_changes: ["value"] },
    });
    for (const s of SERVICES) {
      expect(statementsOf(tf, s).find((st) => st.Sid === "DecryptSecureStringsThroughSsm")).toMatchObject({
        Action: "kms:Decrypt",
        Resource: DATA_KEY,
      });
    }
  });

  it("adding a service, a key or a secret renames no existing address", () => {
    const before = addresses(synth(ParametersStack, env("dev")).tf);
    const after = addresses(
      synth(
        ParametersStack,
        envWith("dev", {
          services: { billing: { port: 8085 } },
          parameters: { common: { values: { "feature/flags": ["a", "b"] } }, services: { customers: { secrets: ["api/key"] } } },
        }),
      ).tf,
    );
    expect(before.filter((a) => !after.includes(a))).toEqual([]);
    expect(after.filter((a) => !before.includes(a)).sort()).toEqual(
      [
        "aws_iam_policy.billing_parameters",
        "aws_iam_role_policy_attachment.billing_parameters_task_role",
        "aws_ssm_parameter.config_billing_server_port",
        "aws_ssm_parameter.config_common_feature_flags",
        "aws_ssm_parameter.config_customers_api_key",
      ].sort(),
    );
  });

  it("with cloud-map switched off: no discovery namespace key", () => {
    const { tf } = synth(ParametersStack, envWith("dev", { layers: { "cloud-map": { enabled: false } } }));
    expect(Object.keys(byName(tf))).not.toContain("/petclinic/dev/common/discovery/namespace");
  });

  it("a configured namespace and tier reach the parameters", () => {
    const { tf } = synth(ParametersStack, envWith("dev", { cloudMap: { namespace: "clinic.internal" }, parameters: { tier: "Advanced" } }));
    const params = byName(tf);
    expect(params["/petclinic/dev/common/discovery/namespace"].value).toBe("clinic.internal");
    expect(Object.values(params).every((p) => p.tier === "Advanced")).toBe(true);
  });
});

describe("ParameterHierarchy module", () => {
  const synthWith = (props: ConstructorParameters<typeof ParameterHierarchy>[2]) =>
    JSON.parse(Testing.synthScope((scope) => void new ParameterHierarchy(scope, "tree", props))) as TerraformJson;

  it("creates String, StringList and SecureString parameters below the root", () => {
    const tf = synthWith({
      root: "/p/e",
      kmsKeyArn: "arn:aws:kms:us-west-2:111111111111:key/k",
      parameters: [
        { key: "a/b", value: "x" },
        { key: "list", value: ["1", "2"] },
        { key: "s", secure: true, description: "d" },
      ],
    });
    const all = Object.values(resources(tf, "aws_ssm_parameter"));
    expect(all).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "/p/e/a/b", type: "String", value: "x", tier: "Standard" }),
        expect.objectContaining({ name: "/p/e/list", type: "StringList", value: "1,2" }),
        expect.objectContaining({
          name: "/p/e/s",
          type: "SecureString",
          key_id: "arn:aws:kms:us-west-2:111111111111:key/k",
          value: SECRET_PLACEHOLDER,
          lifecycle: { ignore_changes: ["value"] },
        }),
      ]),
    );
  });

  it("refuses what Parameter Store would refuse, naming the key", () => {
    expect(() => synthWith({ root: "/p/e", parameters: [{ key: "s", secure: true }] })).toThrow(/s is secure but no kmsKeyArn/);
    expect(() => synthWith({ root: "/p/e", parameters: [{ key: "a b", value: "x" }] })).toThrow(/key "a b" has characters/);
    expect(() => synthWith({ root: "/p/e", parameters: [{ key: "a", value: "" }] })).toThrow(/a has no value/);
    expect(() => synthWith({ root: "/p/e", parameters: [{ key: "a", value: ["x,y"] }] })).toThrow(/list item "x,y"/);
    expect(() => synthWith({ root: "p/e", parameters: [] })).toThrow(/root "p\/e" is not a path/);
    expect(() =>
      synthWith({
        root: "/p/e",
        parameters: [
          { key: "a/b", value: "1" },
          { key: "a_b", value: "2" },
        ],
      }),
    ).toThrow(/"a\/b" and "a_b" would share one construct id/);
  });
});

describe("ParameterReadPolicy module", () => {
  it("reads the paths (GetParametersByPath on the path itself too) and decrypts only through SSM", () => {
    const tf = JSON.parse(
      Testing.synthScope(
        (scope) =>
          void new ParameterReadPolicy(scope, "reader", {
            name: "n",
            description: "d",
            region: "eu-west-1",
            accountId: "123456789012",
            paths: ["/p/e/svc"],
            decryptKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
            roleNames: { role: "r" },
          }),
      ),
    ) as TerraformJson;
    const stmts = policy(Object.values(resources(tf, "aws_iam_policy"))[0].policy).Statement;
    expect(stmts).toEqual([
      {
        Effect: "Allow",
        Sid: "ReadParameters",
        Action: ["ssm:GetParameter", "ssm:GetParameters"],
        Resource: ["arn:aws:ssm:eu-west-1:123456789012:parameter/p/e/svc/*"],
      },
      {
        Effect: "Allow",
        Sid: "ReadParametersByPath",
        Action: "ssm:GetParametersByPath",
        Resource: ["arn:aws:ssm:eu-west-1:123456789012:parameter/p/e/svc", "arn:aws:ssm:eu-west-1:123456789012:parameter/p/e/svc/*"],
      },
      {
        Effect: "Allow",
        Sid: "DecryptSecureStringsThroughSsm",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:eu-west-1:123456789012:key/k",
        Condition: { StringEquals: { "kms:ViaService": "ssm.eu-west-1.amazonaws.com" } },
      },
    ]);
    expect(Object.values(resources(tf, "aws_iam_role_policy_attachment"))).toEqual([expect.objectContaining({ role: "r" })]);
  });

  it("refuses no paths and paths that are not paths", () => {
    const make = (paths: string[]) => () =>
      Testing.synthScope(
        (scope) =>
          void new ParameterReadPolicy(scope, "r", { name: "n", description: "d", region: "us-west-2", accountId: "123456789012", paths }),
      );
    expect(make([])).toThrow(/no paths/);
    expect(make(["/a/"])).toThrow(/"\/a\/" is not a path/);
  });
});

describe("parameters layer without the security layer", () => {
  it("refuses to synthesize, naming what it needs from layer 02", () => {
    const base = env("dev");
    const cfg: PlatformConfig = { ...base, layers: { ...base.layers, security: { enabled: false } } };
    expect(() => synth(ParametersStack, cfg)).toThrow(
      "layer parameters needs layer security (its data KMS key and task roles); enable layers.security or disable layers.parameters",
    );
  });
});
