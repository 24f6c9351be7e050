/** Layer 01 network: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { networkContract } from "./contract";

export const networkLayer = defineLayer({
  name: "network",
  description: "VPC, public / app / data subnets per AZ, internet gateway, NAT, routes, VPC endpoints, flow logs",
  contract: () => networkContract,
  // No sections or rules here: `network:` is composed in core/config/schema.ts and checked in core/config/semantic.ts,
  // beside the subnet and network-ACL plans and the cross-layer rules that read it (docs/decisions.md).
});
