/**
 * The tiling arithmetic (src/network/tiling.ts) on odd sizes, checked without running a
 * network: the stride and halo of VGG19 worked out by hand, and for many image and tile
 * sizes on every network, that
 *  - cuts are at multiples of the tile and crops start at multiples of the stride, inside the image;
 *  - at each loss layer the tiles' windows, taken back to the layer's own indices, are
 *    disjoint and cover the whole layer in order (nothing counted twice, nothing left out);
 *  - every output in a window is exact, found in the other direction from the plan's: a
 *    forward sweep over the crop marks an output exact when every input it reads inside
 *    the layer is exact, the crop's own zero padding standing only where the image's does.
 * Seen to fail (each reverted): the crop one row short at its far end with planAxis's
 * own coverage check disabled ("relu5_1 row 3 of height tile 0 is not exact" and the like), the start of each tile's window one output early ("relu4_2: windows follow
 * each other: expected 7 to be 8"), the crop start not rounded down to the stride (planAxis's
 * coverage check throws).
 */
import { describe, expect, it } from 'vitest';
import { IMAGE, inputsOf, nodeSizes, nodesUpTo, type NetworkDescription } from '../src/models/description.js';
import { MODELS } from '../src/models/index.js';
import { VGG19 } from '../src/models/vgg19.js';
import { haloOf, minimumTile, planTiles, totalStride, type AxisTile } from '../src/network/tiling.js';
import { STYLIZE_DEFAULTS } from '../src/stylize/defaults.js';

const VGG_ALL = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu4_2', 'relu5_1'];

describe('tiling arithmetic', () => {
  it('VGG19: stride and halo as worked out by hand', () => {
    // To relu5_1: 3x3 convs at scales 1 (2 of them), 2 (2), 4 (4), 8 (4), 16 (1) reach
    // 2 + 4 + 16 + 32 + 16 = 70 px beyond the tile; before it that is rounded to the stride.
    expect(totalStride(VGG19, VGG_ALL)).toBe(16);
    expect(haloOf(VGG19, VGG_ALL)).toEqual({ before: 80, after: 70 });
    expect(minimumTile(VGG19, VGG_ALL)).toBe(80);
    expect(totalStride(VGG19, ['relu1_1'])).toBe(1);
    expect(haloOf(VGG19, ['relu1_1'])).toEqual({ before: 1, after: 1 });
    expect(haloOf(VGG19, ['relu2_1'])).toEqual({ before: 4, after: 4 });
    expect(totalStride(VGG19, ['relu3_2'])).toBe(4);
  });

  it('rejects a tile that is not a multiple of the stride', () => {
    expect(() => planTiles(VGG19, VGG_ALL, 100, 100, 40)).toThrow(/multiple of the stride 16/);
  });

  const models = Object.values(MODELS).map((model) => {
    const { contentLayers, styleLayers } = STYLIZE_DEFAULTS.layers[model.name];
    return { model, layers: [...new Set([...contentLayers, ...styleLayers])] };
  });
  const cases = models.flatMap(({ model, layers }) =>
    [
      [67, 31],
      [160, 147],
      [101, 225],
    ].flatMap(([height, width]) => [16, 48, 64].map((tile) => ({ name: `${model.name} ${height}x${width}, tile ${tile}`, model, layers, height, width, tile }))),
  );
  // VGG19 with only shallow layers: stride 2 and 4.
  cases.push({ name: 'vgg19 to relu2_2, 37x29, tile 6', model: VGG19, layers: ['relu1_2', 'relu2_2'], height: 37, width: 29, tile: 6 });
  cases.push({ name: 'vgg19 to relu3_1, 45x23, tile 8', model: VGG19, layers: ['relu3_1'], height: 45, width: 23, tile: 8 });

  it.each(cases)('$name: aligned, every window exact, every output once', ({ model, layers, height, width, tile }) => {
    const plan = planTiles(model, layers, height, width, tile);
    const stride = totalStride(model, layers);
    const axes = [
      { axis: 'height' as const, size: height, tiles: [...new Map(plan.tiles.map((t) => [t.rows.cut.start, t.rows])).values()] },
      { axis: 'width' as const, size: width, tiles: [...new Map(plan.tiles.map((t) => [t.cols.cut.start, t.cols])).values()] },
    ];
    for (const { axis, size, tiles } of axes) {
      expect(tiles.length).toBe(Math.ceil(size / tile));
      const lengths = axisLengths(model, layers, height, width, axis);
      for (const [k, t] of tiles.entries()) {
        expect(t.cut.start).toBe(k * tile);
        expect(t.crop.start % stride).toBe(0);
        expect(t.crop.start).toBeGreaterThanOrEqual(0);
        expect(t.crop.end).toBeLessThanOrEqual(size);
        checkExact(model, layers, t, lengths, axis, `${axis} tile ${k}`);
      }
      for (const layer of layers) {
        // Back to the layer's indices: the crop's outputs start at crop.start / (stride to the layer).
        const toLayer = stridesTo(model, layers).get(layer)!;
        let next = 0;
        for (const t of tiles) {
          const own = t.interiors.get(layer)!;
          if (own.end === own.start) continue;
          expect(own.start + t.crop.start / toLayer, `${layer}: windows follow each other`).toBe(next);
          next = own.end + t.crop.start / toLayer;
        }
        expect(next, `${layer}: the windows cover the layer`).toBe(lengths.get(layer));
      }
    }
  });
});

