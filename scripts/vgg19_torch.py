"""What the PyTorch fixture generators share (scripts/make-*-fixture.py): the real VGG19
weights of ../shared/weights/vgg19-uint8, dequantised with numpy, and images prepared by the
project's own decoder and resizer (dumped through node, so both sides see the very same
float input). Fixture generation only: never imported at run time.
"""
import json
import os
import subprocess

import numpy as np
import torch

BUNDLE = '../shared/weights/vgg19-uint8'
# The VGG19 feature extractor: conv channel counts per block (configuration E).
BLOCKS = [(1, 2, 64), (2, 2, 128), (3, 4, 256), (4, 4, 512), (5, 4, 512)]

# The VGG weights' input convention: RGB on 0..255 minus this mean (src/models/vgg-family.ts).
VGG_MEAN_RGB = [123.68, 116.779, 103.939]

DUMP_INPUT = """
import {{ readImage, resize, toNetworkInput }} from './dist/src/image/index.js';
const x = toNetworkInput(resize(readImage('{image}'), {width}, {height}), {mean});
process.stdout.write(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
"""


def network_input(image, width, height, mean=VGG_MEAN_RGB):
    """`image` resized to width x height and preprocessed as the network expects (RGB, 0..255
    minus `mean`, VGG's by default), by the project's code: a float32 tensor [1][3][height][width]."""
    script = DUMP_INPUT.format(image=image, width=width, height=height, mean=json.dumps(mean))
    raw = subprocess.run(['node', '--input-type=module', '-e', script], check=True, capture_output=True).stdout
    return torch.from_numpy(np.frombuffer(raw, dtype=np.float32).reshape(1, 3, height, width).copy())


def read_manifest():
    with open(os.path.join(BUNDLE, 'manifest.json')) as f:
        return json.load(f)


def load_conv(manifest, name):
    """(weight [co][ci][ky][kx], bias) of one conv as float32 tensors: w = q * scale + min in
    float64, transposed from the bundle's [kx][ky][cin][cout] to PyTorch's layout."""
    def tensor(kind):
        entry = manifest['weights'][f'{name}/{kind}']
        q = np.fromfile(os.path.join(BUNDLE, entry['filename']), dtype=np.uint8).astype(np.float64)
        quant = entry['quantization']
        return (q * quant['scale'] + quant['min_value']).reshape(entry['shape'])
    kernel = tensor('kernel').transpose(3, 2, 1, 0)  # [kx][ky][ci][co] -> [co][ci][ky][kx]
    return torch.tensor(kernel, dtype=torch.float32), torch.tensor(tensor('bias'), dtype=torch.float32)


def load_real_weights(net):
    """Copies the real weights into the convs of `net` (VGG19's layers in order, as far as it goes)."""
    manifest = read_manifest()
    convs = [layer for layer in net if isinstance(layer, torch.nn.Conv2d)]
    names = [f'conv{block}_{i}' for block, count, _ in BLOCKS for i in range(1, count + 1)]
    with torch.no_grad():
        for conv, name in zip(convs, names):
            weight, bias = load_conv(manifest, name)
            conv.weight.copy_(weight)
            conv.bias.copy_(bias)


def sample_indices(n, count, seed):
    """A small LCG, so the indices are easy to recompute anywhere."""
    state, picked = seed, []
    for _ in range(count):
        state = (state * 1103515245 + 12345) % 2 ** 31
        picked.append(state % n)
    return picked
