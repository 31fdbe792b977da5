/** `nst doctor` as a user runs it first on a new machine (npm test runs under xvfb-run). */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { avgPoolBackward, maxPoolBackward } from '../kernels/pool.js';
import { kernelCases } from '../src/check/kernel-cases.js';
import { DOCTOR_SIZES } from '../src/check/run-checks.js';
import { convertWeights } from '../src/weights/convert.js';
import { injectFailures, runNst, tempDir } from './helpers/cli.js';
import { fixturePath, TINY_VGG19 } from './fixtures/weights/fixtures.js';

describe('nst doctor', () => {
  const dir = tempDir();

  for (const backend of ['cpu', 'headlessgl']) {
    it(`reports ${backend} and passes every kernel check there`, async () => {
      const r = await runNst(['doctor', '--backend', backend], { cwd: dir, env: { NST_WEIGHTS: '' } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`^backend +${backend} \\(requested: ${backend}\\)`, 'm'));
      expect(r.stdout).toMatch(/precision +float32: 23 mantissa bits/);
      // cpu and headlessgl both have kernel maps, so the blocked convolution is checked too
      const cases = kernelCases(true);
      for (const { kernel } of cases) {
        expect(r.stdout.match(new RegExp(`^${kernel.replace('+', '\\+')} +\\[.*pass$`, 'gm'))?.length, kernel).toBe(DOCTOR_SIZES.length);
      }
      expect(r.stdout).toContain(`all ${cases.length * DOCTOR_SIZES.length} checks passed on ${backend}`);
      expect(r.stdout).toMatch(/weights +none found: .*nst weights import/);
      if (backend === 'headlessgl') expect(r.stdout).toMatch(/float textures +OES_texture_float: yes/);
    });
  }

  /**
   * A driver that cannot compile a kernel's shader, and one where gpu.js gives up on a kernel
   * and falls back to its CPU version: each kernel's rows fail with the reason, the others
   * still run and pass, and doctor exits 1 (test/helpers/inject-failures.mjs makes both happen).
   * Caught (each tried, then reverted): without the per-check catch (src/check/run-checks.ts)
   * doctor ended at the first failure with a stack trace and no table; without the fallback
   * case of GlOutputTextures.destroyKernel (a CPU kernel's arguments have no destroy()) it
   * printed the table, then a TypeError's stack trace.
   */
  it('reports a kernel that does not compile and one that falls back as FAIL rows, runs the rest, exits 1', async () => {
    const r = await runNst(['doctor', '--backend', 'headlessgl'], {
      cwd: dir,
      env: { NST_WEIGHTS: '', ...injectFailures(`compile-error:${maxPoolBackward.name},fallback:${avgPoolBackward.name}`) },
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    const rows = (kernel: string) => r.stdout.match(new RegExp(`^${kernel} +\\[.*$`, 'gm')) ?? [];
    for (const row of rows('maxpool2x2')) expect(row).toMatch(/ - +- +- +FAIL: Error compiling fragment shader: /);
    for (const row of rows('avgpool2x2')) expect(row).toContain(`FAIL: kernel '${avgPoolBackward.name}' ran on cpu instead of headlessgl: simulated`);
    expect(rows('maxpool2x2')).toHaveLength(DOCTOR_SIZES.length);
    expect(rows('avgpool2x2')).toHaveLength(DOCTOR_SIZES.length);
    const cases = kernelCases(true);
    for (const { kernel } of cases.filter((c) => !c.kernel.endsWith('pool2x2'))) {
      for (const row of rows(kernel.replace('+', '\\+'))) expect(row, kernel).toMatch(/ pass$/);
    }
    expect(r.stdout).toContain(`${2 * DOCTOR_SIZES.length} of ${cases.length * DOCTOR_SIZES.length} checks FAILED on headlessgl`);
  });

  describe('with a weights file', () => {
    const good = join(dir, 'tiny.nstw');
    const corrupt = join(dir, 'corrupt.nstw');
    beforeAll(() => {
      // The fixture bundle has VGG19's layer names but tiny shapes: it must fail the shape check.
      convertWeights({ source: fixturePath('uint8-bundle'), output: good, architecture: TINY_VGG19 });
      copyFileSync(good, corrupt);
      const bytes = readFileSync(corrupt);
      bytes[bytes.length - 1] ^= 0xff;
      writeFileSync(corrupt, bytes);
    });

    it('fails, naming the file, when the weights are corrupt', async () => {
      const r = await runNst(['doctor', '--backend', 'cpu', '--weights', corrupt]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/weights +FAILED: .*corrupt\.nstw.*checksum/);
    });

    it('fails when the weights do not have VGG19 shapes', async () => {
      const r = await runNst(['doctor', '--backend', 'cpu', '--weights', good]);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/weights +FAILED: .*tiny\.nstw/);
    });
  });
});
