/**
 * File-system helpers shared by every module that writes user files (images, weights, traces):
 * atomic replacement, an early writability check, and short wording for fs errors.
 */
import { randomBytes } from 'node:crypto';
import { accessSync, closeSync, constants, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
