/**
 * An AWS Chatbot (Amazon Q Developer in chat applications) Slack channel configuration: SNS topics
 * delivered to one Slack channel, with its channel role and guardrails.
 *
 * - The channel role is trusted by chatbot.amazonaws.com and holds only `roleStatements` (what
 *   Chatbot may read to render notifications, e.g. alarm graphs).
 * - Guardrail policies cap what anyone can do through the channel, whatever the role or the
 *   user's own role allows. Chatbot applies AdministratorAccess when none are given, so they are
 *   required here.
 * - The Slack workspace must have been authorized once in the Chatbot console (an OAuth flow in the
 *   browser; there is no API for it); the configuration refers to it by its id.
 *
 * Chatbot subscribes the channel to each topic itself (an HTTPS subscription owned by the service).
 *
 * Addresses, for a construct id `slack`: aws_iam_role.slack_role, aws_iam_role_policy.slack_role_<policy>,
 * aws_chatbot_slack_channel_configuration.slack.
 */
import { ChatbotSlackChannelConfiguration } from "@cdktf/provider-aws/lib/chatbot-slack-channel-configuration";
import { Construct } from "constructs";
import type { PolicyStatement } from "../core/policy";
import { ServiceRole } from "./service-role";

export interface ChatbotSlackChannelProps {
  /** Configuration name: 1-128 of letters, digits, `-`, `_`. */
  readonly configurationName: string;
  /** Slack workspace (team) id, `T...`, authorized in the Chatbot console. */
  readonly workspaceId: string;
  /** Slack channel id, `C...` (or `G...`). */
  readonly channelId: string;
  /** SNS topics delivered to the channel. */
  readonly topicArns: readonly string[];
  /** Name of the channel role (64 characters at most). */
  readonly roleName: string;
  /** Inline policies of the channel role, by name. @default none (Chatbot then shows notifications without graphs) */
  readonly rolePolicies?: Readonly<Record<string, readonly PolicyStatement[]>>;
  /** Managed policy ARNs capping the channel (at least one). */
  readonly guardrailPolicyArns: readonly string[];
  /** Chatbot's own logging: ERROR, INFO or NONE. @default "ERROR" */
  readonly loggingLevel?: "ERROR" | "INFO" | "NONE";
  /** Require each Slack user to choose their own IAM role before running commands. @default false */
  readonly userAuthorizationRequired?: boolean;
}

export class ChatbotSlackChannel extends Construct {
  readonly configuration: ChatbotSlackChannelConfiguration;
  readonly role: ServiceRole;
  /** The channel configuration ARN. */
  readonly arn: string;

  constructor(scope: Construct, id: string, props: ChatbotSlackChannelProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(props.configurationName)) {
      throw new Error(
        `ChatbotSlackChannel ${id}: invalid configuration name ${JSON.stringify(props.configurationName)} (1-128 of letters, digits, - and _)`,
      );
    }
    if (!/^T[A-Z0-9]+$/.test(props.workspaceId))
      throw new Error(`ChatbotSlackChannel ${id}: ${JSON.stringify(props.workspaceId)} is not a Slack workspace id (T...)`);
    if (!/^[CG][A-Z0-9]+$/.test(props.channelId))
      throw new Error(`ChatbotSlackChannel ${id}: ${JSON.stringify(props.channelId)} is not a Slack channel id (C... or G...)`);
    if (!props.topicArns.length) throw new Error(`ChatbotSlackChannel ${id}: no SNS topic to deliver`);
    if (!props.guardrailPolicyArns.length)
      throw new Error(`ChatbotSlackChannel ${id}: at least one guardrail policy (without one, Chatbot applies AdministratorAccess)`);

    // The trust names the service only, as AWS documents the channel role (no source-account key is documented for Chatbot).
    this.role = new ServiceRole(this, "role", {
      name: props.roleName,
      description: `AWS Chatbot channel role of ${props.configurationName}`,
      service: "chatbot.amazonaws.com",
      policies: props.rolePolicies,
    });

    this.configuration = new ChatbotSlackChannelConfiguration(this, "Resource", {
      configurationName: props.configurationName,
      slackTeamId: props.workspaceId,
      slackChannelId: props.channelId,
      iamRoleArn: this.role.arn,
      snsTopicArns: [...props.topicArns],
      guardrailPolicyArns: [...props.guardrailPolicyArns],
      loggingLevel: props.loggingLevel ?? "ERROR",
      userAuthorizationRequired: props.userAuthorizationRequired ?? false,
    });
    this.arn = this.configuration.chatConfigurationArn;
  }
}
