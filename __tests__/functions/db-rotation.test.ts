/**
 * The master secret rotation function of RDS instances with read replicas (functions/db-rotation)
 * against a fake Secrets Manager and a fake RDS: the four steps in order produce a new AWSCURRENT
 * version whose password RDS was told to set; every step is idempotent (Secrets Manager retries
 * steps); the very first rotation of a secret with no value works; a password change RDS has not
 * applied fails testSecret (the old version stays current); bad events and settings are refused;
 * no error or log line carries the password.
 */
import {
  createHandler,
  ENV,
  loadSettings,
  parseEvent,
  RotationError,
  secretJson,
  type RotationDeps,
  type RotationSettings,
} from "../../functions/db-rotation/src/handler";

const SECRET = "arn:aws:secretsmanager:us-west-2:444455556666:secret:bsuite-prod-master-AbCdEf";
const SETTINGS: RotationSettings = {
  engine: "mysql",
  host: "bsuite-prod.c0abc.us-west-2.rds.amazonaws.com",
  port: 3306,
  database: "bsuite",
  username: "bsuite_admin",
  instance: "bsuite-prod",
};

/** A Secrets Manager + RDS fake that keeps versions, stages and the instance's password. */
function fakeAws(opts: { pendingChecks?: number; initial?: string } = {}) {
  const values = new Map<string, string>();
  const stages = new Map<string, string[]>();
  if (opts.initial) {
    values.set("v0", opts.initial);
    stages.set("v0", ["AWSCURRENT"]);
  }
  let passwords = 0;
  let dbPassword: string | undefined;
  let pendingChecks = opts.pendingChecks ?? 0;
  const calls: string[] = [];
  const lines: string[] = [];
  const deps: RotationDeps = {
    settings: () => SETTINGS,
    describeSecret: async () => ({ rotationEnabled: true, versions: Object.fromEntries(stages) }),
    secretValue: async (_id, version, stage) => ((stages.get(version) ?? []).includes(stage) ? values.get(version) : undefined),
    randomPassword: async () => `Rand0mPassw0rd${++passwords}`,
    putPending: async (_id, version, text) => {
      calls.push(`put ${version}`);
      values.set(version, text);
    },
    moveCurrent: async (_id, version, from) => {
      calls.push(`current ${version} from ${from ?? "none"}`);
      if (from) stages.set(from, ["AWSPREVIOUS"]);
      stages.set(version, ["AWSCURRENT"]);
    },
    setMasterPassword: async (instance, password) => {
      calls.push(`modify ${instance}`);
      dbPassword = password;
    },
    passwordChangePending: async () => pendingChecks-- > 0,
    sleep: async () => undefined,
    testAttempts: 3,
    sink: (line) => void lines.push(line),
  };
  /** What RotateSecret does before it invokes the function: a new version labelled AWSPENDING. */
  const startRotation = (token: string) => stages.set(token, ["AWSPENDING"]);
  const current = () => [...stages].find(([, s]) => s.includes("AWSCURRENT"))?.[0];
  return { deps, calls, lines, values, startRotation, current, dbPassword: () => dbPassword };
}

const event = (step: string, token = "t1") => ({ SecretId: SECRET, ClientRequestToken: token, Step: step });
const STEPS = ["createSecret", "setSecret", "testSecret", "finishSecret"];

