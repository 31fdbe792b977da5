import { UserError } from '../errors.js';
import { VGG19_CONVS, type ConvLayer } from '../vgg/layers.js';

/** A uint8 tensor with its per-tensor affine dequantisation: w = q * scale + min (in float64). */
export interface AffineUint8 {
  q: Uint8Array;
  scale: number;
  min: number;
}

export interface ConvWeights {
  name: string;
  outChannels: number;
  inChannels: number;
  /** OIHW: [outChannels][inChannels][3][3], PyTorch order. */
  weight: Float32Array;
  bias: Float32Array;
  /**
   * The exact uint8 form the weights came in (same OIHW order), when a source was quantised:
   * writing uint8 then reuses these bytes, scale and min instead of quantising a second time.
   */
  quantized?: { weight: AffineUint8; bias: AffineUint8 };
}

export interface ModelWeights {
  /** One per conv layer of the network, in network order (VGG19_CONVS for the real model). */
  convs: ConvWeights[];
  /** Per-channel mean subtracted from RGB input on a 0..255 scale. */
  inputMean: [number, number, number];
  /** The file (or bundle directory) the weights were read from. */
  source: string;
}

export const KERNEL_SIZE = 3;

/** Shape of a conv weight tensor in the canonical OIHW layout. */
export function convWeightShape(layer: Pick<ConvLayer, 'inChannels' | 'outChannels'>): number[] {
  return [layer.outChannels, layer.inChannels, KERNEL_SIZE, KERNEL_SIZE];
}

export function weightTensorName(layerName: string): string {
  return `${layerName}.weight`;
}

export function biasTensorName(layerName: string): string {
  return `${layerName}.bias`;
}

/**
 * Builds a ConvWeights from OIHW data, checking that the sizes agree with the shape read from the
 * source; `label` names the source in the error.
 */
export function makeConvWeights(
  label: string,
  name: string,
  oihwShape: readonly number[],
  weight: Float32Array,
  bias: Float32Array,
): ConvWeights {
  const [outChannels, inChannels, kh, kw] = oihwShape;
  if (oihwShape.length !== 4 || kh !== KERNEL_SIZE || kw !== KERNEL_SIZE) {
    throw new UserError(`${label}: ${name} kernel has shape [${oihwShape.join(', ')}] (OIHW); expected 3x3 kernels`);
  }
  if (weight.length !== outChannels * inChannels * KERNEL_SIZE * KERNEL_SIZE) {
    throw new UserError(`${label}: ${name} kernel holds ${weight.length} values, not the ${outChannels}x${inChannels}x3x3 its shape says`);
  }
  if (bias.length !== outChannels) {
    throw new UserError(`${label}: ${name} bias has ${bias.length} values; expected ${outChannels} (one per output channel)`);
  }
  return { name, outChannels, inChannels, weight, bias };
}

/**
 * Checks that `weights` holds exactly the conv layers of `layers` (VGG19 by default), in order and
 * with their shapes: the network relies on this, importers do not (they accept any channel counts).
 */
export function assertArchitecture(weights: ModelWeights, label: string, layers: readonly ConvLayer[] = VGG19_CONVS): void {
  if (weights.convs.length !== layers.length) {
    throw new UserError(`${label}: holds ${weights.convs.length} conv layers; the network needs ${layers.length}`);
  }
  layers.forEach((layer, i) => {
    const conv = weights.convs[i];
    if (conv.name !== layer.name) {
      throw new UserError(`${label}: conv layer ${i + 1} is '${conv.name}'; expected '${layer.name}'`);
    }
    if (conv.inChannels !== layer.inChannels || conv.outChannels !== layer.outChannels) {
      throw new UserError(
        `${label}: ${layer.name} has shape [${convWeightShape(conv).join(', ')}]; ` +
          `the network needs [${convWeightShape(layer).join(', ')}]`,
      );
    }
  });
}
