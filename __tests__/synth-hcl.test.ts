/**
 * The HCL output of `npm run synth:hcl` (tools/synth-hcl.ts): strings re-rendered from the JSON
 * synthesis where cdktf's rendering is wrong, and the attributes cdktf cannot type (wafv2
 * statements) rewritten as blocks. `npm run validate:hcl` runs terraform validate on the result;
 * here only the text is checked (no Terraform in jest).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { WORK_DIR } from "../tools/lib/terraform";
import { blockifyUntypedAttributes } from "../core/hcl";
import { cdktfStringRendering, hclStringLiteral, repairHcl, repairs, synthesizeHcl } from "../tools/synth-hcl";
import { env, envWith } from "./helpers";

describe("HCL string literals", () => {
  it("escapes quotes, backslashes and control characters outside template sequences only", () => {
    expect(hclStringLiteral('{"a":"${aws_s3_bucket.b.arn}"}')).toBe('"{\\"a\\":\\"${aws_s3_bucket.b.arn}\\"}"');
    expect(hclStringLiteral("^\\d+$")).toBe('"^\\\\d+$"');
    expect(hclStringLiteral("a\tb\nc")).toBe('"a\\tb\\nc"');
    expect(hclStringLiteral('${lookup(var.m, "k")}/x')).toBe('"${lookup(var.m, "k")}/x"');
    expect(hclStringLiteral('${jsonencode({"a" = "}"})}')).toBe('"${jsonencode({"a" = "}"})}"');
    expect(hclStringLiteral("$${literal} and %%{literal}")).toBe('"$${literal} and %%{literal}"');
  });

  it("knows where cdktf's rendering goes wrong", () => {
    expect(cdktfStringRendering('{"a":"${x.y}"}')).toBe('"{"a":"${x.y}"}"');
    expect(cdktfStringRendering('say "hi"')).toBe('"say \\"hi\\""');
    const map = repairs({ resource: { t: { n: { policy: '{"a":"${x.y}"}', plain: "ok", regex: "^\\d$", "//": { skip: '"${x}"' } } } } });
    expect([...map.keys()]).toEqual(['"{"a":"${x.y}"}"', '"^\\d$"']);
  });

  it("repairs attribute values and list items that hold exactly a broken rendering", () => {
    const json = { resource: { t: { n: { policy: '{"a":"${x.y}"}', list: ['x"${y}"'] } } } };
    const hcl = [
      'resource "t" "n" {',
      'policy = "{"a":"${x.y}"}"',
      "list = [",
      '"x"${y}"",',
      "]",
      'other = "{"a":"${x.y}"}" # not a whole value',
      "}",
    ].join("\n");
    const r = repairHcl(hcl, json);
    expect(r.fixed).toBe(2);
    expect(r.text.split("\n")).toEqual([
      'resource "t" "n" {',
      'policy = "{\\"a\\":\\"${x.y}\\"}"',
      "list = [",
      '"x\\"${y}\\"",',
      "]",
      'other = "{"a":"${x.y}"}" # not a whole value',
      "}",
    ]);
  });
});

describe("attributes cdktf cannot type", () => {
  const warning = [
    "# Warning: The following attribute is of an unexpected type. Either there's a problem with the provider",
    "# or CDKTF has chosen to skip generating a detailed type for this because it increases the size of the provider library significantly. ",
    "# ",
    "# We understand this is not ideal, so we suggest using JSON synthesis instead of HCL synthesis for this particular case.",
    "",
  ];

  it("turns objects into blocks and lists of objects into repeated blocks, keeping lists of values", () => {
    const hcl = [
      "rule {",
      'name = "r"',
      ...warning,
      "statement = {",
      "managed_rule_group_statement = {",
      'name = "AWSManagedRulesCommonRuleSet"',
      "rule_action_override = [",
      "{",
      'name = "SizeRestrictions_BODY"',
      "action_to_use = {",
      "count = {",
      "}",
      "}",
      "},",
      "]",
      "}",
      "}",
      "visibility_config {",
      "country_codes = [",
      '"DE",',
      "]",
      "}",
      "}",
    ].join("\n");
    const r = blockifyUntypedAttributes(hcl);
    expect(r.rewritten).toBe(1);
    expect(r.text.split("\n")).toEqual([
      "rule {",
      'name = "r"',
      "statement {",
      "managed_rule_group_statement {",
      'name = "AWSManagedRulesCommonRuleSet"',
      "rule_action_override {",
      'name = "SizeRestrictions_BODY"',
      "action_to_use {",
      "count {",
      "}",
      "}",
      "}",
      "}",
      "}",
      "visibility_config {",
      "country_codes = [",
      '"DE",',
      "]",
      "}",
      "}",
    ]);
  });

  it("keeps a list of values inside an untyped attribute as an attribute", () => {
    const hcl = [...warning, "statement = {", "geo_match_statement = {", "country_codes = [", '"DE",', '"FR"', "]", "}", "}"].join("\n");
    expect(blockifyUntypedAttributes(hcl).text.split("\n")).toEqual([
      "statement {",
      "geo_match_statement {",
      "country_codes = [",
      '"DE",',
      '"FR"',
      "]",
      "}",
      "}",
    ]);
  });
});

describe("synth:hcl output", () => {
  it.each(["dev", "prod"])("%s: writes WAF statements as blocks and leaves no unescaped quote in a string", (name) => {
    const cfg =
      name === "dev"
        ? envWith("dev", {
            security: { waf: { managedRuleGroups: [{ name: "AWSManagedRulesCommonRuleSet", excludedRules: ["NoUserAgent_HEADER"] }] } },
          })
        : env(name);
    const out = path.join(WORK_DIR, "test-hcl", name);
    const result = synthesizeHcl(cfg, out, `test-${name}`);
    const security = fs.readFileSync(path.join(out, "stacks", "security", "cdk.tf"), "utf8");
    expect(security).not.toMatch(/Warning: The following attribute/);
    expect(security).not.toMatch(/statement\s*=\s*\{/);
    expect(security).toMatch(/statement\s*\{\s*\n\s*rate_based_statement\s*\{/);
    if (name === "dev") expect(security).toMatch(/rule_action_override\s*\{\s*\n\s*name\s*=\s*"NoUserAgent_HEADER"/);
    for (const s of result.stacks) {
      const text = fs.readFileSync(s.file, "utf8");
      for (const line of text.split("\n")) {
        const m = /^\s*[\w"-]+\s*=\s*"(.*)"\s*$/.exec(line);
        // Inside a string literal, every quote outside ${...} is escaped.
        if (m) expect(m[1].replace(/\$\{[^}]*\}/g, "").replace(/\\\\/g, "")).not.toMatch(/(^|[^\\])"/);
      }
    }
  });
});
