#!/usr/bin/python3
"""Writes test/fixtures/vgg19-forward.json: VGG19 activations computed by PyTorch, an
implementation independent of ours, for the forward verification test.

Input: ../shared/images/tubingen.jpg scaled to 64x48 and weights from the uint8 bundle, both
as scripts/vgg19_torch.py prepares them.

Only statistics and a sample of values per layer are written (a few KB), never weights.
Run from the repository root after `npm run build`:  /usr/bin/python3 scripts/make-forward-fixture.py
"""
import json

import torch
import torch.nn.functional as F

from vgg19_torch import BLOCKS, load_conv, network_input, read_manifest, sample_indices

IMAGE = '../shared/images/tubingen.jpg'
WIDTH, HEIGHT = 64, 48
LAYERS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu4_2', 'relu5_1']
SAMPLES = 48


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


def main():
    manifest = read_manifest()
    torch.set_grad_enabled(False)
    acts = activations(network_input(IMAGE, WIDTH, HEIGHT), manifest)
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
