/**
 * Route 53 alias records (A, and AAAA unless switched off) for several names pointing at one AWS
 * target: a CloudFront distribution, a load balancer, an API Gateway domain.
 *
 * Addresses, for construct id `dns`: `aws_route53_record.dns_<name, snake_case>_a` and `..._aaaa`
 * (named after the record name, so adding a name adds records and renames none).
 */
import { Route53Record } from "@cdktf/provider-aws/lib/route53-record";
import { Construct } from "constructs";

export interface AliasTarget {
  /** DNS name of the target, e.g. `d123.cloudfront.net`. */
  readonly dnsName: string;
  /** Hosted zone id of the target (CloudFront: `Z2FDTNDATAQYW2`, read it from the resource). */
  readonly hostedZoneId: string;
}

export interface AliasRecordsProps {
  /** Record names, fully qualified without the trailing dot. */
  readonly names: readonly string[];
  /** Hosted zone the records are written to. */
  readonly zoneId: string;
  readonly target: AliasTarget;
  /** Also write AAAA records (the target serves IPv6). @default true */
  readonly ipv6?: boolean;
  /** @default false */
  readonly evaluateTargetHealth?: boolean;
}

export class AliasRecords extends Construct {
  readonly records: readonly Route53Record[];

  constructor(scope: Construct, id: string, props: AliasRecordsProps) {
    super(scope, id);
    const types = props.ipv6 === false ? ["A"] : ["A", "AAAA"];
    this.records = props.names.flatMap((name) =>
      types.map(
        (type) =>
          new Route53Record(this, `${name}_${type.toLowerCase()}`, {
            zoneId: props.zoneId,
            name,
            type,
            alias: {
              name: props.target.dnsName,
              zoneId: props.target.hostedZoneId,
              evaluateTargetHealth: props.evaluateTargetHealth ?? false,
            },
          }),
      ),
    );
  }
}
