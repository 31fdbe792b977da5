/** The playground's loss curve: total loss per iteration on a log scale, redrawn as points arrive. */

export class LossPlot {
  private readonly totals: number[] = [];

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.clear();
  }

  clear(): void {
    this.totals.length = 0;
    this.draw();
  }

  add(total: number): void {
    if (Number.isFinite(total) && total > 0) this.totals.push(total);
    this.draw();
  }

  private draw(): void {
    const { width, height } = this.canvas;
    const g = this.canvas.getContext('2d')!;
    const pad = { left: 54, right: 8, top: 8, bottom: 20 };
    g.fillStyle = '#fff';
    g.fillRect(0, 0, width, height);
    g.strokeStyle = '#999';
    g.strokeRect(pad.left, pad.top, width - pad.left - pad.right, height - pad.top - pad.bottom);
    g.fillStyle = '#555';
    g.font = '11px system-ui, sans-serif';
    g.fillText('iteration', width / 2 - 20, height - 5);
    if (this.totals.length === 0) {
      g.fillText('total loss (log scale)', pad.left + 8, pad.top + 16);
      return;
    }
    const logs = this.totals.map(Math.log10);
    const lo = Math.min(...logs);
    const hi = Math.max(...logs);
    const span = hi - lo || 1;
    const x = (i: number) => pad.left + ((width - pad.left - pad.right) * i) / Math.max(1, this.totals.length - 1);
    const y = (v: number) => pad.top + ((height - pad.top - pad.bottom) * (hi - v)) / span;
    g.fillText(`1e${hi.toFixed(1)}`, 4, pad.top + 10);
    g.fillText(`1e${lo.toFixed(1)}`, 4, height - pad.bottom);
    g.strokeStyle = '#36c';
    g.lineWidth = 2;
    g.beginPath();
    logs.forEach((v, i) => (i === 0 ? g.moveTo(x(i), y(v)) : g.lineTo(x(i), y(v))));
    g.stroke();
  }
}
