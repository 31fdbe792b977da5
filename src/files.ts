/**
 * File-system helpers shared by every module that writes user files (images, weights, traces):
 * atomic replacement, an early writability check, and short wording for fs errors.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fsyncSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** A short description of a failed file-system call, e.g. "permission denied" for EACCES. */
export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory, not a file';
    case 'ENOTDIR':
      return 'a component of the path is not a directory';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}

/** Reads up to `length` bytes at `position` into `target`, retrying short reads: fewer only where the file ends. Returns the count. */
export function readAt(fd: number, target: Uint8Array, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const got = readSync(fd, target, done, length - done, position + done);
    if (got === 0) break;
    done += got;
  }
  return done;
}

/**
 * Visits the `length` float32 values stored from byte `position` of `fd`, in order, in chunks
 * of `buffer`'s size (reused: a visitor must not keep a chunk); throws `ended()` where the file
 * ends first.
 */
export function readFloat32Chunks(fd: number, position: number, length: number, buffer: Float32Array, visit: (chunk: Float32Array, start: number) => void, ended: () => Error): void {
  const bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  for (let start = 0; start < length; start += buffer.length) {
    const size = Math.min(buffer.length, length - start);
    if (readAt(fd, bytes, size * 4, position + start * 4) !== size * 4) throw ended();
    visit(buffer.subarray(0, size), start);
  }
}

/** Writes a file's contents part by part, in order, through `append` (a file too large to hold in memory whole). */
export type WriteParts = (append: (part: Uint8Array) => void) => void;

/**
 * Writes `bytes` to a temporary file beside `path`, flushes it, then renames it over `path`:
 * rename within one file system is atomic, so nobody ever sees a half-written file and an
 * interrupted write leaves the previous version. Throws the fs error after cleaning up.
 * `bytes` may come in parts, written one after the other (large files need no copy joining them).
 */
export function writeFileAtomic(path: string, bytes: Uint8Array | string | readonly Uint8Array[] | WriteParts): void {
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = openSync(temporary, 'wx');
    try {
      const append = (part: Uint8Array | string) => writeFileSync(fd, part);
      if (typeof bytes === 'function') bytes(append);
      else for (const part of Array.isArray(bytes) ? bytes : [bytes]) append(part);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (e) {
    rmSync(temporary, { force: true });
    throw e;
  }
}

/**
 * Why a file could not be written at `path` later (null when it could): checked before a
 * long run. An existing file needs no write permission: it is replaced by renaming over it.
 */
export function writeProblem(path: string): string | null {
  const directory = dirname(path);
  const directoryStat = statSync(directory, { throwIfNoEntry: false });
  if (!directoryStat) return `directory '${directory}' does not exist`;
  if (!directoryStat.isDirectory()) return `'${directory}' is not a directory`;
  try {
    accessSync(directory, constants.W_OK);
  } catch {
    return `directory '${directory}' is not writable`;
  }
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) return 'it is a directory';
  return null;
}
