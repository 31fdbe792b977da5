#!/usr/bin/env node
// Thin entry point: the CLI is compiled from src/ by `npm run build` (run by `npm ci`).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
