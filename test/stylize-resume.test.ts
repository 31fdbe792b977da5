/**
 * `nst stylize --checkpoint/--resume` end to end, through the real CLI on the real weights, on
 * cpu (deterministic: a resumed run is expected to be bit for bit the run never stopped) at
 * 32 px with shallow loss layers, so that an evaluation takes well under a second.
 *
 * - A run killed with SIGKILL after a checkpoint was written, resumed with `--resume` alone,
 *   makes the evaluations of the uninterrupted run with exactly the same losses (the trace,
 *   which the checkpoint carries over) and writes the same PNG, byte for byte.
 * - The same after Ctrl-C, for Adam over two scales (--scales 2), the checkpoint made in the
 *   second one, resumed with the whole command repeated.
 * - A checkpoint of another version, other options, another image, other weights or another
 *   backend, and a truncated, corrupt or foreign file: one line naming the file and what
 *   differs, exit 2, the checkpoint and an existing output untouched.
 *
 * nst runs itself in a second process on Linux unless malloc is pinned and no display is
 * wanted (src/cli/launcher.ts): the environment here pins it, so the child that is killed is
 * the one that computes.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCheckpointFile, writeCheckpointFile } from '../src/stylize/checkpoint-format.js';
import { convertWeights } from '../src/weights/convert.js';
import { BUNDLE, expectUsageError, hasBundle, IMAGES, runNst, tempDir, type CliResult } from './helpers/cli.js';

const CONTENT = join(IMAGES, 'tubingen.jpg');
const STYLE = join(IMAGES, 'starry_night.jpg');
const SMALL = ['--backend', 'cpu', '--size', '32', '--content-layers', 'relu2_1', '--style-layers', 'relu1_1,relu2_1', '--print-every', '1', '--seed', '7'];

interface TraceRow {
  i: number;
  content: number;
  style: number;
  tv: number;
  total: number;
}

/** Every evaluation's number and losses, without the times. */
function losses(trace: string): Array<[number, number, number, number, number]> {
  const rows: TraceRow[] = JSON.parse(readFileSync(trace, 'utf8')).iterations;
  return rows.map((e) => [e.i, e.content, e.style, e.tv, e.total]);
}

