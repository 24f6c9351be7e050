/**
 * The flow proof over every shipped environment and example (environments/*.yaml and
 * examples/<system>/<env>.yaml): each is synthesized (no Terraform) and must have no broken flow.
 * A failure lists each broken flow with the hop that breaks it. Where network ACLs are on, the
 * database and load-balancer flows must cross them.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadConfigFile } from "../core/config/loader";
import { discoverEnvironments } from "../tools/lib/environments";
import { synthesizeAtomically } from "../tools/lib/synth";
import { proveFlows } from "../tools/review/flows/index";
import { environmentInfo, flowFacts, readSynthesized } from "../tools/review/index";
import { EnvModel } from "../tools/review/model";
import { cachedSynthesis } from "./fixtures/synth-cache";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "review-flows-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe.each(discoverEnvironments().map((e) => [e.name, e] as const))("%s", (_name, ref) => {
  it("has no broken flow", () => {
    const { config } = loadConfigFile(ref.file);
    const inputs = cachedSynthesis("review-inputs", config, () => {
      const outdir = path.join(root, ref.key);
      synthesizeAtomically(config, outdir);
      return readSynthesized(outdir);
    });
    const model = new EnvModel(inputs);
    const report = proveFlows(model, flowFacts(environmentInfo(config, ref)));
    expect(report.flows.length).toBeGreaterThan(10);
    expect(report.flows.filter((f) => f.status === "broken").map((f) => `${f.id} @ ${f.broken!.hop}: ${f.broken!.reason}`)).toEqual([]);
    // With network ACLs on, the database and load-balancer paths cross them (the proof is not vacuous).
    const crossesAcls = (kind: string) => report.flows.filter((f) => f.kind === kind).every((f) => f.hops.some((h) => h.name.startsWith("nacl ")));
    if (config.network.networkAcls.enabled) expect([crossesAcls("service-database"), crossesAcls("lb-service")]).toEqual([true, true]);
  });
});
