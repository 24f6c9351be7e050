/**
 * An ACM certificate validated by DNS in a Route 53 hosted zone: the certificate, one validation
 * record per name, and the validation that waits until ACM has issued it.
 *
 * The names are known when synthesizing, so each validation record is its own resource named
 * after its domain (no `for_each` over `domain_validation_options`, whose keys Terraform would
 * need before the certificate exists): its name, type and value are picked from the set with a
 * `for` expression filtered by domain name. Adding an alias adds a record and renames none.
 *
 * Addresses, for construct id `certificate`: `aws_acm_certificate.certificate`,
 * `aws_route53_record.certificate_validation_record_<domain, snake_case>`,
 * `aws_acm_certificate_validation.certificate_validation`.
 */
import { AcmCertificate } from "@cdktf/provider-aws/lib/acm-certificate";
import { AcmCertificateValidation } from "@cdktf/provider-aws/lib/acm-certificate-validation";
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Fn, TerraformIterator, Token, type TerraformProvider } from "cdktf";
import { Construct } from "constructs";

export interface DnsValidatedCertificateProps {
  /** The certificate's main name. */
  readonly domainName: string;
  /** More names on the certificate. @default none */
  readonly subjectAlternativeNames?: readonly string[];
  /** Public hosted zone the validation records are written to (it must hold every name). */
  readonly hostedZoneId: string;
  /**
   * Provider of the certificate and its validation, e.g. one for us-east-1 (certificates for
   * CloudFront). The records use the stack's default provider (Route 53 is global).
   * @default the stack's default aws provider
   */
  readonly provider?: TerraformProvider;
  /** TTL of the validation records, seconds. @default 300 */
  readonly recordTtl?: number;
  /** How long Terraform waits for ACM to issue the certificate. @default "45m" */
  readonly validationTimeout?: string;
}

export class DnsValidatedCertificate extends Construct {
  readonly certificate: AcmCertificate;
  readonly validation: AcmCertificateValidation;
  readonly records: readonly Route53Record[];
  /**
   * The certificate's ARN, read from the validation: whatever uses it waits until the certificate
   * is issued.
   */
  readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: DnsValidatedCertificateProps) {
    super(scope, id);
    const names = [props.domainName, ...(props.subjectAlternativeNames ?? [])];
    const dupes = names.filter((n, i) => names.indexOf(n) !== i);
    if (dupes.length) throw new Error(`DnsValidatedCertificate ${id}: ${dupes.join(", ")} listed twice`);

    this.certificate = new AcmCertificate(this, "Resource", {
      provider: props.provider,
      domainName: props.domainName,
      subjectAlternativeNames: props.subjectAlternativeNames?.length ? [...props.subjectAlternativeNames] : undefined,
      validationMethod: "DNS",
      keyAlgorithm: "RSA_2048",
      // A change of names creates the new certificate before the old one is released.
      lifecycle: { createBeforeDestroy: true },
    });

    const options = TerraformIterator.fromList(this.certificate.domainValidationOptions);
    const pick = (name: string, attribute: string): string =>
      Token.asString(Fn.one(options.forExpressionForList(`val.${attribute} if val.domain_name == "${name}"`)));

    this.records = names.map(
      (name) =>
        new Route53Record(this, `validation_record_${name}`, {
          zoneId: props.hostedZoneId,
          name: pick(name, "resource_record_name"),
          type: pick(name, "resource_record_type"),
          records: [pick(name, "resource_record_value")],
          ttl: props.recordTtl ?? 300,
          // Re-validating a name whose record already exists (a certificate replaced) takes it over.
          allowOverwrite: true,
        }),
    );

    this.validation = new AcmCertificateValidation(this, "validation", {
      provider: props.provider,
      certificateArn: this.certificate.arn,
      validationRecordFqdns: this.records.map((r) => r.fqdn),
      timeouts: { create: props.validationTimeout ?? "45m" },
    });
    this.certificateArn = this.validation.certificateArn;
  }
}
