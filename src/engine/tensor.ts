/**
 * A tensor that lives on the device between kernels: shape [C][H][W] (NCHW with N = 1), float32.
 * On the GL backends its data is a texture; on cpu and webasm a nested array that gpu.js
 * passes straight into the next kernel. Release it as soon as it is no longer needed:
 * textures are device memory and gpu.js frees them only on `delete()`.
 */
export type Shape3 = readonly [channels: number, height: number, width: number];

/** Values per cell: 1 (scalars) or 4 (vec4 cells, e.g. 4 channels packed for the blocked conv). */
export type CellLanes = 1 | 4;

export interface DeviceData {
  /** Present on GL textures. */
  delete?: () => void;
  toArray?: () => unknown;
}

export class Tensor {
  private data: DeviceData | null;

  constructor(
    readonly shape: Shape3,
    data: DeviceData,
    /** Frees the data (the engine knows how: a GL texture goes back to its pool). */
    private readonly free: (data: DeviceData) => void,
    readonly lanes: CellLanes = 1,
  ) {
    this.data = data;
  }

  /** Values held (cells x lanes). */
  get size(): number {
    return this.shape[0] * this.shape[1] * this.shape[2] * this.lanes;
  }

  get released(): boolean {
    return this.data === null;
  }

  /** The backend's handle, for passing into a kernel. */
  get handle(): DeviceData {
    if (this.data === null) throw new Error(`tensor [${this.shape.join(', ')}] used after release`);
    return this.data;
  }

  release(): void {
    if (this.data === null) return;
    const data = this.data;
    this.data = null;
    this.free(data);
  }
}

export function sameShape(a: Shape3, b: Shape3): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

export function shapeSize(shape: Shape3): number {
  return shape[0] * shape[1] * shape[2];
}
