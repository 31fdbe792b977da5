/** `nst doctor` as a user runs it first on a new machine (npm test runs under xvfb-run). */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kernelCases } from '../src/check/kernel-cases.js';
import { DOCTOR_SIZES } from '../src/check/run-checks.js';
import { convertWeights } from '../src/weights/convert.js';
import { runNst, tempDir } from './helpers/cli.js';
import { fixturePath, TINY_CONVS } from './fixtures/weights/fixtures.js';

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

  describe('with a weights file', () => {
    const good = join(dir, 'tiny.nstw');
    const corrupt = join(dir, 'corrupt.nstw');
    beforeAll(() => {
      // The fixture bundle has VGG19's layer names but tiny shapes: it must fail the shape check.
      convertWeights({ source: fixturePath('uint8-bundle'), output: good, layers: TINY_CONVS });
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
