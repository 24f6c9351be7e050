/**
 * The rehearsal's fault cases (npm run rehearse -- --faults), run around the deploy itself:
 *
 * 1. interrupted apply: the first layer's apply gets SIGTERM (what a cancelled CI job sends) after
 *    its first resource is created; the state written so far must be in the bucket, the lock
 *    released, and the ordinary apply that follows must converge from it;
 * 2. stop and resume: a layer in the middle finds its state locked by another run, so the deploy
 *    stops there and runs nothing after it; after `terraform force-unlock`, the deploy resumes with
 *    --from at that layer (deploySteps, the same code as deploy:all) and applies only the rest;
 * 3. drift: a tag changed through the emulator's API behind Terraform's back shows up in the next plan;
 * 4. concurrent apply: while one apply of that layer holds the lock (waiting at its prompt), a
 *    second apply is refused by the lock; then the first one applies and removes the drift.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import { apply, deploy, stateList, terraform, type RehearsalContext } from "./rehearse-run";
import { awsJsonCall } from "./emulator";
import { classifyReplan, type PlanJson, type StackOutcome } from "./rehearse";
import type { SynthesizedStack } from "./synth";

export interface FaultResult {
  readonly name: string;
  readonly ok: boolean;
  readonly evidence: string;
}

/** The layer whose apply is interrupted: the first layer with enough resources to be half-way. */
export function interruptTarget(stacks: readonly SynthesizedStack[]): SynthesizedStack | undefined {
  return stacks.find((s) => s.name !== "bootstrap" && s.resources >= 4);
}

/** The layer where the deploy is made to stop: the middle of the layers. */
export function stopTarget(stacks: readonly SynthesizedStack[]): SynthesizedStack | undefined {
  const layers = stacks.filter((s) => s.name !== "bootstrap");
  return layers.length >= 3 ? layers[Math.floor(layers.length / 2)] : undefined;
}

interface Backend {
  bucket: string;
  key: string;
  dynamodb_table?: string;
  region: string;
}

function backendOf(stack: SynthesizedStack): Backend | undefined {
  const tf = JSON.parse(fs.readFileSync(stack.file, "utf8")) as { terraform?: { backend?: { s3?: Backend } } };
  return tf.terraform?.backend?.s3;
}

/** Applies with SIGTERM after the first resource is created; resolves when Terraform has exited. */
function interruptedApply(
  ctx: RehearsalContext,
  stack: SynthesizedStack,
): Promise<{ code: number | null; created: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(ctx.tf.bin, ["apply", "-auto-approve", "-input=false", "-json"], {
      cwd: stack.dir,
      env: ctx.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let buf = "";
    let created = 0;
    let sent = false;
    child.stdout.on("data", (b: Buffer) => {
      buf += b.toString("utf8");
      created = (buf.match(/"type":"apply_complete"/g) ?? []).length;
      if (created >= 1 && !sent) {
        sent = true;
        child.kill("SIGTERM");
      }
    });
    child.stderr.on("data", (b: Buffer) => (buf += b.toString("utf8")));
    child.on("close", (code) => resolve({ code, created, output: buf }));
  });
}

/** A lock item as another Terraform run would leave it (LockID = <bucket>/<key>). */
async function plantLock(ctx: RehearsalContext, b: Backend, id: string): Promise<boolean> {
  const info = JSON.stringify({
    ID: id,
    Operation: "OperationTypeApply",
    Info: "",
    Who: "another-engineer@rehearsal",
    Version: ctx.tf.version,
    Created: new Date().toISOString(),
    Path: `${b.bucket}/${b.key}`,
  });
  const r = await awsJsonCall(ctx.emulator, {
    service: "dynamodb",
    region: b.region,
    target: "DynamoDB_20120810.PutItem",
    body: { TableName: b.dynamodb_table, Item: { LockID: { S: `${b.bucket}/${b.key}` }, Info: { S: info } } },
  });
  return r.status === 200;
}

