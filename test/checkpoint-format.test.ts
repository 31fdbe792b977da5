/**
 * The .nstckpt file (src/stylize/checkpoint-format.ts): arrays and header come back exactly,
 * and no damage gets through: the file cut at every length, or with any one byte changed, is
 * refused with one line naming it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { copyInto } from '../src/optim/state.js';
import { readCheckpointFile, readCheckpointHeader, writeCheckpointFile } from '../src/stylize/checkpoint-format.js';
import { tempDir } from './helpers/cli.js';

describe('checkpoint file', () => {
  const dir = tempDir();
  const path = join(dir, 'run.nstckpt');
  const header = { note: 'héllo', counts: [1, 2, 3] };
  const arrays = new Map<string, Float32Array | Float64Array>([
    ['odd', Float32Array.of(1.5, -0, NaN, Infinity, 3e-45)], // 5 values: the next array needs padding
    ['exact', Float64Array.of(Math.PI, 1 / 3, -Infinity, 2 ** -1074)],
    ['empty', new Float32Array(0)],
    ['view', new Float32Array(Float32Array.of(9, 8, 7, 6).buffer, 4, 2)], // a view into a larger buffer: only its part
  ]);
  writeCheckpointFile(path, '--checkpoint', header, arrays);
  const bytes = readFileSync(path);

  it('gives back the header and every array exactly, typed as written', () => {
    const read = readCheckpointFile<typeof header>(path);
    expect(read.header).toMatchObject(header);
    expect(readCheckpointHeader<typeof header>(path)).toMatchObject(header);
    expect([...read.arrays.keys()]).toEqual([...arrays.keys()]);
    for (const [name, a] of arrays) {
      const stored = read.arrays.get(name)!;
      // float32 arrays come back as streams from the file: read them whole here
      const b = stored instanceof Float64Array ? stored : copyInto(new Float32Array(stored.length), stored);
      expect(b.constructor, name).toBe(a.constructor);
      expect(Object.is(b[1], a[1]), `${name}: -0 stays -0`).toBe(true);
      expect(Array.from(b), name).toEqual(Array.from(a));
    }
  });

  const refused = (damaged: Buffer, name: string): UserError => {
    const file = join(dir, name);
    writeFileSync(file, damaged);
    try {
      readCheckpointFile(file);
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      expect((e as Error).message.startsWith(`${file}: `)).toBe(true);
      expect((e as Error).message).not.toContain('\n');
      return e as UserError;
    }
    throw new Error(`${name} was read as a checkpoint`);
  };

  it('refuses the file cut at any length', () => {
    for (let length = 0; length < bytes.length; length++) refused(bytes.subarray(0, length), `cut-${length}`);
  });

  it('refuses the file with any one byte changed', () => {
    for (let i = 0; i < bytes.length; i++) {
      const damaged = Buffer.from(bytes);
      damaged[i] ^= 0x10;
      refused(damaged, `flip-${i}`);
    }
  });

  it('names the problem: magic, format version, checksum', () => {
    expect(refused(Buffer.from('PNG, not a checkpoint'), 'foreign').message).toMatch(/not an nst checkpoint/);
    const v2 = Buffer.from(bytes);
    v2.writeUInt32LE(2, 4);
    expect(refused(v2, 'v2').message).toMatch(/checkpoint format version 2; this nst reads version 1 only/);
    expect(refused(bytes.subarray(0, bytes.length - 1), 'short').message).toMatch(/checksum mismatch: the checkpoint is truncated or corrupt/);
  });

  it('says which option could not write it, naming the file', () => {
    expect(() => writeCheckpointFile(join(dir, 'no-such-dir', 'x.nstckpt'), '--checkpoint', header, arrays)).toThrow(
      /^--checkpoint: cannot write '.*no-such-dir\/x\.nstckpt': no such file or directory$/,
    );
  });
});
