/**
 * npm run where -- <address>... [--env <name|file>] [--json] [--check]
 * (platform where <address>... --env <env>)
 *
 * From a Terraform address (as a plan, a state or a reviewer names it) to the kit's lines that make
 * it: the layer's stack.ts line that creates the module, then the module's line that creates the
 * resource (tools/lib/where.ts). `--check` traces every resource and data source of the environment
 * and fails when one has no line of the kit in its chain.
 */
import { exitOnConfigError, loadEnvironment, type LoadedConfig } from "../core/config/loader";
import { layerFolder } from "../core/layer-descriptor";
import { LAYERS } from "../core/registry";
import type { OptionSpecs } from "./lib/args";
import { startTool } from "./lib/cli";
import { locateAll, lookUp, tracedToKit, type Located } from "./lib/where";

const OPTIONS: OptionSpecs = {
  env: { type: "string", value: "<name|file>", description: "Environment whose stacks are traced (default: PLATFORM_ENV, else dev)." },
  check: {
    type: "boolean",
    description: "Trace every resource and data source; exit 1 if one has no line of the kit (layers/, modules/, core/) in its chain.",
  },
  json: { type: "boolean", description: "Print a JSON result on stdout (human lines go to stderr)." },
};

/** The layer folder of a stack (the bootstrap stack's is layers/bootstrap). */
function folderOf(stack: string): string {
  const l = LAYERS.find((x) => x.name === stack);
  return `layers/${l ? layerFolder(l) : stack}/`;
}

function describe(l: Located): string[] {
  const width = Math.max(0, ...l.chain.map((f) => `${f.file}:${f.line}`.length));
  return [
    `${l.stack} ${l.address}  (${folderOf(l.stack)}; construct ${l.path})`,
    ...l.chain.map((f) => `  ${`${f.file}:${f.line}`.padEnd(width)}  ${f.text}`),
  ];
}

function main(): void {
  const { args, reporter } = startTool(
    "npm run where -- <address>... [options]",
    "The kit's lines that make a Terraform address: the layer's line that creates the module, then the module's line that creates the resource.",
    OPTIONS,
  );
  const queries = args.positional;
  const check = args.values.check === true;
  if (!queries.length && !check) {
    reporter.error("error: name at least one address (aws_sqs_queue.orders, data.<type>.<name>, <stack>.<address>), or --check");
    process.exit(2);
  }
  let loaded: LoadedConfig;
  try {
    loaded = loadEnvironment((args.values.env as string | undefined) ?? process.env.PLATFORM_ENV);
  } catch (e) {
    exitOnConfigError(e, { json: reporter.json, command: "where" });
  }
  const all = locateAll(loaded.config);

  if (check) {
    const untraced = all.filter((l) => !tracedToKit(l));
    for (const l of untraced) reporter.line(`no line of the kit made ${l.stack} ${l.address} (construct ${l.path})`);
    reporter.line(
      `where --check ${untraced.length ? "FAILED" : "ok"}: ${all.length - untraced.length}/${all.length} resources and data sources of ${loaded.key} traced to the kit's lines`,
    );
    reporter.result({ command: "where", ok: !untraced.length, env: loaded.key, traced: all.length - untraced.length, untraced });
    process.exitCode = untraced.length ? 1 : 0;
    return;
  }

  const results = queries.map((q) => ({ query: q, ...lookUp(all, q) }));
  for (const r of results) {
    if (r.found.length) for (const l of r.found) reporter.line(describe(l).join("\n"));
    else
      reporter.error(
        `${r.query}: no such resource in ${loaded.key}${r.closest.length ? ` (closest: ${r.closest.join(", ")})` : ""}; the address as a plan names it, e.g. aws_sqs_queue.orders`,
      );
  }
  const missing = results.filter((r) => !r.found.length).length;
  reporter.result({ command: "where", ok: missing === 0, env: loaded.key, results });
  process.exitCode = missing ? 1 : 0;
}

main();
