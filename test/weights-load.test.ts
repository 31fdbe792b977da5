/** Loading .nstw files for the network, describing them for doctor, and finding them. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertWeights } from '../src/weights/convert.js';
import { NSTW_PREAMBLE_BYTES } from '../src/weights/format.js';
import { importUint8Bundle } from '../src/weights/import-bundle.js';
import { describeWeightsFile, loadModelWeights } from '../src/weights/load.js';
import { resolveWeightsPath, userCacheDir, type LookupContext } from '../src/weights/locate.js';
import { expectUserError } from './helpers/expect-user-error.js';
import { fixturePath, TINY_VGG19 } from './fixtures/weights/fixtures.js';

const BUNDLE = fixturePath('uint8-bundle');
let dir: string;
let good: string;

/** A copy of the good file with `damage` applied. */
function damaged(name: string, damage: (bytes: Buffer) => Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, damage(Buffer.from(readFileSync(good))));
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nst-load-'));
  good = join(dir, 'tiny.nstw');
  convertWeights({ source: BUNDLE, output: good, architecture: TINY_VGG19 });
});

describe('loadModelWeights', () => {
  it('gives back exactly what the bundle importer produced (uint8 kept byte for byte)', () => {
    const loaded = loadModelWeights(good, TINY_VGG19);
    const imported = importUint8Bundle(BUNDLE);
    expect(loaded.source).toBe(good);
    expect(loaded.inputMean).toEqual(imported.inputMean);
    loaded.convs.forEach((conv, i) => {
      expect(conv.name).toBe(imported.convs[i].name);
      expect(Array.from(conv.weight)).toEqual(Array.from(imported.convs[i].weight));
      expect(Array.from(conv.bias)).toEqual(Array.from(imported.convs[i].bias));
    });
  });

  it('reports a missing file', () => {
    const missing = join(dir, 'none.nstw');
    expectUserError(() => loadModelWeights(missing, TINY_VGG19), missing, 'no such file');
  });

  it('reports a truncated file', () => {
    const path = damaged('truncated.nstw', (b) => b.subarray(0, b.length - 100));
    expectUserError(() => loadModelWeights(path, TINY_VGG19), path, 'truncated', 'nst weights import');
  });

  it('reports a file truncated inside its header', () => {
    const path = damaged('stub.nstw', (b) => b.subarray(0, 40));
    expectUserError(() => loadModelWeights(path, TINY_VGG19), path, 'truncated inside its header');
  });

  it('reports a corrupt payload through its sha256', () => {
    const path = damaged('corrupt.nstw', (b) => {
      b[b.length - 50] ^= 0xff;
      return b;
    });
    expectUserError(() => loadModelWeights(path, TINY_VGG19), path, 'payload checksum mismatch (file corrupt or truncated)', 're-create it');
  });

  it('reports a corrupt header', () => {
    const path = damaged('header.nstw', (b) => {
      b[NSTW_PREAMBLE_BYTES] = 0x5b; // '{' -> '['
      return b;
    });
    expectUserError(() => loadModelWeights(path, TINY_VGG19), path, 'header');
  });

  it('reports bad magic', () => {
    const path = damaged('magic.nstw', (b) => {
      b.write('PK', 0);
      return b;
    });
    expectUserError(() => loadModelWeights(path, TINY_VGG19), path, "no 'NSTW' magic");
  });

  it('reports an unsupported version', () => {
    const path = damaged('version.nstw', (b) => {
      b.writeUInt32LE(2, 4);
      return b;
    });
    expectUserError(() => loadModelWeights(path, TINY_VGG19), path, 'version 2 is not supported');
  });

  it('reports a tensor whose shape does not fit the network', () => {
    expectUserError(() => loadModelWeights(good), good, "'conv1_1.weight'", '[4, 3, 3, 3]', 'needs [64, 3, 3, 3]');
  });
});

describe('describeWeightsFile', () => {
  it('summarises a good file', () => {
    const description = describeWeightsFile(good);
    expect(description).toMatchObject({ path: good, dtype: 'uint8', sha256ok: true, convertedFrom: 'uint8-bundle' });
    expect(description.sizeBytes).toBe(readFileSync(good).length);
    expect(description.tensors).toHaveLength(32);
    expect(description.tensors[0]).toEqual({ name: 'conv1_1.weight', shape: [4, 3, 3, 3], dtype: 'uint8' });
  });

  it('flags a corrupt payload without throwing', () => {
    const path = damaged('doctor.nstw', (b) => {
      b[b.length - 1] ^= 1;
      return b;
    });
    expect(describeWeightsFile(path).sha256ok).toBe(false);
  });
});

describe('resolveWeightsPath', () => {
  function context(env: NodeJS.ProcessEnv = {}): LookupContext {
    const root = mkdtempSync(join(tmpdir(), 'nst-locate-'));
    mkdirSync(join(root, 'cwd'));
    return { env, cwd: join(root, 'cwd'), home: join(root, 'home') };
  }

  function touch(path: string): string {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, '');
    return path;
  }

  it('prefers --weights, then NST_WEIGHTS, then ./weights/vgg19.nstw, then the user cache', () => {
    const ctx = context();
    const cached = touch(join(ctx.home, '.cache', 'neural-style-gl', 'vgg19.nstw'));
    expect(resolveWeightsPath(undefined, 'vgg19', ctx)).toBe(cached);
    const local = touch(join(ctx.cwd, 'weights', 'vgg19.nstw'));
    expect(resolveWeightsPath(undefined, 'vgg19', ctx)).toBe(local);
    const fromEnv = touch(join(ctx.home, 'env.nstw'));
    ctx.env.NST_WEIGHTS = fromEnv;
    expect(resolveWeightsPath(undefined, 'vgg19', ctx)).toBe(fromEnv);
    const explicit = touch(join(ctx.home, 'explicit.nstw'));
    expect(resolveWeightsPath(explicit, 'vgg19', ctx)).toBe(explicit);
  });

  it('uses XDG_CACHE_HOME when set', () => {
    const ctx = context({ XDG_CACHE_HOME: '/xdg' });
    expect(userCacheDir(ctx)).toBe(join('/xdg', 'neural-style-gl'));
  });

  it('never falls back from a path the user named', () => {
    const ctx = context();
    touch(join(ctx.cwd, 'weights', 'vgg19.nstw'));
    expectUserError(() => resolveWeightsPath('/nope.nstw', 'vgg19', ctx), '--weights', '/nope.nstw', 'no such file');
    ctx.env.NST_WEIGHTS = '/nope-env.nstw';
    expectUserError(() => resolveWeightsPath(undefined, 'vgg19', ctx), 'NST_WEIGHTS', '/nope-env.nstw');
  });

  it('tells both ways to get weights when there are none', () => {
    const ctx = context();
    expectUserError(
      () => resolveWeightsPath(undefined, 'vgg19', ctx),
      'no VGG19 weights found',
      'npx nst weights import ../shared/weights/vgg19-uint8',
      'npx nst weights download',
    );
  });
});
