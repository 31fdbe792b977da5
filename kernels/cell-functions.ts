/**
 * Functions that kernels call on vec4 cells, and the extra outputs of kernel maps.
 *
 * gpu.js compiles a kernel from its source text, so a kernel must call these by their bare
 * names, `accumulate4x4(...)`: an imported binding may be rewritten by a bundler or test
 * runner into something gpu.js cannot read (vitest turns it into `__vi_import_0__.f(...)`).
 * So they are declared global here for the type checker, defined once as ordinary functions
 * below, and the ops hand the definitions to gpu.js with each kernel (`functions`, and a
 * kernel map's `outputs`).
 */
import type { Cell4 } from './kernel-this.js';

declare global {
  function accumulate4x4(acc: Cell4, w0: Cell4, w1: Cell4, w2: Cell4, w3: Cell4, v: Cell4): Cell4;
  function reluCell(v: Cell4, relu: number): Cell4;
  function addScaledCell(acc: Cell4, s: number, v: Cell4): Cell4;
  function cellComponent(v: Cell4, k: number): number;
  function output1(v: Cell4): Cell4;
  function output2(v: Cell4): Cell4;
  function output3(v: Cell4): Cell4;
  function output4(v: Cell4): Cell4;
  function output5(v: Cell4): Cell4;
  function output6(v: Cell4): Cell4;
  function output7(v: Cell4): Cell4;
}

/** acc + W v for the 4x4 block W whose rows are w0..w3 (4 output x 4 input channels). */
function accumulate4x4(acc: Cell4, w0: Cell4, w1: Cell4, w2: Cell4, w3: Cell4, v: Cell4): Cell4 {
  return [
    acc[0] + w0[0] * v[0] + w0[1] * v[1] + w0[2] * v[2] + w0[3] * v[3],
    acc[1] + w1[0] * v[0] + w1[1] * v[1] + w1[2] * v[2] + w1[3] * v[3],
    acc[2] + w2[0] * v[0] + w2[1] * v[1] + w2[2] * v[2] + w2[3] * v[3],
    acc[3] + w3[0] * v[0] + w3[1] * v[1] + w3[2] * v[2] + w3[3] * v[3],
  ];
}

/** max(v, 0) per component when relu is 1. */
function reluCell(v: Cell4, relu: number): Cell4 {
  if (relu === 1) return [Math.max(v[0], 0), Math.max(v[1], 0), Math.max(v[2], 0), Math.max(v[3], 0)];
  return v;
}

/** acc + s v. */
function addScaledCell(acc: Cell4, s: number, v: Cell4): Cell4 {
  return [acc[0] + s * v[0], acc[1] + s * v[1], acc[2] + s * v[2], acc[3] + s * v[3]];
}

/** Component k (0..3) of a cell: GLSL ES 1.0 indexes vectors with constants only. */
function cellComponent(v: Cell4, k: number): number {
  if (k === 0) return v[0];
  if (k === 1) return v[1];
  if (k === 2) return v[2];
  return v[3];
}

export const CELL_FUNCTIONS = { accumulate4x4, reluCell, addScaledCell, cellComponent } as const;

/*
 * Kernel-map outputs: gpu.js stores what each returns, called from the kernel, as one more
 * output tensor (a draw buffer on GL: 8 at most with the kernel's own result), handed back in
 * this order by Engine.runMap. Identity functions: the value is the kernel's to compute.
 */
function output1(v: Cell4): Cell4 {
  return v;
}
function output2(v: Cell4): Cell4 {
  return v;
}
function output3(v: Cell4): Cell4 {
  return v;
}
function output4(v: Cell4): Cell4 {
  return v;
}
function output5(v: Cell4): Cell4 {
  return v;
}
function output6(v: Cell4): Cell4 {
  return v;
}
function output7(v: Cell4): Cell4 {
  return v;
}

/** The seven extra outputs of a kernel map that fills all 8 draw buffers. */
export const SEVEN_MORE_OUTPUTS = [output1, output2, output3, output4, output5, output6, output7];
