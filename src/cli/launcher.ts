/**
 * How `nst` starts (bin/nst.js): on Linux it runs itself again as a child process, with
 *  - glibc's mmap threshold pinned, and
 *  - for the commands that compute (stylize, doctor), an X display for headless-gl.
 *
 * The malloc setting: glibc raises its mmap threshold to the size of the largest block freed
 * (up to 32 MiB); after that the GL driver's texture buffers come from the heap, whose freed
 * middle is never given back to the system. Pinning the threshold keeps big buffers in mmap,
 * returned on free: peak memory of `nst stylize` at 512 px 1184 MiB without, 939 MiB with
 * (bench/README.md). glibc reads it when the process starts, hence the second process.
 *
 * The display: headless-gl (the fast backend on a machine without a GPU: Mesa's llvmpipe)
 * needs an X display, and a server usually has none, so `nst` would fall back to webasm,
 * about 7x slower. When DISPLAY is unset and Xvfb is installed, nst starts a private Xvfb
 * for the child and stops it afterwards (what `xvfb-run` does); without Xvfb it says once
 * what is lost and how to get it. NST_DISPLAY tells the child (and `nst doctor`) which it was.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

const PINNED_MALLOC = 'MALLOC_MMAP_THRESHOLD_';
const PINNED_MALLOC_BYTES = String(128 * 1024);
/** Set for the child: 'xvfb :N' when nst started that display, 'none' when it could not. */
export const DISPLAY_ORIGIN_ENV = 'NST_DISPLAY';

/** Commands that create an engine, so that headless-gl could serve them. */
const COMPUTING_COMMANDS = new Set(['stylize', 'doctor']);
const NON_GL_BACKENDS = new Set(['webasm', 'cpu']);

/** Whether this invocation would use headless-gl if it had a display. */
export function wantsDisplay(argv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  if (!COMPUTING_COMMANDS.has(argv[0])) return false;
  const flag = argv.findIndex((a) => a === '--backend' || a.startsWith('--backend='));
  const requested = flag < 0 ? env.NST_BACKEND : argv[flag].includes('=') ? argv[flag].split('=')[1] : argv[flag + 1];
  return requested === undefined || !NON_GL_BACKENDS.has(requested);
}

/** How `nst doctor` describes the display headless-gl gets. */
export function describeDisplay(env: NodeJS.ProcessEnv = process.env): string {
  const origin = env[DISPLAY_ORIGIN_ENV];
  if (origin?.startsWith('xvfb ')) return `${origin.slice(5)} (a private Xvfb started by nst)`;
  if (env.DISPLAY) return `${env.DISPLAY} (from the environment)`;
  return 'none: headless-gl is unavailable (install Xvfb: apt-get install xvfb)';
}

const MISSING_XVFB_NOTE =
  'nst: no X display and Xvfb is not installed, so the WebGL backend (headlessgl) is unavailable and this runs on a slower one ' +
  '(webasm is about 7x slower); install Xvfb (Debian: apt-get install xvfb) or run under xvfb-run\n';

/** Starts Xvfb on a free display number; null when Xvfb is not installed or does not come up. */
async function startXvfb(): Promise<{ display: string; server: ChildProcess } | null> {
  if (spawnSync('Xvfb', ['-help'], { stdio: 'ignore' }).error) return null;
  // Own process group: a Ctrl-C at the terminal must reach nst (which saves its image), not
  // the display nst is still drawing on. -displayfd: Xvfb picks a free number and prints it
  // when it is ready to accept connections.
  const server = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '8x8x24', '-nolisten', 'tcp'], {
    stdio: ['ignore', 'pipe', 'ignore'],
    detached: true,
  });
  const display = await new Promise<string | null>((resolve) => {
    let out = '';
    server.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(`:${out.trim()}`);
    });
    server.on('error', () => resolve(null));
    server.on('exit', () => resolve(null));
  });
  if (display === null) {
    server.kill();
    return null;
  }
  server.stdout!.destroy();
  return { display, server };
}

/** Runs the CLI in a child process with the environment above; resolves to its exit code. */
async function runChild(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1], ...argv], { stdio: 'inherit', env });
  // Ctrl-C reaches both processes from a terminal; a signal sent to this one alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
}

/**
 * Whether this process should set the environment up and run the CLI as a child: on Linux,
 * unless that was done already (the child) or the user pinned malloc themselves and needs no
 * display.
 */
export function needsLaunch(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  if (process.platform !== 'linux') return false;
  return env[PINNED_MALLOC] === undefined || (!env.DISPLAY && env[DISPLAY_ORIGIN_ENV] === undefined && wantsDisplay(argv, env));
}

/** The parent's part: sets up the child's environment, runs it, cleans up; returns its exit code. */
export async function launch(argv: readonly string[]): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env, [PINNED_MALLOC]: process.env[PINNED_MALLOC] ?? PINNED_MALLOC_BYTES };
  let xvfb: Awaited<ReturnType<typeof startXvfb>> = null;
  if (!env.DISPLAY && wantsDisplay(argv, env)) {
    xvfb = await startXvfb();
    if (xvfb) {
      env.DISPLAY = xvfb.display;
      env[DISPLAY_ORIGIN_ENV] = `xvfb ${xvfb.display}`;
    } else {
      env[DISPLAY_ORIGIN_ENV] = 'none';
      process.stderr.write(MISSING_XVFB_NOTE);
    }
  }
  try {
    return await runChild(argv, env);
  } finally {
    xvfb?.server.kill();
  }
}
