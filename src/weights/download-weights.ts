/** `nst weights download`: fetch a pinned source into the cache, verify it, convert it. */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.js';
import type { ModelName, NetworkDescription } from '../models/description.js';
import { MODELS } from '../models/index.js';
import { convertWeights, type WrittenWeights } from './convert.js';
import { digestFileHex } from './digest.js';
import { makeDirectoryOrFail } from './files.js';
import { pinnedDownload, type DownloadSourceName, type ExpectedDigest } from './download-sources.js';
import type { StorageDtype } from './format.js';
import { downloadToPart } from './http-download.js';
import { userCacheDir } from './locate.js';
import { silentProgress, type ProgressReporter } from './progress.js';

export interface DownloadWeightsOptions {
  /** The network to download; default vgg19. */
  model?: ModelName;
  /** Default: Keras where it has the network, else torchvision. */
  source?: DownloadSourceName;
  /** Overrides the pinned URL (a mirror); the file must still match the pinned digest. */
  url?: string;
  /** Overrides the pinned digest: for tests only, the CLI offers no way to set it. */
  expected?: ExpectedDigest;
  /** Default weights/<model>.nstw. */
  output?: string;
  dtype?: StorageDtype;
  /** Where downloads are kept; defaults to <user cache>/downloads. */
  cacheDir?: string;
  /** The network the weights must fit, instead of the real one; tests pass a tiny one. */
  architecture?: NetworkDescription;
  progress?: ProgressReporter;
  attempts?: number;
}

export interface DownloadedWeights {
  /** The verified source file, kept in the cache so that a second run needs no download. */
  downloaded: string;
  written: WrittenWeights;
}

export function defaultDownloadCacheDir(): string {
  return join(userCacheDir(), 'downloads');
}

async function matchesDigest(path: string, expected: ExpectedDigest): Promise<{ ok: boolean; actual: string }> {
  const actual = await digestFileHex(expected.algorithm, path);
  return { ok: actual.startsWith(expected.hex.toLowerCase()), actual };
}

/** Downloads (or resumes) into `<file>.part`, verifies, then renames it to `file`. */
async function fetchVerified(
  url: string,
  file: string,
  expected: ExpectedDigest,
  transfer: Pick<DownloadWeightsOptions, 'attempts' | 'progress'>,
): Promise<void> {
  if (existsSync(file) && (await matchesDigest(file, expected)).ok) return;
  rmSync(file, { force: true });
  makeDirectoryOrFail(dirname(file));
  const partPath = `${file}.part`;
  await downloadToPart({ url, partPath, attempts: transfer.attempts, progress: transfer.progress ?? silentProgress });
  const { ok, actual } = await matchesDigest(partPath, expected);
  if (!ok) {
    rmSync(partPath, { force: true });
    const wanted = expected.hex.length < actual.length ? `${expected.hex}...` : expected.hex;
    throw new UserError(
      `${url}: downloaded file has ${expected.algorithm} ${actual}, expected ${wanted}; deleted it and wrote nothing ` +
        '(a damaged transfer or a different file: try again, or check --url)',
    );
  }
  renameSync(partPath, file);
}

export async function downloadWeights(options: DownloadWeightsOptions): Promise<DownloadedWeights> {
  const model = options.model ?? 'vgg19';
  const pinned = pinnedDownload(model, options.source);
  const url = options.url ?? pinned.url;
  const protocol = URL.canParse(url) ? new URL(url).protocol : '';
  if (protocol !== 'http:' && protocol !== 'https:') throw new UserError(`--url ${url}: not an http(s) URL`);
  const downloaded = join(options.cacheDir ?? defaultDownloadCacheDir(), pinned.fileName);
  await fetchVerified(url, downloaded, options.expected ?? pinned.expected, options);
  const architecture = options.architecture ?? MODELS[model];
  if (architecture.name !== model) throw new Error(`downloadWeights: architecture ${architecture.name} given for ${model}`);
  const written = convertWeights({ source: downloaded, output: options.output, dtype: options.dtype, architecture });
  return { downloaded, written };
}
