/**
 * `npm run gallery`: stylises one content photo with one style (../shared/images) by every
 * preset that runs, at a small size and the same budget of objective evaluations each, and
 * writes a contact sheet (content, style, one result per preset, labelled, with its loss
 * curves), one loss-curve plot per preset, and gallery.json (seconds, evaluations, losses).
 *
 *   npm run gallery -- [--size 96] [--evaluations 100] [--backend headlessgl] [--out gallery/out] [--sheet FILE]
 *
 * Timings are wall-clock seconds of each whole run (weights, kernels, optimisation): run it
 * alone on the machine (the project's machines share a lock: flock /tmp/nst-cpu.lock).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { fitLongestSide, readImage, resize, writeImageAtomic, type RgbImage } from '../src/image/index.js';
import { parseStylizeConfig } from '../src/stylize/config.js';
import { PRESETS } from '../src/stylize/presets.js';
import { DivergedError, stylize } from '../src/stylize/run.js';
import type { TraceEntry } from '../src/stylize/trace.js';
import { drawLossPlot, type Series } from './plot.js';
import { blit, canvas, GREY, text, TEXT_HEIGHT, textWidth } from './raster.js';

const IMAGES = '../shared/images';
const CONTENT = join(IMAGES, 'tubingen.jpg');
const STYLE = join(IMAGES, 'starry_night.jpg');

/**
 * The keras preset's SGD step (lr 100) is tuned for images 400 px high: with the Keras style
 * normalisation every pixel's style gradient grows as the pixel count falls, and at 128 px and
 * below the recipe's own step diverges within three steps (measured). The gallery scales it
 * by (height / 400)^2, the ratio of pixel counts, and says so on the sheet.
 */
const KERAS_ARTICLE_HEIGHT = 400;

interface Run {
  preset: string;
  seconds: number;
  evaluations: number;
  note: string;
  trace: TraceEntry[];
  image: RgbImage;
}

const SERIES: Array<{ key: 'total' | 'content' | 'style' | 'tv'; colour: [number, number, number] }> = [
  { key: 'total', colour: [0, 0, 0] },
  { key: 'content', colour: [30, 90, 220] },
  { key: 'style', colour: [210, 40, 40] },
  { key: 'tv', colour: [30, 150, 60] },
];

function seriesOf(trace: TraceEntry[]): Series[] {
  return SERIES.map(({ key, colour }) => ({ label: key.toUpperCase(), colour, values: trace.map((e) => e[key]) }));
}

async function runPreset(preset: string, opts: { size: number; evaluations: number; backend: string; out: string }): Promise<Run> {
  const output = join(opts.out, `${preset}.png`);
  const trace = join(opts.out, `${preset}.trace.json`);
  const raw = { preset, output, size: String(opts.size), seed: '1', trace, printEvery: '0', backend: opts.backend };
  let note = '';
  if (preset === 'keras') {
    const [, height] = fitLongestSide(readImage(CONTENT).width, readImage(CONTENT).height, opts.size);
    const lr = 100 * (height / KERAS_ARTICLE_HEIGHT) ** 2;
    Object.assign(raw, { learningRate: lr.toPrecision(3) });
    note = `LR ${lr.toPrecision(2)}: 100 AT 400 PX`;
  }
  const config = parseStylizeConfig(CONTENT, [STYLE], raw);
  const start = performance.now();
  try {
    await stylize(config, { log: (line) => process.stderr.write(`${preset}: ${line}\n`), maxEvaluations: opts.evaluations });
  } catch (e) {
    // A recipe that diverges at this size is shown as it ended: its last good image, so labelled.
    if (!(e instanceof DivergedError)) throw e;
    note = 'DIVERGED';
  }
  const seconds = (performance.now() - start) / 1000;
  const entries = (JSON.parse(readFileSync(trace, 'utf8')) as { iterations: TraceEntry[] }).iterations;
  process.stderr.write(`${preset}: ${entries.length} evaluations in ${seconds.toFixed(1)} s ${note}\n`);
  return { preset, seconds, evaluations: entries.length, note, trace: entries, image: readImage(output) };
}

/** Scales `img` down (never up) to fit in w x h, aspect kept. */
function fitted(img: RgbImage, w: number, h: number): RgbImage {
  const k = Math.min(1, w / img.width, h / img.height);
  return k === 1 ? img : resize(img, Math.max(1, Math.round(img.width * k)), Math.max(1, Math.round(img.height * k)));
}

