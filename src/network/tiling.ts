/**
 * The arithmetic of exact tiled evaluation, read from a network's description: which image
 * window each tile feeds to the network, and which part of each loss layer's output belongs
 * to the tile. Rows and columns are independent; each is planned on its own axis.
 *
 * Every node maps output index i to the input window [stride i - padding, stride i -
 * padding + kernel) (a pool: padding 0; a concat: the identity). Let a_L be the product of
 * the strides from the image to node L and S the largest a_L up to the deepest loss layer
 * (VGG19 to relu5_1: 16). Then:
 *  - Tiles cut the image at multiples of the tile size T, itself a multiple of S. Output i
 *    of loss layer L belongs to the tile whose cut interval [t0, t1) holds a_L i (the last
 *    tile takes everything beyond): [t0 / a_L, t1 / a_L) at L, exact as a_L divides t0 and
 *    t1. Every output of every loss layer belongs to exactly one tile.
 *  - Needed outputs are propagated down the nodes, deepest first: output rows [lo, hi) of a
 *    node read input rows [stride lo - padding, stride (hi-1) - padding + kernel), clipped to
 *    the input (outside it is the zero padding, or a pool's partial window). Where a node
 *    feeds several, the needed ranges are joined.
 *  - The tile's crop of the image starts at the needed image range's start rounded down to a
 *    multiple of S and ends where the needed range ends. The network run on the crop then
 *    computes, at node L, global outputs from crop.start / a_L on (every node's input origin is
 *    divisible by its stride, so its windows are the global ones), and the needed ones are exact:
 *    they read only needed (exact) inputs, and the crop's own zero padding stands where the
 *    image's is (at index 0 when the crop starts there, at the input's end when it reaches it).
 *    planAxis checks that the crop's outputs cover every needed range.
 */
import { IMAGE, inputsOf, nodeSizes, nodesUpTo, type NetworkDescription, type NetworkNode } from '../models/description.js';

/** Indices [start, end). */
export interface Span {
  start: number;
  end: number;
}

const spanLength = (s: Span) => s.end - s.start;

/** One node's window along an axis: output i reads input [stride i - padding, stride i - padding + kernel). */
function windowOf(node: NetworkNode): { kernel: number; stride: number; padding: number } {
  if (node.kind === 'conv') return node;
  if (node.kind === 'pool') return { kernel: node.window, stride: node.stride, padding: 0 };
  return { kernel: 1, stride: 1, padding: 0 };
}

/** a_L for every node up to the deepest of `layers` (and 1 for the image). */
function cumulativeStrides(nodes: readonly NetworkNode[]): Map<string, number> {
  const strides = new Map<string, number>([[IMAGE, 1]]);
  for (const node of nodes) {
    const inputs = inputsOf(node).map((name) => strides.get(name)!);
    if (inputs.some((s) => s !== inputs[0])) throw new Error(`${node.name}: inputs at different strides cannot be tiled`);
    strides.set(node.name, inputs[0] * windowOf(node).stride);
  }
  return strides;
}

/** S: the network's total stride up to the deepest of `layers`; tile origins are multiples of it. */
export function totalStride(model: NetworkDescription, layers: readonly string[]): number {
  const nodes = nodesUpTo(model, layers);
  const strides = cumulativeStrides(nodes);
  const total = Math.max(...nodes.map((n) => strides.get(n.name)!));
  for (const s of strides.values()) {
    if (total % s !== 0) throw new Error(`${model.name}: strides ${s} and ${total} do not nest`);
  }
  return total;
}

/** One tile along one axis. */
export interface AxisTile {
  /** The tile's cut interval of the image [t0, t1) (the last tile's t1 is the image's end). */
  cut: Span;
  /** The image indices the network runs on. */
  crop: Span;
  /** Per loss layer, the tile's own outputs in the crop's output (local indices); empty spans are kept. */
  interiors: Map<string, Span>;
}

interface AxisNetwork {
  nodes: readonly NetworkNode[];
  strides: Map<string, number>;
  /** Global output length of each node (and the image) along the axis. */
  lengths: Map<string, number>;
  layers: readonly string[];
  stride: number;
}

/**
 * The tile cut [t0, t1) along one axis (t1 = null: to the end) for an axis of the image
 * whose nodes have `lengths`. `localLengths(n)` gives the output lengths of the network run
 * on an n-long crop.
 */
