#!/usr/bin/env node
// Thin entry point: the CLI is compiled from src/ by `npm run build` (run by `npm ci`). On Linux
// it first runs itself again with malloc pinned and an X display (src/cli/launcher.ts).
import { launch, needsLaunch } from '../dist/src/cli/launcher.js';

const argv = process.argv.slice(2);
if (needsLaunch(argv)) {
  process.exitCode = await launch(argv);
} else {
  const { main } = await import('../dist/src/cli/main.js');
  process.exitCode = await main(argv);
}
