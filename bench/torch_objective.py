"""PyTorch reference timing for `npm run bench:compare`: one style-transfer objective evaluation.

One evaluation = VGG19 forward to relu5_1, the objective of DESIGN.md section 1 with the
neural-style defaults, and backward to the image; exactly what StyleTransferObjective.evaluate
(src/loss/objective.ts) computes:
  content  5   * mean((F(x) - F(c))^2)                at relu4_2
  style    100 * sum_l mean((G_l(x) - A_l)^2)         at relu1_1 relu2_1 relu3_1 relu4_1 relu5_1,
           G_l = F_l F_l^T / (C H W)
  tv       1e-3 * sum of squared forward differences of x

The weights are random (Kaiming init, as torchvision's) because the time of dense float32
convolutions does not depend on the values; they are frozen (requires_grad False) so that,
like our engine, backward computes gradients with respect to the image only.

A benchmark tool, never a runtime dependency: run it with Debian's /usr/bin/python3
(python3-torch). Prints JSON {torch_version, threads, blas, results: [{size, width, height, seconds, runs}]}.

  /usr/bin/python3 bench/torch_objective.py --sizes 256,512 --repeat 3 --threads 2
"""
import argparse
import json
import os
import statistics
import time

import torch
from torch import nn

# VGG19 configuration E up to conv5_1 (src/vgg/layers.ts holds the same table): channels of
# each 3x3 conv, 'M' for a 2x2 max pool.
VGG19_TO_CONV5_1 = [64, 64, 'M', 128, 128, 'M', 256, 256, 256, 256, 'M', 512, 512, 512, 512, 'M', 512]
# The `nst stylize` defaults (src/stylize/defaults.ts).
CONTENT_LAYER = 'relu4_2'
STYLE_LAYERS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1']
CONTENT_WEIGHT, STYLE_WEIGHT, TV_WEIGHT = 5.0, 100.0, 1e-3


def build_vgg():
    """nn.Sequential of conv/relu/pool up to relu5_1, and the name of each relu's index."""
    layers, names = [], {}
    in_channels, block, conv = 3, 1, 0
    for item in VGG19_TO_CONV5_1:
        if item == 'M':
            layers.append(nn.MaxPool2d(2, 2))
            block, conv = block + 1, 0
            continue
        conv += 1
        layer = nn.Conv2d(in_channels, item, 3, padding=1)
        nn.init.kaiming_normal_(layer.weight, mode='fan_out', nonlinearity='relu')
        nn.init.zeros_(layer.bias)
        layers += [layer, nn.ReLU(inplace=True)]
        names[len(layers) - 1] = f'relu{block}_{conv}'
        in_channels = item
    net = nn.Sequential(*layers).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net, names


def features(net, names, image, wanted):
    """relu name -> activation for the relus in `wanted` (the net ends at relu5_1)."""
    out, x = {}, image
    for i, layer in enumerate(net):
        x = layer(x)
        if names.get(i) in wanted:
            out[names[i]] = x
    return out


def gram(f):
    _, c, h, w = f.shape
    flat = f.reshape(c, h * w)
    return flat @ flat.t() / (c * h * w)


def total_variation(x):
    return ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).sum() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum()


def targets(net, names, content, style):
    """The content layer's activation of `content` and the style layers' Grams of `style`."""
    with torch.no_grad():
        content_target = features(net, names, content, {CONTENT_LAYER})[CONTENT_LAYER]
        style_targets = {k: gram(v) for k, v in features(net, names, style, set(STYLE_LAYERS)).items()}
    return content_target, style_targets


def objective_terms(net, names, x, content_target, style_targets):
    """(content, style, tv) at x as differentiable tensors: DESIGN.md section 1 with the defaults."""
    f = features(net, names, x, set(STYLE_LAYERS) | {CONTENT_LAYER})
    content = CONTENT_WEIGHT * torch.mean((f[CONTENT_LAYER] - content_target) ** 2)
    style = sum(STYLE_WEIGHT * torch.mean((gram(f[layer]) - style_targets[layer]) ** 2) for layer in STYLE_LAYERS)
    return content, style, TV_WEIGHT * total_variation(x)


def time_evaluation(net, names, width, height, repeat):
    """Median seconds of forward + loss + backward to the image, after one warm-up evaluation."""
    # Preprocessed-space images: 0..255 minus the mean, so roughly zero-centred with std ~50.
    content = torch.randn(1, 3, height, width) * 50
    style = torch.randn(1, 3, height, width) * 50
    content_target, style_targets = targets(net, names, content, style)
    x = content.clone().requires_grad_(True)

    def evaluate():
        x.grad = None
        content_loss, style_loss, tv_loss = objective_terms(net, names, x, content_target, style_targets)
        (content_loss + style_loss + tv_loss).backward()
        return x.grad

    evaluate()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        evaluate()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), runs


def loaded_blas():
    """The BLAS library torch.mm runs on (Linux): Debian's python3-torch uses whatever the
    libblas.so.3 alternative points to, by default the slow netlib reference (libblas3)."""
    torch.ones(2, 2) @ torch.ones(2, 2)  # make sure the library is loaded
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if 'blas' in os.path.basename(line.split()[-1])}
    except OSError:
        return 'unknown'
    return ', '.join(sorted(paths)) or 'unknown'


def parse_size(text):
    """'256' -> (256, 256); '640x480' -> (640, 480) as width x height."""
    if 'x' in text:
        w, h = text.split('x')
        return text, int(w), int(h)
    return int(text), int(text), int(text)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='256,512', help='comma-separated: S (S x S) or WxH')
    parser.add_argument('--repeat', type=int, default=3, help='timed evaluations per size (median reported)')
    parser.add_argument('--threads', type=int, default=2, help='torch.set_num_threads')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    net, names = build_vgg()
    results = []
    for spec in args.sizes.split(','):
        size, width, height = parse_size(spec)
        seconds, runs = time_evaluation(net, names, width, height, max(1, args.repeat))
        results.append({'size': size, 'width': width, 'height': height, 'seconds': seconds, 'runs': runs})
    report = {'torch_version': torch.__version__, 'threads': torch.get_num_threads(), 'blas': loaded_blas(), 'results': results}
    print(json.dumps(report, indent=2))


if __name__ == '__main__':
    main()
