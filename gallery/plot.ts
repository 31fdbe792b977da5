/**
 * A loss curve: one or more series against the evaluation number, on a log10 vertical axis
 * with a mark and label at every power of ten, drawn into a box of an RgbImage.
 */
import type { RgbImage } from '../src/image/index.js';
import { BLACK, GREY, line, text, TEXT_HEIGHT, textWidth, type Colour } from './raster.js';

export interface Series {
  label: string;
  colour: Colour;
  /** Value after evaluation 1, 2, ...; values <= 0 or not finite are skipped (log axis). */
  values: readonly number[];
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

const LABEL_GAP = 3;

export function drawLossPlot(img: RgbImage, box: Box, series: readonly Series[], legend = true): void {
  const finite = series.flatMap((s) => s.values.filter((v) => v > 0 && Number.isFinite(v)));
  if (finite.length === 0) {
    text(img, 'NO FINITE LOSS', box.x + 4, box.y + box.height / 2);
    return;
  }
  const evaluations = Math.max(...series.map((s) => s.values.length));
  let top = Math.ceil(Math.log10(Math.max(...finite)));
  let bottom = Math.floor(Math.log10(Math.min(...finite)));
  if (top === bottom) top += 1;
  // Room on the left for the exponent labels ("1E12"), at the bottom for the evaluation count.
  const left = box.x + textWidth('1E-99') + LABEL_GAP;
  const plot = { x: left, y: box.y, width: box.x + box.width - left, height: box.height - TEXT_HEIGHT - LABEL_GAP };
  const toY = (v: number) => plot.y + plot.height - ((Math.log10(v) - bottom) / (top - bottom)) * plot.height;
  const toX = (i: number) => plot.x + (evaluations <= 1 ? 0 : (i / (evaluations - 1)) * plot.width);

  const step = Math.max(1, Math.ceil((top - bottom) / 6));
  for (let e = bottom; e <= top; e += step) {
    const y = toY(10 ** e);
    line(img, plot.x, y, plot.x + plot.width, y, [225, 225, 225]);
    const label = `1E${e}`;
    text(img, label, plot.x - LABEL_GAP - textWidth(label), Math.round(y - TEXT_HEIGHT / 2), GREY);
  }
  line(img, plot.x, plot.y, plot.x, plot.y + plot.height, BLACK);
  line(img, plot.x, plot.y + plot.height, plot.x + plot.width, plot.y + plot.height, BLACK);
  text(img, '1', plot.x, plot.y + plot.height + LABEL_GAP, GREY);
  const last = String(evaluations);
  text(img, last, plot.x + plot.width - textWidth(last), plot.y + plot.height + LABEL_GAP, GREY);

  for (const s of series) {
    let previous: [number, number] | null = null;
    s.values.forEach((v, i) => {
      if (!(v > 0 && Number.isFinite(v))) {
        previous = null;
        return;
      }
      const point: [number, number] = [toX(i), toY(v)];
      if (previous) line(img, previous[0], previous[1], point[0], point[1], s.colour);
      previous = point;
    });
  }
  if (!legend) return;
  // Legend, top right.
  series.forEach((s, k) => {
    const y = plot.y + 2 + k * (TEXT_HEIGHT + 2);
    text(img, s.label, plot.x + plot.width - textWidth(s.label) - 2, y, s.colour);
  });
}
