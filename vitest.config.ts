import { configDefaults, defineConfig } from 'vitest/config';

/** Suites that exercise kernels: they run once per backend named below. */
const BACKEND_SUITES = [
  'test/kernels.test.ts',
  'test/networks.test.ts',
  'test/objective.test.ts',
  'test/normalize-gradients.test.ts',
  'test/forward-torch.test.ts',
  'test/objective-torch.test.ts',
  'test/total-variation-bands.test.ts',
];

/** Suites about the GL backends alone. */
const GL_SUITES = ['test/gl-output-textures.test.ts'];

/** Real Chromium (Debian's package, driven by playwright-core): the playground and the engine on webgl2. */
const BROWSER_SUITES = ['test/browser/**/*.test.ts'];

/** Whole objectives (the presets against their sources): on cpu and headlessgl; webasm runs the same kernels in the suites above. */
const OBJECTIVE_SUITES = ['test/recipes.test.ts', 'test/tiled-objective.test.ts'];

/** Runs that must end the same when resumed on the backend they started on: cpu and headlessgl (webasm runs the same kernels in the suites above). */
const RESUME_SUITES = ['test/stylize-resume.test.ts'];

/**
 * Every suite runs on cpu; the kernel suites also run on webasm and on headlessgl (WebGL
 * through headless-gl, which needs a display: `npm test` runs under `xvfb-run -a`). A suite
 * whose engine cannot get the backend it names fails: it never falls back.
 */
export default defineConfig({
  test: {
    testTimeout: 300_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
    globalSetup: ['./test/global-setup.ts'],
    projects: [
      { extends: true, test: { name: 'cpu', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...GL_SUITES, ...BROWSER_SUITES], env: { NST_TEST_BACKEND: 'cpu' } } },
      { extends: true, test: { name: 'webasm', include: BACKEND_SUITES, env: { NST_TEST_BACKEND: 'webasm' } } },
      {
        extends: true,
        test: { name: 'headlessgl', include: [...BACKEND_SUITES, ...GL_SUITES, ...OBJECTIVE_SUITES, ...RESUME_SUITES], env: { NST_TEST_BACKEND: 'headlessgl' } },
      },
      { extends: true, test: { name: 'browser', include: BROWSER_SUITES } },
    ],
  },
});
