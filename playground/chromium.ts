/**
 * Debian's Chromium (scripts/install-browser-deps.sh) driven by playwright-core, headless, with
 * WebGL through SwiftShader: for the browser tests (test/browser/) and the browser benchmark
 * (bench/browser.ts). No browser is downloaded: without /usr/bin/chromium this says what to install.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, no sandbox (the tests run as root in CI), WebGL on SwiftShader (no GPU: Chromium's
 * CPU implementation of Vulkan under ANGLE), and nothing that reaches for the network.
 */
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--enable-unsafe-swiftshader',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(extraFlags: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/install-browser-deps.sh (Debian's chromium package)`);
  return chromium.launch({ executablePath: CHROMIUM, args: [...FLAGS, ...extraFlags] });
}
