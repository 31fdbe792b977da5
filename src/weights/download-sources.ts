/**
 * The pinned official downloads of each network's weights and what they must hash to.
 * - keras: Keras Applications' VGG19 and VGG16 'notop' files (80 and 59 MB; the original Caffe
 *   VGG weights of Simonyan & Zisserman, converted). Keras pins their md5
 *   (keras/applications/vgg19.py, vgg16.py, file_hash=...): we verify the full md5.
 * - torch: torchvision's files (they include the unused classifier; the VGG weights were
 *   retrained by the PyTorch team). torchvision publishes only the first 8 hex digits of each
 *   file's sha256, in the file name (torch.hub's check_hash compares that prefix): we verify
 *   the same prefix, no more.
 * SqueezeNet comes from torchvision only (Keras Applications has no SqueezeNet).
 */
import { UserError } from '../errors.js';
import type { ModelName } from '../models/description.js';
import type { DigestAlgorithm } from './digest.js';

export const DOWNLOAD_SOURCE_NAMES = ['keras', 'torch'] as const;
export type DownloadSourceName = (typeof DOWNLOAD_SOURCE_NAMES)[number];

/** `hex` is the full digest, or a published prefix of it. */
export interface ExpectedDigest {
  algorithm: DigestAlgorithm;
  hex: string;
}

export interface PinnedDownload {
  url: string;
  fileName: string;
  expected: ExpectedDigest;
}

function torchvision(fileName: string): PinnedDownload {
  // torchvision's file names end in the first 8 hex digits of the file's sha256.
  const prefix = /-([0-9a-f]{8})\.pth$/.exec(fileName)![1];
  return { url: `https://download.pytorch.org/models/${fileName}`, fileName, expected: { algorithm: 'sha256', hex: prefix } };
}

function keras(model: 'vgg16' | 'vgg19', md5: string): PinnedDownload {
  const fileName = `${model}_weights_tf_dim_ordering_tf_kernels_notop.h5`;
  return { url: `https://storage.googleapis.com/tensorflow/keras-applications/${model}/${fileName}`, fileName, expected: { algorithm: 'md5', hex: md5 } };
}

/** Per network, its downloads; the first listed is the default. */
export const PINNED_DOWNLOADS: Readonly<Record<ModelName, Partial<Record<DownloadSourceName, PinnedDownload>>>> = {
  vgg19: { keras: keras('vgg19', '253f8cb515780f3b799900260a226db6'), torch: torchvision('vgg19-dcbb9e9d.pth') },
  vgg16: { keras: keras('vgg16', '6d6bbae143d832006294945121d1f1fc'), torch: torchvision('vgg16-397923af.pth') },
  squeezenet1_1: { torch: torchvision('squeezenet1_1-b8a52dc0.pth') },
  squeezenet1_0: { torch: torchvision('squeezenet1_0-b66bff10.pth') },
};

/** Keras' file where there is one (smaller, the original VGG weights), else torchvision's. */
export function defaultSourceFor(model: ModelName): DownloadSourceName {
  return PINNED_DOWNLOADS[model].keras ? 'keras' : 'torch';
}

export function pinnedDownload(model: ModelName, source: DownloadSourceName = defaultSourceFor(model)): PinnedDownload {
  const pinned = PINNED_DOWNLOADS[model][source];
  if (!pinned) {
    const available = Object.keys(PINNED_DOWNLOADS[model]).join(', ');
    throw new UserError(`--source ${source}: there is no ${source} download of ${model} (available: ${available})`);
  }
  return pinned;
}
