/** VGG16, configuration D of Simonyan & Zisserman (ICLR 2015), up to relu5_3: 13 convs. */
import { vggNetwork } from './vgg-family.js';

export const VGG16 = vggNetwork('vgg16', 'VGG16', [
  [64, 64],
  [128, 128],
  [256, 256, 256],
  [512, 512, 512],
  [512, 512, 512],
]);
