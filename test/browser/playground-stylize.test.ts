/**
 * The playground stylising in Chromium on webgl2 (SwiftShader): a 64 px image for a few
 * iterations through the page's own controls. The loss falls, the canvas is not blank, the
 * engine ran on webgl2 (a kernel gpu.js swapped for its CPU fallback would have ended the run
 * with BackendFallbackError), and the page answers mid-run and Stop works (the library yields
 * between evaluations). A screenshot of the page mid-run is left in test-output/browser/ (not
 * committed).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPlayground, TEST_OUTPUT, type OpenPlayground } from './chromium.js';

const ITERATIONS = 8;

/** The run's state as the page shows it (#stats's data attributes). */
async function stats(page: Page): Promise<Record<string, string | undefined>> {
  return page.$eval('#stats', (el) => ({ ...(el as HTMLElement).dataset, text: el.textContent ?? '' }));
}

const waitForEnd = (page: Page) => page.waitForSelector('#stats[data-state="done"], #stats[data-state="error"]', { timeout: 240_000 });

describe('playground: stylise', () => {
  let playground: OpenPlayground;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    playground = await openPlayground();
    ({ page, errors } = playground);
    // The shared photos are listed and the defaults chosen.
    await page.waitForSelector('#content-thumbs[data-chosen="tubingen.jpg"]');
    await page.waitForSelector('#style-thumbs[data-chosen="starry_night.jpg"]');
  });
  afterAll(() => playground?.close());

  it('stylises a 64 px image on webgl2: the loss falls, the canvas shows an image', async () => {
    await page.fill('#size', '64');
    await page.fill('#iterations', String(ITERATIONS));
    await page.click('#start');
    await waitForEnd(page);
    const end = await stats(page);
    expect(end.state, end.text).toBe('done');
    expect(end.backend).toBe('webgl2');
    expect(end.text).toMatch(new RegExp(`^done after \\d+ evaluations .* on webgl2`));
    expect(Number(end.iteration)).toBe(ITERATIONS);
    expect(Number(end.lastLoss)).toBeLessThan(0.8 * Number(end.firstLoss));
    expect(Number(end.evaluationsPerSecond)).toBeGreaterThan(0);

    const canvas = await page.$eval('#result', (c) => {
      const canvas = c as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const values = new Set<number>();
      let opaque = 0;
      for (let i = 0; i < data.length; i += 4) {
        values.add(data[i] * 65536 + data[i + 1] * 256 + data[i + 2]);
        if (data[i + 3] === 255) opaque++;
      }
      return { width: canvas.width, height: canvas.height, colours: values.size, opaque, pixels: data.length / 4 };
    });
    expect([canvas.width, canvas.height]).toEqual([64, 48]); // tubingen is 4:3
    expect(canvas.opaque).toBe(canvas.pixels);
    expect(canvas.colours).toBeGreaterThan(200);
    expect(await page.isVisible('#download')).toBe(true);
  });

  it('answers mid-run (a screenshot of the page then) and stops when asked, keeping the image so far, on the same engine', async () => {
    await page.fill('#iterations', '200');
    await page.click('#start');
    await page.waitForFunction(() => Number(document.getElementById('stats')!.dataset.iteration ?? 0) >= 3 && document.getElementById('stats')!.dataset.state === 'running', undefined, {
      timeout: 240_000,
    });
    mkdirSync(TEST_OUTPUT, { recursive: true });
    await page.screenshot({ path: join(TEST_OUTPUT, 'playground-mid-run.png'), fullPage: true });
    // The page answered (it yields between evaluations) and the run went on meanwhile.
    const during = await stats(page);
    expect(during.state, during.text).toBe('running');
    expect(during.text).toMatch(/^iteration \d+\/200 at 64x48: loss /);
    // Generous: on a loaded 2-core machine one evaluation in SwiftShader can hold the page for seconds.
    await page.click('#stop', { timeout: 120_000 });
    await waitForEnd(page);
    const end = await stats(page);
    expect(end.state, end.text).toBe('done');
    expect(end.text).toMatch(/^stopped after \d+ evaluations/);
    expect(Number(end.iteration)).toBeLessThan(200);
  });

  it('logs no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
