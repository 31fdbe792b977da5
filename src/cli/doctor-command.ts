/**
 * `nst doctor`: what a user runs first on a new machine. Reports the backend that actually
 * ran, the device and the weights file, then runs every kernel's gradient check on the device.
 * A kernel that does not compile or falls back to another backend is a FAIL row with its
 * reason. Exit 0 only if all pass (a missing weights file is reported, not failed: the device
 * is fine).
 */
import type { Command } from 'commander';
import { Engine } from '../engine/engine.js';
import { resolveBackendRequest } from '../engine/backend.js';
import { asBackendFailure } from '../engine/backend-failure.js';
import { describeDevice, type DeviceInfo } from '../engine/device-info.js';
import { glxRenderer } from '../engine/glx-renderer.js';
import { CHECK_TABLE_HEADER, checkTableRow, TOLERANCE, type CheckResult } from '../check/gradient-check.js';
import { DOCTOR_SIZES, runKernelChecks } from '../check/run-checks.js';
import { isUserError } from '../errors.js';
import { MODELS } from '../models/index.js';
import { describeWeightsFile, loadModelWeights } from '../weights/load.js';
import { resolveWeightsPath } from '../weights/locate.js';
import { describeDisplay } from './launcher.js';

/** Exit code when the tool runs but this machine computes wrong results. */
export const EXIT_CHECK_FAILED = 1;

const yesNo = (b: boolean) => (b ? 'yes' : 'no');

const backendLine = (backend: string, requested: string) => `backend          ${backend} (requested: ${requested})`;

function deviceLines(info: DeviceInfo, requested: string): string[] {
  const lines = [backendLine(info.backend, requested), `display          ${describeDisplay()}`];
  if (info.webgl) {
    const w = info.webgl;
    lines.push(`webgl            ${w.version}, renderer ${w.renderer}`);
    const opengl = glxRenderer();
    if (opengl) lines.push(`opengl renderer  ${opengl}`);
    lines.push(`float textures   ${w.floatTexturesBy}: ${yesNo(w.floatTextures)}, ${w.floatRenderTargetsBy}: ${yesNo(w.floatRenderTargets)}`);
    lines.push(`highp fragment   ${w.highpFragmentBits} mantissa bits; max texture ${w.maxTextureSize} px`);
  }
  const precision = info.mantissaBits >= 23 ? 'float32' : info.mantissaBits >= 10 ? 'REDUCED (half-like)' : 'BROKEN';
  lines.push(`precision        ${precision}: ${info.mantissaBits} mantissa bits measured on the device`);
  return lines;
}

/** The device report, and whether its precision is float32; a device that cannot run the measurement fails. */
function deviceReport(engine: Engine, requested: string): { lines: string[]; ok: boolean } {
  try {
    const info = describeDevice(engine);
    return { lines: deviceLines(info, requested), ok: info.mantissaBits >= 23 };
  } catch (e) {
    const failure = asBackendFailure(e);
    if (!failure) throw e;
    return { lines: [backendLine(engine.backend, requested), `display          ${describeDisplay()}`, `precision        FAILED: ${failure.reason}`], ok: false };
  }
}

/** The weights file stylize would use (for VGG19, or the one named), fully verified (magic, version, checksum, every shape). */
function weightsLine(explicit: string | undefined): { line: string; ok: boolean } {
  let path: string;
  try {
    path = resolveWeightsPath(explicit);
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { line: `weights          none found: ${e.message}`, ok: true };
  }
  try {
    const d = describeWeightsFile(path);
    const { convs } = loadModelWeights(path, MODELS[d.model]);
    const mib = (d.sizeBytes / 2 ** 20).toFixed(1);
    return { line: `weights          ${path}: ok (${d.model}, ${d.dtype}, ${mib} MiB, sha256 verified, ${convs.length} conv layers, from ${d.convertedFrom})`, ok: true };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { line: `weights          FAILED: ${e.message}`, ok: false };
  }
}

export function checkTable(results: readonly CheckResult[]): string[] {
  const rows = results.map(checkTableRow);
  const header = [...CHECK_TABLE_HEADER];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('report the backend and device, then check every kernel against references and finite differences')
    .option('--backend <name>', 'auto, headlessgl, webasm or cpu (default: NST_BACKEND, else auto)')
    .option('--weights <file>', 'weights file to verify (default: the one stylize would find)')
    .action((opts: { backend?: string; weights?: string }) => {
      const requested = resolveBackendRequest(opts.backend);
      const engine = Engine.create(requested);
      try {
        const results = runKernelChecks(engine, DOCTOR_SIZES);
        const device = deviceReport(engine, requested);
        const weights = weightsLine(opts.weights);
        const out = [
          ...device.lines,
          weights.line,
          '',
          `max relative errors (limits: reference ${TOLERANCE.forward}, finite differences ${TOLERANCE.gradient}, adjoint ${TOLERANCE.adjoint})`,
          ...checkTable(results),
          '',
        ];
        const failed = results.filter((r) => !r.passed).length;
        out.push(failed === 0 ? `all ${results.length} checks passed on ${engine.backend}` : `${failed} of ${results.length} checks FAILED on ${engine.backend}`);
        process.stdout.write(out.join('\n') + '\n');
        if (failed > 0 || !device.ok || !weights.ok) process.exitCode = EXIT_CHECK_FAILED;
      } finally {
        engine.destroy();
      }
    });
}
