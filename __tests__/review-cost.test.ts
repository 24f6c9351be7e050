/**
 * The review's cost estimate: the price table, usage assumptions and their layering, a region
 * without a price table. The worked example on a real environment is in review-environments.test.ts.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { estimateCost, usageFor, type PriceTable } from "../tools/review/cost";
import { EnvModel } from "../tools/review/model";
import { ref, res, stack } from "./fixtures/review/build";

const PRICES = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "tools", "review", "prices", "us-west-2.json"), "utf8")) as PriceTable;

describe("price table", () => {
  it("gives every price in USD with its unit, source page and date", () => {
    expect(PRICES.region).toBe("us-west-2");
    expect(PRICES.currency).toBe("USD");
    expect(PRICES.hoursPerMonth).toBe(730);
    for (const [key, p] of Object.entries(PRICES.prices)) {
      expect([key, typeof p.usd, p.usd > 0]).toEqual([key, "number", true]);
      expect(p.source).toMatch(/^https:\/\/aws\.amazon\.com\//);
      expect(p.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.per.length).toBeGreaterThan(0);
    }
  });
});

describe("usage assumptions", () => {
  it("layers defaults < tier < environment < --usage files", () => {
    expect(usageFor("dev", "dev").natGbPerGateway).toBe(10);
    expect(usageFor("prod", "prod").natGbPerGateway).toBe(100);
    expect(usageFor("staging", "staging").natGbPerGateway).toBe(20);
    expect(usageFor("prod", "prod", [{ natGbPerGateway: 7 }]).natGbPerGateway).toBe(7);
    expect(
      usageFor("prod", "prod", [{ default: { natGbPerGateway: 1 }, environments: { prod: { natGbPerGateway: 3 } } }]).natGbPerGateway,
    ).toBe(3);
  });

  it("shows the assumption next to every usage-based item", () => {
    const model = new EnvModel([
      stack("network", [
        res("aws_nat_gateway.n", { subnet_id: ref("aws_subnet.s") }),
        res("aws_subnet.s", { availability_zone: "us-west-2a" }),
      ]),
    ]);
    const cost = estimateCost(model, "us-west-2", { natGbPerGateway: 40 });
    expect(cost.items.map((i) => [i.component, i.basis, i.monthlyUsd, i.assumption])).toEqual([
      ["NAT gateway hours", "fixed", 32.85, undefined],
      ["NAT gateway data processed", "usage", 1.8, "40 GB per gateway (natGbPerGateway)"],
    ]);
  });

  it("says when a region has no price table instead of guessing", () => {
    const cost = estimateCost(new EnvModel([stack("network", [res("aws_nat_gateway.n", {})])]), "eu-central-1", {});
    expect(cost.priceFile).toBeUndefined();
    expect(cost.items).toEqual([]);
    expect(cost.warnings[0]).toMatch(/no price table for eu-central-1/);
  });

  it("lists cost-bearing resources it cannot price", () => {
    const cost = estimateCost(
      new EnvModel([stack("native", [res("aws_cognito_user_pool.p", {}), res("aws_fancy_new_thing.x", {})])]),
      "us-west-2",
      {},
    );
    expect(cost.notPriced).toEqual(
      expect.arrayContaining([
        "Cognito: per monthly active user beyond the free tier",
        "aws_fancy_new_thing: no cost model (aws_fancy_new_thing.x)",
      ]),
    );
  });

  it("names SMS subscriptions as not estimated (billed per text); e-mail subscriptions cost nothing", () => {
    const SMS = "SNS SMS: per text message by destination country (and an origination identity where required), not estimated";
    const withSms = estimateCost(
      new EnvModel([
        stack("notification", [res("aws_sns_topic_subscription.sms_error_12065550100", { protocol: "sms", endpoint: "+12065550100" })]),
      ]),
      "us-west-2",
      {},
    );
    expect(withSms.notPriced).toContain(SMS);
    const email = estimateCost(
      new EnvModel([stack("notification", [res("aws_sns_topic_subscription.email_x", { protocol: "email", endpoint: "a@b.c" })])]),
      "us-west-2",
      {},
    );
    expect(email.notPriced).not.toContain(SMS);
    expect(email.items).toEqual([]);
  });
});
