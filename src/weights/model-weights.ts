import { UserError } from '../errors.js';
import { convNodes, type ModelName, type NetworkDescription } from '../models/description.js';
import { VGG19 } from '../models/vgg19.js';

/** A uint8 tensor with its per-tensor affine dequantisation: w = q * scale + min (in float64). */
export interface AffineUint8 {
  q: Uint8Array;
  scale: number;
  min: number;
}

export interface ConvWeights {
  /** The conv's weights name in the network description: 'conv1_1', 'fire2/squeeze1x1'. */
  name: string;
  outChannels: number;
  inChannels: number;
  /** Square kernel side. */
  kernel: number;
  /** OIHW: [outChannels][inChannels][kernel][kernel], PyTorch order. */
  weight: Float32Array;
  bias: Float32Array;
  /**
   * The exact uint8 form the weights came in (same OIHW order), when a source was quantised:
   * writing uint8 then reuses these bytes, scale and min instead of quantising a second time.
   */
  quantized?: { weight: AffineUint8; bias: AffineUint8 };
  /** What the source file calls the weight tensor ('features.3.squeeze.weight'), for messages. */
  sourceName?: string;
}

export interface ModelWeights {
  /** The network the weights belong to. */
  model: ModelName;
  /** One per conv of the network, in network order. */
  convs: ConvWeights[];
  /** Per-channel mean subtracted from RGB input on a 0..255 scale. */
  inputMean: [number, number, number];
  /** The file (or bundle directory) the weights were read from. */
  source: string;
  /** The sha256 of a .nstw file's payload, which identifies the weights (a checkpoint records it). */
  payloadSha256?: string;
}

/** Shape of a conv weight tensor in the canonical OIHW layout. */
export function convWeightShape(conv: Pick<ConvWeights, 'inChannels' | 'outChannels' | 'kernel'>): number[] {
  return [conv.outChannels, conv.inChannels, conv.kernel, conv.kernel];
}

export function weightTensorName(layerName: string): string {
  return `${layerName}.weight`;
}

export function biasTensorName(layerName: string): string {
  return `${layerName}.bias`;
}

/**
 * Builds a ConvWeights from OIHW data, checking that the sizes agree with the shape read from the
 * source; `label` names the source in the error, `sourceName` the tensor as the source calls it.
 */
export function makeConvWeights(
  label: string,
  name: string,
  oihwShape: readonly number[],
  weight: Float32Array,
  bias: Float32Array,
  sourceName?: string,
): ConvWeights {
  const [outChannels, inChannels, kh, kw] = oihwShape;
  const what = sourceName ?? name;
  if (oihwShape.length !== 4 || kh !== kw) {
    throw new UserError(`${label}: ${what} has shape [${oihwShape.join(', ')}]; expected a square conv kernel [out, in, k, k]`);
  }
  if (weight.length !== outChannels * inChannels * kh * kw) {
    throw new UserError(`${label}: ${what} holds ${weight.length} values, not the ${outChannels}x${inChannels}x${kh}x${kw} its shape says`);
  }
  if (bias.length !== outChannels) {
    throw new UserError(`${label}: ${name} bias has ${bias.length} values; expected ${outChannels} (one per output channel)`);
  }
  return { name, outChannels, inChannels, kernel: kh, weight, bias, ...(sourceName ? { sourceName } : {}) };
}

/**
 * Checks that `weights` are `model`'s (VGG19 by default): its name, and exactly its convs, in
 * order, with their shapes. The network relies on this; importers do not (they accept any
 * channel counts, which lets the tests run them on tiny files).
 */
export function assertArchitecture(weights: ModelWeights, label: string, model: NetworkDescription = VGG19): void {
  if (weights.model !== model.name) throw new UserError(`${label}: holds ${weights.model} weights, not ${model.name}`);
  const convs = convNodes(model);
  if (weights.convs.length !== convs.length) {
    throw new UserError(`${label}: holds ${weights.convs.length} conv layers; ${model.name} needs ${convs.length}`);
  }
  convs.forEach((node, i) => {
    const conv = weights.convs[i];
    if (conv.name !== node.weights) {
      throw new UserError(`${label}: conv layer ${i + 1} is '${conv.name}'; expected '${node.weights}'`);
    }
    const needed = convWeightShape(node);
    if (convWeightShape(conv).join() !== needed.join()) {
      const what = conv.sourceName ? `${conv.sourceName} (${conv.name})` : conv.name;
      throw new UserError(`${label}: ${what} has shape [${convWeightShape(conv).join(', ')}]; ${model.name} needs [${needed.join(', ')}]`);
    }
  });
}
