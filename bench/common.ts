/** What the benchmarks share: the machine they ran on, where a backend can run. */
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import { chooseBackend, type BackendName } from '../src/engine/backend.js';

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
