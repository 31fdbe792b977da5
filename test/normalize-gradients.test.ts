/**
 * --normalize-gradients' kernels (absoluteRows + reductions, scaleBy): forward against plain
 * host arithmetic. They rescale gradients and are never differentiated, so have no backward.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/engine.js';
import { Rng } from '../src/check/random.js';
import { l1Norm, normalizeGradient } from '../src/ops/loss.js';
import { testBackend } from './backend-under-test.js';

const backend = testBackend();

describe(`gradient normalisation on ${backend}`, () => {
  let engine: Engine;
  beforeAll(() => {
    engine = Engine.create(backend);
  });
  afterAll(() => engine.destroy());

  it('l1Norm sums absolute values (odd, non-square, many channels)', () => {
    const rng = new Rng(8);
    const values = rng.normals(37 * 5 * 11);
    const t = engine.upload(values, [37, 5, 11]);
    const expected = values.reduce((s, v) => s + Math.abs(v), 0);
    expect(Math.abs(l1Norm(engine, t) - expected) / expected).toBeLessThan(1e-5);
    t.release();
  });

  it('normalizeGradient gives a gradient of L1 norm = weight, same direction', () => {
    const rng = new Rng(9);
    const values = rng.normals(3 * 4 * 6, 1e3);
    const g = engine.upload(values, [3, 4, 6]);
    const out = normalizeGradient(engine, g, 7);
    const result = engine.read(out);
    out.release();
    expect(g.released).toBe(true);
    const norm = values.reduce((s, v) => s + Math.abs(v), 0);
    result.forEach((v, i) => expect(v).toBeCloseTo((values[i] * 7) / norm, 6));
    expect(engine.liveTensors).toBe(0);
  });
});
