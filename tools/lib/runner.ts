/** A small parallel runner: at most `jobs` tasks at a time, results in input order. */
import * as os from "node:os";

/** Default concurrency: one job per CPU. */
export function defaultJobs(): number {
  return Math.max(1, os.cpus().length);
}

/** Runs `fn` over `items` with at most `jobs` running at once. Rejections propagate after all settle. */
export async function runParallel<T, R>(items: readonly T[], jobs: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i], i);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  if (errors.length) throw errors[0];
  return results;
}

/** Runs the functions given to it one at a time, in call order (a mutex for async work). */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<R>(fn: () => Promise<R>): Promise<R> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
