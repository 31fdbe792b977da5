/**
 * What `nst doctor` reports about the device: the backend that ran, the GL renderer and its
 * float support where there is one, and the float precision measured on the device itself
 * (drivers may silently compute in half precision, which would ruin the gradients).
 */
import { add } from '../../kernels/elementwise.js';
import { scaledDifference } from '../../kernels/loss.js';
import type { Engine } from './engine.js';
import { isGlBackend } from './backend.js';

export interface WebGlInfo {
  renderer: string;
  version: string;
  maxTextureSize: number;
  /** The extension that gives float textures: OES_texture_float on WebGL 1; core on WebGL 2. */
  floatTexturesBy: string;
  floatTextures: boolean;
  /** The extension that lets kernels render into float textures: WEBGL_color_buffer_float, EXT_color_buffer_float on WebGL 2. */
  floatRenderTargetsBy: string;
  floatRenderTargets: boolean;
  highpFragmentBits: number;
}

export interface DeviceInfo {
  backend: string;
  /** WebGL's own strings (headless-gl reports ANGLE here; a browser its own or the GPU's). */
  webgl?: WebGlInfo;
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

export function describeDevice(engine: Engine): DeviceInfo {
  const mantissaBits = measureMantissaBits(engine);
  const info: DeviceInfo = { backend: engine.backend, mantissaBits };
  const gl = engine.glContext;
  if (isGlBackend(engine.backend) && gl) info.webgl = describeWebGl(gl, engine.backend === 'webgl2');
  return info;
}

/** The GPU or driver behind the context: browsers name it only through WEBGL_debug_renderer_info ("WebKit WebGL" otherwise). */
function rendererOf(gl: WebGLRenderingContext): string {
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  return String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
}

/** A WebGL context's renderer and float support (WebGL 2 has float textures in its core). */
export function describeWebGl(gl: WebGLRenderingContext, webgl2: boolean): WebGlInfo {
  const floatTexturesBy = webgl2 ? 'core' : 'OES_texture_float';
  const floatRenderTargetsBy = webgl2 ? 'EXT_color_buffer_float' : 'WEBGL_color_buffer_float';
  return {
    renderer: rendererOf(gl),
    version: String(gl.getParameter(gl.VERSION)),
    maxTextureSize: Number(gl.getParameter(gl.MAX_TEXTURE_SIZE)),
    floatTexturesBy,
    floatTextures: webgl2 || gl.getExtension(floatTexturesBy) !== null,
    floatRenderTargetsBy,
    floatRenderTargets: gl.getExtension(floatRenderTargetsBy) !== null,
    highpFragmentBits: gl.getShaderPrecisionFormat(gl.FRAGMENT_SHADER, gl.HIGH_FLOAT)?.precision ?? 0,
  };
}
