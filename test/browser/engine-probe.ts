/**
 * Runs in Chromium (bundled by engine-webgl2.test.ts): puts the engine's GL machinery through
 * its paces on webgl2 and reports what it saw, for the test to assert in Node.
 */
import gpujs from 'gpu.js';
import { copy } from '../../kernels/elementwise.js';
import { packChannels } from '../../kernels/packing.js';
import { backendOfKernel } from '../../src/engine/backend.js';
import { BackendFallbackError, Engine } from '../../src/engine/engine.js';
import type { Shape3 } from '../../src/engine/tensor.js';

interface ShortcutInternals {
  kernel: { texSize: ArrayLike<number>; compiledFragmentShader: string | null; source: string; output: number[]; context: WebGL2RenderingContext };
  replaceKernel(k: object): void;
}

const kernelsOf = (engine: Engine) => (engine as unknown as { kernels: Map<string, ShortcutInternals> }).kernels;
const textureOf = (t: { handle: unknown }) => (t.handle as { texture: WebGLTexture }).texture;

async function probe(): Promise<Record<string, unknown>> {
  const report: Record<string, unknown> = {};
  const engine = Engine.create('webgl2');
  try {
    report.backend = engine.backend;
    report.kernelMaps = engine.kernelMaps;

    // A round trip through a kernel, and the class of the kernel that ran it.
    const shape: Shape3 = [2, 3, 5];
    const data = Float32Array.from({ length: 30 }, (_, i) => i * 0.5 - 3);
    const x = engine.upload(data, shape);
    report.roundTrip = Array.from(engine.read(x)).every((v, i) => v === data[i]);
    const [upload] = kernelsOf(engine).values();
    report.kernelClass = backendOfKernel(upload.kernel);
    report.glVersion = String(upload.kernel.context.getParameter(upload.kernel.context.VERSION));
    report.maxDrawBuffers = Number(upload.kernel.context.getParameter(upload.kernel.context.MAX_DRAW_BUFFERS));

    // Row-aligned vec4 output: [D][H][W] in a texture W wide, and the shader's direct fetch.
    const packed = engine.run({ fn: packChannels, output: [2, 6, 7], lanes: 4, constants: { channels: 8 } }, engine.upload(new Float32Array(8 * 6 * 7), [8, 6, 7]));
    const packKernel = [...kernelsOf(engine).values()].at(-1)!.kernel;
    report.rowAlignedTexSize = Array.from(packKernel.texSize);
    report.directFetchInShader = (packKernel.compiledFragmentShader ?? '').includes('if (texSize.x == texDim.x)');
    report.webgl2SamplingCall = /return texture\(tex, st \/ vec2\(texSize\)\);/.test(packKernel.compiledFragmentShader ?? '');
    packed.release();

    // Output texture pool: a released output's texture is reused by the next output of its size.
    engine.releaseCachedMemory();
    const first = engine.run({ fn: copy, output: shape }, x);
    const firstTexture = textureOf(first);
    const pooledBefore = engine.cachedBytes;
    first.release();
    report.pooledAfterRelease = engine.cachedBytes > pooledBefore;
    const second = engine.run({ fn: copy, output: shape }, x);
    report.textureReused = textureOf(second) === firstTexture;
    report.reusedValuesRight = Array.from(engine.read(second)).every((v, i) => v === data[i]);
    second.release();
    x.release();

    // Fallback detection: swap a kernel for gpu.js's CPU kernel, as its silent fallback does.
    const [shortcut] = kernelsOf(engine).values();
    const original = shortcut.kernel;
    shortcut.replaceKernel(new gpujs.CPUKernel(original.source, { output: original.output, pipeline: true, immutable: true } as never));
    try {
      engine.upload(data, shape).release();
      report.fallback = 'not detected';
    } catch (e) {
      report.fallback = e instanceof BackendFallbackError ? e.message : `other error: ${String(e)}`;
    } finally {
      shortcut.replaceKernel(original); // destroy() releases GL kernels the GL way
    }
  } finally {
    engine.destroy();
  }
  return report;
}

(window as unknown as { engineProbe: typeof probe }).engineProbe = probe;
