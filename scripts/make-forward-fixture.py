#!/usr/bin/python3
"""Writes test/fixtures/vgg19-forward.json: VGG19 activations computed by PyTorch, an
implementation independent of ours, for the forward verification test.

Input: ../shared/images/tubingen.jpg scaled to 64x48 by the project's own decoder and resizer
(dumped through node, so both sides see the very same float input), preprocessed as the
network expects (RGB, 0..255 minus the mean). Weights: the uint8 bundle in
../shared/weights/vgg19-uint8, dequantised here with numpy (w = q * scale + min in float64)
and transposed from the bundle's [kx][ky][cin][cout] to PyTorch's [cout][cin][ky][kx].

Only statistics and a sample of values per layer are written (a few KB), never weights.
Run from the repository root after `npm run build`:  /usr/bin/python3 scripts/make-forward-fixture.py
"""
import json
import os
import subprocess

import numpy as np
import torch
import torch.nn.functional as F

BUNDLE = '../shared/weights/vgg19-uint8'
IMAGE = '../shared/images/tubingen.jpg'
WIDTH, HEIGHT = 64, 48
LAYERS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu4_2', 'relu5_1']
SAMPLES = 48
# The VGG19 feature extractor: conv channel counts per block (configuration E).
BLOCKS = [(1, 2, 64), (2, 2, 128), (3, 4, 256), (4, 4, 512), (5, 4, 512)]

DUMP_INPUT = f"""
import {{ readImage, resize, toNetworkInput }} from './dist/src/image/index.js';
import {{ VGG_MEAN_RGB }} from './dist/src/vgg/layers.js';
const x = toNetworkInput(resize(readImage('{IMAGE}'), {WIDTH}, {HEIGHT}), VGG_MEAN_RGB);
process.stdout.write(Buffer.from(x.buffer, x.byteOffset, x.byteLength));
"""


def network_input():
    raw = subprocess.run(['node', '--input-type=module', '-e', DUMP_INPUT], check=True, capture_output=True).stdout
    return torch.from_numpy(np.frombuffer(raw, dtype=np.float32).reshape(1, 3, HEIGHT, WIDTH).copy())


def load_conv(manifest, name):
    def tensor(kind):
        entry = manifest['weights'][f'{name}/{kind}']
        q = np.fromfile(os.path.join(BUNDLE, entry['filename']), dtype=np.uint8).astype(np.float64)
        quant = entry['quantization']
        return (q * quant['scale'] + quant['min_value']).reshape(entry['shape'])
    kernel = tensor('kernel').transpose(3, 2, 1, 0)  # [kx][ky][ci][co] -> [co][ci][ky][kx]
    return torch.tensor(kernel, dtype=torch.float32), torch.tensor(tensor('bias'), dtype=torch.float32)


def activations(x, manifest):
    out = {}
    for block, convs, _ in BLOCKS:
        for i in range(1, convs + 1):
            weight, bias = load_conv(manifest, f'conv{block}_{i}')
            x = F.relu(F.conv2d(x, weight, bias, padding=1))
            out[f'relu{block}_{i}'] = x[0]
        if block < 5:
            x = F.max_pool2d(x, 2, 2)
    return out


def sample_indices(n, count, seed):
    """A small LCG, so the indices are easy to recompute anywhere."""
    state, picked = seed, []
    for _ in range(count):
        state = (state * 1103515245 + 12345) % 2 ** 31
        picked.append(state % n)
    return picked


def main():
    with open(os.path.join(BUNDLE, 'manifest.json')) as f:
        manifest = json.load(f)
    torch.set_grad_enabled(False)
    acts = activations(network_input(), manifest)
    layers = {}
    for k, name in enumerate(LAYERS):
        a = acts[name].double()
        flat = a.flatten()
        indices = sample_indices(flat.numel(), SAMPLES, 1000 + k)
        layers[name] = {
            'shape': list(a.shape),
            'mean': flat.mean().item(),
            'std': flat.std(unbiased=False).item(),
            'max': flat.max().item(),
            'fraction_positive': (flat > 0).double().mean().item(),
            'samples': [[i, flat[i].item()] for i in indices],
        }
    fixture = {
        'about': 'VGG19 activations by PyTorch ' + torch.__version__ + ' (scripts/make-forward-fixture.py)',
        'image': IMAGE,
        'size': [WIDTH, HEIGHT],
        'layers': layers,
    }
    with open('test/fixtures/vgg19-forward.json', 'w') as f:
        json.dump(fixture, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
