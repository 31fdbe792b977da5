/**
 * Every kernel of kernels/ as a DifferentiableCase: random fixed parameters uploaded once,
 * the device forward/backward through src/ops, and the float64 reference from src/reference.
 */
import type { Engine } from '../engine/engine.js';
import type { Shape3, Tensor } from '../engine/tensor.js';
import type { ThreadOrder, Tiling } from '../ops/blocked.js';
import { concat, splitAndRelease } from '../ops/concat.js';
import { Conv3x3 } from '../ops/conv.js';
import { ConvGeneral } from '../ops/conv-general.js';
import { gram, gramBackward } from '../ops/gram.js';
import { weightedSquaredError, type LossTerm } from '../ops/loss.js';
import { totalVariation, type TvForm } from '../ops/total-variation.js';
import type { ConvGeometry, PoolGeometry } from '../ops/output-size.js';
import { pool2x2, pool2x2Backward, type PoolingKind } from '../ops/pool.js';
import { poolWindow, poolWindowBackward } from '../ops/pool-window.js';
import { relu, reluBackward } from '../ops/relu.js';
import { crop, cropBackward } from '../ops/window.js';
import {
  concatRef,
  CONV3X3,
  cropRef,
  convRef,
  gramRef,
  POOL2X2,
  poolRef,
  reluRef,
  totalVariationRef,
  weightedSquaredErrorRef,
} from '../reference/reference.js';
import type { DifferentiableCase } from './gradient-check.js';
import type { Rng } from './random.js';

export interface CaseSize {
  channels: number;
  height: number;
  width: number;
  /** Output channels of the convolutions. */
  outChannels: number;
}

export type CaseFactory = (engine: Engine, rng: Rng, size: CaseSize) => DifferentiableCase;

const shapeOf = (s: CaseSize): Shape3 => [s.channels, s.height, s.width];

/** Runs a device op on x, reads its output back and releases it. */
function readAndRelease(engine: Engine, t: Tensor): Float32Array {
  const host = engine.read(t);
  t.release();
  return host;
}

/** An op whose backward takes (x, output, dL/doutput): wraps upload/read/release around it. */
function layerCase(
  engine: Engine,
  kernel: string,
  inputShape: Shape3,
  sampleInput: (rng: Rng) => Float32Array,
  reference: (x: Float64Array) => Float64Array,
  forward: (x: Tensor) => Tensor,
  backward: (x: Tensor, output: Tensor, gradOutput: Tensor) => Tensor,
  dispose: () => void = () => {},
): DifferentiableCase {
  return {
    kernel,
    inputShape,
    sampleInput,
    reference,
    forward: (x) => readAndRelease(engine, forward(x)),
    backward: (x, v) => {
      const output = forward(x);
      const gradOutput = engine.upload(v, output.shape);
      const gradInput = backward(x, output, gradOutput);
      output.release();
      gradOutput.release();
      return readAndRelease(engine, gradInput);
    },
    dispose,
  };
}

/** A scalar loss term: the "output" is the one value, v scales the gradient. */
function lossCase(
  engine: Engine,
  kernel: string,
  inputShape: Shape3,
  reference: (x: Float64Array) => number,
  term: (x: Tensor) => LossTerm,
  dispose: () => void = () => {},
  sampleInput: (rng: Rng) => Float32Array = (r) => r.normals(inputShape[0] * inputShape[1] * inputShape[2]),
): DifferentiableCase {
  return {
    kernel,
    inputShape,
    sampleInput,
    reference: (x) => Float64Array.of(reference(x)),
    forward: (x) => {
      const { value, gradient } = term(x);
      gradient.release();
      return Float32Array.of(value);
    },
    backward: (x, v) => {
      const { gradient } = term(x);
      return readAndRelease(engine, gradient).map((g) => g * v[0]);
    },
    dispose,
  };
}

