/**
 * The VGG19 feature extractor (configuration E of Simonyan & Zisserman), up to relu5_4:
 * the one table every other module reads layer names and shapes from.
 * Every conv is 3x3, stride 1, zero padding 1, followed by ReLU; every pool is 2x2 stride 2.
 */
export interface ConvLayer {
  kind: 'conv';
  /** e.g. 'conv1_1'; its ReLU output is called 'relu1_1'. */
  name: string;
  relu: string;
  inChannels: number;
  outChannels: number;
}

export interface PoolLayer {
  kind: 'pool';
  name: string;
}

export type VggLayer = ConvLayer | PoolLayer;

const BLOCKS: Array<{ block: number; convs: number; channels: number }> = [
  { block: 1, convs: 2, channels: 64 },
  { block: 2, convs: 2, channels: 128 },
  { block: 3, convs: 4, channels: 256 },
  { block: 4, convs: 4, channels: 512 },
  { block: 5, convs: 4, channels: 512 },
];

function buildLayers(): VggLayer[] {
  const layers: VggLayer[] = [];
  let inChannels = 3;
  for (const { block, convs, channels } of BLOCKS) {
    for (let i = 1; i <= convs; i++) {
      layers.push({ kind: 'conv', name: `conv${block}_${i}`, relu: `relu${block}_${i}`, inChannels, outChannels: channels });
      inChannels = channels;
    }
    if (block < 5) layers.push({ kind: 'pool', name: `pool${block}` });
  }
  return layers;
}

/** In network order: conv1_1, conv1_2, pool1, conv2_1, ... conv5_4 (pool5 is never needed). */
export const VGG19_LAYERS: readonly VggLayer[] = buildLayers();

export const VGG19_CONVS: readonly ConvLayer[] = VGG19_LAYERS.filter((l): l is ConvLayer => l.kind === 'conv');

/** Names that can be asked for as content or style layers. */
export const RELU_NAMES: readonly string[] = VGG19_CONVS.map((l) => l.relu);

/** Input convention of the network: RGB, 0..255 scale, minus this per-channel mean. */
export const VGG_MEAN_RGB: readonly [number, number, number] = [123.68, 116.779, 103.939];

/** The layers that must run to produce `relu`, in network order. */
export function layersUpTo(relu: string): VggLayer[] {
  const end = VGG19_LAYERS.findIndex((l) => l.kind === 'conv' && l.relu === relu);
  if (end < 0) throw new Error(`unknown layer '${relu}'`);
  return VGG19_LAYERS.slice(0, end + 1);
}

/** The one of `relus` furthest into the network: a forward pass must run up to it. */
export function deepestLayer(relus: readonly string[]): string {
  const depth = (relu: string) => layersUpTo(relu).length;
  return relus.reduce((a, b) => (depth(a) >= depth(b) ? a : b));
}

/** The smallest image side that still reaches `relu`: each 2x2 pool before it halves (and floors) the size. */
export function minimumSideFor(relu: string): number {
  return 2 ** layersUpTo(relu).filter((l) => l.kind === 'pool').length;
}

/** Each conv up to and including the one producing `relu`, with the size it runs at for an h x w input. */
export function convsAtSize(height: number, width: number, relu: string): Array<{ layer: ConvLayer; height: number; width: number }> {
  const out: Array<{ layer: ConvLayer; height: number; width: number }> = [];
  for (const layer of layersUpTo(relu)) {
    if (layer.kind === 'pool') {
      height = Math.floor(height / 2);
      width = Math.floor(width / 2);
    } else {
      out.push({ layer, height, width });
    }
  }
  return out;
}
