/**
 * Progress of a run. On a terminal: one line redrawn in place with a bar, the losses,
 * iterations per second and the time left. Elsewhere (logs, CI): a plain line every
 * `printEvery` iterations, and at the last one.
 */
import type { LossBreakdown } from '../loss/objective.js';

const BAR_WIDTH = 20;

const sci = (v: number) => v.toExponential(3);

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

export class Progress {
  private readonly start = performance.now();

  constructor(
    private readonly total: number,
    private readonly printEvery: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
    /** Iterations done before this process started (a resumed run's): not counted in its speed. */
    private readonly firstIteration = 0,
  ) {}

  private get interactive(): boolean {
    return Boolean(this.out.isTTY);
  }

  update(iteration: number, losses: LossBreakdown): void {
    const seconds = (performance.now() - this.start) / 1000;
    const rate = (iteration - this.firstIteration) / seconds;
    const lossText = `total ${sci(losses.total)} (content ${sci(losses.content)}, style ${sci(losses.style)}, tv ${sci(losses.tv)})`;
    if (this.interactive) {
      const filled = Math.round((BAR_WIDTH * iteration) / this.total);
      const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
      const eta = duration((this.total - iteration) / rate);
      this.out.write(`\r[${bar}] ${iteration}/${this.total} ${lossText} ${rate.toFixed(2)} it/s ETA ${eta}\x1b[K`);
    } else if ((this.printEvery > 0 && iteration % this.printEvery === 0) || iteration === this.total) {
      this.out.write(`iteration ${iteration}/${this.total}: ${lossText}, ${rate.toFixed(2)} it/s\n`);
    }
  }

  /** Ends the redrawn line so later output starts on its own line. */
  finish(): void {
    if (this.interactive) this.out.write('\n');
  }
}
