/**
 * The RDS facts table (core/config/rds-facts.ts) and what every shipped environment synthesizes
 * from it: no database instance anywhere asks for Performance Insights on a class RDS refuses it
 * on (the apply failure of issue 10: PI on RDS MySQL db.t4g.micro / small in examples/regenzet).
 */
import { PERFORMANCE_INSIGHTS, performanceInsightsSupported, RDS_FACTS, type RdsFactsEngine } from "../core/config/rds-facts";
import { DATABASE_ENGINES } from "../layers/03-database/config";
import { ALL_ENVIRONMENTS, synthesizeEnvironment } from "./fixtures/all-environments";
import { resources } from "./helpers";

describe("the RDS facts table", () => {
  it("has one Performance Insights row per engine the kit offers, each citing an AWS documentation page", () => {
    expect(PERFORMANCE_INSIGHTS.map((r) => r.engine).sort()).toEqual([...DATABASE_ENGINES].sort());
    for (const row of [...PERFORMANCE_INSIGHTS, ...Object.values(RDS_FACTS)])
      expect(row.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\/AmazonRDS\//);
  });

  it("answers for exact classes and whole families", () => {
    expect(performanceInsightsSupported("mysql", "db.t4g.micro")).toBe(false);
    expect(performanceInsightsSupported("mysql", "db.t4g.small")).toBe(false);
    expect(performanceInsightsSupported("mysql", "db.t3.small")).toBe(false);
    expect(performanceInsightsSupported("mysql", "db.t4g.medium")).toBe(true);
    expect(performanceInsightsSupported("mysql", "db.r6g.large")).toBe(true);
    expect(performanceInsightsSupported("postgres", "db.t3.micro")).toBe(true);
    expect(performanceInsightsSupported("aurora-mysql", "db.t3.large")).toBe(false);
    expect(performanceInsightsSupported("aurora-mysql", "db.t4g.medium")).toBe(true);
    expect(performanceInsightsSupported("aurora-mysql", "db.serverless")).toBe(true);
    expect(performanceInsightsSupported("aurora-postgresql", "db.t4g.medium")).toBe(true);
  });
});

describe.each(ALL_ENVIRONMENTS)("%s", (name) => {
  it("asks for Performance Insights only where RDS supports it for the engine and class", () => {
    const tf = synthesizeEnvironment(name).stacks.get("database");
    if (!tf) return expect(synthesizeEnvironment(name).config.layers.database?.enabled).toBe(false);
    const instances = [...Object.values(resources(tf, "aws_db_instance")), ...Object.values(resources(tf, "aws_rds_cluster_instance"))];
    expect(instances.length).toBeGreaterThan(0);
    // A cluster instance names its engine through the cluster (`${aws_rds_cluster.aurora.engine}`).
    const engineOf = (v: unknown): string => {
      const ref = /^\$\{aws_rds_cluster\.([a-z0-9_]+)\.engine\}$/.exec(String(v));
      return ref ? String(resources(tf, "aws_rds_cluster")[ref[1]].engine) : String(v);
    };
    for (const i of instances) {
      if (i.performance_insights_enabled !== true) continue;
      const engine = engineOf(i.engine);
      expect(`${engine} ${i.instance_class}: ${performanceInsightsSupported(engine as RdsFactsEngine, i.instance_class as string)}`).toBe(
        `${engine} ${i.instance_class}: true`,
      );
    }
  });
});

describe("ReGenZet (RDS MySQL on db.t4g.micro / small)", () => {
  it.each(["examples/regenzet/dev.yaml", "examples/regenzet/prod.yaml"])("%s synthesizes Performance Insights off", (name) => {
    const tf = synthesizeEnvironment(name).stacks.get("database")!;
    const [db] = Object.values(resources(tf, "aws_db_instance"));
    expect(db.instance_class).toMatch(/^db\.t4g\.(micro|small)$/);
    expect(db.performance_insights_enabled).toBe(false);
    expect(db.performance_insights_kms_key_id).toBeUndefined();
  });
});
