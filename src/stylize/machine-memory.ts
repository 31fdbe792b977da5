/**
 * How much memory a run may plan to use: the memory check and the automatic tile choice
 * (evaluation.ts) compare the run's estimate (memory.ts) with it. By default 80 % of the
 * machine's memory, the rest left to the system and other programs: os.totalmem() in Node,
 * navigator.deviceMemory in a browser that tells it (Chromium: GiB, rounded, at most 8), else
 * no limit (no check, no automatic tiles). No Node built-in is imported: the browser bundle
 * takes this module too.
 */
import { UserError } from '../errors.js';
import { formatBytes } from './memory.js';

/** The share of the machine's memory a run plans to use. */
export const MEMORY_SHARE = 0.8;

/** The bytes a run may use, and where that number came from (for messages). */
export interface MemoryLimit {
  bytes: number;
  source: string;
}

/** What this reads of the platform: Node's process, a browser's navigator. */
export interface Platform {
  process?: { getBuiltinModule?(id: 'node:os'): { totalmem(): number } | undefined };
  navigator?: { deviceMemory?: unknown };
}

/** The machine's memory in bytes, where the platform says it. */
function machineMemoryBytes(platform: Platform): number | null {
  // Node: through getBuiltinModule, which no bundler follows (an import of node:os would fail the browser build).
  const os = platform.process?.getBuiltinModule?.('node:os');
  if (os) return os.totalmem();
  const gib = platform.navigator?.deviceMemory;
  return typeof gib === 'number' && gib > 0 ? gib * 2 ** 30 : null;
}

/**
 * The limit a run plans within: `given` bytes (the memoryLimitBytes option), else 80 % of the
 * machine's memory; null where neither is known.
 */
export function memoryLimit(given?: number, platform: Platform = globalThis as Platform): MemoryLimit | null {
  if (given !== undefined) {
    if (typeof given !== 'number' || !(given > 0)) throw new UserError(`memoryLimitBytes: expected a number of bytes > 0, got ${String(given)}`, 'memoryLimitBytes');
    return { bytes: given, source: 'memoryLimitBytes' };
  }
  const total = machineMemoryBytes(platform);
  return total === null ? null : { bytes: total * MEMORY_SHARE, source: `${MEMORY_SHARE * 100} % of this machine's ${formatBytes(total)}` };
}

/** A run's own limit, --max-memory (the maxMemory option, bytes in the configuration), else `machine`'s. */
export function runMemoryLimit(config: { maxMemory: number | null }, machine: MemoryLimit | null): MemoryLimit | null {
  return config.maxMemory === null ? machine : { bytes: config.maxMemory, source: '--max-memory' };
}
