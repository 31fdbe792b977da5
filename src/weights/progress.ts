/** Byte progress for downloads: a redrawn bar on a terminal, a line per 10% otherwise (logs, CI). */

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressReporter {
  /** `done` > 0 when resuming a partial download. */
  start(label: string, total: number | undefined, done: number): void;
  update(done: number): void;
  finish(): void;
}

const MB = 1024 * 1024;
const BAR_WIDTH = 30;
const REDRAW_INTERVAL_MS = 100;
const UNKNOWN_TOTAL_STEP = 10 * MB;

function megabytes(bytes: number): string {
  return (bytes / MB).toFixed(1);
}

export const silentProgress: ProgressReporter = { start() {}, update() {}, finish() {} };

class TerminalBar implements ProgressReporter {
  private label = '';
  private total: number | undefined;
  private done = 0;
  private lastDraw = 0;

  constructor(private readonly stream: ProgressStream) {}

  start(label: string, total: number | undefined, done: number): void {
    Object.assign(this, { label, total, done });
    this.draw();
  }

  update(done: number): void {
    this.done = done;
    if (Date.now() - this.lastDraw >= REDRAW_INTERVAL_MS) this.draw();
  }

  finish(): void {
    this.draw();
    this.stream.write('\n');
  }

  private draw(): void {
    this.lastDraw = Date.now();
    const { total, done } = this;
    if (!total) {
      this.stream.write(`\r${this.label} ${megabytes(done)} MB`);
      return;
    }
    const filled = Math.round((BAR_WIDTH * done) / total);
    const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
    const percent = Math.floor((100 * done) / total);
    this.stream.write(`\r${this.label} [${bar}] ${String(percent).padStart(3)}% ${megabytes(done)}/${megabytes(total)} MB`);
  }
}

class PlainLines implements ProgressReporter {
  private label = '';
  private total: number | undefined;
  private nextReport = 0;

  constructor(private readonly stream: ProgressStream) {}

  private step(): number {
    return this.total ? this.total / 10 : UNKNOWN_TOTAL_STEP;
  }

  start(label: string, total: number | undefined, done: number): void {
    Object.assign(this, { label, total });
    const resuming = done > 0 ? `, resuming at ${megabytes(done)} MB` : '';
    this.stream.write(`${label}: ${total ? `${megabytes(total)} MB` : 'size unknown'}${resuming}\n`);
    this.nextReport = (Math.floor(done / this.step()) + 1) * this.step();
  }

  update(done: number): void {
    if (done < this.nextReport) return;
    const amount = this.total ? `${Math.floor((100 * done) / this.total)}% (${megabytes(done)} MB)` : `${megabytes(done)} MB`;
    this.stream.write(`${this.label}: ${amount}\n`);
    this.nextReport = (Math.floor(done / this.step()) + 1) * this.step();
  }

  finish(): void {}
}

export function createProgress(stream: ProgressStream = process.stderr): ProgressReporter {
  return stream.isTTY ? new TerminalBar(stream) : new PlainLines(stream);
}
