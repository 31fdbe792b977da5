/**
 * `nst stylize --resume` refuses, before anything is written, a checkpoint of another version,
 * other options, another image, other weights or another backend, and a truncated, corrupt or
 * foreign file: one line naming the file and what differs, exit 2, the checkpoint and an
 * existing output untouched. A --checkpoint that cannot be written is refused up front, and
 * one that fails mid-run is warned about once while the run goes on. On cpu, through the real
 * CLI (the resumed runs themselves: stylize-resume.test.ts).
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readCheckpointFile, writeCheckpointFile } from '../src/stylize/checkpoint-format.js';
import { expectUsageError, hasBundle, IMAGES, runNst, type CliResult } from './helpers/cli.js';
import { CONTENT, resumeSuite, smallRun, STYLE } from './helpers/resume-runs.js';

const SMALL = smallRun('cpu');

describe.skipIf(!hasBundle)('nst stylize --checkpoint and --resume: what is refused', () => {
  const { dir, env, stylize } = resumeSuite();

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
      // Tiled evaluation equals the whole image's to float32 rounding only: the tiles are part of the run.
      ['other tiles', () => ['--resume', checkpoint, '--tile', '1024'], /made with --tile \(the tile side used, automatic ones too; null: the whole image\) null, this run has 1024;/],
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
