/**
 * Root reads and writes whatever the permission bits say (capabilities CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH), so a permission test run as root, as CI runs, would prove nothing.
 * This runs one call of the built code (dist/, made by the global setup) in a child node
 * process that is root without those two capabilities (setpriv, from util-linux, which every
 * Debian has): the kernel then checks the permission bits for it as for anyone else.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO } from './cli.js';

export const isRoot = process.getuid?.() === 0;

export interface Thrown {
  name: string;
  message: string;
}

/** What `fn(...args)` of dist/<module> threw without the file privileges, or null if nothing. */
export function thrownWithoutFilePrivileges(module: string, fn: string, args: unknown[]): Thrown | null {
  const url = pathToFileURL(join(REPO, 'dist', module)).href;
  const code =
    `const m = await import(${JSON.stringify(url)});` +
    `try { m[${JSON.stringify(fn)}](...${JSON.stringify(args)}); console.log('null'); }` +
    'catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message })); }';
  const r = spawnSync('setpriv', ['--bounding-set', '-dac_override,-dac_read_search', process.execPath, '--input-type=module', '-e', code], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`setpriv: ${r.error?.message ?? r.stderr}`);
  return JSON.parse(r.stdout) as Thrown | null;
}
