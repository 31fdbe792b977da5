/** The fs calls of the weights modules, reporting failures as UserErrors that name the path. */
import { mkdirSync, readFileSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../errors.js';
import { describeFsError, writeFileAtomic } from '../files.js';

export function statOrFail(path: string): Stats {
  try {
    return statSync(path);
  } catch (e) {
    throw new UserError(`${path}: ${describeFsError(e)}`);
  }
}

export function readFileOrFail(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new UserError(`${path}: ${describeFsError(e)}`);
  }
}

export function makeDirectoryOrFail(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new UserError(`${path}: cannot create directory (${describeFsError(e)})`);
  }
}

/** Creates the directory if needed, then replaces `path` atomically (never half-written). */
export function writeFileOrFail(path: string, bytes: Uint8Array): void {
  makeDirectoryOrFail(dirname(path));
  try {
    writeFileAtomic(path, bytes);
  } catch (e) {
    throw new UserError(`${path}: cannot write (${describeFsError(e)})`);
  }
}
