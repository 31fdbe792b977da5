import { parseBackendRequest, type BackendName } from '../src/engine/backend.js';

/**
 * The backend a GPU-dependent suite runs on: NST_TEST_BACKEND (set by `npm run test:gl`),
 * default cpu. Never 'auto': a suite must know what it is testing.
 */
export function testBackend(): BackendName {
  const value = process.env.NST_TEST_BACKEND ?? 'cpu';
  const request = parseBackendRequest(value, 'NST_TEST_BACKEND');
  if (request === 'auto') throw new Error('NST_TEST_BACKEND must name a backend, not auto');
  return request;
}
