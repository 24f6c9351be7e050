/**
 * The `notification` section (layer 12): defaults per tier, the PetClinic settings, which channels
 * and event rules follow from a config, and bad input refused in the kit's format, one line per
 * problem:
 *   file:line:col key.path: expected ..., found ... (did you mean X?)
 * Fixtures are in __tests__/fixtures/config/notification/ and extend ../_base.yaml (a valid dev
 * environment), each changing one thing. Only this section's problems are checked here.
 */
import { fixtureChecks } from "./config-fixtures";
import {
  EMAIL_RE,
  notificationChannels,
  notificationRouting,
  notificationEventKinds,
  SLACK_CHANNEL_ID_RE,
  SLACK_WORKSPACE_ID_RE,
} from "../layers/12-notification/config";
import { TIER_PRESETS } from "../core/config/tiers";
import { notificationContract } from "../layers/12-notification/contract";
import { env, ENVIRONMENTS } from "./helpers";

/** Fixture directory as the loader displays it (relative to the working directory). */
const DIR = "__tests__/fixtures/config/notification";
const { load, itRefusesFixtures } = fixtureChecks(DIR);

describe("defaults and the PetClinic environments", () => {
  it.each(ENVIRONMENTS)("%s: Slack through Chatbot on its own channel, read-only guardrails, events by tier", (name) => {
    const { notification, tier } = env(name);
    expect(notification.slack).toMatchObject({
      mode: "chatbot",
      workspaceId: "T01PETCLINIC",
      channelId: { dev: "C01PETDEV01", staging: "C01PETSTG01", prod: "C01PETPRD01" }[tier],
      chatbot: { guardrailPolicies: ["CloudWatchReadOnlyAccess"], loggingLevel: "ERROR" },
    });
    expect(notification.email.addresses).toEqual(tier === "prod" ? ["oncall@petclinic.example.com"] : []);
    expect(notification.events).toEqual({
      ecsDeploymentFailed: true,
      // Crash loops while developing are expected: dev does not report stopped tasks.
      ecsTaskStopped: { enabled: tier !== "dev", ignoredStopCodes: ["UserInitiated"] },
      // Deployment outcomes are opt-in (the business suite switches CodeDeploy's on).
      ecsDeploymentCompleted: false,
      codeDeploy: { enabled: false, states: ["SUCCESS", "FAILURE", "STOP"] },
      rds: { enabled: true, categories: ["availability", "failover", "failure", "low storage", "maintenance", "recovery"] },
    });
  });

  it("the tier presets set only whether stopped tasks are reported", () => {
    expect(TIER_PRESETS.dev.notification).toEqual({ events: { ecsTaskStopped: { enabled: false } } });
    expect(TIER_PRESETS.staging.notification).toEqual({ events: { ecsTaskStopped: { enabled: true } } });
    expect(TIER_PRESETS.prod.notification).toEqual({ events: { ecsTaskStopped: { enabled: true } } });
  });

  it("without a notification block: no Slack, no e-mail, the events on (stopped tasks by tier)", () => {
    const cfg = load("monitoring-disabled-both.yaml");
    expect(cfg.notification).toEqual({
      email: { addresses: [] },
      sms: { numbers: [] },
      page: { endpoints: [], autoConfirms: true },
      // The default routing (used only with monitoring.severityTopics).
      routing: { WARNING: ["slack"], ERROR: ["slack", "sms"], CRITICAL: ["sms", "page"] },
      events: {
        ecsDeploymentFailed: true,
        ecsTaskStopped: { enabled: false, ignoredStopCodes: ["UserInitiated"] },
        ecsDeploymentCompleted: false,
        codeDeploy: { enabled: false, states: ["SUCCESS", "FAILURE", "STOP"] },
        rds: { enabled: true, categories: ["availability", "failover", "failure", "low storage", "maintenance", "recovery"] },
      },
    });
  });

  it("webhook mode with its options (Teams format, cache) and mixed-case e-mail addresses", () => {
    const { slack, email } = load("webhook-valid.yaml").notification;
    expect(slack).toEqual({
      mode: "webhook",
      chatbot: { guardrailPolicies: ["CloudWatchReadOnlyAccess"], loggingLevel: "ERROR" },
      webhook: { format: "teams", memoryMb: 128, timeoutSeconds: 10, urlCacheSeconds: 600, logLevel: "INFO" },
    });
    expect(email.addresses).toEqual(["ops@example.com", "Oncall+Platform@Mail.Example.co.uk"]);
  });
});

