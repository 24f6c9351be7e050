/**
 * Grants on the constructs (core/grants.ts and the modules' grant…() methods): each method adds the
 * statement for its own resource with the literal ARN from its name, and its own key's use through
 * its service only (kms:ViaService); a principal's key uses merge per key and service; a Sid granted
 * twice keeps the wider statement and refuses two different ones; narrower grants carry no write
 * action. The native layer's policies built from them are checked in native.test.ts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { PolicyGrants, sidName } from "../core/grants";
import { Arns, type PolicyStatement } from "../core/policy";
import { EncryptedQueue } from "../modules/encrypted-queue";
import { EncryptedTopic } from "../modules/encrypted-topic";
import { AuroraCluster } from "../modules/aurora-cluster";
import { EventBus } from "../modules/event-bus";
import { LambdaCode, LambdaFunction } from "../modules/lambda-function";
import { grantReadParameter } from "../modules/parameter-hierarchy";
import { RdsInstance } from "../modules/rds-instance";
import { RotatedMasterSecret } from "../modules/rotated-master-secret";
import { SecureBucket } from "../modules/secure-bucket";
import { ServiceRole } from "../modules/service-role";
import { SesDomain } from "../modules/ses-domain";
import { lambdaFunctionProps } from "./fixtures/module-props";

const ARNS = new Arns("eu-central-1", "123456789012");
const DATA_KEY = "arn:aws:kms:eu-central-1:123456789012:key/data";
const MESSAGING_KEY = "arn:aws:kms:eu-central-1:123456789012:key/messaging";
const KEY_NAMES = { [DATA_KEY]: "Data", [MESSAGING_KEY]: "Messaging" };
const via = (service: string) => ({ StringEquals: { "kms:ViaService": `${service}.eu-central-1.amazonaws.com` } });

let scope: Construct;
beforeEach(() => {
  scope = new TerraformStack(Testing.app(), "grants");
});
const grants = () => new PolicyGrants(ARNS, { keyNames: KEY_NAMES });
const bucket = (id = "my-docs", kms: "data" | "sse-s3" = "data") =>
  new SecureBucket(scope, id, {
    bucketName: `acme-dev-${id}`,
    kmsKeyArn: kms === "data" ? DATA_KEY : undefined,
    dataProtection: { protect: false },
  });
const queue = (id = "jobs") =>
  new EncryptedQueue(scope, id, { name: `acme-dev-${id}`, deadLetterName: `acme-dev-${id}-dlq`, kmsKeyArn: MESSAGING_KEY });
const topic = (id = "events") => new EncryptedTopic(scope, id, { name: `acme-dev-${id}`, kmsKeyArn: MESSAGING_KEY });
const actionsOf = (s: PolicyStatement) => (typeof s.Action === "string" ? [s.Action] : [...s.Action]);
const allActions = (statements: PolicyStatement[]) => statements.flatMap(actionsOf);

describe("SecureBucket grants", () => {
  it("grantRead: list the bucket, get objects, decrypt with its key through S3 only", () => {
    const g = grants();
    bucket().grantRead(g);
    expect(g.statements()).toEqual([
      { Sid: "ListMyDocsBucket", Action: ["s3:ListBucket"], Resource: "arn:aws:s3:::acme-dev-my-docs" },
      { Sid: "ReadMyDocsObjects", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::acme-dev-my-docs/*" },
      { Sid: "DataKeyThroughS3", Action: ["kms:Decrypt"], Resource: DATA_KEY, Condition: via("s3") },
    ]);
  });

  it("grantRead carries no write action and no kms:GenerateDataKey", () => {
    const g = grants();
    bucket().grantRead(g);
    const actions = allActions(g.statements());
    for (const write of ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "kms:GenerateDataKey"])
      expect(actions).not.toContain(write);
  });

  it("grantReadWrite: put, delete and abort uploads too, and generate data keys", () => {
    const g = grants();
    bucket().grantReadWrite(g);
    const [list, objects, key] = g.statements();
    expect(list.Sid).toBe("ListMyDocsBucket");
    expect(objects).toEqual({
      Sid: "ReadWriteMyDocsObjects",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
      Resource: "arn:aws:s3:::acme-dev-my-docs/*",
    });
    expect(key).toEqual({
      Sid: "DataKeyThroughS3",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: DATA_KEY,
      Condition: via("s3"),
    });
  });

  it("read and readWrite of one bucket: one list statement, both object statements, the key with the wider actions", () => {
    const g = grants();
    const b = bucket();
    b.grantRead(g);
    b.grantReadWrite(g);
    expect(g.statements().map((s) => s.Sid)).toEqual([
      "ListMyDocsBucket",
      "ReadMyDocsObjects",
      "ReadWriteMyDocsObjects",
      "DataKeyThroughS3",
    ]);
    expect(g.statements()[3].Action).toEqual(["kms:Decrypt", "kms:GenerateDataKey"]);
  });

  it("a bucket with SSE-S3 grants no key", () => {
    const g = grants();
    bucket("plain", "sse-s3").grantReadWrite(g);
    expect(allActions(g.statements()).filter((a) => a.startsWith("kms:"))).toEqual([]);
  });

  it("uses the grantee's partition for the literal ARN", () => {
    const g = new PolicyGrants(new Arns("cn-north-1", "123456789012"));
    bucket().grantRead(g);
    expect(g.statements()[0].Resource).toBe("arn:aws-cn:s3:::acme-dev-my-docs");
  });
});

describe("EncryptedQueue grants", () => {
  it("grantConsume: receive, delete, visibility, attributes, URL; decrypt only", () => {
    const g = grants();
    queue().grantConsume(g);
    expect(g.statements()).toEqual([
      {
        Sid: "ConsumeJobsQueue",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
        Resource: "arn:aws:sqs:eu-central-1:123456789012:acme-dev-jobs",
      },
      { Sid: "MessagingKeyThroughSqs", Action: ["kms:Decrypt"], Resource: MESSAGING_KEY, Condition: via("sqs") },
    ]);
    expect(allActions(g.statements())).not.toContain("sqs:SendMessage");
  });

  it("grantSend: send, attributes, URL; encrypt and decrypt", () => {
    const g = grants();
    queue().grantSend(g);
    expect(g.statements()).toEqual([
      {
        Sid: "ProduceJobsQueue",
        Action: ["sqs:SendMessage", "sqs:GetQueueAttributes", "sqs:GetQueueUrl"],
        Resource: "arn:aws:sqs:eu-central-1:123456789012:acme-dev-jobs",
      },
      { Sid: "MessagingKeyThroughSqs", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: MESSAGING_KEY, Condition: via("sqs") },
    ]);
    expect(allActions(g.statements())).not.toContain("sqs:ReceiveMessage");
  });

  it("two queues on one key merge into one key statement per service", () => {
    const g = grants();
    queue("jobs").grantConsume(g);
    queue("mails").grantSend(g);
    const kms = g.statements().filter((s) => s.Sid!.includes("Key"));
    expect(kms).toEqual([
      { Sid: "MessagingKeyThroughSqs", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: MESSAGING_KEY, Condition: via("sqs") },
    ]);
  });
});

describe("EncryptedTopic, EventBus and SesDomain grants", () => {
  it("grantPublish: sns:Publish on the topic, the messaging key through SNS (its own statement beside SQS's)", () => {
    const g = grants();
    queue().grantSend(g);
    topic().grantPublish(g);
    expect(g.statements()).toEqual([
      expect.objectContaining({ Sid: "ProduceJobsQueue" }),
      { Sid: "PublishEventsTopic", Action: ["sns:Publish"], Resource: "arn:aws:sns:eu-central-1:123456789012:acme-dev-events" },
      { Sid: "MessagingKeyThroughSqs", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: MESSAGING_KEY, Condition: via("sqs") },
      { Sid: "MessagingKeyThroughSns", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: MESSAGING_KEY, Condition: via("sns") },
    ]);
  });

  it("grantPutEvents: events:PutEvents on the bus only, no key", () => {
    const g = grants();
    new EventBus(scope, "events", { name: "acme-dev-app" }).grantPutEvents(g);
    expect(g.statements()).toEqual([
      { Sid: "PutEvents", Action: ["events:PutEvents"], Resource: "arn:aws:events:eu-central-1:123456789012:event-bus/acme-dev-app" },
    ]);
  });

  const ses = () =>
    new SesDomain(scope, "ses", {
      domain: "example.com",
      region: "eu-central-1",
      accountId: "123456789012",
      mailFromDomain: "mail.example.com",
      configurationSetName: "acme-dev",
      templates: {
        welcome: { name: "acme-dev-welcome", subject: "Hi", html: "<p>Hi</p>" },
        reset: { name: "acme-dev-reset", subject: "Reset", html: "<p>Reset</p>" },
      },
    });
  const SES_ARNS = [
    "arn:aws:ses:eu-central-1:123456789012:identity/example.com",
    "arn:aws:ses:eu-central-1:123456789012:configuration-set/acme-dev",
    "arn:aws:ses:eu-central-1:123456789012:template/acme-dev-welcome",
    "arn:aws:ses:eu-central-1:123456789012:template/acme-dev-reset",
  ];

  it("grantSend: the identity, the configuration set and every template, in template order", () => {
    const g = grants();
    ses().grantSend(g);
    expect(g.statements()).toEqual([{ Sid: "SendEmail", Action: ["ses:SendEmail", "ses:SendTemplatedEmail"], Resource: SES_ARNS }]);
  });

  it("grantSend with a sender address and Sid pins ses:FromAddress", () => {
    const g = grants();
    ses().grantSend(g, { sid: "SendAsConfiguredSender", fromAddress: "no-reply@example.com" });
    expect(g.statements()[0]).toEqual({
      Sid: "SendAsConfiguredSender",
      Action: ["ses:SendEmail", "ses:SendTemplatedEmail"],
      Resource: SES_ARNS,
      Condition: { StringEquals: { "ses:FromAddress": "no-reply@example.com" } },
    });
  });
});

describe("function and secret grants", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "grants-code-"));
    fs.writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => ({});\n");
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("LambdaFunction.grantInvoke: the function and its versions and aliases, nothing else", () => {
    const fn = new LambdaFunction(scope, "mailer", lambdaFunctionProps("acme-dev-mailer", LambdaCode.fromDirectory(dir)));
    const g = grants();
    fn.grantInvoke(g);
    const arn = "arn:aws:lambda:eu-central-1:123456789012:function:acme-dev-mailer";
    expect(g.statements()).toEqual([{ Sid: "InvokeMailerFunction", Action: ["lambda:InvokeFunction"], Resource: [arn, `${arn}:*`] }]);
  });

  it("RotatedMasterSecret.grantRead: the secret's value, kms:Decrypt through Secrets Manager only", () => {
    const secret = new RotatedMasterSecret(scope, "master-secret", {
      secretName: "acme-dev-db-master",
      kmsKeyArn: DATA_KEY,
      rotationDays: 30,
      functionName: "acme-dev-db-rotation",
      roleName: "acme-dev-db-rotation",
      code: LambdaCode.fromDirectory(dir),
      handler: "index.handler",
      runtime: "nodejs22.x",
      logRetentionDays: 30,
      region: "eu-central-1",
      accountId: "123456789012",
      instanceIdentifier: "acme-dev",
      environment: {},
      dependsOn: [],
    });
    const g = grants();
    secret.grantRead(g);
    expect(g.statements()).toEqual([
      {
        Sid: "ReadMasterSecretSecret",
        Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
        Resource: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:acme-dev-db-master-??????",
      },
      { Sid: "DataKeyThroughSecretsmanager", Action: ["kms:Decrypt"], Resource: DATA_KEY, Condition: via("secretsmanager") },
    ]);
    expect(allActions(g.statements())).not.toContain("secretsmanager:PutSecretValue");
    expect(allActions(g.statements())).not.toContain("kms:GenerateDataKey");
  });
});

describe("PolicyGrants", () => {
  it("keeps grant order, puts key statements after the resources in order of first use, sorts their actions", () => {
    const g = grants();
    topic().grantPublish(g);
    bucket().grantRead(g);
    queue().grantSend(g);
    expect(g.statements().map((s) => s.Sid)).toEqual([
      "PublishEventsTopic",
      "ListMyDocsBucket",
      "ReadMyDocsObjects",
      "ProduceJobsQueue",
      "MessagingKeyThroughSns",
      "DataKeyThroughS3",
      "MessagingKeyThroughSqs",
    ]);
  });

  it("the same Sid granted narrower after wider keeps the wider statement in its place", () => {
    const g = new PolicyGrants(ARNS);
    g.addStatement({ Sid: "A", Action: ["s3:GetObject", "s3:PutObject"], Resource: "r" });
    g.addStatement({ Sid: "B", Action: "s3:ListBucket", Resource: "r" });
    g.addStatement({ Sid: "A", Action: ["s3:GetObject"], Resource: "r" });
    expect(g.statements()).toEqual([
      { Sid: "A", Action: ["s3:GetObject", "s3:PutObject"], Resource: "r" },
      { Sid: "B", Action: "s3:ListBucket", Resource: "r" },
    ]);
    g.addStatement({ Sid: "B", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: "r" });
    expect(g.statements()[1].Action).toEqual(["s3:ListBucket", "s3:GetBucketLocation"]);
  });

  it("refuses two different statements under one Sid", () => {
    const g = new PolicyGrants(ARNS);
    g.addStatement({ Sid: "A", Action: ["s3:GetObject"], Resource: "r1" });
    expect(() => g.addStatement({ Sid: "A", Action: ["s3:GetObject"], Resource: "r2" })).toThrow(/two different statements with the Sid A/);
    expect(() => g.addStatement({ Sid: "A", Action: ["s3:PutObject"], Resource: "r1" })).toThrow(/neither include the other/);
  });

  it("names keys without a given name Key1, Key2 and keeps different keys apart", () => {
    const g = new PolicyGrants(ARNS);
    g.useKey({ keyArn: "k1", service: "s3", actions: ["kms:Decrypt"] });
    g.useKey({ keyArn: "k2", service: "s3", actions: ["kms:Decrypt"] });
    g.useKey({ keyArn: "k1", service: "s3", actions: ["kms:GenerateDataKey"] });
    expect(g.statements()).toEqual([
      { Sid: "Key1KeyThroughS3", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: "k1", Condition: via("s3") },
      { Sid: "Key2KeyThroughS3", Action: ["kms:Decrypt"], Resource: "k2", Condition: via("s3") },
    ]);
  });

  it("ServiceRole.addGrants writes the collected statements as one inline policy, and refuses empty grants", () => {
    const role = new ServiceRole(scope, "worker", { name: "acme-dev-worker", description: "d", service: "ecs-tasks.amazonaws.com" });
    const g = grants();
    expect(() => role.addGrants("empty", g)).toThrow(/empty/);
    queue().grantConsume(g);
    role.addGrants("queues", g);
    const tf = JSON.parse(Testing.synth(scope as TerraformStack)) as {
      resource: Record<string, Record<string, { name: string; policy: string }>>;
    };
    const policies = Object.values(tf.resource.aws_iam_role_policy);
    expect(policies.map((p) => p.name)).toEqual(["queues"]);
    expect(JSON.parse(policies[0].policy).Statement.map((s: PolicyStatement) => s.Sid)).toEqual([
      "ConsumeJobsQueue",
      "MessagingKeyThroughSqs",
    ]);
  });

  it.each([
    ["my-docs", "MyDocs"],
    ["jobs_v2.fifo", "JobsV2Fifo"],
    ["s3", "S3"],
  ])("sidName turns the config name %s into the statement id part %s", (name, part) => {
    expect(sidName(name)).toBe(part);
  });
});

describe("failure destination, master secret and parameter grants", () => {
  it("LambdaFunction.grantFailureDestination: send to its own queue only, the key through SQS only", () => {
    const g = grants();
    LambdaFunction.grantFailureDestination(g, { name: "acme-dev-mailer-dlq", kmsKeyArn: MESSAGING_KEY });
    expect(g.statements()).toEqual([
      { Sid: "FailureQueue", Action: ["sqs:SendMessage"], Resource: "arn:aws:sqs:eu-central-1:123456789012:acme-dev-mailer-dlq" },
      { Sid: "MessagingKeyThroughSqs", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: MESSAGING_KEY, Condition: via("sqs") },
    ]);
    expect(allActions(g.statements())).not.toContain("sqs:ReceiveMessage");
  });

  it("grantFailureDestination with SSE-SQS grants no key; beside a consumer grant the key statement merges", () => {
    const plain = grants();
    LambdaFunction.grantFailureDestination(plain, { name: "acme-dev-mailer-dlq" });
    expect(allActions(plain.statements()).filter((a) => a.startsWith("kms:"))).toEqual([]);
    const g = grants();
    queue().grantConsume(g);
    LambdaFunction.grantFailureDestination(g, { name: "acme-dev-mailer-dlq", kmsKeyArn: MESSAGING_KEY });
    expect(g.statements().map((s) => s.Sid)).toEqual(["ConsumeJobsQueue", "FailureQueue", "MessagingKeyThroughSqs"]);
  });

  const database = {
    identifier: "acme-dev",
    subnetIds: ["a", "b"],
    securityGroupIds: ["sg"],
    kmsKeyArn: DATA_KEY,
    databaseName: "acme",
    masterUsername: "admin",
    monitoringIntervalSeconds: 0,
    dataProtection: { protect: false },
  };
  const rds = (readReplicas = 0) =>
    new RdsInstance(scope, "rds", {
      ...database,
      parameterGroupFamily: "postgres16",
      engine: "postgres",
      engineVersion: "16",
      instanceClass: "db.t4g.medium",
      readReplicas,
    });

  it("AuroraCluster.grantReadMasterSecret: GetSecretValue on the RDS-managed secret, its key through Secrets Manager only", () => {
    const aurora = new AuroraCluster(scope, "aurora", {
      ...database,
      parameterGroupFamily: "aurora-postgresql16",
      engine: "aurora-postgresql",
      engineVersion: "16.4",
      availabilityZones: ["a", "b"],
      serverless: { minCapacity: 0.5, maxCapacity: 1 },
    });
    const g = grants();
    aurora.grantReadMasterSecret(g);
    expect(g.statements()).toEqual([
      { Sid: "ReadMasterSecretAtRunTime", Action: ["secretsmanager:GetSecretValue"], Resource: aurora.masterSecretArn },
      { Sid: "DataKeyThroughSecretsmanager", Action: ["kms:Decrypt"], Resource: DATA_KEY, Condition: via("secretsmanager") },
    ]);
    expect(allActions(g.statements())).not.toContain("secretsmanager:PutSecretValue");
  });

  it("RdsInstance.grantReadMasterSecret: the managed secret; refused with read replicas (RDS manages none)", () => {
    const g = grants();
    const instance = rds();
    instance.grantReadMasterSecret(g);
    expect(g.statements()[0]).toEqual({
      Sid: "ReadMasterSecretAtRunTime",
      Action: ["secretsmanager:GetSecretValue"],
      Resource: instance.masterSecretArn,
    });
    expect(g.statements()[1]).toMatchObject({ Resource: DATA_KEY, Condition: via("secretsmanager") });
    scope = new TerraformStack(Testing.app(), "replicas");
    expect(() => rds(1).grantReadMasterSecret(grants())).toThrow(/does not manage the master secret with read replicas/);
  });

  it("grantReadParameter: GetParameter on that one parameter, the SecureString's key through SSM only", () => {
    const g = grants();
    grantReadParameter(g, "/acme/dev/notification/webhook-url", DATA_KEY);
    expect(g.statements()).toEqual([
      {
        Sid: "ReadWebhookUrlParameter",
        Action: ["ssm:GetParameter"],
        Resource: "arn:aws:ssm:eu-central-1:123456789012:parameter/acme/dev/notification/webhook-url",
      },
      { Sid: "DataKeyThroughSsm", Action: ["kms:Decrypt"], Resource: DATA_KEY, Condition: via("ssm") },
    ]);
    expect(allActions(g.statements())).not.toContain("ssm:GetParametersByPath");
  });

  it("grantReadParameter: a String parameter grants no key; a name that is not a path is refused", () => {
    const g = grants();
    grantReadParameter(g, "/acme/dev/app/port");
    expect(allActions(g.statements())).toEqual(["ssm:GetParameter"]);
    expect(() => grantReadParameter(grants(), "acme/dev/port")).toThrow(/is not a parameter name/);
    expect(() => grantReadParameter(grants(), "/acme/dev/port/")).toThrow(/is not a parameter name/);
  });
});
