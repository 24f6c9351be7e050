/**
 * The cache flow: a service that uses Redis must be able to sign in. The only user that can
 * authenticate is IAM-authenticated (the default user is off), so for every shipped configuration
 * with a cache each client service's task role holds elasticache:Connect on exactly the replication
 * group and that user, the user's id equals its name (IAM authentication requires it), and the
 * service receives host, port, user, cache name and TLS=true from Parameter Store.
 */
import { cacheClients } from "../layers/03-database/config";
import { ApplicationStack } from "../layers/07-application/stack";
import { DatabaseStack } from "../layers/03-database/stack";
import { ParametersStack } from "../layers/04-parameters/stack";
import { fixtureChecks } from "./config-fixtures";
import { ALL_CONFIGS, anyConfig, policy, resource, resources, synth } from "./helpers";

const WITH_CACHE = ALL_CONFIGS.filter((name) => anyConfig(name).cache.enabled);

test("some shipped configuration has a cache (the flow is exercised)", () => {
  expect(WITH_CACHE).toEqual(expect.arrayContaining(["examples/ims2/prod.yaml"]));
});

describe.each(WITH_CACHE)("%s", (name) => {
  const cfg = anyConfig(name);
  const clients = cacheClients(cfg);
  const db = synth(DatabaseStack, cfg).tf;

  test("at least one service uses the cache", () => {
    expect(clients.length).toBeGreaterThan(0);
  });

  test("the IAM-authenticated user has user id = user name, and the default user cannot sign in", () => {
    const app = resource(db, "aws_elasticache_user", "redis_app_user");
    expect(app.authentication_mode).toEqual({ type: "iam" });
    expect(app.user_name).toBe(app.user_id);
    expect(resource(db, "aws_elasticache_user", "redis_default_user").access_string).toMatch(/^off /);
    expect(resource(db, "aws_elasticache_replication_group", "redis").transit_encryption_enabled).toBe(true);
  });

  test("each client's task role, and only those, may elasticache:Connect to the group and the user", () => {
    const grants = Object.values(resources(db, "aws_iam_role_policy")).filter((p) =>
      JSON.stringify(p.policy).includes("elasticache:Connect"),
    );
    expect(grants).toHaveLength(clients.length);
    for (const service of clients) {
      const p = resource(db, "aws_iam_role_policy", `redis_${service.replace(/-/g, "_")}_connect`);
      expect(p.role).toBe(`\${data.terraform_remote_state.security.outputs.task_role_names.${service}}`);
      expect(policy(p.policy).Statement).toEqual([
        {
          Sid: "CacheConnectAsAppUser",
          Effect: "Allow",
          Action: "elasticache:Connect",
          Resource: ["${aws_elasticache_replication_group.redis.arn}", "${aws_elasticache_user.redis_app_user.arn}"],
        },
      ]);
    }
  });

  test("the connection settings (user, cache name, TLS) are in Parameter Store and injected into each client", () => {
    const params = resources(synth(ParametersStack, cfg).tf, "aws_ssm_parameter");
    const byName = Object.fromEntries(Object.values(params).map((p) => [String(p.name), p]));
    const root = `/${cfg.project}/${cfg.environment}/database/cache`;
    for (const key of ["host", "port", "user", "replication-group-id", "tls"]) expect(byName[`${root}/${key}`]).toBeDefined();
    expect(byName[`${root}/user`].value).toContain("cache_user_id");
    expect(byName[`${root}/replication-group-id`].value).toContain("cache_replication_group_id");
    expect(byName[`${root}/tls`].value).toContain("cache_tls");

    const app = synth(ApplicationStack, cfg).tf;
    for (const service of clients) {
      const td = resource(app, "aws_ecs_task_definition", `${service.replace(/-/g, "_")}_task`);
      const secrets = (JSON.parse(String(td.container_definitions)) as { secrets?: { valueFrom: string }[] }[])[0].secrets ?? [];
      const injected = secrets.map((s) => s.valueFrom);
      for (const key of ["host", "port", "user", "replication-group-id", "tls"]) {
        expect(injected.some((v) => v.endsWith(`parameter${root}/${key}`))).toBe(true);
      }
    }
  });
});

describe("cache.clients is checked", () => {
  fixtureChecks("__tests__/fixtures/config/database").itRefuses([
    [
      "an unknown service is refused",
      "cache-client-unknown.yaml",
      [4, 13, "customer]", 'cache.clients[0]: expected an application service named under services (customers), found "customer"'],
    ],
    [
      "a service that injects cache settings but is not a client is refused",
      "cache-client-missing.yaml",
      [
        9,
        3,
        "clients: [vets]",
        'cache.clients: expected a list that names customers (services.customers.secrets.REDIS_HOST reads database/cache/host: without elasticache:Connect its task cannot sign in), found ["vets"]',
      ],
    ],
  ]);
});
