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
const { load, expectRefused, itRefuses } = fixtureChecks(DIR);

const WORKSPACE_EXPECTED =
  "a Slack workspace (team) id such as T01ABCDEF2G (T, then upper-case letters and digits; the Chatbot console shows it once the workspace is authorized)";
const CHANNEL_EXPECTED =
  "a Slack channel id such as C01ABCDEF2G (C or G, then upper-case letters and digits; in Slack: channel details, at the bottom; not the channel name)";
const EMAIL_EXPECTED = "an e-mail address such as ops@example.com";
const READ_ONLY_EXPECTED =
  "a read-only AWS managed policy such as CloudWatchReadOnlyAccess or ReadOnlyAccess (guardrails cap what anyone may do through the channel, which only shows alarms)";

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

describe("bad input is refused in the kit's format", () => {
  itRefuses([
    [
      "a Slack workspace id that is a name",
      "slack-workspace-format.yaml",
      [4, 5, "workspaceId: acme-corp", `notification.slack.workspaceId: expected ${WORKSPACE_EXPECTED}, found "acme-corp"`],
    ],
    [
      "a Slack channel name instead of its id",
      "slack-channel-name.yaml",
      [5, 5, 'channelId: "#alerts"', `notification.slack.channelId: expected ${CHANNEL_EXPECTED}, found "#alerts"`],
    ],
    [
      "chatbot (the default mode) without the workspace id: located at the slack block",
      "chatbot-no-workspace.yaml",
      [
        4,
        3,
        "slack:",
        `notification.slack.workspaceId: expected ${WORKSPACE_EXPECTED} (slack.mode is chatbot), found nothing (the key is missing)`,
      ],
    ],
    [
      "chatbot without either id: one line each",
      "chatbot-no-ids.yaml",
      [
        3,
        3,
        "slack:",
        `notification.slack.channelId: expected ${CHANNEL_EXPECTED} (slack.mode is chatbot), found nothing (the key is missing)`,
      ],
      [
        3,
        3,
        "slack:",
        `notification.slack.workspaceId: expected ${WORKSPACE_EXPECTED} (slack.mode is chatbot), found nothing (the key is missing)`,
      ],
    ],
    [
      "webhook mode without NAT: the function cannot reach the webhook",
      "webhook-no-nat.yaml",
      [
        6,
        3,
        "nat: none",
        'network.nat: expected per-az or single (notification.slack.mode is webhook: the function posts to the webhook on the internet through NAT), found "none"',
      ],
    ],
    [
      "webhook mode without HTTPS egress to the internet",
      "webhook-no-egress.yaml",
      [
        6,
        5,
        "internetHttps: false",
        "security.egress.internetHttps: expected true (notification.slack.mode is webhook: the function posts to the webhook over HTTPS on the internet), found boolean false",
      ],
    ],
    [
      "invalid e-mail addresses: one line per list item",
      "email-invalid.yaml",
      [6, 9, "not-an-address", `notification.email.addresses[1]: expected ${EMAIL_EXPECTED}, found "not-an-address"`],
      [7, 9, "ops@localhost", `notification.email.addresses[2]: expected ${EMAIL_EXPECTED}, found "ops@localhost"`],
    ],
    [
      "an address listed twice (case-insensitively)",
      "email-duplicate.yaml",
      [7, 9, "ops@example.com", 'notification.email.addresses[2]: expected each e-mail address once, found duplicate "ops@example.com"'],
    ],
    [
      "a paging endpoint over plain http",
      "page-http.yaml",
      [
        4,
        1,
        "notification:",
        'notification.routing.CRITICAL[1]: expected a configured channel (page needs notification.page.endpoints); configured: slack, sms, found "page"',
      ],
      [
        8,
        17,
        '"http://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue"]',
        "notification.page.endpoints[0]: expected an https URL of a paging service's SNS integration, such as https://events.pagerduty.com/integration/<key>/enqueue, " +
          'found "http://events.pagerduty.com/integration/0123456789abcdef0123456789abcdef/enqueue"',
      ],
    ],
    [
      "SMS numbers with one alarm topic (every WARNING would text the phones)",
      "sms-without-severity-topics.yaml",
      [
        5,
        5,
        'numbers: ["+12065550100"]',
        'notification.sms.numbers: expected no SMS numbers unless monitoring.severityTopics is true (with one alarm topic every WARNING would reach them), found a list ["+12065550100"] ' +
          "(set monitoring.severityTopics: true and route the channel in notification.routing)",
      ],
    ],
    [
      "a configured channel that no severity is routed to",
      "routing-email-nowhere.yaml",
      [
        6,
        12,
        "addresses: [oncall@example.com] }",
        'notification.email.addresses: expected a channel notification.routing sends at least one severity to (email is configured but routed nowhere), found a list ["oncall@example.com"] ' +
          "(add email to notification.routing.WARNING, ERROR or CRITICAL, or remove it)",
      ],
    ],
    [
      "one address instead of a list",
      "email-not-list.yaml",
      [4, 5, "addresses: ops@example.com", 'notification.email.addresses: expected a list of e-mail addresses, found "ops@example.com"'],
    ],
    [
      "the monitoring layer disabled while notification is enabled (there would be no alarm topic)",
      "monitoring-disabled.yaml",
      [
        2,
        1,
        "layers:",
        "layers.notification.enabled: expected false when the monitoring layer is disabled (notification delivers the monitoring layer's alarm topic), found the notification layer enabled",
      ],
    ],
    [
      "guardrails that allow writes (AdministratorAccess, any ...FullAccess)",
      "guardrail-write.yaml",
      [
        9,
        11,
        "AdministratorAccess",
        `notification.slack.chatbot.guardrailPolicies[1]: expected ${READ_ONLY_EXPECTED}, found "AdministratorAccess"`,
      ],
      [
        10,
        11,
        "AmazonSNSFullAccess",
        `notification.slack.chatbot.guardrailPolicies[2]: expected ${READ_ONLY_EXPECTED}, found "AmazonSNSFullAccess"`,
      ],
    ],
    [
      "a guardrail given as an ARN",
      "guardrail-arn.yaml",
      [
        7,
        27,
        "arn:aws:iam::aws:policy/ReadOnlyAccess]",
        'notification.slack.chatbot.guardrailPolicies[0]: expected an AWS managed policy name such as CloudWatchReadOnlyAccess (a name, not an ARN), found "arn:aws:iam::aws:policy/ReadOnlyAccess"',
      ],
    ],
    [
      "no guardrail at all (Chatbot would apply AdministratorAccess)",
      "guardrail-none.yaml",
      [
        7,
        7,
        "guardrailPolicies: []",
        "notification.slack.chatbot.guardrailPolicies: expected at least one guardrail policy (without one, Chatbot applies AdministratorAccess), found a list []",
      ],
    ],
    [
      "a mistyped key, with did-you-mean",
      "unknown-key.yaml",
      [
        4,
        5,
        "workspaceID: T01ABCDEF2G",
        'notification.slack.workspaceID: expected a known key (mode, workspaceId, channelId, chatbot, webhook), found unknown key "workspaceID" (did you mean workspaceId?)',
      ],
    ],
    [
      "a mistyped mode, with did-you-mean",
      "bad-mode.yaml",
      [4, 5, "mode: webhok", 'notification.slack.mode: expected one of "chatbot", "webhook", found "webhok" (did you mean webhook?)'],
    ],
    [
      "list entries twice",
      "list-duplicates.yaml",
      [
        6,
        59,
        "UserInitiated]",
        'notification.events.ecsTaskStopped.ignoredStopCodes[2]: expected each entry once, found duplicate "UserInitiated"',
      ],
      [8, 39, "failover]", 'notification.events.rds.categories[2]: expected each entry once, found duplicate "failover"'],
    ],
    [
      "several problems: one line each, in file order",
      "several.yaml",
      [4, 5, "workspaceId: t01abcdef2g", `notification.slack.workspaceId: expected ${WORKSPACE_EXPECTED}, found "t01abcdef2g"`],
      [5, 5, "channelId: alerts", `notification.slack.channelId: expected ${CHANNEL_EXPECTED}, found "alerts"`],
      [7, 17, '"ops at example.com"]', `notification.email.addresses[0]: expected ${EMAIL_EXPECTED}, found "ops at example.com"`],
      [9, 5, 'ecsDeploymentFailed: "yes"', 'notification.events.ecsDeploymentFailed: expected a boolean, found "yes"'],
    ],
  ]);

  it("webhook mode with Slack ids it would never use", () => {
    const expected = "expected no Slack ids with slack.mode webhook (the channel is the one the webhook URL posts to)";
    expectRefused(
      "webhook-with-ids.yaml",
      [
        5,
        5,
        "workspaceId: T01ABCDEF2G",
        `notification.slack.workspaceId: ${expected}, found "T01ABCDEF2G" (remove the key, or set slack.mode: chatbot)`,
      ],
      [
        6,
        5,
        "channelId: C01ABCDEF2G",
        `notification.slack.channelId: ${expected}, found "C01ABCDEF2G" (remove the key, or set slack.mode: chatbot)`,
      ],
    );
  });

  it("the same network without the notification layer is valid (the rules apply while the layer is enabled)", () => {
    expect(load("webhook-no-nat-layer-off.yaml").layers.notification).toEqual({ enabled: false });
  });

  it("phone numbers that are not E.164 (spaces, a national prefix instead of +)", () => {
    const E164 = "expected a phone number in E.164 format: +, country code and number, digits only, such as +12065550100";
    const UNROUTED = (sev: string, i: number) =>
      `notification.routing.${sev}[${i}]: expected a configured channel (sms needs notification.sms.numbers); configured: slack, page, found "sms"`;
    expectRefused(
      "sms-not-e164.yaml",
      [4, 1, "notification:", UNROUTED("CRITICAL", 0)],
      [4, 1, "notification:", UNROUTED("ERROR", 1)],
      [9, 9, '"+1 206 555 0100"', `notification.sms.numbers[0]: ${E164}, found "+1 206 555 0100"`],
      [10, 9, '"0049301234567"', `notification.sms.numbers[1]: ${E164}, found "0049301234567"`],
    );
  });

  it("the default routing names sms and page, which the environment does not configure", () => {
    const problem = (sev: string, i: number, c: string, key: string) =>
      [
        4,
        1,
        "notification:",
        `notification.routing.${sev}[${i}]: expected a configured channel (${c} needs ${key}); configured: slack, found "${c}"`,
      ] as [number, number, string, string];
    expectRefused(
      "routing-unconfigured.yaml",
      problem("CRITICAL", 0, "sms", "notification.sms.numbers"),
      problem("CRITICAL", 1, "page", "notification.page.endpoints"),
      problem("ERROR", 1, "sms", "notification.sms.numbers"),
    );
  });

  it("an unknown channel, a severity routed nowhere, duplicates", () => {
    expectRefused(
      "routing-bad-channel.yaml",
      [7, 22, "teams]", 'notification.routing.WARNING[1]: expected a notification channel: one of slack, email, sms, page, found "teams"'],
      [
        8,
        5,
        "CRITICAL: []",
        "notification.routing.CRITICAL: expected at least one channel (an alarm nobody hears is no alarm), found a list []",
      ],
    );
    expectRefused(
      "routing-duplicate.yaml",
      [6, 36, '"+12065550100"] }', 'notification.sms.numbers[1]: expected each entry once, found duplicate "+12065550100"'],
      [9, 25, "slack]", 'notification.routing.ERROR[2]: expected each channel once, found duplicate "slack"'],
    );
  });

  it("both disabled is valid", () => {
    expect(load("monitoring-disabled-both.yaml").layers).toEqual({ monitoring: { enabled: false }, notification: { enabled: false } });
  });

  it("an unknown RDS event category, and an unknown stop code", () => {
    expectRefused("rds-category.yaml", [
      5,
      30,
      "outage]",
      'notification.events.rds.categories[1]: expected one of "availability", "backtrack", "backup", "configuration change", "creation", "deletion", "failover", "failure", "global-failover", "low storage", "maintenance", "notification", "read replica", "recovery", "restoration", "security", "security patching", "serverless", found "outage"',
    ]);
    expectRefused("stop-code.yaml", [
      6,
      41,
      "ScalingActivity]",
      'notification.events.ecsTaskStopped.ignoredStopCodes[1]: expected one of "TaskFailedToStart", "EssentialContainerExited", "UserInitiated", "ServiceSchedulerInitiated", "SpotInterruption", "TerminationNotice", found "ScalingActivity"',
    ]);
  });
});