/** Product of the strides from the image to each node up to `layers`. */
function stridesTo(model: NetworkDescription, layers: readonly string[]): Map<string, number> {
  const strides = new Map<string, number>([[IMAGE, 1]]);
  for (const node of nodesUpTo(model, layers)) strides.set(node.name, strides.get(inputsOf(node)[0])! * (node.kind === 'concat' ? 1 : node.stride));
  return strides;
}

function axisLengths(model: NetworkDescription, layers: readonly string[], height: number, width: number, axis: 'height' | 'width'): Map<string, number> {
  const lengths = new Map<string, number>([[IMAGE, axis === 'height' ? height : width]]);
  for (const s of nodeSizes(model, height, width, layers)) lengths.set(s.node.name, s[axis]);
  return lengths;
}

/**
 * Forward over the crop: exact[i] for every global output i of every node the crop computes.
 * A node's output i reads input [stride i - padding, + kernel); reads outside [0, length)
 * are the image's padding (or a pool's partial window) globally. The crop computes outputs
 * from crop.start / stride-to-node on, as many as its own length gives, and pads at its own
 * ends: a read outside the crop's input range is right only where it is outside the layer too.
 */
function checkExact(model: NetworkDescription, layers: readonly string[], t: AxisTile, lengths: Map<string, number>, axis: 'height' | 'width', label: string): void {
  const cropLength = t.crop.end - t.crop.start;
  const local = axisLengths(model, layers, cropLength, cropLength, axis);
  const strides = stridesTo(model, layers);
  const exact = new Map<string, { origin: number; rows: boolean[] }>([[IMAGE, { origin: t.crop.start, rows: new Array(cropLength).fill(true) }]]);
  for (const node of nodesUpTo(model, layers)) {
    const { kernel, stride, padding } = node.kind === 'conv' ? node : node.kind === 'pool' ? { kernel: node.window, stride: node.stride, padding: 0 } : { kernel: 1, stride: 1, padding: 0 };
    const origin = t.crop.start / strides.get(node.name)!;
    const rows = Array.from({ length: local.get(node.name)! }, (_, j) => {
      const i = origin + j;
      return inputsOf(node).every((input) => {
        const from = exact.get(input)!;
        for (let r = stride * i - padding; r < stride * i - padding + kernel; r++) {
          const inLayer = r >= 0 && r < lengths.get(input)!;
          const inCrop = r >= from.origin && r < from.origin + from.rows.length;
          if (inLayer !== inCrop) return false; // the crop pads where the layer has values, or reads what the layer pads
          if (inCrop && !from.rows[r - from.origin]) return false;
        }
        return true;
      });
    });
    exact.set(node.name, { origin, rows });
  }
  for (const layer of layers) {
    const own = t.interiors.get(layer)!;
    const { rows } = exact.get(layer)!;
    for (let j = own.start; j < own.end; j++) expect(rows[j], `${layer} row ${j} of ${label} is not exact`).toBe(true);
  }
}
