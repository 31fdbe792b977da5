/**
 * Every kernel, forward against the float64 reference and backward against finite differences
 * and the adjoint identity, on the backend named by NST_TEST_BACKEND (default cpu). The suite
 * fails when the engine ran on anything other than the backend it asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { checkCase, TOLERANCE } from '../src/check/gradient-check.js';
import { kernelCases, type CaseFactory, type CaseSize } from '../src/check/kernel-cases.js';
import { Rng } from '../src/check/random.js';
import { testBackend } from './backend-under-test.js';

const backend = testBackend();
/** gpu.js has kernel maps everywhere but webasm: the blocked convolution is checked there too. */
const kernelMaps = backend !== 'webasm';

const SIZES: Array<{ label: string; size: CaseSize }> = [
  { label: '1 channel, 5x4', size: { channels: 1, height: 5, width: 4, outChannels: 3 } },
  { label: '3 channels, 7x9 (odd, non-square)', size: { channels: 3, height: 7, width: 9, outChannels: 4 } },
  { label: '64 channels, 6x5', size: { channels: 64, height: 6, width: 5, outChannels: 64 } },
  // three channel groups (odd: the blocked Gram's second column group runs out), rows of 8 plus 3
  { label: '12 channels, 5x19', size: { channels: 12, height: 5, width: 19, outChannels: 8 } },
];

describe(`kernels on ${backend}`, () => {
  let engine: Engine;
  beforeAll(() => {
    engine = Engine.create(backend);
  });
  afterAll(() => engine?.destroy());

  it('runs on the backend it asked for', () => {
    expect(engine.backend).toBe(backend);
    expect(engine.kernelMaps, 'kernel maps (WEBGL_draw_buffers on GL)').toBe(kernelMaps);
  });

  const check = (make: CaseFactory, size: CaseSize) => {
    const rng = new Rng(1234 + size.channels * 31 + size.height);
    const c = make(engine, rng, size);
    try {
      const r = checkCase(engine, c, rng);
      expect.soft(r.forwardError, 'forward vs reference').toBeLessThanOrEqual(TOLERANCE.forward);
      expect.soft(r.gradientError, 'backward vs finite differences').toBeLessThanOrEqual(TOLERANCE.gradient);
      expect.soft(r.adjointError, 'adjoint identity').toBeLessThanOrEqual(TOLERANCE.adjoint);
      expect(r.passed).toBe(true);
    } finally {
      c.dispose();
    }
    expect(engine.liveTensors, 'every device tensor released').toBe(0);
  };

  for (const { kernel, make } of kernelCases(kernelMaps)) {
    for (const { label, size } of SIZES) {
      it(`${kernel}: ${label}`, () => check(make, size));
    }
  }

  // With 512 channels the blocked Gram has threads enough for 2 chunks of the pixel sum: 3
  // rows each, the last one short. The sizes above split it into chunks of one row.
  if (kernelMaps) it('gram blocked: 512 channels, 5x3 (pixel sum in chunks of several rows)', () => {
    const gramBlocked = kernelCases(kernelMaps).find((c) => c.kernel === 'gram blocked');
    expect(gramBlocked).toBeDefined();
    check(gramBlocked!.make, { channels: 512, height: 5, width: 3, outChannels: 512 });
  });
});
