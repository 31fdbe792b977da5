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
import { backendOfKernel, chooseBackend, isGlBackend, type BackendName, type BackendRequest } from './backend.js';
import { shapeSize, Tensor, type CellLanes, type DeviceData, type Shape3 } from './tensor.js';
import { copy } from '../../kernels/elementwise.js';
import { GlOutputTextures } from './gl-output-textures.js';
import { rowAlignedKernelClass } from './gl-row-aligned.js';

const { GPU, Input } = gpujs;

/** A kernel function as written in kernels/: gpu.js parses its source text. */
export type KernelFunction = (...args: any[]) => number | number[];

export interface KernelCall {
  fn: KernelFunction;
  /** Output shape [C][H][W]: one thread per cell. */
  output: Shape3;
  constants?: Record<string, number>;
  /** 4: every cell is a vec4 (gpu.js returnType 'Array(4)'); default 1, a scalar. */
  lanes?: CellLanes;
  /** Helper functions the kernel calls. */
  functions?: KernelFunction[];
}

/** A kernel map: `call` plus functions whose return values are extra outputs, in this order. */
export interface KernelMapCall extends KernelCall {
  outputs: KernelFunction[];
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
  /** GL only: output textures belong to the tensors and are recycled (gl-output-textures.ts). */
  private readonly outputTextures: GlOutputTextures | null;

  private constructor(
    readonly backend: BackendName,
    private readonly gpu: InstanceType<typeof GPU>,
  ) {
    this.outputTextures = isGlBackend(backend) ? new GlOutputTextures() : null;
  }

  /** Chooses the backend (`request`; auto: the first available); an unavailable one is an error. */
  static create(request: BackendRequest): Engine {
    const backend = chooseBackend(request);
    const gpu = new GPU({ mode: backend });
    if (isGlBackend(backend)) {
      const instance = gpu as unknown as { Kernel: unknown };
      instance.Kernel = rowAlignedKernelClass(instance.Kernel);
    }
    return new Engine(backend, gpu);
  }

  /** Runs a kernel over device tensors and returns its output, which the caller must release. */
  run(call: KernelCall, ...inputs: Tensor[]): Tensor {
    return this.launch(call, inputs.map((t) => t.handle), inputs.map(signature))[0];
  }

  /** Whether kernel maps (several outputs per thread) run on this backend without a fallback. */
  get kernelMaps(): boolean {
    const features = (this.gpu as unknown as { Kernel?: { features?: { kernelMap?: boolean } } }).Kernel?.features;
    return features?.kernelMap === true;
  }

  /** Runs a kernel map: the kernel's own output first, then one per function in `call.outputs`. */
  runMap(call: KernelMapCall, ...inputs: Tensor[]): Tensor[] {
    return this.launch(call, inputs.map((t) => t.handle), inputs.map(signature));
  }

  /** Copies a host array (planar [C][H][W]) to the device, through a cached kernel. */
  upload(data: Float32Array, shape: Shape3): Tensor {
    return this.launch(uploadCall(data, shape), [hostInput(data, shape)], ['input'])[0];
  }

  /**
   * Copies data that goes to the device once, such as weights. gpu.js keeps the last values
   * passed to a kernel (a texture and a host buffer of the same size): for weights that would
   * be a second and third copy of the network, so the upload kernel is destroyed afterwards.
   */
  uploadOnce(data: Float32Array, shape: Shape3): Tensor {
    const call = uploadCall(data, shape);
    const kernel = this.compile(call);
    try {
      return this.runKernel(kernel, call, [hostInput(data, shape)])[0];
    } finally {
      this.destroyKernel(kernel);
    }
  }

  /** Reads a scalar tensor back to the host as a flat planar Float32Array. */
  read(t: Tensor): Float32Array {
    if (t.lanes !== 1) throw new Error('read: only scalar tensors are read back (unpack vec4 tensors first)');
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

  /**
   * Device memory kept for reuse (GL: released output textures, pooled by size), in bytes;
   * 0 on cpu and webasm, whose tensors are plain arrays for the garbage collector.
   */
  get cachedBytes(): number {
    return this.outputTextures?.pooledBytes ?? 0;
  }

  /** Frees the memory kept for reuse: call after work at sizes that will not come again. */
  releaseCachedMemory(): void {
    this.outputTextures?.trim();
  }

  destroy(): void {
    this.releaseCachedMemory();
    for (const k of this.kernels.values()) this.destroyKernel(k);
    this.kernels.clear();
    this.gpu.destroy();
  }

  private destroyKernel(kernel: IKernelRunShortcut): void {
    if (this.outputTextures) this.outputTextures.destroyKernel(kernel.kernel);
    else kernel.destroy();
  }

  /** GL: a kernel's output textures come from the pool, also on its first run. */
  private prepareOutputs(kernel: IKernelRunShortcut, args: DeviceData[], textures: GlOutputTextures): void {
    const k = kernel.kernel as unknown as { built: boolean; build(...a: unknown[]): void };
    if (!k.built) {
      k.build(...args);
      // A build that gave up on the backend swapped the kernel: runKernel reports that.
      if (kernel.kernel !== (k as unknown)) return;
      textures.afterBuild(k);
    }
    textures.beforeRun(k);
  }

  private free(data: DeviceData): void {
    this.live--;
    if (this.outputTextures) this.outputTextures.release(data);
    else data.delete?.();
  }

  /** Runs the cached kernel for (function, outputs, shape, constants, cell width, argument shapes). */
  private launch(call: KernelCall | KernelMapCall, args: DeviceData[], argSignatures: string[]): Tensor[] {
    const key = JSON.stringify([call.fn.name, mapOutputs(call).map((f) => f.name), call.output, call.constants ?? {}, call.lanes ?? 1, argSignatures]);
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = this.compile(call);
      this.kernels.set(key, kernel);
    }
    return this.runKernel(kernel, call, args);
  }