describe("channels and event rules that follow from a config (shared by the layer and the contract mocks)", () => {
  it("severity routing: each severity's channels with severityTopics; without, every channel hears every severity", () => {
    const cfg = load("routing-valid.yaml");
    expect(notificationChannels(cfg)).toEqual(["slack", "email", "sms", "page"]);
    expect(cfg.notification.page.autoConfirms).toBe(false);
    expect(notificationRouting(cfg)).toEqual({ WARNING: ["slack"], ERROR: ["slack", "email", "sms"], CRITICAL: ["email", "sms", "page"] });
    expect(notificationContract.routing.mock(cfg)).toEqual({ WARNING: "slack", ERROR: "slack,email,sms", CRITICAL: "email,sms,page" });
    // The numbers are personal data and the URL carries a key: the contract says how many, not which.
    expect(notificationContract.channels.mock(cfg)).toMatchObject({ sms: "2 number(s)", page: "1 endpoint(s)" });
    const prod = env("prod");
    expect(notificationRouting(prod)).toEqual({ WARNING: ["slack", "email"], ERROR: ["slack", "email"], CRITICAL: ["slack", "email"] });
  });

  it.each(ENVIRONMENTS)("%s: slack everywhere, email in prod; deployment failures and RDS events, stopped tasks outside dev", (name) => {
    const cfg = env(name);
    expect(notificationChannels(cfg)).toEqual(cfg.tier === "prod" ? ["slack", "email"] : ["slack"]);
    expect(notificationEventKinds(cfg)).toEqual(
      cfg.tier === "dev" ? ["ecs-deployment-failed", "rds-event"] : ["ecs-deployment-failed", "ecs-task-stopped", "rds-event"],
    );
  });

  it("a kind whose layer is disabled has no rule; neither has a kind switched off", () => {
    expect(notificationEventKinds(load("no-application.yaml"))).toEqual(["rds-event"]);
    expect(notificationEventKinds(load("no-database.yaml"))).toEqual(["ecs-deployment-failed", "ecs-task-stopped"]);
    expect(notificationEventKinds(load("events-off.yaml"))).toEqual([]);
    expect(notificationChannels(load("events-off.yaml"))).toEqual([]);
  });

  it("the contract mocks have the keys the layer publishes", () => {
    /** The ARN of each kind's rule: <prefix>-<kind> in us-west-2 of the account. */
    const ruleArns = (account: string, prefix: string, kinds: string[]) =>
      Object.fromEntries(kinds.map((kind) => [kind, `arn:aws:events:us-west-2:${account}:rule/${prefix}-${kind}`]));
    const prod = env("prod");
    expect(notificationContract.channels.mock(prod)).toEqual({
      slack: "arn:aws:chatbot::333333333333:chat-configuration/slack-channel/petclinic-prod-alarms",
      email: "oncall@petclinic.example.com",
    });
    expect(notificationContract.event_rule_arns.mock(prod)).toEqual(
      ruleArns("333333333333", "petclinic-prod", ["ecs-deployment-failed", "ecs-task-stopped", "rds-event"]),
    );
    const webhook = load("webhook-valid.yaml");
    expect(notificationContract.channels.mock(webhook)).toEqual({
      slack: "arn:aws:lambda:us-west-2:111111111111:function:petclinic-dev-notification-webhook",
      email: "ops@example.com,Oncall+Platform@Mail.Example.co.uk",
    });
    expect(notificationContract.event_rule_arns.mock(webhook)).toEqual(
      ruleArns("111111111111", "petclinic-dev", ["ecs-deployment-failed", "rds-event"]),
    );
  });
});

describe("accepted shapes", () => {
  it.each(["T01ABCDEF2G", "T024BE7LD", "TABCDEF12345678"])("workspace id %s", (id) => expect(id).toMatch(SLACK_WORKSPACE_ID_RE));
  it.each(["acme", "t01abcdef2g", "C01ABCDEF2G", "T01", "T01ABC-DEF"])("not a workspace id: %s", (id) =>
    expect(id).not.toMatch(SLACK_WORKSPACE_ID_RE),
  );
  it.each(["C01ABCDEF2G", "C024BE91L", "G0123ABCD"])("channel id %s", (id) => expect(id).toMatch(SLACK_CHANNEL_ID_RE));
  it.each(["#alerts", "alerts", "c01abcdef2g", "D01ABCDEF2G", "U01ABCDEF2G"])("not a channel id: %s", (id) =>
    expect(id).not.toMatch(SLACK_CHANNEL_ID_RE),
  );
  it.each(["ops@example.com", "first.last+tag@mail.example.co.uk", "o'brien@example.ie"])("e-mail %s", (a) => expect(a).toMatch(EMAIL_RE));
  it.each(["ops", "ops@localhost", "ops@@example.com", "ops @example.com", "@example.com", "ops@-example.com"])("not an e-mail: %s", (a) =>
    expect(a).not.toMatch(EMAIL_RE),
  );
});

describe("the rules apply while the layer is enabled", () => {
  it("the same network without the notification layer is valid (the rules apply while the layer is enabled)", () => {
    expect(load("webhook-no-nat-layer-off.yaml").layers.notification).toEqual({ enabled: false });
  });

  it("both disabled is valid", () => {
    expect(load("monitoring-disabled-both.yaml").layers).toEqual({ monitoring: { enabled: false }, notification: { enabled: false } });
  });
});

describe("deployment outcomes (ECS completed deployments, CodeDeploy blue/green)", () => {
  it("off by default; a rolling and a blue-green service: both kinds get a rule", () => {
    expect(notificationEventKinds(load("events-off.yaml"))).not.toContain("codedeploy-deployment");
    const cfg = load("deployment-outcomes-valid.yaml");
    expect(cfg.notification.events.codeDeploy.states).toEqual(["SUCCESS", "FAILURE", "STOP"]);
    expect(notificationEventKinds(cfg)).toEqual(expect.arrayContaining(["ecs-deployment-completed", "codedeploy-deployment"]));
  });
});

describe("bad input: each fixture's header names the test and the problems it is refused with", () => {
  itRefusesFixtures();
});
