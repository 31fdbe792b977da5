/**
 * The wording of user-facing image errors, in one place so every message names the file the
 * same way ("cannot read image 'x.png': ...") and file-system errors read the same everywhere.
 */
import { UserError } from '../errors.js';

export function readError(file: string, problem: string): UserError {
  return new UserError(`cannot read image '${file}': ${problem}`);
}

export function writeError(file: string, problem: string): UserError {
  return new UserError(`cannot write image '${file}': ${problem}`);
}

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
