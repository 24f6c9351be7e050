/** Layer 02 security: its descriptor, listed in layers/registry.ts (core/layer-descriptor.ts says what derives from it). */
import { defineLayer } from "../../core/layer-descriptor";
import { securityContract } from "./contract";

export const securityLayer = defineLayer({
  name: "security",
  description: "security groups per tier, IAM roles (ECS execution, per-service task roles, Lambda), KMS keys, WAF web ACL",
  contract: () => securityContract,
  // No sections or rules here: `security:` is composed in core/config/schema.ts and checked in core/config/semantic.ts,
  // beside the subnet and network-ACL plans and the cross-layer rules that read it (docs/decisions.md).
});
