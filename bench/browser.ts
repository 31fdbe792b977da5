/**
 * `npm run bench:browser`: seconds per objective evaluation of a real run (L-BFGS, the nst
 * stylize defaults, the real weights, tubingen.jpg with starry_night.jpg) in headless Chromium
 * on webgl2 (SwiftShader), read off the playground's own evaluations/s figure, next to the
 * library on headlessgl in Node on the same machine. Each size runs once to compile the
 * kernels (not timed), then `--iterations` iterations on the same engine (timed).
 * Run under a display for headlessgl (the npm script uses xvfb-run).
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import jpeg from 'jpeg-js';
import { createEngine, type RgbaImage } from '../src/api/index.js';
import { buildPlayground } from '../playground/build.js';
import { launchChromium } from '../playground/chromium.js';
import { REPO_ROOT } from '../playground/repo-root.js';
import { servePlayground } from '../playground/server.js';
import { machine } from './common.js';

const IMAGES = join(REPO_ROOT, '..', 'shared', 'images');

interface Row {
  where: string;
  size: number;
  evaluations: number;
  seconds: number;
  secondsPerEvaluation: number;
}

function photo(name: string): RgbaImage {
  const { width, height, data } = jpeg.decode(readFileSync(join(IMAGES, name)), { useTArray: true, formatAsRGBA: true });
  return { width, height, data };
}

async function measureNode(weights: string, sizes: number[], iterations: number): Promise<Row[]> {
  const engine = await createEngine({ weights, backend: 'headlessgl' });
  const request = { content: photo('tubingen.jpg'), style: photo('starry_night.jpg'), seed: 1 };
  const rows: Row[] = [];
  try {
    for (const size of sizes) {
      await engine.stylize({ ...request, size, iterations: 2 }); // compiles this size's kernels
      const r = await engine.stylize({ ...request, size, iterations });
      rows.push({ where: 'Node, headlessgl', size, evaluations: r.evaluations, seconds: r.seconds, secondsPerEvaluation: r.seconds / r.evaluations });
      process.stderr.write(`  headlessgl ${size} px: ${(r.seconds / r.evaluations).toFixed(2)} s per evaluation\n`);
    }
  } finally {
    await engine.dispose();
  }
  return rows;
}

async function measureChromium(weights: string, sizes: number[], iterations: number): Promise<{ rows: Row[]; renderer: string }> {
  const root = mkdtempSync(join(tmpdir(), 'nst-bench-web-'));
  await buildPlayground(root);
  const server = await servePlayground({ root, weights, images: IMAGES });
  const browser = await launchChromium();
  const rows: Row[] = [];
  try {
    const page = await browser.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#style-thumbs[data-chosen="starry_night.jpg"]');
    const renderer = (await page.textContent('#device')) ?? '';
    const run = async (size: number, n: number) => {
      await page.fill('#size', String(size));
      await page.fill('#iterations', String(n));
      await page.click('#start');
      await page.waitForSelector('#stats[data-state="done"], #stats[data-state="error"]', { timeout: 1_800_000 });
      const stats: Record<string, string | undefined> = await page.$eval('#stats', (el) => ({ ...(el as HTMLElement).dataset, text: el.textContent ?? '' }));
      if (stats.state !== 'done') throw new Error(`the page failed: ${stats.text}`);
      return stats;
    };
    for (const size of sizes) {
      await run(size, 2); // compiles this size's kernels
      const stats = await run(size, iterations);
      const perSecond = Number(stats.evaluationsPerSecond);
      const evaluations = Number(/after (\d+) evaluations/.exec(stats.text ?? '')?.[1]);
      rows.push({ where: 'Chromium, webgl2 (page figure)', size, evaluations, seconds: evaluations / perSecond, secondsPerEvaluation: 1 / perSecond });
      process.stderr.write(`  chromium webgl2 ${size} px: ${(1 / perSecond).toFixed(2)} s per evaluation (${stats.text})\n`);
    }
    return { rows, renderer };
  } finally {
    await browser.close();
    await server.close();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '128,256' },
      iterations: { type: 'string', default: '5' },
      weights: { type: 'string', default: join(REPO_ROOT, 'weights', 'vgg19.nstw') },
      json: { type: 'boolean', default: false },
    },
  });
  const sizes = values.sizes.split(',').map(Number);
  const iterations = Number(values.iterations);
  const chromium = await measureChromium(values.weights, sizes, iterations);
  const node = await measureNode(values.weights, sizes, iterations);
  const rows = [...chromium.rows, ...node];
  if (values.json) {
    process.stdout.write(JSON.stringify({ machine: machine(), chromiumDevice: chromium.renderer, rows }, null, 2) + '\n');
    return;
  }
  process.stdout.write(`machine: ${JSON.stringify(machine())}\nChromium: ${chromium.renderer}\n\n`);
  process.stdout.write('| where | size | evaluations | s per evaluation |\n| --- | --- | --- | --- |\n');
  for (const r of rows) process.stdout.write(`| ${r.where} | ${r.size} px | ${r.evaluations} | ${r.secondsPerEvaluation.toFixed(2)} |\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench:browser: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
