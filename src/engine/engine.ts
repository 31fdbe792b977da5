/**
 * The compute engine: one gpu.js instance on a verified backend, a cache of compiled kernels,
 * and device tensors that stay on the device between kernels. Only what the caller asks for
 * is read back (loss scalars, the image gradient).
 *
 * Kernels are compiled once per (function, output shape, constants, argument shapes): sizes
 * are baked in as constants so loop bounds are compile-time values on every backend.
 */
import gpujs from 'gpu.js';
import type { IKernelRunShortcut } from 'gpu.js';
import { backendOfKernel, chooseBackend, resolveBackendRequest, type BackendName, type BackendRequest } from './backend.js';
import { shapeSize, Tensor, type DeviceData, type Shape3 } from './tensor.js';
import { copy } from '../../kernels/elementwise.js';

const { GPU, Input } = gpujs;

/** A kernel function as written in kernels/: gpu.js parses its source text. */
export type KernelFunction = (...args: any[]) => number;

export interface KernelCall {
  fn: KernelFunction;
  /** Output shape [C][H][W]: one thread per cell. */
  output: Shape3;
  constants?: Record<string, number>;
}

/** gpu.js replaced the requested backend by another one (usually its silent CPU fallback). */
export class BackendFallbackError extends Error {
  constructor(requested: BackendName, ran: string, kernel: string, reason?: string) {
    super(`kernel '${kernel}' ran on ${ran} instead of ${requested}${reason ? `: ${reason}` : ''}`);
    this.name = 'BackendFallbackError';
  }
}

export class Engine {
  private readonly kernels = new Map<string, IKernelRunShortcut>();
  private live = 0;

  private constructor(
    readonly backend: BackendName,
    private readonly gpu: InstanceType<typeof GPU>,
  ) {}

  /** Chooses the backend (`request`, else NST_BACKEND, else auto); an unavailable one is an error. */
  static create(request: BackendRequest = resolveBackendRequest()): Engine {
    const backend = chooseBackend(request);
    return new Engine(backend, new GPU({ mode: backend }));
  }

  /** Runs a kernel over device tensors and returns its output, which the caller must release. */
  run(call: KernelCall, ...inputs: Tensor[]): Tensor {
    return this.launch(call, inputs.map((t) => t.handle), inputs.map((t) => t.shape));
  }

  /** Copies a host array (planar [C][H][W]) to the device. */
  upload(data: Float32Array, shape: Shape3): Tensor {
    if (data.length !== shapeSize(shape)) {
      throw new Error(`upload: ${data.length} values do not fill shape [${shape.join(', ')}]`);
    }
    const [c, h, w] = shape;
    return this.launch({ fn: copy, output: shape }, [new Input(data as unknown as number[], [w, h, c]) as unknown as DeviceData], [shape]);
  }

  /** Reads a tensor back to the host as a flat planar Float32Array. */
  read(t: Tensor): Float32Array {
    const [c, h, w] = t.shape;
    const handle = t.handle;
    const nested = (handle.toArray ? handle.toArray() : handle) as ArrayLike<ArrayLike<ArrayLike<number>>>;
    const flat = new Float32Array(c * h * w);
    for (let z = 0; z < c; z++) {
      for (let y = 0; y < h; y++) {
        flat.set(nested[z][y] as ArrayLike<number>, (z * h + y) * w);
      }
    }
    return flat;
  }

  /** Reads a [1][1][1] tensor and releases it. */
  takeScalar(t: Tensor): number {
    const value = this.read(t)[0];
    t.release();
    return value;
  }

  /** Tensors created and not yet released: lets tests prove that memory is returned. */
  get liveTensors(): number {
    return this.live;
  }

  /** The rendering context of the GL backends (for `nst doctor`), once a kernel has run there. */
  get glContext(): WebGLRenderingContext | null {
    for (const shortcut of this.kernels.values()) {
      const context = (shortcut.kernel as unknown as { context?: WebGLRenderingContext }).context;
      if (context) return context;
    }
    return null;
  }

  destroy(): void {
    for (const k of this.kernels.values()) k.destroy();
    this.kernels.clear();
    this.gpu.destroy();
  }

  private launch(call: KernelCall, args: DeviceData[], argShapes: Shape3[]): Tensor {
    const kernel = this.kernelFor(call, argShapes);
    const result = (kernel as unknown as (...a: unknown[]) => DeviceData)(...args);
    const ran = backendOfKernel(kernel.kernel);
    if (ran !== this.backend) {
      const reason = (kernel.kernel as unknown as { fallbackReason?: string }).fallbackReason;
      throw new BackendFallbackError(this.backend, ran, call.fn.name, reason);
    }
    this.live++;
    return new Tensor(call.output, result, () => this.live--);
  }

  private kernelFor(call: KernelCall, argShapes: Shape3[]): IKernelRunShortcut {
    const key = JSON.stringify([call.fn.name, call.output, call.constants ?? {}, argShapes]);
    let kernel = this.kernels.get(key);
    if (!kernel) {
      const [c, h, w] = call.output;
      kernel = this.gpu.createKernel(call.fn as never, {
        output: [w, h, c],
        constants: call.constants ?? {},
        pipeline: true,
        immutable: true,
        precision: 'single',
        tactic: 'precision',
      });
      this.kernels.set(key, kernel);
    }
    return kernel;
  }
}
