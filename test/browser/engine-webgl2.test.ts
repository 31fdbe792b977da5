/**
 * The engine on webgl2 in a real Chromium: what headless-gl (WebGL 1) cannot show. The GL
 * kernel subclass (src/engine/gl-row-aligned.ts) patches WebGL 2's shader template, the output
 * texture pool (src/engine/gl-output-textures.ts) recycles WebGL 2 textures, and a CPU
 * fallback is caught (BackendFallbackError).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { buildAndServe, launchChromium, openPage, type Served } from './chromium.js';
import { join } from 'node:path';
import { REPO } from '../helpers/cli.js';

describe('engine on webgl2 in Chromium', () => {
  let served: Served;
  let browser: Browser;
  let report: Record<string, unknown>;
  let errors: string[];

  beforeAll(async () => {
    served = await buildAndServe({ 'engine-probe': join(REPO, 'test/browser/engine-probe.ts') });
    browser = await launchChromium();
    const opened = await openPage(browser, `${served.server.url}engine-probe.html`);
    errors = opened.errors;
    await opened.page.waitForFunction(() => 'engineProbe' in window);
    report = await opened.page.evaluate(() => (window as unknown as { engineProbe(): Promise<Record<string, unknown>> }).engineProbe());
  });
  afterAll(async () => {
    await browser?.close();
    await served?.server.close();
  });

  it('gets a WebGL 2 context and runs its kernels there', () => {
    expect(report.glVersion).toMatch(/^WebGL 2\.0/);
    expect(report.backend).toBe('webgl2');
    expect(report.kernelClass).toBe('webgl2');
    expect(report.roundTrip).toBe(true);
  });

  it('has kernel maps with 8 draw buffers, so the blocked kernels run', () => {
    expect(report.kernelMaps).toBe(true);
    expect(report.maxDrawBuffers).toBeGreaterThanOrEqual(8);
  });

  it("lays vec4 outputs out one tensor row per texture row and patches WebGL 2's fetch", () => {
    expect(report.rowAlignedTexSize).toEqual([7, 12]);
    expect(report.directFetchInShader).toBe(true);
    expect(report.webgl2SamplingCall).toBe(true);
  });

  it('recycles output textures through the pool', () => {
    expect(report.pooledAfterRelease).toBe(true);
    expect(report.textureReused).toBe(true);
    expect(report.reusedValuesRight).toBe(true);
  });

  it('catches a kernel that fell back to the CPU', () => {
    expect(report.fallback).toMatch(/ran on cpu instead of webgl2/);
  });

  it('logs no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
