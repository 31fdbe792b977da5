/** The CLI tests run bin/nst.js, which runs dist/: build it once before any test. */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync('npx', ['tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
