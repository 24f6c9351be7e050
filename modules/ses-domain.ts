import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { SesTemplate } from "@cdktf/provider-aws/lib/ses-template";
import { Sesv2ConfigurationSet } from "@cdktf/provider-aws/lib/sesv2-configuration-set";
import { Sesv2ConfigurationSetEventDestination } from "@cdktf/provider-aws/lib/sesv2-configuration-set-event-destination";
import { Sesv2EmailIdentity } from "@cdktf/provider-aws/lib/sesv2-email-identity";
import { Sesv2EmailIdentityMailFromAttributes } from "@cdktf/provider-aws/lib/sesv2-email-identity-mail-from-attributes";
import { Sesv2EmailIdentityPolicy } from "@cdktf/provider-aws/lib/sesv2-email-identity-policy";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import type { Grantee } from "../core/grants";
import { Arns, policyJson, type PolicyStatement } from "../core/policy";

/** Where a configuration set publishes events: an SNS topic or CloudWatch metrics. */
export interface SesEventDestination {
  /** SES event types (BOUNCE, COMPLAINT, ...). */
  readonly types: readonly string[];
  /** Topic ARN; the topic must let ses.amazonaws.com publish (and use its key). */
  readonly topicArn?: string;
  /**
   * CloudWatch metrics with one dimension taken from a message tag. @default none
   */
  readonly cloudwatch?: { readonly dimensionName: string; readonly defaultValue: string };
}

/** An SES template: subject, HTML and optional text, with {{placeholders}}. */
export interface SesTemplateSpec {
  /** Template name (1-64 of a-z A-Z 0-9 _ -). */
  readonly name: string;
  readonly subject: string;
  readonly html: string;
  /** @default none */
  readonly text?: string;
}

export interface SesDomainProps {
  /** The domain identity, e.g. example.com. */
  readonly domain: string;
  /** Region of the identity (the MAIL FROM MX record points at its feedback endpoint). */
  readonly region: string;
  readonly accountId: string;
  /** Custom MAIL FROM domain, a subdomain of `domain` (mail.example.com). */
  readonly mailFromDomain: string;
  /** Configuration set name (64 characters at most); it is the identity's default set. */
  readonly configurationSetName: string;
  /** Deliver only over TLS. @default true */
  readonly tlsRequired?: boolean;
  /** Reputation metrics (bounce and complaint rates) in CloudWatch. @default true */
  readonly reputationMetrics?: boolean;
  /** Reasons that add an address to the suppression list. @default ["BOUNCE", "COMPLAINT"] */
  readonly suppressedReasons?: readonly string[];
  /** Event destinations by name. @default none */
  readonly eventDestinations?: Readonly<Record<string, SesEventDestination>>;
  /** Templates by id (the id is the construct id). @default none */
  readonly templates?: Readonly<Record<string, SesTemplateSpec>>;
  /**
   * Public hosted zone of the domain: the DKIM CNAMEs and the MAIL FROM MX and SPF records are
   * written there. @default none (publish the records yourself; SES lists them)
   */
  readonly hostedZoneId?: string;
  /** Sending authorization policies on the identity, by name (e.g. for Cognito). @default none */
  readonly identityPolicies?: Readonly<Record<string, readonly PolicyStatement[]>>;
}

/**
 * An SES domain identity for sending: Easy DKIM (2048-bit keys SES rotates), a custom MAIL FROM
 * domain (falls back to amazonses.com when its MX is missing), a configuration set as the
 * identity's default (TLS required, reputation metrics, suppression of bounces and complaints)
 * with event destinations, templates, and, with a hosted zone, the DNS records that verify it.
 *
 * Grants (core/grants.ts):
 * - `grantSend(grantee, { sid, fromAddress })`: ses:SendEmail and ses:SendTemplatedEmail on the
 *   identity, the configuration set and every template (SES authorizes a templated send on all
 *   three), optionally only as `fromAddress` (ses:FromAddress); statement id `SendEmail` unless
 *   given. SES encrypts with its own key: there is no key to grant. The ARNs are literals from the
 *   domain and names (`sendArns`).
 *
 * Addresses for an id `ses`: aws_sesv2_email_identity.ses, aws_sesv2_email_identity_mail_from_attributes.ses_mail_from,
 * aws_sesv2_configuration_set.ses_configuration_set, aws_sesv2_configuration_set_event_destination.ses_events_<name>,
 * aws_ses_template.ses_template_<id>, aws_route53_record.ses_dkim_1..3 / ses_mail_from_mx / ses_mail_from_spf.
 */
