/**
 * SqueezeNet v1.0 (Iandola et al., 2016), the network of article 002: a 7x7 stride-2 first
 * conv with 96 filters. torchvision's squeezenet1_0 weights fit it.
 */
import { squeezeNetwork } from './squeezenet-family.js';

export const SQUEEZENET1_0 = squeezeNetwork('squeezenet1_0', 'SqueezeNet 1.0', { outChannels: 96, kernel: 7 }, [
  { kind: 'pool', name: 'pool1' },
  { kind: 'fire', name: 'fire2', squeeze: 16, expand: 64 },
  { kind: 'fire', name: 'fire3', squeeze: 16, expand: 64 },
  { kind: 'fire', name: 'fire4', squeeze: 32, expand: 128 },
  { kind: 'pool', name: 'pool4' },
  { kind: 'fire', name: 'fire5', squeeze: 32, expand: 128 },
  { kind: 'fire', name: 'fire6', squeeze: 48, expand: 192 },
  { kind: 'fire', name: 'fire7', squeeze: 48, expand: 192 },
  { kind: 'fire', name: 'fire8', squeeze: 64, expand: 256 },
  { kind: 'pool', name: 'pool8' },
  { kind: 'fire', name: 'fire9', squeeze: 64, expand: 256 },
]);
