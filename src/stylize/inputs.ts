/**
 * The images of a run at their working sizes: the content scaled so its longest side is
 * --size, each style scaled so its longest side is --size times --style-scale (as
 * neural-style), and the starting point (the content, Gaussian noise, or an image).
 */
import { fitLongestSide, readImage, resize, toNetworkInput, type RgbImage } from '../image/index.js';
import { Rng } from '../check/random.js';
import type { Shape3 } from '../engine/tensor.js';
import { VGG_MEAN_RGB } from '../vgg/layers.js';
import type { StyleImage } from '../loss/objective.js';
import { STYLIZE_DEFAULTS } from './defaults.js';
import type { StylizeConfig } from './config.js';

export interface RunInputs {
  content: RgbImage;
  /** Planar preprocessed content, [3][H][W]. */
  contentPixels: Float32Array;
  shape: Shape3;
  styles: StyleImage[];
  initial: Float32Array;
}

function scaled(img: RgbImage, longest: number): RgbImage {
  const [w, h] = fitLongestSide(img.width, img.height, longest);
  return w === img.width && h === img.height ? img : resize(img, w, h);
}

function initialPoint(config: StylizeConfig, content: RgbImage, contentPixels: Float32Array): Float32Array {
  if (config.init === 'content') return contentPixels.slice();
  if (config.init === 'random') return new Rng(config.seed).normals(contentPixels.length, STYLIZE_DEFAULTS.randomInitStd);
  const start = readImage(config.init);
  return toNetworkInput(resize(start, content.width, content.height), VGG_MEAN_RGB);
}

export function loadInputs(config: StylizeConfig): RunInputs {
  const content = scaled(readImage(config.content), config.size);
  const contentPixels = toNetworkInput(content, VGG_MEAN_RGB);
  const styleSide = Math.max(16, Math.round(config.size * config.styleScale));
  const styles = config.styles.map((path, i) => {
    const img = scaled(readImage(path), styleSide);
    return { pixels: toNetworkInput(img, VGG_MEAN_RGB), shape: [3, img.height, img.width] as Shape3, blend: config.styleBlendWeights[i] };
  });
  return { content, contentPixels, shape: [3, content.height, content.width], styles, initial: initialPoint(config, content, contentPixels) };
}
