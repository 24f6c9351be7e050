/**
 * `platform <verb> [layer] [--env <env>] [options]`: the kit's one command line (bin/platform.js,
 * `npx platform …`). Every verb runs the same tool `npm run <verb>` runs, with the same options;
 * this file only picks the tool, hands on `--env` (or PLATFORM_ENV) the same way for every verb, and
 * keeps deploy, diff and destroy in layer order (never cdktf's alphabetical or parallel order).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { editDistance } from "../core/config/errors";
import { BOOTSTRAP_STACK, LAYERS } from "../core/registry";
import { paint } from "./lib/report";

const ROOT = path.resolve(__dirname, "..");

type EnvUse = "one" | "many" | "none";

interface Verb {
  readonly summary: string;
  /** Tools run in turn (tools/<script>), each with the verb's arguments. */
  readonly scripts: readonly string[];
  /** How the verb takes --env: one environment (default PLATFORM_ENV, else dev), several (default all), or none. */
  readonly env: EnvUse;
  /**
   * The [layer] argument: "stack" runs `npx cdktf <verb> <layer>`; "filter" hands it on as --layer;
   * "none" means the positional arguments are the tool's own (where: addresses) and go on as they are.
   */
  readonly layer?: "stack" | "filter" | "none";
}

/** The verbs, in the order a newcomer meets them. */
export const VERBS: Readonly<Record<string, Verb>> = {
  synth: { summary: "synthesize one environment's stacks into cdktf.out (--hcl: HCL)", scripts: ["synth.ts"], env: "one" },
  validate: {
    summary: "terraform validate every stack (all environments unless --env)",
    scripts: ["validate.ts"],
    env: "many",
    layer: "filter",
  },
  plan: {
    summary: "offline terraform plan of every layer in order, upstream outputs mocked",
    scripts: ["plan.ts"],
    env: "many",
    layer: "filter",
  },
  review: { summary: "reviewer's report: findings, flows, cost, AZ loss, diagram", scripts: ["review.ts"], env: "many" },
  rehearse: {
    summary: "apply every layer to a local AWS emulator (moto), re-plan, fault cases, destroy",
    scripts: ["rehearse.ts"],
    env: "one",
  },
  deploy: {
    summary: "cdktf deploy one layer, or bootstrap and every layer in order",
    scripts: ["deploy-all.ts"],
    env: "one",
    layer: "stack",
  },
  diff: { summary: "cdktf diff one layer, or every layer in order", scripts: ["diff-all.ts"], env: "one", layer: "stack" },
  destroy: { summary: "cdktf destroy one layer, or every layer in reverse order", scripts: ["destroy-all.ts"], env: "one", layer: "stack" },
  workflows: { summary: "generate (or --check) the GitHub Actions pipelines", scripts: ["workflows.ts"], env: "none" },
  where: {
    summary: "the kit's lines that make a Terraform address (stack.ts line, then module line)",
    scripts: ["where.ts"],
    env: "one",
    layer: "none",
  },
  affected: { summary: "stacks whose synthesized JSON differs between two git revisions", scripts: ["affected.ts"], env: "none" },
  schema: { summary: "regenerate environments/schema.json from the config schema", scripts: ["gen-schema.ts"], env: "none" },
  bench: {
    summary: "synth time and memory against ts-node, and scaling with services",
    scripts: ["bench.ts", "bench-scale.ts"],
    env: "none",
  },
};

const STACKS = [BOOTSTRAP_STACK, ...LAYERS.map((l) => l.name)];

export function helpText(): string {
  const width = Math.max(...Object.keys(VERBS).map((v) => v.length));
  return [
    "usage: platform <verb> [layer] [--env <name|file>] [options]",
    "",
    "The platform kit's command line. Every verb works in layer order; --env (or PLATFORM_ENV) picks the",
    "environment: a name in environments/ or a path to a YAML file (examples/<system>/<env>.yaml).",
    "",
    "verbs:",
    ...Object.entries(VERBS).map(([name, v]) => `  ${name.padEnd(width)}  ${v.summary}`),
    "",
    `layers: ${STACKS.join(", ")}`,
    "",
    "`platform <verb> --help` shows the verb's options. Examples:",
    "  platform synth --env prod",
    "  platform plan network --env examples/ims/prod.yaml",
    "  platform deploy --env dev --auto-approve       # bootstrap, then every layer in order",
    "  platform deploy security --env dev             # one layer: npx cdktf deploy security",
    "",
  ].join("\n");
}

export interface Invocation {
  /** argv of each command, program first, run in turn until one fails. */
  readonly commands: readonly (readonly string[])[];
  /** Extra environment for the commands. */
  readonly env: Readonly<Record<string, string>>;
}

export class CliError extends Error {}

