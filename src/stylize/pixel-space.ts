/**
 * The space the optimiser moves the pixels in. Recipes differ: neural-style and the Keras
 * examples optimise the network's input itself (0..255 minus the channel mean), the TF
 * tutorial an RGB image in [0, 1] that its model scales by 255 and centres. Learning rates,
 * Adam's epsilon, clipping bounds and the total variation are in the recipe's units, so the
 * optimiser must see the recipe's space to take the recipe's steps.
 *
 * With y the recipe's pixels and x = s y + b the network's input (s = 1, b = 0 for network;
 * s = 255, b = -mean for unit):
 *   f(y) = content(x) + style(x) + w_tv TV(y),     df/dy = s df/dx,
 * and TV(y) = TV(x / s) = TV(x) / s^k for a TV homogeneous of degree k (TV is unchanged by
 * the shift b), so the objective computes it on x with the weight w_tv / s^k.
 */
import type { TvForm } from '../ops/total-variation.js';
import { tvDegree } from '../ops/total-variation.js';
import type { ChannelMean } from '../image/index.js';

export const PIXEL_SPACES = ['network', 'unit'] as const;
export type PixelSpaceName = (typeof PIXEL_SPACES)[number];

export class PixelSpace {
  /** s in x = s y + b. */
  readonly scale: number;
  /** b per channel. */
  private readonly offset: readonly number[];

  /** `mean`: the per-channel mean the network's input is centred by (the weights' input convention). */
  constructor(
    readonly name: PixelSpaceName,
    mean: ChannelMean,
  ) {
    this.scale = name === 'unit' ? 255 : 1;
    this.offset = name === 'unit' ? mean.map((m) => -m) : [0, 0, 0];
  }

  /** Planar [3][H][W] recipe pixels to the network's input. */
  toNetwork(y: Float32Array): Float32Array {
    const plane = y.length / 3;
    return y.map((v, i) => this.scale * v + this.offset[Math.floor(i / plane)]);
  }

  fromNetwork(x: Float32Array): Float32Array {
    const plane = x.length / 3;
    return x.map((v, i) => (v - this.offset[Math.floor(i / plane)]) / this.scale);
  }

  /** The weight that gives w_tv TV(y) when the TV is taken of the network's input x. */
  tvWeightOnNetwork(weight: number, form: TvForm): number {
    return weight / this.scale ** tvDegree(form);
  }

  /** The objective in this space, from one on the network's input (with the TV weight already converted). */
  wrap(f: (x: Float32Array, gradient: Float32Array) => number): (y: Float32Array, gradient: Float32Array) => number {
    if (this.scale === 1) return f;
    return (y, gradient) => {
      const loss = f(this.toNetwork(y), gradient);
      for (let i = 0; i < gradient.length; i++) gradient[i] *= this.scale;
      return loss;
    };
  }
}
