/**
 * Before any test: build dist/ once (the CLI tests run bin/nst.js, which runs dist/), and give
 * the run its own temporary directory (TMPDIR, inherited by the test workers and every child
 * they start), removed at the end, so that no test leaves files behind in /tmp. Vitest calls
 * this once per project: only the first call does the work (the rest find NST_TEST_RUN_DIR).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  if (process.env.NST_TEST_RUN_DIR) return () => {};
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
  const runDir = mkdtempSync(join(tmpdir(), 'nst-test-run-'));
  process.env.NST_TEST_RUN_DIR = runDir;
  process.env.TMPDIR = runDir;
  return () => {
    rmSync(runDir, { recursive: true, force: true });
    delete process.env.NST_TEST_RUN_DIR;
  };
}
