import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Kernels compile per process; a small pool keeps a 2-core machine responsive.
    pool: 'forks',
    maxWorkers: 2,
  },
});
