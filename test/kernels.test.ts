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
import { pool2x2Backward } from '../src/ops/pool.js';
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

  /**
   * Max-pool backward where windows tie exactly, as in flat regions of photos and wherever
   * ReLU outputs zero: the whole gradient goes to the first maximal cell in row-major order
   * (kernels/pool.ts), none is lost or duplicated. The finite-difference check cannot see
   * this (it needs distinct inputs). Caught: '>=' for '>' in the kernel's arg-max (the last
   * maximal cell wins).
   */
  it('maxpool2x2 backward with exact ties: all gradient to the first maximal cell', () => {
    const shape = [4, 7, 9] as const; // odd: the last row and column belong to no window
    const rng = new Rng(77);
    const [c, h, w] = shape;
    const input = new Float32Array(c * h * w);
    for (let i = 0; i < input.length; i++) {
      const channel = Math.floor(i / (h * w));
      // 0: all zeros (a dead ReLU region); 1: values from {0, 1}; 2: from {-1, 0, 1}; 3: all 0.5
      input[i] = channel === 0 ? 0 : channel === 3 ? 0.5 : Math.floor(rng.uniform() * (channel + 1)) - (channel === 2 ? 1 : 0);
    }
    const outShape = [c, Math.floor(h / 2), Math.floor(w / 2)] as const;
    const gradOut = rng.normals(outShape[0] * outShape[1] * outShape[2]);
    const expected = new Float32Array(input.length);
    let ties = 0;
    for (let z = 0; z < c; z++) {
      for (let oy = 0; oy < outShape[1]; oy++) {
        for (let ox = 0; ox < outShape[2]; ox++) {
          const cells = [0, 1, 2, 3].map((k) => (z * h + 2 * oy + (k >> 1)) * w + 2 * ox + (k & 1));
          const max = Math.max(...cells.map((i) => input[i]));
          if (cells.filter((i) => input[i] === max).length > 1) ties++;
          expected[cells.find((i) => input[i] === max)!] = gradOut[(z * outShape[1] + oy) * outShape[2] + ox];
        }
      }
    }
    expect(ties, 'most windows tie').toBeGreaterThan(outShape[0] * outShape[1] * outShape[2] * 0.6);
    const x = engine.upload(input, shape);
    const g = engine.upload(gradOut, outShape);
    const gradIn = pool2x2Backward(engine, g, x, 'max');
    const result = engine.read(gradIn);
    for (const t of [x, g, gradIn]) t.release();
    expect(Array.from(result)).toEqual(Array.from(expected));
    expect(engine.liveTensors).toBe(0);
  });
});
