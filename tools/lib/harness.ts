/**
 * Shared steps of the Terraform harnesses (validate, plan): picking and synthesizing the
 * environments into .work/synth/<envKey>/, stack ordering, work dir housekeeping.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../core/config/errors";
import { loadConfigFile, type LoadedConfig } from "../../core/config/loader";
import { selectEnvironments, type EnvironmentRef } from "./environments";
import { formatDuration, type Reporter } from "./report";
import { stackOrder, synthesizeAtomically, type SynthesizedStack } from "./synth";

export { stackOrder };
import { WORK_DIR } from "./terraform";
import { BOOTSTRAP_STACK, LAYERS } from "../../core/registry";

export interface PreparedEnvironment {
  readonly ref: EnvironmentRef;
  readonly loaded?: LoadedConfig;
  /** Stacks in deploy order (bootstrap, then layers in registry order). */
  readonly stacks: readonly SynthesizedStack[];
  /** Why the environment could not be synthesized. */
  readonly error?: { readonly stage: "config" | "synth"; readonly message: string };
}

/** The environments --env picks (all when absent); an unknown name prints the loader's error and exits 1. */
export function environmentsOrExit(picked: string[] | undefined, reporter: Reporter): EnvironmentRef[] {
  try {
    const envs = selectEnvironments(picked);
    if (!envs.length) {
      reporter.error("error: no environments found (environments/*.yaml, examples/*/*.yaml)");
      process.exit(1);
    }
    return envs;
  } catch (e) {
    if (e instanceof ConfigError) {
      reporter.error(e.message);
      process.exit(1);
    }
    throw e;
  }
}

/**
 * Loads and synthesizes each environment into .work/synth/<envKey>/ (atomically). A refused
 * configuration or a failed synthesis is recorded for that environment; the others go on.
 */
export function prepareEnvironments(envs: readonly EnvironmentRef[], reporter: Reporter): PreparedEnvironment[] {
  return envs.map((ref) => {
    const start = Date.now();
    let loaded: LoadedConfig;
    try {
      loaded = loadConfigFile(ref.file);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      reporter.line(`${ref.key}: configuration refused`);
      return { ref, stacks: [], error: { stage: "config", message } };
    }
    try {
      const stacks = synthesizeAtomically(loaded.config, path.join(WORK_DIR, "synth", ref.key));
      reporter.line(
        `${ref.key}: synthesized ${stacks.length} stacks (${stacks.map((s) => s.name).join(", ")}) in ${formatDuration(Date.now() - start)}`,
      );
      return { ref, loaded, stacks };
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      reporter.line(`${ref.key}: synthesis FAILED`);
      return { ref, loaded, stacks: [], error: { stage: "synth", message } };
    }
  });
}

/**
 * The environments with only the stacks named in `names` (bootstrap or layer names); all of them
 * when `names` is empty. A name that is no stack of any environment is a usage error.
 */
export function onlyStacks(prepared: readonly PreparedEnvironment[], names: readonly string[] | undefined): PreparedEnvironment[] {
  if (!names?.length) return [...prepared];
  const known = new Set([BOOTSTRAP_STACK, ...LAYERS.map((l) => l.name)]);
  for (const n of names) {
    if (!known.has(n)) throw new Error(`--layer ${n}: no such layer (layers: ${[...known].join(", ")})`);
  }
  return prepared.map((env) => ({ ...env, stacks: env.stacks.filter((s) => names.includes(s.name)) }));
}