export class SesDomain extends Construct {
  readonly identity: Sesv2EmailIdentity;
  readonly configurationSet: Sesv2ConfigurationSet;
  readonly identityArn: string;
  readonly configurationSetArn: string;
  readonly configurationSetName: string;
  /** Template ARNs by id. */
  readonly templateArns: Readonly<Record<string, string>>;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: SesDomainProps,
  ) {
    super(scope, id);
    if (!props.mailFromDomain.endsWith(`.${props.domain}`))
      throw new Error(`SesDomain ${id}: mailFromDomain ${props.mailFromDomain} is not a subdomain of ${props.domain}`);
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(props.configurationSetName))
      throw new Error(`SesDomain ${id}: invalid configuration set name ${JSON.stringify(props.configurationSetName)}`);
    const arns = new Arns(props.region, props.accountId);

    this.configurationSet = new Sesv2ConfigurationSet(this, "configuration-set", {
      configurationSetName: props.configurationSetName,
      deliveryOptions: { tlsPolicy: props.tlsRequired === false ? "OPTIONAL" : "REQUIRE" },
      reputationOptions: { reputationMetricsEnabled: props.reputationMetrics ?? true },
      suppressionOptions: { suppressedReasons: [...(props.suppressedReasons ?? ["BOUNCE", "COMPLAINT"])] },
      sendingOptions: { sendingEnabled: true },
    });
    this.configurationSetName = this.configurationSet.configurationSetName;
    this.configurationSetArn = this.configurationSet.arn;

    this.identity = new Sesv2EmailIdentity(this, "Resource", {
      emailIdentity: props.domain,
      configurationSetName: this.configurationSet.configurationSetName,
      dkimSigningAttributes: { nextSigningKeyLength: "RSA_2048_BIT" },
    });
    this.identityArn = this.identity.arn;

    new Sesv2EmailIdentityMailFromAttributes(this, "mail-from", {
      emailIdentity: this.identity.emailIdentity,
      mailFromDomain: props.mailFromDomain,
      behaviorOnMxFailure: "USE_DEFAULT_VALUE",
    });

    for (const [name, dest] of Object.entries(props.eventDestinations ?? {})) {
      if (!!dest.topicArn === !!dest.cloudwatch)
        throw new Error(`SesDomain ${id}: event destination ${name} needs exactly one of topicArn, cloudwatch`);
      new Sesv2ConfigurationSetEventDestination(this, `events-${name}`, {
        configurationSetName: this.configurationSet.configurationSetName,
        eventDestinationName: name,
        eventDestination: {
          enabled: true,
          matchingEventTypes: [...dest.types],
          snsDestination: dest.topicArn ? { topicArn: dest.topicArn } : undefined,
          cloudWatchDestination: dest.cloudwatch
            ? {
                dimensionConfiguration: [
                  {
                    dimensionName: dest.cloudwatch.dimensionName,
                    dimensionValueSource: "MESSAGE_TAG",
                    defaultDimensionValue: dest.cloudwatch.defaultValue,
                  },
                ],
              }
            : undefined,
        },
      });
    }

    const templateArns: Record<string, string> = {};
    for (const [key, t] of Object.entries(props.templates ?? {})) {
      if (!/^[a-zA-Z0-9_-]{1,64}$/.test(t.name)) throw new Error(`SesDomain ${id}: invalid template name ${JSON.stringify(t.name)}`);
      new SesTemplate(this, `template-${key}`, { name: t.name, subject: t.subject, html: t.html, text: t.text });
      templateArns[key] = arns.arn("ses", `template/${t.name}`);
    }
    this.templateArns = templateArns;

    for (const [name, statements] of Object.entries(props.identityPolicies ?? {})) {
      new Sesv2EmailIdentityPolicy(this, `policy-${name}`, {
        emailIdentity: this.identity.emailIdentity,
        policyName: name,
        policy: policyJson(statements),
      });
    }

    if (props.hostedZoneId) {
      const tokens = this.identity.dkimSigningAttributes.tokens;
      // Easy DKIM always gives three tokens: one CNAME each (a fixed count, so the addresses are stable).
      for (const i of [0, 1, 2]) {
        const token = Fn.element(tokens, i) as string;
        new Route53Record(this, `dkim-${i + 1}`, {
          zoneId: props.hostedZoneId,
          name: `${token}._domainkey.${props.domain}`,
          type: "CNAME",
          ttl: 1800,
          records: [`${token}.dkim.amazonses.com`],
        });
      }
      new Route53Record(this, "mail-from-mx", {
        zoneId: props.hostedZoneId,
        name: props.mailFromDomain,
        type: "MX",
        ttl: 1800,
        records: [`10 feedback-smtp.${props.region}.amazonses.com`],
      });
      new Route53Record(this, "mail-from-spf", {
        zoneId: props.hostedZoneId,
        name: props.mailFromDomain,
        type: "TXT",
        ttl: 1800,
        records: ["v=spf1 include:amazonses.com ~all"],
      });
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Grants

  /** The actions of a (templated) send. */
  static readonly SEND_ACTIONS = ["ses:SendEmail", "ses:SendTemplatedEmail"] as const;

  /** What a send is authorized on: the identity, the configuration set and the templates (literal ARNs, in template order). */
  get sendArns(): string[] {
    const arns = new Arns(this.props.region, this.props.accountId);
    return [
      arns.arn("ses", `identity/${this.props.domain}`),
      arns.arn("ses", `configuration-set/${this.props.configurationSetName}`),
      ...Object.values(this.props.templates ?? {}).map((t) => arns.arn("ses", `template/${t.name}`)),
    ];
  }

  /** Send (templated) e-mail through this identity and its configuration set, optionally only as `fromAddress`. */
  grantSend(grantee: Grantee, opts: { readonly sid?: string; readonly fromAddress?: string } = {}): void {
    grantee.addStatement({
      Sid: opts.sid ?? "SendEmail",
      Action: [...SesDomain.SEND_ACTIONS],
      Resource: this.sendArns,
      ...(opts.fromAddress ? { Condition: { StringEquals: { "ses:FromAddress": opts.fromAddress } } } : {}),
    });
  }
}
