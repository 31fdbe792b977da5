/**
 * The GL backends' output textures: owned by the tensors, recycled through a pool.
 *
 * Left to itself, a gpu.js pipeline kernel in immutable mode renders into a texture of its
 * own and hands the caller a second reference to it. The kernel keeps its reference after
 * the caller releases the tensor, so every distinct compiled kernel holds one output's worth
 * of device memory for the life of the engine; and a texture attached to a framebuffer stays
 * allocated after it is deleted (GL ES 2.0 section 4.4.3). At 512 px that was about 800 MB of
 * textures nobody read (bench/README.md, memory).
 *
 * So the engine takes the outputs over: right after a run the kernel forgets its output
 * textures and its framebuffer is deleted (ANGLE, inside headless-gl, passes a mere detachment
 * on to the driver only when the framebuffer is next used), leaving the tensor's reference as
 * the only one. A released tensor's texture goes to a pool keyed by texture size, and the next
 * kernel run with outputs of that size renders into it. Reusing textures instead of deleting
 * them keeps the driver from allocating and freeing tens of megabytes per kernel, which glibc
 * does not give back to the system (the resident size grew by ~300 MB per evaluation at
 * 512 px); the same reason TensorFlow.js's WebGL backend and PyTorch's CUDA allocator cache.
 *
 * This uses gpu.js internals (WebGLKernel's texture, mappedTextures, framebuffer, texSize and
 * TextureConstructor), pinned by package-lock.json; every kernel test on headlessgl runs
 * through here, and test/gl-output-textures.test.ts checks the ownership and the reuse.
 */

/** The parts of gpu.js's WebGLKernel used here. */
interface GlKernel {
  context: WebGLRenderingContext;
  framebuffer: WebGLFramebuffer | null;
  texture: GlTexture | null;
  mappedTextures: GlTexture[] | null;
  subKernels: unknown[] | null;
  texSize: [number, number];
  threadDim: number[];
  output: number[];
  precision: string;
  /** Every texture the kernel created and has not deleted; its destroy() deletes them all. */
  textureCache: WebGLTexture[];
  kernelArguments: Array<{ destroy?(): void }> | undefined;
  buffer: WebGLBuffer | null;
  TextureConstructor: new (settings: object) => GlTexture;
  getInternalFormat(): number;
  getTextureFormat(): number;
  destroy(): void;
}

/** gpu.js's GLTexture: a reference-counted WebGLTexture. */
interface GlTexture {
  texture: CountedTexture;
  size: [number, number];
  _deleted?: boolean;
}

type CountedTexture = WebGLTexture & { _refs: number };

export class GlOutputTextures {
  /** Unused textures by size "w x h": all RGBA float, as the kernels of one engine make them. */
  private readonly pool = new Map<string, CountedTexture[]>();
  private context: WebGLRenderingContext | null = null;

  /**
   * After gpu.js has built a kernel (compiled it and made it output textures of its own): the
   * pool takes those textures, or deletes them where it already has one of that size ready.
   */
  afterBuild(kernel: object): void {
    const k = kernel as GlKernel;
    if (k.texture === null) return;
    const built = [k.texture, ...(k.mappedTextures ?? [])];
    this.afterRun(k);
    for (const t of built) {
      if (this.pool.get(sizeKey(t.size))?.length) k.context.deleteTexture(t.texture);
      else this.put(t);
    }
  }

  /** Before a run of a built kernel: textures for its outputs, from the pool where it can. */
  beforeRun(kernel: object): void {
    const k = kernel as GlKernel;
    if (k.texture !== null) return;
    if (k.precision !== 'single') throw new Error(`GL output textures: precision '${k.precision}' is not supported`);
    const gl = (this.context = k.context);
    k.framebuffer = gl.createFramebuffer();
    gl.bindFramebuffer(gl.FRAMEBUFFER, k.framebuffer);
    const outputs = 1 + (k.subKernels?.length ?? 0);
    const textures = Array.from({ length: outputs }, (_, i) => {
      const texture = this.take(k);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0 + i, gl.TEXTURE_2D, texture, 0);
      return new k.TextureConstructor({
        texture,
        size: k.texSize,
        dimensions: k.threadDim,
        output: k.output,
        context: gl,
        internalFormat: k.getInternalFormat(),
        textureFormat: k.getTextureFormat(),
        kernel: k,
      });
    });
    k.texture = textures[0];
    if (outputs > 1) k.mappedTextures = textures.slice(1);
  }

  /** After a run: the kernel drops its references, leaving the caller's as the only ones. */
  afterRun(kernel: object): void {
    const k = kernel as GlKernel;
    for (const t of [k.texture, ...(k.mappedTextures ?? [])]) {
      if (t === null) continue;
      t.texture._refs--;
      // The tensor owns it now; the kernel's destroy() must not delete it.
      const cached = k.textureCache.indexOf(t.texture);
      if (cached !== -1) k.textureCache.splice(cached, 1);
    }
    k.texture = null;
    k.mappedTextures = null;
    k.context.deleteFramebuffer(k.framebuffer);
    k.framebuffer = null;
  }

  /** A tensor's texture, released: back to the pool once no other reference is left. */
  release(data: object): void {
    const t = data as GlTexture;
    if (t._deleted) return;
    t._deleted = true;
    if (--t.texture._refs > 0) return;
    this.put(t);
  }

  private put(t: GlTexture): void {
    const key = sizeKey(t.size);
    const textures = this.pool.get(key);
    if (textures) textures.push(t.texture);
    else this.pool.set(key, [t.texture]);
  }

  /** Device memory held in the pool, in bytes (RGBA float32 texels). */
  get pooledBytes(): number {
    let bytes = 0;
    for (const [key, textures] of this.pool) {
      const [w, h] = key.split('x').map(Number);
      bytes += w * h * 16 * textures.length;
    }
    return bytes;
  }

  /** Frees the pooled textures (after work at sizes that will not come again). */
  trim(): void {
    for (const textures of this.pool.values()) {
      for (const texture of textures) this.context?.deleteTexture(texture);
    }
    this.pool.clear();
  }

  /**
   * Destroys a kernel whose outputs were handed over, with its arguments (their textures and
   * host upload buffers: gpu.js's destroy() frees those only while the kernel still holds an
   * output texture). The kernel keeps its context: the tensors it made read themselves back
   * through it. And its vertex buffer is left alone: gpu.js points the context-wide vertex
   * attributes at the buffer of the kernel built last, and kernels do not set them again when
   * they run, so deleting it would leave every other kernel drawing from nothing.
   */
  destroyKernel(kernel: object): void {
    const k = kernel as GlKernel;
    // A kernel that gpu.js replaced by its CPU fallback has arguments without destroy().
    for (const argument of k.kernelArguments ?? []) argument.destroy?.();
    k.kernelArguments = [];
    k.buffer = null;
    const context = k.context;
    k.destroy();
    k.context = context;
  }

  private take(k: GlKernel): CountedTexture {
    const pooled = this.pool.get(sizeKey(k.texSize))?.pop();
    if (pooled) return pooled;
    const gl = k.context;
    const texture = gl.createTexture() as CountedTexture;
    texture._refs = 0;
    // The unit gpu.js itself uses for texture housekeeping, out of the way of kernel arguments.
    gl.activeTexture(gl.TEXTURE15);
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
    gl.texImage2D(gl.TEXTURE_2D, 0, k.getInternalFormat(), k.texSize[0], k.texSize[1], 0, k.getTextureFormat(), gl.FLOAT, null);
    return texture;
  }
}

function sizeKey([w, h]: [number, number]): string {
  return `${w}x${h}`;
}