/** onlyStacks, printing a usage error and exiting 2 on an unknown name. */
export function onlyStacksOrExit(
  prepared: readonly PreparedEnvironment[],
  names: readonly string[] | undefined,
  reporter: Reporter,
): PreparedEnvironment[] {
  try {
    return onlyStacks(prepared, names);
  } catch (e) {
    reporter.error(`error: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
}

/** Removes stack work dirs under `envDir` whose stack no longer exists (a layer switched off). */
export function pruneStackDirs(envDir: string, keep: readonly string[], alsoKeep: readonly string[] = []): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(envDir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (e.isDirectory() && !keep.includes(e.name) && !alsoKeep.includes(e.name))
      fs.rmSync(path.join(envDir, e.name), { recursive: true, force: true });
  }
}

/** Removes Terraform configuration files in `dir` other than `keep` (left over from older runs). */
export function removeOtherConfigFiles(dir: string, keep: string): void {
  for (const f of fs.readdirSync(dir)) {
    if (f !== keep && /\.tf(\.json)?$/.test(f)) fs.rmSync(path.join(dir, f), { force: true });
  }
}

/** Indents every line of a block of text. */
export function indent(text: string, by = "    "): string {
  return text
    .split("\n")
    .map((l) => (l ? by + l : l))
    .join("\n");
}

/**
 * The first line of an error worth reading in a log tail: Terraform's `Error: <summary>` joined with
 * the first line of its detail, without colour codes, at most `max` characters.
 */
export function firstErrorLine(text: string, max = 240): string {
  const lines = text
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .map((l) => l.replace(/^[│╷╵]\s?/, "").trim())
    .filter(Boolean);
  let line = lines[0] ?? "(no error text)";
  if (/^Error:/.test(line) && lines[1]) line = `${line}: ${lines[1]}`;
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/**
 * The closing lines of a harness run that failed: one per failed stack, naming it, the step that
 * failed and the first line of its error, so the tail of a CI log is enough to act on.
 */
export function failedStackLines(
  command: string,
  failed: readonly { readonly where: string; readonly stage: string; readonly error: string }[],
): string[] {
  return failed.map((f) => `${command} failed: ${f.where} (${f.stage}): ${firstErrorLine(f.error)}`);
}

/**
 * The end of a harness run: the failed stacks' lines, the JSON result (`--json`) with the Terraform
 * used, and the exit code (1 when any stack failed).
 */
export function finishHarnessRun(
  reporter: Reporter,
  command: string,
  tf: { readonly bin: string; readonly version: string },
  failed: readonly { readonly where: string; readonly stage: string; readonly error: string }[],
  result: Record<string, unknown>,
): void {
  for (const line of failedStackLines(command, failed)) reporter.line(line);
  reporter.result({ command, ok: failed.length === 0, skipped: false, terraform: { bin: tf.bin, version: tf.version }, ...result });
  process.exitCode = failed.length ? 1 : 0;
}

/** Runs a tool's asynchronous main; an unexpected error prints its stack and exits 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
}

/** A path relative to the working directory when it is inside it. */
export function rel(p: string): string {
  const r = path.relative(process.cwd(), p);
  return r && !r.startsWith("..") ? r : p;
}

/**
 * One harness run (validate or plan) per checkout at a time: they share .work/synth, the CLI config
 * and the plugin cache. A second run waits for the first (a lock left by a dead process is taken
 * over). Released when the process exits.
 */
export async function holdHarnessLock(command: string, reporter: Reporter, timeoutMs = 30 * 60_000): Promise<void> {
  const file = path.join(WORK_DIR, "harness.lock");
  fs.mkdirSync(WORK_DIR, { recursive: true });
  const deadline = Date.now() + timeoutMs;
  let announced = false;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid} ${command}\n`, { flag: "wx" });
      process.on("exit", () => {
        try {
          if (fs.readFileSync(file, "utf8").startsWith(`${process.pid} `)) fs.rmSync(file, { force: true });
        } catch {
          // already gone
        }
      });
      return;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const [pidText, holder = "?"] = safeRead(file).trim().split(" ");
    const pid = Number(pidText);
    if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`${rel(file)} is held by ${holder} (pid ${pid}) for too long; remove it if that process is gone`);
    if (!announced) {
      reporter.line(`waiting for the ${holder} run in this checkout (pid ${pid}) to finish ...`);
      announced = true;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function safeRead(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
