/**
 * Loss of one availability zone on small fixtures: single-AZ database and cache, a NAT gateway
 * serving another AZ. The real environments (dev with a single NAT failing, prod surviving) are in
 * review-environments.test.ts.
 */
import { analyseAvailability } from "../tools/review/availability";
import { EnvModel } from "../tools/review/model";
import { ref, res, stack } from "./fixtures/review/build";

describe("loss of one AZ", () => {
  it("a database whose instances share one AZ, a Single-AZ RDS instance and a one-node cache break on that AZ", () => {
    const model = new EnvModel([
      stack("database", [
        res("aws_rds_cluster.c", { cluster_identifier: "c" }),
        res("aws_rds_cluster_instance.w", {
          cluster_identifier: ref("aws_rds_cluster.c", "cluster_identifier"),
          availability_zone: "us-west-2a",
          promotion_tier: 0,
        }),
        res("aws_rds_cluster_instance.r", {
          cluster_identifier: ref("aws_rds_cluster.c", "cluster_identifier"),
          availability_zone: "us-west-2a",
          promotion_tier: 1,
        }),
        res("aws_db_instance.d", { multi_az: false, availability_zone: "us-west-2b" }),
        res("aws_elasticache_replication_group.r", { num_cache_clusters: 1, preferred_cache_cluster_azs: ["us-west-2a"] }),
      ]),
    ]);
    const report = analyseAvailability(model, ["us-west-2a", "us-west-2b"]);
    expect(report.survivesAzLoss).toBe(false);
    expect(report.checks.filter((c) => !c.ok).map((c) => [c.address, c.breaksOn])).toEqual([
      ["aws_rds_cluster.c", ["us-west-2a"]],
      ["aws_db_instance.d", ["us-west-2b"]],
      ["aws_elasticache_replication_group.r", ["us-west-2a"]],
    ]);
    expect(report.perAz["us-west-2b"]).toEqual([
      "aws_db_instance.d is Single-AZ: losing us-west-2b stops the database until it is restored",
    ]);
  });

  it("a NAT gateway serving another AZ's route table breaks that AZ's egress when its own AZ goes", () => {
    const sub = (name: string, az: string, tier: string) => res(`aws_subnet.${name}`, { availability_zone: az, tags: { Tier: tier } });
    const model = new EnvModel([
      stack("network", [
        sub("pub_a", "us-west-2a", "public"),
        sub("pub_b", "us-west-2b", "public"),
        sub("app_a", "us-west-2a", "app"),
        sub("app_b", "us-west-2b", "app"),
        sub("app_c", "us-west-2c", "app"),
        res("aws_nat_gateway.nat_a", { subnet_id: ref("aws_subnet.pub_a") }),
        res("aws_nat_gateway.nat_b", { subnet_id: ref("aws_subnet.pub_b") }),
        ...["a", "b", "c"].flatMap((z) => [
          res(`aws_route_table.app_${z}`, { tags: { Tier: "app" } }),
          res(`aws_route_table_association.app_${z}`, {
            route_table_id: ref(`aws_route_table.app_${z}`),
            subnet_id: ref(`aws_subnet.app_${z}`),
          }),
          res(`aws_route.app_${z}`, {
            route_table_id: ref(`aws_route_table.app_${z}`),
            destination_cidr_block: "0.0.0.0/0",
            nat_gateway_id: ref(`aws_nat_gateway.nat_${z === "c" ? "b" : z}`),
          }),
        ]),
      ]),
    ]);
    const report = analyseAvailability(model);
    expect(report.checks.filter((c) => c.area === "egress").map((c) => [c.address, c.ok, c.message])).toEqual([
      ["aws_nat_gateway.nat_a", true, "serves route tables of us-west-2a only"],
      [
        "aws_nat_gateway.nat_b",
        false,
        "aws_nat_gateway.nat_b also serves the app route tables of us-west-2c: losing us-west-2b cuts their egress",
      ],
    ]);
  });
});