describe("rotation of a kit-managed master secret", () => {
  it("the first rotation of a secret with no value: a new password, set through RDS, made current", async () => {
    const aws = fakeAws();
    const handler = createHandler(aws.deps);
    aws.startRotation("t1");
    for (const step of STEPS) await expect(handler(event(step))).resolves.toEqual({ step, done: true });
    expect(aws.calls).toEqual(["put t1", "modify bsuite-prod", "current t1 from none"]);
    expect(aws.current()).toBe("t1");
    const secret = JSON.parse(aws.values.get("t1")!);
    // The JSON RDS's own managed secrets carry (username, password) plus the connection settings.
    expect(secret).toEqual({ ...JSON.parse(secretJson(SETTINGS, "Rand0mPassw0rd1")) });
    expect(secret.password).toBe(aws.dbPassword());
  });

  it("a later rotation moves AWSCURRENT from the old version, which becomes AWSPREVIOUS", async () => {
    const aws = fakeAws({ initial: secretJson(SETTINGS, "old") });
    const handler = createHandler(aws.deps);
    aws.startRotation("t2");
    for (const step of STEPS) await handler(event(step, "t2"));
    expect(aws.calls).toContain("current t2 from v0");
    expect(aws.current()).toBe("t2");
    expect(aws.dbPassword()).toBe("Rand0mPassw0rd1");
  });

  it("each step can be repeated (Secrets Manager retries): one password, no second put", async () => {
    const aws = fakeAws();
    const handler = createHandler(aws.deps);
    aws.startRotation("t1");
    await handler(event("createSecret"));
    await handler(event("createSecret"));
    await handler(event("setSecret"));
    await handler(event("setSecret"));
    expect(aws.calls).toEqual(["put t1", "modify bsuite-prod", "modify bsuite-prod"]);
    expect(aws.dbPassword()).toBe("Rand0mPassw0rd1");
    // A version already current: every step is a no-op.
    await handler(event("testSecret"));
    await handler(event("finishSecret"));
    await handler(event("finishSecret"));
    expect(aws.calls.filter((c) => c.startsWith("current"))).toHaveLength(1);
  });

  it("waits while RDS applies the password, and fails testSecret when it never does (the old version stays current)", async () => {
    const slow = fakeAws({ pendingChecks: 2, initial: secretJson(SETTINGS, "old") });
    slow.startRotation("t1");
    const handler = createHandler(slow.deps);
    for (const step of STEPS) await handler(event(step));
    expect(slow.current()).toBe("t1");

    const stuck = fakeAws({ pendingChecks: 99, initial: secretJson(SETTINGS, "old") });
    stuck.startRotation("t1");
    const failing = createHandler(stuck.deps);
    await failing(event("createSecret"));
    await failing(event("setSecret"));
    await expect(failing(event("testSecret"))).rejects.toThrow("the master password change of bsuite-prod is still pending after 3 checks");
    expect(stuck.current()).toBe("v0");
    // No line and no error names the password.
    expect(stuck.lines.join("")).not.toContain("Rand0mPassw0rd");
  });

  it("refuses versions that are not pending, secrets without rotation, and steps out of order", async () => {
    const aws = fakeAws();
    const handler = createHandler(aws.deps);
    await expect(handler(event("createSecret", "nope"))).rejects.toThrow("version nope is not a version of the secret");
    aws.startRotation("t1");
    await expect(handler(event("setSecret"))).rejects.toThrow("version t1 has no AWSPENDING value (createSecret did not run)");
    const off = createHandler({ ...aws.deps, describeSecret: async () => ({ rotationEnabled: false, versions: {} }) });
    await expect(off(event("createSecret"))).rejects.toBeInstanceOf(RotationError);
  });

  it("waits for the first rotation to give the secret a current value (Terraform invokes it before anything reads the secret)", async () => {
    const aws = fakeAws();
    aws.startRotation("t1");
    const handler = createHandler(aws.deps);
    await expect(handler({ WaitForCurrent: true, SecretId: SECRET })).rejects.toThrow("the secret has no current value after 3 checks");
    for (const step of STEPS) await handler(event(step));
    await expect(handler({ WaitForCurrent: true, SecretId: SECRET })).resolves.toEqual({ step: "waitForCurrent", done: true });
  });

  it("checks the event and the settings", () => {
    expect(() => parseEvent({ SecretId: SECRET, ClientRequestToken: "t", Step: "dropTable" })).toThrow(
      "Step must be one of createSecret, setSecret, testSecret, finishSecret",
    );
    expect(() => parseEvent({ ClientRequestToken: "t", Step: "setSecret" })).toThrow("SecretId is missing");
    const env = {
      [ENV.engine]: "mysql",
      [ENV.host]: "h",
      [ENV.port]: "3306",
      [ENV.database]: "d",
      [ENV.username]: "u",
      [ENV.instance]: "i",
    };
    expect(loadSettings(env)).toEqual({ engine: "mysql", host: "h", port: 3306, database: "d", username: "u", instance: "i" });
    expect(() => loadSettings({ ...env, [ENV.instance]: " " })).toThrow("DB_INSTANCE_IDENTIFIER is not set");
    expect(() => loadSettings({ ...env, [ENV.port]: "0" })).toThrow("DB_PORT must be a port number");
  });
});
