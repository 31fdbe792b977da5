/** What the benchmarks share: random VGG19 weights, the machine they ran on, where a backend can run. */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import type { Rng } from '../src/check/random.js';
import { chooseBackend, type BackendName } from '../src/engine/backend.js';
import { VGG19_CONVS } from '../src/vgg/layers.js';
import type { ConvWeights } from '../src/weights/model-weights.js';

/** VGG19-shaped random weights: speed does not depend on the values. */
export function randomVggWeights(rng: Rng): ConvWeights[] {
  return VGG19_CONVS.map((l) => ({
    name: l.name,
    inChannels: l.inChannels,
    outChannels: l.outChannels,
    weight: rng.normals(l.outChannels * l.inChannels * 9, Math.sqrt(2 / (9 * l.inChannels))),
    bias: rng.normals(l.outChannels, 0.01),
  }));
}

export function machine() {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    /**
     * Other work on the machine skews both sides, PyTorch's threads most. A hint only: it lags
     * by about a minute, so it neither proves nor rules out contention during the run.
     */
    loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
  };
}

/** 'here', or 'xvfb' for headlessgl without a display when xvfb-run can provide one. */
export function whereToMeasure(backend: BackendName): 'here' | 'xvfb' | 'no' {
  try {
    chooseBackend(backend);
    return 'here';
  } catch {
    if (backend !== 'headlessgl' || process.env.DISPLAY) return 'no';
    return spawnSync('which', ['xvfb-run']).status === 0 ? 'xvfb' : 'no';
  }
}

/** Runs a benchmark script again under `xvfb-run -a` and returns its stdout (its --json output). */
export function rerunUnderXvfb(script: string, args: string[]): string {
  return execFileSync('xvfb-run', ['-a', process.execPath, script, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 24,
  });
}
