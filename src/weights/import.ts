/** Recognises what kind of weights source a path is and runs the matching importer. */
import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import { statOrFail } from './files.js';
import { BUNDLE_MANIFEST, importUint8Bundle } from './import-bundle.js';
import { importFloatBundle } from './import-float-bundle.js';
import { importKeras } from './import-keras.js';
import { importTorchvision } from './import-torch.js';
import { HDF5_MAGIC, PICKLE_PROTOCOL_2, startsWithMagic, ZIP_MAGIC } from './magic.js';
import type { ModelWeights } from './model-weights.js';

export type SourceKind = 'uint8-bundle' | 'float32-bundle' | 'torch' | 'keras';

const IMPORTERS: Record<SourceKind, (path: string) => ModelWeights> = {
  'uint8-bundle': importUint8Bundle,
  'float32-bundle': importFloatBundle,
  torch: importTorchvision,
  keras: importKeras,
};

function fileStart(path: string, length: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const bytes = new Uint8Array(length);
    return bytes.subarray(0, readSync(fd, bytes, 0, length, 0));
  } finally {
    closeSync(fd);
  }
}

/** The uint8 bundle's manifest has a "weights" table, the float32 bundle's a "layers" list. */
function bundleKind(manifest: string): SourceKind {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch {
    throw new UserError(`${manifest}: not valid JSON`);
  }
  if (Array.isArray((parsed as { layers?: unknown } | null)?.layers)) return 'float32-bundle';
  return 'uint8-bundle';
}

/** A directory with manifest.json is a bundle; a file is told by its first bytes. */
export function detectSourceKind(path: string): SourceKind {
  if (statOrFail(path).isDirectory()) {
    const manifest = join(path, BUNDLE_MANIFEST);
    if (existsSync(manifest)) return bundleKind(manifest);
    throw new UserError(
      `${path}: directory without ${BUNDLE_MANIFEST}; expected a weights bundle (e.g. ../shared/weights/vgg19-uint8 or ../shared/weights/squeezenet1_1)`,
    );
  }
  const head = fileStart(path, HDF5_MAGIC.length);
  if (startsWithMagic(head, ZIP_MAGIC) || startsWithMagic(head, PICKLE_PROTOCOL_2)) return 'torch';
  if (startsWithMagic(head, HDF5_MAGIC)) return 'keras';
  throw new UserError(`${path}: not a weights source this tool reads (a uint8 bundle directory, a PyTorch .pth or a Keras .h5)`);
}

export function importWeights(path: string): { kind: SourceKind; weights: ModelWeights } {
  const kind = detectSourceKind(path);
  return { kind, weights: IMPORTERS[kind](path) };
}
