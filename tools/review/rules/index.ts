/** The policy pack: every rule, in report order. Ids are stable; a retired rule keeps its id unused. */
import type { Rule } from "../policy";
import { computeRules } from "./compute";
import { dataRules } from "./data";
import { edgeRules } from "./edge";
import { iamRules } from "./iam";
import { networkRules } from "./network";
import { observabilityRules } from "./observability";
import { storageRules } from "./storage";

export const RULES: readonly Rule[] = [
  ...networkRules,
  ...dataRules,
  ...computeRules,
  ...edgeRules,
  ...storageRules,
  ...observabilityRules,
  ...iamRules,
];

const ids = new Set<string>();
for (const r of RULES) {
  if (ids.has(r.id)) throw new Error(`duplicate review rule id ${r.id}`);
  if (!/^PK-[A-Z0-9]+-\d{3}$/.test(r.id)) throw new Error(`review rule id ${r.id} is not PK-<AREA>-<NNN>`);
  ids.add(r.id);
}
