/**
 * Test-only preload (`NODE_OPTIONS=--import=<this file>`) that makes the CLI meet the backend
 * failures a real device can cause, so the tests can see what a user would see. It patches
 * gpu.js's headless-gl kernel class or the engine, in the child process only, as told by
 * NST_INJECT_FAILURE, a comma-separated list of:
 *   compile-error:<fn>      the fragment shader of kernel function <fn> fails to compile
 *                           (broken GLSL handed to the real driver, which rejects it);
 *   fallback:<fn>           gpu.js gives up on <fn> while building it and falls back to its
 *                           CPU kernel, through gpu.js's own fallback path;
 *   max-texture-size:<n>    the device reports textures of at most n x n texels;
 *   fail-at:<fn>:<n>        the n-th run of <fn> throws the engine's BackendFallbackError
 *                           (a failure in the middle of a run, after images exist).
 */
import gpujs from 'gpu.js';
import { BackendFallbackError, Engine } from '../../dist/src/engine/engine.js';

const { HeadlessGLKernel } = gpujs;

/** Whether a gpu.js kernel runs the kernel function called `fn`. */
const runs = (kernel, fn) => typeof kernel.source === 'string' && kernel.source.startsWith(`function ${fn}(`);

for (const injection of (process.env.NST_INJECT_FAILURE ?? '').split(',').filter(Boolean)) {
  const [mode, name, extra] = injection.split(':');
  inject(mode, name, extra);
}

function inject(mode, name, extra) {
  switch (mode) {
    case 'compile-error': {
      const original = HeadlessGLKernel.prototype.getFragmentShader;
      HeadlessGLKernel.prototype.getFragmentShader = function (...args) {
        const source = original.apply(this, args);
        return runs(this, name) ? `${source}\nthis is not GLSL;\n` : source;
      };
      break;
    }
    case 'fallback': {
      const original = HeadlessGLKernel.prototype.build;
      HeadlessGLKernel.prototype.build = function (...args) {
        if (runs(this, name) && !this.built) return this.requestFallback(args, 'simulated: this driver cannot run the kernel');
        return original.apply(this, args);
      };
      break;
    }
    case 'max-texture-size': {
      const features = Object.getOwnPropertyDescriptor(HeadlessGLKernel, 'features').get;
      Object.defineProperty(HeadlessGLKernel, 'features', {
        configurable: true,
        get() {
          const real = features.call(this);
          return real && Object.freeze({ ...real, maxTextureSize: Number(name) });
        },
      });
      break;
    }
    case 'fail-at': {
      const original = Engine.prototype.run;
      let count = 0;
      Engine.prototype.run = function (call, ...inputs) {
        if (call.fn.name === name && ++count === Number(extra)) {
          throw new BackendFallbackError(this.backend, 'cpu', name, 'simulated: the device stopped answering');
        }
        return original.call(this, call, ...inputs);
      };
      break;
    }
    default:
      throw new Error(`NST_INJECT_FAILURE: unknown mode '${mode}'`);
  }
}
