/**
 * The library's weights: a .nstw file from a path (Node), a URL (fetched, in Node or a
 * browser) or its bytes. Everything is checked as `nst stylize` checks a file (from-bytes.ts);
 * a missing, unreachable or damaged file is a UserError naming it, with option 'weights'.
 */
import { isUserError, UserError } from '../errors.js';
import { weightsFromBytes } from '../weights/from-bytes.js';
import type { ModelWeights } from '../weights/model-weights.js';

/** A path (Node only), an http(s) or file URL (a string or a URL), or the file's bytes. */
export type WeightsSource = string | URL | ArrayBuffer | ArrayBufferView;

const URL_LIKE = /^(https?|file|blob|data):/i;

/** In a browser every string is a URL, relative to the page; in Node a string without a scheme is a path. */
const inBrowser = () => typeof document !== 'undefined';

/**
 * node:fs, imported by a name the bundler cannot see: the browser build stays free of Node
 * built-ins, and Node gets the module only when a path is given.
 */
async function readFileInNode(path: string): Promise<Uint8Array> {
  const fsModule = 'node:fs/promises';
  const { readFile } = (await import(fsModule)) as typeof import('node:fs/promises');
  try {
    return await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`${path}: cannot read the weights (${code === 'ENOENT' ? 'no such file' : (code ?? String(e))})`, 'weights');
  }
}

async function fetchBytes(url: string): Promise<Uint8Array> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new UserError(`${url}: cannot fetch the weights (${e instanceof Error ? e.message : String(e)})`, 'weights');
  }
  if (!response.ok) throw new UserError(`${url}: cannot fetch the weights (HTTP ${response.status})`, 'weights');
  return new Uint8Array(await response.arrayBuffer());
}

function bytesOf(source: ArrayBuffer | ArrayBufferView): Uint8Array {
  return source instanceof ArrayBuffer ? new Uint8Array(source) : new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
}

/** Reads and checks the weights of the network (VGG19's conv layers). */
export async function loadWeights(source: WeightsSource): Promise<ModelWeights> {
  let label: string;
  let bytes: Uint8Array;
  if (typeof source === 'string' || source instanceof URL) {
    label = String(source);
    const isUrl = source instanceof URL || URL_LIKE.test(source) || inBrowser();
    // fetch in Node takes no file: URLs; the path they name is read instead.
    const fileUrl = isUrl && !inBrowser() && /^file:/i.test(label);
    bytes = fileUrl ? await readFileInNode(decodeURIComponent(new URL(label).pathname)) : isUrl ? await fetchBytes(label) : await readFileInNode(label);
  } else if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) {
    label = '(weights bytes)';
    bytes = bytesOf(source);
  } else {
    throw new UserError(`weights: expected a path, a URL or the .nstw file's bytes (ArrayBuffer), got ${typeof source}`, 'weights');
  }
  try {
    return await weightsFromBytes(bytes, label);
  } catch (e) {
    throw isUserError(e) ? new UserError(e.message, 'weights') : e;
  }
}
