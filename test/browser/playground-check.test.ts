/** The playground's "check this device" button in Chromium: every kernel check of nst doctor passes on webgl2. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { openPlayground, type OpenPlayground } from './chromium.js';
import { DOCTOR_SIZES } from '../../src/check/run-checks.js';
import { kernelCases } from '../../src/check/kernel-cases.js';

describe('playground: check this device', () => {
  let playground: OpenPlayground;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    playground = await openPlayground();
    ({ page, errors } = playground);
  });
  afterAll(() => playground?.close());

  it('says the kernels run on webgl2, with no warning', async () => {
    expect(await page.getAttribute('#device', 'data-backend')).toBe('webgl2');
    expect((await page.textContent('#notice'))?.trim()).toBe('');
  });

  it('runs every kernel check of nst doctor on webgl2, and every one passes', async () => {
    await page.click('#check-device');
    const summary = page.locator('#check-summary');
    await page.waitForSelector('#check-summary[data-state="done"], #check-summary[data-state="error"]', { timeout: 240_000 });
    expect(await summary.getAttribute('data-state'), (await summary.textContent()) ?? '').toBe('done');
    const expected = kernelCases(true).length * DOCTOR_SIZES.length;
    expect(await summary.getAttribute('data-backend')).toBe('webgl2');
    expect(await summary.getAttribute('data-total')).toBe(String(expected));
    expect(await summary.getAttribute('data-passed')).toBe(String(expected));
    expect(await summary.getAttribute('data-mantissa-bits')).toBe('23');
    const rows = await page.$$eval('#check-table tr[data-result]', (trs) => trs.map((tr) => [tr.firstElementChild!.textContent, tr.getAttribute('data-result')]));
    expect(rows).toHaveLength(expected);
    expect(rows.filter(([, result]) => result !== 'pass')).toEqual([]);
    // Every kernel of the shared list, the blocked ones included, appears in the table.
    expect(new Set(rows.map(([kernel]) => kernel))).toEqual(new Set(kernelCases(true).map((c) => c.kernel)));
    expect(await summary.textContent()).toMatch(new RegExp(`all ${expected} checks passed on webgl2`));
  });

  it('logs no errors in the page', () => {
    expect(errors).toEqual([]);
  });
});
