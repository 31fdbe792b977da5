/** Runs every kernel's check at a set of sizes on one engine: what `nst doctor` and the bench report. */
import type { Engine } from '../engine/engine.js';
import { checkCase, type CheckResult } from './gradient-check.js';
import { kernelCases, type CaseSize } from './kernel-cases.js';
import { Rng } from './random.js';

/** Small, odd and non-square (every pool floors), and one with many channels. */
export const DOCTOR_SIZES: readonly CaseSize[] = [
  { channels: 3, height: 7, width: 9, outChannels: 8 },
  { channels: 32, height: 6, width: 5, outChannels: 16 },
];

export function runKernelChecks(engine: Engine, sizes: readonly CaseSize[], seed = 2024): CheckResult[] {
  const rng = new Rng(seed);
  const results: CheckResult[] = [];
  for (const { make } of kernelCases(engine.kernelMaps)) {
    for (const size of sizes) {
      const c = make(engine, rng, size);
      try {
        results.push(checkCase(engine, c, rng));
      } finally {
        c.dispose();
      }
    }
  }
  return results;
}
