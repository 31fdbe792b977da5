/**
 * What `nst doctor` reports about the device: the backend that ran, the GL renderer and its
 * float support where there is one, and the float precision measured on the device itself
 * (drivers may silently compute in half precision, which would ruin the gradients).
 */
import { execFileSync } from 'node:child_process';
import { add } from '../../kernels/elementwise.js';
import { scaledDifference } from '../../kernels/loss.js';
import type { Engine } from './engine.js';
import { isGlBackend } from './backend.js';

export interface DeviceInfo {
  backend: string;
  /** WebGL's own strings (headless-gl reports ANGLE here). */
  webgl?: { renderer: string; version: string; maxTextureSize: number; floatTextures: boolean; floatRenderTargets: boolean; highpFragmentBits: number };
  /** The OpenGL driver behind the display, from `glxinfo -B` when that tool is installed. */
  openglRenderer?: string;
  /** Mantissa bits that survive a round trip through device arithmetic and storage (float32: 23). */
  mantissaBits: number;
}

/** Largest k such that (1 + 2^-k) - 1 is still non-zero when computed by the device. */
export function measureMantissaBits(engine: Engine): number {
  const n = 30;
  const ones = engine.upload(new Float32Array(n).fill(1), [1, 1, n]);
  const tiny = engine.upload(Float32Array.from({ length: n }, (_, k) => 2 ** -(k + 1)), [1, 1, n]);
  const sum = engine.run({ fn: add, output: [1, 1, n] }, ones, tiny);
  const difference = engine.run({ fn: scaledDifference, output: [1, 1, n], constants: { scale: 1 } }, sum, ones);
  const values = engine.read(difference);
  for (const t of [ones, tiny, sum, difference]) t.release();
  let bits = 0;
  while (bits < n && values[bits] === 2 ** -(bits + 1)) bits++;
  return bits;
}

function glxRenderer(): string | undefined {
  try {
    const out = execFileSync('glxinfo', ['-B'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return /OpenGL renderer string:\s*(.+)/.exec(out)?.[1]?.trim();
  } catch {
    return undefined;
  }
}

export function describeDevice(engine: Engine): DeviceInfo {
  const mantissaBits = measureMantissaBits(engine);
  const info: DeviceInfo = { backend: engine.backend, mantissaBits };
  const gl = engine.glContext;
  if (isGlBackend(engine.backend) && gl) {
    info.webgl = {
      renderer: String(gl.getParameter(gl.RENDERER)),
      version: String(gl.getParameter(gl.VERSION)),
      maxTextureSize: Number(gl.getParameter(gl.MAX_TEXTURE_SIZE)),
      floatTextures: gl.getExtension('OES_texture_float') !== null,
      floatRenderTargets: gl.getExtension('WEBGL_color_buffer_float') !== null,
      highpFragmentBits: gl.getShaderPrecisionFormat(gl.FRAGMENT_SHADER, gl.HIGH_FLOAT)?.precision ?? 0,
    };
    info.openglRenderer = glxRenderer();
  }
  return info;
}