/** The deploy with fault cases 1 and 2 woven in, then cases 3 and 4. Returns the deploy outcomes through `outcomes`. */
export async function runFaults(ctx: RehearsalContext, outcomes: Map<string, StackOutcome>): Promise<FaultResult[]> {
  const results: FaultResult[] = [];
  const interrupt = interruptTarget(ctx.stacks);
  const stop = stopTarget(ctx.stacks);
  const lockId = `rehearsal-${Date.now().toString(36)}`;

  const before = async (s: SynthesizedStack) => {
    if (interrupt && s.name === interrupt.name) {
      const r = await interruptedApply(ctx, s);
      const kept = (await stateList(ctx, s)).length;
      const released = await terraform(ctx, s, ["plan", "-input=false", "-no-color", "-lock-timeout=0s", "-refresh=false"]);
      const ok = r.code !== 0 && kept >= 1 && kept < s.resources && released.code === 0;
      results.push({
        name: "interrupted apply",
        ok,
        evidence: `${s.name}: SIGTERM after ${r.created} created (exit ${r.code}); ${kept}/${s.resources} in state; lock ${released.code === 0 ? "released" : "STILL HELD"}; rerun follows`,
      });
    }
    if (stop && s.name === stop.name) {
      const b = backendOf(s);
      if (b?.dynamodb_table) await plantLock(ctx, b, lockId);
    }
  };

  const first = await deploy(ctx, undefined, { before });
  for (const [k, v] of first) outcomes.set(k, v);
  const interruptOutcome = interrupt ? first.get(interrupt.name) : undefined;
  if (interrupt) {
    const i = results.findIndex((r) => r.name === "interrupted apply");
    if (i >= 0) {
      const converged = interruptOutcome?.status === "applied" || interruptOutcome?.status === "partial";
      results[i] = {
        ...results[i],
        ok: results[i].ok && converged,
        evidence: `${results[i].evidence}: ${interruptOutcome?.status} ${interruptOutcome?.applied}/${interrupt.resources}`,
      };
    }
  }

  if (stop) {
    const stopped = first.get(stop.name);
    const after = ctx.stacks.slice(ctx.stacks.findIndex((s) => s.name === stop.name) + 1);
    const notRun = after.filter((s) => first.get(s.name)?.status === "not run").length;
    const lockRefused = stopped?.status === "failed" && stopped.errors.some((e) => /state lock/i.test(`${e.summary} ${e.detail}`));
    const unlock = await terraform(ctx, stop, ["force-unlock", "-force", lockId]);
    const resumed = await deploy(ctx, stop.name);
    for (const [k, v] of resumed) outcomes.set(k, v);
    const resumedNames = [...resumed.keys()];
    const ok =
      lockRefused &&
      notRun === after.length &&
      unlock.code === 0 &&
      resumedNames[0] === stop.name &&
      [...resumed.values()].every((o) => o.status === "applied" || o.status === "partial");
    results.push({
      name: "stop and resume (--from)",
      ok,
      evidence: `stopped at ${stop.name} (${lockRefused ? "state locked by another run" : `status ${stopped?.status}`}), ${notRun}/${after.length} later stacks not run; force-unlock ${unlock.code === 0 ? "ok" : "FAILED"}; --from ${stop.name} applied ${resumedNames.length} stacks`,
    });
  }

  const allUp = ctx.stacks.every((s) => ["applied", "partial"].includes(outcomes.get(s.name)?.status ?? ""));
  if (!allUp) {
    results.push({ name: "drift", ok: false, evidence: "not run: the deploy did not complete" });
    return results;
  }
  results.push(...(await driftAndConcurrency(ctx)));
  return results;
}

/** Cases 3 and 4 on the first layer that holds an SSM parameter. */
async function driftAndConcurrency(ctx: RehearsalContext): Promise<FaultResult[]> {
  for (const s of ctx.stacks) {
    if (s.name === "bootstrap") continue;
    const show = await terraform(ctx, s, ["show", "-json"]);
    if (show.code !== 0) continue;
    type Res = { address: string; type: string; values: { name?: string; tags?: Record<string, string> } };
    const state = JSON.parse(show.stdout) as { values?: { root_module?: { resources?: Res[] } } };
    const param = state.values?.root_module?.resources?.find((r) => r.type === "aws_ssm_parameter" && r.values.name);
    if (!param) continue;
    const region = ctx.loaded.config.aws.region;
    const tag = await awsJsonCall(ctx.emulator, {
      service: "ssm",
      region,
      target: "AmazonSSM.AddTagsToResource",
      body: { ResourceType: "Parameter", ResourceId: param.values.name, Tags: [{ Key: "Owner", Value: "changed-by-hand" }] },
    });
    const plan = await terraform(ctx, s, ["plan", "-input=false", "-no-color", "-out=rehearsal-drift.bin"]);
    const shown = await terraform(ctx, s, ["show", "-json", "rehearsal-drift.bin"]);
    const verdict = shown.code === 0 ? classifyReplan(JSON.parse(shown.stdout) as PlanJson, []) : undefined;
    const seen = verdict?.unexpected.find((d) => d.address === param.address);
    const drift: FaultResult = {
      name: "drift",
      ok: tag.status === 200 && plan.code === 0 && !!seen && seen.attributes.some((a) => a.startsWith("tags")),
      evidence: `tag Owner set on ${param.values.name} through the SSM API; next plan: ${seen ? `${seen.actions.join("/")} ${seen.address} [${seen.attributes.join(", ")}]` : "NO CHANGE SEEN"}`,
    };
    return [drift, await concurrentApply(ctx, s)];
  }
  return [{ name: "drift", ok: false, evidence: "no SSM parameter in any layer to change behind Terraform's back" }];
}

/** One apply waits at its prompt holding the lock; a second is refused; then the first applies. */
function concurrentApply(ctx: RehearsalContext, s: SynthesizedStack): Promise<FaultResult> {
  return new Promise((resolve) => {
    const env = { ...ctx.env };
    delete env.TF_INPUT;
    const first = spawn(ctx.tf.bin, ["apply", "-input=true", "-no-color"], { cwd: s.dir, env, stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let second: { code: number; text: string } | undefined;
    let asked = false;
    const onData = async (b: Buffer) => {
      out += b.toString("utf8");
      if (!asked && /Enter a value:/.test(out)) {
        asked = true;
        const r = await apply(ctx, s, ["-lock-timeout=0s"]);
        second = { code: r.code, text: r.text };
        first.stdin.end("yes\n");
      }
    };
    first.stdout.on("data", onData);
    first.stderr.on("data", (b: Buffer) => (out += b.toString("utf8")));
    first.on("close", async (code) => {
      const refused = !!second && second.code !== 0 && /state lock/i.test(second.text);
      const after = await terraform(ctx, s, ["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
      resolve({
        name: "concurrent apply refused",
        ok: asked && refused && code === 0 && after.code === 0,
        evidence: `${s.name}: second apply ${refused ? "refused (state lock held by the first)" : `NOT refused (exit ${second?.code})`}; first apply exit ${code}; drift ${after.code === 0 ? "repaired (plan clean)" : "STILL THERE"}`,
      });
    });
  });
}
