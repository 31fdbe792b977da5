/**
 * `nst weights ...` as users run it: the built CLI (test/global-setup.ts builds dist/) in a child
 * process, exit codes and output.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE, hasBundle, hasSqueezeNetBundle, runNst, SQUEEZENET_BUNDLE, tempDir, type CliResult } from './helpers/cli.js';
import { fixturePath } from './fixtures/weights/fixtures.js';

let temp: string;

/** Runs nst with a throwaway per-user cache, so that downloads never touch the real one. */
function nst(args: string[], cwd?: string): Promise<CliResult> {
  return runNst(args, { cwd, env: { XDG_CACHE_HOME: join(temp, 'cache') } });
}

/** A user error: exit 2 and exactly one line on stderr, no stack trace. */
function expectOneLineError(result: CliResult, ...fragments: string[]): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  for (const fragment of fragments) expect(lines[0]).toContain(fragment);
}

beforeAll(() => {
  temp = tempDir();
});

describe('nst weights import', () => {
  it('exits 2 with one line naming a source that does not exist', async () => {
    const missing = join(temp, 'no-such-bundle');
    expectOneLineError(await nst(['weights', 'import', missing, '-o', join(temp, 'x.nstw')]), `nst: ${missing}: no such file or directory`);
    expect(existsSync(join(temp, 'x.nstw'))).toBe(false);
  });

  it('exits 2 when the source does not have VGG19 shapes, naming layer and shapes', async () => {
    const result = await nst(['weights', 'import', fixturePath('uint8-bundle'), '-o', join(temp, 'tiny.nstw')]);
    expectOneLineError(result, 'conv1_1', '[4, 3, 3, 3]', '[64, 3, 3, 3]');
    expect(existsSync(join(temp, 'tiny.nstw'))).toBe(false);
  });

  it('exits 2 for an unknown --dtype', async () => {
    const result = await nst(['weights', 'import', fixturePath('uint8-bundle'), '--dtype', 'float64']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('float64');
  });

  it.skipIf(!hasBundle)('converts the real bundle to ./weights/vgg19.nstw (uint8) and says what it wrote', async () => {
    const cwd = mkdtempSync(join(temp, 'project-'));
    const result = await nst(['weights', 'import', BUNDLE], cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const size = readFileSync(join(cwd, 'weights', 'vgg19.nstw')).length;
    expect(result.stdout).toContain(`wrote ${join('weights', 'vgg19.nstw')}`);
    expect(result.stdout).toContain(`${size} bytes, uint8, from uint8-bundle`);
    expect(result.stdout).toMatch(/sha256 [0-9a-f]{64}/);
  });
});

describe('nst weights import, other networks', () => {
  it.skipIf(!hasSqueezeNetBundle)('tells SqueezeNet 1.1 from the shared float32 bundle and writes ./weights/squeezenet1_1.nstw', async () => {
    const cwd = mkdtempSync(join(temp, 'project-'));
    const result = await nst(['weights', 'import', SQUEEZENET_BUNDLE], cwd);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('found squeezenet1_1 (SqueezeNet 1.1) weights');
    expect(result.stdout).toContain(`wrote ${join('weights', 'squeezenet1_1.nstw')}`);
    expect(result.stdout).toContain('float32, from float32-bundle');
    expect(existsSync(join(cwd, 'weights', 'squeezenet1_1.nstw'))).toBe(true);
  });

  it('exits 2 for a torchvision squeezenet with misshaped tensors, naming the network, the tensor and both shapes', async () => {
    const output = join(temp, 'sq.nstw');
    const result = await nst(['weights', 'import', fixturePath('torchvision-squeezenet1_1.pth'), '-o', output]);
    expectOneLineError(result, 'features.0.weight (conv1) has shape [8, 3, 3, 3]; squeezenet1_1 needs [64, 3, 3, 3]');
    expect(existsSync(output)).toBe(false);
  });
});

describe('nst weights download', () => {
  it('exits 2 for a source that does not have the network', async () => {
    const result = await nst(['weights', 'download', '--model', 'squeezenet1_1', '--source', 'keras', '-o', join(temp, 'k.nstw')]);
    expectOneLineError(result, '--source keras: there is no keras download of squeezenet1_1 (available: torch)');
  });

  it('exits 2 with one line when the server cannot be reached', async () => {
    const result = await nst(['weights', 'download', '--url', 'http://127.0.0.1:9/vgg19.h5', '-o', join(temp, 'd.nstw')]);
    expectOneLineError(result, 'http://127.0.0.1:9/vgg19.h5', 'download interrupted');
    expect(existsSync(join(temp, 'd.nstw'))).toBe(false);
  });
});
