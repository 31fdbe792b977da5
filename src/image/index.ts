/** The public API of the image module: reading, writing, resizing and colour/network conversions. */
export type { RgbImage } from './types.js';
export { createImage } from './types.js';
export { readImage, decodeImage } from './decode.js';
export { encodeImage, writeImageAtomic, checkWritable, DEFAULT_JPEG_QUALITY, type OutputFormat } from './encode.js';
export { resize, fitLongestSide } from './resize.js';
export { toYuv, fromYuv, transferLuminance, type YuvImage } from './color.js';
export { toNetworkInput, fromNetworkInput, type ChannelMean } from './preprocess.js';
export { MAX_IMAGE_MEGAPIXELS } from './limits.js';
