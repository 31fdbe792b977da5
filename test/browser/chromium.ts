/**
 * The browser tests' harness: Chromium (playground/chromium.ts: Debian's, headless, WebGL on
 * SwiftShader; a machine without it fails these tests, saying what to install) and the
 * playground built and served for it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { REPO } from '../helpers/cli.js';
import { buildPlayground, bundleForBrowser } from '../../playground/build.js';
import { servePlayground, type PlaygroundServer } from '../../playground/server.js';
import { IMAGES } from '../helpers/cli.js';

import { launchChromium } from '../../playground/chromium.js';

export { launchChromium };

/** The weights file the page loads: the project's own (CI imports it before the tests). */
export const WEIGHTS = join(REPO, 'weights', 'vgg19.nstw');

/** Where the browser tests leave what a person may want to look at (screenshots); not committed. */
export const TEST_OUTPUT = join(REPO, 'test-output', 'browser');

export interface Served {
  server: PlaygroundServer;
  root: string;
}

/** Builds the playground (and any extra entries, each with a page `<name>.html` loading it) into a temporary folder and serves it. */
export async function buildAndServe(extraEntries: Record<string, string> = {}): Promise<Served> {
  const root = mkdtempSync(join(tmpdir(), 'nst-web-'));
  await buildPlayground(root);
  if (Object.keys(extraEntries).length > 0) {
    await bundleForBrowser(extraEntries, root);
    for (const name of Object.keys(extraEntries)) {
      writeFileSync(join(root, `${name}.html`), `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><script type="module" src="${name}.js"></script>\n`);
    }
  }
  return { server: await servePlayground({ root, weights: WEIGHTS, images: IMAGES }), root };
}

/** A page whose console errors and uncaught exceptions are collected, for the tests to show. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}

export interface OpenPlayground {
  page: Page;
  /** Console errors and uncaught exceptions of the page so far. */
  errors: string[];
  close(): Promise<void>;
}

/** The playground built, served and opened in a fresh Chromium: what each playground suite starts with. */
export async function openPlayground(): Promise<OpenPlayground> {
  const served = await buildAndServe();
  const browser = await launchChromium();
  const close = async () => {
    await browser.close();
    await served.server.close();
  };
  try {
    return { ...(await openPage(browser, served.server.url)), close };
  } catch (e) {
    await close();
    throw e;
  }
}
