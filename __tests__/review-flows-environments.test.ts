/**
 * The flow proof over every shipped environment and example (environments/*.yaml and
 * examples/<system>/<env>.yaml): each is synthesized (no Terraform) and must have no broken flow.
 * A failure lists each broken flow with the hop that breaks it. Where network ACLs are on, the
 * database and load-balancer flows must cross them.
 */
import { loadConfigFile } from "../core/config/loader";
import { discoverEnvironments } from "../tools/lib/environments";
import { proveFlows } from "../tools/review/flows/index";
import { environmentInfo, flowFacts } from "../tools/review/index";
import { EnvModel, type StackInput } from "../tools/review/model";
import { synthesizedStacks } from "./fixtures/synth-cache";

describe.each(discoverEnvironments().map((e) => [e.name, e] as const))("%s", (_name, ref) => {
  it("has no broken flow", () => {
    const { config } = loadConfigFile(ref.file);
    const model = new EnvModel(synthesizedStacks(config) as StackInput[]);
    const report = proveFlows(model, flowFacts(environmentInfo(config, ref)));
    expect(report.flows.length).toBeGreaterThan(10);
    expect(report.flows.filter((f) => f.status === "broken").map((f) => `${f.id} @ ${f.broken!.hop}: ${f.broken!.reason}`)).toEqual([]);
    // With network ACLs on, the database and load-balancer paths cross them (the proof is not vacuous).
    const crossesAcls = (kind: string) =>
      report.flows.filter((f) => f.kind === kind).every((f) => f.hops.some((h) => h.name.startsWith("nacl ")));
    if (config.network.networkAcls.enabled) expect([crossesAcls("service-database"), crossesAcls("lb-service")]).toEqual([true, true]);
  });
});