describe.skipIf(!hasBundle)('nst stylize --checkpoint and --resume on cpu', () => {
  const dir = tempDir();
  const weights = join(dir, 'vgg19.nstw');
  const env = { NST_WEIGHTS: weights, MALLOC_MMAP_THRESHOLD_: String(128 * 1024) };
  const stylize = (args: string[], stopAt?: { line: string; signal: NodeJS.Signals }) => {
    let sent = false;
    const run = runNst(['stylize', ...args], {
      env,
      onStderr: (chunk, child) => {
        if (stopAt && !sent && chunk.includes(stopAt.line)) {
          sent = true;
          child.kill(stopAt.signal);
        }
      },
    });
    return run.then((r) => ({ ...r, sent }));
  };

  beforeAll(() => {
    convertWeights({ source: BUNDLE, output: weights });
  });

  it('a run killed with SIGKILL and resumed from its checkpoint makes the uninterrupted run, bit for bit', async () => {
    const common = [CONTENT, STYLE, ...SMALL, '--iterations', '12'];
    const whole = await stylize([...common, '-o', join(dir, 'whole.png'), '--trace', join(dir, 'whole.json')]);
    expect(whole.code, whole.stderr).toBe(0);
    expect(existsSync(join(dir, 'whole.png.nstckpt')), 'removed when the run ends').toBe(false);

    const out = join(dir, 'killed.png');
    const checkpoint = `${out}.nstckpt`;
    const trace = join(dir, 'killed.json');
    const killed = await stylize([...common, '-o', out, '--trace', trace, '--checkpoint-every', '3'], { line: 'iteration 7/', signal: 'SIGKILL' });
    expect(killed.sent).toBe(true);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(checkpoint), 'the default checkpoint beside the output').toBe(true);
    const beforeResume = losses(trace).length;
    expect(beforeResume).toBeGreaterThanOrEqual(7);
    expect(beforeResume).toBeLessThan(12);

    const resumed = await stylize(['--resume', checkpoint, '--trace', trace]);
    expect(resumed.code, resumed.stderr).toBe(0);
    // It went on from the checkpoint, not from the start: iteration 1 is not printed again.
    expect(resumed.stderr).not.toMatch(/^iteration 1\//m);
    expect(resumed.stderr).toMatch(/^iteration 12\/12: /m);
    expect(losses(trace)).toEqual(losses(join(dir, 'whole.json')));
    expect(readFileSync(out).equals(readFileSync(join(dir, 'whole.png'))), 'the same PNG').toBe(true);
    expect(existsSync(checkpoint), 'removed when the run ends').toBe(false);
  });

  it('Adam over two scales, stopped by Ctrl-C in the second, resumed with the command repeated, makes the uninterrupted run', async () => {
    const common = (name: string) => [CONTENT, STYLE, ...SMALL, '--iterations', '12', '--scales', '2', '--optimizer', 'adam', '-o', join(dir, `${name}.png`), '--trace', join(dir, `${name}.json`)];
    const whole = await stylize(common('adam-whole'));
    expect(whole.code, whole.stderr).toBe(0);

    const checkpoint = join(dir, 'adam.ckpt');
    // The default split of 12 over 2 scales is 9 and 3: iteration 11 is in the second scale.
    const stopped = await stylize([...common('adam-stopped'), '--checkpoint', checkpoint, '--checkpoint-every', '0'], { line: 'iteration 11/', signal: 'SIGINT' });
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain(`kept the run's state in ${checkpoint}`);
    expect(readCheckpointFile<{ position: { scale: number } }>(checkpoint).header.position.scale).toBe(1);

    const resumed = await stylize([...common('adam-stopped'), '--resume', checkpoint]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toMatch(/^iteration 10\//m);
    expect(losses(join(dir, 'adam-stopped.json'))).toEqual(losses(join(dir, 'adam-whole.json')));
    expect(readFileSync(join(dir, 'adam-stopped.png')).equals(readFileSync(join(dir, 'adam-whole.png')))).toBe(true);
  });

  it('a checkpoint that cannot be written mid-run: one warning, the run goes on and writes its image', async () => {
    const out = join(dir, 'unwritable.png');
    const checkpoint = `${out}.nstckpt`;
    let broken = false;
    const r = await runNst(['stylize', CONTENT, STYLE, ...SMALL, '--iterations', '6', '--checkpoint-every', '2', '-o', out], {
      env,
      onStderr: (chunk, child) => {
        if (broken || !chunk.includes('iteration 1/')) return;
        broken = true;
        // Paused while the checkpoint's path becomes a directory, so that no write beats it.
        child.kill('SIGSTOP');
        mkdirSync(checkpoint);
        child.kill('SIGCONT');
      },
    });
    expect(broken).toBe(true);
    expect(r.code, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((line) => line.startsWith('nst: warning:'));
    expect(warnings).toEqual([expect.stringMatching(/^nst: warning: --checkpoint: cannot write '.*unwritable\.png\.nstckpt': .*; the run goes on/)]);
    expect(r.stderr).toMatch(/^iteration 6\/6: /m);
    expect(existsSync(out)).toBe(true);
  });

  describe('refuses a checkpoint of another run, or a damaged one: one line, exit 2, nothing overwritten', () => {
    const checkpoint = join(dir, 'refused.png.nstckpt');
    const out = join(dir, 'refused.png');
    const base = [CONTENT, STYLE, ...SMALL, '--iterations', '6', '-o', out];
    /** A copy of the checkpoint with its header changed, still well-formed (a checkpoint another nst could have written). */
    const withHeader = (name: string, change: (identity: Record<string, unknown>) => void) => {
      const { header, arrays } = readCheckpointFile<{ identity: Record<string, unknown> }>(checkpoint);
      change(header.identity);
      const path = join(dir, name);
      writeCheckpointFile(path, '--checkpoint', header, arrays);
      return path;
    };
    const damaged = (name: string, damage: (bytes: Buffer) => Buffer) => {
      const path = join(dir, name);
      writeFileSync(path, damage(readFileSync(checkpoint)));
      return path;
    };

    const pristine = join(dir, 'pristine.ckpt');
    beforeAll(async () => {
      const r = await stylize(base, { line: 'iteration 2/', signal: 'SIGINT' });
      expect(r.code, r.stderr).toBe(130);
      copyFileSync(checkpoint, pristine);
    });
    // Each case starts afresh, so that a case which wrongly resumes does not take the others with it.
    beforeEach(() => {
      copyFileSync(pristine, checkpoint);
      // An output from before must survive every refusal.
      writeFileSync(out, 'an earlier output');
    });

    const cases: Array<[string, () => string[], RegExp]> = [
      ['other options', () => ['--resume', checkpoint, '--style-weight', '200'], /refused\.png\.nstckpt: made with --style-weight 100, this run has 200; a checkpoint resumes only the run that wrote it$/],
      ['another optimiser', () => [...base, '--resume', checkpoint, '--optimizer', 'adam'], /made with --optimizer "lbfgs", this run has "adam"/],
      ['another content image', () => ['--resume', checkpoint, join(IMAGES, 'the_scream.jpg'), STYLE, ...SMALL, '--iterations', '6', '-o', out], /made with another content image than .*the_scream\.jpg/],
      ['another version', () => ['--resume', withHeader('version.ckpt', (id) => (id.packageVersion = '0.0.1'))], /version\.ckpt: written by neural-style-gl 0\.0\.1, this is /],
      ['other weights', () => ['--resume', withHeader('weights.ckpt', (id) => (id.weightsSha256 = 'f'.repeat(64)))], /weights\.ckpt: made with other vgg19 weights/],
      ['another backend', () => ['--resume', withHeader('backend.ckpt', (id) => (id.backend = 'headlessgl'))], /backend\.ckpt: made on the headlessgl backend, this run is on cpu; give --backend headlessgl/],
      ['a truncated file', () => ['--resume', damaged('truncated.ckpt', (b) => b.subarray(0, b.length - 1000)), ...base], /truncated\.ckpt: checksum mismatch: the checkpoint is truncated or corrupt/],
      ['a corrupt byte', () => ['--resume', damaged('corrupt.ckpt', (b) => ((b[b.length >> 1] ^= 1), b)), ...base], /corrupt\.ckpt: checksum mismatch/],
      ['a cut header', () => ['--resume', damaged('cut.ckpt', (b) => b.subarray(0, 40)), ...base], /cut\.ckpt: checksum mismatch/],
      ['another format version', () => ['--resume', damaged('v2.ckpt', (b) => (b.writeUInt32LE(2, 4), b))], /v2\.ckpt: checkpoint format version 2; this nst reads version 1 only/],
      ['not a checkpoint', () => ['--resume', CONTENT, ...base], /tubingen\.jpg: not an nst checkpoint/],
      ['a missing file', () => ['--resume', join(dir, 'none.ckpt'), ...base], /none\.ckpt: no such file/],
      ['a --checkpoint that cannot be written', () => [...base, '--checkpoint', dir], /--checkpoint: cannot write '.*': it is a directory$/],
    ];
    for (const [name, args, message] of cases) {
      it(name, async () => {
        const before = readFileSync(checkpoint);
        const r: CliResult = await stylize(args());
        expectUsageError(r, message);
        expect(readFileSync(out, 'utf8'), 'the output is untouched').toBe('an earlier output');
        expect(readFileSync(checkpoint).equals(before), 'the checkpoint is untouched').toBe(true);
      });
    }

    it('resumes from it when nothing differs (the refusals above refused for their reason alone)', async () => {
      const copy = join(dir, 'same.ckpt');
      copyFileSync(checkpoint, copy);
      const r = await stylize(['--resume', copy]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/^iteration 6\/6: /m);
    });
  });
});
