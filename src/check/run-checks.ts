/**
 * Runs every kernel's check at a set of sizes on one engine: what `nst doctor`, the playground
 * and the bench report. A kernel that cannot run here (a shader that does not compile, a
 * fallback to another backend, any error) is a failed check with its reason, not the end of
 * the report: finding such kernels is what the report is for.
 */
import type { Engine } from '../engine/engine.js';
import { checkCase, type CheckResult, type DifferentiableCase } from './gradient-check.js';
import { kernelCases, type CaseSize } from './kernel-cases.js';
import { Rng } from './random.js';

/** Small, odd and non-square (every pool floors), and one with many channels. */
export const DOCTOR_SIZES: readonly CaseSize[] = [
  { channels: 3, height: 7, width: 9, outChannels: 8 },
  { channels: 32, height: 6, width: 5, outChannels: 16 },
];

/** The first line of what was thrown. */
function reasonOf(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  return text.split('\n')[0].trim();
}

/** The checks one at a time, so that a page can yield to the browser between them. */
export function* kernelChecks(engine: Engine, sizes: readonly CaseSize[], seed = 2024): Generator<CheckResult> {
  const rng = new Rng(seed);
  for (const { kernel, make } of kernelCases(engine.kernelMaps)) {
    for (const size of sizes) {
      let c: DifferentiableCase | null = null;
      let result: CheckResult;
      try {
        c = make(engine, rng, size);
        result = checkCase(engine, c, rng);
      } catch (e) {
        const shape = [size.channels, size.height, size.width] as const;
        result = { kernel, shape, forwardError: NaN, gradientError: NaN, adjointError: NaN, passed: false, error: reasonOf(e) };
      } finally {
        c?.dispose();
      }
      yield result;
    }
  }
}

export function runKernelChecks(engine: Engine, sizes: readonly CaseSize[], seed = 2024): CheckResult[] {
  return [...kernelChecks(engine, sizes, seed)];
}

/** The number of checks kernelChecks runs on `engine`. */
export function kernelCheckCount(engine: Engine, sizes: readonly CaseSize[]): number {
  return kernelCases(engine.kernelMaps).length * sizes.length;
}
