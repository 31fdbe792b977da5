/** VGG19, configuration E of Simonyan & Zisserman (ICLR 2015), up to relu5_4: 16 convs. */
import { vggNetwork } from './vgg-family.js';

export const VGG19 = vggNetwork('vgg19', 'VGG19', [
  [64, 64],
  [128, 128],
  [256, 256, 256, 256],
  [512, 512, 512, 512],
  [512, 512, 512, 512],
]);
