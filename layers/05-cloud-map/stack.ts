/**
 * Layer 05 cloud-map: service discovery by DNS, replacing Eureka.
 *
 * A private DNS namespace (cloudMap.namespace, default <project>.local) in the VPC of layer 01,
 * and one discovery service per application service (`services` keys) with A and SRV records
 * (cloudMap.ttl), MULTIVALUE routing and health reported by ECS. Layer 07 registers each ECS
 * service in its discovery service; clients then call `http://<service>.<namespace>:<port>`.
 *
 * Addresses: `aws_service_discovery_private_dns_namespace.discovery` and
 * `aws_service_discovery_service.discovery_<service>`: named by service, so adding a service
 * renames nothing.
 */
import type { Construct } from "constructs";
import type { PlatformConfig } from "../../core/config/types";
import { namespaceName } from "./config";
import { LayerStack } from "../../core/layer-stack";
import { ServiceDiscovery } from "../../modules/service-discovery";

export class CloudMapStack extends LayerStack<"cloud-map"> {
  constructor(scope: Construct, config: PlatformConfig) {
    super(scope, "cloud-map", config);
    // The namespace lives in layer 01's VPC: without it there is nothing to attach it to.
    this.requireLayer("network", "the namespace is created in its VPC");
    const discovery = new ServiceDiscovery(this, "discovery", {
      namespaceName: namespaceName(config),
      vpcId: this.read("network", "vpc_id"),
      description: `Service discovery of ${this.naming.prefix} (replaces Eureka)`,
      services: Object.keys(config.services),
      ttl: config.cloudMap.ttl,
      recordTypes: ["A", "SRV"],
    });

    const each = (pick: (s: (typeof discovery.services)[string]) => string) =>
      Object.fromEntries(Object.entries(discovery.services).map(([name, s]) => [name, pick(s)]));
    this.publish({
      namespace_id: discovery.namespace.id,
      namespace_name: discovery.namespace.name,
      namespace_arn: discovery.namespace.arn,
      service_ids: each((s) => s.id),
      service_arns: each((s) => s.arn),
    });
  }
}