function convCase(withRelu: boolean, tiling: Tiling, order: ThreadOrder = 'pixels-first'): CaseFactory {
  return (engine, rng, size) => {
    const { channels, outChannels } = size;
    const weights = rng.normals(outChannels * channels * 9, Math.sqrt(2 / (9 * channels)));
    const bias = rng.normals(outChannels, 0.1);
    const conv = Conv3x3.upload(engine, weights, bias, outChannels, channels, tiling, order);
    const inputShape = shapeOf(size);
    return layerCase(
      engine,
      convCaseName(withRelu, tiling, order),
      inputShape,
      (r) => r.normals(channels * size.height * size.width),
      (x) => convRef({ shape: inputShape, data: x }, Float64Array.from(weights), Float64Array.from(bias), CONV3X3, withRelu).data,
      (x) => conv.forward(x, withRelu),
      (_x, output, g) => conv.backward(g, withRelu ? output : null),
      () => conv.release(),
    );
  };
}

const reluCase: CaseFactory = (engine, _rng, size) => {
  const inputShape = shapeOf(size);
  return layerCase(
    engine,
    'relu',
    inputShape,
    (r) => r.awayFromZero(size.channels * size.height * size.width, 0.05),
    (x) => reluRef({ shape: inputShape, data: x }).data,
    (x) => relu(engine, x),
    (_x, output, g) => reluBackward(engine, g, output),
  );
};

function poolCase(kind: PoolingKind): CaseFactory {
  return (engine, _rng, size) => {
    const inputShape = shapeOf(size);
    return layerCase(
      engine,
      `${kind}pool2x2`,
      inputShape,
      (r) => r.distinct(size.channels * size.height * size.width),
      (x) => poolRef({ shape: inputShape, data: x }, kind, POOL2X2).data,
      (x) => pool2x2(engine, x, kind),
      (x, _output, g) => pool2x2Backward(engine, g, x, kind),
    );
  };
}

/**
 * A conv of another geometry (ops/conv-general.ts). The input grows by kernel - 1 rows and
 * columns over the case size, so that even a 7x7 unpadded kernel has outputs to check.
 */
function generalConvCase(kernel: string, geometry: ConvGeometry, withRelu: boolean, tiling: Tiling): CaseFactory {
  return (engine, rng, size) => {
    const { channels, outChannels } = size;
    const taps = geometry.kernel * geometry.kernel;
    const weights = rng.normals(outChannels * channels * taps, Math.sqrt(2 / (taps * channels)));
    const bias = rng.normals(outChannels, 0.1);
    const conv = ConvGeneral.upload(engine, weights, bias, outChannels, channels, geometry, tiling);
    const inputShape: Shape3 = [channels, size.height + geometry.kernel - 1, size.width + geometry.kernel - 1];
    return layerCase(
      engine,
      tiledName(kernel, tiling),
      inputShape,
      (r) => r.normals(inputShape[0] * inputShape[1] * inputShape[2]),
      (x) => convRef({ shape: inputShape, data: x }, Float64Array.from(weights), Float64Array.from(bias), geometry, withRelu).data,
      (x) => conv.forward(x, withRelu),
      // The case releases g afterwards too: a second release does nothing.
      (x, output, g) => conv.backwardAndRelease(g, withRelu ? output : null, x.shape),
      () => conv.release(),
    );
  };
}

/** SqueezeNet's pooling: 3x3 windows, stride 2, ceil mode (ops/pool-window.ts). */
const POOL3X3_CEIL: PoolGeometry = { window: 3, stride: 2, ceil: true };

function windowPoolCase(kind: PoolingKind): CaseFactory {
  return (engine, _rng, size) => {
    const inputShape = shapeOf(size);
    return layerCase(
      engine,
      `${kind}pool3x3 s2 ceil`,
      inputShape,
      // Distinct values: no ties for the arg-max, none for a finite difference to cross.
      (r) => r.distinct(size.channels * size.height * size.width),
      (x) => poolRef({ shape: inputShape, data: x }, kind, POOL3X3_CEIL).data,
      (x) => poolWindow(engine, x, kind, POOL3X3_CEIL),
      (x, _output, g) => poolWindowBackward(engine, g, x, kind, POOL3X3_CEIL),
    );
  };
}

