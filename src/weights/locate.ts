/** Where a network's weights file is looked for, in order, and what to tell the user when it is nowhere. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../errors.js';
import type { ModelName } from '../models/description.js';
import { MODELS } from '../models/index.js';

export const WEIGHTS_ENV_VAR = 'NST_WEIGHTS';

/** vgg19.nstw, squeezenet1_1.nstw, ... */
export function weightsFileName(model: ModelName): string {
  return `${model}.nstw`;
}

/** Default output of `nst weights import|download`, relative to the current directory. */
export function defaultWeightsPath(model: ModelName): string {
  return join('weights', weightsFileName(model));
}

/** How to get a network's weights: from a bundle in ../shared where there is one, else by download. */
export function getWeightsHint(model: ModelName): string {
  const bundle = { vgg19: 'vgg19-uint8', squeezenet1_1: 'squeezenet1_1' }[model as string];
  const download = `\`npx nst weights download${model === 'vgg19' ? '' : ` --model ${model}`}\``;
  return bundle ? `get them with \`npx nst weights import ../shared/weights/${bundle}\` (the bundle) or ${download}` : `get them with ${download}`;
}

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

function requireExisting(path: string, origin: string, model: ModelName): string {
  if (!existsSync(path)) throw new UserError(`${origin} ${path}: no such file; ${getWeightsHint(model)}`);
  return path;
}

/**
 * The weights file of `model` to use: the --weights option, else $NST_WEIGHTS, else
 * ./weights/<model>.nstw, else the per-user cache. A path the user named explicitly must
 * exist: we never silently fall back to another file (nor to another network's).
 */
export function resolveWeightsPath(explicit?: string, model: ModelName = 'vgg19', context: LookupContext = currentContext()): string {
  if (explicit) return requireExisting(explicit, '--weights', model);
  const fromEnv = context.env[WEIGHTS_ENV_VAR];
  if (fromEnv) return requireExisting(fromEnv, WEIGHTS_ENV_VAR, model);
  const candidates = [join(context.cwd, defaultWeightsPath(model)), join(userCacheDir(context), weightsFileName(model))];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new UserError(`no ${MODELS[model].title} weights found (looked for ${candidates.join(' and ')}); ${getWeightsHint(model)}`);
  return found;
}
