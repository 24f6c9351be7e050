/**
 * Preloaded (`-r`) by `npm run bench` when GNU time is not available: writes the process's peak
 * resident set size (KiB) to the file BENCH_RSS_FILE names when the process exits.
 */
import * as fs from "node:fs";

const target = process.env.BENCH_RSS_FILE;
if (target) {
  process.on("exit", () => {
    fs.writeFileSync(target, `${process.resourceUsage().maxRSS}\n`);
  });
}
