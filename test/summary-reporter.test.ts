/**
 * The summary reporter (test/summary-reporter.ts) on a run of its own over
 * test/fixtures/reporter, whose files fail in every way a run can: a test, a suite's setup
 * (vitest then marks its tests skipped), a suite's teardown (its tests passed), a file that
 * cannot load. Caught: the reporter as it was (counting tests only) printed
 * '3 passed, 1 failed, 3 skipped' for this run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from './helpers/cli.js';

describe('summary reporter', () => {
  it('counts and names suites whose setup or teardown failed, files that did not load, failed and skipped tests', () => {
    // A clean environment: this vitest's own variables would confuse the inner run.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST') && k !== 'NST_TEST_BACKEND'));
    const r = spawnSync(process.execPath, [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/reporter/vitest.config.ts'], {
      cwd: REPO,
      env,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(1);
    const summary = r.stdout.trim().split('\n').filter((line) => /^(skipped|failed): |^\d+ passed/.test(line));
    expect(summary).toEqual([
      'skipped: plain.fixture.ts > is skipped on purpose',
      'failed: module-fails.fixture.ts: cannot even load',
      'failed: plain.fixture.ts > fails',
      'failed: setup-fails.fixture.ts > a suite whose setup fails: no display (2 tests did not run)',
      'failed: teardown-fails.fixture.ts > a suite whose teardown fails: device memory left behind',
      '3 passed, 4 failed, 1 skipped',
    ]);
  });
});
