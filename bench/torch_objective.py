"""PyTorch reference timing for `npm run bench:compare`: one style-transfer objective evaluation.

One evaluation = the network forward to its deepest loss layer, the objective of DESIGN.md
section 1, and backward to the image; exactly what StyleTransferObjective.evaluate
(src/loss/objective.ts) computes (by default the neural-style defaults on VGG19):
  content  w_c * sum_l mean((F_l(x) - F_l(c))^2)            at the content layers (relu4_2)
  style    w_s * sum_l lambda_l mean((G_l(x) - A_l)^2)      at the style layers (relu1_1 ... relu5_1),
           G_l = F_l F_l^T / (C H W)
  tv       w_tv * sum of squared forward differences of x    (w_c, w_s, w_tv = 5, 100, 1e-3)

Networks: vgg19, vgg16, squeezenet1_1, squeezenet1_0 as torchvision's features
(scripts/torch_networks.py), layers named as src/models names them. The weights are random
(Kaiming init, as torchvision's) because the time of dense float32 convolutions does not
depend on the values; they are frozen (requires_grad False) so that, like our engine, backward
computes gradients with respect to the image only.

A benchmark tool, never a runtime dependency: run it with Debian's /usr/bin/python3
(python3-torch). Prints JSON {torch_version, threads, blas, results: [{model, size, width, height, seconds, runs}]}.

  /usr/bin/python3 bench/torch_objective.py --model squeezenet1_1 --sizes 256,512 --repeat 3 --threads 2 \
      --content-layers fire6 --style-layers conv1,fire2 --style-layer-weights 1,0.8
"""
import argparse
import json
import os
import statistics
import sys
import time
from typing import NamedTuple

import torch

# The networks, laid out as torchvision's (scripts/torch_networks.py, shared with the fixture generators).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'scripts'))
from torch_networks import MODELS, features as torchvision_features  # noqa: E402

# The `nst stylize` defaults on VGG19 (src/stylize/defaults.ts).
CONTENT_LAYER = 'relu4_2'
STYLE_LAYERS = ['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1']
CONTENT_WEIGHT, STYLE_WEIGHT, TV_WEIGHT = 5.0, 100.0, 1e-3


class Objective(NamedTuple):
    """Which layers the objective reads and with what weights."""
    content_layers: list
    style_layers: list
    style_layer_weights: list
    content_weight: float = CONTENT_WEIGHT
    style_weight: float = STYLE_WEIGHT
    tv_weight: float = TV_WEIGHT


DEFAULTS = Objective([CONTENT_LAYER], STYLE_LAYERS, [1.0] * len(STYLE_LAYERS))


def build_network(model):
    """torchvision's features of `model` with random frozen weights, and the layer name of each index."""
    net, names = torchvision_features(model)
    net.eval()
    for p in net.parameters():
        p.requires_grad_(False)
    return net, names


def build_vgg():
    """VGG19's features, as build_network('vgg19')."""
    return build_network('vgg19')


def features(net, names, image, wanted):
    """layer name -> activation for the layers in `wanted`, running only as far as the deepest."""
    out, x = {}, image
    for i, layer in enumerate(net):
        x = layer(x)
        if names.get(i) in wanted:
            out[names[i]] = x
            if len(out) == len(wanted):
                break
    return out


def gram(f):
    _, c, h, w = f.shape
    flat = f.reshape(c, h * w)
    return flat @ flat.t() / (c * h * w)


def total_variation(x):
    return ((x[:, :, 1:, :] - x[:, :, :-1, :]) ** 2).sum() + ((x[:, :, :, 1:] - x[:, :, :, :-1]) ** 2).sum()


def targets(net, names, content, style, objective=DEFAULTS):
    """The content layers' activations of `content` and the style layers' Grams of `style`."""
    with torch.no_grad():
        content_targets = features(net, names, content, set(objective.content_layers))
        style_targets = {k: gram(v) for k, v in features(net, names, style, set(objective.style_layers)).items()}
    return content_targets, style_targets


def objective_terms(net, names, x, content_targets, style_targets, objective=DEFAULTS):
    """(content, style, tv) at x as differentiable tensors: DESIGN.md section 1."""
    o = objective
    f = features(net, names, x, set(o.style_layers) | set(o.content_layers))
    content = sum(o.content_weight * torch.mean((f[layer] - content_targets[layer]) ** 2) for layer in o.content_layers)
    style = sum(o.style_weight * w * torch.mean((gram(f[layer]) - style_targets[layer]) ** 2)
                for layer, w in zip(o.style_layers, o.style_layer_weights))
    return content, style, o.tv_weight * total_variation(x)


def time_evaluation(net, names, width, height, repeat, objective=DEFAULTS):
    """Median seconds of forward + loss + backward to the image, after one warm-up evaluation."""
    # Preprocessed-space images: 0..255 minus the mean, so roughly zero-centred with std ~50.
    content = torch.randn(1, 3, height, width) * 50
    style = torch.randn(1, 3, height, width) * 50
    content_targets, style_targets = targets(net, names, content, style, objective)
    x = content.clone().requires_grad_(True)

    def evaluate():
        x.grad = None
        content_loss, style_loss, tv_loss = objective_terms(net, names, x, content_targets, style_targets, objective)
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
    parser.add_argument('--model', default='vgg19', choices=MODELS)
    parser.add_argument('--content-layers', default=','.join(DEFAULTS.content_layers))
    parser.add_argument('--style-layers', default=','.join(DEFAULTS.style_layers))
    parser.add_argument('--style-layer-weights', default=','.join(map(str, DEFAULTS.style_layer_weights)))
    parser.add_argument('--weights', default='5,100,1e-3', help='content, style and tv weights')
    parser.add_argument('--sizes', default='256,512', help='comma-separated: S (S x S) or WxH')
    parser.add_argument('--repeat', type=int, default=3, help='timed evaluations per size (median reported)')
    parser.add_argument('--threads', type=int, default=2, help='torch.set_num_threads')
    parser.add_argument('--seed', type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    net, names = build_network(args.model)
    objective = Objective(args.content_layers.split(','), args.style_layers.split(','),
                          [float(w) for w in args.style_layer_weights.split(',')], *[float(w) for w in args.weights.split(',')])
    results = []
    for spec in args.sizes.split(','):
        size, width, height = parse_size(spec)
        seconds, runs = time_evaluation(net, names, width, height, max(1, args.repeat), objective)
        results.append({'model': args.model, 'size': size, 'width': width, 'height': height, 'seconds': seconds, 'runs': runs})
    report = {'torch_version': torch.__version__, 'threads': torch.get_num_threads(), 'blas': loaded_blas(), 'results': results}
    print(json.dumps(report, indent=2))


if __name__ == '__main__':
    main()
