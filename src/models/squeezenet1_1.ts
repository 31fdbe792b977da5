/**
 * SqueezeNet v1.1 (DeepScale, forresti/SqueezeNet): a 3x3 stride-2 first conv with 64
 * filters and earlier pools, about 2.4x cheaper than v1.0 for the same accuracy. The weights
 * in ../shared/weights/squeezenet1_1 and torchvision's squeezenet1_1 both fit it.
 */
import { squeezeNetwork } from './squeezenet-family.js';

export const SQUEEZENET1_1 = squeezeNetwork('squeezenet1_1', 'SqueezeNet 1.1', { outChannels: 64, kernel: 3 }, [
  { kind: 'pool', name: 'pool1' },
  { kind: 'fire', name: 'fire2', squeeze: 16, expand: 64 },
  { kind: 'fire', name: 'fire3', squeeze: 16, expand: 64 },
  { kind: 'pool', name: 'pool3' },
  { kind: 'fire', name: 'fire4', squeeze: 32, expand: 128 },
  { kind: 'fire', name: 'fire5', squeeze: 32, expand: 128 },
  { kind: 'pool', name: 'pool5' },
  { kind: 'fire', name: 'fire6', squeeze: 48, expand: 192 },
  { kind: 'fire', name: 'fire7', squeeze: 48, expand: 192 },
  { kind: 'fire', name: 'fire8', squeeze: 64, expand: 256 },
  { kind: 'fire', name: 'fire9', squeeze: 64, expand: 256 },
]);
