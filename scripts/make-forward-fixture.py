#!/usr/bin/python3
"""Writes test/fixtures/<model>-forward.json: a network's activations computed by PyTorch, an
implementation independent of ours, for the forward verification test.

  vgg19          ../shared/images/tubingen.jpg at 64x48 and weights from the uint8 bundle, both
                 as scripts/vgg19_torch.py prepares them; activations at relu1_1 ... relu5_1.
  squeezenet1_1  the same photo at 130x97 (every ceil-mode pool then has a partial last row
                 and column, and conv1 leaves the last column unread); the float32 bundle in
                 ../shared/weights/squeezenet1_1 (already OIHW) loaded into torchvision's
                 squeezenet1_1().features layout (scripts/torch_networks.py: Fire modules,
                 MaxPool2d(3, 2, ceil_mode=True)); activations at every layer users can pick:
                 conv1, pool1, fire2 ... fire9.

Only statistics and a sample of values per layer are written (a few KB), never weights.
Run from the repository root after `npm run build`:

  /usr/bin/python3 scripts/make-forward-fixture.py [vgg19|squeezenet1_1]   (default: both)
"""
import json
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

import torch_networks  # scripts/torch_networks.py: torchvision's layouts
from vgg19_torch import BLOCKS, load_conv, network_input, read_manifest, sample_indices

IMAGE = '../shared/images/tubingen.jpg'
SAMPLES = 48


def vgg19_activations():
    manifest = read_manifest()
    x = network_input(IMAGE, 64, 48)
    out = {}
    for block, convs, _ in BLOCKS:
        for i in range(1, convs + 1):
            weight, bias = load_conv(manifest, f'conv{block}_{i}')
            x = F.relu(F.conv2d(x, weight, bias, padding=1))
            out[f'relu{block}_{i}'] = x[0]
        if block < 5:
            x = F.max_pool2d(x, 2, 2)
    layers = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu4_2', 'relu5_1']
    return 64, 48, {name: out[name] for name in layers}


SQUEEZENET_BUNDLE = '../shared/weights/squeezenet1_1'


def squeezenet1_1_activations():
    with open(os.path.join(SQUEEZENET_BUNDLE, 'manifest.json')) as f:
        manifest = json.load(f)
    files = {entry['name']: entry for entry in manifest['layers']}
    net, names = torch_networks.features('squeezenet1_1')
    state = {}
    for ours, theirs in torch_networks.conv_weights('squeezenet1_1'):
        entry = files[ours]
        for kind, shape in (('weight', entry['shape']), ('bias', entry['bias_shape'])):
            values = np.fromfile(os.path.join(SQUEEZENET_BUNDLE, entry[f'{kind}_file']), dtype='<f4').reshape(shape)
            state[f'{theirs}.{kind}'.removeprefix('features.')] = torch.from_numpy(values.copy())
    net.load_state_dict(state)

    width, height = 130, 97
    x = network_input(IMAGE, width, height, manifest['input']['mean_rgb'])
    out = {}
    for i, module in enumerate(net):
        x = module(x)
        if i in names:
            out[names[i]] = x[0].clone()  # the next ReLU works in place
    return width, height, out


def write_fixture(model, title, activations):
    width, height, acts = activations
    layers = {}
    for k, (name, a) in enumerate(acts.items()):
        a = a.double()
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
        'about': f'{title} activations by PyTorch ' + torch.__version__ + ' (scripts/make-forward-fixture.py)',
        'image': IMAGE,
        'size': [width, height],
        'layers': layers,
    }
    with open(f'test/fixtures/{model}-forward.json', 'w') as f:
        json.dump(fixture, f, indent=1)
        f.write('\n')


MODELS = {
    'vgg19': ('VGG19', vgg19_activations),
    'squeezenet1_1': ('SqueezeNet 1.1', squeezenet1_1_activations),
}


def main():
    torch.set_grad_enabled(False)
    for model in sys.argv[1:] or list(MODELS):
        title, activations = MODELS[model]
        write_fixture(model, title, activations())


if __name__ == '__main__':
    main()