function planAxis(axis: AxisNetwork, t0: number, t1: number | null, localLengths: (n: number) => Map<string, number>): AxisTile {
  const { nodes, strides, lengths, layers, stride } = axis;
  const size = lengths.get(IMAGE)!;
  const needed = new Map<string, Span>();
  const join = (name: string, s: Span) => {
    if (spanLength(s) <= 0) return;
    const before = needed.get(name);
    needed.set(name, before ? { start: Math.min(before.start, s.start), end: Math.max(before.end, s.end) } : s);
  };
  const own = new Map<string, Span>();
  for (const layer of layers) {
    const a = strides.get(layer)!;
    const length = lengths.get(layer)!;
    const span = { start: Math.min(t0 / a, length), end: t1 === null ? length : Math.min(t1 / a, length) };
    own.set(layer, span);
    join(layer, span);
  }
  for (let k = nodes.length - 1; k >= 0; k--) {
    const node = nodes[k];
    const out = needed.get(node.name);
    if (!out) continue;
    const { kernel, stride: s, padding } = windowOf(node);
    for (const input of inputsOf(node)) {
      const inLength = lengths.get(input)!;
      join(input, { start: Math.max(0, s * out.start - padding), end: Math.min(inLength, s * (out.end - 1) - padding + kernel) });
    }
  }
  const image = needed.get(IMAGE) ?? { start: Math.min(t0, size), end: Math.min(t0, size) };
  const crop = { start: Math.floor(image.start / stride) * stride, end: image.end };
  // The network runs to the deepest layer even where the tile owns none of it: a crop too
  // short for that grows (by whole strides, keeping the alignment) until every node has an output.
  let local = localLengths(spanLength(crop));
  while ([...local.values()].some((n) => n < 1)) {
    if (crop.start > 0) crop.start -= stride;
    else if (crop.end < size) crop.end = Math.min(size, crop.end + stride);
    else throw new Error(`tiling: an axis of ${size} is too short for the network`);
    local = localLengths(spanLength(crop));
  }
  const interiors = new Map<string, Span>();
  for (const [name, span] of needed) {
    const origin = crop.start / strides.get(name)!;
    if (span.start < origin || span.end > origin + local.get(name)!) {
      throw new Error(`tiling: the crop [${crop.start}, ${crop.end}) does not cover ${name} [${span.start}, ${span.end})`);
    }
    const mine = own.get(name);
    if (mine) interiors.set(name, { start: mine.start - origin, end: Math.max(mine.start, mine.end) - origin });
  }
  for (const layer of own.keys()) if (!interiors.has(layer)) interiors.set(layer, { start: 0, end: 0 }); // an empty share
  return { cut: { start: t0, end: t1 ?? size }, crop, interiors };
}

export interface Tile {
  rows: AxisTile;
  cols: AxisTile;
}

export interface TilePlan {
  /** S, the alignment of the cuts and the crops. */
  stride: number;
  tile: number;
  tiles: Tile[];
}

function axisNetwork(model: NetworkDescription, layers: readonly string[], lengthOf: (height: number, width: number) => Map<string, number>, size: number): AxisNetwork {
  const nodes = nodesUpTo(model, layers);
  return { nodes, strides: cumulativeStrides(nodes), lengths: lengthOf(size, size), layers, stride: totalStride(model, layers) };
}

/** Output lengths of every node up to `layers` along one axis (rows: heights), for an image of height x width. */
function lengthsAlong(model: NetworkDescription, layers: readonly string[], axis: 'height' | 'width') {
  return (height: number, width: number): Map<string, number> => {
    const lengths = new Map<string, number>([[IMAGE, axis === 'height' ? height : width]]);
    for (const s of nodeSizes(model, height, width, layers)) lengths.set(s.node.name, s[axis]);
    return lengths;
  };
}

/** The tiles of one axis of length `size` cut every `tile` (a multiple of the stride). */
function axisTiles(model: NetworkDescription, layers: readonly string[], size: number, tile: number, axis: 'height' | 'width'): AxisTile[] {
  const lengthOf = lengthsAlong(model, layers, axis);
  // The other axis gets the same length: only this axis's lengths are read.
  const net = axisNetwork(model, layers, lengthOf, size);
  const tiles: AxisTile[] = [];
  for (let t0 = 0; t0 < size; t0 += tile) {
    const last = t0 + tile >= size;
    tiles.push(planAxis(net, t0, last ? null : t0 + tile, (n) => lengthOf(n, n)));
  }
  return tiles;
}

/**
 * The tiles of an image of height x width for the loss layers `layers`, cut every `tile`
 * pixels. The tile size must be a positive multiple of totalStride(model, layers).
 */
export function planTiles(model: NetworkDescription, layers: readonly string[], height: number, width: number, tile: number): TilePlan {
  const stride = totalStride(model, layers);
  if (!(tile > 0 && tile % stride === 0)) throw new Error(`tile ${tile} is not a positive multiple of the stride ${stride}`);
  const rows = axisTiles(model, layers, height, tile, 'height');
  const cols = axisTiles(model, layers, width, tile, 'width');
  return { stride, tile, tiles: rows.flatMap((r) => cols.map((c) => ({ rows: r, cols: c }))) };
}

/**
 * How far the crop of a tile reaches beyond its cut, before and after, in image pixels, for a
 * tile far from the image's borders: the halo the receptive field of the deepest loss layer
 * (plus the alignment of the crop) needs.
 */
export function haloOf(model: NetworkDescription, layers: readonly string[]): { before: number; after: number } {
  const stride = totalStride(model, layers);
  // Grow a virtual axis until a tile in its middle no longer meets either end.
  for (let tiles = 8; ; tiles *= 2) {
    const size = tiles * stride;
    const lengthOf = lengthsAlong(model, layers, 'height');
    const net = axisNetwork(model, layers, lengthOf, size);
    const t0 = (tiles / 2) * stride;
    const { crop } = planAxis(net, t0, t0 + stride, (n) => lengthOf(n, n));
    if (crop.start > 0 && crop.end < size) return { before: t0 - crop.start, after: crop.end - (t0 + stride) };
  }
}

/** The smallest tile `--tile` accepts: a multiple of the stride no smaller than the halo on either side. */
export function minimumTile(model: NetworkDescription, layers: readonly string[]): number {
  const stride = totalStride(model, layers);
  const { before, after } = haloOf(model, layers);
  return Math.max(stride, Math.ceil(Math.max(before, after) / stride) * stride);
}
