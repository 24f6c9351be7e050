/**
 * From a Terraform address to the lines of the kit that made it: `platform where <address>`.
 *
 * The environment's stacks are built in memory (no synthesis; the app's outdir is a temporary folder,
 * removed afterwards) while every construct's
 * creation is traced: the first frame of the kit's own sources (layers/, modules/, core/, functions/)
 * in the call stack that created it. A resource's chain is those frames for each construct from its
 * stack down to the resource itself, outermost first: typically the layer's stack.ts line that creates
 * a module, then the module's line that creates the resource.
 *
 * The trace hooks the constructs library's `Node.prototype.addChild` (every construct is added to its
 * scope there, at creation). The hook is in place only while the stacks are built, and a library
 * that no longer has that method is refused with that reason, never answered with empty chains.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { App, TerraformDataSource, TerraformElement, TerraformRemoteState, TerraformResource, TerraformStack } from "cdktf";
import { Node, type IConstruct } from "constructs";
import { SourceMap } from "node:module";
import { buildPlatform } from "../../core/platform";
import type { PlatformConfig } from "../../core/config/types";
import { PLATFORM } from "../../layers";
import { editDistance } from "../../core/config/errors";

const ROOT = path.resolve(__dirname, "..", "..");
/** Folders of the kit whose frames count as "the code that made it". */
const KIT_DIRS = ["layers", "modules", "core", "functions"].map((d) => path.join(ROOT, d) + path.sep);

/** One line of the kit: where a construct of the chain is created. */
export interface Frame {
  /** Path relative to the project root. */
  readonly file: string;
  readonly line: number;
  /** The source line, trimmed. */
  readonly text: string;
  /** The construct created there (its path below the stack) and its class. */
  readonly construct: string;
  readonly kind: string;
}

export interface Located {
  readonly stack: string;
  /** The Terraform address inside its stack: `aws_sqs_queue.orders`, `data.aws_iam_policy_document.x`. */
  readonly address: string;
  /** The construct path below the stack. */
  readonly path: string;
  /** Outermost first; consecutive constructs made on the same line are shown once. */
  readonly chain: readonly Frame[];
}

type Addable = { addChild?: (child: IConstruct, name: string) => void };

/** Creation call sites by construct, recorded while `build` runs. */
function traced<T>(build: () => T): { result: T; sites: WeakMap<IConstruct, string> } {
  const proto = Node.prototype as unknown as Addable;
  const original = proto.addChild;
  if (typeof original !== "function")
    throw new Error("the constructs library has no Node.prototype.addChild: where cannot trace construct creation");
  const sites = new WeakMap<IConstruct, string>();
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 200;
  proto.addChild = function (this: unknown, child: IConstruct, name: string) {
    sites.set(child, callerOf(child, new Error().stack ?? ""));
    return original.call(this, child, name);
  };
  try {
    return { result: build(), sites };
  } finally {
    proto.addChild = original;
    Error.stackTraceLimit = limit;
  }
}

const FRAME_RE = /\((.+):(\d+):(\d+)\)$|at (.+):(\d+):(\d+)$/;

/** What tools/register.js compiled, by file: the code with its inline source map. */
const COMPILED = (globalThis as Record<symbol, unknown>)[Symbol.for("platform-kit.compiled")] as Map<string, string> | undefined;
const MAP_RE = /\/\/# sourceMappingURL=data:application\/json;base64,([A-Za-z0-9+/=]+)\s*$/;
const sourceMaps = new Map<string, SourceMap | undefined>();

/**
 * The .ts line of a frame. Frames are already in .ts lines under Node's --enable-source-maps and under
 * jest (which maps them itself); under tools/register.js they are lines of the compiled code, mapped
 * here through the inline source map it wrote.
 */
function sourceLine(file: string, line: number, col: number): number {
  const code = process.sourceMapsEnabled ? undefined : COMPILED?.get(file);
  if (code === undefined) return line;
  if (!sourceMaps.has(file)) {
    const m = MAP_RE.exec(code);
    sourceMaps.set(file, m ? new SourceMap(JSON.parse(Buffer.from(m[1], "base64").toString("utf8"))) : undefined);
  }
  const entry = sourceMaps.get(file)?.findEntry(line - 1, col - 1) as { originalLine?: number } | undefined;
  return entry?.originalLine !== undefined ? entry.originalLine + 1 : line;
}
const CONSTRUCTOR_RE = /^at new ([\w$]+) /;

/**
 * The call stack of a construct's creation from the line that wrote `new <Class>(...)` on: the frames
 * above it are the constructors of the construct's class and of its base classes (their
 * `super(scope, id)` lines). The most derived class with a frame of its own marks the end of them;
 * names are compared from the most derived class down, as a kit module and the provider class it wraps
 * may share a name (LambdaFunction), and the first frame of that name is the inner one.
 */
