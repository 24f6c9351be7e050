/**
 * The flow proof of one environment: every flow the configuration means the platform to carry,
 * derived from the synthesized stacks, each proved to hold or named with the first hop that breaks
 * it. Pure over the review model; see docs/review.md (Flows) for what is and is not proven.
 */
import type { EnvModel } from "../model";
import { appDeliveryFlows } from "./app-delivery";
import { ciFlows } from "./ci";
import { FlowContext } from "./context";
import { alarmFlows, eventFlows, invokeFlows, lambdaFailureFlows, logKeyFlows, subscriptionFlows } from "./delivery";
import { bodySizeFlows, routeFlows, vpcLinkFlows, wafFlows } from "./edge";
import { cloudMapFlows, externalServiceFlows, grantFlows } from "./grants";
import { databaseAdminFlows, rotationFlows, serviceFlows } from "./services";
import { collectorFlows } from "./telemetry";
import type { EnvFacts } from "./symbols";
import type { Flow, FlowReport } from "./types";
import { identityPoolFlows } from "./identity-pool";
import { kafkaFlows } from "./kafka";
import { unusedGrants } from "./unused";

export interface FlowFacts extends EnvFacts {
  /** `<project>-<environment>-`: the name prefix of the platform's roles (CI escalation check). */
  readonly namePrefix?: string;
}

export function proveFlows(model: EnvModel, facts: FlowFacts): FlowReport {
  const c = new FlowContext(model, facts);
  const flows: Flow[] = [
    ...wafFlows(c),
    ...bodySizeFlows(c),
    ...vpcLinkFlows(c),
    ...routeFlows(c),
    ...serviceFlows(c),
    ...databaseAdminFlows(c),
    ...rotationFlows(c),
    ...collectorFlows(c),
    ...cloudMapFlows(c),
    ...grantFlows(c),
    ...externalServiceFlows(c),
    ...invokeFlows(c),
    ...lambdaFailureFlows(c),
    ...eventFlows(c),
    ...alarmFlows(c),
    ...subscriptionFlows(c),
    ...logKeyFlows(c),
    ...ciFlows(c, facts.namePrefix),
    ...appDeliveryFlows(c),
    ...identityPoolFlows(c),
    ...kafkaFlows(c),
  ];
  const seen = new Set<string>();
  const unique = flows.filter((f) => (seen.has(f.id) ? false : (seen.add(f.id), true)));
  const order = { broken: 0, ok: 1, "not-applicable": 2 } as const;
  unique.sort((a, b) => order[a.status] - order[b.status] || a.id.localeCompare(b.id));
  return {
    flows: unique,
    counts: {
      ok: unique.filter((f) => f.status === "ok").length,
      broken: unique.filter((f) => f.status === "broken").length,
      notApplicable: unique.filter((f) => f.status === "not-applicable").length,
    },
    unusedGrants: unusedGrants(c, unique),
  };
}

export type { Flow, FlowReport } from "./types";