describe("deployment outcomes (ECS completed deployments, CodeDeploy blue/green)", () => {
  it("off by default; a rolling and a blue-green service: both kinds get a rule", () => {
    expect(notificationEventKinds(load("events-off.yaml"))).not.toContain("codedeploy-deployment");
    const cfg = load("deployment-outcomes-valid.yaml");
    expect(cfg.notification.events.codeDeploy.states).toEqual(["SUCCESS", "FAILURE", "STOP"]);
    expect(notificationEventKinds(cfg)).toEqual(expect.arrayContaining(["ecs-deployment-completed", "codedeploy-deployment"]));
  });

  itRefuses([
    [
      "CodeDeploy events without a blue-green service (the rule could never fire)",
      "codedeploy-no-blue-green.yaml",
      [
        5,
        7,
        "enabled: true",
        "notification.events.codeDeploy.enabled: expected false, or a service with deployment: blue-green (only blue/green services deploy through CodeDeploy), found true without a blue-green service",
      ],
    ],
    [
      "completed ECS deployments when every service deploys through CodeDeploy",
      "deployment-completed-all-blue-green.yaml",
      [
        6,
        5,
        "ecsDeploymentCompleted: true",
        "notification.events.ecsDeploymentCompleted: expected false when every service deploys blue/green (their outcomes come from CodeDeploy: set events.codeDeploy.enabled), found true without a rolling service",
      ],
    ],
  ]);

  it("an unknown deployment state, and a state twice", () => {
    expectRefused("codedeploy-states.yaml", [
      8,
      25,
      "FAILED]",
      'notification.events.codeDeploy.states[1]: expected a CodeDeploy deployment state: one of START, SUCCESS, FAILURE, STOP, READY, found "FAILED"',
    ]);
    expectRefused("codedeploy-states-twice.yaml", [
      8,
      34,
      "SUCCESS]",
      'notification.events.codeDeploy.states[2]: expected each entry once, found duplicate "SUCCESS"',
    ]);
  });
});
