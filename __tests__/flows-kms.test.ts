/**
 * Encrypted messaging must work once deployed: an AWS service that encrypts or decrypts with a
 * customer managed key on behalf of a topic, queue or alarm is allowed by the key policy only under
 * condition keys it really sends to KMS (core/service-facts.ts, with the AWS pages). EventBridge
 * sends no aws:SourceAccount when it delivers to an encrypted SNS topic or SQS queue, so a key
 * statement requiring it would drop every event. For every shipped configuration, every KMS key
 * policy of every stack is checked against the table, and the guard moves to the topic / queue
 * policies (aws:SourceArn of the rules).
 */
import { KMS_CALLER_CONTEXT, unsentKmsConditionKeys } from "../core/service-facts";
import { ALL_CONFIGS, anyConfig, policy, resources, synthAll, type TerraformJson } from "./helpers";

type Statement = { Sid?: string; Principal?: unknown; Condition?: Record<string, Record<string, unknown>>; Action?: unknown };

function keyStatements(stacks: Record<string, TerraformJson>): { where: string; s: Statement }[] {
  return Object.entries(stacks).flatMap(([stack, tf]) =>
    Object.entries(resources(tf, "aws_kms_key")).flatMap(([name, key]) =>
      key.policy === undefined
        ? []
        : policy(key.policy).Statement.map((s) => ({ where: `${stack}: aws_kms_key.${name} ${String(s.Sid ?? "")}`, s: s as Statement })),
    ),
  );
}

describe("the checker", () => {
  test("flags a statement requiring aws:SourceAccount from EventBridge (today's defect)", () => {
    expect(
      unsentKmsConditionKeys({
        Principal: { Service: ["cloudwatch.amazonaws.com", "events.amazonaws.com"] },
        Condition: { StringEquals: { "aws:SourceAccount": "111111111111" } },
      }),
    ).toEqual(["events.amazonaws.com: aws:SourceAccount"]);
  });
  test("accepts KMS's own keys and what a service sends", () => {
    expect(
      unsentKmsConditionKeys({
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Condition: { StringEquals: { "aws:SourceAccount": "1" }, ArnLike: { "aws:SourceArn": "x" } },
      }),
    ).toEqual([]);
    expect(
      unsentKmsConditionKeys({
        Principal: { Service: "logs.us-west-2.amazonaws.com" },
        Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "x" } },
      }),
    ).toEqual([]);
  });
  test("every fact names its AWS documentation page", () => {
    for (const f of Object.values(KMS_CALLER_CONTEXT)) expect(f.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });
});

describe.each(ALL_CONFIGS)("%s", (name) => {
  const cfg = anyConfig(name);
  const stacks = synthAll(cfg);
  const statements = keyStatements(stacks);

  test("no key policy statement for a service principal requires a condition key that service does not send to KMS", () => {
    const bad = statements.flatMap(({ where, s }) => unsentKmsConditionKeys(s).map((k) => `${where}: ${k}`));
    expect(bad).toEqual([]);
  });

  test("EventBridge may use the messaging key (it encrypts for its encrypted topic and queue targets)", () => {
    const events = statements.filter(
      ({ where, s }) =>
        where.startsWith("security: aws_kms_key.kms_messaging") && JSON.stringify(s.Principal).includes("events.amazonaws.com"),
    );
    expect(events).toHaveLength(1);
    expect(events[0].s.Action).toEqual(["kms:GenerateDataKey", "kms:Decrypt"]);
  });

  test("every topic or queue policy that lets EventBridge send keeps a confused-deputy guard (aws:SourceArn)", () => {
    const docs = Object.values(stacks).flatMap((tf) => [
      ...Object.values(resources(tf, "aws_sns_topic_policy")),
      ...Object.values(resources(tf, "aws_sqs_queue_policy")),
    ]);
    const allows = docs
      .flatMap((d) => policy(d.policy).Statement)
      .filter((s) => (s.Effect ?? "Allow") === "Allow" && JSON.stringify(s.Principal).includes("events.amazonaws.com"));
    for (const s of allows) expect(JSON.stringify(s.Condition ?? {})).toContain("aws:SourceArn");
  });
});