function callerOf(child: IConstruct, stack: string): string {
  const frames = stack.split("\n").slice(1);
  const names = frames.map((f) => CONSTRUCTOR_RE.exec(f.trim())?.[1]);
  for (let p = Object.getPrototypeOf(child); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    const i = names.indexOf(p.constructor.name);
    if (i !== -1) return frames.slice(i + 1).join("\n");
  }
  return frames.join("\n");
}

/** The first frame of a call stack in the kit's own sources, as file and line. */
function kitFrame(stack: string): { file: string; line: number } | undefined {
  for (const raw of stack.split("\n")) {
    const m = FRAME_RE.exec(raw.trim());
    if (!m) continue;
    const file = m[1] ?? m[4];
    if (file.includes(`${path.sep}node_modules${path.sep}`) || !KIT_DIRS.some((d) => file.startsWith(d))) continue;
    if (file === __filename) continue;
    return { file, line: sourceLine(file, Number(m[2] ?? m[5]), Number(m[3] ?? m[6])) };
  }
  return undefined;
}

/** True when a line of the kit's own code (layers/, modules/, core/) made the resource: what `--check` asks of every one. */
export function tracedToKit(l: Located): boolean {
  return l.chain.some((f) => /^(layers|modules|core)\//.test(f.file));
}

/** Every resource and data source (remote states included) of every stack of the environment, with its chain. */
export function locateAll(config: PlatformConfig): Located[] {
  return locate((app) => buildPlatform(app, config, PLATFORM));
}

/** Every resource and data source of the stacks `build` adds to an app, with its chain. */
export function locate(build: (app: App) => void): Located[] {
  // The App makes its outdir (not its parents) when it is created; nothing is synthesized into it.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "platform-where-"));
  let traces: ReturnType<typeof traced<App>>;
  try {
    traces = traced(() => {
      const app = new App({ outdir, skipValidation: true });
      build(app);
      return app;
    });
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
  const { result: app, sites } = traces;
  const lines = new Map<string, string[]>();
  const textAt = (file: string, line: number) => {
    if (!lines.has(file)) lines.set(file, fs.readFileSync(file, "utf8").split("\n"));
    return (lines.get(file)![line - 1] ?? "").trim();
  };
  const out: Located[] = [];
  for (const stack of app.node.children.filter((c): c is TerraformStack => c instanceof TerraformStack)) {
    for (const el of stack.node.findAll()) {
      if (!(el instanceof TerraformElement)) continue;
      const type =
        el instanceof TerraformResource || el instanceof TerraformDataSource
          ? el.terraformResourceType
          : el instanceof TerraformRemoteState
            ? "terraform_remote_state"
            : undefined;
      if (type === undefined) continue;
      const scopes = el.node.scopes.slice(el.node.scopes.indexOf(stack) + 1);
      const below = (c: IConstruct) => c.node.path.slice(stack.node.path.length + 1);
      const chain: Frame[] = [];
      for (const scope of scopes) {
        const at = kitFrame(sites.get(scope) ?? "");
        if (!at) continue;
        const file = path.relative(ROOT, at.file);
        const last = chain[chain.length - 1];
        if (last && last.file === file && last.line === at.line) continue;
        chain.push({
          file,
          line: at.line,
          text: textAt(at.file, at.line),
          construct: below(scope),
          kind: scope.constructor.name,
        });
      }
      const prefix = el instanceof TerraformResource ? "" : "data.";
      out.push({
        stack: stack.node.id,
        address: `${prefix}${type}.${el.friendlyUniqueId}`,
        path: below(el),
        chain,
      });
    }
  }
  return out;
}

/**
 * The resources an address names: `aws_sqs_queue.orders`, `data.<type>.<name>`, or either after
 * `<stack>.` or `<stack>/` (one stack only); a Terraform plan address with a module path is not one
 * the kit writes. Returns the matches, or the closest addresses when there are none.
 */
export function lookUp(all: readonly Located[], query: string): { found: Located[]; closest: string[] } {
  const stacks = new Set(all.map((l) => l.stack));
  let stack: string | undefined;
  let address = query.trim();
  const m = /^([a-z0-9-]+)[./](.+)$/.exec(address);
  if (m && stacks.has(m[1])) [stack, address] = [m[1], m[2]];
  const found = all.filter((l) => l.address === address && (!stack || l.stack === stack));
  if (found.length) return { found, closest: [] };
  const scored = [...new Set(all.filter((l) => !stack || l.stack === stack).map((l) => `${l.stack}.${l.address}`))]
    .map((a) => ({ a, d: editDistance(address, a.slice(a.indexOf(".") + 1)) }))
    .sort((x, y) => x.d - y.d || x.a.localeCompare(y.a));
  return { found: [], closest: scored.slice(0, 3).map((s) => s.a) };
}

/**
 * A chain in one line: the last line of each file in turn, `layers/09-native/stack.ts:239 →
 * modules/encrypted-queue.ts:101` (the layer's line that creates the module, then the module's line).
 */
export function codeHop(l: Located): string {
  const last = l.chain.filter((f, i) => l.chain[i + 1]?.file !== f.file);
  return last.map((f) => `${f.file}:${f.line}`).join(" → ");
}
