/**
 * The policy pack: every rule of the catalogue (catalogue.yaml: ids, titles, severities, fixes,
 * Checkov ids, in report order) with its check from the rule files. Ids are stable; a retired rule
 * keeps its id unused.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Rule } from "../policy";
import { CATALOGUE_FILE, CatalogueError, loadRules } from "./catalogue";
import { computeChecks } from "./compute";
import { dataChecks } from "./data";
import { edgeChecks } from "./edge";
import { iamChecks } from "./iam";
import { networkChecks } from "./network";
import { observabilityChecks } from "./observability";
import { storageChecks } from "./storage";

/**
 * The pack, loaded once. A catalogue refused at load is an edit of the kit's own file: any tool that
 * loads the pack prints the problems (file:line:col key: expected, found) and exits 1, without a stack.
 */
function loadPack(): readonly Rule[] {
  try {
    return loadRules(fs.readFileSync(CATALOGUE_FILE, "utf8"), path.relative(process.cwd(), CATALOGUE_FILE), {
      "network.ts": networkChecks,
      "data.ts": dataChecks,
      "compute.ts": computeChecks,
      "edge.ts": edgeChecks,
      "storage.ts": storageChecks,
      "observability.ts": observabilityChecks,
      "iam.ts": iamChecks,
    });
  } catch (e) {
    if (!(e instanceof CatalogueError)) throw e;
    process.stderr.write(`${e.message}\n`);
    process.exit(1);
  }
}

export const RULES: readonly Rule[] = loadPack();
