/**
 * `nst stylize --checkpoint/--resume` end to end, through the real CLI on the real weights, on
 * the backend of the test project (cpu and headlessgl, where resumed runs turned out bit for
 * bit the runs never stopped: both are deterministic here) at 32 px with shallow loss layers,
 * so that an evaluation takes well under a second on cpu.
 *
 * - A run killed with SIGKILL after a checkpoint was written, resumed with `--resume` alone,
 *   makes the evaluations of the uninterrupted run with exactly the same losses (the trace,
 *   which the checkpoint carries over) and writes the same PNG, byte for byte.
 * - The same after Ctrl-C, for Adam over two scales (--scales 2), the checkpoint made in the
 *   second one, resumed with the whole command repeated.
 * Refusals of checkpoints of other runs and of damaged ones: stylize-resume-refusals.test.ts.
 *
 * nst runs itself in a second process on Linux unless malloc is pinned and a display is there
 * or not wanted (src/cli/launcher.ts; npm test runs under xvfb-run): the environment here pins
 * it, so the process that is killed is the one that computes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpointFile } from '../src/stylize/checkpoint-format.js';
import { parseStylizeConfig } from '../src/stylize/config.js';
import { chooseEvaluation } from '../src/stylize/evaluation.js';
import { memoryLimit } from '../src/stylize/machine-memory.js';
import { planInputs } from '../src/stylize/inputs.js';
import { readInputs } from '../src/stylize/run.js';
import { testBackend } from './backend-under-test.js';
import { hasBundle } from './helpers/cli.js';
import { CONTENT, resumeSuite, smallRun, STYLE } from './helpers/resume-runs.js';

const BACKEND = testBackend();
const SMALL = smallRun(BACKEND);

/** Every evaluation's number and losses, without the times. */
function losses(trace: string): Array<[number, number, number, number, number]> {
  const rows: Array<{ i: number; content: number; style: number; tv: number; total: number }> = JSON.parse(readFileSync(trace, 'utf8')).iterations;
  return rows.map((e) => [e.i, e.content, e.style, e.tv, e.total]);
}

/** A --max-memory (GiB) one byte below the small run's estimate with L-BFGS's history in memory: the run keeps it in a file. */
function maxMemoryBelowHistoryInMemory(): string {
  const raw = Object.fromEntries(Array.from({ length: SMALL.length / 2 }, (_, k) => [SMALL[2 * k].slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase()), SMALL[2 * k + 1]]));
  const config = parseStylizeConfig(CONTENT, [STYLE], { ...raw, output: 'out.png', iterations: '12' });
  const inMemory = chooseEvaluation(config, planInputs(config, readInputs(config)), memoryLimit(), true);
  expect(inMemory).toMatchObject({ tile: null, historyOnDisk: false });
  return ((inMemory.bytes - 1) / 2 ** 30).toFixed(12);
}

describe.skipIf(!hasBundle)(`nst stylize --checkpoint and --resume on ${BACKEND}`, () => {
  const { dir, stylize } = resumeSuite();

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

  it('with L-BFGS\'s history in a file (--max-memory just below the run with it in memory), killed and resumed, makes the run with it in memory, bit for bit', async () => {
    const common = [CONTENT, STYLE, ...SMALL, '--iterations', '12'];
    const inMemory = await stylize([...common, '-o', join(dir, 'in-memory.png'), '--trace', join(dir, 'in-memory.json')]);
    expect(inMemory.code, inMemory.stderr).toBe(0);
    expect(inMemory.stderr).not.toContain('history in a file');

    const out = join(dir, 'history-file.png');
    const trace = join(dir, 'history-file.json');
    const inFile = [...common, '-o', out, '--trace', trace, '--checkpoint-every', '3', '--max-memory', maxMemoryBelowHistoryInMemory()];
    const killed = await stylize(inFile, { line: 'iteration 8/', signal: 'SIGKILL' });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(killed.stderr).toContain(`L-BFGS history in a file in ${dir}`);
    // The checkpoint holds pairs, streamed from the history file.
    expect(readCheckpointFile<{ optimizer: string }>(`${out}.nstckpt`).arrays.has('optimizer.v.s0')).toBe(true);

    const resumed = await stylize([...inFile, '--resume', `${out}.nstckpt`]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('L-BFGS history in a file');
    expect(resumed.stderr).not.toMatch(/^iteration 1\//m);
    expect(losses(trace)).toEqual(losses(join(dir, 'in-memory.json')));
    expect(readFileSync(out).equals(readFileSync(join(dir, 'in-memory.png'))), 'the same PNG').toBe(true);
    // Nothing left beside the output: the history file had no name.
    expect(readdirSync(dir).filter((name) => name.includes('history'))).toEqual(['history-file.json', 'history-file.png']);
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

});
