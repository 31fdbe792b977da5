/**
 * Reads the tensors of a PyTorch state dict saved by torch.save, in either container:
 * - zip (torch >= 1.6): '<name>/data.pkl' plus one '<name>/data/<key>' entry per storage;
 * - legacy (torch 0.1.10 - 1.5, e.g. torchvision's vgg19-dcbb9e9d.pth): pickles back to back
 *   (magic number, protocol version, sys info, the state dict, the storage keys) followed by each
 *   storage as an int64 element count and its raw bytes.
 * Tensors are pickled as torch._utils._rebuild_tensor_v2 / _rebuild_tensor calls, or (oldest
 * files) as torch.FloatTensor() followed by BUILD with (storage, offset, size, stride).
 * Only float32 storages are supported: every published VGG19 checkpoint uses them.
 */
import { UserError } from '../errors.js';
import { unpickle, type PickleHooks, type PyStateful } from './pickle.js';
import { startsWithMagic, ZIP_MAGIC } from './magic.js';
import { listZipEntries, readZipEntry } from './zip.js';

export interface LazyTensor {
  shape: number[];
  /** Gathers the values (honouring storage offset and strides) only when asked: the classifier
   * layers of a full checkpoint are large and never needed. */
  values(): Float32Array;
}

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL_VERSION = 1001;
const FLOAT32_BYTES = 4;

class Storage {
  bytes?: Uint8Array;

  constructor(
    readonly key: string,
    readonly elements: number,
  ) {}
}

/** torch.FloatStorage as named in persistent ids: the only storage type we accept. */
const FLOAT_STORAGE = Symbol('torch.FloatStorage');

function isCount(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 0;
}

function isCountList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every(isCount);
}

class TensorRecord implements PyStateful {
  storage?: Storage;
  offset = 0;
  size: number[] = [];
  stride: number[] = [];

  constructor(private readonly label: string) {}

  /** (storage, storage_offset, size, stride, ...): the leading arguments of every rebuild form. */
  setState(state: unknown): void {
    const [storage, offset, size, stride] = Array.isArray(state) ? state : [];
    if (!(storage instanceof Storage) || !isCount(offset) || !isCountList(size) || !isCountList(stride) || size.length !== stride.length) {
      throw new UserError(`${this.label}: a tensor is not pickled as (storage, offset, size, stride)`);
    }
    Object.assign(this, { storage, offset, size, stride });
  }
}

/** Python's OrderedDict: a Map; BUILD brings attributes such as _metadata, which we do not need. */
class OrderedDict extends Map<unknown, unknown> implements PyStateful {
  setState(): void {}
}

function torchGlobals(label: string): (module: string, name: string) => unknown {
  const rebuildTensor = (args: unknown[]) => {
    const tensor = new TensorRecord(label);
    tensor.setState(args);
    return tensor;
  };
  const known: Record<string, unknown> = {
    // Python 3 pickles OrderedDict() then SETITEMS; Python 2 passes a list of [key, value] pairs.
    'collections.OrderedDict': (args: unknown[]) => new OrderedDict((args[0] as Array<[unknown, unknown]> | undefined) ?? []),
    'torch._utils._rebuild_tensor_v2': rebuildTensor,
    'torch._utils._rebuild_tensor': rebuildTensor,
    'torch.FloatTensor': () => new TensorRecord(label),
    'torch.FloatStorage': FLOAT_STORAGE,
  };
  return (module, name) => {
    const found = known[`${module}.${name}`];
    if (found === undefined) {
      throw new UserError(`${label}: holds a Python object ${module}.${name}; expected a state dict of float32 tensors (e.g. torchvision's vgg19)`);
    }
    return found;
  };
}

/** Persistent ids ('storage', type, key, location, numel[, view_metadata]): one Storage per key. */
function storageLoader(label: string, storages: Map<string, Storage>): (pid: unknown) => Storage {
  return (pid) => {
    if (!Array.isArray(pid) || pid[0] !== 'storage' || typeof pid[2] !== 'string' || typeof pid[4] !== 'number') {
      throw new UserError(`${label}: unexpected persistent id in the pickle`);
    }
    if (pid[1] !== FLOAT_STORAGE) throw new UserError(`${label}: only float32 tensors are supported`);
    if (pid[5] !== undefined && pid[5] !== null) throw new UserError(`${label}: storage views are not supported`);
    const key = pid[2];
    if (!storages.has(key)) storages.set(key, new Storage(key, pid[4]));
    return storages.get(key)!;
  };
}

function hooksFor(label: string, storages: Map<string, Storage>): PickleHooks {
  return { findGlobal: torchGlobals(label), persistentLoad: storageLoader(label, storages) };
}

