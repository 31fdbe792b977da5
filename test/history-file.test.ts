/**
 * L-BFGS's pairs kept in a file (src/stylize/history-file.ts), as print-size runs do: the run is
 * the same bit for bit as with the pairs in memory, also when its state goes through a
 * checkpoint file and back (both streamed, never whole in memory), the file leaves nothing in
 * its directory, and a directory without room for it is refused with one line.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../src/errors.js';
import { lbfgs, type Boundary, type OptimResult } from '../src/optim/index.js';
import type { PairStorageFactory } from '../src/optim/pair-storage.js';
import type { StateVector } from '../src/optim/state.js';
import { readCheckpointFile, writeCheckpointFile } from '../src/stylize/checkpoint-format.js';
import { HistoryFile } from '../src/stylize/history-file.js';
import { tempDir } from './helpers/cli.js';
import { rosenbrock } from './helpers/optim-problems.js';

// More values than one chunk of the file (2^20), and not a multiple of it.
const N = 2_500_003;
const { objective, start } = rosenbrock(N);
const EVALUATIONS = 12;

function run(historyStorage: PairStorageFactory | undefined, extra: Parameters<typeof lbfgs>[2] = { maxEvaluations: EVALUATIONS }, losses: number[] = []): Promise<OptimResult> {
  return lbfgs(objective, start, {
    history: 3,
    lineSearch: 'none',
    tolFunction: -1,
    tolGradient: -1,
    tolChange: -1,
    ...extra,
    historyStorage,
    onEvaluation: ({ loss }) => void losses.push(loss),
  });
}

describe('L-BFGS with its pairs in a file', () => {
  const dir = tempDir();

  it('gives the losses and the point of the run with its pairs in memory, bit for bit, and leaves no file', async () => {
    const inMemory: number[] = [];
    const reference = await run(undefined, undefined, inMemory);
    const file = new HistoryFile(dir, 0);
    const inFile: number[] = [];
    const result = await run(file.storage, undefined, inFile);
    // More than the 3 pairs it keeps: slots are reused.
    expect(result.iterations).toBeGreaterThan(4);
    expect(readdirSync(dir)).toEqual([]);
    file.release();
    expect(inFile).toEqual(inMemory);
    expect(Buffer.from(result.x.buffer).equals(Buffer.from(reference.x.buffer))).toBe(true);
  });

  it('resumes through a checkpoint file, streamed both ways, to the same result', async () => {
    const reference = await run(undefined);
    const checkpoint = join(dir, 'state.nstckpt');
    const stopAt = 8;
    // The run is stopped by its budget after stopAt evaluations: write its state at the last boundary before.
    const stopped = new HistoryFile(dir, 0);
    let boundary: Boundary | undefined;
    await run(stopped.storage, { maxEvaluations: stopAt, onBoundary: (b) => void (boundary = b) }, []);
    const state = boundary!.state();
    expect(state.scalars.pairs).toBe(3);
    writeCheckpointFile(checkpoint, '--checkpoint', { scalars: state.scalars }, new Map(Object.entries(state.vectors)));
    stopped.release();

    const { header, arrays } = readCheckpointFile<{ scalars: Record<string, number> }>(checkpoint);
    const vectors: Record<string, StateVector> = Object.fromEntries(arrays);
    const resumedFile = new HistoryFile(dir, 0);
    const resumed = await run(resumedFile.storage, { maxEvaluations: EVALUATIONS, resume: { optimizer: 'lbfgs', scalars: header.scalars, vectors } });
    resumedFile.release();
    expect(resumed.evaluations).toBe(reference.evaluations);
    expect(resumed.loss).toBe(reference.loss);
    expect(Buffer.from(resumed.x.buffer).equals(Buffer.from(reference.x.buffer))).toBe(true);
  });

  it('is refused, in one line naming --output, where the disk has no room for it', () => {
    expect(() => new HistoryFile(dir, 2 ** 60)).toThrow(UserError);
    expect(() => new HistoryFile(dir, 2 ** 60)).toThrow(/^--output: the L-BFGS history of this run \(.+\) does not fit in memory .* has .+ free; [^\n]+$/);
  });
});
