import { namespaceName } from "./config";
import { map, mockArn, mockId, str, type Contract } from "../../core/contracts/types";

/** Outputs of layer 05 cloud-map. */
export const cloudMapContract = {
  namespace_id: str("ID of the private DNS namespace.", () => mockId("ns", "namespace", 16)),
  namespace_name: str("Name of the private DNS namespace (cloudMap.namespace, default <project>.local).", (cfg) => namespaceName(cfg)),
  namespace_arn: str("ARN of the private DNS namespace.", (cfg) =>
    mockArn(cfg, "servicediscovery", `namespace/${mockId("ns", "namespace", 16)}`),
  ),
  service_ids: map("Discovery service ID by application service name.", (cfg) =>
    Object.fromEntries(Object.keys(cfg.services).map((s) => [s, mockId("srv", s, 16)])),
  ),
  service_arns: map("Discovery service ARN by application service name.", (cfg) =>
    Object.fromEntries(Object.keys(cfg.services).map((s) => [s, mockArn(cfg, "servicediscovery", `service/${mockId("srv", s, 16)}`)])),
  ),
} satisfies Contract;
