/** Where the weights file is looked for, in order, and what to tell the user when it is nowhere. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';

export const WEIGHTS_FILE_NAME = 'vgg19.nstw';
/** Default output of `nst weights import|download`, relative to the current directory. */
export const DEFAULT_WEIGHTS_PATH = join('weights', WEIGHTS_FILE_NAME);
export const WEIGHTS_ENV_VAR = 'NST_WEIGHTS';

export const GET_WEIGHTS_HINT =
  'get them with `npx nst weights import ../shared/weights/vgg19-uint8` (the uint8 bundle) or `npx nst weights download`';

export interface LookupContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
}

function currentContext(): LookupContext {
  return { env: process.env, cwd: process.cwd(), home: homedir() };
}

/** Per-user cache: $XDG_CACHE_HOME/neural-style-gl, else ~/.cache/neural-style-gl. */
export function userCacheDir(context: LookupContext = currentContext()): string {
  const base = context.env.XDG_CACHE_HOME || join(context.home, '.cache');
  return join(base, 'neural-style-gl');
}

function requireExisting(path: string, origin: string): string {
  if (!existsSync(path)) throw new UserError(`${origin} ${path}: no such file; ${GET_WEIGHTS_HINT}`);
  return path;
}

/**
 * The weights file to use: the --weights option, else $NST_WEIGHTS, else ./weights/vgg19.nstw,
 * else the per-user cache. A path the user named explicitly must exist: we never silently fall
 * back to another file.
 */
export function resolveWeightsPath(explicit?: string, context: LookupContext = currentContext()): string {
  if (explicit) return requireExisting(explicit, '--weights');
  const fromEnv = context.env[WEIGHTS_ENV_VAR];
  if (fromEnv) return requireExisting(fromEnv, WEIGHTS_ENV_VAR);
  const candidates = [join(context.cwd, DEFAULT_WEIGHTS_PATH), join(userCacheDir(context), WEIGHTS_FILE_NAME)];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new UserError(`no VGG19 weights found (looked for ${candidates.join(' and ')}); ${GET_WEIGHTS_HINT}`);
  return found;
}