/** Closest name by edit distance, for "did you mean". */
function closest(word: string, names: readonly string[]): string | undefined {
  const best = names.map((n) => [n, editDistance(word, n)] as const).sort((x, y) => x[1] - y[1])[0];
  return best && best[1] <= Math.max(2, Math.floor(word.length / 3)) ? best[0] : undefined;
}

/** Splits `--env x` / `--env=x` out of argv. */
function takeEnv(argv: readonly string[]): { env?: string; rest: string[] } {
  const rest: string[] = [];
  let env: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") {
      rest.push(...argv.slice(i));
      break;
    }
    if (a === "--env" && argv[i + 1] !== undefined && !argv[i + 1].startsWith("--")) env = argv[++i];
    else if (a.startsWith("--env=")) env = a.slice("--env=".length);
    else rest.push(a);
  }
  return { env, rest };
}

/**
 * What `platform <argv>` runs. `platformEnv` is PLATFORM_ENV from the caller's environment; `exists`
 * says whether a tool file is there (a verb whose tool is missing is refused with the reason).
 */
export function resolveInvocation(
  argv: readonly string[],
  platformEnv: string | undefined,
  exists: (script: string) => boolean = (s) => fs.existsSync(path.join(ROOT, "tools", s)),
): Invocation {
  const [verbName, ...after] = argv;
  const verb = VERBS[verbName];
  if (!verb) {
    const hint = closest(verbName, Object.keys(VERBS));
    throw new CliError(
      `unknown verb ${JSON.stringify(verbName)}${hint ? ` (did you mean ${hint}?)` : ""}; verbs: ${Object.keys(VERBS).join(", ")}`,
    );
  }
  for (const s of verb.scripts) if (!exists(s)) throw new CliError(`${verbName}: tools/${s} is not part of this checkout`);
  const { env: envFlag, rest } = takeEnv(after);
  const layer = verb.layer !== "none" && rest[0] !== undefined && !rest[0].startsWith("-") ? rest[0] : undefined;
  const args = layer ? rest.slice(1) : [...rest];
  if (layer !== undefined) {
    if (!verb.layer) throw new CliError(`${verbName} takes no layer (found ${JSON.stringify(layer)}); it works on whole environments`);
    if (!STACKS.includes(layer)) {
      const hint = closest(layer, STACKS);
      throw new CliError(`unknown layer ${JSON.stringify(layer)}${hint ? ` (did you mean ${hint}?)` : ""}; layers: ${STACKS.join(", ")}`);
    }
  }
  const envValue = envFlag ?? (platformEnv ? platformEnv : undefined);
  if (verb.env === "none" && envFlag !== undefined) throw new CliError(`${verbName} takes no --env`);
  const node = (script: string, extra: readonly string[]) => [
    process.execPath,
    "-r",
    path.join(ROOT, "tools", "register.js"),
    path.join(ROOT, "tools", script),
    ...extra,
  ];
  const envArgs = verb.env !== "none" && envValue !== undefined ? ["--env", envValue] : [];

  if (layer !== undefined && verb.layer === "stack") {
    if (args.includes("--help") || args.includes("-h")) {
      return { commands: [["npx", "cdktf", verbName, "--help"]], env: {} };
    }
    // One layer: exactly `npx cdktf <verb> <layer>`, PLATFORM_ENV set as cdktf's app reads it.
    const resolved = envValue && /[\\/]|\.ya?ml$/.test(envValue) ? path.resolve(envValue) : (envValue ?? "dev");
    return { commands: [["npx", "cdktf", verbName, layer, ...args.filter((a) => a !== "--")]], env: { PLATFORM_ENV: resolved } };
  }
  const layerArgs = layer !== undefined ? ["--layer", layer] : [];
  return { commands: verb.scripts.map((s) => node(s, [...envArgs, ...layerArgs, ...args])), env: {} };
}

/** Runs `platform <argv>`; returns the exit code. */
export function main(argv: readonly string[]): number {
  if (!argv.length || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    process.stdout.write(helpText());
    return argv.length ? 0 : 2;
  }
  let inv: Invocation;
  try {
    inv = resolveInvocation(argv, process.env.PLATFORM_ENV);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    process.stderr.write(
      `${paint("FAILED", "error", process.stderr.isTTY === true)}: ${e.message}\n(platform --help lists verbs and layers)\n`,
    );
    return 2;
  }
  for (const cmd of inv.commands) {
    const res = spawnSync(cmd[0], cmd.slice(1), { cwd: ROOT, stdio: "inherit", env: { ...process.env, ...inv.env } });
    if (res.error) {
      process.stderr.write(`error: ${cmd[0]}: ${res.error.message}\n`);
      return 1;
    }
    if (res.status !== 0) return res.status ?? 1;
  }
  return 0;
}