/**
 * Channel concatenation with a fixed tensor of outChannels channels, x first or second; its
 * backward is the matching part of the split (ops/concat.ts).
 */
function concatCase(xFirst: boolean): CaseFactory {
  return (engine, rng, size) => {
    const inputShape = shapeOf(size);
    const otherShape: Shape3 = [size.outChannels, size.height, size.width];
    const other = rng.normals(otherShape[0] * size.height * size.width);
    const otherDevice = engine.upload(other, otherShape);
    const other64 = { shape: otherShape, data: Float64Array.from(other) };
    return layerCase(
      engine,
      xFirst ? 'concat' : 'concat second',
      inputShape,
      (r) => r.normals(size.channels * size.height * size.width),
      (x) => {
        const mine = { shape: inputShape, data: x };
        return (xFirst ? concatRef(mine, other64) : concatRef(other64, mine)).data;
      },
      (x) => (xFirst ? concat(engine, x, otherDevice) : concat(engine, otherDevice, x)),
      (_x, _output, g) => {
        const parts = splitAndRelease(engine, g, xFirst ? size.channels : size.outChannels);
        const [mine, theirs] = xFirst ? parts : [parts[1], parts[0]];
        theirs.release();
        return mine;
      },
      () => otherDevice.release(),
    );
  };
}

/**
 * The window of a tile's layer output that is the tile's own (ops/window.ts): the input less
 * one row on top, two at the bottom, two columns on the left and one on the right.
 */
const cropCase: CaseFactory = (engine, _rng, size) => {
  const inputShape = shapeOf(size);
  const window = { rows: { start: 1, end: size.height - 2 }, cols: { start: 2, end: size.width - 1 } };
  const [height, width] = [window.rows.end - window.rows.start, window.cols.end - window.cols.start];
  return layerCase(
    engine,
    'crop',
    inputShape,
    (r) => r.normals(size.channels * size.height * size.width),
    (x) => cropRef({ shape: inputShape, data: x }, window.rows.start, window.cols.start, height, width).data,
    (x) => crop(engine, x, window),
    (_x, _output, g) => cropBackward(engine, g, inputShape, window),
  );
};

function gramCase(tiling: Tiling, order: ThreadOrder = 'pixels-first'): CaseFactory {
  return (engine, _rng, size) => {
    const inputShape = shapeOf(size);
    return layerCase(
      engine,
      tiledName('gram', tiling, order),
      inputShape,
      (r) => r.normals(size.channels * size.height * size.width),
      (x) => gramRef({ shape: inputShape, data: x }).data,
      (x) => gram(engine, x, undefined, tiling),
      (x, _output, g) => gramBackward(engine, g, x, undefined, tiling, order),
    );
  };
}

const MSE_WEIGHT = 5;
const TV_WEIGHT = 1e-3;

const mseCase: CaseFactory = (engine, rng, size) => {
  const inputShape = shapeOf(size);
  const target = rng.normals(size.channels * size.height * size.width);
  const targetDevice = engine.upload(target, inputShape);
  const target64 = Float64Array.from(target);
  return lossCase(
    engine,
    'mse',
    inputShape,
    (x) => weightedSquaredErrorRef(x, target64, MSE_WEIGHT, 'mean'),
    (x) => weightedSquaredError(engine, x, targetDevice, MSE_WEIGHT, 'mean'),
    () => targetDevice.release(),
  );
};

/** The Keras examples' power (articles 003 and 004). */
const TV_POWER = 1.25;

/**
 * Each TV form on an image of 2x2 blocks of equal values: ties between neighbours inside a
 * block (where abs and pow are not differentiable and the kernels return 0, as do central
 * differences across them), distinct values across blocks.
 */
function tvCase(form: TvForm): CaseFactory {
  return (engine, _rng, size) => {
    const inputShape = shapeOf(size);
    return lossCase(
      engine,
      tvCaseName(form),
      inputShape,
      (x) => totalVariationRef({ shape: inputShape, data: x }, form, TV_WEIGHT),
      (x) => totalVariation(engine, x, form, TV_WEIGHT),
      undefined,
      (r) => r.blocks(inputShape, 2),
    );
  };
}

