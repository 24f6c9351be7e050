/**
 * Generates environments/schema.json from the zod schema (core/config/schema.ts), for editors:
 * every environment file starts with `# yaml-language-server: $schema=./schema.json`, so YAML
 * editors complete keys, show descriptions and flag typos and wrong types.
 *
 *   npm run schema                                          writes the file
 *   node -r ./tools/register.js tools/gen-schema.ts --check exits 1 when the file is stale
 *
 * Post-processing of zod's output:
 * - every `required` list is removed: an environment file may be partial because of `extends:`;
 *   the loader checks the merged result, not each file;
 * - `$id`, `title` and `description` say so;
 * - keywords are sorted in every schema object (property names keep the schema's order), so the
 *   output does not depend on the order zod emits keywords in;
 * - 2-space JSON with a trailing newline.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { ConfigSchema } from "../core/config/schema";

/** Where the generated schema is written. */
export const SCHEMA_FILE = path.resolve(__dirname, "..", "environments", "schema.json");

const HEADER = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://platform-kit.local/environments/schema.json",
  title: "Platform environment file",
  description:
    "One environment of the platform (environments/*.yaml). Generated from core/config/schema.ts by `npm run schema`; do not edit. " +
    "No key is marked required here because a file may be partial: `extends:` merges it over a parent, and the loader checks the merged result (required keys, tier defaults and cross-field rules).",
};

/** Keys whose value is a map of user-chosen names to schemas: their members keep the schema's order. */
const NAME_MAPS = new Set(["properties", "$defs", "definitions", "patternProperties"]);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Removes `required`, sorts keywords; recurses into every sub-schema. */
function clean(node: unknown, keepOrder = false): unknown {
  if (Array.isArray(node)) return node.map((item) => clean(item));
  if (!isObject(node)) return node;
  const keys = Object.keys(node).filter((k) => keepOrder || k !== "required");
  if (!keepOrder) keys.sort();
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const value = node[key];
    // `default`, `const`, `enum` and `examples` hold data, not schemas: copied as they are.
    if (!keepOrder && (key === "default" || key === "const" || key === "enum" || key === "examples")) out[key] = value;
    else out[key] = clean(value, !keepOrder && NAME_MAPS.has(key));
  }
  return out;
}

/** The JSON Schema text environments/schema.json must contain. */
export function renderSchema(): string {
  const generated = z.toJSONSchema(ConfigSchema, { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
  // zod's own $schema and root description are replaced by the header.
  const body = clean(generated) as Record<string, unknown>;
  delete body.$schema;
  delete body.description;
  const schema = { ...HEADER, ...body };
  return `${JSON.stringify(schema, null, 2)}\n`;
}

/**
 * The command: writes `file`, or with `--check` compares it and returns 1 (with a message saying
 * to run `npm run schema`) when it is missing or differs from renderSchema().
 */
export function runGenSchema(argv: readonly string[], file: string = SCHEMA_FILE): number {
  const text = renderSchema();
  const relative = path.relative(process.cwd(), file);
  const rel = relative && !relative.startsWith("..") ? relative : file;
  if (argv.includes("--check")) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
    if (current === text) {
      process.stdout.write(`${rel} is up to date\n`);
      return 0;
    }
    process.stderr.write(
      current === undefined
        ? `${rel} is missing: run \`npm run schema\` to generate it from core/config/schema.ts\n`
        : `${rel} is stale (it differs from what core/config/schema.ts generates): run \`npm run schema\` and commit the result\n`,
    );
    return 1;
  }
  fs.writeFileSync(file, text);
  process.stdout.write(`wrote ${rel}\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = runGenSchema(process.argv.slice(2));
}
