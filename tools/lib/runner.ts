/**
 * Concurrency for the tools, on p-limit (sindresorhus/p-limit 3.x, the last CommonJS line): a
 * parallel map with at most `jobs` tasks running, and a one-at-a-time gate.
 */
import * as os from "node:os";
import pLimit from "p-limit";

/** Default concurrency: one job per CPU. */
export function defaultJobs(): number {
  return Math.max(1, os.cpus().length);
}

/** Runs `fn` over `items` with at most `jobs` running at once, results in input order. Rejections propagate after all settle. */
export async function runParallel<T, R>(items: readonly T[], jobs: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const limit = pLimit(Math.max(1, jobs));
  const settled = await Promise.allSettled(items.map((item, i) => limit(() => fn(item, i))));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<R>).value);
}

/** Runs the functions given to it one at a time, in call order, going on after a failure (a mutex for async work). */
export class Serial {
  private readonly limit = pLimit(1);

  run<R>(fn: () => Promise<R>): Promise<R> {
    return this.limit(fn);
  }
}
