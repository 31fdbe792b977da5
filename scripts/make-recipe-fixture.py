#!/usr/bin/python3
"""Writes test/fixtures/recipes-torch.json: each preset's objective and its gradient computed by
PyTorch (float64, autograd), an implementation independent of ours, for the fidelity tests.

Inputs: the fixed small case of src/check/recipe-inputs.ts (VGG19 shrunk 16-fold with random
weights, 8-bit-like images), dumped through node so both sides see the very same float32
values. The losses are written here again from the articles in ../shared/seeds, in PyTorch's
idioms: F.mse_loss, torch.mm, autograd for the gradients. Nothing is derived from real weights.

Run from the repository root after `npm run build`:  /usr/bin/python3 scripts/make-recipe-fixture.py
"""
import json
import subprocess

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)

MEAN_RGB = torch.tensor([123.68, 116.779, 103.939]).view(3, 1, 1)
STYLE_LAYERS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1']
BLOCKS = [(1, 2), (2, 2), (3, 4), (4, 4), (5, 4)]
GRADIENT_SAMPLES = 96

DUMP_INPUTS = """
import { recipeTestInputs } from './dist/src/check/recipe-inputs.js';
const r = recipeTestInputs();
const list = (a) => Array.from(a);
process.stdout.write(JSON.stringify({
  shape: r.shape, styleShape: r.styleShape,
  convs: r.convs.map((c) => ({ name: c.name, inChannels: c.inChannels, outChannels: c.outChannels, weight: list(c.weight), bias: list(c.bias) })),
  content: list(r.content), style: list(r.style), x: list(r.x), y: list(r.y),
}));
"""


def load_inputs():
    raw = subprocess.run(['node', '--input-type=module', '-e', DUMP_INPUTS], check=True, capture_output=True).stdout
    return json.loads(raw)


def vgg(image, convs, deepest):
    """relu outputs by name, max pooling (floor), zero padding 1, up to `deepest`."""
    out = {}
    x = image.unsqueeze(0)
    by_name = {c['name']: c for c in convs}
    for block, count in BLOCKS:
        for i in range(1, count + 1):
            c = by_name[f'conv{block}_{i}']
            w = torch.tensor(c['weight']).view(c['outChannels'], c['inChannels'], 3, 3)
            x = F.relu(F.conv2d(x, w, torch.tensor(c['bias']), padding=1))
            out[f'relu{block}_{i}'] = x[0]
            if f'relu{block}_{i}' == deepest:
                return out
        x = F.max_pool2d(x, 2)
    return out


def gram(f):
    c = f.shape[0]
    m = f.reshape(c, -1)
    return torch.mm(m, m.t())


def tv_keras(x):
    """Articles 003/004: sum(((x[:H-1,:W-1] - x[1:,:W-1])^2 + (x[:H-1,:W-1] - x[:H-1,1:])^2)^1.25)."""
    a = (x[:, :-1, :-1] - x[:, 1:, :-1]) ** 2
    b = (x[:, :-1, :-1] - x[:, :-1, 1:]) ** 2
    return torch.sum((a + b) ** 1.25)


def tv_abs(x):
    """tf.image.total_variation."""
    return torch.sum(torch.abs(x[:, 1:, :] - x[:, :-1, :])) + torch.sum(torch.abs(x[:, :, 1:] - x[:, :, :-1]))


def tv_squared(x):
    return torch.sum((x[:, 1:, :] - x[:, :-1, :]) ** 2) + torch.sum((x[:, :, 1:] - x[:, :, :-1]) ** 2)


def keras(content_weight, style_weight, tv_weight, tv):
    def loss(x, content, style, convs):
        f = vgg(x, convs, 'relu5_2')
        fc = vgg(content, convs, 'relu5_2')
        fs = vgg(style, convs, 'relu5_2')
        c = content_weight * torch.sum((f['relu5_2'] - fc['relu5_2']) ** 2)
        size = x.shape[1] * x.shape[2]
        s = sum(style_weight / len(STYLE_LAYERS) * torch.sum((gram(fs[l]) - gram(f[l])) ** 2) / (4.0 * 3 ** 2 * size ** 2)
                for l in STYLE_LAYERS)
        return c, s, tv_weight * tv(x)
    return loss


def tf_adam(y, content, style, convs):
    x = y * 255 - MEAN_RGB
    f = vgg(x, convs, 'relu5_1')
    fc = vgg(content, convs, 'relu5_1')
    fs = vgg(style, convs, 'relu5_1')
    c = 1e3 * F.mse_loss(f['relu4_2'], fc['relu4_2'])
    g = lambda t: gram(t) / (t.shape[1] * t.shape[2])
    s = 1e-2 * sum(F.mse_loss(g(f[l]), g(fs[l])) for l in STYLE_LAYERS) / len(STYLE_LAYERS)
    return c, s, 30 * tv_abs(y)


def neural_style(x, content, style, convs):
    f = vgg(x, convs, 'relu5_1')
    fc = vgg(content, convs, 'relu5_1')
    fs = vgg(style, convs, 'relu5_1')
    c = 5 * F.mse_loss(f['relu4_2'], fc['relu4_2'])
    g = lambda t: gram(t) / t.numel()
    s = sum(100 * F.mse_loss(g(f[l]), g(fs[l])) for l in STYLE_LAYERS)
    return c, s, 1e-3 * tv_squared(x)


# preset -> (loss, which point: 'x' network input, 'y' RGB in [0, 1])
PRESETS = {
    'neural-style': (neural_style, 'x'),
    'keras': (keras(2.5e-8, 1e-6, 1e-6, tv_keras), 'x'),
    'keras-lbfgs': (keras(0.025, 1.0, 1.0, tv_abs), 'x'),
    'keras-lbfgs-book': (keras(0.025, 1.0, 1e-4, tv_keras), 'x'),
    'tf-adam': (tf_adam, 'y'),
}


def main():
    inputs = load_inputs()
    shape, style_shape = inputs['shape'], inputs['styleShape']
    content = torch.tensor(inputs['content']).view(*shape)
    style = torch.tensor(inputs['style']).view(*style_shape)
    n = shape[0] * shape[1] * shape[2]
    samples = [round(k * (n - 1) / (GRADIENT_SAMPLES - 1)) for k in range(GRADIENT_SAMPLES)]
    out = {
        'about': f'each preset\'s objective and gradient by PyTorch {torch.__version__}, float64 (scripts/make-recipe-fixture.py)',
        'presets': {},
    }
    for name, (loss, point) in PRESETS.items():
        v = torch.tensor(inputs[point]).view(*shape).requires_grad_(True)
        c, s, tv = loss(v, content, style, inputs['convs'])
        total = c + s + tv
        total.backward()
        grad = v.grad.reshape(-1)
        out['presets'][name] = {
            'point': point,
            'content': c.item(), 'style': s.item(), 'tv': tv.item(), 'total': total.item(),
            'gradientMaxAbs': grad.abs().max().item(),
            'gradientSamples': [[i, grad[i].item()] for i in samples],
        }
    with open('test/fixtures/recipes-torch.json', 'w') as f:
        json.dump(out, f, indent=1)
        f.write('\n')


if __name__ == '__main__':
    main()