function contactSheet(runs: Run[], evaluations: number, backend: string): RgbImage {
  const { width, height } = runs[0].image;
  const scale = 2;
  const tileW = width * scale;
  const tileH = height * scale;
  const gap = 12;
  const labelH = 3 * (TEXT_HEIGHT + 3);
  const plotH = 110;
  const top = 3 * (TEXT_HEIGHT + 4);
  const columns = runs.length + 2;
  const sheet = canvas(gap + columns * (tileW + gap), top + tileH + labelH + plotH + gap);
  text(sheet, `NST PRESETS: ${basename(CONTENT)} IN THE STYLE OF ${basename(STYLE)}, ${width}X${height} PX, ${evaluations} EVALUATIONS EACH`, gap, 4);
  // One legend for every plot: loss per evaluation, log scale, one colour per term.
  let legendX = gap;
  for (const s of seriesOf([])) {
    text(sheet, s.label, legendX, 4 + TEXT_HEIGHT + 4, s.colour);
    legendX += textWidth(s.label) + 8;
  }
  text(sheet, `LOSS PER EVALUATION, LOG SCALE. SECONDS: WHOLE RUNS ON ${backend}, ${os.cpus().length} CPU CORES`, legendX + 8, 4 + TEXT_HEIGHT + 4, GREY);
  const column = (k: number) => gap + k * (tileW + gap);
  const contentPhoto = resize(readImage(CONTENT), width, height);
  blit(sheet, contentPhoto, column(0), top, scale);
  text(sheet, 'CONTENT', column(0), top + tileH + 3);
  text(sheet, basename(CONTENT), column(0), top + tileH + 3 + TEXT_HEIGHT + 3, GREY);
  blit(sheet, fitted(readImage(STYLE), tileW, tileH), column(1), top);
  text(sheet, 'STYLE', column(1), top + tileH + 3);
  text(sheet, basename(STYLE), column(1), top + tileH + 3 + TEXT_HEIGHT + 3, GREY);
  runs.forEach((run, k) => {
    const x = column(k + 2);
    blit(sheet, run.image, x, top, scale);
    const y = top + tileH + 3;
    text(sheet, run.preset, x, y);
    text(sheet, `${run.evaluations} EVALS, ${run.seconds.toFixed(0)} S`, x, y + TEXT_HEIGHT + 3, GREY);
    if (run.note) text(sheet, run.note, x, y + 2 * (TEXT_HEIGHT + 3), GREY);
    drawLossPlot(sheet, { x, y: top + tileH + labelH, width: tileW, height: plotH }, seriesOf(run.trace), false);
  });
  return sheet;
}

function lossPlot(run: Run): RgbImage {
  const img = canvas(420, 260);
  text(img, `${run.preset}: LOSS PER EVALUATION (LOG SCALE)`, 8, 6);
  drawLossPlot(img, { x: 8, y: 22, width: 404, height: 230 }, seriesOf(run.trace));
  return img;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '96' },
      evaluations: { type: 'string', default: '100' },
      backend: { type: 'string', default: 'headlessgl' },
      out: { type: 'string', default: 'gallery/out' },
      sheet: { type: 'string' },
    },
  });
  const opts = { size: Number(values.size), evaluations: Number(values.evaluations), backend: values.backend, out: values.out };
  mkdirSync(opts.out, { recursive: true });
  const runs: Run[] = [];
  for (const preset of PRESETS.filter((p) => !p.waitsFor)) runs.push(await runPreset(preset.name, opts));
  const sheetPath = values.sheet ?? join(opts.out, 'contact-sheet.png');
  writeImageAtomic(sheetPath, contactSheet(runs, opts.evaluations, opts.backend));
  for (const run of runs) writeImageAtomic(join(opts.out, `loss-${run.preset}.png`), lossPlot(run));
  const summary = runs.map(({ preset, seconds, evaluations, note, trace }) => ({
    preset,
    seconds: Number(seconds.toFixed(1)),
    evaluations,
    note,
    firstLoss: trace[0]?.total,
    bestLoss: Math.min(...trace.map((e) => e.total)),
  }));
  writeFileSync(join(opts.out, 'gallery.json'), JSON.stringify({ size: opts.size, evaluations: opts.evaluations, backend: opts.backend, runs: summary }, null, 1) + '\n');
  process.stderr.write(`wrote ${sheetPath}, ${opts.out}/loss-*.png and ${opts.out}/gallery.json\n`);
}

await main();
