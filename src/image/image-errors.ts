/**
 * The wording of user-facing image errors, in one place so every message names the file the
 * same way ("cannot read image 'x.png': ...").
 */
import { UserError } from '../errors.js';

export function readError(file: string, problem: string): UserError {
  return new UserError(`cannot read image '${file}': ${problem}`);
}

export function writeError(file: string, problem: string): UserError {
  return new UserError(`cannot write image '${file}': ${problem}`);
}
