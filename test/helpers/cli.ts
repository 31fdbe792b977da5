/** Runs the real CLI (bin/nst.js) in a child process, as a user would. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'vitest';

export const REPO = resolve(import.meta.dirname, '../..');
export const SHARED = resolve(REPO, '../shared');
export const IMAGES = join(SHARED, 'images');
export const BUNDLE = join(SHARED, 'weights/vgg19-uint8');
export const hasBundle = existsSync(join(BUNDLE, 'manifest.json'));
export const SQUEEZENET_BUNDLE = join(SHARED, 'weights/squeezenet1_1');
export const hasSqueezeNetBundle = existsSync(join(SQUEEZENET_BUNDLE, 'manifest.json'));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  /** Called with each stderr chunk, e.g. to send a signal once progress appears. */
  onStderr?: (chunk: string, child: ReturnType<typeof spawn>) => void;
}

export function runNst(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/nst.js'), ...args], {
      cwd: options.cwd ?? REPO,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      options.onStderr?.(String(d), child);
    });
    child.on('error', fail);
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** runNst, sending `stop.signal` to nst once its stderr shows `stop.line`; `sent` says whether it was sent. */
export async function runNstStopping(args: string[], stop: { line: string; signal: NodeJS.Signals } | undefined, options: CliOptions = {}): Promise<CliResult & { sent: boolean }> {
  let sent = false;
  const r = await runNst(args, {
    ...options,
    onStderr: (chunk, child) => {
      if (stop && !sent && chunk.includes(stop.line)) {
        sent = true;
        child.kill(stop.signal);
      }
    },
  });
  return { ...r, sent };
}

/** Bad input as the CLI must report it: exit 2, one line `nst: ...` matching `fragment`, no stack trace. */
export function expectUsageError(r: CliResult, fragment: string | RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.trim().split('\n');
  expect(lines, 'one line, no stack trace').toHaveLength(1);
  expect(lines[0]).toMatch(/^nst: /);
  expect(lines[0]).toMatch(fragment);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'nst-test-'));
}

/**
 * Environment for runNst that makes the child meet backend failures, as a faulty device
 * would cause them (test/helpers/inject-failures.mjs says which: e.g. 'fallback:gramBackward').
 */
export function injectFailures(spec: string): Record<string, string> {
  const preload = pathToFileURL(join(REPO, 'test/helpers/inject-failures.mjs')).href;
  return { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${preload}`.trim(), NST_INJECT_FAILURE: spec };
}
