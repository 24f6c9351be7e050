/**
 * Which environments the tools run over: every environment in environments/ (not base.yaml) and
 * every examples/<system>/<env>.yaml (not base.yaml); or the ones picked with --env.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { ENVIRONMENTS_DIR, listEnvironments, resolveEnvironmentFile } from "../../core/config/loader";

export interface EnvironmentRef {
  /** What a person calls it: `dev`, or `examples/ims/prod.yaml`. */
  readonly name: string;
  /** Absolute path of the environment file. */
  readonly file: string;
  /** Output folder name: `dev`, or `examples-ims-prod` (the loader's key). */
  readonly key: string;
}

/** Files under examples/ that are shared defaults, not environments. */
const NOT_ENVIRONMENTS = new Set(["base.yaml", "base.yml"]);

/** The environment key of a file under `root`: `dev` for environments/dev.yaml, `examples-ims-prod` for examples/ims/prod.yaml. */
export function environmentKeyIn(root: string, file: string): string {
  const abs = path.resolve(root, file);
  if (path.dirname(abs) === path.join(root, "environments")) return path.basename(abs).replace(/\.ya?ml$/, "");
  const rel = path.relative(root, abs);
  return (rel.startsWith("..") ? path.basename(abs) : rel)
    .replace(/\.ya?ml$/, "")
    .split(/[\\/]+/)
    .join("-")
    .replace(/[^a-zA-Z0-9-]+/g, "-");
}

/** The default system's environments, then the examples', in name order. */
export function discoverEnvironments(root: string = path.resolve(ENVIRONMENTS_DIR, "..")): EnvironmentRef[] {
  const envDir = path.join(root, "environments");
  const own = listEnvironments(envDir).map((name) => {
    const file =
      ["yaml", "yml"].map((ext) => path.join(envDir, `${name}.${ext}`)).find((f) => fs.existsSync(f)) ?? path.join(envDir, `${name}.yaml`);
    return { name, file, key: environmentKeyIn(root, file) };
  });
  const examplesDir = path.join(root, "examples");
  const examples: EnvironmentRef[] = [];
  for (const system of safeDirs(examplesDir)) {
    for (const f of fs.readdirSync(path.join(examplesDir, system)).sort()) {
      if (!/\.ya?ml$/.test(f) || NOT_ENVIRONMENTS.has(f)) continue;
      const file = path.join(examplesDir, system, f);
      if (!fs.statSync(file).isFile()) continue;
      examples.push({ name: path.relative(root, file).split(path.sep).join("/"), file, key: environmentKeyIn(root, file) });
    }
  }
  return [...own, ...examples];
}

/** Only the default system's environments (environments/). */
export function defaultSystemEnvironments(root: string = path.resolve(ENVIRONMENTS_DIR, "..")): EnvironmentRef[] {
  return discoverEnvironments(root).filter((e) => path.dirname(e.file) === path.join(root, "environments"));
}

/**
 * The environments a command runs over. No --env: all of them (a PLATFORM_ENV left in the shell
 * does not narrow the run). `--env dev,prod` or `--env examples/ims/prod.yaml`: those. A bare
 * `--env`: the one PLATFORM_ENV names (default dev). Unknown names throw the loader's ConfigError.
 */
export function selectEnvironments(
  picked: readonly string[] | undefined,
  platformEnv: string | undefined = process.env.PLATFORM_ENV,
  root: string = path.resolve(ENVIRONMENTS_DIR, ".."),
): EnvironmentRef[] {
  if (picked === undefined) return discoverEnvironments(root);
  const names = picked.map((p) => (p === "" ? (platformEnv ?? "").trim() || "dev" : p));
  const out: EnvironmentRef[] = [];
  for (const value of [...new Set(names)]) {
    const file = resolveEnvironmentFile(value, path.join(root, "environments"));
    const inEnvDir = path.dirname(file) === path.join(root, "environments");
    const name = inEnvDir ? path.basename(file).replace(/\.ya?ml$/, "") : path.relative(process.cwd(), file) || file;
    if (!out.some((e) => e.file === file)) out.push({ name, file, key: environmentKeyIn(root, file) });
  }
  return out;
}

function safeDirs(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
  } catch {
    return [];
  }
}
