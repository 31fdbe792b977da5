/**
 * The `this` that gpu.js gives a kernel function. Kernels are plain functions that gpu.js
 * parses from their source text and transpiles per backend (GLSL, WebAssembly, JavaScript),
 * so inside them only arguments, `this.thread`, `this.constants`, local variables and Math
 * may be used: no closures, no imports, no arrays built at run time.
 *
 * Every tensor is 3-D, indexed t[z][y][x] = t[channel][row][column] (NCHW with N = 1).
 * The thread (x, y, z) computes the output cell out[z][y][x].
 */
export interface KernelThis<Constants> {
  thread: { x: number; y: number; z: number };
  constants: Constants;
}

/** A tensor argument as a kernel sees it. */
export type Tensor3 = number[][][];

/** A vec4 cell as kernels see it (gpu.js returnType 'Array(4)'), e.g. 4 channels of one pixel. */
export type Cell4 = [number, number, number, number];

/** A tensor of vec4 cells as a kernel sees it. */
export type PackedTensor3 = Cell4[][][];
