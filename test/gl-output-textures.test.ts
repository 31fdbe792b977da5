/**
 * The GL engine's output textures (src/engine/gl-output-textures.ts): owned by the tensors,
 * recycled through the pool, and given back to the system when the pool is trimmed. Runs on
 * headlessgl only (vitest.config.ts): cpu and webasm tensors are plain arrays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import gpujs from 'gpu.js';
import { BackendFallbackError, Engine } from '../src/engine/engine.js';
import type { Shape3 } from '../src/engine/tensor.js';
import { copy } from '../kernels/elementwise.js';
import { Conv3x3 } from '../src/ops/conv.js';
import { Rng } from '../src/check/random.js';
import { testBackend } from './backend-under-test.js';

const MiB = 2 ** 20;
const { CPUKernel } = gpujs;

describe(`GL output textures on ${testBackend()}`, () => {
  let engine: Engine;
  beforeAll(() => {
    engine = Engine.create(testBackend());
  });
  afterAll(() => engine.destroy());

  it('runs on a GL backend', () => {
    expect(['headlessgl', 'webgl', 'webgl2']).toContain(engine.backend);
  });

  it('outputs of the same kernel kept at once are distinct textures with their own values', () => {
    const shape: Shape3 = [2, 3, 5];
    const a = Float32Array.from({ length: 30 }, (_, i) => i);
    const b = Float32Array.from({ length: 30 }, (_, i) => -i);
    const [ta, tb] = [engine.upload(a, shape), engine.upload(b, shape)];
    const [ca, cb] = [engine.run({ fn: copy, output: shape }, ta), engine.run({ fn: copy, output: shape }, tb)];
    expect(Array.from(engine.read(ca))).toEqual(Array.from(a));
    expect(Array.from(engine.read(cb))).toEqual(Array.from(b));
    for (const t of [ta, tb, ca, cb]) t.release();
  });

  it('kernels run after a one-shot upload (whose kernel is destroyed) still draw correctly', () => {
    const shape: Shape3 = [3, 7, 9];
    const data = Float32Array.from({ length: 3 * 7 * 9 }, (_, i) => i - 50);
    const other = data.map((v) => -2 * v);
    engine.upload(data, shape).release(); // builds the cached upload kernel first
    const once = engine.uploadOnce(new Float32Array(4 * 3 * 9).fill(2), [4, 3, 9]);
    // Renders into the texture `data` was in (pooled): a draw that did not happen shows.
    const again = engine.upload(other, shape);
    expect(Array.from(engine.read(again))).toEqual(Array.from(other));
    expect(Array.from(engine.read(once))).toEqual(new Array(4 * 3 * 9).fill(2));
    for (const t of [once, again]) t.release();
  });

  it('a released output goes to the pool, and the next output of that size reuses it', () => {
    engine.releaseCachedMemory();
    const shape: Shape3 = [4, 16, 16];
    const x = engine.upload(new Float32Array(4 * 16 * 16).fill(1), shape);
    const first = engine.run({ fn: copy, output: shape }, x);
    const firstTexture = (first.handle as unknown as { texture: WebGLTexture }).texture;
    const pooledBefore = engine.cachedBytes;
    first.release();
    // Nothing else holds the texture (the kernel let go of it): releasing pools it.
    expect(engine.cachedBytes).toBeGreaterThan(pooledBefore);
    const second = engine.run({ fn: copy, output: shape }, x);
    expect((second.handle as unknown as { texture: WebGLTexture }).texture).toBe(firstTexture);
    expect(engine.cachedBytes).toBe(pooledBefore);
    expect(Array.from(engine.read(second))).toEqual(new Array(4 * 16 * 16).fill(1));
    second.release();
    x.release();
    engine.releaseCachedMemory();
    expect(engine.cachedBytes).toBe(0);
  });

  it('kernel maps hand over all their outputs (blocked convolution)', () => {
    const rng = new Rng(3);
    const conv = Conv3x3.upload(engine, rng.normals(8 * 4 * 9, 0.3), rng.normals(8, 0.1), 8, 4, 'blocked');
    const weightTensors = engine.liveTensors;
    const x = engine.upload(rng.normals(4 * 6 * 6), [4, 6, 6]);
    engine.releaseCachedMemory();
    const out = conv.forward(x, true);
    // pack, 4 block outputs and unpack all went through the pool; only the output is live.
    expect(engine.liveTensors).toBe(weightTensors + 2);
    const pooled = engine.cachedBytes;
    out.release();
    expect(engine.cachedBytes).toBeGreaterThan(pooled);
    const again = conv.forward(x, true);
    expect(engine.cachedBytes).toBe(pooled);
    for (const t of [again, x]) t.release();
    conv.release();
    expect(engine.liveTensors).toBe(0);
  });

  it('reports a kernel that gpu.js swapped for its CPU fallback instead of managing its textures', () => {
    const shape: Shape3 = [1, 1, 4]; // a shape no other test uploads: its kernel is the newest
    engine.upload(new Float32Array(4), shape).release();
    const shortcut = [...(engine as unknown as { kernels: Map<string, gpujs.IKernelRunShortcut> }).kernels.values()].at(-1)!;
    const original = shortcut.kernel;
    const swap = (k: object) => (shortcut as unknown as { replaceKernel(k: object): void }).replaceKernel(k);
    swap(new CPUKernel(original.source, { output: original.output, pipeline: true, immutable: true } as never));
    try {
      expect(() => engine.upload(new Float32Array(4), shape)).toThrow(BackendFallbackError);
      expect(() => engine.upload(new Float32Array(4), shape)).toThrow(`ran on cpu instead of ${engine.backend}`);
    } finally {
      swap(original);
    }
  });

  it('gives the memory of released tensors back to the system once the pool is trimmed', () => {
    // Kernels with 64 MiB outputs of different shapes. Kernels that kept their last output
    // (gpu.js's own behaviour) would add 64 MiB each; the first round also pays one-time
    // costs (upload buffers, the driver's own), so growth is counted from after it.
    const host = new Float32Array(64 * 512 * 512).fill(1);
    const round = (channels: number) => {
      const shape: Shape3 = [channels, 512, 512];
      const input = engine.uploadOnce(host.subarray(0, channels * 512 * 512), shape);
      const output = engine.run({ fn: copy, output: shape }, input);
      input.release();
      output.release();
      engine.releaseCachedMemory();
    };
    round(64);
    const afterFirst = process.memoryUsage().rss;
    for (let k = 1; k < 8; k++) round(64 - k);
    const grown = (process.memoryUsage().rss - afterFirst) / MiB;
    expect(grown).toBeLessThan(128);
  });
});
