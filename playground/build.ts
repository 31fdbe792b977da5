/**
 * The browser build: esbuild bundles the playground page, the library and gpu.js (its
 * `browser` build, which package.json points bundlers to) into one ES module. esbuild because
 * it is one well-kept native binary from npm that bundles TypeScript as written here (`.js`
 * specifiers onto `.ts` files) with no configuration file, in well under a second; and with
 * `platform: 'browser'` an import of a Node built-in fails the build, which keeps the browser
 * path free of them.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from './repo-root.js';

const PLAYGROUND = join(REPO_ROOT, 'playground');

/** Bundles each entry (output name -> source file) into `outDir` as an ES module for the browser. */
export async function bundleForBrowser(entries: Record<string, string>, outDir: string): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: entries,
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    // Functions keep their names (fn.name): gpu.js reads kernel helpers' names (src/engine/engine.ts).
    keepNames: true,
    logLevel: 'warning',
  });
}

/** Writes index.html, playground.js (and its source map) to `outDir`. */
export async function buildPlayground(outDir: string): Promise<void> {
  await bundleForBrowser({ playground: join(PLAYGROUND, 'page.ts') }, outDir);
  copyFileSync(join(PLAYGROUND, 'index.html'), join(outDir, 'index.html'));
}
