/**
 * Which gpu.js backend runs the kernels, and how we find out which one really did.
 *
 * gpu.js picks a backend per GPU instance but may replace a kernel by a CPU fallback on its
 * first run (a shader that fails to compile, an unsupported argument): it only warns on the
 * console. We therefore read the class of the kernel that actually ran after every call.
 */
import gpujs from 'gpu.js';
import { UserError } from '../errors.js';

const { GPU, HeadlessGLKernel, WebGL2Kernel, WebGLKernel, WebAssemblyKernel, CPUKernel } = gpujs;

export const BACKENDS = ['headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendRequest = BackendName | 'auto';

/** Environment variable that overrides the automatic choice (the --backend option overrides it). */
export const BACKEND_ENV = 'NST_BACKEND';

export function parseBackendRequest(value: string, origin: string): BackendRequest {
  if (value === 'auto' || (BACKENDS as readonly string[]).includes(value)) return value as BackendRequest;
  throw new UserError(`${origin}: unknown backend '${value}' (expected auto, ${BACKENDS.join(', ')})`);
}

/** The request in force (Node): an explicit option wins over NST_BACKEND, which wins over auto. */
export function resolveBackendRequest(option?: string): BackendRequest {
  if (option !== undefined) return parseBackendRequest(option, '--backend');
  const env = process.env[BACKEND_ENV];
  if (env) return parseBackendRequest(env, BACKEND_ENV);
  return 'auto';
}

function isSupported(name: BackendName): boolean {
  switch (name) {
    case 'headlessgl':
      return GPU.isHeadlessGLSupported;
    case 'webgl2':
      return GPU.isWebGL2Supported;
    case 'webgl':
      return GPU.isWebGLSupported;
    case 'webasm':
      return GPU.isWebAssemblySupported;
    case 'cpu':
      return true;
  }
}

/** Why a backend cannot be had here, in words a user can act on. */
function unavailableReason(name: BackendName): string {
  switch (name) {
    case 'headlessgl':
      return 'no WebGL context could be created: the optional `gl` package must be built (see README) and an X display must exist (run under `xvfb-run -a` on a headless machine)';
    case 'webgl2':
    case 'webgl':
      return typeof document === 'undefined'
        ? `${name} exists only in a browser`
        : `this browser gives no ${name === 'webgl2' ? 'WebGL 2' : 'WebGL'} context (turned off, blocked for this GPU, or not supported)`;
    case 'webasm':
      return 'WebAssembly is not available in this JavaScript runtime';
    case 'cpu':
      return 'unreachable';
  }
}

/** Auto order: GPU first, then WebAssembly SIMD, then plain JavaScript. */
export function chooseBackend(request: BackendRequest): BackendName {
  if (request !== 'auto') {
    if (!isSupported(request)) throw new UserError(`backend '${request}' is not available: ${unavailableReason(request)}`);
    return request;
  }
  return BACKENDS.find(isSupported) ?? 'cpu';
}

/** The backend a gpu.js kernel instance belongs to (subclasses before their parents). */
export function backendOfKernel(kernel: object): BackendName | 'other' {
  if (kernel instanceof HeadlessGLKernel) return 'headlessgl';
  if (kernel instanceof WebGL2Kernel) return 'webgl2';
  if (kernel instanceof WebGLKernel) return 'webgl';
  if (kernel instanceof WebAssemblyKernel) return 'webasm';
  if (kernel instanceof CPUKernel) return 'cpu';
  return 'other';
}

export function isGlBackend(name: BackendName): boolean {
  return name === 'headlessgl' || name === 'webgl2' || name === 'webgl';
}
