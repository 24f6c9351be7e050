import { escapeTemplateBody, repairHcl } from "../core/hcl";

describe("HCL quoting repair", () => {
  it("escapes quotes and backslashes outside interpolations only", () => {
    expect(escapeTemplateBody('{"Resource":"${aws_s3_bucket.b.arn}","P":"a\\\\d"}')).toBe(
      '{\\"Resource\\":\\"${aws_s3_bucket.b.arn}\\",\\"P\\":\\"a\\\\\\\\d\\"}',
    );
    expect(escapeTemplateBody('${jsonencode({"a" = "b"})}')).toBe('${jsonencode({"a" = "b"})}');
  });

  it("repairs a policy built around a reference and leaves valid lines alone", () => {
    const broken = [
      'resource "aws_s3_bucket_policy" "p" {',
      'bucket = "${aws_s3_bucket.b.id}"',
      'policy = "{"Statement":[{"Resource":"${aws_s3_bucket.b.arn}"}]}"',
      'name = "plain \\"quoted\\" text"',
      "}",
    ].join("\n");
    expect(repairHcl(broken).split("\n")).toEqual([
      'resource "aws_s3_bucket_policy" "p" {',
      'bucket = "${aws_s3_bucket.b.id}"',
      'policy = "{\\"Statement\\":[{\\"Resource\\":\\"${aws_s3_bucket.b.arn}\\"}]}"',
      'name = "plain \\"quoted\\" text"',
      "}",
    ]);
  });
});