function readZipCheckpoint(bytes: Uint8Array, label: string): unknown {
  const entries = listZipEntries(bytes, label);
  const pickleEntry = entries.find((e) => e.name.endsWith('/data.pkl') || e.name === 'data.pkl');
  if (!pickleEntry) throw new UserError(`${label}: ZIP file without data.pkl; not a PyTorch checkpoint`);
  const prefix = pickleEntry.name.slice(0, -'data.pkl'.length);
  const storages = new Map<string, Storage>();
  const { value } = unpickle(readZipEntry(bytes, pickleEntry, label), 0, hooksFor(label, storages), label);
  const byName = new Map(entries.map((e) => [e.name, e]));
  for (const storage of storages.values()) {
    const entry = byName.get(`${prefix}data/${storage.key}`);
    if (!entry) throw new UserError(`${label}: storage ${storage.key} is missing from the archive`);
    storage.bytes = readZipEntry(bytes, entry, label);
  }
  return value;
}

/** After the pickles: per storage key, an int64 element count then the raw float32 data. */
function readLegacyStorages(bytes: Uint8Array, start: number, keys: unknown[], storages: Map<string, Storage>, label: string): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = start;
  for (const key of keys) {
    const storage = storages.get(String(key));
    if (!storage || at + 8 > bytes.length) throw new UserError(`${label}: storage ${String(key)} is unknown or missing (file truncated?)`);
    const elements = Number(view.getBigInt64(at, true));
    const end = at + 8 + elements * FLOAT32_BYTES;
    if (elements !== storage.elements || end > bytes.length) {
      throw new UserError(`${label}: storage ${storage.key} is cut short or inconsistent (file truncated or corrupt)`);
    }
    storage.bytes = bytes.subarray(at + 8, end);
    at = end;
  }
}

function readLegacyCheckpoint(bytes: Uint8Array, label: string): unknown {
  const storages = new Map<string, Storage>();
  const hooks = hooksFor(label, storages);
  const magic = unpickle(bytes, 0, hooks, label);
  if (magic.value !== LEGACY_MAGIC) throw new UserError(`${label}: not a PyTorch checkpoint (bad magic number)`);
  const version = unpickle(bytes, magic.end, hooks, label);
  if (version.value !== LEGACY_PROTOCOL_VERSION) throw new UserError(`${label}: unsupported legacy PyTorch protocol ${String(version.value)}`);
  const sysInfo = unpickle(bytes, version.end, hooks, label);
  if (!(sysInfo.value instanceof Map) || sysInfo.value.get('little_endian') !== true) {
    throw new UserError(`${label}: only little-endian checkpoints are supported`);
  }
  const stateDict = unpickle(bytes, sysInfo.end, hooks, label);
  const keys = unpickle(bytes, stateDict.end, hooks, label);
  if (!Array.isArray(keys.value)) throw new UserError(`${label}: storage key list is missing`);
  readLegacyStorages(bytes, keys.end, keys.value, storages, label);
  return stateDict.value;
}

function lazyTensor(label: string, name: string, record: TensorRecord): LazyTensor {
  const { storage, offset, size, stride } = record;
  const lastIndex = offset + size.reduce((sum, n, k) => sum + (n - 1) * stride[k], 0);
  if (!storage?.bytes || (size.every((n) => n > 0) && (lastIndex + 1) * FLOAT32_BYTES > storage.bytes.length)) {
    throw new UserError(`${label}: tensor ${name} lies outside its storage`);
  }
  const bytes = storage.bytes;
  return {
    shape: size,
    values() {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const out = new Float32Array(size.reduce((a, b) => a * b, 1));
      const index = new Array<number>(size.length).fill(0);
      let element = offset;
      for (let k = 0; k < out.length; k++) {
        out[k] = view.getFloat32(element * FLOAT32_BYTES, true);
        // Row-major odometer over the indices, moving `element` along the strides.
        for (let axis = size.length - 1; axis >= 0; axis--) {
          element += stride[axis];
          if (++index[axis] < size[axis]) break;
          element -= size[axis] * stride[axis];
          index[axis] = 0;
        }
      }
      return out;
    },
  };
}

/** The tensors of a torch.save'd state dict, by key. */
export function readTorchStateDict(bytes: Uint8Array, label: string): Map<string, LazyTensor> {
  const stateDict = startsWithMagic(bytes, ZIP_MAGIC) ? readZipCheckpoint(bytes, label) : readLegacyCheckpoint(bytes, label);
  if (!(stateDict instanceof Map)) throw new UserError(`${label}: holds no state dict (expected an OrderedDict of tensors)`);
  const tensors = new Map<string, LazyTensor>();
  for (const [key, value] of stateDict) {
    if (typeof key === 'string' && value instanceof TensorRecord) tensors.set(key, lazyTensor(label, key, value));
  }
  return tensors;
}
