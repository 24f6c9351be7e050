/**
 * Sending a message with SES: SendEmail (SESv2) with the stored template, the configuration set,
 * and the message tag `template` (the dimension of the configuration set's CloudWatch metrics).
 * SES renders the template; a placeholder without a value would be sent empty, which is why the
 * mailer checks the required data before sending.
 */
import { SendEmailCommand, type SendEmailCommandInput, type SendEmailCommandOutput } from "@aws-sdk/client-sesv2";
import type { MailMessage } from "./message";
import type { Settings } from "./settings";

/** The part of SESv2Client the mailer uses (a fake in the tests). */
export interface SendEmailClient {
  send(command: SendEmailCommand, options?: { abortSignal?: AbortSignal }): Promise<SendEmailCommandOutput>;
}

/** The SendEmail request for a validated message. */
export function sendEmailInput(message: MailMessage, settings: Settings): SendEmailCommandInput {
  return {
    FromEmailAddress: settings.fromAddress,
    Destination: { ToAddresses: [...message.to] },
    ...(message.replyTo.length ? { ReplyToAddresses: [...message.replyTo] } : {}),
    Content: {
      Template: {
        TemplateName: settings.templates[message.template].name,
        TemplateData: JSON.stringify(message.data),
      },
    },
    ConfigurationSetName: settings.configurationSet,
    EmailTags: [{ Name: "template", Value: message.template }],
  };
}

/** Sends the message; returns SES's message id. Errors of SES are thrown as they are. */
export async function sendEmail(client: SendEmailClient, message: MailMessage, settings: Settings, signal?: AbortSignal): Promise<string> {
  const out = await client.send(new SendEmailCommand(sendEmailInput(message, settings)), { abortSignal: signal });
  return out.MessageId ?? "";
}
