import { ServiceDiscoveryPrivateDnsNamespace } from "@cdktf/provider-aws/lib/service-discovery-private-dns-namespace";
import { ServiceDiscoveryService } from "@cdktf/provider-aws/lib/service-discovery-service";
import { Construct } from "constructs";

/** Lower-case DNS labels joined by dots, two labels at least, 253 characters at most. */
const NAMESPACE_RE = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;
/** One lower-case DNS label. */
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
/** TTL range Cloud Map accepts. */
const TTL_MAX = 2_147_483_647;

export type DiscoveryRecordType = "A" | "AAAA" | "SRV";

export interface ServiceDiscoveryProps {
  /** Name of the private DNS namespace (`petclinic.local`); a Route 53 private hosted zone of that name is created in the VPC. */
  readonly namespaceName: string;
  /** VPC the namespace resolves in (it needs DNS support and DNS host names). */
  readonly vpcId: string;
  /** @default "Service discovery namespace <namespaceName>" */
  readonly description?: string;
  /**
   * Discovery services by name: each is reached at `<name>.<namespaceName>`. The name is the
   * construct id (address `<id>_<name>`), so adding a service renames none.
   */
  readonly services: readonly string[];
  /** TTL in seconds of every record. @default 10 */
  readonly ttl?: number;
  /**
   * Records registered per task. SRV needs the ECS service registry's container name and port.
   * @default ["A", "SRV"]
   */
  readonly recordTypes?: readonly DiscoveryRecordType[];
}

/**
 * A private DNS namespace and one discovery service per name, for ECS service discovery (a
 * replacement for Eureka): MULTIVALUE routing (every healthy task answers, up to eight per query),
 * and health from ECS (custom health checks), so stopped or unhealthy tasks leave DNS.
 * The namespace is the construct's main resource (address `<id>`).
 */
export class ServiceDiscovery extends Construct {
  readonly namespace: ServiceDiscoveryPrivateDnsNamespace;
  /** Discovery services by name. */
  readonly services: Readonly<Record<string, ServiceDiscoveryService>>;

  constructor(scope: Construct, id: string, props: ServiceDiscoveryProps) {
    super(scope, id);
    if (!NAMESPACE_RE.test(props.namespaceName)) {
      throw new Error(
        `ServiceDiscovery ${id}: namespace ${JSON.stringify(props.namespaceName)} is not a lower-case DNS name of two or more labels`,
      );
    }
    const ttl = props.ttl ?? 10;
    if (!Number.isInteger(ttl) || ttl < 0 || ttl > TTL_MAX)
      throw new Error(`ServiceDiscovery ${id}: ttl ${ttl} is not a whole number of seconds from 0 to ${TTL_MAX}`);
    const recordTypes = props.recordTypes ?? ["A", "SRV"];
    if (!recordTypes.length || new Set(recordTypes).size !== recordTypes.length) {
      throw new Error(`ServiceDiscovery ${id}: recordTypes ${JSON.stringify(recordTypes)} must list each type once, at least one`);
    }
    const seen = new Set<string>();
    for (const name of props.services) {
      if (!LABEL_RE.test(name)) throw new Error(`ServiceDiscovery ${id}: service ${JSON.stringify(name)} is not a lower-case DNS label`);
      if (seen.has(name)) throw new Error(`ServiceDiscovery ${id}: service ${JSON.stringify(name)} is listed twice`);
      if (name.length + 1 + props.namespaceName.length > 253)
        throw new Error(`ServiceDiscovery ${id}: ${name}.${props.namespaceName} is longer than 253 characters`);
      seen.add(name);
    }

    this.namespace = new ServiceDiscoveryPrivateDnsNamespace(this, "Resource", {
      name: props.namespaceName,
      vpc: props.vpcId,
      description: props.description ?? `Service discovery namespace ${props.namespaceName}`,
    });
    this.services = Object.fromEntries(
      props.services.map((name) => [
        name,
        new ServiceDiscoveryService(this, name, {
          name,
          description: `${name}.${props.namespaceName}`,
          dnsConfig: {
            namespaceId: this.namespace.id,
            routingPolicy: "MULTIVALUE",
            dnsRecords: recordTypes.map((type) => ({ type, ttl })),
          },
          // ECS reports task health; Cloud Map acts on the first report.
          healthCheckCustomConfig: { failureThreshold: 1 },
        }),
      ]),
    );
  }
}
