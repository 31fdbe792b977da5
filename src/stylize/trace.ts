/**
 * --trace: a JSON record of the run, rewritten (atomically) after every evaluation so that it
 * is valid JSON at any moment, even if the run is interrupted:
 *   {"backend": ..., "size": [w, h], "iterations": [{"i", "content", "style", "tv", "total", "ms"}, ...]}
 */
import { UserError } from '../errors.js';
import { describeFsError, writeFileAtomic, writeProblem } from '../files.js';
import type { LossBreakdown } from '../loss/objective.js';

export interface TraceEntry extends LossBreakdown {
  i: number;
  /** Milliseconds since the optimisation started. */
  ms: number;
}

export class TraceWriter {
  private readonly entries: TraceEntry[];

  constructor(
    private readonly path: string,
    private readonly header: { backend: string; size: [number, number]; seed: number; optimizer: string },
    /** The entries before this process (a resumed run's). */
    earlier: readonly TraceEntry[] = [],
  ) {
    this.entries = [...earlier];
  }

  /** Throws a UserError now if the trace could not be written later. */
  static checkWritable(path: string): void {
    const problem = writeProblem(path);
    if (problem) throw new UserError(`--trace: cannot write '${path}': ${problem}`);
  }

  add(entry: TraceEntry): void {
    this.entries.push(entry);
    const { backend, size, seed, optimizer } = this.header;
    const json = JSON.stringify({ backend, size, seed, optimizer, iterations: this.entries });
    try {
      writeFileAtomic(this.path, json + '\n');
    } catch (e) {
      throw new UserError(`--trace: cannot write '${this.path}': ${describeFsError(e)}`);
    }
  }
}