  private runKernel(kernel: IKernelRunShortcut, call: KernelCall | KernelMapCall, args: DeviceData[]): Tensor[] {
    if (this.outputTextures) {
      // A kernel gpu.js swapped for its fallback on an earlier run has no GL textures to manage.
      this.assertOnBackend(kernel, call);
      this.prepareOutputs(kernel, args, this.outputTextures);
    }
    const result = (kernel as unknown as (...a: unknown[]) => DeviceData | Record<string, DeviceData>)(...args);
    this.assertOnBackend(kernel, call);
    this.outputTextures?.afterRun(kernel.kernel);
    const outputs = 'outputs' in call ? mapResults(result as Record<string, DeviceData>, call.outputs) : [result as DeviceData];
    const lanes = call.lanes ?? 1;
    return outputs.map((data) => {
      this.live++;
      return new Tensor(call.output, data, (released) => this.free(released), lanes);
    });
  }

  private assertOnBackend(kernel: IKernelRunShortcut, call: KernelCall): void {
    const ran = backendOfKernel(kernel.kernel);
    if (ran !== this.backend) {
      const reason = (kernel.kernel as unknown as { fallbackReason?: string }).fallbackReason;
      throw new BackendFallbackError(this.backend, ran, call.fn.name, reason);
    }
  }

  private compile(call: KernelCall | KernelMapCall): IKernelRunShortcut {
    const outputs = mapOutputs(call);
    const [c, h, w] = call.output;
    const settings = {
      output: [w, h, c],
      constants: call.constants ?? {},
      pipeline: true,
      immutable: true,
      precision: 'single',
      tactic: 'precision',
      // Scalars 4 to a texel on GL: otherwise each float takes a whole RGBA32F texel; measured
      // peak memory of nst stylize at 512 px 5318 MiB without, 2486 MiB with (bench/README.md)
      ...(call.lanes === 4 ? { returnType: 'Array(4)' } : { optimizeFloatMemory: true }),
      ...(call.functions ? { functions: call.functions.map(sourceUnderOwnName) } : {}),
    } as const;
    return outputs.length > 0
      ? (this.gpu.createKernelMap(Object.fromEntries(outputs.map((f) => [f.name, sourceUnderOwnName(f)])) as never, call.fn as never, settings as never) as unknown as IKernelRunShortcut)
      : this.gpu.createKernel(call.fn as never, settings as never);
  }
}

/**
 * A helper's source for gpu.js, which reads the helper's name from the text. A bundler may
 * rename the declaration while the kernels call it by its bare name (esbuild turns
 * `function reluCell` into `function reluCell2`, kernels/cell-functions.ts says why the calls
 * are bare), so the text gets the function's own name back: `fn.name`, which esbuild keeps
 * with `keepNames` (playground/build.ts).
 */
function sourceUnderOwnName(fn: KernelFunction): string {
  const source = fn.toString();
  const declaration = /^function\s*[\w$]*\s*\(/;
  if (!declaration.test(source)) throw new Error(`kernel helper '${fn.name}' must be a function declaration: gpu.js reads its name from its source`);
  return source.replace(declaration, `function ${fn.name}(`);
}

function mapOutputs(call: KernelCall | KernelMapCall): KernelFunction[] {
  return 'outputs' in call ? call.outputs : [];
}

function uploadCall(data: Float32Array, shape: Shape3): KernelCall {
  if (data.length !== shapeSize(shape)) {
    throw new Error(`upload: ${data.length} values do not fill shape [${shape.join(', ')}]`);
  }
  return { fn: copy, output: shape };
}

/** A host array as a gpu.js kernel argument: Input takes its sizes innermost first. */
function hostInput(data: Float32Array, [c, h, w]: Shape3): DeviceData {
  return new Input(data as unknown as number[], [w, h, c]) as unknown as DeviceData;
}

/** A tensor's shape and cell width, which together decide the kernel gpu.js compiles for it. */
function signature(t: Tensor): string {
  return `${t.shape.join('x')}/${t.lanes}`;
}

/** gpu.js returns a kernel map's outputs by function name, the kernel's own as `result`. */
function mapResults(result: Record<string, DeviceData>, outputs: KernelFunction[]): DeviceData[] {
  return [result.result, ...outputs.map((f) => result[f.name])];
}
