/**
 * Which GL backend a browser can give the kernels, and in plain words what is missing when it
 * cannot: WebGL 2 with float render targets (EXT_color_buffer_float) first, then WebGL 1 with
 * float textures (OES_texture_float). Browser only (it makes canvases).
 */
import { describeWebGl, type WebGlInfo } from './device-info.js';

export interface BrowserGl {
  /** The backend to ask the engine for; null: none here that can run the kernels. */
  backend: 'webgl2' | 'webgl' | null;
  info?: WebGlInfo;
  /** Why a better backend was passed over, in the order tried. */
  problems: string[];
}

function contextOf(kind: 'webgl2' | 'webgl'): WebGLRenderingContext | null {
  return document.createElement('canvas').getContext(kind) as WebGLRenderingContext | null;
}

/** Gives the probe's context back at once: browsers keep only a few alive. */
function lose(gl: WebGLRenderingContext): void {
  gl.getExtension('WEBGL_lose_context')?.loseContext();
}

export function probeBrowserGl(): BrowserGl {
  const problems: string[] = [];
  for (const backend of ['webgl2', 'webgl'] as const) {
    const gl = contextOf(backend);
    const name = backend === 'webgl2' ? 'WebGL 2' : 'WebGL 1';
    if (!gl) {
      problems.push(`${name} is not available in this browser (turned off, blocked for this GPU, or not supported)`);
      continue;
    }
    const info = describeWebGl(gl, backend === 'webgl2');
    lose(gl);
    if (!info.floatTextures) problems.push(`${name} has no float textures (${info.floatTexturesBy} missing)`);
    else if (backend === 'webgl2' && !info.floatRenderTargets) problems.push(`${name} cannot render to float textures (${info.floatRenderTargetsBy} missing)`);
    else return { backend, info, problems };
  }
  return { backend: null, problems };
}
