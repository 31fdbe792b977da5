/**
 * Texel addressing without division, for the GL backends.
 *
 * gpu.js stores a [D][H][W] output in a texture of roughly square shape and, in every fetch,
 * turns the cell's linear index i = x + W (y + H z) into a texel (i mod w, i div w) for a
 * texture w texels wide. On a CPU rasteriser (Mesa's llvmpipe) that integer division and
 * modulo run once per fetch for every SIMD lane, and they cost about as much as the texture
 * sample itself: the blocked convolution spent ~30% of its time there (`npm run bench`,
 * bench/README.md).
 *
 * When a texture is exactly W texels wide, i div W = y + H z and i mod W = x: the texel is
 * found with one multiply-add. So the engine hands gpu.js a subclass of its GL kernel that
 *   1. gives the vec4 output of a single-output kernel, shape [D][H][W], a texture W wide and
 *      H D high, one tensor row per texture row, where that fits the device's maximum texture
 *      size. These are the packed tensors that the blocked kernels read many times over
 *      (activations, weights). The outputs of kernel maps are the blocked kernels' partial
 *      results, read once each by an unpacking kernel, but the layout of what a kernel writes
 *      decides how llvmpipe runs its threads: by 64x64 tiles of the texture, one core each.
 *      A row-aligned output 2 or 4 texels wide ([512, 16, 16] and [512, 32, 32] row-of-8 convs)
 *      ran at half speed (227 vs 137 ms), and gpu.js's square texture of a small output is a
 *      single tile, one core. So a kernel map's texture rows hold k tensor rows, k the least
 *      that makes them at least MAP_TEXTURE_WIDTH wide: 4 tiles across. Objective evaluation
 *      (min of 4, A/B in one process): 1350 -> 1010 ms at 128 px, 4064 -> 3887 ms at 256 px,
 *      no change at 512 px; and
 *   2. in the shader's vec4 fetch, takes the direct path when the texture's width equals the
 *      tensor's width, and gpu.js's own arithmetic otherwise (scalar tensors, host inputs,
 *      kernel-map outputs, outputs too tall to align). Both paths compute the same texel, so
 *      the test is about speed only; it is uniform over a draw, so the rasteriser does not
 *      diverge on it.
 *
 * This replaces one function of gpu.js's fragment shader template (WebGL1 and WebGL2 spell
 * the sampling call differently); the replacement is checked when the engine starts, so a
 * gpu.js whose template changed fails loudly instead of running slowly or wrongly.
 */

/** The parts of gpu.js's GL kernel classes used here. */
interface GlKernelInstance {
  output: number[];
  /** A kernel map's extra outputs; null or empty for a single-output kernel. */
  subKernels: unknown[] | null;
  texSize: Int32Array | number[];
  optimizeFloatMemory: boolean;
  compiledFragmentShader: string | null;
  validateSettings(args: IArguments): void;
  getFragmentShader(args: IArguments): string;
}

interface GlKernelClass {
  new (...args: any[]): GlKernelInstance;
  readonly fragmentShader: string;
  readonly features: { maxTextureSize: number };
}

/** The least width of a kernel map's output texture, in texels (see 1. above). */
const MAP_TEXTURE_WIDTH = 256;

/** gpu.js's vec4 fetch: index -> (index mod w, index div w), then the sampling call. */
const GENERIC_FETCH =
  /vec4 getImage2D\(sampler2D tex, ivec2 texSize, ivec3 texDim, int z, int y, int x\) \{\n  int index = x \+ texDim\.x \* \(y \+ texDim\.y \* z\);\n  int w = texSize\.x;\n  vec2 st = vec2\(float\(integerMod\(index, w\)\), float\(index \/ w\)\) \+ 0\.5;\n  return (texture2D|texture)\(tex, st \/ vec2\(texSize\)\);\n\}/;

function rowAlignedFetch(sample: string): string {
  return `vec4 getImage2D(sampler2D tex, ivec2 texSize, ivec3 texDim, int z, int y, int x) {
  vec2 st;
  if (texSize.x == texDim.x) {
    st = vec2(float(x), float(y + texDim.y * z)) + 0.5;
  } else {
    int index = x + texDim.x * (y + texDim.y * z);
    int w = texSize.x;
    st = vec2(float(integerMod(index, w)), float(index / w)) + 0.5;
  }
  return ${sample}(tex, st / vec2(texSize));
}`;
}

/** The shader template with the direct fetch; throws if gpu.js's template is not the one known here. */
export function withRowAlignedFetch(shader: string): string {
  const match = GENERIC_FETCH.exec(shader);
  if (!match) throw new Error("gpu.js's fragment shader template has changed: src/engine/gl-row-aligned.ts must be updated");
  return shader.replace(GENERIC_FETCH, rowAlignedFetch(match[1]));
}

/** gpu.js's GL kernel class, extended with row-aligned vec4 outputs and the direct fetch. */
export function rowAlignedKernelClass<K>(Kernel: K): K {
  const Base = Kernel as unknown as GlKernelClass;
  withRowAlignedFetch(Base.fragmentShader); // fail at start-up, not at the first kernel
  class RowAligned extends Base {
    validateSettings(args: IArguments): void {
      super.validateSettings(args);
      const [w, h, d] = this.output;
      if (this.optimizeFloatMemory || !(d > 1)) return;
      // k tensor rows per texture row: 1 for a single output, enough for MAP_TEXTURE_WIDTH for a map
      const k = this.subKernels?.length ? Math.ceil(MAP_TEXTURE_WIDTH / w) : 1;
      const max = (this.constructor as GlKernelClass).features.maxTextureSize;
      if (w * k <= max && Math.ceil((h * d) / k) <= max) this.texSize = new Int32Array([w * k, Math.ceil((h * d) / k)]);
    }

    getFragmentShader(args: IArguments): string {
      if (this.compiledFragmentShader === null) this.compiledFragmentShader = withRowAlignedFetch(super.getFragmentShader(args));
      return this.compiledFragmentShader;
    }
  }
  return RowAligned as unknown as K;
}
