/**
 * Every path a configuration declares public reaches its service through the API, and nothing
 * else does: the API's routes to the load balancer are exactly the public services' path patterns
 * (`/x` -> ANY /x, `/x/*` -> ANY /x/{proxy+}), each sent with the same path to a load balancer whose
 * listener rule for that pattern forwards to the service; `/api/genai` and everything below it go
 * to the GenAI function, never to the load balancer. Checked for every shipped configuration with
 * the api-gateway layer; bad public paths are refused with their location.
 */
import { publicRoutes } from "../layers/08-api-gateway/config";
import { servicePaths } from "../layers/07-application/config";
import { fixtureChecks } from "./config-fixtures";
import { ALL_CONFIGS, anyConfig, resources, synthAll } from "./helpers";

const WITH_API = ALL_CONFIGS.filter((n) => anyConfig(n).layers["api-gateway"]?.enabled !== false);

test("PetClinic's admin-server (/admin) is a public path of every environment", () => {
  for (const n of ["dev", "staging", "prod"]) {
    expect(
      publicRoutes(anyConfig(n))
        .filter((r) => r.service === "admin-server")
        .map((r) => r.apiPath),
    ).toEqual(["admin", "admin/{proxy+}"]);
  }
});

describe.each(WITH_API)("%s", (name) => {
  const cfg = anyConfig(name);
  const stacks = synthAll(cfg);
  const api = stacks["api-gateway"];
  const byId = (type: string) => resources(api, type);
  /** The full path of a REST resource address, from its parents. */
  const fullPath = (address: string): string => {
    const r = byId("aws_api_gateway_resource")[address];
    const parent = /aws_api_gateway_resource\.([a-z0-9_]+)\.id/.exec(String(r.parent_id))?.[1];
    return `${parent ? fullPath(parent) : ""}/${String(r.path_part)}`;
  };
  /** [method, full path, integration] of every non-MOCK REST integration. */
  const routes = () =>
    Object.values(byId("aws_api_gateway_integration"))
      .filter((i) => i.type !== "MOCK")
      .map((i) => {
        const methodAddress = /aws_api_gateway_method\.([a-z0-9_]+)\./.exec(String(i.http_method))![1];
        const m = byId("aws_api_gateway_method")[methodAddress];
        const resourceAddress = /aws_api_gateway_resource\.([a-z0-9_]+)\.id/.exec(String(m.resource_id))![1];
        return { method: String(m.http_method), path: fullPath(resourceAddress), integration: i };
      });

  test("the routes to the load balancer are exactly the public services' paths, sent unchanged", () => {
    if (cfg.apiGateway.type !== "rest") return;
    const toAlb = routes().filter((r) => r.integration.type === "HTTP_PROXY");
    const want = publicRoutes(cfg).map((r) => `ANY /${r.apiPath} -> ${r.backendPath}`);
    expect(want.length).toBeGreaterThan(0);
    expect(toAlb.map((r) => `${r.method} ${r.path} -> ${String(r.integration.uri).replace(/^[a-z]+:\/\/[^/]+/, "")}`).sort()).toEqual(
      want.sort(),
    );
    // Every public pattern of every public service is among them.
    for (const [service, svc] of Object.entries(cfg.services)) {
      if (!svc.public) continue;
      for (const p of servicePaths(service, svc)) expect(toAlb.some((r) => r.path === p.replace(/\/\*$/, "/{proxy+}"))).toBe(true);
    }
  });

  test("each backend path is a listener rule of the load balancer that forwards to its service", () => {
    const rules = resources(stacks.application, "aws_lb_listener_rule");
    for (const r of publicRoutes(cfg)) {
      const rule = rules[`${r.service.replace(/-/g, "_")}_target_rule`];
      expect(JSON.stringify(rule.condition)).toContain(JSON.stringify(r.pattern));
    }
  });

  test("/api/genai and everything below it go to the function (never the load balancer), only with the lambda-genai layer", () => {
    if (cfg.apiGateway.type !== "rest") return;
    const genai = routes().filter((r) => r.path === "/api/genai" || r.path.startsWith("/api/genai/"));
    if (cfg.layers["lambda-genai"]?.enabled === false) {
      expect(genai).toEqual([]);
      return;
    }
    expect(genai.map((r) => `${r.method} ${r.path} ${String(r.integration.type)}`).sort()).toEqual([
      "POST /api/genai AWS_PROXY",
      "POST /api/genai/{proxy+} AWS_PROXY",
    ]);
  });
});

describe("public paths are checked", () => {
  fixtureChecks("__tests__/fixtures/config/api-gateway").itRefuses([
    [
      "a pattern the API cannot express is refused",
      "public-path-glob.yaml",
      [
        5,
        29,
        "/api/*/owners]",
        'services.customers.paths[1]: expected a path the API Gateway can route (an exact path such as /admin, or a prefix and /* such as /admin/*), or services.customers.public: false, found "/api/*/owners"',
      ],
    ],
    [
      "a public path below /api/genai is refused while the GenAI function owns it",
      "public-path-genai.yaml",
      [
        5,
        13,
        "/api/genai/history]",
        'services.customers.paths[0]: expected a path outside /api/genai (the API routes it to the GenAI function), found "/api/genai/history"',
      ],
    ],
    [
      "an API with no public service and no function is refused",
      "public-none.yaml",
      [
        4,
        1,
        "services:",
        "services: expected at least one service with public: true, or the lambda-genai layer (the API would have no route to deploy), found no public service",
      ],
    ],
  ]);
});
