/**
 * The blocked (row-of-8, vec4-packed) form of the GL backends, shared by every op that has
 * one: which tiling an engine uses, weights in the packed layout, and the pack -> kernel map
 * -> unpack sequence around a row-of-8 kernel (kernels/conv2d-blocked.ts).
 */
import type { ConvRow8Constants } from '../../kernels/conv2d-blocked.js';
import { CELL_FUNCTIONS, SEVEN_MORE_OUTPUTS } from '../../kernels/cell-functions.js';
import type { KernelThis, PackedTensor3, Tensor3, Cell4 } from '../../kernels/kernel-this.js';
import { packChannels, unpackRow8 } from '../../kernels/packing.js';
import { isGlBackend } from '../engine/backend.js';
import type { Engine } from '../engine/engine.js';
import type { Tensor } from '../engine/tensor.js';

/** direct: one value per thread, scalar tensors; blocked: vec4-packed rows of 8 (GL). */
export type Tiling = 'direct' | 'blocked';

/**
 * The order of a row-of-8 kernel's threads (ConvRow8Constants.groupsFastest): auto picks by
 * the input's size; the others force one (the checks cover both).
 */
export type ThreadOrder = 'auto' | 'pixels-first' | 'groups-first';

/** Blocked where it pays: the GL backends, when they have kernel maps (WEBGL_draw_buffers). */
export function defaultTiling(engine: Engine): Tiling {
  return isGlBackend(engine.backend) && engine.kernelMaps ? 'blocked' : 'direct';
}

export const groupsOf = (channels: number): number => Math.ceil(channels / 4);

/** A row-of-8 kernel: input, weights, bias in the layouts of kernels/conv2d-blocked.ts. */
export type Row8Kernel = (this: KernelThis<ConvRow8Constants>, input: PackedTensor3, weights: PackedTensor3, bias: Tensor3) => Cell4;

/** The weights of one direction of a blocked convolution, as the row-of-8 kernels read them. */
export interface BlockedWeights {
  /** [ceil(inChannels/4)][taps][4 ceil(outChannels/4)] of vec4. */
  weights: Tensor;
  /** [1][1][4 ceil(outChannels/4)]. */
  bias: Tensor;
  inChannels: number;
  outChannels: number;
}

/**
 * Uploads weights arranged on the host as [inputs][taps][4 ceil(outputs/4)] (output channels
 * zero-padded) and packs them 4 input channels to a cell; bias is zero-padded likewise.
 */
export function uploadBlockedWeights(
  engine: Engine,
  arranged: Float32Array,
  inputs: number,
  taps: number,
  outputs: number,
  bias: Float32Array,
): BlockedWeights {
  const padded = 4 * groupsOf(outputs);
  const raw = engine.uploadOnce(arranged, [inputs, taps, padded]);
  const weights = engine.run({ fn: packChannels, output: [groupsOf(inputs), taps, padded], lanes: 4, constants: { channels: inputs } }, raw);
  raw.release();
  const paddedBias = new Float32Array(padded);
  paddedBias.set(bias);
  return { weights, bias: engine.uploadOnce(paddedBias, [1, 1, padded]), inChannels: inputs, outChannels: outputs };
}

/**
 * A convolution's device weights in either tiling: direct, [Cout][Cin][taps] weights and
 * [1][1][Cout] bias; blocked, the forward and backward packs the row-of-8 kernels read.
 */
export type ConvTensors = { direct: { weights: Tensor; bias: Tensor } } | { forward: BlockedWeights; backward: BlockedWeights };

export function releaseConvTensors(tensors: ConvTensors): void {
  const parts = 'direct' in tensors ? [tensors.direct] : [tensors.forward, tensors.backward];
  for (const p of parts) {
    p.weights.release();
    p.bias.release();
  }
}

/**
 * Input size (packed, bytes) above which a row-of-8 kernel runs its threads output channel
 * group first (ConvRow8Constants.groupsFastest), so that the threads reading one input pixel
 * run together. Measured on llvmpipe (row-of-8 3x3 conv, min of 5, A/B in one process): at
 * [64, 512, 512] (64 MiB packed) 821 -> 582 ms and at [128, 256, 256] 779 -> 555 ms, even at
 * [256, 128, 128] and [512, 64, 64], slower at [256, 64, 64] (4 MiB) 144 -> 171 ms.
 */
const GROUPS_FASTEST_ABOVE_BYTES = 8 * 2 ** 20;

/** Scalars [C][H][W] packed 4 channels to a cell: [ceil(C/4)][H][W] of vec4. */
export function packed(engine: Engine, x: Tensor): Tensor {
  const [channels, height, width] = x.shape;
  return engine.run({ fn: packChannels, output: [groupsOf(channels), height, width], lanes: 4, constants: { channels } }, x);
}

/**
 * Runs a row-of-8 kernel on scalar x [Cin][H][W]: pack -> kernel map (8 outputs) -> unpack to
 * scalars [Cout][H][W]. With releaseInput, x is released as soon as it is packed.
 */
export function blockedConvolution(
  engine: Engine,
  kernel: Row8Kernel,
  x: Tensor,
  w: BlockedWeights,
  relu: boolean,
  releaseInput: boolean,
  order: ThreadOrder = 'auto',
): Tensor {
  if (x.shape[0] !== w.inChannels) throw new Error(`blocked convolution: input has ${x.shape[0]} channels, weights expect ${w.inChannels}`);
  const [, height, width] = x.shape;
  const input = packed(engine, x);
  if (releaseInput) x.release();
  const groups = groupsOf(w.outChannels);
  const blocks = Math.ceil(width / 8);
  const groupsFastest = (order === 'auto' ? input.size * 4 > GROUPS_FASTEST_ABOVE_BYTES : order === 'groups-first') ? 1 : 0;
  const rows = engine.runMap(
    {
      fn: kernel,
      outputs: SEVEN_MORE_OUTPUTS,
      functions: [CELL_FUNCTIONS.accumulate4x4, CELL_FUNCTIONS.reluCell],
      output: groupsFastest ? [height, blocks, groups] : [groups, height, blocks],
      lanes: 4,
      constants: { inGroups: groupsOf(w.inChannels), height, width, relu: relu ? 1 : 0, groupsFastest },
    },
    input,
    w.weights,
    w.bias,
  );
  input.release();
  const out = engine.run(
    { fn: unpackRow8, output: [w.outChannels, height, width], functions: [CELL_FUNCTIONS.cellComponent], constants: { groupsFastest } },
    ...rows,
  );
  for (const r of rows) r.release();
  return out;
}
