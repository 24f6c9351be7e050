/**
 * The review's environment diff on fixtures: normalization of the environments' own names,
 * resources only in one, changed attributes. prod against staging is in review-environments.test.ts.
 */
import { diffEnvironments, normalizer } from "../tools/review/diff";
import { EnvModel } from "../tools/review/model";
import { res, stack } from "./fixtures/review/build";

describe("diff of two environments", () => {
  it("normalizes the environments' own names, whole words only (the config keeps exact values)", () => {
    const id = { key: "prod", environment: "prod", accountId: "333333333333", bucket: "p-prod-tfstate-333333333333" };
    expect(normalizer(id)("prod")).toBe("<env>");
    const n = normalizer(id, { keepExact: true });
    expect(
      n({
        a: "petclinic-prod-alb",
        b: "production",
        c: "arn:aws:iam::333333333333:root",
        d: "arn:aws:s3:::p-prod-tfstate-333333333333/*",
        e: "prod",
      }),
    ).toEqual({
      a: "petclinic-<env>-alb",
      b: "production",
      c: "arn:aws:iam::<account>:root",
      d: "arn:aws:s3:::<state-bucket>/*",
      e: "prod",
    });
  });

  it("gives config key paths with both values, addresses only in one, and changed attributes", () => {
    const a = {
      id: { key: "prod", environment: "prod" },
      config: { environment: "prod", logging: { retentionDays: 365 }, services: { api: { port: 8080 } } },
    };
    const b = {
      id: { key: "dev", environment: "dev" },
      config: { environment: "dev", logging: { retentionDays: 30 }, services: { api: { port: 8080 } } },
    };
    const modelA = new EnvModel([
      stack("network", [
        res("aws_vpc.vpc", { tags: { Name: "p-prod" } }),
        res("aws_nat_gateway.b", {}),
        res("aws_cloudwatch_log_group.g", { name: "/p/prod/x", retention_in_days: 365 }),
      ]),
    ]);
    const modelB = new EnvModel([
      stack("network", [
        res("aws_vpc.vpc", { tags: { Name: "p-dev" } }),
        res("aws_cloudwatch_log_group.g", { name: "/p/dev/x", retention_in_days: 30 }),
      ]),
    ]);
    const d = diffEnvironments({ ...a, model: modelA }, { ...b, model: modelB });
    expect(d.config).toEqual([
      { path: "environment", a: "prod", b: "dev" },
      { path: "logging.retentionDays", a: 365, b: 30 },
    ]);
    expect(d.resourcesOnlyIn).toEqual({ a: ["network/aws_nat_gateway.b"], b: [] });
    expect(d.changed).toEqual([{ id: "network/aws_cloudwatch_log_group.g", changes: [{ path: "retention_in_days", a: 365, b: 30 }] }]);
    expect(d.stacksOnlyIn).toEqual({ a: [], b: [] });
  });
});
