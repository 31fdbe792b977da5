#!/usr/bin/python3
"""Writes test/fixtures/objective-torch.json: the style transfer objective and its image
gradient computed by PyTorch, an implementation independent of ours, on the real weights,
for test/objective-torch.test.ts.

The computation is bench/torch_objective.py's (the `nst stylize` defaults: content relu4_2,
style relu1_1 ... relu5_1, weights 5, 100, 1e-3), on VGG19 with the real weights (the uint8
bundle dequantised and rounded to float32, as our importer stores them), evaluated in float64
so that the fixture is the exact value for those weights. The images come through the
project's own decoder and resizer (scripts/vgg19_torch.py): content tubingen.jpg and the
evaluation point x hoovertowernight.jpg at 64x48, style starry_night.jpg at 48x38.

Only the four loss values and statistics of the gradient are written (a few KB): its L1 and
L2 norms, its sums along every row and every column of each channel (which together touch
every pixel), and a sample of values. Run from the repository root after `npm run build`:
  /usr/bin/python3 scripts/make-objective-fixture.py
"""
import json
import os
import sys

import torch

from vgg19_torch import load_real_weights, network_input, sample_indices

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'bench'))
import torch_objective as bench  # noqa: E402

IMAGES = '../shared/images/'
CONTENT = ('tubingen.jpg', 64, 48)
STYLE = ('starry_night.jpg', 48, 38)
X = ('hoovertowernight.jpg', 64, 48)
SAMPLES = 64


def real_vgg():
    """bench.build_vgg's network with the real weights, in float64."""
    net, names = bench.build_vgg()
    load_real_weights(net)
    return net.double(), names


def image(spec):
    name, width, height = spec
    return {'image': IMAGES + name, 'size': [width, height]}


def main():
    net, names = real_vgg()
    load = lambda spec: network_input(IMAGES + spec[0], spec[1], spec[2]).double()
    content_target, style_targets = bench.targets(net, names, load(CONTENT), load(STYLE))
    x = load(X).requires_grad_(True)
    content, style, tv = bench.objective_terms(net, names, x, content_target, style_targets)
    total = content + style + tv
    total.backward()
    g = x.grad[0]
    flat = g.flatten()
    fixture = {
        'about': 'style transfer objective by PyTorch ' + torch.__version__ + ' in float64 (scripts/make-objective-fixture.py)',
        'content': image(CONTENT),
        'style': image(STYLE),
        'x': image(X),
        'weights': {'content_layers': [bench.CONTENT_LAYER], 'style_layers': bench.STYLE_LAYERS,
                    'content': bench.CONTENT_WEIGHT, 'style': bench.STYLE_WEIGHT, 'tv': bench.TV_WEIGHT},
        'losses': {'content': content.item(), 'style': style.item(), 'tv': tv.item(), 'total': total.item()},
        'gradient': {
            'l1': flat.abs().sum().item(),
            'l2': flat.norm().item(),
            'max_abs': flat.abs().max().item(),
            # [channel][row] and [channel][column] sums
            'row_sums': g.sum(dim=2).tolist(),
            'column_sums': g.sum(dim=1).tolist(),
            'samples': [[i, flat[i].item()] for i in sample_indices(flat.numel(), SAMPLES, 2024)],
        },
    }
    with open('test/fixtures/objective-torch.json', 'w') as f:
        json.dump(fixture, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
