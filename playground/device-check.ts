/** "Check this device": nst doctor's kernel checks in the page, one row at a time. */
import { CHECK_TABLE_HEADER, checkTableRow } from '../src/check/gradient-check.js';
import { DOCTOR_SIZES, kernelCheckCount, kernelChecks } from '../src/check/run-checks.js';
import { describeDevice } from '../src/engine/device-info.js';
import { Engine } from '../src/engine/engine.js';
import { yieldToBrowser } from './yield.js';

function row(cells: readonly string[], tag: 'td' | 'th'): HTMLTableRowElement {
  const tr = document.createElement('tr');
  for (const text of cells) {
    const cell = document.createElement(tag);
    cell.textContent = text;
    tr.append(cell);
  }
  return tr;
}

/**
 * Runs every check on a fresh engine of `backend`, appending a row per check to `table` and
 * keeping `summary` up to date; the summary's data-state becomes 'done' or 'error' at the end.
 */
export async function checkDevice(backend: 'webgl2' | 'webgl', table: HTMLTableElement, summary: HTMLElement): Promise<void> {
  table.replaceChildren(row(CHECK_TABLE_HEADER, 'th'));
  summary.dataset.state = 'running';
  const engine = Engine.create(backend);
  try {
    const total = kernelCheckCount(engine, DOCTOR_SIZES);
    let done = 0;
    let failed = 0;
    for (const result of kernelChecks(engine, DOCTOR_SIZES)) {
      const tr = row(checkTableRow(result), 'td');
      tr.dataset.result = result.passed ? 'pass' : 'fail';
      tr.lastElementChild!.className = result.passed ? 'pass' : 'fail';
      table.append(tr);
      done++;
      if (!result.passed) failed++;
      summary.textContent = `checking on ${engine.backend}: ${done} of ${total}`;
      await yieldToBrowser();
    }
    const info = describeDevice(engine);
    const precision = info.mantissaBits >= 23 ? 'float32' : `REDUCED precision (${info.mantissaBits} mantissa bits)`;
    summary.textContent =
      (failed === 0 ? `all ${total} checks passed on ${engine.backend}` : `${failed} of ${total} checks FAILED on ${engine.backend}`) +
      `; ${precision}; ${info.webgl?.version ?? ''}, ${info.webgl?.renderer ?? ''}`;
    Object.assign(summary.dataset, { state: 'done', backend: engine.backend, passed: String(done - failed), total: String(total), mantissaBits: String(info.mantissaBits) });
  } catch (e) {
    summary.textContent = `the check stopped: ${e instanceof Error ? e.message : String(e)}`;
    summary.dataset.state = 'error';
  } finally {
    engine.destroy();
  }
}