const tvCaseName = (form: TvForm) => `tv ${form.norm}`;

/**
 * The kernel's name in the check table: the direct tiling is the plain kernel; the blocked one
 * is named, and so is its other thread order (pixels first is what small inputs get).
 */
function tiledName(kernel: string, tiling: Tiling, order: ThreadOrder = 'pixels-first'): string {
  if (tiling === 'direct') return kernel;
  return `${kernel} blocked${order === 'groups-first' ? ' groups-first' : ''}`;
}

function convCaseName(withRelu: boolean, tiling: Tiling, order?: ThreadOrder): string {
  return tiledName(withRelu ? 'conv3x3+relu' : 'conv3x3', tiling, order);
}

interface KernelCase {
  kernel: string;
  make: CaseFactory;
  /** Runs only where gpu.js has kernel maps (not on webasm). */
  needsKernelMaps?: boolean;
}

/** Every kernel, by the name shown in `nst doctor` and the tests. */
const KERNEL_CASES: readonly KernelCase[] = [
  { kernel: convCaseName(false, 'direct'), make: convCase(false, 'direct') },
  { kernel: convCaseName(true, 'direct'), make: convCase(true, 'direct') },
  { kernel: convCaseName(false, 'blocked'), make: convCase(false, 'blocked'), needsKernelMaps: true },
  { kernel: convCaseName(true, 'blocked'), make: convCase(true, 'blocked'), needsKernelMaps: true },
  { kernel: convCaseName(false, 'blocked', 'groups-first'), make: convCase(false, 'blocked', 'groups-first'), needsKernelMaps: true },
  { kernel: convCaseName(true, 'blocked', 'groups-first'), make: convCase(true, 'blocked', 'groups-first'), needsKernelMaps: true },
  ...(['direct', 'blocked'] as const).flatMap((tiling) =>
    [
      { kernel: 'conv1x1+relu', geometry: { kernel: 1, stride: 1, padding: 0 }, relu: true },
      { kernel: 'conv3x3 s2', geometry: { kernel: 3, stride: 2, padding: 0 }, relu: false },
      { kernel: 'conv7x7 s2+relu', geometry: { kernel: 7, stride: 2, padding: 0 }, relu: true },
    ].map(({ kernel, geometry, relu }) => ({
      kernel: tiledName(kernel, tiling),
      make: generalConvCase(kernel, geometry, relu, tiling),
      needsKernelMaps: tiling === 'blocked',
    })),
  ),
  { kernel: 'relu', make: reluCase },
  { kernel: 'maxpool2x2', make: poolCase('max') },
  { kernel: 'avgpool2x2', make: poolCase('avg') },
  { kernel: 'maxpool3x3 s2 ceil', make: windowPoolCase('max') },
  { kernel: 'avgpool3x3 s2 ceil', make: windowPoolCase('avg') },
  { kernel: 'concat', make: concatCase(true) },
  { kernel: 'concat second', make: concatCase(false) },
  { kernel: 'crop', make: cropCase },
  { kernel: tiledName('gram', 'direct'), make: gramCase('direct') },
  { kernel: tiledName('gram', 'blocked'), make: gramCase('blocked'), needsKernelMaps: true },
  { kernel: tiledName('gram', 'blocked', 'groups-first'), make: gramCase('blocked', 'groups-first'), needsKernelMaps: true },
  { kernel: 'mse', make: mseCase },
  ...(['squared', 'abs', 'pow'] as const).map((norm) => {
    const form: TvForm = norm === 'pow' ? { norm, power: TV_POWER } : { norm };
    return { kernel: tvCaseName(form), make: tvCase(form) };
  }),
];

/** The cases a backend can run: all of them where kernel maps exist. */
export function kernelCases(kernelMaps: boolean): readonly KernelCase[] {
  return KERNEL_CASES.filter((c) => kernelMaps || !c.needsKernelMaps);
}
