/**
 * The pinned official downloads of VGG19 weights and what they must hash to.
 * - keras: Keras Applications' VGG19 'notop' file (80 MB; the original Caffe VGG19 weights of
 *   Simonyan & Zisserman, converted). Keras pins its md5 (keras/applications/vgg19.py,
 *   file_hash='253f8cb5...'): we verify the full md5.
 * - torch: torchvision's vgg19 (548 MB, includes the unused classifier; weights retrained by the
 *   PyTorch team). torchvision publishes only the first 8 hex digits of the file's sha256, in the
 *   file name (torch.hub's check_hash compares that prefix): we verify the same prefix, no more.
 */
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

export const DEFAULT_DOWNLOAD_SOURCE: DownloadSourceName = 'keras';

export const PINNED_DOWNLOADS: Record<DownloadSourceName, PinnedDownload> = {
  keras: {
    url: 'https://storage.googleapis.com/tensorflow/keras-applications/vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
    fileName: 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5',
    expected: { algorithm: 'md5', hex: '253f8cb515780f3b799900260a226db6' },
  },
  torch: {
    url: 'https://download.pytorch.org/models/vgg19-dcbb9e9d.pth',
    fileName: 'vgg19-dcbb9e9d.pth',
    expected: { algorithm: 'sha256', hex: 'dcbb9e9d' },
  },
};
