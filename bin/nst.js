#!/usr/bin/env node
// Thin entry point: the CLI is compiled from src/ by `npm run build` (run by `npm ci`).
import { spawn } from 'node:child_process';
import { constants } from 'node:os';

// glibc raises its mmap threshold to the size of the largest block freed (up to 32 MiB); after
// that the GL driver's texture buffers come from the heap, whose freed middle is never given
// back to the system. Pinning the threshold keeps big buffers in mmap, returned on free: peak
// memory of `nst stylize` at 512 px 1184 MiB without, 939 MiB with (bench/README.md). glibc
// reads it when the process starts, so the CLI runs itself again with it set.
const PINNED = 'MALLOC_MMAP_THRESHOLD_';

if (process.platform === 'linux' && process.env[PINNED] === undefined) {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [PINNED]: String(128 * 1024) },
  });
  // Ctrl-C reaches both processes from a terminal; a signal sent to this one alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? 128 + constants.signals[signal];
  });
} else {
  const { main } = await import('../dist/src/cli/main.js');
  process.exitCode = await main(process.argv.slice(2));
}
