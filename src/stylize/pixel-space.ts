/**
 * The space the optimiser moves the pixels in. Recipes differ: neural-style and the Keras
 * examples optimise the network's input itself (0..255 minus the channel mean), the TF
 * tutorial an RGB image in [0, 1] that its model scales by 255 and centres, the PyTorch
 * examples torchvision's normalised image (p/255 - m)/s with ImageNet's m and s. Learning
 * rates, Adam's epsilon, clipping bounds and the total variation are in the recipe's units, so
 * the optimiser must see the recipe's space to take the recipe's steps.
 *
 * With y the recipe's pixels and x_c = s_c y_c + b_c the network's input in channel c:
 *   network      s = 1,         b = 0
 *   unit         s = 255,       b = -M          (M: the mean the weights take, p - M)
 *   torchvision  s_c = 255 S_c, b_c = 255 m_c - M_c   (m, S: torchvision's mean and std)
 *   f(y) = content(x) + style(x) + w_tv TV(y),     df/dy_c = s_c df/dx_c,
 * and, where s is the same for every channel, TV(y) = TV(x / s) = TV(x) / s^k for a TV
 * homogeneous of degree k (TV is unchanged by the shift b), so the objective computes it on x
 * with the weight w_tv / s^k. With a scale per channel no one weight does: the torchvision
 * space takes no TV term (config.ts refuses a --tv-weight with it; article 002 has none).
 */
import type { TvForm } from '../ops/total-variation.js';
import { tvDegree } from '../ops/total-variation.js';
import type { ChannelMean } from '../image/index.js';
import { TORCHVISION_MEAN, TORCHVISION_STD } from '../weights/input-convention.js';

export const PIXEL_SPACES = ['network', 'unit', 'torchvision'] as const;
export type PixelSpaceName = (typeof PIXEL_SPACES)[number];

export class PixelSpace {
  /** s_c in x = s y + b, per channel. */
  private readonly scale: readonly number[];
  /** b_c per channel. */
  private readonly offset: readonly number[];

  /** `mean`: the per-channel mean the network's input is centred by (the weights' input convention). */
  constructor(
    readonly name: PixelSpaceName,
    mean: ChannelMean,
  ) {
    const channels = [0, 1, 2];
    if (name === 'unit') {
      this.scale = [255, 255, 255];
      this.offset = mean.map((m) => -m);
    } else if (name === 'torchvision') {
      this.scale = channels.map((c) => 255 * TORCHVISION_STD[c]);
      this.offset = channels.map((c) => 255 * TORCHVISION_MEAN[c] - mean[c]);
    } else {
      this.scale = [1, 1, 1];
      this.offset = [0, 0, 0];
    }
  }

  /** Planar [3][H][W] recipe pixels to the network's input (y itself in the network's space: a full-size copy fewer). */
  toNetwork(y: Float32Array): Float32Array {
    if (this.name === 'network') return y;
    const plane = y.length / 3;
    return y.map((v, i) => this.scale[Math.floor(i / plane)] * v + this.offset[Math.floor(i / plane)]);
  }

  fromNetwork(x: Float32Array): Float32Array {
    if (this.name === 'network') return x;
    const plane = x.length / 3;
    return x.map((v, i) => (v - this.offset[Math.floor(i / plane)]) / this.scale[Math.floor(i / plane)]);
  }

  /** The weight that gives w_tv TV(y) when the TV is taken of the network's input x. */
  tvWeightOnNetwork(weight: number, form: TvForm): number {
    if (weight === 0) return 0;
    const [s, ...others] = this.scale;
    if (others.some((t) => t !== s)) throw new Error(`pixel space ${this.name}: no total variation term (a scale per channel)`);
    return weight / s ** tvDegree(form);
  }

  /** The objective in this space, from one on the network's input (with the TV weight already converted). */
  wrap(f: (x: Float32Array, gradient: Float32Array) => number): (y: Float32Array, gradient: Float32Array) => number {
    if (this.name === 'network') return f;
    return (y, gradient) => {
      const loss = f(this.toNetwork(y), gradient);
      const plane = gradient.length / 3;
      for (let i = 0; i < gradient.length; i++) gradient[i] *= this.scale[Math.floor(i / plane)];
      return loss;
    };
  }
}
