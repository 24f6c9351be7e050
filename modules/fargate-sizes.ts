/**
 * Task sizes AWS Fargate accepts (Linux): task CPU units and, for each, the memory sizes in MiB.
 * Source: the Amazon ECS developer guide, "Task CPU and memory" for Fargate. Pure data, shared by
 * the configuration rules (refuse a pair before anything is written) and the FargateService module
 * (validate its props early).
 *
 * | CPU    | memory (MiB)                          |
 * |--------|---------------------------------------|
 * | 256    | 512, 1024, 2048                       |
 * | 512    | 1024 - 4096 in steps of 1024          |
 * | 1024   | 2048 - 8192 in steps of 1024          |
 * | 2048   | 4096 - 16384 in steps of 1024         |
 * | 4096   | 8192 - 30720 in steps of 1024         |
 * | 8192   | 16384 - 61440 in steps of 4096        |
 * | 16384  | 32768 - 122880 in steps of 8192       |
 */

interface MemoryRange {
  readonly min: number;
  readonly max: number;
  readonly step: number;
}

const RANGES: Readonly<Record<number, MemoryRange | readonly number[]>> = {
  256: [512, 1024, 2048],
  512: { min: 1024, max: 4096, step: 1024 },
  1024: { min: 2048, max: 8192, step: 1024 },
  2048: { min: 4096, max: 16384, step: 1024 },
  4096: { min: 8192, max: 30720, step: 1024 },
  8192: { min: 16384, max: 61440, step: 4096 },
  16384: { min: 32768, max: 122880, step: 8192 },
};

/** Task CPU units Fargate accepts. */
export const FARGATE_CPU_UNITS = [256, 512, 1024, 2048, 4096, 8192, 16384] as const;
export type FargateCpu = (typeof FARGATE_CPU_UNITS)[number];

/** Whether Fargate runs a task of `cpu` units with `memory` MiB. */
export function isFargateSize(cpu: number, memory: number): boolean {
  const r = RANGES[cpu];
  if (!r) return false;
  if (Array.isArray(r)) return r.includes(memory);
  const range = r as MemoryRange;
  return memory >= range.min && memory <= range.max && (memory - range.min) % range.step === 0;
}

/** The memory sizes Fargate accepts with `cpu`, in words (`512, 1024 or 2048 MiB`). */
export function fargateMemoryText(cpu: number): string {
  const r = RANGES[cpu];
  if (!r) return `no memory size (cpu ${cpu} is not a Fargate size: ${FARGATE_CPU_UNITS.join(", ")})`;
  if (Array.isArray(r)) return `${r.slice(0, -1).join(", ")} or ${r[r.length - 1]} MiB`;
  const range = r as MemoryRange;
  return `${range.min} to ${range.max} MiB in steps of ${range.step}`;
}
