/**
 * The images of a run at their working sizes: the content scaled so its longest side is
 * --size, each style scaled so its longest side is --size times --style-scale (as
 * neural-style) or stretched to the content's size times --style-scale (as the Keras
 * examples), and the starting point (the content, Gaussian or uniform noise, or an image).
 */
import { fitLongestSide, resize } from '../image/resize.js';
import { toNetworkInput, type ChannelMean } from '../image/preprocess.js';
import type { RgbImage } from '../image/types.js';
import { Rng } from '../check/random.js';
import type { Shape3 } from '../engine/tensor.js';
import { minimumSideFor } from '../models/description.js';
import { MODELS } from '../models/index.js';
import { UserError } from '../errors.js';
import type { StyleImage } from '../loss/objective.js';
import { STYLIZE_DEFAULTS } from './defaults.js';
import { deepestLossLayer, type StylizeConfig } from './config.js';

export interface RunInputs {
  content: RgbImage;
  /** Planar preprocessed content, [3][H][W]. */
  contentPixels: Float32Array;
  shape: Shape3;
  styles: StyleImage[];
  initial: Float32Array;
}

function workingSize(img: RgbImage, longest: number): [number, number] {
  return fitLongestSide(img.width, img.height, longest);
}

function resizedTo(img: RgbImage, [w, h]: [number, number]): RgbImage {
  return w === img.width && h === img.height ? img : resize(img, w, h);
}

function initialPoint(config: StylizeConfig, content: RgbImage, contentPixels: Float32Array, mean: ChannelMean, start: RgbImage | undefined): Float32Array {
  // The content's own array: nothing writes to either (the optimisers copy their start point).
  if (config.init === 'content') return contentPixels;
  if (config.init === 'random') return new Rng(config.seed).normals(contentPixels.length, STYLIZE_DEFAULTS.randomInitStd);
  if (config.init === 'uniform') {
    // Article 000: np.random.uniform(0, 255, shape) - 128 in the network's (preprocessed) space.
    const rng = new Rng(config.seed);
    return Float32Array.from(contentPixels, () => rng.uniform() * 255 - 128);
  }
  if (!start) throw new Error(`--init ${config.init}: the start image was not decoded with the inputs`);
  return toNetworkInput(resize(start, content.width, content.height), mean);
}

/** Refuses an image that would shrink to nothing before the deepest loss layer. */
function checkLargeEnough(path: string, img: RgbImage, config: StylizeConfig): void {
  const deepest = deepestLossLayer(config);
  const minimum = minimumSideFor(MODELS[config.model], deepest);
  if (Math.min(img.width, img.height) < minimum) {
    throw new UserError(
      `${path}: at ${img.width}x${img.height} px it is too small for ${deepest}, which needs at least ${minimum} px on each side; ` +
        `raise --size or --style-scale${config.scaleIterations.length > 1 ? ', or use fewer --scales (the first works at a fraction of --size)' : ''}`,
    );
  }
}

/**
 * The images of a run, decoded once (every scale of a coarse-to-fine run resizes them): from
 * files (`nst stylize`) or handed over in memory (the library). Each style's `path` names it
 * in messages.
 */
export interface DecodedInputs {
  content: RgbImage;
  styles: Array<{ path: string; image: RgbImage }>;
  /** The start image, when --init names one. */
  init?: RgbImage;
}

/** The images decoded, with the sizes they will be worked at: cheap, so checks can run before resizing. */
export interface InputPlan {
  content: RgbImage;
  init?: RgbImage;
  contentSize: [number, number];
  styles: Array<{ path: string; image: RgbImage; size: [number, number] }>;
}

/** The working sizes for a longest side of `size` (the output's, --size, unless a coarser scale's). */
export function planInputs(config: StylizeConfig, images: DecodedInputs, size = config.size): InputPlan {
  const { content } = images;
  const contentSize = workingSize(content, size);
  const styleSide = Math.max(1, Math.round(size * config.styleScale));
  const stretched = contentSize.map((side) => Math.max(1, Math.round(side * config.styleScale))) as [number, number];
  return {
    content,
    init: images.init,
    contentSize,
    styles: images.styles.map(({ path, image }) => ({ path, image, size: config.styleResize === 'stretch' ? stretched : workingSize(image, styleSide) })),
  };
}

/** The images as the network takes them: RGB on 0..255 minus `mean`, the weights' input convention. */
export function prepareInputs(config: StylizeConfig, plan: InputPlan, mean: ChannelMean): RunInputs {
  const content = resizedTo(plan.content, plan.contentSize);
  checkLargeEnough(config.content, content, config);
  const contentPixels = toNetworkInput(content, mean);
  const styles = plan.styles.map(({ path, image, size }, i) => {
    const img = resizedTo(image, size);
    checkLargeEnough(path, img, config);
    return { pixels: toNetworkInput(img, mean), shape: [3, img.height, img.width] as Shape3, blend: config.styleBlendWeights[i] };
  });
  return { content, contentPixels, shape: [3, content.height, content.width], styles, initial: initialPoint(config, content, contentPixels, mean, plan.init) };
}
