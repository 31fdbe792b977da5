/**
 * How `nst` starts (src/cli/launcher.ts): on a machine without an X display it starts a private
 * Xvfb itself so that the fast GL backend is used without xvfb-run, and stops it afterwards;
 * without Xvfb it says once what is lost. (npm test runs under xvfb-run: these tests take the
 * display away from the CLI they start.)
 */
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeDisplay, wantsDisplay } from '../src/cli/launcher.js';
import { runNst, tempDir } from './helpers/cli.js';

describe('nst without an X display', () => {
  it('starts a private Xvfb, runs on headlessgl, and stops the display afterwards', async () => {
    const r = await runNst(['doctor', '--backend', 'headlessgl'], { env: { DISPLAY: '', NST_WEIGHTS: '' } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const display = /^display +:(\d+) \(a private Xvfb started by nst\)$/m.exec(r.stdout);
    expect(display, r.stdout).not.toBeNull();
    expect(r.stdout).toMatch(/checks passed on headlessgl/);
    expect(existsSync(`/tmp/.X11-unix/X${display![1]}`), 'the display is gone once nst has exited').toBe(false);
  });

  it('without Xvfb, says once how to get the GL backend and runs on the next one', async () => {
    // A PATH with node and nothing else: no Xvfb to be found.
    const bin = join(tempDir(), 'bin');
    mkdirSync(bin);
    symlinkSync(process.execPath, join(bin, 'node'));
    const r = await runNst(['doctor'], { env: { DISPLAY: '', PATH: bin, NST_WEIGHTS: '' } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stderr.match(/Xvfb is not installed/g)?.length).toBe(1);
    expect(r.stderr).toContain('apt-get install xvfb');
    expect(r.stdout).toMatch(/^backend +webasm \(requested: auto\)$/m);
    expect(r.stdout).toMatch(/^display +none: headless-gl is unavailable/m);
  });
});

describe('launcher decisions', () => {
  it('wants a display only for commands that compute, on a backend that could be GL', () => {
    expect(wantsDisplay(['stylize', 'a.jpg', 'b.jpg'], {})).toBe(true);
    expect(wantsDisplay(['doctor'], {})).toBe(true);
    expect(wantsDisplay(['doctor', '--backend', 'headlessgl'], {})).toBe(true);
    expect(wantsDisplay(['doctor', '--backend', 'cpu'], {})).toBe(false);
    expect(wantsDisplay(['stylize', 'a.jpg', 'b.jpg', '--backend=webasm'], {})).toBe(false);
    expect(wantsDisplay(['stylize', 'a.jpg', 'b.jpg'], { NST_BACKEND: 'cpu' })).toBe(false);
    expect(wantsDisplay(['stylize', 'a.jpg', 'b.jpg', '--backend', 'auto'], { NST_BACKEND: 'cpu' })).toBe(true);
    expect(wantsDisplay(['weights', 'import', 'x'], {})).toBe(false);
    expect(wantsDisplay([], {})).toBe(false);
  });

  it('describes where the display came from', () => {
    expect(describeDisplay({ NST_DISPLAY: 'xvfb :7', DISPLAY: ':7' })).toBe(':7 (a private Xvfb started by nst)');
    expect(describeDisplay({ DISPLAY: ':0' })).toBe(':0 (from the environment)');
    expect(describeDisplay({ NST_DISPLAY: 'none' })).toMatch(/^none: /);
  });
});
