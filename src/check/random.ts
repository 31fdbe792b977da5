/** A small seeded generator, so checks and tests are reproducible (mulberry32 + Box-Muller). */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  normals(n: number, scale = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.normal() * scale;
    return out;
  }

  /** n distinct values spread over [-1, 1] in random order: no ties for max pooling to break. */
  distinct(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = -1 + (2 * i) / Math.max(n - 1, 1);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor(this.uniform() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** Normal values pushed at least `margin` away from zero: no ReLU kink for a finite difference to cross. */
  awayFromZero(n: number, margin: number): Float32Array {
    const out = this.normals(n);
    for (let i = 0; i < n; i++) out[i] = Math.sign(out[i] || 1) * (margin + Math.abs(out[i]));
    return out;
  }

  /** Normal values constant over `block` x `block` squares of each [C][H][W] plane: neighbours tie inside a square. */
  blocks([c, h, w]: readonly [number, number, number], block: number): Float32Array {
    const bh = Math.ceil(h / block);
    const bw = Math.ceil(w / block);
    const values = this.normals(c * bh * bw);
    const out = new Float32Array(c * h * w);
    for (let z = 0; z < c; z++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[(z * h + y) * w + x] = values[(z * bh + Math.floor(y / block)) * bw + Math.floor(x / block)];
      }
    }
    return out;
  }
}
