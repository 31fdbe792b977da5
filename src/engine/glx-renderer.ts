/** The OpenGL driver behind the X display (Node only): what headless-gl's ANGLE runs on. */
import { execFileSync } from 'node:child_process';

/** The renderer string of `glxinfo -B` (Debian mesa-utils), or undefined when the tool is missing. */
export function glxRenderer(): string | undefined {
  try {
    const out = execFileSync('glxinfo', ['-B'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    return /OpenGL renderer string:\s*(.+)/.exec(out)?.[1]?.trim();
  } catch {
    return undefined;
  }
}
