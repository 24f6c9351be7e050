/**
 * Discovery of a local Terraform provider mirror holding hashicorp/aws at the version the kit pins
 * (`@cdktf/provider-aws` 20.1.x = hashicorp/aws 5.100.0). Order: --plugin-dir, PLATFORM_TF_PLUGIN_DIR,
 * the usual locations, then (only when none qualifies) a shallow `find /` for registry.terraform.io.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export const REGISTRY_HOST = "registry.terraform.io";

/** Where mirrors usually live, in the order they are tried. */
export function defaultMirrorCandidates(home = os.homedir()): string[] {
  return [
    "/opt/tf-plugins",
    path.join(home, ".terraform.d", "plugins"),
    "/usr/share/terraform/plugins",
    "/usr/local/share/terraform/plugins",
  ];
}

/** Terraform's platform name for this machine: `linux_amd64`, `darwin_arm64`. */
export function terraformPlatform(platform: string = process.platform, arch: string = process.arch): string {
  const osName = platform === "win32" ? "windows" : platform;
  const archName = ({ x64: "amd64", ia32: "386", arm64: "arm64", arm: "arm" } as Record<string, string>)[arch] ?? arch;
  return `${osName}_${archName}`;
}

/** The hashicorp/aws version the installed @cdktf/provider-aws was generated from. */
export function pinnedAwsProviderVersion(): string {
  const file = require.resolve("@cdktf/provider-aws/package.json");
  const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { cdktf?: { provider?: { version?: string } } };
  const version = pkg.cdktf?.provider?.version;
  if (!version) throw new Error(`${file} names no provider version (cdktf.provider.version)`);
  return version;
}

export interface ProviderWanted {
  /** `hashicorp/aws`. */
  readonly provider: string;
  readonly version: string;
  /** `linux_amd64`. */
  readonly platform: string;
}

/**
 * True if `dir` is a provider mirror holding the wanted provider: the unpacked layout
 * `registry.terraform.io/<ns>/<type>/<version>/<os_arch>/` or the packed one
 * `registry.terraform.io/<ns>/<type>/terraform-provider-<type>_<version>_<os_arch>.zip`.
 */
export function isMirrorFor(dir: string, want: ProviderWanted): boolean {
  const base = path.join(dir, REGISTRY_HOST, ...want.provider.split("/"));
  const type = want.provider.split("/")[1];
  const unpacked = path.join(base, want.version, want.platform);
  const packed = path.join(base, `terraform-provider-${type}_${want.version}_${want.platform}.zip`);
  return isDir(unpacked) || isFile(packed);
}

export type MirrorSource = "flag" | "env" | "candidate" | "search";

export interface MirrorFound {
  readonly dir: string;
  readonly source: MirrorSource;
}

export interface MirrorOptions {
  readonly want: ProviderWanted;
  /** `--plugin-dir`. */
  readonly flag?: string;
  /** PLATFORM_TF_PLUGIN_DIR. */
  readonly env?: string;
  /** Locations to try; defaults to defaultMirrorCandidates(). */
  readonly candidates?: readonly string[];
  /** Directories named registry.terraform.io found elsewhere (the `find /` fallback); only called when nothing else qualifies. */
  readonly search?: () => string[];
}

export class MirrorError extends Error {}

/**
 * Finds the mirror, or undefined when there is none (callers fall back to the registry with a
 * warning). A directory given explicitly (flag or env) that is not a mirror for the wanted provider
 * is an error, not something to silently look past.
 */
export function discoverMirror(opts: MirrorOptions): MirrorFound | undefined {
  const label = `${REGISTRY_HOST}/${opts.want.provider} ${opts.want.version} (${opts.want.platform})`;
  for (const [value, source, name] of [
    [opts.flag, "flag", "--plugin-dir"],
    [opts.env, "env", "PLATFORM_TF_PLUGIN_DIR"],
  ] as const) {
    if (value === undefined || value === "") continue;
    const dir = path.resolve(value);
    if (!isMirrorFor(dir, opts.want)) {
      throw new MirrorError(
        `${name}=${value} is not a provider mirror holding ${label}: expected ${path.join(dir, REGISTRY_HOST, opts.want.provider, opts.want.version, opts.want.platform)}/`,
      );
    }
    return { dir, source };
  }
  for (const dir of opts.candidates ?? defaultMirrorCandidates()) {
    if (isMirrorFor(dir, opts.want)) return { dir: path.resolve(dir), source: "candidate" };
  }
  for (const registryDir of opts.search?.() ?? []) {
    const dir = path.dirname(registryDir);
    if (isMirrorFor(dir, opts.want)) return { dir, source: "search" };
  }
  return undefined;
}

/** `find / -maxdepth 5 -type d -name registry.terraform.io -not -path '/proc/*'` (10 s at most). */
export function findRegistryDirs(root = "/"): string[] {
  const res = spawnSync("find", [root, "-maxdepth", "5", "-type", "d", "-name", REGISTRY_HOST, "-not", "-path", "/proc/*"], {
    encoding: "utf8",
    timeout: 10_000,
    stdio: ["ignore", "pipe", "ignore"],
  });
  return (res.stdout ?? "").split("\n").filter(Boolean);
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}
