/** Backend choice, fallback detection and device memory bookkeeping of the engine. */
import gpujs from 'gpu.js';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendFallbackError, Engine } from '../src/engine/engine.js';
import { backendOfKernel, chooseBackend, resolveBackendRequest } from '../src/engine/backend.js';
import { UserError } from '../src/errors.js';

const { CPUKernel } = gpujs;

describe('backend selection', () => {
  const saved = process.env.NST_BACKEND;
  afterEach(() => {
    if (saved === undefined) delete process.env.NST_BACKEND;
    else process.env.NST_BACKEND = saved;
  });

  it('takes the option over NST_BACKEND over auto', () => {
    process.env.NST_BACKEND = 'webasm';
    expect(resolveBackendRequest('cpu')).toBe('cpu');
    expect(resolveBackendRequest()).toBe('webasm');
    delete process.env.NST_BACKEND;
    expect(resolveBackendRequest()).toBe('auto');
  });

  it('rejects an unknown backend name with a message naming its origin', () => {
    process.env.NST_BACKEND = 'cuda';
    expect(() => resolveBackendRequest()).toThrow(/NST_BACKEND: unknown backend 'cuda'/);
    expect(() => resolveBackendRequest('metal')).toThrow(UserError);
  });

  it('refuses a backend that does not exist here instead of downgrading', () => {
    expect(() => chooseBackend('webgl2')).toThrow(/backend 'webgl2' is not available: webgl2 exists only in a browser/);
  });

  it('reports the backend each kernel class belongs to', () => {
    for (const backend of ['cpu', 'webasm'] as const) {
      const engine = Engine.create(backend);
      engine.upload(new Float32Array(4), [1, 2, 2]).release();
      const [shortcut] = (engine as unknown as { kernels: Map<string, { kernel: object }> }).kernels.values();
      expect(backendOfKernel(shortcut.kernel)).toBe(backend);
      engine.destroy();
    }
  });
});

describe('engine', () => {
  it('fails when gpu.js swaps a kernel for its CPU fallback', () => {
    const engine = Engine.create('webasm');
    engine.upload(new Float32Array(4), [1, 2, 2]).release();
    const [shortcut] = (engine as unknown as { kernels: Map<string, gpujs.IKernelRunShortcut> }).kernels.values();
    // The same swap gpu.js makes when a backend cannot run a kernel (onRequestFallback).
    const fallback = new CPUKernel(shortcut.kernel.source, {
      output: shortcut.kernel.output,
      pipeline: true,
      immutable: true,
    } as never);
    (shortcut as unknown as { replaceKernel(k: object): void }).replaceKernel(fallback);
    expect(() => engine.upload(new Float32Array(4), [1, 2, 2])).toThrow(BackendFallbackError);
    expect(() => engine.upload(new Float32Array(4), [1, 2, 2])).toThrow(/ran on cpu instead of webasm/);
    engine.destroy();
  });

  it('round-trips data through the device and counts live tensors', () => {
    const engine = Engine.create('cpu');
    const data = Float32Array.from({ length: 2 * 3 * 5 }, (_, i) => i * 0.5 - 3);
    const t = engine.upload(data, [2, 3, 5]);
    expect(engine.liveTensors).toBe(1);
    expect(Array.from(engine.read(t))).toEqual(Array.from(data));
    t.release();
    t.release(); // idempotent
    expect(engine.liveTensors).toBe(0);
    expect(() => t.handle).toThrow(/used after release/);
    engine.destroy();
  });

  it('rejects an upload that does not fill its shape', () => {
    const engine = Engine.create('cpu');
    expect(() => engine.upload(new Float32Array(5), [1, 2, 2])).toThrow(/5 values do not fill shape \[1, 2, 2\]/);
    engine.destroy();
  });
});
